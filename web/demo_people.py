"""The demo's people: one user per role besides the agents at the demo's seats, all with
one published password, so that a newcomer can sign in as each of them and see their pages.
Never used outside the demo and the screenshots (a real centre adds its people with
``hotline users add``)."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from tickets.user_models import UserRow
from tickets.users import add_user, set_password
from web.keys import CLOCK, SESSIONS

DEMO_PASSWORD = "hotline-demo-2026"
DEMO_AGENTS = ("王芳", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏")
DEMO_UNIT = "town.meilong"  # a unit of tickets.catalogue.DEMO_UNITS


@dataclasses.dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    roles: tuple[str, ...]
    unit: str | None = None


# the people who sign in besides the demo's agents (1001, 1002, … as on their seats)
DEMO_STAFF = {
    "dispatcher": Person("2001", "孙丽", ("dispatcher",)),
    "supervisor": Person("3001", "钱军", ("supervisor",)),
    "callback": Person("4001", "周敏", ("callback",)),
    "qa": Person("5001", "郑红", ("qa",)),
    "admin": Person("9001", "冯涛", ("admin",)),
    "auditor": Person("9101", "韩梅", ("auditor",)),
    "unit": Person("u-meilong", "梅陇镇受理员", ("unit",), DEMO_UNIT),
}


def demo_agents(seats: int) -> list[Person]:
    return [
        Person(str(1001 + i), DEMO_AGENTS[i % len(DEMO_AGENTS)], ("agent",)) for i in range(seats)
    ]


async def add_demo_people(app: web.Application, seats: int, password: str) -> list[Person]:
    """Every demo person, made or (if the demo's data has them already) given ``password``."""
    people = [*demo_agents(seats), *DEMO_STAFF.values()]
    now = app[CLOCK].now()
    async with app[SESSIONS]() as session, session.begin():
        for person in people:
            if await session.get(UserRow, person.user_id) is not None:
                await set_password(session, person.user_id, password, now)
                continue
            await add_user(
                session,
                user_id=person.user_id,
                name=person.name,
                roles=list(person.roles),
                password=password,
                at=now,
                unit=person.unit,
            )
    return people
