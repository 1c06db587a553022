"""Helpers of the work-order tests: an order desk on a migrated database with a clock
the test moves, and a draft stored as the ACD stores it. No tests here."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.integration.db_kit import migrated_engine
from tickets.catalogue import DEMO_UNITS
from tickets.categories import DEFAULT_CATEGORIES
from tickets.db import session_factory
from tickets.deadlines import DeadlineRules
from tickets.handling import OrderHandling
from tickets.records import WorkOrderDraft
from tickets.store import write_batch
from tickets.workdays import WorkCalendar
from tickets.workflow import OrderRules

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = OrderRules(
    deadlines=DeadlineRules(),
    calendar=WorkCalendar(SHANGHAI),
    categories=DEFAULT_CATEGORIES,
    catalogue=DEMO_UNITS,
)


def local(text: str) -> datetime:
    """``2026-09-30 10:00`` in Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@dataclass
class MovableClock:
    at: datetime

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class OrdersKit:
    sessions: async_sessionmaker[AsyncSession]
    desk: OrderHandling
    clock: MovableClock
    drafts: list[str] = field(default_factory=list)

    async def draft(self, call_id: str, caller: str = "13812341234", line: str = "12345") -> str:
        """A draft as the ACD opens it when a seat answers."""
        number = f"{line}-T-{call_id}"
        draft = WorkOrderDraft(
            number=number,
            server="pbx1",
            call_id=call_id,
            line=line,
            caller_number=caller,
            created_at=self.clock(),
            seat="8001",
            agent="1001",
        )
        async with self.sessions() as session, session.begin():
            await write_batch(await session.connection(), [draft])
        self.drafts.append(number)
        return number


@contextlib.asynccontextmanager
async def orders_kit(
    database_url: str, start: datetime, rules: OrderRules = RULES
) -> AsyncIterator[OrdersKit]:
    async with migrated_engine(database_url) as engine:
        sessions = session_factory(engine)
        clock = MovableClock(start)
        yield OrdersKit(sessions, OrderHandling(sessions, rules, clock), clock)
