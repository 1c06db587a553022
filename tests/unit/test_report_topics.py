"""Hot topics: places cut at the door number, recurring words without their fragments,
trends against the period before; and the periods reports are made of."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from tickets.reports.period import Period
from tickets.reports.topics import TopicOrder, hot_topics, place_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _orders(content: str, n: int, category: str = "complaint") -> list[TopicOrder]:
    return [TopicOrder("12345", category, f"梅陇镇莲花路{k}弄", content) for k in range(n)]


def test_place_is_the_address_before_its_number() -> None:
    assert place_of("梅陇镇莲花路123弄5号") == "梅陇镇莲花路"
    assert place_of("莘庄镇（西区）") == "莘庄镇"
    assert place_of("  ") is None
    assert place_of(None) is None


def test_recurring_words_are_the_phrases_not_their_fragments() -> None:
    now = _orders("小区停水三天没人管", 4) + _orders("夜间施工噪音扰民", 3) + _orders("路灯坏了", 2)
    before = _orders("夜间施工噪音扰民", 6)
    topics = hot_topics(now, before)
    words = {
        item["key"]: (item["count"], item["previous"], item["change"]) for item in topics["words"]
    }
    # the runs cut from one repeated phrase joined back; 路灯坏了 is in 2 orders only
    assert words == {"小区停水三天没人管": (4, 0, None), "夜间施工噪音扰民": (3, 6, -0.5)}
    assert topics["places"][0] == {"key": "梅陇镇莲花路", "count": 9, "previous": 6, "change": 0.5}
    assert topics["top_categories"][0]["key"] == "complaint"


def test_a_month_period_and_its_days_and_previous_month() -> None:
    november = Period.month("2026-11", SHANGHAI)
    assert november.label() == "2026-11"
    assert len(november.local_days()) == 30
    assert november.previous().label() == "2026-10"
    assert Period.month("2026-12", SHANGHAI).end.date() == date(2027, 1, 1)
    week = Period.days(date(2026, 11, 2), date(2026, 11, 9), SHANGHAI)
    assert week.label() == "2026-11-02 – 2026-11-08"
    assert week.previous().label() == "2026-10-26 – 2026-11-01"
