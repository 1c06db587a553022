"""Same caller, same matter (同人同诉): address normalisation, content similarity, and the
earlier orders a new order repeats."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tickets.duplicates import (
    DuplicateMatch,
    OrderGist,
    content_similarity,
    find_duplicates,
    normalise_address,
)

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
CALLER = "13800000001"

# 21 characters, 20 distinct bigrams once the punctuation is gone
LITTER = "小区门口的垃圾堆了一个星期没人清理，气味很大"
# 20 characters, 19 distinct bigrams; 12 shared with LITTER: Dice = 24 / 39 = 0.6154
LITTER_AGAIN = "小区门口垃圾堆了一星期没有人清理。味道很大！"
UNRELATED = "咨询公积金提取需要带哪些材料"

ORDER = OrderGist(
    number="12345-20261123-AAAAAAAA",
    caller_number=CALLER,
    category="utilities.water",
    address="上海市闵行区梅陇镇莲花路100弄3号",
    content="家里停水两天了，一直没有恢复供水",
    created_at=T0,
)


def _earlier(number: str, **changes: Any) -> OrderGist:
    base = replace(ORDER, number=number, created_at=T0 - timedelta(days=1), content=None)
    return replace(base, **changes)


# -- normalise_address ------------------------------------------------------------------


def test_full_width_digits_and_letters_become_half_width() -> None:
    assert normalise_address("上海市闵行区梅陇镇ＸＸ路１００弄３号") == "闵行区梅陇镇xx路100弄3号"


def test_spaces_and_punctuation_are_removed() -> None:
    assert normalise_address(" 闵行区 梅陇镇，莲花路（100）弄-3号 ") == "闵行区梅陇镇莲花路100弄3号"


def test_a_hash_reads_as_hao() -> None:
    assert normalise_address("锦梅苑3#楼201室") == "锦梅苑3号楼201室"


def test_a_province_and_its_city_are_dropped() -> None:
    assert normalise_address("河南省郑州市金水区花园路8号") == "金水区花园路8号"
    assert normalise_address("新疆维吾尔自治区乌鲁木齐市天山区") == "天山区"


def test_a_municipality_is_dropped_but_not_the_district() -> None:
    assert normalise_address("北京市朝阳区望京街道") == "朝阳区望京街道"


def test_a_market_is_not_mistaken_for_a_city() -> None:
    assert normalise_address("梅陇镇农贸市场") == "梅陇镇农贸市场"
    assert normalise_address("河南省兰考县城关镇") == "兰考县城关镇"


def test_an_empty_address_stays_empty() -> None:
    assert normalise_address(" ，") == ""


# -- content_similarity -----------------------------------------------------------------


def test_near_identical_complaints_are_similar() -> None:
    assert content_similarity(LITTER, LITTER_AGAIN) == pytest.approx(24 / 39)


def test_unrelated_matters_share_nothing() -> None:
    assert content_similarity(LITTER, UNRELATED) == 0.0


def test_one_changed_character_in_four() -> None:
    # {楼道, 道漏, 漏水} and {楼道, 道渗, 渗水}: 2 * 1 / 6
    assert content_similarity("楼道漏水", "楼道渗水") == pytest.approx(1 / 3)


def test_punctuation_spaces_and_width_are_ignored() -> None:
    assert content_similarity("楼道漏水！３楼", "楼道 漏水, 3楼") == 1.0


def test_empty_texts_are_not_similar() -> None:
    assert content_similarity("", "") == 0.0
    assert content_similarity("楼道漏水", "") == 0.0
    assert content_similarity("。", "？") == 0.0


def test_a_single_character_is_compared_as_itself() -> None:
    assert content_similarity("水", "水") == 1.0
    assert content_similarity("水", "电") == 0.0


# -- find_duplicates --------------------------------------------------------------------


def test_same_category_and_equal_address_is_a_duplicate() -> None:
    earlier = _earlier("E1", address="闵行区梅陇镇莲花路１００弄３号", content="水压很低")
    assert find_duplicates(ORDER, [earlier], window=WEEK) == [
        DuplicateMatch("E1", 0.5, ("同一来电号码", "分类相同", "地址相同"))
    ]


def test_a_sibling_category_and_a_contained_address_is_a_duplicate() -> None:
    earlier = _earlier("E2", category="utilities.gas", address="梅陇镇莲花路100弄")
    assert find_duplicates(ORDER, [earlier], window=WEEK) == [
        DuplicateMatch("E2", 0.4, ("同一来电号码", "分类相同", "地址包含"))
    ]


def test_alike_content_is_a_duplicate_whatever_the_category_and_address() -> None:
    order = replace(ORDER, content=LITTER)
    earlier = _earlier("E3", category="complaint", address=None, content=LITTER_AGAIN)
    # half the similarity: 0.5 * 24 / 39
    assert find_duplicates(order, [earlier], window=WEEK) == [
        DuplicateMatch("E3", 0.3077, ("同一来电号码", "内容相似度 0.62"))
    ]


def test_the_threshold_decides_for_content_alone() -> None:
    order = replace(ORDER, content=LITTER)
    earlier = _earlier("E3", category="complaint", address=None, content=LITTER_AGAIN)
    assert find_duplicates(order, [earlier], window=WEEK, threshold=0.62) == []


def test_same_category_but_another_address_is_not_a_duplicate() -> None:
    earlier = _earlier("E4", address="闵行区梅陇镇莲花路200弄3号")
    assert find_duplicates(ORDER, [earlier], window=WEEK) == []


def test_same_address_but_another_matter_is_not_a_duplicate() -> None:
    earlier = _earlier("E5", category="complaint", content=UNRELATED)
    assert find_duplicates(ORDER, [earlier], window=WEEK) == []


def test_a_missing_address_is_no_place() -> None:
    order = replace(ORDER, address="")
    earlier = _earlier("E6", address="梅陇镇")
    assert find_duplicates(order, [earlier], window=WEEK) == []


def test_a_different_caller_is_not_a_duplicate() -> None:
    earlier = _earlier("E7", caller_number="13900000002", content=ORDER.content)
    assert find_duplicates(ORDER, [earlier], window=WEEK) == []


def test_an_unknown_caller_has_no_duplicates() -> None:
    order = replace(ORDER, caller_number="")
    earlier = _earlier("E8", caller_number="", content=ORDER.content)
    assert find_duplicates(order, [earlier], window=WEEK) == []


def test_an_order_exactly_one_window_earlier_counts() -> None:
    earlier = _earlier("E9", created_at=T0 - WEEK)
    assert [m.number for m in find_duplicates(ORDER, [earlier], window=WEEK)] == ["E9"]


def test_an_order_a_second_older_than_the_window_does_not_count() -> None:
    earlier = _earlier("E10", created_at=T0 - WEEK - timedelta(seconds=1))
    assert find_duplicates(ORDER, [earlier], window=WEEK) == []


def test_orders_at_the_same_moment_or_later_are_not_earlier() -> None:
    same_time = _earlier("E11", created_at=T0)
    later = _earlier("E12", created_at=T0 + timedelta(minutes=5))
    assert find_duplicates(ORDER, [same_time, later], window=WEEK) == []


def test_the_order_is_never_its_own_duplicate() -> None:
    itself = replace(ORDER, created_at=T0 - timedelta(hours=1))
    assert find_duplicates(ORDER, [itself], window=WEEK) == []


def test_matches_come_best_first() -> None:
    contained = _earlier("E13", address="梅陇镇莲花路100弄")  # 0.2 + 0.2
    same_place = _earlier("E14", created_at=T0 - timedelta(days=2))  # 0.2 + 0.3
    everything = _earlier("E15", created_at=T0 - timedelta(days=3), content=ORDER.content)
    matches = find_duplicates(ORDER, [contained, same_place, everything], window=WEEK)
    assert [(m.number, m.score) for m in matches] == [("E15", 1.0), ("E14", 0.5), ("E13", 0.4)]
    assert matches[0].reasons == ("同一来电号码", "分类相同", "地址相同", "内容相似度 1.00")


def test_equal_scores_put_the_newest_first() -> None:
    older = _earlier("E16", created_at=T0 - timedelta(days=3))
    newer = _earlier("E17", created_at=T0 - timedelta(days=1))
    assert [m.number for m in find_duplicates(ORDER, [older, newer], window=WEEK)] == [
        "E17",
        "E16",
    ]


def test_a_window_of_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        find_duplicates(ORDER, [], window=timedelta(0))
