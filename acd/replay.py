"""Replay of a recorded AMI transcript through the real parser, fact maker and ledger.

``hotline ami replay FILE`` prints every fact as a JSON line, then one summary per
call. Sessions of the recording harness (logged in with ``Events: off``) are
skipped; backend sessions are taken one link at a time, as the service would
live them: a link that connects while another is open is ignored until that one
ends, and the ``CoreShowChannels`` list after a reconnect resyncs the calls.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from acd.ledger import CallLedger
from telephony.fact_maker import FactMaker
from telephony.facts import Fact, LinkDown, LinkUp
from telephony.transcript import Record, Transcript, read_transcript
from telephony.wire import FROM_CLIENT, AmiMessage, MessageReader, decode_message
from tickets.records import CallRecord


@dataclass
class _Session:
    reader: MessageReader = field(default_factory=MessageReader)
    harness: bool = False
    lists: dict[str, list[AmiMessage]] = field(default_factory=dict)  # CoreShowChannels by ActionID


@dataclass
class ReplayResult:
    facts: list[Fact]
    calls: list[CallRecord]


class TranscriptReplay:
    def __init__(self, transcript: Transcript, server: str = "replay") -> None:
        self.transcript = transcript
        self.server = server
        self.maker = FactMaker(server)
        self.ledger = CallLedger()
        self.calls: dict[tuple[str, str], CallRecord] = {}
        self._sessions: dict[int, _Session] = {}
        self._active: int | None = None
        self._last_uptime: int | None = None

    def facts(self) -> Iterator[Fact]:
        for record in self.transcript.records:
            session = self._sessions.setdefault(record.session, _Session())
            if record.direction == ">":
                self._note_action(session, record.payload)
                if session.harness and self._active == record.session:
                    self._active = None
            elif record.direction == "!":
                yield from self._note(record)
            elif not session.harness:
                yield from self._received(record, session)

    def run(self) -> ReplayResult:
        facts = list(self.facts())
        calls = sorted(self.calls.values(), key=lambda c: (c.queued_at, c.call_id))
        return ReplayResult(facts=facts, calls=calls)

    def _note_action(self, session: _Session, payload: bytes) -> None:
        action = decode_message(payload, kinds=FROM_CLIENT) or AmiMessage.of(_headers(payload))
        name = (action.get("Action") or "").lower()
        if name == "login" and (action.get("Events") or "").lower() == "off":
            session.harness = True
        if name == "coreshowchannels" and action.action_id:
            session.lists[action.action_id] = []

    def _note(self, record: Record) -> Iterator[Fact]:
        text = record.payload.decode("utf-8", errors="replace")
        if record.session != self._active:
            return
        if text.startswith(("eof", "abort")):
            self._active = None
            yield LinkDown(self.server, self.transcript.at(record.t), text.strip())

    def _received(self, record: Record, session: _Session) -> Iterator[Fact]:
        if self._active is None:
            self._active = record.session
        if record.session != self._active:
            return
        at = self.transcript.at(record.t)
        for message in session.reader.feed(record.payload):
            yield from self._message(message, session, at)

    def _message(self, message: AmiMessage, session: _Session, at: datetime) -> Iterator[Fact]:
        if message.event == "FullyBooted":
            yield self._link_up(message, at)
        facts = self._list_item(message, session, at)
        if facts is None:
            facts = self.maker.feed(message, at)
        for fact in facts:
            record = self.ledger.apply(fact)
            if record is not None:
                self.calls[record.key] = record
            yield fact

    def _list_item(self, message: AmiMessage, session: _Session, at: datetime) -> list[Fact] | None:
        items = session.lists.get(message.action_id or "")
        if items is None:
            return None
        if message.event == "CoreShowChannel":
            items.append(message)
            return []
        if message.event == "CoreShowChannelsComplete":
            del session.lists[message.action_id or ""]
            return self.maker.reconcile(items, at)
        return []

    def _link_up(self, message: AmiMessage, at: datetime) -> LinkUp:
        uptime = int(message.get("Uptime") or 0)
        restarted = self._last_uptime is not None and uptime < self._last_uptime
        self._last_uptime = uptime
        return LinkUp(self.server, at, uptime, restarted)


def _headers(payload: bytes) -> list[tuple[str, str]]:
    pairs = []
    for line in payload.decode("utf-8", errors="replace").splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            pairs.append((name, value))
    return pairs


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def fact_json(fact: Fact) -> dict[str, Any]:
    body: dict[str, Any] = _jsonable(fact)
    return {"type": "fact", "fact": type(fact).__name__, **body}


def call_summary(call: CallRecord) -> dict[str, Any]:
    return {
        "type": "call",
        "server": call.server,
        "call_id": call.call_id,
        "line": call.line,
        "caller_number": call.caller_number,
        "caller_name": call.caller_name,
        "style": call.style,
        "queued_at": _jsonable(call.queued_at),
        "answered_at": _jsonable(call.answered_at),
        "ended_at": _jsonable(call.ended_at),
        "seat": call.seat,
        "outcome": call.outcome if call.outcome is not None else "live",
        "wait_seconds": _round(call.wait_seconds),
        "talk_seconds": _round(call.talk_seconds),
        "recording_path": call.recording_path,
        "survey_score": call.survey_score,
        "attempts": [_jsonable(a) for a in call.attempts],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def replay_file(path: str | Path, server: str = "replay") -> Iterator[dict[str, Any]]:
    """The JSON objects ``hotline ami replay`` prints: facts, then call summaries."""
    replay = TranscriptReplay(read_transcript(path), server)
    for fact in replay.facts():
        yield fact_json(fact)
    for call in sorted(replay.calls.values(), key=lambda c: (c.queued_at, c.call_id)):
        yield call_summary(call)
