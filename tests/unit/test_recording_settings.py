"""The ``[recordings]`` settings: defaults, a file that sets them all, refusals naming the
setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordings.retention import RetentionRules
from web.recording_settings import RecordingSettings
from web.settings import Settings, SettingsError, load_settings

ENV = {
    "HOTLINE_AMI": "ami://hotline:secret@127.0.0.1:5038?name=pbx1",
    "HOTLINE_DATABASE_URL": "sqlite:///hotline.db",
    "HOTLINE_SEATS": "8001",
}


def _load(tmp_path: Path, toml: str) -> Settings:
    config = tmp_path / "hotline.toml"
    config.write_text(f'recordings_dir = "{tmp_path / "rec"}"\n{toml}', encoding="utf-8")
    return load_settings(config, ENV)


def test_without_a_recordings_section_opus_is_stored_next_to_the_wavs(tmp_path: Path) -> None:
    settings = load_settings(None, {**ENV, "HOTLINE_RECORDINGS_DIR": str(tmp_path / "rec")})
    assert settings.recordings == RecordingSettings()
    assert settings.recordings_storage_dir == tmp_path / "rec" / "stored"
    assert (settings.recordings.format, settings.recordings.workers) == ("opus", 1)
    assert settings.recordings.delete_wav is True
    assert settings.recordings.retention == RetentionRules(call_days=180, callback_days=365)


def test_a_file_sets_format_storage_workers_and_retention_per_line(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        """
[recordings]
format = "mp3"
storage_dir = "/srv/recordings"
workers = 3
delete_wav = false
[recordings.retention_days]
call = 90
[recordings.retention_days.lines."962121"]
call = 730
callback = 1000
""",
    )
    assert settings.recordings == RecordingSettings(
        format="mp3",
        storage_dir=Path("/srv/recordings"),
        workers=3,
        retention=RetentionRules(
            call_days=90,
            callback_days=365,
            by_line=(("962121", "call", 730), ("962121", "callback", 1000)),
        ),
        delete_wav=False,
    )
    assert settings.recordings_storage_dir == Path("/srv/recordings")


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[recordings]\nformat = "wav"', "[recordings].format"),
        ("[recordings]\nworkers = -1", "[recordings].workers"),
        ('[recordings]\ndelete_wav = "yes"', "[recordings].delete_wav"),
        ("[recordings]\nkeep = 1", "[recordings]"),
        ("[recordings.retention_days]\ncall = 0", "[recordings.retention_days].call"),
        (
            '[recordings.retention_days.lines."12345"]\nsms = 5',
            "[recordings.retention_days.lines.12345]",
        ),
    ],
)
def test_a_wrong_recordings_setting_is_refused_by_name(
    tmp_path: Path, toml: str, named: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        _load(tmp_path, toml)
    assert refused.value.setting == named


def test_an_instance_may_leave_conversion_to_another(tmp_path: Path) -> None:
    assert _load(tmp_path, "[recordings]\nworkers = 0").recordings.workers == 0
