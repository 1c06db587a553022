"""The two commands a newcomer and an operator run: ``hotline demo`` and ``hotline serve``."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from web.cli import main
from web.demo import DemoOptions, run_demo


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_demo_runs_for_its_duration_and_writes_the_summary(tmp_path: Path) -> None:
    summary_path = tmp_path / "out" / "summary.json"
    options = DemoOptions(
        seats=3,
        calls_per_minute=6,
        duration=240,
        summary_json=summary_path,
        http=f"127.0.0.1:{free_port()}",
        data_dir=tmp_path / "demo",
        speed=40,
    )
    assert await run_demo(options) == 0
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert summary["seats"] == 3
    assert summary["calls_offered"] >= 5
    # agents are signed in: seats answer most calls
    assert summary["calls_answered"] >= summary["calls_offered"] // 2
    assert summary["calls_answered"] + summary["calls_abandoned"] <= summary["calls_offered"]
    assert 0 <= summary["answer_rate_15s"] <= summary["connection_rate"] <= 1
    assert {s["seat"] for s in summary["per_seat"]} <= {"8001", "8002", "8003"}
    assert sum(s["answered"] for s in summary["per_seat"]) == summary["calls_answered"]
    assert (tmp_path / "demo" / "hotline.db").is_file()
    # every call is recorded: a WAV still waiting for conversion, or its stored opus file
    recorded = tmp_path / "demo" / "recordings"
    assert any(recorded.glob("*.wav")) or any(recorded.rglob("*.opus"))


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "HOTLINE_AMI"),
        ({"HOTLINE_AMI": "ami://u:p@127.0.0.1:5038"}, "HOTLINE_DATABASE_URL"),
        (
            {"HOTLINE_AMI": "ami://u:p@127.0.0.1:5038", "HOTLINE_DATABASE_URL": "oracle://x"},
            "HOTLINE_DATABASE_URL",
        ),
    ],
)
def test_serve_refuses_to_start_without_a_setting_and_names_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    named: str,
) -> None:
    for key in ("HOTLINE_AMI", "HOTLINE_DATABASE_URL", "HOTLINE_REDIS_URL", "HOTLINE_SEATS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["serve"]) == 2
    error = capsys.readouterr().err
    assert "configuration error" in error
    assert named in error


def test_demo_flags_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--seats", "0"])
    assert "greater than 0" in capsys.readouterr().err
