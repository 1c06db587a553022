"""The deployment files agree with each other and with what the service needs.

Reads them with the small readers of deploy_readers.py and checks what breaks a real
deployment: AMI exposure and privileges, seats and trunk, dialplan jumps, shared paths,
ports, and secrets that must stay placeholders.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.unit.deploy_readers import Section, parse_conf, parse_yaml_subset
from web.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
ASTERISK = DEPLOY / "asterisk"

# -- the files ------------------------------------------------------------------------


def conf(name: str) -> dict[str, Section]:
    """Sections by name (the last of a name: PJSIP reuses names across types)."""
    return {s.name: s for s in parse_conf((ASTERISK / name).read_text("utf-8"), name)}


def pjsip(kind: str) -> dict[str, Section]:
    text = (ASTERISK / "pjsip.conf").read_text("utf-8")
    return {s.name: s for s in parse_conf(text) if s.get("type") == kind}


def compose() -> dict[str, Any]:
    document: dict[str, Any] = parse_yaml_subset((REPO / "docker-compose.yml").read_text("utf-8"))
    return document


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def read_env(name: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (DEPLOY / name).read_text("utf-8").splitlines())
    return {p[0].strip(): p[1].strip() for p in pairs if len(p) == 2 and p[0][:1] != "#"}


def mounted_at(service: str, source: str) -> list[str]:
    return [m.split(":")[1] for m in services()[service]["volumes"] if m.split(":")[0] == source]


def subnet() -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(compose()["networks"]["hotline"]["ipam"]["config"][0]["subnet"])


def fixed_address(service: str) -> str:
    address: str = services()[service]["networks"]["hotline"]["ipv4_address"]
    return address


# -- AMI ------------------------------------------------------------------------------

READ_CLASSES = {"system", "call", "agent", "user"}
WRITE_CLASSES = {"call", "originate", "reporting"}
# What the service waits for or turns into facts; each event's class as the captures show it.
NEEDED_EVENTS = (
    "FullyBooted", "Shutdown", "UserEvent", "DialBegin", "DialEnd", "Hangup", "BridgeEnter",
    "BridgeLeave", "MixMonitorStart", "DeviceStateChange", "OriginateResponse",
    "QueueCallerJoin", "QueueCallerAbandon", "AgentCalled", "AgentConnect", "AgentRingNoAnswer",
)  # fmt: skip
TABLE_ROW = re.compile(r";\s+(\w+)\s+((?:[a-z]+(?:\s*\|\s*)?)+)\s+->\s+(\S+)")


def privilege_table() -> dict[str, tuple[set[str], str]]:
    """manager.conf's comment table: action -> (classes it is registered with, granted by)."""
    lines = (ASTERISK / "manager.conf").read_text("utf-8").splitlines()
    rows = (TABLE_ROW.fullmatch(line.strip()) for line in lines)
    return {r[1]: ({c.strip() for c in r[2].split("|")}, r[3]) for r in rows if r}


def captured_event_classes() -> dict[str, str]:
    classes: dict[str, str] = {}
    for path in (REPO / "tests" / "fixtures" / "ami-captures").glob("*.amitrace"):
        for event, privilege in re.findall(rb"Event: (\w+)\r\nPrivilege: (\w+)", path.read_bytes()):
            classes[event.decode()] = privilege.decode().lower()
    return classes


def test_ami_listens_only_on_the_compose_network_and_stamps_events() -> None:
    general = conf("manager.conf")["general"]
    assert general.get("bindaddr") == fixed_address("asterisk")
    assert ipaddress.ip_address(general.get("bindaddr")) in subnet()
    published = [str(p).split(":")[-1] for s in services().values() for p in s.get("ports", [])]
    assert {"5038", "5432", "6379"} & {port.split("/")[0] for port in published} == set()
    assert general.get("webenabled") == "no"
    assert general.get("timestampevents") == "yes"
    assert general.get("displayconnects") == "yes"


def test_only_the_service_addresses_may_log_in_to_ami() -> None:
    rules = [(k, v) for k, v in conf("manager.conf")["hotline"].options if k in ("permit", "deny")]
    assert rules[0] == ("deny", "0.0.0.0/0.0.0.0"), "the last match wins: refuse all first"
    assert {kind for kind, _ in rules[1:]} == {"permit"}
    permitted = [ipaddress.ip_network(value) for _, value in rules[1:]]
    gateway = next(subnet().hosts())
    assert [n for n in permitted if n.network_address not in subnet() or gateway in n] == []
    assert [n for n in permitted if n.broadcast_address not in subnet()] == []
    assert any(ipaddress.ip_address(fixed_address("hotline")) in net for net in permitted)


def test_ami_user_has_exactly_the_least_privilege_classes() -> None:
    sections = conf("manager.conf")
    assert list(sections) == ["general", "hotline"]
    user = sections["hotline"]
    assert set(user.get("read").split(",")) == READ_CLASSES
    assert set(user.get("write").split(",")) == WRITE_CLASSES
    assert int(user.get("writetimeout")) >= 100


def test_privilege_table_grants_each_action_by_a_class_it_was_registered_with() -> None:
    table = privilege_table()
    assert len(table) > 10
    for action, (registered, granted) in table.items():
        if granted == "-":
            assert registered == {"none"}, action
        elif granted == "refused":
            assert registered & WRITE_CLASSES == set(), action
        else:
            assert granted in registered & WRITE_CLASSES, action
    assert {granted for _, granted in table.values()} - {"-", "refused"} == WRITE_CLASSES


def test_every_action_the_service_sends_is_in_the_privilege_table() -> None:
    sources = "".join(p.read_text("utf-8") for p in (REPO / "telephony").rglob("*.py"))
    sent = set(re.findall(r'"Action": "(\w+)"', sources))
    assert {"Login", "Redirect"} <= sent
    assert sent - set(privilege_table()) == set()


def test_events_the_service_needs_are_in_classes_it_may_read() -> None:
    classes = captured_event_classes()
    assert {e: classes[e] for e in NEEDED_EVENTS if classes[e] not in READ_CLASSES} == {}
    assert (classes["VarSet"], classes["Newexten"]) == ("dialplan", "dialplan")
    assert "dialplan" not in READ_CLASSES


# -- PJSIP ----------------------------------------------------------------------------


def seat_endpoints() -> dict[str, Section]:
    return {n: s for n, s in pjsip("endpoint").items() if s.get("context") == "hotline-seats"}


def test_every_seat_has_auth_one_contact_and_qualify() -> None:
    seats, auths, aors = seat_endpoints(), pjsip("auth"), pjsip("aor")
    assert list(seats) == [str(n) for n in range(8001, 8017)]
    for name, seat in seats.items():
        auth, aor = auths[seat.get("auth")], aors[seat.get("aors")]
        assert auth.get("username") == name
        assert auth.get("password") != ""
        assert aor.get("max_contacts") == "1"
        assert float(aor.get("qualify_frequency")) > 0
        assert (seat.get("disallow"), seat.all("allow")) == ("all", ["alaw,ulaw"])
        assert seat.get("direct_media") == "no"
        nat = [seat.get(k) for k in ("rtp_symmetric", "force_rport", "rewrite_contact")]
        assert nat == ["yes", "yes", "yes"]


def test_trunk_calls_enter_at_from_trunk_and_are_known_by_address() -> None:
    trunk = pjsip("endpoint")["trunk"]
    assert trunk.get("context") == "from-trunk"
    assert (trunk.get("allow"), trunk.get("direct_media")) == ("alaw,ulaw", "no")
    identifies = [s for s in pjsip("identify").values() if s.get("endpoint") == "trunk"]
    assert [bool(s.get("match")) for s in identifies] == [True]
    assert conf("pjsip.conf")["global"].get("endpoint_identifier_order").startswith("ip,")
    # the dialplan's callbacks dial PJSIP/<number>@${HOTLINE_TRUNK}: it needs a contact
    callback_trunk = pjsip("endpoint")[conf("extensions.conf")["globals"].get("hotline_trunk")]
    assert pjsip("aor")[callback_trunk.get("aors")].get("contact").startswith("sip:")


def test_transports_announce_the_host_and_treat_the_compose_network_as_local() -> None:
    transports = pjsip("transport").values()
    assert {t.get("protocol") for t in transports} == {"udp", "tcp"}
    for transport in transports:
        assert str(subnet()) in transport.all("local_net")
        media, signaling = (transport.get(f"external_{k}_address") for k in ("media", "signaling"))
        assert media == signaling != ""


# -- Dialplan -------------------------------------------------------------------------

APP = re.compile(r"(?:^|[?:,(])\s*([A-Z]\w+)\(")
SOUND_FORMATS = {".ulaw", ".alaw", ".wav", ".WAV", ".gsm", ".sln", ".g722"}
# applications of main/pbx_builtins.c and main/pbx.c: always there
BUILTIN_APPS = {
    "Answer",
    "Background",
    "Goto",
    "GotoIf",
    "Hangup",
    "NoOp",
    "Set",
    "Wait",
    "WaitExten",
}
APP_MODULES = {
    "Dial": "app_dial.so", "MixMonitor": "app_mixmonitor.so", "UserEvent": "app_userevent.so",
    "Read": "app_read.so", "Playback": "app_playback.so", "ExecIf": "app_exec.so",
    "MusicOnHold": "res_musiconhold.so", "Echo": "app_echo.so",
}  # fmt: skip


def dialplan_lines() -> list[str]:
    return [
        v for s in conf("extensions.conf").values() for k, v in s.options if k in ("exten", "same")
    ]


def test_every_context_the_dialplan_endpoints_and_service_use_exists() -> None:
    used = {"hotline-connect", "hotline-callback"}  # the service's Redirect and Originate
    used |= {s.get("context") for s in pjsip("endpoint").values()}
    for line in dialplan_lines():
        targets = re.findall(r"Goto\(([^)]*)\)", line)
        targets += [t for b in re.findall(r"GotoIf\([^?]*\?([^)]*)\)", line) for t in b.split(":")]
        used |= {t.split(",")[0] for t in targets if t.count(",") == 2}
    assert "hotline-survey" in used
    assert used - set(conf("extensions.conf")) == set()


def test_every_application_of_the_dialplan_is_loaded_or_asterisk_refuses_to_start() -> None:
    apps = set(APP.findall("\n".join(dialplan_lines()))) - {"CALLERID"}
    assert apps - BUILTIN_APPS - set(APP_MODULES) == set()
    required = set(conf("modules.conf")["modules"].all("require"))
    assert {APP_MODULES[a] for a in apps if a in APP_MODULES} - required == set()


def test_hold_music_class_the_dialplan_uses_has_files() -> None:
    text = "\n".join(dialplan_lines())
    classes = set(re.findall(r"MusicOnHold\((\w+)\)", text)) | set(re.findall(r"m\((\w+)\)", text))
    assert classes == {"default"}
    directory = conf("musiconhold.conf")["default"].get("directory")
    mounts = [m.split(":") for m in services()["asterisk"]["volumes"]]
    (source,) = [m[0] for m in mounts if m[1] == directory]
    playable = [f for f in (REPO / source).iterdir() if f.is_file() and f.suffix in SOUND_FORMATS]
    assert playable != []


LINES = ("12345", "962121")
PROMPTS = {
    "hotline/menu-12345",
    "hotline/menu-962121",
    "hotline/hold-keep-place",
    "hotline/keep-place-ok",
    "hotline/survey-prompt",
    "hotline/survey-thanks",
}


def test_prompts_are_mounted_where_the_callers_language_finds_them() -> None:
    text = "\n".join(dialplan_lines())
    per_line = [text.replace("${HOTLINE_LINE}", line) for line in LINES]
    prompts = {p for variant in per_line for p in re.findall(r"(hotline/[\w-]+)", variant)}
    assert prompts == PROMPTS
    language = pjsip("endpoint")["trunk"].get("language")
    targets = [m.split(":")[1] for m in services()["asterisk"]["volumes"]]
    assert f"/var/lib/asterisk/sounds/{language}/hotline" in targets
    readme = (ASTERISK / "README.md").read_text("utf-8")
    assert [p for p in prompts if f"`{p}`" not in readme] == []


# -- compose, image, environment ------------------------------------------------------


def test_recordings_path_is_the_same_for_asterisk_and_the_service() -> None:
    recdir = conf("extensions.conf")["globals"].get("hotline_recdir")
    assert mounted_at("asterisk", "recordings") == mounted_at("hotline", "recordings") == [recdir]
    assert services()["hotline"]["environment"]["HOTLINE_RECORDINGS_DIR"] == recdir
    # unwritten rows spill next to the recordings (web/app.py): a volume, not the image
    assert mounted_at("hotline", "hotline-spool") == [recdir.rpartition("/")[0]]


def test_published_ports_are_sip_rtp_and_http() -> None:
    rtp = conf("rtp.conf")["general"]
    span = f"{rtp.get('rtpstart')}-{rtp.get('rtpend')}"
    sip = ["5060:5060/udp", "5060:5060/tcp"]
    assert services()["asterisk"]["ports"] == [*sip, f"{span}:{span}/udp"]
    hotline = services()["hotline"]
    port = hotline["environment"]["HOTLINE_HTTP"].rpartition(":")[2]
    assert hotline["ports"] == [f"{port}:{port}"]
    assert f"127.0.0.1:{port}/api/health" in " ".join(hotline["healthcheck"]["test"])


def test_seats_the_service_routes_to_are_the_pjsip_seats() -> None:
    listed = read_env("hotline.env.example")["HOTLINE_SEATS"].split(",")
    seats = [item.split(":")[0].split("@")[0] for item in listed]
    assert seats == list(seat_endpoints())


def test_service_reaches_ami_database_and_redis_by_service_name() -> None:
    env, manager = read_env("hotline.env.example"), conf("manager.conf")
    ami = urlsplit(env["HOTLINE_AMI"])
    assert (ami.scheme, ami.username, ami.hostname) == ("ami", "hotline", "asterisk")
    assert ami.port == int(manager["general"].get("port"))
    assert ami.password == manager["hotline"].get("secret")
    db, postgres = urlsplit(env["HOTLINE_DATABASE_URL"]), services()["postgres"]["environment"]
    assert (db.hostname, db.path) == ("postgres", f"/{postgres['POSTGRES_DB']}")
    assert db.username == postgres["POSTGRES_USER"]
    assert db.password == read_env("postgres.env.example")["POSTGRES_PASSWORD"]
    assert urlsplit(env["HOTLINE_REDIS_URL"]).hostname == "redis"
    assert services()["hotline"]["env_file"] == ["deploy/hotline.env"]


def test_service_accepts_the_example_environment(tmp_path: Path) -> None:
    env = read_env("hotline.env.example") | services()["hotline"]["environment"]
    settings = load_settings(None, env | {"HOTLINE_RECORDINGS_DIR": str(tmp_path)})
    assert [(a.name, a.mode) for a in settings.ami] == [("pbx1", "route")]
    assert (settings.http_host, settings.http_port) == ("0.0.0.0", 8080)
    assert [seat.seat_id for seat in settings.seats] == list(seat_endpoints())


def test_long_running_services_restart_and_report_health() -> None:
    for name in ("asterisk", "postgres", "redis", "hotline"):
        service = services()[name]
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    hotline = services()["hotline"]
    assert hotline["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert hotline["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}


def test_committed_secrets_are_placeholders() -> None:
    texts = [path.read_text("utf-8") for path in ASTERISK.glob("*.conf")]
    options = [opt for text in texts for s in parse_conf(text) for opt in s.options]
    values = [value for key, value in options if key in ("secret", "password")]
    values += [urlsplit(u).password or "" for u in read_env("hotline.env.example").values()]
    values += list(read_env("postgres.env.example").values())
    assert len([v for v in values if v]) > 16
    assert [v for v in values if v and "CHANGE-ME" not in v] == []
    assert {"hotline.env", "postgres.env"} <= set((DEPLOY / ".gitignore").read_text().split())


def test_service_image_runs_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    steps = [line.split(None, 1) for line in dockerfile.splitlines() if re.match(r"[A-Z]+ ", line)]
    assert steps[-1] == ["CMD", '["hotline", "serve"]']
    assert ["FROM", "python:3.11-slim"] in steps
    assert [step[1] for step in steps if step[0] == "USER"] == ["hotline"]
    assert "/api/health" in dockerfile.split("HEALTHCHECK")[1]
    assert "tzdata" in dockerfile
    ignored = set((REPO / ".dockerignore").read_text("utf-8").split())
    assert {".git", ".venv", "**/*.env", "tests"} <= ignored


# -- the readers themselves -----------------------------------------------------------


def test_conf_reader_resolves_templates_and_rejects_what_is_not_asterisk_syntax() -> None:
    sections = parse_conf("[tpl](!)\ntype = aor ; note\n[8001](tpl)\nmax_contacts => 1\n")
    (seat,) = sections
    assert (seat.name, seat.options) == ("8001", [("type", "aor"), ("max_contacts", "1")])
    with pytest.raises(ValueError, match="not Asterisk syntax"):
        parse_conf("[a]\nthis line has no value\n")
    with pytest.raises(KeyError):
        parse_conf("[a](missing-template)\n")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a:\n\tb: 1\n", "tab"),
        ("restart: no\n", "ambiguous"),
        ("ports:\n  - 22:22\n", "base-60"),
        ("x: &anchor 1\n", "outside the subset"),
        ("a: 1\na: 2\n", "not a new mapping key"),
        ("a:\n  b: 1\n c: 2\n", "bad indentation"),
    ],
)
def test_yaml_reader_refuses_what_yaml_would_read_differently(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_yaml_subset(text)


def test_yaml_reader_reads_the_compose_file_as_a_full_yaml_parser_does() -> None:
    text = (REPO / "docker-compose.yml").read_text("utf-8")
    assert set(parse_yaml_subset(text)) == {"name", "services", "networks", "volumes"}
    yaml = pytest.importorskip("yaml")
    assert parse_yaml_subset(text) == yaml.safe_load(text)
