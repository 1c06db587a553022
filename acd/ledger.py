"""Call facts -> call records: the one fold that every stored call row comes from.

``CallLedger.apply`` takes the facts of all Asterisk servers in arrival order and
returns the new snapshot of the call a fact changed (or None). The same fold
serves the running service, ``hotline ami replay`` and the tests, so a call is
measured the same way wherever it is looked at.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from telephony.facts import (
    CHANNEL_GONE,
    CallAnswered,
    CallbackPlaced,
    CallbackUnanswered,
    CallEnded,
    CallerKeptPlace,
    CallerLeftQueue,
    CallerWaiting,
    Fact,
    RecordingStarted,
    RecordingStopped,
    SeatMissed,
    SeatRinging,
    SurveyScored,
    TalkEnded,
)
from tickets.records import RINGING, CallRecord, Outcome, SeatAttempt

# CallerLeftQueue reasons from app_queue's QUEUESTATUS
_NO_SEAT_REASONS = ("JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL", "LEAVEUNAVAIL", "FULL")


KEPT_PLACE = "KEPT_PLACE"  # CallRecord.queue_result of a caller who asked to be called back


def outcome_of(record: CallRecord, cause_text: str) -> Outcome:
    if record.answered_at is not None:
        return "answered"
    if record.queue_result == KEPT_PLACE:
        return "kept_place"
    if cause_text == CHANNEL_GONE:
        return "lost"
    if record.queue_result in _NO_SEAT_REASONS:
        return "no_seat"
    if record.queue_result == "TIMEOUT":
        return "timeout"
    return "abandoned"


def version_at(at: datetime) -> int:
    """Versions grow with time (µs), so a service restarted with an empty ledger still
    writes snapshots newer than the ones stored before it stopped."""
    return int(at.timestamp() * 1_000_000)


def _bump(record: CallRecord, at: datetime, **changes: Any) -> CallRecord:
    version = max(record.version + 1, version_at(at))
    return dataclasses.replace(record, version=version, **changes)


def _close_attempt(record: CallRecord, seat: str, at: datetime, result: str) -> CallRecord:
    attempts = list(record.attempts)
    for index in range(len(attempts) - 1, -1, -1):
        attempt = attempts[index]
        if attempt.seat == seat and attempt.result == RINGING:
            attempts[index] = dataclasses.replace(attempt, ended_at=at, result=result)
            return _bump(record, at, attempts=tuple(attempts))
    attempts.append(SeatAttempt(seat=seat, rang_at=at, ended_at=at, result=result))
    return _bump(record, at, attempts=tuple(attempts))


class CallLedger:
    """Live calls of every server; ended calls are handed out and forgotten."""

    def __init__(self) -> None:
        self.live: dict[tuple[str, str], CallRecord] = {}

    def apply(self, fact: Fact) -> CallRecord | None:
        handler = _HANDLERS.get(type(fact))
        if handler is None or not isinstance(fact, _CALL_FACTS):
            return None
        key = (fact.server, fact.call_id)
        current = self.live.get(key)
        if current is None and not isinstance(fact, (CallerWaiting, CallbackPlaced)):
            return None
        updated = handler(current, fact)
        if updated is current:
            return None
        if updated.ended_at is None:
            self.live[key] = updated
        else:
            self.live.pop(key, None)
        return updated

    def apply_all(self, facts: Iterable[Fact]) -> list[CallRecord]:
        return [record for fact in facts if (record := self.apply(fact)) is not None]

    def restore(self, records: Iterable[CallRecord]) -> None:
        """Take back calls that were live when the service stopped (read from the database)."""
        for record in records:
            if record.ended_at is None:
                self.live[record.key] = record

    def live_calls(self, server: str) -> list[CallRecord]:
        return [record for key, record in self.live.items() if key[0] == server]


def on_waiting(record: CallRecord | None, fact: CallerWaiting) -> CallRecord:
    if record is None:
        return CallRecord(
            server=fact.server,
            call_id=fact.call_id,
            linked_id=fact.linked_id,
            line=fact.line,
            caller_number=fact.caller_number,
            caller_name=fact.caller_name,
            channel=fact.channel,
            style=fact.style,
            queued_at=fact.at,
            skill=fact.skill,
            emergency=fact.emergency,
            priority=fact.priority,
            version=version_at(fact.at),
        )
    return record  # back on hold after a seat missed: the caller keeps the original queue time


def on_ringing(record: CallRecord, fact: SeatRinging) -> CallRecord:
    attempt = SeatAttempt(seat=fact.seat, rang_at=fact.at)
    return _bump(record, fact.at, attempts=(*record.attempts, attempt))


def on_answered(record: CallRecord, fact: CallAnswered) -> CallRecord:
    if record.answered_at is not None:
        return record  # a resync after a reconnect says it again; the first answer stands
    if record.direction == "callback":
        # the citizen took the callback; the agent is the one signed in at the calling seat
        return _bump(record, fact.at, answered_at=fact.at, agent=fact.agent or record.agent)
    record = _close_attempt(record, fact.seat, fact.at, "ANSWER")
    return _bump(record, fact.at, answered_at=fact.at, seat=fact.seat, agent=fact.agent)


def on_missed(record: CallRecord, fact: SeatMissed) -> CallRecord:
    return _close_attempt(record, fact.seat, fact.at, fact.status)


def on_talk_ended(record: CallRecord, fact: TalkEnded) -> CallRecord:
    return _bump(record, fact.at, talk_ended_at=fact.at)


def on_left_queue(record: CallRecord, fact: CallerLeftQueue) -> CallRecord:
    return _bump(record, fact.at, queue_result=fact.reason)


def on_recording_started(record: CallRecord, fact: RecordingStarted) -> CallRecord:
    return _bump(record, fact.at, recording_path=fact.path, recording_started_at=fact.at)


def on_recording_stopped(record: CallRecord, fact: RecordingStopped) -> CallRecord:
    return _bump(record, fact.at, recording_path=fact.path, recording_stopped_at=fact.at)


def on_survey(record: CallRecord, fact: SurveyScored) -> CallRecord:
    return _bump(record, fact.at, survey_score=fact.score)


def on_kept_place(record: CallRecord, fact: CallerKeptPlace) -> CallRecord:
    return _bump(record, fact.at, queue_result=KEPT_PLACE)


def on_callback_placed(record: CallRecord | None, fact: CallbackPlaced) -> CallRecord:
    """An outbound callback is a call of its own, pointing to the call it returns."""
    if record is not None:
        return record
    return CallRecord(
        server=fact.server,
        call_id=fact.call_id,
        linked_id=fact.linked_id,
        line=fact.line,
        caller_number=fact.number,
        channel=fact.channel,
        style="callback",
        direction="callback",
        callback_of=fact.callback_of or None,
        queued_at=fact.at,
        seat=fact.seat,
        version=version_at(fact.at),
    )


def on_callback_unanswered(record: CallRecord, fact: CallbackUnanswered) -> CallRecord:
    return _bump(record, fact.at, queue_result=fact.status)


def on_ended(record: CallRecord, fact: CallEnded) -> CallRecord:
    open_attempts = [a for a in record.attempts if a.result == RINGING]
    for attempt in open_attempts:
        record = _close_attempt(record, attempt.seat, fact.at, "CANCEL")
    return _bump(
        record,
        fact.at,
        ended_at=fact.at,
        end_cause=fact.cause,
        end_cause_text=fact.cause_text,
        outcome=outcome_of(record, fact.cause_text),
    )


_CALL_FACTS = (
    CallerWaiting,
    CallerKeptPlace,
    CallbackPlaced,
    CallbackUnanswered,
    SeatRinging,
    CallAnswered,
    SeatMissed,
    TalkEnded,
    CallerLeftQueue,
    RecordingStarted,
    RecordingStopped,
    SurveyScored,
    CallEnded,
)

_HANDLERS: dict[type, Callable[..., CallRecord]] = {
    CallerWaiting: on_waiting,
    CallerKeptPlace: on_kept_place,
    CallbackPlaced: on_callback_placed,
    CallbackUnanswered: on_callback_unanswered,
    SeatRinging: on_ringing,
    CallAnswered: on_answered,
    SeatMissed: on_missed,
    TalkEnded: on_talk_ended,
    CallerLeftQueue: on_left_queue,
    RecordingStarted: on_recording_started,
    RecordingStopped: on_recording_stopped,
    SurveyScored: on_survey,
    CallEnded: on_ended,
}
