"""The recordings API over the real app and database, with recordings stored by hand (no
pipeline): search by every filter, playback with HTTP Range audited once per playback,
downloads audited, the errors (no reason, unknown, not stored, file gone) and legal hold."""

from __future__ import annotations

import contextlib
import math
import struct
import subprocess
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import imageio_ffmpeg
import pytest
from aiohttp.test_utils import TestClient

from recordings.models import RecordingRow
from recordings.storage import LocalStorage
from telephony.clock import ScaledClock
from tests.integration.service_kit import ClientFactory, service_settings
from tests.integration.staff_kit import staff_client
from tickets.models import CallRow, WorkOrderRow
from web.app import create_app
from web.keys import SESSIONS

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLER = "13812345678"
ORDER = "12345-20261124-K3J9QX2M"
KEY_A = "2026/11/24/12345/1795485600.11.opus"


@pytest.fixture(scope="module")
def opus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three seconds of a 440 Hz tone, 8 kHz mono, converted to Ogg/Opus by ffmpeg."""
    folder = tmp_path_factory.mktemp("opus")
    source = folder / "tone.wav"
    with wave.open(str(source), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        samples = (int(12000 * math.sin(2 * math.pi * 440 * i / 8000)) for i in range(24000))
        writer.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    target = folder / "tone.opus"
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(source)]
    command += ["-c:a", "libopus", "-b:a", "24k", "-ac", "1", str(target)]
    subprocess.run(command, check=True)
    return target


@pytest.fixture
def opus_data(opus_file: Path) -> bytes:
    return opus_file.read_bytes()


@dataclass
class Recordings:
    client: TestClient[Any, Any]
    ids: dict[str, int]  # A: stored, with its file; B: stored, file gone; C: purged
    data: bytes  # the stored file of A


def _call(call_id: str, line: str, caller: str, seat: str, agent: str, outcome: str) -> CallRow:
    return CallRow(
        server="pbx1",
        call_id=call_id,
        linked_id=call_id,
        line=line,
        caller_number=caller,
        queued_at=datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI),
        seat=seat,
        agent=agent,
        outcome=outcome,
        recording_path=f"/var/spool/asterisk/monitor/{call_id}.wav",
        version=1,
    )


def _recording(call_id: str, line: str, started: datetime, **fields: Any) -> RecordingRow:
    values: dict[str, Any] = {
        "server": "pbx1",
        "call_id": call_id,
        "line": line,
        "kind": "call",
        "started_at": started,
        "source_path": f"/var/spool/asterisk/monitor/{call_id}.wav",
        "state": "stored",
        "format": "opus",
    }
    values.update(fields)
    return RecordingRow(**values)


async def _store_rows(client: TestClient[Any, Any], size: int) -> dict[str, int]:
    a = _recording(
        "1795485600.11",
        "12345",
        datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI),
        storage_key=KEY_A,
        size=size,
        duration_seconds=3.0,
        sha256="ab" * 32,
        waveform=[0.1, 0.5, 1.0, 0.25],
    )
    b = _recording(
        "1795417200.7",
        "962121",
        datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI),
        storage_key="2026/11/23/962121/1795417200.7.opus",
        size=80_000,
        duration_seconds=65.0,
    )
    c = _recording(
        "1795489200.12", "12345", datetime(2026, 11, 24, 11, 0, tzinfo=SHANGHAI), state="purged"
    )
    moment = datetime(2026, 11, 24, 10, 5, tzinfo=SHANGHAI)
    rows: list[Any] = [
        a,
        b,
        c,
        _call(a.call_id, "12345", CALLER, "8001", "1001", "answered"),
        _call(b.call_id, "962121", "13900001111", "8002", "1002", "answered"),
        _call(c.call_id, "12345", CALLER, "8002", "1002", "lost"),
        WorkOrderRow(
            number=ORDER,
            server="pbx1",
            call_id=a.call_id,
            line="12345",
            caller_number=CALLER,
            status="accepted",
            created_at=moment,
            updated_at=moment,
        ),
    ]
    async with client.app[SESSIONS]() as session, session.begin():
        session.add_all(rows)
    return {"A": a.id, "B": b.id, "C": c.id}


@contextlib.asynccontextmanager
async def recordings_service(
    client_factory: ClientFactory,
    tmp_path: Path,
    database_url: str,
    redis: dict[str, str],
    opus_file: Path,
    opus_data: bytes,
) -> AsyncIterator[Recordings]:
    # a web-only instance (no Asterisk, so no pipeline): it plays what the others stored
    settings = service_settings(tmp_path, database_url, None, (), **redis)
    clock = ScaledClock(1.0, datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI).timestamp())
    LocalStorage(settings.recordings_storage_dir).put(KEY_A, opus_file)
    client = await staff_client(client_factory, create_app(settings, clock))
    ids = await _store_rows(client, len(opus_data))
    yield Recordings(client, ids, opus_data)


@pytest.fixture
async def service(
    aiohttp_client: ClientFactory,
    tmp_path: Path,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    opus_file: Path,
    opus_data: bytes,
) -> AsyncIterator[Recordings]:
    redis = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    async with recordings_service(
        aiohttp_client, tmp_path, database_url, redis, opus_file, opus_data
    ) as found:
        yield found


async def _found(service: Recordings, **params: str) -> tuple[list[str], int]:
    response = await service.client.get("/api/recordings", params=params)
    assert response.status == 200, await response.text()
    body = await response.json()
    names = {number: name for name, number in service.ids.items()}
    return [names[r["id"]] for r in body["recordings"]], body["total"]


async def _access(service: Recordings, name: str) -> list[dict[str, Any]]:
    response = await service.client.get(f"/api/recordings/{service.ids[name]}")
    assert response.status == 200
    entries: list[dict[str, Any]] = (await response.json())["access"]
    return [{k: v for k, v in e.items() if k != "at"} for e in entries]


def _audio(service: Recordings, name: str, what: str = "audio") -> str:
    return f"/api/recordings/{service.ids[name]}/{what}"


PLAY = {"reason": "质检", "actor": "2001"}


# -- search ---------------------------------------------------------------------------


async def test_recordings_are_found_by_every_filter_newest_call_first(service: Recordings) -> None:
    assert await _found(service) == (["C", "A", "B"], 3)
    assert await _found(service, caller=CALLER) == (["C", "A"], 2)
    assert await _found(service, agent="1002") == (["C", "B"], 2)
    assert await _found(service, seat="8001") == (["A"], 1)
    assert await _found(service, line="962121") == (["B"], 1)
    assert await _found(service, **{"from": "2026-11-24"}) == (["C", "A"], 2)
    assert await _found(service, to="2026-11-23") == (["B"], 1)
    assert await _found(service, **{"from": "2026-11-24T10:30", "to": "2026-11-24"}) == (["C"], 1)
    assert await _found(service, min_seconds="60") == (["B"], 1)
    assert await _found(service, max_seconds="10") == (["A"], 1)
    assert await _found(service, order=ORDER) == (["A"], 1)
    assert await _found(service, outcome="lost") == (["C"], 1)
    assert await _found(service, limit="1", offset="1") == (["A"], 3)


async def test_a_listed_recording_shows_its_call_and_order_with_the_caller_masked(
    service: Recordings,
) -> None:
    response = await service.client.get("/api/recordings", params={"seat": "8001"})
    (listed,) = (await response.json())["recordings"]
    assert listed == {
        "id": service.ids["A"],
        "server": "pbx1",
        "call_id": "1795485600.11",
        "line": "12345",
        "kind": "call",
        "started_at": "2026-11-24T02:00:00+00:00",
        "state": "stored",
        "format": "opus",
        "size": len(service.data),
        "duration_seconds": 3.0,
        "sha256": "ab" * 32,
        "seat": "8001",
        "agent": "1001",
        "caller": "138****5678",
        "outcome": "answered",
        "order": ORDER,
        "legal_hold": False,
    }


async def test_a_recording_comes_with_its_waveform_and_an_empty_access_log(
    service: Recordings,
) -> None:
    response = await service.client.get(f"/api/recordings/{service.ids['A']}")
    body = await response.json()
    assert body["waveform"] == [0.1, 0.5, 1.0, 0.25]
    assert body["access"] == []
    assert body["order"] == ORDER


@pytest.mark.parametrize(
    "params",
    [{"caller": "12ab"}, {"outcome": "hung"}, {"min_seconds": "-3"}, {"colour": "red"}],
)
async def test_a_bad_filter_is_refused(service: Recordings, params: dict[str, str]) -> None:
    response = await service.client.get("/api/recordings", params=params)
    assert response.status == 400
    assert (await response.json())["error"] == "invalid-parameter"


# -- playback -------------------------------------------------------------------------


async def test_a_playback_in_ranges_is_served_in_slices_and_audited_once(
    service: Recordings,
) -> None:
    data, size = service.data, len(service.data)
    url = _audio(service, "A")
    probe = await service.client.get(url, params=PLAY, headers={"Range": "bytes=0-1"})
    assert (probe.status, await probe.read()) == (206, data[:2])
    first = await service.client.get(url, params=PLAY, headers={"Range": "bytes=0-"})
    assert first.status == 206
    assert first.headers["Content-Type"] == "audio/ogg"
    assert first.headers["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    assert await first.read() == data
    seek = await service.client.get(url, params=PLAY, headers={"Range": "bytes=100-199"})
    assert seek.status == 206
    assert seek.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert await seek.read() == data[100:200]
    tail = await service.client.get(url, params=PLAY, headers={"Range": "bytes=-50"})
    assert (tail.status, await tail.read()) == (206, data[-50:])
    assert await _access(service, "A") == [
        {"actor": "2001", "action": "play", "source": "127.0.0.1", "reason": "质检"}
    ]


async def test_a_playback_without_range_is_the_whole_file_and_another_audit(
    service: Recordings,
) -> None:
    await service.client.get(_audio(service, "A"), params=PLAY, headers={"Range": "bytes=0-"})
    whole = await service.client.get(
        _audio(service, "A"), params={"reason": "投诉核查", "actor": "2002"}
    )
    assert whole.status == 200
    assert await whole.read() == service.data
    assert [(e["actor"], e["reason"]) for e in await _access(service, "A")] == [
        ("2002", "投诉核查"),
        ("2001", "质检"),
    ]


async def test_a_download_is_an_attachment_named_by_line_time_and_call_and_is_audited(
    service: Recordings,
) -> None:
    response = await service.client.get(
        _audio(service, "A", "download"), params={"reason": "调取证据", "actor": "2001"}
    )
    assert response.status == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="12345-20261124-100000-1795485600.11.opus"'
    )
    assert await response.read() == service.data
    assert await _access(service, "A") == [
        {"actor": "2001", "action": "download", "source": "127.0.0.1", "reason": "调取证据"}
    ]


async def test_a_playback_without_a_reason_is_refused_and_not_audited(
    service: Recordings,
) -> None:
    for params in ({"actor": "2001"}, {"actor": "2001", "reason": "  "}):
        response = await service.client.get(_audio(service, "A"), params=params)
        assert response.status == 400
        assert "reason" in (await response.json())["message"]
    assert await _access(service, "A") == []


async def test_unknown_not_stored_and_lost_files_are_refused(service: Recordings) -> None:
    unknown = await service.client.get("/api/recordings/999999/audio", params=PLAY)
    assert unknown.status == 404
    assert (await service.client.get("/api/recordings/abc")).status == 404
    assert (await service.client.get("/api/recordings/999999")).status == 404
    purged = await service.client.get(_audio(service, "C"), params=PLAY)
    assert purged.status == 409
    assert "purged" in (await purged.json())["message"]
    gone = await service.client.get(_audio(service, "B", "download"), params=PLAY)
    assert gone.status == 404
    assert "missing" in (await gone.json())["message"]
    assert await _access(service, "B") == []
    assert await _access(service, "C") == []


# -- legal hold -----------------------------------------------------------------------


async def test_a_hold_and_its_release_are_shown_and_logged(service: Recordings) -> None:
    url = f"/api/recordings/{service.ids['A']}"
    held = await service.client.post(f"{url}/hold", json={"reason": "投诉待查", "actor": "3001"})
    assert held.status == 200
    body = await held.json()
    assert (body["legal_hold"], body["hold_reason"]) == (True, "投诉待查")
    assert await _found(service, seat="8001") == (["A"], 1)
    listed = await (await service.client.get("/api/recordings", params={"seat": "8001"})).json()
    assert listed["recordings"][0]["legal_hold"] is True
    released = await service.client.post(
        f"{url}/release", json={"reason": "已结案", "actor": "3002"}
    )
    assert released.status == 200
    body = await released.json()
    assert (body["legal_hold"], body["hold_reason"]) == (False, "")
    assert await _access(service, "A") == [
        {"actor": "3002", "action": "release", "source": "", "reason": "已结案"},
        {"actor": "3001", "action": "hold", "source": "", "reason": "投诉待查"},
    ]


async def test_a_hold_needs_a_reason_and_a_known_recording_and_names_no_one_else(
    service: Recordings,
) -> None:
    url = f"/api/recordings/{service.ids['A']}/hold"
    no_reason = await service.client.post(url, json={"actor": "3001"})
    no_actor = await service.client.post(  # the signed-in user holds it, nobody named
        url, json={"reason": "投诉待查", "actor": "3002"}, as_user="3001"
    )
    unknown = await service.client.post(
        "/api/recordings/999999/hold", json={"reason": "投诉待查", "actor": "3001"}
    )
    assert (no_reason.status, no_actor.status, unknown.status) == (400, 400, 404)
    assert await _access(service, "A") == []
