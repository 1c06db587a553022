"""The recordings API: the searchable list, one recording with its waveform and access
log, playback and download with HTTP Range, and legal hold.

Every play or download that starts at the beginning of the file is logged with who
asked, from where and why; the later range requests of the same playback are not.
Callers' numbers are masked.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import hdrs, web
from sqlalchemy.ext.asyncio import AsyncSession

from recordings.models import RecordingAccessRow, RecordingRow
from recordings.queries import (
    RecordingHit,
    RecordingQuery,
    access_log,
    log_access,
    recording_hit,
    search_recordings,
)
from recordings.retention import NoSuchRecording, hold, release
from recordings.storage import Storage
from tickets.privacy import mask_number
from tickets.records import OUTCOMES
from tickets.users import User
from web.access import ADMIN, RECORDING_LISTENERS
from web.auth import signed_in
from web.errors import Conflict, Forbidden, InvalidParameter, NotFound
from web.keys import CLOCK, SESSIONS, SETTINGS
from web.order_requests import CALLER_NUMBER, PATH_NAME
from web.recordings_root import STORAGE
from web.requests import (
    AGENT_ID,
    SEAT_ID,
    actor,
    check_query,
    client_address,
    json_object,
    moment,
    text,
    whole_number,
)

routes = web.RouteTableDef()

SEARCH_FILTERS = (
    "caller",
    "agent",
    "seat",
    "line",
    "from",
    "to",
    "min_seconds",
    "max_seconds",
    "order",
    "outcome",
    "limit",
    "offset",
)
AUDIO_TYPES = {"opus": "audio/ogg", "mp3": "audio/mpeg"}
MAX_REASON = 200
RECORDING_ID = re.compile(r"^[0-9]{1,18}$")
SECONDS = re.compile(r"^[0-9]{1,6}(\.[0-9]{1,3})?$")
STREAM_CHUNK = 256 * 1024
HoldChange = Callable[[AsyncSession, int, str, str, datetime], Awaitable[RecordingRow]]


# -- views ----------------------------------------------------------------------------


def recording_view(hit: RecordingHit) -> dict[str, Any]:
    row, call = hit.recording, hit.call
    return {
        "id": row.id,
        "server": row.server,
        "call_id": row.call_id,
        "line": row.line,
        "kind": row.kind,
        "started_at": row.started_at.isoformat(),
        "state": row.state,
        "format": row.format,
        "size": row.size,
        "duration_seconds": row.duration_seconds,
        "sha256": row.sha256,
        "seat": call.seat if call else None,
        "agent": call.agent if call else None,
        "caller": mask_number(call.caller_number) if call else None,
        "outcome": call.outcome if call else None,
        "order": hit.order_number,
        "legal_hold": row.legal_hold,
    }


def recording_detail(hit: RecordingHit, log: list[RecordingAccessRow]) -> dict[str, Any]:
    row = hit.recording
    return {
        **recording_view(hit),
        "hold_reason": row.hold_reason,
        "purge_after": row.purge_after.isoformat() if row.purge_after else None,
        "purged_at": row.purged_at.isoformat() if row.purged_at else None,
        "converted_at": row.converted_at.isoformat() if row.converted_at else None,
        "repaired": row.repaired,
        "error": row.error,
        "waveform": row.waveform or [],
        "access": [access_view(entry) for entry in log],
    }


def access_view(entry: RecordingAccessRow) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "source": entry.source,
        "reason": entry.reason,
    }


# -- reading requests -----------------------------------------------------------------


def _matching(value: str | None, pattern: re.Pattern[str], name: str, rule: str) -> str | None:
    if value is not None and not pattern.match(value):
        raise InvalidParameter(f"{name}: {rule}")
    return value


def _seconds(request: web.Request, name: str) -> float | None:
    raw = _matching(request.query.get(name), SECONDS, name, "a number of seconds, e.g. 30")
    return None if raw is None else float(raw)


def _search_query(request: web.Request) -> RecordingQuery:
    check_query(request, SEARCH_FILTERS)
    query, zone = request.query, request.app[SETTINGS].zone
    outcome = query.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise InvalidParameter(f"outcome: one of {list(OUTCOMES)}")
    start = moment("from", query["from"], zone, False) if "from" in query else None
    end = moment("to", query["to"], zone, True) if "to" in query else None
    if start and end and end <= start:
        raise InvalidParameter("to: must be after from")
    names = "letters, digits, - _ . only"
    return RecordingQuery(
        caller=_matching(query.get("caller"), CALLER_NUMBER, "caller", "3 to 20 digits"),
        agent=_matching(query.get("agent"), AGENT_ID, "agent", names),
        seat=_matching(query.get("seat"), SEAT_ID, "seat", names),
        line=_matching(query.get("line"), PATH_NAME, "line", names),
        order=_matching(query.get("order"), PATH_NAME, "order", names),
        outcome=outcome,
        start=start,
        end=end,
        min_seconds=_seconds(request, "min_seconds"),
        max_seconds=_seconds(request, "max_seconds"),
        limit=whole_number("limit", query.get("limit"), 50, 1, 500),
        offset=whole_number("offset", query.get("offset"), 0, 0, 1_000_000),
    )


def _recording_id(request: web.Request) -> int:
    value = request.match_info["id"]
    if not RECORDING_ID.match(value):
        raise NotFound(f"no recording {value!r}")
    return int(value)


def _check_may_hear(user: User, hit: RecordingHit, *, listen: bool) -> None:
    """QA, supervisors and auditors hear every call; anyone the calls they took. An
    administrator sees a recording's details (to hold it) but does not listen."""
    if user.roles & RECORDING_LISTENERS or (not listen and ADMIN in user.roles):
        return
    if hit.call is not None and hit.call.agent == user.user_id:
        return
    raise Forbidden(
        "only QA reviewers, supervisors, auditors and the agent of the call may hear it"
    )


async def _check_may_listen(request: web.Request, recording_id: int) -> None:
    """Before a play or download; the call is read only for someone not in a listening role."""
    user = signed_in(request)
    if user.roles & RECORDING_LISTENERS:
        return
    async with request.app[SESSIONS]() as session:
        hit = await recording_hit(session, recording_id)
    if hit is None:
        raise NotFound(f"no recording {recording_id}")
    _check_may_hear(user, hit, listen=True)


def _query_reason(request: web.Request) -> str:
    reason = request.query.get("reason", "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidParameter(
            f"reason: required, why the recording is listened to (1 to {MAX_REASON} characters)"
        )
    return reason


def starts_at_beginning(request: web.Request) -> bool:
    """A request for the file from byte 0: a new playback or download, not a seek."""
    try:
        wanted = request.http_range
    except ValueError:
        return False
    if wanted.start is None:
        return wanted.stop is None
    # Safari asks for bytes=0-1 before it plays: that probe is not a playback
    return wanted.start == 0 and (wanted.stop is None or wanted.stop > 2)


# -- reads ----------------------------------------------------------------------------


@routes.get("/api/recordings")
async def list_recordings(request: web.Request) -> web.Response:
    """Recordings, newest call first, one page and the total."""
    query = _search_query(request)
    async with request.app[SESSIONS]() as session:
        hits, total = await search_recordings(session, query)
    return web.json_response({"recordings": [recording_view(hit) for hit in hits], "total": total})


@routes.get("/api/recordings/{id}")
async def one_recording(request: web.Request) -> web.Response:
    check_query(request, ())
    return await _detail_response(request, _recording_id(request))


async def _detail_response(request: web.Request, recording_id: int) -> web.Response:
    async with request.app[SESSIONS]() as session:
        hit = await recording_hit(session, recording_id)
        log = await access_log(session, recording_id)
    if hit is None:
        raise NotFound(f"no recording {recording_id}")
    _check_may_hear(signed_in(request), hit, listen=False)
    return web.json_response(recording_detail(hit, log))


# -- the audio ------------------------------------------------------------------------


@routes.get("/api/recordings/{id}/audio")
async def play(request: web.Request) -> web.StreamResponse:
    """The stored file for the player (HTTP Range); ``reason`` says why it is played."""
    return await _serve(request, "play")


@routes.get("/api/recordings/{id}/download")
async def download(request: web.Request) -> web.StreamResponse:
    return await _serve(request, "download")


async def _serve(request: web.Request, action: str) -> web.StreamResponse:
    check_query(request, ("reason",))
    recording_id = _recording_id(request)
    reason, who = _query_reason(request), signed_in(request).user_id
    await _check_may_listen(request, recording_id)
    storage = request.app[STORAGE]
    row, key = await _stored(request, storage, recording_id)
    if starts_at_beginning(request):
        async with request.app[SESSIONS]() as session, session.begin():
            at, source = request.app[CLOCK].now(), client_address(request)
            log_access(
                session, row.id, at=at, actor=who, action=action, source=source, reason=reason
            )
    headers: dict[str, str] = {
        hdrs.CONTENT_TYPE: AUDIO_TYPES.get(row.format or "", "application/octet-stream")
    }
    if action == "download":
        name = _file_name(row, key, request.app[SETTINGS].zone)
        headers[hdrs.CONTENT_DISPOSITION] = f'attachment; filename="{name}"'
    local = storage.local_path(key)
    if local is not None:
        return web.FileResponse(local, headers=headers)
    return await _stream(request, storage, key, headers)


async def _stored(
    request: web.Request, storage: Storage, recording_id: int
) -> tuple[RecordingRow, str]:
    """The recording and its storage key, once its file is known to be there."""
    async with request.app[SESSIONS]() as session:
        row = await session.get(RecordingRow, recording_id)
    if row is None:
        raise NotFound(f"no recording {recording_id}")
    if row.state != "stored" or row.storage_key is None:
        raise Conflict(f"recording {recording_id} is {row.state}, not stored")
    if not await asyncio.to_thread(storage.exists, row.storage_key):
        raise NotFound(f"the stored file of recording {recording_id} is missing")
    return row, row.storage_key


def _file_name(row: RecordingRow, key: str, zone: ZoneInfo) -> str:
    """12345-20261124-100000-1795474587.11.opus: line, local start, call id."""
    started = row.started_at.astimezone(zone).strftime("%Y%m%d-%H%M%S")
    call = re.sub(r"[^A-Za-z0-9._-]", "_", row.call_id)
    return f"{row.line}-{started}-{call}.{key.rsplit('.', 1)[-1]}"


async def _stream(
    request: web.Request, storage: Storage, key: str, headers: dict[str, str]
) -> web.StreamResponse:
    """A storage with no local file: the whole file, read off the event loop."""
    response = web.StreamResponse(headers={**headers, hdrs.ACCEPT_RANGES: "none"})
    response.content_length = await asyncio.to_thread(storage.size, key)
    await response.prepare(request)
    source = await asyncio.to_thread(storage.open, key)
    try:
        while chunk := await asyncio.to_thread(source.read, STREAM_CHUNK):
            await response.write(chunk)
    finally:
        source.close()
    await response.write_eof()
    return response


# -- legal hold -----------------------------------------------------------------------


@routes.post("/api/recordings/{id}/hold")
async def hold_recording(request: web.Request) -> web.Response:
    """Legal hold: kept past its retention until released."""
    return await _hold_or_release(request, hold)


@routes.post("/api/recordings/{id}/release")
async def release_recording(request: web.Request) -> web.Response:
    return await _hold_or_release(request, release)


async def _hold_or_release(request: web.Request, change: HoldChange) -> web.Response:
    recording_id = _recording_id(request)
    body = await json_object(request)
    reason = text(body, "reason", limit=MAX_REASON)
    who = actor(request, body)
    try:
        async with request.app[SESSIONS]() as session, session.begin():
            await change(session, recording_id, who, reason, request.app[CLOCK].now())
    except NoSuchRecording as exc:
        raise NotFound(f"no recording {recording_id}") from exc
    return await _detail_response(request, recording_id)
