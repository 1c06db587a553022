"""What the wallboard and the API show of seats, waiting callers and calls (JSON-ready).

Caller numbers are masked (138****8000) in everything broadcast to pages; only
the call search API returns them whole.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acd.figures import Figures, SeatFigures
from acd.routing import WaitingCaller
from acd.seats import Seat
from tickets.privacy import mask_number
from tickets.records import CallRecord


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def seat_view(seat: Seat) -> dict[str, Any]:
    return {
        "seat": seat.seat_id,
        "name": seat.name or seat.seat_id,
        "server": seat.server,
        "lines": sorted(seat.lines),
        "skills": sorted(seat.skills),
        "temporary": seat.temporary,
        "agent": seat.agent,
        "agent_name": seat.agent_name,
        "state": seat.state,
        "since": _iso(seat.state_since),
        "reason": seat.reason,
        "call_id": seat.call[1] if seat.call else None,
        "consecutive_misses": seat.consecutive_misses,
        "answered_today": seat.answered_today,
        "wrapup_ends_at": _iso(seat.wrapup_ends_at),
        "wrapup_extended": seat.wrapup_extended,
        "pause_after_call": seat.pause_after_call,
        "sign_out_after_call": seat.sign_out_after_call,
        "close_after_call": seat.close_after_call,
    }


def waiting_view(caller: WaitingCaller, now: datetime) -> dict[str, Any]:
    return {
        "server": caller.server,
        "call_id": caller.call_id,
        "line": caller.line,
        "caller": mask_number(caller.caller_number),
        "queued_at": _iso(caller.queued_at),
        "wait_seconds": round(max(0.0, (now - caller.queued_at).total_seconds()), 1),
        "priority": caller.priority,
        "skill": caller.skill,
        "emergency": caller.emergency,
        "repeat": caller.repeat,
        "kept_place": caller.kept_place,
        "preferred_agent": caller.preferred_agent,
        "offered_to": caller.offered_to,
    }


def call_view(record: CallRecord, mask: bool = True) -> dict[str, Any]:
    return {
        "server": record.server,
        "call_id": record.call_id,
        "linked_id": record.linked_id,
        "line": record.line,
        "caller_number": mask_number(record.caller_number) if mask else record.caller_number,
        "caller_name": "" if mask else record.caller_name,
        "style": record.style,
        "direction": record.direction,
        "callback_of": record.callback_of,
        "skill": record.skill,
        "priority": record.priority,
        "emergency": record.emergency,
        "agent": record.agent,
        "queued_at": _iso(record.queued_at),
        "answered_at": _iso(record.answered_at),
        "ended_at": _iso(record.ended_at),
        "seat": record.seat,
        "outcome": record.outcome,
        "wait_seconds": _round(record.wait_seconds),
        "talk_seconds": _round(record.talk_seconds),
        "end_cause": record.end_cause,
        "recording_path": record.recording_path,
        "survey_score": record.survey_score,
        "attempts": [
            {
                "seat": a.seat,
                "rang_at": _iso(a.rang_at),
                "ended_at": _iso(a.ended_at),
                "result": a.result,
            }
            for a in record.attempts
        ],
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def figures_view(figures: Figures) -> dict[str, Any]:
    return {
        "offered": figures.offered,
        "answered": figures.answered,
        "answered_in_target": figures.answered_in_target,
        "abandoned": figures.abandoned,
        "short_abandoned": figures.short_abandoned,
        "timeout": figures.timeout,
        "no_seat": figures.no_seat,
        "lost": figures.lost,
        "kept_place": figures.kept_place,
        "callbacks_reached": figures.callbacks_reached,
        "connected": figures.connected,
        "answer_rate_in_target": _rate(figures.answer_rate_in_target),
        "connection_rate": _rate(figures.connection_rate),
        "abandonment_rate": _rate(figures.abandonment_rate),
        "asa_seconds": _round(figures.asa),
        "average_talk_seconds": _round(figures.average_talk),
        "longest_wait_answered_seconds": _round(figures.longest_wait_answered),
        "rated": figures.rated,
        "satisfied": figures.satisfied,
        "basically_satisfied": figures.basically_satisfied,
        "per_seat": [seat_figures_view(s) for s in figures.per_seat],
    }


def seat_figures_view(seat: SeatFigures) -> dict[str, Any]:
    return {
        "seat": seat.seat,
        "answered": seat.answered,
        "missed": seat.missed,
        "talk_seconds": round(seat.talk_seconds, 1),
        "average_talk_seconds": _round(seat.average_talk),
    }
