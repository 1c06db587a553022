"""``hotline screenshots`` without a browser: it says what to install and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.cli import main


def test_screenshots_without_chromium_say_what_to_install_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "screenshots"
    missing = tmp_path / "no-chromium"

    code = main(["screenshots", "--out", str(out), "--chromium", str(missing)])

    assert code == 2
    error = capsys.readouterr().err
    assert f"{missing} is missing" in error
    assert "apt-get install chromium fonts-noto-cjk" in error
    assert not out.exists()
