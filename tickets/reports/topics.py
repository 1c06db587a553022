"""Hot topics (热点分析, "用数据说话"): the categories, places and recurring words of the
period's work orders, each with the count of the period before for the trend.

Places are addresses cut at the first digit (``梅陇镇莲花路123弄5号`` → ``梅陇镇莲花路``):
the road, estate or village, not the door. Words are runs of 2 to 4 Chinese characters
found in the orders' content, counted once per order; runs cut from one repeated phrase
are joined back into it (no word segmenter needed), and words every order has are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tickets.categories import CategoryTree

TOP = 15
MIN_ORDERS = 3  # a word found in fewer orders is no topic
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_NUMBER_OR_SEPARATOR = re.compile(r"[0-9０-９#\-－—(（,，]")
_STOP = (
    "市民 来电 反映 表示 希望 要求 问题 情况 现在 已经 这个 那个 一个 没有 可以 进行 相关 部门 "
    "我们 他们 你们 自己 因为 所以 但是 如果 请求 诉求 处理 解决 帮助 工作 时候 目前 一直 "
    "不能 不是 还是 就是 什么 怎么 这里 那里 小区 居民 咨询 投诉 建议 求助 号楼 多次 之前 "
    "物业 热线 联系 电话 能否 是否 以及 由于 导致 出现 存在 造成"
)
STOP_WORDS = frozenset(_STOP.split(" "))


@dataclass(frozen=True, slots=True)
class TopicOrder:
    line: str
    category: str | None
    address: str | None
    content: str | None


def place_of(address: str | None) -> str | None:
    if not address:
        return None
    cut = _NUMBER_OR_SEPARATOR.search(address)
    place = (address[: cut.start()] if cut else address).strip()
    return place or None


def words_of(content: str | None) -> set[str]:
    """Every 2- to 4-character run of Chinese in the text, once."""
    found: set[str] = set()
    for run in _CJK_RUN.findall(content or ""):
        for size in (2, 3, 4):
            for start in range(len(run) - size + 1):
                word = run[start : start + size]
                if word not in STOP_WORDS:
                    found.add(word)
    return found


def _trend(count: int, previous: int) -> dict[str, Any]:
    change = None if previous == 0 else round((count - previous) / previous, 4)
    return {"count": count, "previous": previous, "change": change}


def _ranked(now: Counter[str], before: Counter[str], top: int = TOP) -> list[dict[str, Any]]:
    return [
        {"key": key, **_trend(count, before.get(key, 0))}
        for key, count in sorted(now.items(), key=lambda item: (-item[1], item[0]))[:top]
    ]


def _word_counts(orders: Sequence[TopicOrder]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for order in orders:
        counts.update(words_of(order.content))
    return counts


MAX_PHRASE = 12


def _joined(kept: str, word: str) -> str | None:
    """``kept`` grown by ``word`` when they are cut from one phrase: one inside the other,
    or the end of one is the start of the other (小区停水 + 停水三天 → 小区停水三天)."""
    if word in kept:
        return kept
    if kept in word:
        return word
    for size in range(min(len(word), len(kept)) - 1, 0, -1):
        if kept.endswith(word[:size]):
            return kept + word[size:]
        if word.endswith(kept[:size]):
            return word + kept[size:]
    return None


def _keep(kept: dict[str, int], word: str, count: int) -> None:
    """Add ``word`` to ``kept``, joined with every kept word of its phrase."""
    for other, n in list(kept.items()):
        joined = _joined(other, word) if count >= 0.8 * n else None
        if joined is not None and len(joined) <= MAX_PHRASE:
            del kept[other]
            _keep(kept, joined, max(n, count))
            return
    kept[word] = count


def _recurring(counts: Counter[str], total: int) -> Counter[str]:
    """Words in at least MIN_ORDERS orders and not in (nearly) all. Runs cut from one
    repeated phrase (found in about as many orders: 80 %) are joined back into it, up to
    MAX_PHRASE characters."""
    common = [
        (word, n)
        for word, n in counts.items()
        if n >= MIN_ORDERS and (total < 10 or n < 0.9 * total)
    ]
    kept: dict[str, int] = {}
    for word, count in sorted(common, key=lambda item: (-item[1], -len(item[0]), item[0])):
        _keep(kept, word, count)
    return Counter(kept)


def hot_topics(
    orders: Sequence[TopicOrder],
    previous: Sequence[TopicOrder],
    categories: CategoryTree | None = None,
) -> dict[str, Any]:
    """Categories (full code and top level), places and words of ``orders``, each with the
    count in ``previous`` (the period before) and the change."""
    words_now = _recurring(_word_counts(orders), len(orders))
    words_before = Counter(
        {word: sum(1 for o in previous if word in (o.content or "")) for word in words_now}
    )
    return {
        "orders": len(orders),
        "previous_orders": len(previous),
        "categories": _with_labels(
            _ranked(_categories(orders), _categories(previous)), orders, categories
        ),
        "top_categories": _with_labels(
            _ranked(_categories(orders, top=True), _categories(previous, top=True)),
            orders,
            categories,
        ),
        "places": _ranked(_places(orders), _places(previous)),
        "words": _ranked(words_now, words_before),
    }


def _categories(orders: Iterable[TopicOrder], *, top: bool = False) -> Counter[str]:
    return Counter(
        (order.category.split(".")[0] if top else order.category)
        for order in orders
        if order.category
    )


def _places(orders: Iterable[TopicOrder]) -> Counter[str]:
    return Counter(place for order in orders if (place := place_of(order.address)))


def _with_labels(
    ranked: list[dict[str, Any]], orders: Sequence[TopicOrder], categories: CategoryTree | None
) -> list[dict[str, Any]]:
    lines: dict[str, str] = {}
    for order in orders:
        if order.category:
            lines[order.category] = lines[order.category.split(".")[0]] = order.line
    for item in ranked:
        found = None
        if categories is not None and item["key"] in lines:
            found = categories.find(lines[item["key"]], item["key"])
        item["label"] = found.label if found is not None else item["key"]
    return ranked
