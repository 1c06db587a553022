"""What the mapping stores of a record: audit entries checked before they are queued, text
PostgreSQL cannot hold, the stored open/closed mark of callback tasks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tickets.mapping import audit_values, callback_task_values, check_audit_entry
from tickets.records import AuditEntry, CallbackStatus, CallbackTask

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ENTRY = AuditEntry("e1", T0, "supervisor1", "seat.force_pause", "seat:8001", {"reason": "培训"})


def test_a_well_formed_audit_entry_passes() -> None:
    check_audit_entry(ENTRY)
    check_audit_entry(dataclasses.replace(ENTRY, at=T0.astimezone(timezone(timedelta(hours=8)))))


@pytest.mark.parametrize(
    "change",
    [
        {"at": datetime(2026, 11, 23, 8, 0)},  # naive
        {"details": {"seconds": 12}},
        {"details": {1: "one"}},
        {"actor": None},
        {"source": b"10.0.0.7"},
    ],
)
def test_an_audit_entry_the_database_could_not_keep_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="audit entry 'e1'"):
        check_audit_entry(dataclasses.replace(ENTRY, **change))  # type: ignore[arg-type]


def test_a_nul_in_audit_text_gets_a_stand_in() -> None:
    values = audit_values(dataclasses.replace(ENTRY, actor="a\x00b", details={"k\x00": "\x00"}))
    assert (values["actor"], values["details"]) == ("a\ufffdb", {"k\ufffd": "\ufffd"})


@pytest.mark.parametrize(
    ("status", "closed"),
    [
        ("pending", False),
        ("calling", False),
        ("reached", True),
        ("unreachable", True),
        ("not_needed", True),
        ("cancelled", True),
    ],
)
def test_a_task_is_stored_closed_once_it_leaves_pending_and_calling(
    status: CallbackStatus, closed: bool
) -> None:
    task = CallbackTask(
        "pbx1/c1", "pbx1", "c1", "12345", "138", "abandoned", T0, T0 + timedelta(hours=2)
    )
    assert callback_task_values(dataclasses.replace(task, status=status))["closed"] is closed
