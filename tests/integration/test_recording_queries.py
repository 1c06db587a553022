"""Finding recordings: by the call's caller, agent and outcome, by duration, by work order
(the accepting call and its callbacks), a page and the total; the access log."""

from __future__ import annotations

from pathlib import Path

from recordings.queries import (
    RecordingQuery,
    access_log,
    log_access,
    recording_of_call,
    recordings_of_order,
    search_recordings,
)
from tests.integration.db_kit import at, call, migrated_engine
from tests.integration.recordings_kit import PipelineRig, add_stored, pipeline_rig
from tickets.models import WorkOrderRow
from tickets.order_models import OrderRevisitRow
from tickets.store import write_batch

ORDER = "12345-20261123-AAAAAAAA"


async def _calls_orders_recordings(rig: PipelineRig, database_url: str) -> None:
    """c1 answered by agent 1001 (order ORDER), c2 abandoned, c3 the callback of ORDER by 1002."""
    calls = [
        call("c1", caller="13800000001", agent="1001", seat="8001", outcome="answered"),
        call("c2", caller="13800000002", queued=60, outcome="abandoned"),
        call("c3", caller="13800000001", queued=120, agent="1002", direction="callback"),
    ]
    async with migrated_engine(database_url) as engine, engine.begin() as conn:
        await write_batch(conn, calls)
    await add_stored(rig.sessions, rig.storage, "c1", duration_seconds=95.0)
    await add_stored(rig.sessions, rig.storage, "c2", duration_seconds=12.0, started_at=at(60))
    await add_stored(
        rig.sessions, rig.storage, "c3", duration_seconds=40.0, started_at=at(120), kind="callback"
    )
    async with rig.sessions() as session, session.begin():
        order = WorkOrderRow(number=ORDER, server="pbx1", call_id="c1", line="12345")
        order.caller_number, order.status, order.created_at, order.updated_at = (
            "13800000001",
            "replied",
            at(0),
            at(0),
        )
        session.add(order)
        await session.flush()
        revisit = OrderRevisitRow(order_id=order.id, attempt=1, placed_at=at(120), agent="1002")
        revisit.server, revisit.call_id = "pbx1", "c3"
        session.add(revisit)


async def _found(rig: PipelineRig, query: RecordingQuery) -> tuple[list[str], int]:
    async with rig.sessions() as session:
        hits, total = await search_recordings(session, query)
    return [hit.recording.call_id for hit in hits], total


async def test_recordings_are_found_by_call_duration_and_work_order_newest_first(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path, start=False) as rig:
        await _calls_orders_recordings(rig, database_url)
        everything = await _found(rig, RecordingQuery())
        by_caller = await _found(rig, RecordingQuery(caller="13800000001"))
        by_agent = await _found(rig, RecordingQuery(agent="1001"))
        by_outcome = await _found(rig, RecordingQuery(outcome="abandoned"))
        by_length = await _found(rig, RecordingQuery(min_seconds=30, max_seconds=95))
        by_order = await _found(rig, RecordingQuery(order=ORDER))
        by_time = await _found(rig, RecordingQuery(start=at(60), end=at(120)))
        page = await _found(rig, RecordingQuery(limit=1, offset=1))
        async with rig.sessions() as session:
            hits, _ = await search_recordings(session, RecordingQuery(kind="callback"))
            of_order = await recordings_of_order(session, ORDER)
            none = await recording_of_call(session, "pbx1", "c9")
    assert everything == (["c3", "c2", "c1"], 3)
    assert by_caller == (["c3", "c1"], 2)
    assert by_agent == (["c1"], 1)
    assert by_outcome == (["c2"], 1)
    assert by_length == (["c3", "c1"], 2)
    assert by_order == (["c3", "c1"], 2)
    assert by_time == (["c2"], 1)
    assert page == (["c2"], 3)
    (callback,) = hits
    assert callback.order_number == ORDER  # through its callback (回访) attempt
    assert callback.call is not None
    assert callback.call.agent == "1002"
    assert [row.call_id for row in of_order] == ["c1", "c3"]
    assert none is None


async def test_the_access_log_lists_plays_and_downloads_newest_first(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path, start=False) as rig:
        row = await add_stored(rig.sessions, rig.storage, "c1")
        async with rig.sessions() as session, session.begin():
            log_access(session, row.id, at=at(10), actor="qa1", action="play", reason="质检抽查")
            log_access(
                session, row.id, at=at(20), actor="sup1", action="download", source="10.0.0.7"
            )
        async with rig.sessions() as session:
            entries = await access_log(session, row.id)
    assert [(e.actor, e.action, e.reason, e.source) for e in entries] == [
        ("sup1", "download", "", "10.0.0.7"),
        ("qa1", "play", "质检抽查", ""),
    ]
