"""The AMI wire format: bytes <-> messages, with every edge case of a real Asterisk 22.

A message is a block of ``Key: Value`` lines ended by an empty line. The stream
starts with a one-line banner (``Asterisk Call Manager/11.0.0``) that has no empty
line after it. Decoding happens per whole message, never per TCP read, so a
UTF-8 caller name split across two reads keeps every character. Values that
would break the framing (CR, LF, NUL) are refused before they reach a socket.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

BANNER_PREFIX = b"Asterisk Call Manager/"
TERMINATORS = (b"\r\n\r\n", b"\n\n")
DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024
DEFAULT_ENCODINGS = ("utf-8", "gb18030")
FROM_ASTERISK = ("Event", "Response")  # what a client reads
FROM_CLIENT = ("Action",)  # what a server (the simulated Asterisk) reads

_HEADER_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
_HEADER_LINE = re.compile(r"^([A-Za-z0-9_\-]+): ?([^\r\n]*)", re.MULTILINE)
# Asterisk writes no message with an ``Event:`` line after its first line, so such a
# line starts a new message: the one before it lost its end. (Not ``Response:``:
# OriginateResponse events carry one. Not ``Action:``: clients order headers freely.)
_EVENT_START = re.compile(rb"^Event:", re.MULTILINE)
_TERMINATOR = re.compile(rb"\r?\n\r?\n")  # the TERMINATORS, and a mixed "\n\r\n"
_TERMINATOR_TAIL = max(len(term) for term in TERMINATORS) - 1
_FORBIDDEN_IN_VALUE = ("\r", "\n", "\x00")


class UnsafeHeader(ValueError):
    """A header name or value would inject or break AMI framing."""


@dataclass(frozen=True, slots=True)
class AmiMessage:
    """One AMI message: headers in arrival order, duplicates kept (``Output:``).

    ``msg["Uniqueid"]`` raises KeyError when the header is absent, unlike
    panoramisk's ``msg.uniqueid`` which silently returns ''.
    """

    headers: tuple[tuple[str, str], ...]
    # Asterisk spells a header the same way every time: look the exact name up first
    # (built in C from the tuple), and build the case-folded index only on a miss.
    _exact: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _folded: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._exact.update(reversed(self.headers))  # the first of repeated headers wins

    @classmethod
    def of(cls, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> AmiMessage:
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return cls(tuple((str(k), str(v)) for k, v in pairs))

    def _fold(self) -> dict[str, str]:
        if not self._folded and self.headers:
            self._folded.update({key.lower(): value for key, value in reversed(self.headers)})
        return self._folded

    def __getitem__(self, key: str) -> str:
        value = self._exact.get(key)
        return value if value is not None else self._fold()[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self._exact or key.lower() in self._fold())

    def get(self, key: str, default: str | None = None) -> str | None:
        value = self._exact.get(key)
        return value if value is not None else self._fold().get(key.lower(), default)

    def get_all(self, key: str) -> list[str]:
        wanted = key.lower()
        return [value for name, value in self.headers if name.lower() == wanted]

    @property
    def event(self) -> str | None:
        return self.get("Event")

    @property
    def response(self) -> str | None:
        return self.get("Response")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    def as_dict(self) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = {}
        for key, value in self.headers:
            if key in out:
                previous = out[key]
                out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                out[key] = value
        return out

    def encode(self) -> bytes:
        """The message as Asterisk would send it (used by the simulated Asterisk)."""
        return encode_headers(self.headers)


def _check_header(name: str, value: str) -> None:
    if not _HEADER_NAME.match(name):
        raise UnsafeHeader(f"header name {name!r} is not a valid AMI header name")
    if any(bad in value for bad in _FORBIDDEN_IN_VALUE):
        raise UnsafeHeader(f"value of header {name!r} contains CR, LF or NUL: {value!r}")


def _pairs(
    headers: Mapping[str, object] | Iterable[tuple[str, object]],
) -> Iterator[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in items:
        if isinstance(value, (list, tuple)):
            for item in value:
                yield name, str(item)
        elif value is not None:
            yield name, str(value)


def encode_headers(
    headers: Mapping[str, object] | Iterable[tuple[str, object]], encoding: str = "utf-8"
) -> bytes:
    """Encode one message; list values become repeated headers. Raises UnsafeHeader."""
    lines = []
    for name, value in _pairs(headers):
        _check_header(name, value)
        lines.append(f"{name}: {value}\r\n")
    return ("".join(lines) + "\r\n").encode(encoding)


def decode_message(
    raw: bytes,
    encodings: Sequence[str] = DEFAULT_ENCODINGS,
    kinds: Sequence[str] = FROM_ASTERISK,
) -> AmiMessage | None:
    """Decode one complete message (without its terminator).

    None if it is not AMI: no header, or none of the ``kinds`` headers
    (Event/Response from Asterisk, Action from a client).
    """
    text = _decode_text(raw, encodings)
    # Lines that are not "Name: value" (no colon, a bad name) are left out.
    headers: tuple[tuple[str, str], ...] = tuple(_HEADER_LINE.findall(text))
    if not headers:
        return None
    message = AmiMessage(headers)
    if not any(kind in message for kind in kinds):
        return None
    return message


def _decode_text(raw: bytes, encodings: Sequence[str]) -> str:
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    log.warning("AMI: message is in none of %s; undecodable bytes replaced", list(encodings))
    return raw.decode(encodings[0] if encodings else "utf-8", errors="replace")


@dataclass
class ReaderStats:
    messages: int = 0
    skipped_garbage: int = 0
    skipped_oversized: int = 0


class MessageReader:
    """Incremental framer: feed it TCP chunks, get whole decoded messages back.

    Garbage (a block with no ``Key: Value`` line naming an Event or Response) and
    blocks larger than ``max_message_bytes`` are logged and skipped; the stream
    stays usable for every message after them. A frame that lost its end and ran
    into the next one is split where the next one's ``Event:`` line starts.
    """

    def __init__(
        self,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        encodings: Sequence[str] = DEFAULT_ENCODINGS,
        expect_banner: bool = True,
        kinds: Sequence[str] = FROM_ASTERISK,
    ) -> None:
        self.max_message_bytes = max_message_bytes
        self.encodings = tuple(encodings)
        self.kinds = tuple(kinds)
        self._split_events = "Event" in self.kinds
        self.banner: str | None = None
        self._expect_banner = expect_banner
        self._buffer = bytearray()
        self._discarding = False
        self._resume_at = 0  # where to look for the next terminator in the buffer
        self.stats = ReaderStats()

    def feed(self, chunk: bytes) -> list[AmiMessage]:
        self._buffer += chunk
        messages: list[AmiMessage] = []
        if self._expect_banner and not self._take_banner():
            return messages
        start = 0
        search_from = self._resume_at
        while (end := _TERMINATOR.search(self._buffer, max(start, search_from))) is not None:
            block = bytes(self._buffer[start : end.start()])
            start = end.end()
            if self._discarding:
                self._discarding = False  # the end of a skipped oversized message
                continue
            messages.extend(self._decode_block(block))
        del self._buffer[:start]
        # no terminator in the rest, but its last bytes may begin one
        self._resume_at = max(0, len(self._buffer) - _TERMINATOR_TAIL)
        self._guard_size()
        return messages

    def _take_banner(self) -> bool:
        """Consume the banner line; False while it is still incomplete."""
        if len(self._buffer) < len(BANNER_PREFIX) and BANNER_PREFIX.startswith(bytes(self._buffer)):
            return False
        if self._buffer.startswith(BANNER_PREFIX):
            end = self._buffer.find(b"\n")
            if end < 0:
                return False
            self.banner = self._buffer[:end].decode("ascii", errors="replace").strip()
            del self._buffer[: end + 1]
        self._expect_banner = False
        return True

    def _decode_block(self, block: bytes) -> list[AmiMessage]:
        if not block.strip(b"\r\n"):
            return []
        if len(block) > self.max_message_bytes:
            self._skip_oversized(len(block))
            return []
        run_together = self._split_events and block.find(b"\nEvent:") >= 0
        starts = (
            [m.start() for m in _EVENT_START.finditer(block) if m.start() > 0]
            if run_together
            else []
        )
        if not starts:
            message = self._decode_one(block)
            return [] if message is None else [message]
        log.warning(
            "AMI: a frame without its end ran into the next one; split in %d", len(starts) + 1
        )
        bounds = zip([0, *starts], [*starts, len(block)], strict=True)
        parts = (self._decode_one(block[start:end]) for start, end in bounds)
        return [message for message in parts if message is not None]

    def _decode_one(self, block: bytes) -> AmiMessage | None:
        message = decode_message(block, self.encodings, self.kinds)
        if message is None:
            self.stats.skipped_garbage += 1
            log.warning(
                "AMI: skipped %d bytes that are not an AMI message: %r", len(block), block[:60]
            )
            return None
        self.stats.messages += 1
        return message

    def _guard_size(self) -> None:
        if len(self._buffer) > self.max_message_bytes:
            if not self._discarding:
                self._skip_oversized(len(self._buffer))
            # keep what may be the start of the terminator that ends the skipped message
            del self._buffer[:-_TERMINATOR_TAIL]
            self._resume_at = 0
            self._discarding = True

    def _skip_oversized(self, size: int) -> None:
        self.stats.skipped_oversized += 1
        log.warning(
            "AMI: skipped a message of %d bytes or more (limit %d)", size, self.max_message_bytes
        )

    @property
    def pending_bytes(self) -> int:
        return len(self._buffer)
