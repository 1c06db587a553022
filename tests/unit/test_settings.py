"""Settings: the file, the environment over it, and clear refusals naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.settings import SettingsError, load_settings, parse_ami_url, parse_seats


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {
        "HOTLINE_AMI": "ami://hotline:s3cr%40t@127.0.0.1:5038?name=pbx1",
        "HOTLINE_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/hotline",
        "HOTLINE_RECORDINGS_DIR": str(tmp_path / "rec"),
        "HOTLINE_SEATS": "8001,8002:12345",
    }
    base.update(extra)
    return base


def test_environment_only(tmp_path: Path) -> None:
    settings = load_settings(
        None, env(tmp_path, HOTLINE_HTTP="0.0.0.0:9000", HOTLINE_RING_TIMEOUT="20")
    )
    (server,) = settings.ami
    assert (server.name, server.host, server.port, server.username, server.secret) == (
        "pbx1",
        "127.0.0.1",
        5038,
        "hotline",
        "s3cr@t",
    )
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/hotline"
    assert (settings.http_host, settings.http_port) == ("0.0.0.0", 9000)
    assert settings.routing.ring_timeout == 20
    assert [(s.seat_id, s.lines) for s in settings.seats] == [
        ("8001", ("12345", "962121")),
        ("8002", ("12345",)),
    ]
    assert settings.redis_url is None


def test_file_then_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text(
        f"""
database_url = "sqlite:///{tmp_path}/h.db"
recordings_dir = "{tmp_path}/rec"
redis_url = "redis://127.0.0.1:6379/0"
http = "127.0.0.1:8181"

[[asterisk]]
name = "east"
url = "ami://hotline:x@10.0.0.5:5038"

[[asterisk]]
name = "west"
url = "ami://hotline:y@10.0.0.6:5038?mode=observe"

[routing]
wrapup_seconds = 45

[[seats]]
id = "8001"
name = "一号座席"
lines = ["962121"]
server = "east"
""",
        encoding="utf-8",
    )
    settings = load_settings(config, {"HOTLINE_HTTP": "127.0.0.1:8282"})
    assert [s.name for s in settings.ami] == ["east", "west"]
    assert settings.routed_servers == ("east",)
    assert settings.http_port == 8282
    assert settings.routing.wrapup_seconds == 45
    assert settings.seats[0].name == "一号座席"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


@pytest.mark.parametrize(
    ("override", "setting"),
    [
        ({"HOTLINE_AMI": ""}, "HOTLINE_AMI"),
        ({"HOTLINE_AMI": "http://127.0.0.1:5038"}, "HOTLINE_AMI"),
        ({"HOTLINE_AMI": "ami://127.0.0.1:5038"}, "HOTLINE_AMI"),
        ({"HOTLINE_AMI": "ami://a:b@h:5038?mode=drive"}, "HOTLINE_AMI"),
        ({"HOTLINE_DATABASE_URL": ""}, "HOTLINE_DATABASE_URL"),
        ({"HOTLINE_DATABASE_URL": "mysql://x"}, "HOTLINE_DATABASE_URL"),
        ({"HOTLINE_HTTP": "8080"}, "HOTLINE_HTTP"),
        ({"HOTLINE_HTTP": "h:99999"}, "HOTLINE_HTTP"),
        ({"HOTLINE_SEATS": "8001:110"}, "HOTLINE_SEATS"),
        ({"HOTLINE_SEATS": "8001@nowhere"}, "HOTLINE_SEATS"),
        ({"HOTLINE_SEATS": "8001,8001"}, "HOTLINE_SEATS"),
        ({"HOTLINE_SEATS": ""}, "HOTLINE_SEATS"),
        ({"HOTLINE_TIMEZONE": "Mars/Base"}, "HOTLINE_TIMEZONE"),
        ({"HOTLINE_RING_TIMEOUT": "soon"}, "HOTLINE_RING_TIMEOUT"),
        ({"HOTLINE_REDIS_URL": "localhost:6379"}, "HOTLINE_REDIS_URL"),
    ],
)
def test_a_wrong_or_missing_setting_is_refused_by_name(
    tmp_path: Path, override: dict[str, str], setting: str
) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(None, env(tmp_path, **override))
    assert error.value.setting == setting
    assert "s3cr" not in str(error.value)


def test_recordings_dir_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SettingsError) as error:
        load_settings(None, env(tmp_path, HOTLINE_RECORDINGS_DIR=str(blocker / "rec")))
    assert error.value.setting == "HOTLINE_RECORDINGS_DIR"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "none.toml", env(tmp_path))


def test_secret_is_never_printed() -> None:
    with pytest.raises(SettingsError) as error:
        parse_ami_url("http://user:topsecret@host", "pbx1")
    assert "topsecret" not in str(error.value)
    assert "topsecret" not in repr(parse_ami_url("ami://user:topsecret@host", "pbx1"))


def test_seat_list_with_servers() -> None:
    seats = parse_seats("8001:12345+962121@east, 8002", "west", ("12345", "962121"))
    assert [(s.seat_id, s.server, s.lines) for s in seats] == [
        ("8001", "east", ("12345", "962121")),
        ("8002", "west", ("12345", "962121")),
    ]
