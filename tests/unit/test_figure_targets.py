"""The contract's targets for the 15-second answer rate and the connection rate, and the
wallboard's figures of today and of the last 30 minutes measured against them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from acd.figures import FigureRules, compute_figures, meets_targets, targets
from acd.links import AmiDialer
from acd.live import LocalHub
from acd.rules import RoutingRules
from acd.service import CallCentre
from telephony.clock import FakeClock
from tickets.orders import make_order_number
from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackTask,
    CallRecord,
    SeatStateInterval,
    WorkOrderDraft,
)
from web.settings import SettingsError, load_settings

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai: the day began 12 h ago


def call(queued: datetime, wait: float, answered: bool = True, n: int = 0) -> CallRecord:
    """An inbound call queued at ``queued``: answered after ``wait`` s and talked 60 s, or
    abandoned after ``wait`` s."""
    answered_at = queued + timedelta(seconds=wait) if answered else None
    ended = (answered_at or queued + timedelta(seconds=wait)) + timedelta(
        seconds=60 if answered else 0
    )
    return CallRecord(
        server="pbx1",
        call_id=f"c{queued.timestamp():.0f}-{n}",
        linked_id=f"c{queued.timestamp():.0f}-{n}",
        line="12345",
        caller_number=f"1380013{n:04d}",
        queued_at=queued,
        answered_at=answered_at,
        ended_at=ended,
        seat="8001" if answered else None,
        outcome="answered" if answered else "abandoned",
    )


def test_a_rate_equal_to_its_target_meets_it() -> None:
    # 10 offered: 9 answered within 15 s, 1 abandoned -> 90 % and 90 %
    records = [call(NOW - timedelta(minutes=n), wait=5, n=n) for n in range(9)]
    records.append(call(NOW - timedelta(minutes=20), wait=30, answered=False, n=99))
    figures = compute_figures(records)
    assert meets_targets(figures, FigureRules()) == {"answer_rate": True, "connection_rate": True}
    stricter = FigureRules(answer_rate_target=0.95, connection_rate_target=0.91)
    assert meets_targets(figures, stricter) == {"answer_rate": False, "connection_rate": False}


def test_the_two_rates_are_measured_against_their_own_targets() -> None:
    # every call answered (connection 100 %), but 3 of 4 after 15 s (15-second rate 25 %)
    records = [call(NOW - timedelta(minutes=n), wait=40, n=n) for n in range(3)]
    records.append(call(NOW - timedelta(minutes=5), wait=15, n=5))  # 15 s counts as in time
    figures = compute_figures(records)
    assert figures.answer_rate_in_target == pytest.approx(0.25)
    assert meets_targets(figures, FigureRules()) == {"answer_rate": False, "connection_rate": True}


def test_no_call_offered_is_neither_good_nor_bad() -> None:
    assert meets_targets(compute_figures([]), FigureRules()) == {
        "answer_rate": None,
        "connection_rate": None,
    }


@pytest.mark.parametrize("bad", [0, 0.0, 1.01, -0.5, True, "0.9"])
def test_a_target_is_a_share_above_zero_and_at_most_one(bad: object) -> None:
    with pytest.raises(ValueError, match="answer_rate_target"):
        FigureRules(answer_rate_target=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="connection_rate_target"):
        FigureRules(connection_rate_target=bad)  # type: ignore[arg-type]


def test_the_targets_come_from_the_figures_table_of_the_settings(tmp_path: Path) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text(
        'database_url = "sqlite:///x.db"\n'
        f'recordings_dir = "{tmp_path / "rec"}"\n'
        "[[asterisk]]\n"
        'url = "ami://u:p@127.0.0.1:5038"\n'
        "[[seats]]\n"
        'id = "8001"\n'
        "[figures]\n"
        "answer_rate_target = 0.92\n"
        "connection_rate_target = 0.95\n",
        encoding="utf-8",
    )
    settings = load_settings(config, {})
    assert targets(settings.figures) == {
        "answer_seconds": 15.0,
        "answer_rate": 0.92,
        "connection_rate": 0.95,
    }
    config.write_text(
        config.read_text(encoding="utf-8").replace("0.95", "95"),
        encoding="utf-8",
    )
    with pytest.raises(SettingsError, match="connection_rate_target"):
        load_settings(config, {})


class KeptRecords:
    """Where the centre sends records to be stored: kept in lists, for the test to read."""

    def __init__(self) -> None:
        self.calls: list[CallRecord] = []

    def submit_call(self, record: CallRecord) -> None:
        self.calls.append(record)

    def submit_seat_state(self, interval: SeatStateInterval) -> None:
        return None

    def submit_order(self, draft: WorkOrderDraft) -> None:
        return None

    def submit_agent_session(self, session: AgentSession) -> None:
        return None

    def submit_callback_task(self, task: CallbackTask) -> None:
        return None

    def submit_audit(self, entry: AuditEntry) -> None:
        return None


def centre_at(now: datetime, rules: FigureRules) -> CallCentre:
    return CallCentre(
        clock=FakeClock(now.timestamp()),
        dialer=AmiDialer(),
        routing=RoutingRules(),
        routed_servers=["pbx1"],
        sink=KeptRecords(),
        hub=LocalHub(),
        figure_rules=rules,
        zone=ZoneInfo("Asia/Shanghai"),
        order_number=make_order_number,
    )


def test_the_stats_view_measures_today_and_the_last_30_minutes_against_the_targets() -> None:
    # the morning: 10 calls, all answered in 5 s; the last 30 minutes: 2 answered late,
    # 1 answered in time, 1 abandoned
    morning = [call(NOW - timedelta(hours=3, minutes=n), wait=5, n=n) for n in range(10)]
    recent = [
        call(NOW - timedelta(minutes=30), wait=40, n=20),  # exactly 30 minutes ago: in
        call(NOW - timedelta(minutes=10), wait=25, n=21),
        call(NOW - timedelta(minutes=5), wait=3, n=22),
        call(NOW - timedelta(minutes=2), wait=20, answered=False, n=23),
    ]
    just_before = call(NOW - timedelta(minutes=30, seconds=1), wait=50, answered=False, n=30)
    centre = centre_at(NOW, FigureRules(connection_rate_target=0.8))
    try:
        centre.restore([*morning, just_before, *recent])
        stats = centre.stats_view()
    finally:
        centre.close()
    last_30 = stats["last_30_minutes"]
    assert (last_30["offered"], last_30["answered"], last_30["answered_in_target"]) == (4, 3, 1)
    assert last_30["answer_rate_in_target"] == pytest.approx(0.25)
    assert last_30["connection_rate"] == pytest.approx(0.75)
    today = stats["today"]
    assert (today["offered"], today["answered"], today["answered_in_target"]) == (15, 13, 11)
    assert stats["targets"] == {"answer_seconds": 15.0, "answer_rate": 0.9, "connection_rate": 0.8}
    assert stats["targets_met"] == {
        "today": {"answer_rate": False, "connection_rate": True},  # 11/15 = 73 %, 13/15 = 87 %
        "last_30_minutes": {"answer_rate": False, "connection_rate": False},
    }
