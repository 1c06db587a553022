"""Caller data leaves the order views masked unless the reader may see it."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.orders_kit import RULES
from tickets.models import WorkOrderRow
from tickets.order_views import order_summary
from tickets.privacy import mask_name, mask_number


def test_numbers_keep_the_first_three_and_last_four_digits() -> None:
    assert mask_number("13812341234") == "138****1234"
    assert mask_number("+8613812341234") == "+86****1234"
    assert mask_number("6221234") == "***1234"
    assert mask_number("110") == "***"


def test_names_keep_the_family_name() -> None:
    assert (mask_name("何永胜"), mask_name("王"), mask_name("")) == ("何**", "王", "")


def _order(confidential: bool) -> WorkOrderRow:
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    return WorkOrderRow(
        number="12345-20261123-W0000001",
        line="12345",
        caller_number="13812341234",
        caller_name="何永胜",
        status="accepted",
        channel="web",
        created_at=at,
        updated_at=at,
        confidential=confidential,
        handled_directly=False,
        escalation="",
    )


def test_a_summary_masks_the_caller_unless_revealed_and_hides_a_confidential_one() -> None:
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    masked = order_summary(_order(False), RULES, now, reveal=False)
    shown = order_summary(_order(False), RULES, now, reveal=True)
    secret = order_summary(_order(True), RULES, now, reveal=False)
    assert (masked["caller_number"], masked["caller_name"]) == ("138****1234", "何**")
    assert (shown["caller_number"], shown["caller_name"]) == ("13812341234", "何永胜")
    assert (secret["caller_number"], secret["caller_name"]) == ("（保密）", "")
