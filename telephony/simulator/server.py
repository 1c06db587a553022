"""The AMI TCP server: sessions, framing, login state, event masks and ordered writes.

Each connection gets the banner, then its actions are read by one task and
run one at a time by another (as Asterisk runs one thread per session). A
response is written before any event the action caused (the captures: the
RequestBadFormat of an unknown action, the VarSet of a global Setvar come
right after the response). Every frame goes through one writer per session,
which applies the faults (split writes, frozen).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telephony.clock import Clock
from telephony.simulator.config import ReceivedAction
from telephony.simulator.events import EventBus
from telephony.simulator.faults import Faults
from telephony.wire import AmiMessage, MessageReader, encode_headers

log = logging.getLogger(__name__)

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
MAX_ACTION_BYTES = 64 * 1024
READ_CHUNK = 65536


@dataclass
class ActionResult:
    """What running one action gives: the frames to write, in order."""

    frames: list[bytes]
    executed: bool = True  # False: refused (not logged in, unknown) - it took no effect
    then_close: bool = False  # Logoff, a failed login: close after writing


ActionHandler = Callable[["Session", AmiMessage], Awaitable[ActionResult]]


@dataclass(eq=False)
class Session:
    number: int
    writer: asyncio.StreamWriter
    local_port: int
    remote_host: str
    remote_port: int
    started: float
    session_id: str = field(default_factory=lambda: f"0x{secrets.token_hex(6)}")
    authenticated: bool = False
    username: str = ""
    mask: frozenset[str] | None = None  # None: every class
    challenge: str | None = None
    closing: bool = False
    outgoing: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)
    holding: list[bytes] | None = None  # events raised while an action runs

    def wants(self, event_class: str) -> bool:
        return (
            self.authenticated
            and not self.closing
            and (self.mask is None or event_class in self.mask)
        )

    def deliver_event(self, data: bytes) -> None:
        if self.holding is not None:
            self.holding.append(data)
        else:
            self.send(data)

    def send(self, data: bytes) -> None:
        if not self.closing:
            self.outgoing.put_nowait(data)

    def close(self) -> None:
        """Write what is queued, then close (Logoff, failed login, shutdown)."""
        if not self.closing:
            self.outgoing.put_nowait(None)
            self.closing = True

    def abort(self) -> None:
        """Drop the TCP connection at once (no Logoff, nothing more written)."""
        self.closing = True
        self.writer.transport.abort()
        self.outgoing.put_nowait(None)


def response(message: AmiMessage, status: str, *headers: tuple[str, str]) -> bytes:
    """A response echoing the action's ActionID (only if it sent one)."""
    action_id = message.get("ActionID")
    lead = [("Response", status)] + ([("ActionID", action_id)] if action_id is not None else [])
    return encode_headers([*lead, *headers])


class AmiServer:
    def __init__(self, clock: Clock, bus: EventBus, faults: Faults, handler: ActionHandler) -> None:
        self.clock = clock
        self.bus = bus
        self.faults = faults
        self.handler = handler
        self.sessions: dict[int, Session] = {}
        self.actions_log: list[ReceivedAction] = []
        self.actions_read = 0  # actions read off the sockets so far (run or still queued)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._numbers = 0
        faults.injector = self.inject

    @property
    def port(self) -> int:
        if self._server is None or not self._server.sockets:
            raise RuntimeError("the simulated Asterisk is not listening")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.start_server(self._connected, host, port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions.values()):
            session.abort()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    def abort_all(self) -> None:
        for session in list(self.sessions.values()):
            session.abort()

    def close_all(self) -> None:
        for session in list(self.sessions.values()):
            session.close()

    def broadcast(self, data: bytes) -> None:
        for session in list(self.sessions.values()):
            if session.authenticated:
                session.send(data)

    def inject(self, raw: bytes) -> None:
        self.broadcast(raw)

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._numbers += 1
        local = writer.get_extra_info("sockname") or ("127.0.0.1", 0)
        remote = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        session = Session(
            self._numbers, writer, int(local[1]), str(remote[0]), int(remote[1]), self.clock.time()
        )
        self.sessions[session.number] = session
        self.bus.attach(session)
        inbox: asyncio.Queue[tuple[AmiMessage, float] | None] = asyncio.Queue()
        session.send(BANNER)
        self._spawn(self._write_loop(session), f"ami-writer-{session.number}")
        self._spawn(self._run_actions(session, inbox), f"ami-actions-{session.number}")
        try:
            await self._read_loop(session, reader, inbox)
        finally:
            inbox.put_nowait(None)

    async def _read_loop(
        self,
        session: Session,
        reader: asyncio.StreamReader,
        inbox: asyncio.Queue[tuple[AmiMessage, float] | None],
    ) -> None:
        framer = MessageReader(
            max_message_bytes=MAX_ACTION_BYTES, expect_banner=False, kinds=("Action", "ActionID")
        )
        while not session.closing:
            try:
                chunk = await reader.read(READ_CHUNK)
            except (ConnectionError, OSError):
                break
            if not chunk:
                break
            for message in framer.feed(chunk):
                self.actions_read += 1
                inbox.put_nowait((message, self.clock.time()))

    async def _run_actions(
        self, session: Session, inbox: asyncio.Queue[tuple[AmiMessage, float] | None]
    ) -> None:
        try:
            while (item := await inbox.get()) is not None:
                await self.faults.wait_thawed()
                if session.closing:
                    break
                await self._run_one(session, *item)
        finally:
            session.close()
            self._forget(session)

    async def _run_one(self, session: Session, message: AmiMessage, received_at: float) -> None:
        name = message.get("Action") or ""
        if self.faults.ignores(name):
            self.actions_log.append(ReceivedAction(session.number, message, received_at, False))
            return
        session.holding = []
        try:
            result = await self.handler(session, message)
        except Exception:
            log.exception("simulated Asterisk: action %s failed", name)
            result = ActionResult([response(message, "Error", ("Message", "Internal error"))])
        finally:
            held, session.holding = session.holding, None
        self.actions_log.append(
            ReceivedAction(session.number, message, received_at, result.executed)
        )
        if result.executed and self.faults.drops_response(name):
            session.abort()
            return
        for frame in result.frames:
            session.send(frame)
        for event in held or []:
            session.send(event)
        if result.then_close:
            session.close()

    async def _write_loop(self, session: Session) -> None:
        writer = session.writer
        try:
            while (data := await session.outgoing.get()) is not None:
                await self.faults.wait_thawed()
                await self._write(session, data)
            with contextlib.suppress(ConnectionError, OSError):
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            session.closing = True
            if not writer.transport.is_closing():
                writer.transport.close()
            self._forget(session)

    async def _write(self, session: Session, data: bytes) -> None:
        writer = session.writer
        chunk = self.faults.split_writes
        if chunk:
            for start in range(0, len(data), chunk):
                writer.write(data[start : start + chunk])
                await writer.drain()
                # two loop turns: a reader in this process reads the chunk before the next one
                await asyncio.sleep(0)
                await asyncio.sleep(0)
            return
        writer.write(data)
        if session.outgoing.empty():
            await writer.drain()

    def _forget(self, session: Session) -> None:
        self.bus.detach(session)
        self.sessions.pop(session.number, None)
