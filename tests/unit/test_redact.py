"""Full phone numbers never reach a log line or an error text; ids that only look like
numbers (call ids, order numbers, times, seats, queues, UUIDs) come through unchanged."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tickets.orders import make_order_number
from tickets.privacy import mask_number
from tickets.redact import RedactNumbers, install_redaction, mask_numbers

MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
LANDLINES = st.from_regex(r"0[1-9][0-9]{8,10}", fullmatch=True)
# text that may stand next to a number: nothing that makes it part of a word or decimal
EDGES = st.text(
    alphabet=st.sampled_from(list(" :=,;/()[]{}<>'\"@#!?\n\t来电号码：。")),
    max_size=6,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("caller 13812341234 waiting", "caller 138****1234 waiting"),
        ("caller_number: '13812341234' is not", "caller_number: '138****1234' is not"),
        ("+8613812341234", "+86****1234"),
        ("0086 138 1234 1234", "008****1234"),
        ("138-1234-1234 or 138 1234 1234", "138****1234 or 138****1234"),
        ("来电13812341234号码", "来电138****1234号码"),
        ("号码：１３８１２３４１２３４。", "号码：138****1234。"),
        ("PJSIP/13812341234-00000001", "PJSIP/138****1234-00000001"),
        (
            "Local/13812341234@hotline-callback-0000001;1",
            "Local/138****1234@hotline-callback-0000001;1",
        ),
        ("13812341234.wav", "138****1234.wav"),
        ("call from 13812341234.", "call from 138****1234."),
        ("02164881234", "021****1234"),
        ("075512345678 and 0755-12345678", "075****5678 and 075****5678"),
        ("021-6488-1234, 021 6488 1234", "021****1234, 021****1234"),
        ("(021) 64881234 / (0755)12345678", "021****1234 / 075****5678"),
        ("+86 21 64881234", "+86****1234"),
        ("013812341234 (trunk prefix)", "013****1234 (trunk prefix)"),
    ],
)
def test_full_numbers_are_masked_as_the_pages_mask_them(text: str, expected: str) -> None:
    assert mask_numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "call 1700000000.12 on pbx1 answered by seat 8001 (agent 1001) on line 12345",
        "linkedid 1732345678.13812341234 uniqueid 1700000000.123",
        "order 12345-20261123-K3J9QX2M and 962121-20261124-W0000042 dispatched",
        "2026-11-23 10:00:00,123 INFO  acd.service: 2026-11-23T10:00:00.123456+08:00",
        "epoch ms 1763865600000, us 1763865600000000, 14 digits 12345678901234",
        "queue 962121 waiting 3, longest 13.81234123 s, rate 0.9",
        "bridge 550e8400-e29b-41d4-a716-013812341234 joined",
        "sha256 0138123412340abc013812341234ffee and x13812341234 and 13812341234y",
        "lines 12345,962121 seats 8001,8002:12345,8003:12345+962121:dialect@pbx2",
        "decimal 13812341234.5 and 1.13812341234",
        "phone extension 8001, hold 5038, ring 15 s, wrap-up 30 s",
        "139-20261123-K3J9QX2M",
    ],
)
def test_ids_that_look_like_numbers_are_left_alone(text: str) -> None:
    assert mask_numbers(text) == text


@given(before=EDGES, number=MOBILES, after=EDGES)
def test_any_mobile_anywhere_in_text_is_masked(before: str, number: str, after: str) -> None:
    masked = mask_numbers(f"{before}{number}{after}")
    assert masked == f"{before}{mask_number(number)}{after}"


@given(before=EDGES, number=LANDLINES, after=EDGES)
def test_any_landline_with_its_area_code_is_masked(before: str, number: str, after: str) -> None:
    masked = mask_numbers(f"{before}{number}{after}")
    assert masked == f"{before}{mask_number(number)}{after}"


@st.composite
def log_lines(draw: st.DrawFn) -> str:
    """A line made of the ids the service logs, none of them a phone number."""
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
        seconds=draw(st.integers(0, 5 * 365 * 86400)), microseconds=draw(st.integers(0, 999999))
    )
    epoch = int(at.timestamp())
    call_id = f"{epoch}.{draw(st.integers(0, 10**12))}"
    line = draw(st.sampled_from(["12345", "962121"]))
    tokens = [
        call_id,
        make_order_number(line, at, "pbx1", call_id),
        at.isoformat(),
        at.strftime("%Y-%m-%d %H:%M:%S,%f"),
        at.strftime("%Y%m%d-%H%M%S"),
        str(epoch * 1000),
        str(draw(st.integers(8000, 8999))),
        line,
        str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)))),
        f"{draw(st.floats(0, 10**6, allow_nan=False)):.3f}",
    ]
    chosen = draw(st.lists(st.sampled_from(tokens), min_size=1, max_size=8))
    separators = draw(st.lists(st.sampled_from([" ", ", ", "=", "/", ":", " seat "]), min_size=8))
    return "".join(token + sep for token, sep in zip(chosen, separators, strict=False))


@given(log_lines())
def test_lines_of_ids_come_through_unchanged(line: str) -> None:
    assert mask_numbers(line) == line


@given(st.text(alphabet=st.sampled_from(list("0123456789 -+().x来")), max_size=40))
def test_masking_twice_changes_nothing_more(text: str) -> None:
    once = mask_numbers(text)
    assert mask_numbers(once) == once


# -- the logging filter ----------------------------------------------------------------


@pytest.fixture
def redacted_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    logger = logging.getLogger("hotline.test.redact")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    install_redaction(logger)
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_log_arguments_are_masked_and_ids_kept(
    redacted_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = redacted_log
    logger.info("caller %s waiting on %s, call %s", "13812341234", "12345", "1700000000.12")
    logger.info(
        "order %(number)s for %(caller)s",
        {"number": "12345-20261123-K3J9QX2M", "caller": "02164881234"},
    )
    assert stream.getvalue() == (
        "INFO caller 138****1234 waiting on 12345, call 1700000000.12\n"
        "INFO order 12345-20261123-K3J9QX2M for 021****1234\n"
    )


def test_tracebacks_are_masked(redacted_log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = redacted_log
    try:
        raise ValueError("duplicate caller 13812341234 on call 1700000000.12")
    except ValueError:
        logger.exception("write failed for %s", "+8613812341234")
    written = stream.getvalue()
    assert "13812341234" not in written
    assert "write failed for +86****1234" in written
    assert "ValueError: duplicate caller 138****1234 on call 1700000000.12" in written


def test_the_filter_is_installed_once_per_handler() -> None:
    logger = logging.getLogger("hotline.test.redact.once")
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        install_redaction(logger)
        install_redaction(logger)
        assert sum(isinstance(f, RedactNumbers) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)


def test_the_command_line_logging_masks_numbers() -> None:
    """The logging ``hotline serve`` and ``hotline demo`` set up (in a process of its own,
    as the command runs)."""
    program = (
        "import logging; from web.cli import _configure_logging; _configure_logging('INFO'); "
        "logging.getLogger('acd.service').warning('caller %s, call %s', '13812341234', "
        "'1700000000.12')"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert "acd.service: caller 138****1234, call 1700000000.12" in done.stderr
    assert "13812341234" not in done.stderr
