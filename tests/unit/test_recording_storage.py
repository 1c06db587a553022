"""Local storage of converted recordings, and the key a recording is stored under."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from recordings.storage import LocalStorage, StorageError, recording_key

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY = "2026/11/24/12345/1795474587.0.opus"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "converted.opus"
    path.write_bytes(b"OggS" + bytes(range(256)) * 40)  # 10,244 bytes
    return path


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "stored")


def test_a_call_at_5_pm_utc_is_filed_under_the_next_day_in_shanghai() -> None:
    started = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert recording_key(started, SHANGHAI, "12345", "1795474587.0", "opus") == KEY


def test_a_call_a_minute_before_local_midnight_keeps_its_day_and_mp3_its_extension() -> None:
    started = datetime(2026, 11, 23, 15, 59, tzinfo=UTC)
    key = recording_key(started, SHANGHAI, "962121", "1795474587.12", "mp3")
    assert key == "2026/11/23/962121/1795474587.12.mp3"


def test_a_call_id_with_slashes_and_dots_cannot_leave_its_directory() -> None:
    started = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    key = recording_key(started, SHANGHAI, "12345", "../../etc/x y", "opus")
    assert key == "2026/11/23/12345/_.._etc_x_y.opus"


def test_a_naive_start_time_or_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        recording_key(datetime(2026, 11, 23, 17, 0), SHANGHAI, "12345", "1.0", "opus")
    with pytest.raises(ValueError, match="unknown format"):
        recording_key(datetime(2026, 11, 23, 17, 0, tzinfo=UTC), SHANGHAI, "12345", "1.0", "flac")


def test_a_stored_file_exists_with_its_size_and_content(
    storage: LocalStorage, source: Path, tmp_path: Path
) -> None:
    storage.put(KEY, source)
    assert storage.exists(KEY)
    assert storage.size(KEY) == 10244
    with storage.open(KEY) as stream:
        assert stream.read() == source.read_bytes()
    assert storage.local_path(KEY) == tmp_path / "stored" / "2026/11/24/12345/1795474587.0.opus"
    assert list(storage.keys()) == [KEY]


def test_storing_the_same_file_twice_is_fine(storage: LocalStorage, source: Path) -> None:
    storage.put(KEY, source)
    storage.put(KEY, source)
    assert storage.size(KEY) == 10244
    assert list(storage.keys()) == [KEY]


def test_the_file_appears_under_its_key_only_once_complete(
    storage: LocalStorage, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, int, list[str]]] = []
    real_replace = os.replace

    def watching_replace(temporary: str | Path, target: str | Path) -> None:
        seen.append((storage.exists(KEY), Path(temporary).stat().st_size, list(storage.keys())))
        real_replace(temporary, target)

    monkeypatch.setattr("recordings.storage.os.replace", watching_replace)
    storage.put(KEY, source)
    assert seen == [(False, 10244, [])]  # complete under a hidden name, not yet a key
    assert storage.size(KEY) == 10244


def test_a_failed_rename_leaves_neither_the_key_nor_a_temporary_file(
    storage: LocalStorage, source: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def failing_replace(temporary: str | Path, target: str | Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("recordings.storage.os.replace", failing_replace)
    with pytest.raises(StorageError, match="No space left"):
        storage.put(KEY, source)
    assert not storage.exists(KEY)
    assert [p.name for p in (tmp_path / "stored").rglob("*") if p.is_file()] == []


def test_keys_lists_every_stored_file_sorted_and_skips_temporary_files(
    storage: LocalStorage, source: Path, tmp_path: Path
) -> None:
    other = "2026/11/23/962121/9.0.mp3"
    storage.put(KEY, source)
    storage.put(other, source)
    (tmp_path / "stored" / "2026/11/24/12345/.1795474587.1.opus.abc.tmp").write_bytes(b"x")
    assert list(storage.keys()) == [other, KEY]


def test_an_empty_or_missing_root_has_no_keys(storage: LocalStorage) -> None:
    assert list(storage.keys()) == []


def test_delete_removes_the_file_and_an_absent_key_is_fine(
    storage: LocalStorage, source: Path
) -> None:
    storage.put(KEY, source)
    storage.delete(KEY)
    storage.delete(KEY)
    assert not storage.exists(KEY)
    assert list(storage.keys()) == []


def test_size_or_open_of_an_absent_key_is_a_storage_error(storage: LocalStorage) -> None:
    with pytest.raises(StorageError, match="not stored"):
        storage.size(KEY)
    with pytest.raises(StorageError, match="not stored"):
        storage.open(KEY)


@pytest.mark.parametrize(
    "key",
    [
        "../outside.opus",
        "2026/../../outside.opus",
        "/etc/passwd",
        "2026//x.opus",
        "2026/./x.opus",
        "2026\\..\\x.opus",
        "2026/.hidden.opus",
        "",
    ],
)
def test_a_key_that_could_leave_the_root_is_refused(
    storage: LocalStorage, source: Path, tmp_path: Path, key: str
) -> None:
    with pytest.raises(StorageError, match="not an acceptable storage key"):
        storage.put(key, source)
    for action in (storage.exists, storage.size, storage.local_path, storage.delete):
        with pytest.raises(StorageError):
            action(key)
    assert not (tmp_path / "outside.opus").exists()
