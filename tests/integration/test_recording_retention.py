"""Retention: recordings whose time has passed are listed (dry run) or removed with an entry
in the access log; a legal hold, or a work order in dispute, keeps them."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from recordings.models import RecordingAccessRow, RecordingRow
from recordings.retention import RetentionRules, hold, purge, release
from tests.integration.db_kit import T0, at
from tests.integration.recordings_kit import PipelineRig, add_stored, pipeline_rig
from tickets.models import WorkOrderRow
from tickets.order_models import OrderEventRow, OrderRevisitRow
from web.cli import main

AFTER = T0 + timedelta(days=181)  # past the 180 days of a call recording
PAST = T0 - timedelta(days=1)  # before the (real) today of the command line


def _order(number: str, call_id: str | None, **changes: object) -> WorkOrderRow:
    values: dict[str, object] = {
        "number": number,
        "server": "pbx1" if call_id else None,
        "call_id": call_id,
        "line": "12345",
        "caller_number": "13800000000",
        "status": "closed",
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(changes)
    return WorkOrderRow(**values)


async def _states(rig: PipelineRig) -> dict[str, str]:
    async with rig.sessions() as session:
        rows = await session.scalars(select(RecordingRow))
        return {row.call_id: row.state for row in rows}


async def _disputed_orders(rig: PipelineRig) -> None:
    """c-return: its order was returned by a unit; c-court: its order is in litigation;
    c-callback: the callback (回访) of an order where the citizen was unsatisfied."""
    async with rig.sessions() as session, session.begin():
        returned = _order("12345-20261123-AAAAAAAA", "c-return")
        court = _order("12345-20261123-BBBBBBBB", "c-court", not_counted="litigation")
        unhappy = _order("12345-20261123-CCCCCCCC", "c-other")
        session.add_all([returned, court, unhappy])
        await session.flush()
        event = OrderEventRow(order_id=returned.id, at=at(60), actor="unit", step="unit_return")
        event.to_status, event.note, event.details = "unit_returned", "", {}
        revisit = OrderRevisitRow(order_id=unhappy.id, attempt=1, placed_at=at(90), agent="1001")
        revisit.server, revisit.call_id, revisit.result = "pbx1", "c-callback", "unsatisfied"
        session.add_all([event, revisit])


async def test_a_dry_run_lists_what_is_due_and_removes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path, start=False) as rig:
        due = await add_stored(rig.sessions, rig.storage, "c-due")
        await add_stored(rig.sessions, rig.storage, "c-young", purge_after=AFTER + timedelta(1))
        listed = await purge(rig.sessions, rig.storage, AFTER, dry_run=True)
        states = await _states(rig)
    assert [(item.recording_id, item.call_id) for item in listed] == [(due.id, "c-due")]
    assert states == {"c-due": "stored", "c-young": "stored"}
    assert (tmp_path / "stored" / "2026/11/23/12345/c-due.opus").is_file()


async def test_purge_removes_the_file_marks_the_row_and_logs_the_purge(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path, start=False) as rig:
        due = await add_stored(rig.sessions, rig.storage, "c-due")
        await add_stored(rig.sessions, rig.storage, "c-young", purge_after=AFTER + timedelta(1))
        purged = await purge(rig.sessions, rig.storage, AFTER)
        again = await purge(rig.sessions, rig.storage, AFTER)
        async with rig.sessions() as session:
            row = await session.get(RecordingRow, due.id)
            (access,) = await session.scalars(select(RecordingAccessRow))
    assert [item.call_id for item in purged] == ["c-due"]
    assert again == []
    assert row is not None
    assert (row.state, row.purged_at) == ("purged", AFTER)
    assert not (tmp_path / "stored" / "2026/11/23/12345/c-due.opus").exists()
    assert (tmp_path / "stored" / "2026/11/23/12345/c-young.opus").is_file()
    assert (access.recording_id, access.action, access.actor, access.at) == (
        due.id,
        "purge",
        "retention",
        AFTER,
    )
    assert access.details["storage_key"] == "2026/11/23/12345/c-due.opus"


async def test_held_and_disputed_recordings_are_kept_past_their_time(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path, start=False) as rig:
        for call_id in ("c-held", "c-return", "c-court", "c-callback", "c-free"):
            await add_stored(rig.sessions, rig.storage, call_id)
        await _disputed_orders(rig)
        async with rig.sessions() as session, session.begin():
            held_id = await session.scalar(
                select(RecordingRow.id).where(RecordingRow.call_id == "c-held")
            )
            assert held_id is not None
            await hold(session, held_id, "supervisor1", "市民投诉复核", at(100))
        purged = await purge(rig.sessions, rig.storage, AFTER)
        states = await _states(rig)
    assert [item.call_id for item in purged] == ["c-free"]
    assert states == {
        "c-held": "stored",
        "c-return": "stored",
        "c-court": "stored",
        "c-callback": "stored",
        "c-free": "purged",
    }


async def test_a_released_hold_lets_retention_remove_it_and_both_are_logged(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path, start=False) as rig:
        row = await add_stored(rig.sessions, rig.storage, "c-held")
        async with rig.sessions() as session, session.begin():
            held = await hold(session, row.id, "supervisor1", "信访", at(100))
            assert (held.legal_hold, held.hold_reason) == (True, "信访")
        assert await purge(rig.sessions, rig.storage, AFTER) == []
        async with rig.sessions() as session, session.begin():
            await release(session, row.id, "supervisor1", "已结案", at(200))
        purged = await purge(rig.sessions, rig.storage, AFTER)
        async with rig.sessions() as session:
            log = await session.scalars(select(RecordingAccessRow).order_by(RecordingAccessRow.id))
            actions = [(entry.action, entry.actor, entry.reason) for entry in log]
    assert [item.call_id for item in purged] == ["c-held"]
    assert actions == [
        ("hold", "supervisor1", "信访"),
        ("release", "supervisor1", "已结案"),
        ("purge", "retention", ""),
    ]


def test_retention_days_follow_the_kind_and_a_line_of_its_own() -> None:
    rules = RetentionRules(call_days=180, callback_days=365, by_line=(("962121", "call", 730),))
    assert rules.days("12345", "call") == 180
    assert rules.days("12345", "callback") == 365
    assert rules.days("962121", "call") == 730
    assert rules.days("962121", "callback") == 365
    assert rules.purge_after("962121", "call", T0) == T0 + timedelta(days=730)


def test_the_purge_command_lists_on_a_dry_run(
    tmp_path: Path,
    sqlite_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def prepare() -> int:
        async with pipeline_rig(sqlite_url, tmp_path / "recordings", start=False) as rig:
            row = await add_stored(rig.sessions, rig.storage, "c-due", purge_after=PAST)
            return row.id

    recording_id = asyncio.run(prepare())
    monkeypatch.setenv("HOTLINE_AMI", "ami://u:p@127.0.0.1:5038?mode=observe")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("HOTLINE_RECORDINGS_DIR", str(tmp_path / "recordings"))
    assert main(["recordings", "purge", "--dry-run"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {
            "recording_id": recording_id,
            "server": "pbx1",
            "call_id": "c-due",
            "storage_key": "2026/11/23/12345/c-due.opus",
            "purge_after": PAST.isoformat(),
        },
        {"summary": {"would purge": 1}},
    ]
    assert (tmp_path / "recordings" / "stored" / "2026/11/23/12345/c-due.opus").is_file()
