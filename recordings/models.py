"""The recordings' tables: one row per recording of a call (inbound or callback), and the
log of every play and download.

A recording row is created when its call ends with a MixMonitor WAV (state
``pending``), and moves ``pending → converting → stored`` as the pipeline converts,
verifies and stores it; ``failed`` keeps the error and the WAV; ``missing`` is a call
whose WAV was never found; ``purged`` a recording removed by retention (the row stays,
for the audit). Size, duration, format and SHA-256 are those of the stored file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tickets.models import Base, BigId, UtcDateTime

RECORDING_STATES = ("pending", "converting", "stored", "failed", "missing", "purged")


class RecordingRow(Base):
    __tablename__ = "recordings"
    __table_args__ = (
        UniqueConstraint("server", "call_id"),
        Index(None, "state", "id"),  # the pipeline's backlog, oldest first
        Index(None, "started_at"),
        Index(None, "line", "started_at"),
        Index(None, "purge_after"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    server: Mapped[str] = mapped_column(String)
    call_id: Mapped[str] = mapped_column(String)
    line: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)  # call (inbound), callback (漏接回拨 / 回访)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)  # when the call was queued
    source_path: Mapped[str] = mapped_column(Text)  # the MixMonitor WAV as Asterisk wrote it
    state: Mapped[str] = mapped_column(String, default="pending")
    # who converts it and since when (state converting): another instance leaves it alone
    # until the claim is older than any conversion takes
    claimed_by: Mapped[str | None] = mapped_column(String)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    storage_key: Mapped[str | None] = mapped_column(Text)  # where the storage keeps it
    format: Mapped[str | None] = mapped_column(String)  # opus, mp3
    size: Mapped[int | None] = mapped_column(BigId)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    sha256: Mapped[str | None] = mapped_column(String)
    source_sha256: Mapped[str | None] = mapped_column(String)  # of the WAV it came from
    repaired: Mapped[bool] = mapped_column(Boolean, default=False)  # a WAV header fixed
    waveform: Mapped[list[float] | None] = mapped_column(JSON)  # peaks, computed once
    converted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    purge_after: Mapped[datetime | None] = mapped_column(UtcDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RecordingAccessRow(Base):
    """Who played or downloaded which recording, when, from where and why."""

    __tablename__ = "recording_access"
    __table_args__ = (
        Index(None, "recording_id", "at"),
        Index(None, "actor", "at"),
        Index(None, "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    recording_id: Mapped[int] = mapped_column(BigId)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)  # play, download, purge, hold, release
    source: Mapped[str] = mapped_column(String, default="")  # the client's address
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
