"""Same person, same matter (同人同诉): finding the earlier orders a new order repeats, so that
the dispatcher can merge them (并单) and mark the repeat as not counted in the assessment.

An earlier order is a duplicate of ``order`` when all of these hold:

1. it was created before ``order``, at most ``window`` earlier (the edge counts), and it is
   not ``order`` itself (same number);
2. it came from the same caller number (after trimming spaces; an empty number never matches);
3. it is about the same matter, which is either
   a. the same top-level category (codes compared before the first ".", so
      ``utilities.water`` and ``utilities.gas`` agree) and the same place: the addresses are
      equal after ``normalise_address`` or one contains the other; or
   b. the contents are alike: ``content_similarity`` at least ``threshold``.

The score (0..1) adds up the evidence, whichever way the matter matched:
0.2 for the same top-level category, 0.3 for equal addresses (0.2 when one contains the
other), and half the content similarity. Matches come best first, then newest first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tickets.categories import top_level_code

_CATEGORY_WEIGHT = 0.2
_SAME_ADDRESS_WEIGHT = 0.3
_CONTAINED_ADDRESS_WEIGHT = 0.2
_CONTENT_WEIGHT = 0.5

# Province-level names written in full; a city ("…市") right after a province goes too.
# The four municipalities are cities themselves.
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_PROVINCES = (
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省",
    "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区",
    "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
)  # fmt: skip
# a prefecture-level city: two to five characters, none of which names a smaller division
_CITY = re.compile(r"^[^\W\d_区县镇乡村街路道弄号]{2,5}?市")


@dataclass(frozen=True, slots=True)
class OrderGist:
    """What duplicate matching needs of an order."""

    number: str
    caller_number: str
    category: str | None
    address: str | None
    content: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    number: str
    score: float
    reasons: tuple[str, ...]  # zh-CN, shown to the dispatcher


def normalise_address(text: str) -> str:
    """The address as compared: full-width letters and digits made half-width, letters in
    lower case, "#" read as 号, spaces and punctuation removed, and a leading province and
    city ("上海市", "河南省郑州市") dropped. 号, 弄, 室 and the like are kept."""
    plain = unicodedata.normalize("NFKC", text).casefold().replace("#", "号")
    kept = "".join(ch for ch in plain if ch.isalnum())
    return _drop_province_and_city(kept)


def _drop_province_and_city(address: str) -> str:
    for municipality in _MUNICIPALITIES:
        if address.startswith(municipality):
            return address[len(municipality) :]
    for province in _PROVINCES:
        if address.startswith(province):
            rest = address[len(province) :]
            city = _CITY.match(rest)
            return rest if city is None else rest[city.end() :]
    return address


def content_similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' sets of character bigrams, 0..1; punctuation,
    spaces and letter case ignored. A text of a single character is its own one gram;
    an empty text is like nothing (0.0)."""
    grams_a = _bigrams(a)
    grams_b = _bigrams(b)
    if not grams_a or not grams_b:
        return 0.0
    return 2 * len(grams_a & grams_b) / (len(grams_a) + len(grams_b))


def _bigrams(text: str) -> set[str]:
    plain = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch for ch in plain if ch.isalnum())
    if len(kept) == 1:
        return {kept}
    return {kept[i : i + 2] for i in range(len(kept) - 1)}


def find_duplicates(
    order: OrderGist,
    earlier: Iterable[OrderGist],
    *,
    window: timedelta,
    threshold: float = 0.6,
) -> list[DuplicateMatch]:
    """The earlier orders ``order`` repeats, best first (the rule is in the module docstring)."""
    if window <= timedelta(0):
        raise ValueError("window must be longer than zero")
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be above 0 and at most 1")
    found: list[tuple[DuplicateMatch, datetime]] = []
    for candidate in earlier:
        if not _same_caller_in_window(order, candidate, window):
            continue
        match = _match_matter(order, candidate, threshold)
        if match is not None:
            found.append((match, candidate.created_at))
    found.sort(key=lambda pair: (-pair[0].score, -pair[1].timestamp(), pair[0].number))
    return [match for match, _ in found]


def _same_caller_in_window(order: OrderGist, candidate: OrderGist, window: timedelta) -> bool:
    caller = order.caller_number.strip()
    return (
        candidate.number != order.number
        and bool(caller)
        and candidate.caller_number.strip() == caller
        and order.created_at - window <= candidate.created_at < order.created_at
    )


def _match_matter(
    order: OrderGist, candidate: OrderGist, threshold: float
) -> DuplicateMatch | None:
    same_category = _same_top_level(order.category, candidate.category)
    place = _place_relation(order.address, candidate.address)
    similarity = content_similarity(order.content or "", candidate.content or "")
    alike = similarity >= threshold
    if not ((same_category and place is not None) or alike):
        return None
    reasons = ["同一来电号码"]
    score = 0.0
    if same_category:
        reasons.append("分类相同")
        score += _CATEGORY_WEIGHT
    if place == "same":
        reasons.append("地址相同")
        score += _SAME_ADDRESS_WEIGHT
    elif place == "contains":
        reasons.append("地址包含")
        score += _CONTAINED_ADDRESS_WEIGHT
    if alike:
        reasons.append(f"内容相似度 {similarity:.2f}")
    score += _CONTENT_WEIGHT * similarity
    return DuplicateMatch(number=candidate.number, score=round(score, 4), reasons=tuple(reasons))


def _same_top_level(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return top_level_code(a) == top_level_code(b)


def _place_relation(a: str | None, b: str | None) -> str | None:
    """How the two places relate: "same", "contains" (either way), or None; an empty address
    is no place."""
    first = normalise_address(a or "")
    second = normalise_address(b or "")
    if not first or not second:
        return None
    if first == second:
        return "same"
    if first in second or second in first:
        return "contains"
    return None
