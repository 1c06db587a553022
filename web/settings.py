"""Settings of ``hotline serve``: a TOML file, overridden by HOTLINE_* environment variables.

Read once, in the composition root, and passed down as values. A wrong or missing
setting raises ``SettingsError`` naming the setting, so the service stops at start
instead of running half-configured.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from acd.figures import FigureRules
from acd.lease import LeaseRules
from acd.rules import RoutingRules
from tickets.signin import SignInRules
from web.order_settings import OrderSettings, default_order_settings, parse_order_settings
from web.qa_settings import QaSettings, parse_qa_settings
from web.recording_settings import RecordingSettings, parse_recording_settings
from web.setting_errors import SettingsError as SettingsError  # raised from here too

AmiMode = Literal["route", "observe"]
DEFAULT_LINES = ("12345", "962121")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AmiServer:
    name: str
    host: str
    port: int
    username: str
    secret: str = field(repr=False)
    mode: AmiMode = "route"
    events: str = "on"


@dataclass(frozen=True, slots=True)
class SeatConfig:
    seat_id: str
    server: str
    lines: tuple[str, ...]
    name: str = ""
    skills: tuple[str, ...] = ()
    agent: str | None = None  # signed in at start (fixed desks); others sign in from their page


@dataclass(frozen=True, slots=True)
class Settings:
    ami: tuple[AmiServer, ...] = ()
    database_url: str = ""
    redis_url: str | None = None
    redis_prefix: str = "hotline:"
    recordings_dir: Path = Path("/var/spool/hotline/recordings")
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    lines: tuple[str, ...] = DEFAULT_LINES
    seats: tuple[SeatConfig, ...] = ()
    routing: RoutingRules = RoutingRules()
    figures: FigureRules = FigureRules()
    lease: LeaseRules = LeaseRules()  # with Redis: one instance routes each Asterisk
    timezone: str = "Asia/Shanghai"
    spill_path: Path | None = None
    log_level: str = "INFO"
    orders: OrderSettings | None = None  # None: the defaults, no units (see web.order_settings)
    recordings: RecordingSettings = field(default_factory=RecordingSettings)
    qa: QaSettings = field(default_factory=QaSettings)
    signin: SignInRules = field(default_factory=SignInRules)  # sessions, throttling, cookies

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def order_settings(self) -> OrderSettings:
        return self.orders or default_order_settings(self.zone)

    @property
    def attachments_dir(self) -> Path:
        configured = self.order_settings.attachments_dir
        return configured or self.recordings_dir.parent / "attachments"

    @property
    def recordings_storage_dir(self) -> Path:
        return self.recordings.storage_dir or self.recordings_dir / "stored"

    @property
    def routed_servers(self) -> tuple[str, ...]:
        return tuple(server.name for server in self.ami if server.mode == "route")

    @property
    def web_only(self) -> bool:
        """No Asterisk of its own: shows the live state other instances share in Redis."""
        return not self.ami


# -- parsing pieces -------------------------------------------------------------------


def parse_ami_url(url: str, default_name: str, setting: str = "HOTLINE_AMI") -> AmiServer:
    """``ami://user:secret@host:5038?name=pbx1&mode=observe&events=on``."""
    parts = urlsplit(url.strip())
    if parts.scheme != "ami":
        raise SettingsError(setting, f"{_redact(url)!r} must start with ami://")
    if not parts.hostname or not parts.username or parts.password is None:
        raise SettingsError(setting, f"{_redact(url)!r} needs user, secret and host")
    try:
        port = parts.port or 5038
    except ValueError as exc:
        raise SettingsError(setting, f"{_redact(url)!r}: bad port") from exc
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    mode = query.get("mode", "route")
    if mode not in ("route", "observe"):
        raise SettingsError(setting, f"mode must be route or observe, not {mode!r}")
    return AmiServer(
        name=query.get("name", default_name),
        host=parts.hostname,
        port=port,
        username=unquote(parts.username),
        secret=unquote(parts.password),
        mode=mode,  # type: ignore[arg-type]
        events=query.get("events", "on"),
    )


def _redact(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@")


def parse_ami_list(value: str, setting: str = "HOTLINE_AMI") -> tuple[AmiServer, ...]:
    urls = [u for u in value.split(",") if u.strip()]
    if not urls:
        raise SettingsError(setting, "no Asterisk given")
    servers = tuple(parse_ami_url(u, f"pbx{i + 1}", setting) for i, u in enumerate(urls))
    _check_unique([s.name for s in servers], setting)
    return servers


def parse_http(value: str, setting: str = "HOTLINE_HTTP") -> tuple[str, int]:
    host, sep, port = value.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(setting, f"{value!r} must be host:port, e.g. 127.0.0.1:8080")
    return host or "127.0.0.1", int(port)


def parse_seats(value: str, default_server: str, lines: tuple[str, ...]) -> tuple[SeatConfig, ...]:
    """``8001:12345+962121:dialect@pbx1,8002:12345`` — seat, optional lines, optional
    skills, optional Asterisk."""
    seats = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        item, _, server = item.partition("@")
        seat_id, _, rest = item.partition(":")
        seat_lines, _, skills = rest.partition(":")
        chosen = tuple(x for x in seat_lines.split("+") if x) if seat_lines else lines
        if not seat_id.strip():
            raise SettingsError("HOTLINE_SEATS", f"{item!r} has no seat id")
        seats.append(
            SeatConfig(
                seat_id.strip(),
                server.strip() or default_server,
                chosen,
                skills=tuple(x for x in skills.split("+") if x),
            )
        )
    return tuple(seats)


def normalize_database_url(url: str, setting: str = "HOTLINE_DATABASE_URL") -> str:
    url = url.strip()
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite:///")):
        return url
    raise SettingsError(setting, f"{_redact(url)!r} is not a postgresql:// or sqlite:/// URL")


def _check_unique(names: list[str], setting: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise SettingsError(setting, f"name {name!r} is used twice")
        seen.add(name)


# -- TOML -----------------------------------------------------------------------------


def _from_toml(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    servers = data.get("asterisk", [])
    if servers:
        values["ami"] = tuple(
            parse_ami_url(
                str(s.get("url", "")), str(s.get("name", f"pbx{i + 1}")), f"asterisk[{i}].url"
            )
            for i, s in enumerate(servers)
        )
    for key in ("database_url", "redis_url", "redis_prefix", "timezone", "log_level"):
        if key in data:
            values[key] = str(data[key])
    if "recordings_dir" in data:
        values["recordings_dir"] = Path(str(data["recordings_dir"]))
    if "spill_path" in data:
        values["spill_path"] = Path(str(data["spill_path"]))
    if "http" in data:
        values["http_host"], values["http_port"] = parse_http(str(data["http"]), "http")
    if "lines" in data:
        values["lines"] = tuple(str(line) for line in data["lines"])
    values.update(_rules_from_toml(data))
    if "seats" in data:
        values["seats_raw"] = data["seats"]
    if "orders" in data:
        values["orders_raw"] = data["orders"]
    if "recordings" in data:
        values["recordings"] = _section("recordings", data["recordings"], parse_recording_settings)
    if "qa" in data:
        values["qa"] = _section("qa", data["qa"], parse_qa_settings)
    return values


def _rules_from_toml(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for section, cls in (
        ("routing", RoutingRules),
        ("figures", FigureRules),
        ("lease", LeaseRules),
        ("signin", SignInRules),
    ):
        table = _tupled(dict(data.get(section, {})))
        unknown = set(table) - set(cls.__dataclass_fields__)
        if unknown:
            raise SettingsError(f"[{section}]", f"unknown setting(s) {sorted(unknown)}")
        try:
            values[section] = cls(**table)
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"[{section}]", str(exc)) from exc
    return values


def _tupled(table: dict[str, Any]) -> dict[str, Any]:
    """TOML lists and tables -> the tuples of the frozen rules (pause_reasons, line_priority)."""
    for key, value in table.items():
        if isinstance(value, list):
            table[key] = tuple(value)
        elif isinstance(value, dict):
            table[key] = tuple((str(k), v) for k, v in value.items())
    return table


def _seats_from_toml(
    raw: Any, default_server: str, lines: tuple[str, ...]
) -> tuple[SeatConfig, ...]:
    seats = []
    for i, seat in enumerate(raw):
        if "id" not in seat:
            raise SettingsError(f"seats[{i}].id", "missing")
        seats.append(
            SeatConfig(
                seat_id=str(seat["id"]),
                server=str(seat.get("server", default_server)),
                lines=tuple(str(x) for x in seat.get("lines", lines)),
                name=str(seat.get("name", "")),
                skills=tuple(str(x) for x in seat.get("skills", ())),
                agent=str(seat["agent"]) if seat.get("agent") else None,
            )
        )
    return tuple(seats)


# -- environment ----------------------------------------------------------------------


def _float_env(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(name, f"{raw!r} is not a number") from exc
    if value <= 0:
        raise SettingsError(name, "must be greater than 0")
    return value


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if env.get("HOTLINE_AMI"):
        values["ami"] = parse_ami_list(env["HOTLINE_AMI"])
    for name, key in (
        ("HOTLINE_DATABASE_URL", "database_url"),
        ("HOTLINE_REDIS_URL", "redis_url"),
        ("HOTLINE_REDIS_PREFIX", "redis_prefix"),
        ("HOTLINE_TIMEZONE", "timezone"),
        ("HOTLINE_LOG_LEVEL", "log_level"),
    ):
        if env.get(name):
            values[key] = env[name]
    if env.get("HOTLINE_RECORDINGS_DIR"):
        values["recordings_dir"] = Path(env["HOTLINE_RECORDINGS_DIR"])
    if env.get("HOTLINE_SPILL_PATH"):
        values["spill_path"] = Path(env["HOTLINE_SPILL_PATH"])
    if env.get("HOTLINE_HTTP"):
        values["http_host"], values["http_port"] = parse_http(env["HOTLINE_HTTP"])
    if env.get("HOTLINE_LINES"):
        values["lines"] = tuple(x.strip() for x in env["HOTLINE_LINES"].split(",") if x.strip())
    if env.get("HOTLINE_SEATS"):
        values["seats_env"] = env["HOTLINE_SEATS"]
    if env.get("HOTLINE_PAUSE_REASONS"):
        reasons = tuple(x.strip() for x in env["HOTLINE_PAUSE_REASONS"].split(",") if x.strip())
        values.setdefault("routing_overrides", {})["pause_reasons"] = reasons
    for name, field_name in (
        ("HOTLINE_RING_TIMEOUT", "ring_timeout"),
        ("HOTLINE_WRAPUP_SECONDS", "wrapup_seconds"),
    ):
        number = _float_env(env, name)
        if number is not None:
            values.setdefault("routing_overrides", {})[field_name] = number
    return values


# -- assembling -----------------------------------------------------------------------


def load_settings(config: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings for ``hotline serve``: file first, environment wins; then checked."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if config is not None:
        values.update(_read_toml(config))
    values.update({k: v for k, v in _from_env(env).items() if k != "routing_overrides"})
    overrides = _from_env(env).get("routing_overrides", {})
    if overrides:
        values["routing"] = replace(values.get("routing", RoutingRules()), **overrides)
    return _finish(values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError("--config", f"{path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError("--config", f"{path}: {exc}") from exc
    return _from_toml(data)


def _finish(values: dict[str, Any]) -> Settings:
    ami: tuple[AmiServer, ...] = values.get("ami", ())
    if not ami:
        raise SettingsError(
            "HOTLINE_AMI", "no Asterisk configured (e.g. ami://user:secret@127.0.0.1:5038)"
        )
    if not values.get("database_url"):
        raise SettingsError("HOTLINE_DATABASE_URL", "missing (postgresql://… or sqlite:///path)")
    values["database_url"] = normalize_database_url(values["database_url"])
    lines = values.get("lines", DEFAULT_LINES)
    seats_raw = values.pop("seats_raw", None)
    seats_env = values.pop("seats_env", None)
    default_server = ami[0].name if ami else ""
    if seats_env:
        values["seats"] = parse_seats(seats_env, default_server, lines)
    elif seats_raw is not None:
        values["seats"] = _seats_from_toml(seats_raw, default_server, lines)
    orders_raw = values.pop("orders_raw", None)
    if orders_raw is not None:
        values["orders"] = _orders(orders_raw, values.get("timezone", "Asia/Shanghai"))
    settings = Settings(**values)
    _validate(settings)
    return settings


def _section(name: str, table: Any, parse: Callable[[Mapping[str, Any]], T]) -> T:
    """A ``[name]`` table read by its own parser; its errors name the setting already."""
    if not isinstance(table, Mapping):
        raise SettingsError(f"[{name}]", "must be a table")
    try:
        return parse(table)
    except SettingsError:
        raise
    except ValueError as exc:
        raise SettingsError(f"[{name}]", str(exc)) from exc


def _orders(table: Any, timezone: str) -> OrderSettings:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError("HOTLINE_TIMEZONE", f"unknown time zone {timezone!r}") from exc
    return _section("orders", table, lambda orders: parse_order_settings(orders, zone))


def _validate(settings: Settings) -> None:
    names = {server.name for server in settings.ami}
    _check_unique([server.name for server in settings.ami], "HOTLINE_AMI")
    for seat in settings.seats:
        if seat.server not in names:
            raise SettingsError(
                "HOTLINE_SEATS", f"seat {seat.seat_id} names unknown Asterisk {seat.server!r}"
            )
        unknown = set(seat.lines) - set(settings.lines)
        if unknown:
            raise SettingsError(
                "HOTLINE_SEATS", f"seat {seat.seat_id} serves unknown line(s) {sorted(unknown)}"
            )
    _check_unique([seat.seat_id for seat in settings.seats], "HOTLINE_SEATS")
    if settings.routed_servers and not settings.seats:
        raise SettingsError("HOTLINE_SEATS", "the ACD routes calls but no seats are configured")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError("HOTLINE_TIMEZONE", f"unknown time zone {settings.timezone!r}") from exc
    _check_recordings_dir(settings.recordings_dir)
    if settings.redis_url is not None and not settings.redis_url.startswith(
        ("redis://", "rediss://", "unix://")
    ):
        raise SettingsError("HOTLINE_REDIS_URL", "must be a redis:// URL")


def _check_recordings_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(
            "HOTLINE_RECORDINGS_DIR", f"cannot create {path}: {exc.strerror}"
        ) from exc
    if not os.access(path, os.R_OK | os.W_OK):
        raise SettingsError("HOTLINE_RECORDINGS_DIR", f"{path} is not readable and writable")
