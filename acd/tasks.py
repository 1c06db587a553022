"""Ending background tasks for sure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)


async def end_tasks(tasks: Iterable[asyncio.Task[None]]) -> None:
    """Cancel ``tasks`` and wait for them to end, cancelling again as long as one runs:
    redis-py can swallow a cancellation that lands in the middle of a command."""
    running = set(tasks)
    while running:
        for task in running:
            task.cancel()
        done, running = await asyncio.wait(running, timeout=0.1)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("task %s ended with an error", task.get_name(), exc_info=task.exception())
