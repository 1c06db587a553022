"""Full phone numbers out of free text: log lines, error messages, health figures.

Caller data is confidential by contract, so any text that leaves the process for a
log file, an error body or a monitoring probe goes through ``mask_numbers``: every
full mainland mobile (``13812341234``, ``+86 138 1234 1234``) and every landline
with its area code (``02164881234``, ``021-6488 1234``, ``(0755) 12345678``) becomes
what ``tickets.privacy.mask_number`` makes of it (``138****1234``).

What only looks like a number is left alone: a digit run that is part of a longer
one, of a word (``K3J9QX2M``), of a decimal (call ids ``1700000000.12``) or of a
UUID; so are order numbers (``12345-20261123-K3J9QX2M``), dates and times, seat ids
and queue names, none of which has the shape of a full number.

``RedactNumbers`` is the same rule as a ``logging.Filter``; ``install_redaction``
puts it on the handlers of a logger (the root logger by default).
"""

from __future__ import annotations

import logging
import re

from tickets.privacy import mask_number

_NOT_AFTER_WORD = r"(?<![A-Za-z\d])(?<!\d\.)"
_NOT_BEFORE_WORD = r"(?![A-Za-z\d])(?!\.\d)"
_COUNTRY = r"(?:\+|00)86[- ]?"
_MOBILE = r"1[3-9]\d(?:\d{8}|(?P<sep>[- ])\d{4}(?P=sep)\d{4})"
_LOCAL = r"\d{3,4}[- ]?\d{4}"  # 6488 1234, 64881234, 648-1234
_PHONE = (
    _NOT_AFTER_WORD
    + "(?:"
    + "|".join(
        (
            f"(?:{_COUNTRY}|86)?{_MOBILE}",  # 13812341234, +8613812341234
            r"0[1-9]\d{8,10}",  # 02164881234, 075512345678
            rf"0[1-9]\d{{1,2}}[- ]{_LOCAL}",  # 021-64881234, 0755 1234 5678
            rf"\(0[1-9]\d{{1,2}}\) ?{_LOCAL}",  # (021) 64881234
            rf"{_COUNTRY}[1-9]\d{{1,2}}[- ]?{_LOCAL}",  # +86 21 64881234
        )
    )
    + ")"
    + _NOT_BEFORE_WORD
)
# a UUID (Asterisk bridge ids) is matched as a whole first, and kept
_UUID = r"(?<![A-Za-z\d])[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(?![A-Za-z\d])"
_TOKENS = re.compile(f"(?P<uuid>{_UUID})|{_PHONE}", re.ASCII)
_SEPARATORS = re.compile(r"[-() ]")
_DIGIT = re.compile(r"[0-9\uff10-\uff19]")
# full-width digits (typed with a Chinese input method) are read as ASCII ones
_ASCII_DIGITS = str.maketrans({chr(0xFF10 + digit): str(digit) for digit in range(10)})


def mask_numbers(text: str) -> str:
    """``text`` with every full phone number masked; anything else unchanged.

    Numbers are found in a copy with full-width digits made ASCII (one character for
    one, so the places are the same) and replaced in ``text``."""
    if not _DIGIT.search(text):
        return text
    parts: list[str] = []
    start = 0
    for match in _TOKENS.finditer(text.translate(_ASCII_DIGITS)):
        if match.group("uuid") is None:
            parts.append(text[start : match.start()])
            parts.append(mask_number(_SEPARATORS.sub("", match.group(0))))
            start = match.end()
    parts.append(text[start:])
    return "".join(parts)


class RedactNumbers(logging.Filter):
    """Masks full phone numbers in a record's message, exception and stack text.

    On a handler it sees every record that handler writes, whichever logger made it.
    The record is changed in place: the message is formatted once, here, so the
    arguments are dropped, and the traceback is formatted here as well.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_numbers(record.stack_info)
        return True


def install_redaction(logger: logging.Logger | None = None) -> RedactNumbers:
    """Put one ``RedactNumbers`` on every handler of ``logger`` (the root logger by
    default) that has none yet; returns the filter, for handlers added later."""
    target = logger if logger is not None else logging.getLogger()
    shared = RedactNumbers()
    for handler in target.handlers:
        if not any(isinstance(existing, RedactNumbers) for existing in handler.filters):
            handler.addFilter(shared)
    return shared
