"""Helpers of the database tests: record factories, a migrated engine, a TCP proxy that
can cut the link to PostgreSQL. No tests here."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tickets.db import create_engine
from tickets.migrate import upgrade_to_head
from tickets.records import AgentSession, AuditEntry, CallbackTask, CallRecord, SeatAttempt

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def call(
    call_id: str,
    *,
    version: int = 1,
    server: str = "pbx1",
    line: str = "12345",
    caller: str = "13800000000",
    queued: float = 0.0,
    **changes: object,
) -> CallRecord:
    return CallRecord(
        server=server,
        call_id=call_id,
        linked_id=call_id,
        line=line,
        caller_number=caller,
        queued_at=at(queued),
        version=version,
        **changes,  # type: ignore[arg-type]
    )


def call_version(call_id: str, version: int, *, queued: float = 0.0) -> CallRecord:
    """Version ``version`` of a call whose every version adds one missed ring,
    and whose third version on is answered: attempts say which version was stored."""
    attempts = tuple(
        SeatAttempt(
            seat=f"seat{n % 7}",
            rang_at=at(queued + n),
            ended_at=at(queued + n + 1),
            result="NOANSWER",
        )
        for n in range(version - 1)
    )
    answered = at(queued + version) if version >= 3 else None
    return call(
        call_id,
        version=version,
        queued=queued,
        attempts=attempts,
        answered_at=answered,
        seat="seat1" if answered else None,
    )


def callback_task(
    call_id: str,
    *,
    version: int = 1,
    line: str = "12345",
    caller: str = "13800000000",
    due: float = 3_600.0,
    **changes: object,
) -> CallbackTask:
    """The task of returning call ``call_id`` of pbx1, made at T0, due ``due`` seconds later."""
    values: dict[str, object] = {"reason": "abandoned", "created_at": T0}
    values.update(changes)
    return CallbackTask(
        task_id=f"pbx1/{call_id}",
        server="pbx1",
        call_id=call_id,
        line=line,
        caller_number=caller,
        due_at=at(due),
        version=version,
        **values,  # type: ignore[arg-type]
    )


def agent_session(
    agent: str, seat: str, started: float, ended: float | None = None, **changes: object
) -> AgentSession:
    return AgentSession(
        agent=agent,
        seat=seat,
        started_at=at(started),
        ended_at=None if ended is None else at(ended),
        **changes,  # type: ignore[arg-type]
    )


def audit_entry(entry_id: str, seconds: float = 0.0, **changes: object) -> AuditEntry:
    values: dict[str, object] = {
        "actor": "supervisor1",
        "action": "seat.force_pause",
        "target": "seat:8001",
        "details": {"reason": "培训"},
        "source": "10.0.0.7",
    }
    values.update(changes)
    return AuditEntry(entry_id=entry_id, at=at(seconds), **values)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def migrated_engine(url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_to_head(url)
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; ``cut`` closes every connection and
    refuses new ones until ``restore``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._pipes: set[asyncio.Task[None]] = set()
        self.connections_made = 0

    def url_for(self, database_url: str) -> str:
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        self._server = None
        for writer in list(self._links):
            writer.transport.abort()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        if self._server is not None:
            await self.cut()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.connections_made += 1
        self._links.update((writer, up_writer))
        pipes = [
            asyncio.ensure_future(self._pipe(reader, up_writer)),
            asyncio.ensure_future(self._pipe(up_reader, writer)),
        ]
        self._pipes.update(pipes)
        await asyncio.gather(*pipes, return_exceptions=True)
        self._pipes.difference_update(pipes)
        for end in (writer, up_writer):
            self._links.discard(end)
            end.transport.abort()

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            sink.transport.abort()
