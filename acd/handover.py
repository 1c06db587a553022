"""Seats that survive a change of routing instance: agents, pauses, temporary seats.

Facts from Asterisk reach every instance, so every instance's seats ring, talk
and wrap up alike; what people ask for (sign in, pause with a reason, ready, a
temporary seat) reaches only the instance they asked. ``SeatHandover`` keeps the
leader's seats in Redis (``<prefix>lead:seats:<server>``, one JSON field per
seat), written only while the lease is ours, and makes the next leader adopt
them before it routes: a paused seat stays paused with its reason, a signed-in
agent stays signed in.

The live snapshot ``<prefix>seats`` of ``RedisHub`` is not used for this: every
instance writes it, so a standby that never heard of a pause can overwrite the
leader's paused seat with its own ready one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from acd.desk import SeatSpec
from acd.lease import REDIS_ERRORS, RedisGate, raise_if_cancelled
from acd.seats import Seat, SeatError
from acd.service import CallCentre
from acd.tasks import end_tasks
from tickets.records import SeatStateInterval

log = logging.getLogger(__name__)

KEPT_SEATS = "lead:seats"
HANDOVER = "handover"  # who signs an agent out when the previous leader had signed them out


def kept_view(seat: Seat) -> dict[str, Any]:
    return {
        "state": seat.state,
        "reason": seat.reason,
        "agent": seat.agent,
        "agent_name": seat.agent_name,
        "pause_after_call": seat.pause_after_call,
        "sign_out_after_call": seat.sign_out_after_call,
        "lines": sorted(seat.lines),
        "skills": sorted(seat.skills),
        "name": seat.name,
        "temporary": seat.temporary,
    }


class SeatHandover:
    def __init__(self, gate: RedisGate, centre: CallCentre) -> None:
        self.gate = gate
        self.centre = centre
        self._pending: dict[str, dict[str, str]] = {}  # server -> seat -> kept view
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        centre.board.subscribe(self._seat_changed)
        centre.board.subscribe_sessions(lambda seat, session: self._seat_changed(seat))
        gate.subscribe(self._lease_changed)
        gate.before_leading(self.adopt)

    # -- taking over --------------------------------------------------------------------

    async def adopt(self, server: str) -> None:
        """Take over the seats the previous leader of ``server`` kept."""
        try:
            raw = await self.gate.read_fields(server, KEPT_SEATS)
        except REDIS_ERRORS as exc:
            raise_if_cancelled(exc)
            log.error("seats of %s not read (%s): they stay as seen here", server, exc)
            return
        kept = {seat_id: json.loads(view) for seat_id, view in sorted(raw.items())}
        for seat_id, view in kept.items():
            closed = view.get("state") == "offline" and view.get("reason") == "closed"
            if self.centre.board.find(seat_id) is None and view.get("temporary") and not closed:
                self._attempt(seat_id, "open", partial(self._open, server, seat_id, view))
        # Sign-outs before sign-ins: an agent may have moved to another seat.
        for step in (self._sign_out, self._sign_in, self._pause_or_ready):
            for seat_id, view in kept.items():
                seat = self.centre.board.find(seat_id)
                if seat is not None and seat.server == server:
                    step(seat, view)

    def _open(self, server: str, seat_id: str, view: dict[str, Any]) -> None:
        spec = SeatSpec(
            seat_id,
            server,
            frozenset(view.get("lines", ())),
            frozenset(view.get("skills", ())),
            str(view.get("name", "")),
            temporary=True,
        )
        self.centre.desk.open_seat(spec)

    def _sign_out(self, seat: Seat, view: dict[str, Any]) -> None:
        desk = self.centre.desk
        if seat.agent is not None and seat.agent != view.get("agent"):
            self._attempt(seat.seat_id, "sign-out", lambda: desk.sign_out(seat.seat_id, HANDOVER))
        elif seat.agent is not None and view.get("sign_out_after_call") and seat.busy:
            by = str(view["sign_out_after_call"])
            self._attempt(seat.seat_id, "sign-out", lambda: desk.sign_out(seat.seat_id, by))

    def _sign_in(self, seat: Seat, view: dict[str, Any]) -> None:
        agent, name = view.get("agent"), str(view.get("agent_name") or "")
        if agent and seat.agent is None:
            desk = self.centre.desk
            self._attempt(seat.seat_id, "sign-in", lambda: desk.sign_in(seat.seat_id, agent, name))

    def _pause_or_ready(self, seat: Seat, view: dict[str, Any]) -> None:
        desk, state = self.centre.desk, view.get("state")
        reason, later = str(view.get("reason") or ""), view.get("pause_after_call")
        if seat.agent is None:
            return
        if state == "paused" and seat.state != "paused" and reason:
            self._attempt(seat.seat_id, "pause", lambda: desk.pause(seat.seat_id, reason))
        elif later and (seat.busy or seat.state == "wrapup") and seat.pause_after_call is None:
            self._attempt(seat.seat_id, "pause", lambda: desk.pause(seat.seat_id, str(later)))
        elif state == "ready" and seat.state == "paused":
            self._attempt(seat.seat_id, "ready", lambda: desk.make_ready(seat.seat_id))

    @staticmethod
    def _attempt(seat_id: str, what: str, step: Callable[[], object]) -> None:
        try:
            step()
        except (SeatError, ValueError) as exc:
            log.warning("seat %s: %s of the previous leader not taken over: %s", seat_id, what, exc)
            return
        log.info("seat %s: %s taken over from the previous leader", seat_id, what)

    # -- keeping ------------------------------------------------------------------------

    def _seat_changed(
        self,
        seat: Seat,
        closed: SeatStateInterval | None = None,
        opened: SeatStateInterval | None = None,
    ) -> None:
        if self.gate.holds(seat.server):
            self._keep(seat)

    def _lease_changed(self, server: str, held: bool) -> None:
        if held:  # from now on this instance's seats are the ones to keep
            for seat in self.centre.board.all():
                if seat.server == server:
                    self._keep(seat)

    def _keep(self, seat: Seat) -> None:
        view = json.dumps(kept_view(seat), ensure_ascii=False)
        self._pending.setdefault(seat.server, {})[seat.seat_id] = view
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._write_loop())

    async def stop(self) -> None:
        if self._task is not None:
            await end_tasks([self._task])
            self._task = None

    async def _write_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            pending, self._pending = self._pending, {}
            for server, fields in pending.items():
                if await self.gate.keep_fields(server, KEPT_SEATS, fields):
                    continue
                if self.gate.holds(server):  # Redis away for a moment: try again later
                    for seat_id, view in fields.items():
                        self._pending.setdefault(server, {}).setdefault(seat_id, view)
                    self._wake.set()
                    await self.gate.clock.sleep(self.gate.rules.renew_every)
