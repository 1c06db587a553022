"""Queue() in the simulated Asterisk beyond what the captures show: strategies, timeouts,
empty and full queues, autopause, the ``c`` option, and a PJSIP member.

Lab dialplan (callers originated into hotline-queue, seats steered by globals),
with queues.conf written per test.
"""

from __future__ import annotations

from pathlib import Path

from telephony.clock import FakeClock
from telephony.simulator import SeatBehaviour
from telephony.wire import AmiMessage
from tests.integration.sim_client import AmiTestClient, client, run_clock, running
from tests.integration.sim_replay import LAB, lab_config

MEMBERS = "\n".join(
    f"member => Local/{seat}@agents/n,0,Agent {seat}" for seat in ("8001", "8002", "8003")
)

ONE_MEMBER = "member => Local/8001@agents/n,0,Agent 8001"


def queues_conf(tmp_path: Path, settings: str, members: str = MEMBERS) -> Path:
    path = tmp_path / "queues.conf"
    body = f"[hotline]\nringinuse = no\nwrapuptime = 2\n{settings}\n{members}\n"
    path.write_text(f"[general]\nautofill = yes\n\n{body}", "utf-8")
    return path


def dialplan_with(tmp_path: Path, queue_call: str) -> Path:
    """The lab dialplan with another Queue() line in hotline-queue."""
    path = tmp_path / "extensions.conf"
    text = (LAB / "extensions.conf").read_text("utf-8")
    path.write_text(text.replace("Queue(hotline,,,,${QUEUE_MAX_WAIT})", queue_call), "utf-8")
    return path


async def originate(
    ami: AmiTestClient, clock: FakeClock, number: str, hang_up_after: int = 120
) -> str:
    await ami.action(
        "Originate",
        clock,
        Channel="Local/caller@callers",
        Context="hotline-queue",
        Exten="12345",
        Priority="1",
        CallerID=f'"Caller" <{number}>',
        Variable=f"CALLER_HANGUP_AFTER={hang_up_after}",
        Async="true",
    )
    joined = await ami.wait_for(
        lambda m: m.event == "QueueCallerJoin" and m["CallerIDNum"] == number, clock
    )
    return joined["Channel"]


async def result_of(ami: AmiTestClient, clock: FakeClock, channel: str) -> AmiMessage:
    return await ami.wait_for(
        lambda m: m.get("UserEvent") == "HotlineQueueResult" and m["Channel"] == channel, clock
    )


def called(ami: AmiTestClient) -> list[str]:
    return [m["MemberName"] for m in ami.events("AgentCalled")]


async def test_rrmemory_goes_on_from_the_member_after_the_last_one_rung(tmp_path: Path) -> None:
    clock = FakeClock()
    config = lab_config(tmp_path, queues=queues_conf(tmp_path, "strategy = rrmemory"))
    async with running(config, clock) as sim, client(sim) as ami:
        for number in ("13800000001", "13800000002", "13800000003", "13800000004"):
            await originate(ami, clock, number, hang_up_after=3)
            await run_clock(clock, 6.0)  # answered after 1 s, over after 3, wrap-up done
        assert called(ami) == ["Agent 8001", "Agent 8002", "Agent 8003", "Agent 8001"]


async def test_ringall_rings_every_free_member_and_cancels_the_others(tmp_path: Path) -> None:
    clock = FakeClock()
    config = lab_config(tmp_path, queues=queues_conf(tmp_path, "strategy = ringall"))
    async with running(config, clock) as sim, client(sim) as ami:
        await ami.action("Setvar", clock, Variable="AGENT_DELAY_8001", Value="5")
        await ami.action("Setvar", clock, Variable="AGENT_DELAY_8003", Value="5")
        await originate(ami, clock, "13800000001")
        connect = await ami.wait_for(lambda m: m.event == "AgentConnect", clock)
        assert sorted(called(ami)) == ["Agent 8001", "Agent 8002", "Agent 8003"]
        assert connect["MemberName"] == "Agent 8002"  # answers after 1 s, the others after 5
        ends = {
            m["DestChannel"].split("-")[0]: m["DialStatus"]
            for m in ami.events("DialEnd")
            if "Channel" in m  # not the Originate's own DialEnd
        }
        assert ends == {
            "Local/8001@agents": "CANCEL",
            "Local/8002@agents": "ANSWER",
            "Local/8003@agents": "CANCEL",
        }


async def test_leastrecent_and_fewestcalls_pick_the_idle_member(tmp_path: Path) -> None:
    for strategy in ("leastrecent", "fewestcalls"):
        clock = FakeClock()
        settings = f"strategy = {strategy}\nwrapuptime = 0"
        config = lab_config(tmp_path, queues=queues_conf(tmp_path, settings))
        async with running(config, clock) as sim, client(sim) as ami:
            for number in ("13800000001", "13800000002", "13800000003"):
                await originate(ami, clock, number, hang_up_after=3)
                await run_clock(clock, 5.0)
            # ties go to the member listed last; then the ones that took no call yet
            assert called(ami) == ["Agent 8003", "Agent 8002", "Agent 8001"], strategy


async def test_linear_always_starts_from_the_first_member(tmp_path: Path) -> None:
    clock = FakeClock()
    config = lab_config(tmp_path, queues=queues_conf(tmp_path, "strategy = linear"))
    async with running(config, clock) as sim, client(sim) as ami:
        for number in ("13800000001", "13800000002"):
            await originate(ami, clock, number, hang_up_after=3)
            await run_clock(clock, 6.0)
        assert called(ami) == ["Agent 8001", "Agent 8001"]


async def test_a_caller_waiting_past_the_queue_timeout_goes_on_with_timeout(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with running(lab_config(tmp_path), clock) as sim, client(sim) as ami:
        await ami.action("Setvar", clock, Variable="QUEUE_MAX_WAIT", Value="20")
        for seat in ("8001", "8002"):
            await ami.action("Setvar", clock, Variable=f"AGENT_MODE_{seat}", Value="noanswer")
        channel = await originate(ami, clock, "13800000001")
        result = await result_of(ami, clock, channel)
        abandon = ami.events("QueueCallerAbandon")[0]
        assert result["QueueStatus"] == "TIMEOUT"
        assert (abandon["Position"], abandon["OriginalPosition"]) == ("1", "1")
        # rang 8001 for 15 s (the member timeout), then the 3 s left of Queue()'s 20 s
        assert called(ami) == ["Agent 8001", "Agent 8002"]
        assert [m["RingTime"] for m in ami.events("AgentRingNoAnswer")] == ["15000", "3000"]


async def test_joinempty_keeps_a_caller_out_of_a_queue_with_every_member_paused(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    config = lab_config(tmp_path, queues=queues_conf(tmp_path, "joinempty = no"))
    async with running(config, clock) as sim, client(sim) as ami:
        for seat in ("8001", "8002", "8003"):
            await ami.action("QueuePause", clock, Interface=f"Local/{seat}@agents/n", Paused="1")
        await originate_without_join(ami, clock)
        result = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineQueueResult", clock)
        assert result["QueueStatus"] == "JOINEMPTY"
        assert ami.events("QueueCallerJoin") == []


async def test_a_full_queue_sends_the_next_caller_on(tmp_path: Path) -> None:
    clock = FakeClock()
    config = lab_config(tmp_path, queues=queues_conf(tmp_path, "maxlen = 1", members=""))
    async with running(config, clock) as sim, client(sim) as ami:
        await originate(ami, clock, "13800000001")
        await originate_without_join(ami, clock, "13800000002")
        result = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineQueueResult", clock)
        assert (result["CallerIDNum"], result["QueueStatus"]) == ("13800000002", "FULL")


async def test_leavewhenempty_sends_waiting_callers_away_when_members_pause(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    settings = "leavewhenempty = yes"
    config = lab_config(tmp_path, queues=queues_conf(tmp_path, settings, members=ONE_MEMBER))
    async with running(config, clock) as sim, client(sim) as ami:
        await ami.action("Setvar", clock, Variable="AGENT_MODE_8001", Value="noanswer")
        channel = await originate(ami, clock, "13800000001")
        await ami.action("QueuePause", clock, Interface="Local/8001@agents/n", Paused="true")
        result = await result_of(ami, clock, channel)
        assert result["QueueStatus"] == "LEAVEEMPTY"


async def test_autopause_pauses_a_member_who_lets_it_ring(tmp_path: Path) -> None:
    clock = FakeClock()
    settings = "strategy = rrmemory\nautopause = yes\ntimeout = 5"
    config = lab_config(tmp_path, queues=queues_conf(tmp_path, settings))
    async with running(config, clock) as sim, client(sim) as ami:
        await ami.action("Setvar", clock, Variable="AGENT_MODE_8001", Value="noanswer")
        await originate(ami, clock, "13800000001")
        paused = await ami.wait_for(lambda m: m.event == "QueueMemberPause", clock)
        connect = await ami.wait_for(lambda m: m.event == "AgentConnect", clock)
        assert (paused["MemberName"], paused["Paused"], paused["PausedReason"]) == (
            "Agent 8001",
            "1",
            "Auto-Pause",
        )
        assert connect["MemberName"] == "Agent 8002"


async def test_with_option_c_the_caller_goes_on_after_the_member_hangs_up(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    dialplan = dialplan_with(tmp_path, "Queue(hotline,c,,,${QUEUE_MAX_WAIT})")
    async with running(lab_config(tmp_path, dialplan=dialplan), clock) as sim, client(sim) as ami:
        await ami.action("Setvar", clock, Variable="AGENT_TALK_8001", Value="2")
        channel = await originate(ami, clock, "13800000001")
        result = await result_of(ami, clock, channel)
        complete = ami.events("AgentComplete")[0]
        assert (complete["Reason"], result["QueueStatus"]) == ("agent", "CONTINUE")


async def test_a_pjsip_softphone_added_by_queueadd_takes_the_call(tmp_path: Path) -> None:
    clock = FakeClock()
    config = lab_config(tmp_path, seats=("sipagent",), seat_context="from-sip", seat_busy_at=0)
    async with running(config, clock) as sim, client(sim) as ami:
        sim.set_seat("sipagent", SeatBehaviour(answer_delay=0.5))
        for seat in ("8001", "8002"):
            await ami.action("QueuePause", clock, Interface=f"Local/{seat}@agents/n", Paused="1")
        added = await ami.action(
            "QueueAdd", clock, Queue="hotline", Interface="PJSIP/sipagent", MemberName="SIP agent"
        )
        await originate(ami, clock, "13800000001", hang_up_after=5)
        connect = await ami.wait_for(lambda m: m.event == "AgentConnect", clock)
        statuses = [m["Status"] for m in ami.events("QueueMemberStatus")]
        await ami.wait_for(lambda m: m.event == "QueueMemberStatus" and m["Status"] == "1", clock)
        done = [m for m in ami.events("QueueMemberStatus") if m["Interface"] == "PJSIP/sipagent"]
        assert added["Message"] == "Added interface to queue"
        assert connect["DestChannel"].startswith("PJSIP/sipagent-")
        assert statuses[:2] == ["6", "2"]  # ringing, then in use
        assert (done[-1]["CallsTaken"], done[-1]["InCall"]) == ("1", "0")


async def test_member_actions_answer_with_asterisks_texts(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(lab_config(tmp_path), clock) as sim, client(sim) as ami:

        async def message(action: str, **headers: str) -> tuple[str, str]:
            answer = await ami.action(action, clock, **headers)
            return answer.response or "", answer["Message"]

        add = {"Queue": "hotline", "Interface": "Local/8003@agents/n"}
        assert await message("QueueAdd", **add) == ("Success", "Added interface to queue")
        assert await message("QueueAdd", **add) == (
            "Error",
            "Unable to add interface: Already there",
        )
        assert await message("QueueAdd", Queue="nope", Interface="PJSIP/x") == (
            "Error",
            "Unable to add interface to queue: No such queue",
        )
        assert await message("QueueAdd", Queue="hotline") == ("Error", "'Interface' not specified.")
        assert await message("QueueRemove", Queue="hotline", Interface="Local/8001@agents/n") == (
            "Error",
            "Member not dynamic",
        )
        assert await message("QueueRemove", **add) == ("Success", "Removed interface from queue")
        assert await message("QueuePause", Interface="PJSIP/nobody", Paused="1") == (
            "Error",
            "Interface not found",
        )
        assert await message("QueuePause", Interface="PJSIP/nobody") == (
            "Error",
            "Need 'Interface' and 'Paused' parameters.",
        )


async def test_queue_status_and_summary_show_who_waits(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(lab_config(tmp_path), clock) as sim, client(sim) as ami:
        for seat in ("8001", "8002"):
            await ami.action("QueuePause", clock, Interface=f"Local/{seat}@agents/n", Paused="1")
        channel = await originate(ami, clock, "13800000001")
        await run_clock(clock, 7.0)
        await ami.action("QueueStatus", clock, Queue="hotline")
        await ami.wait_for(lambda m: m.event == "QueueStatusComplete", clock)
        await ami.action("QueueSummary", clock)
        summary = await ami.wait_for(lambda m: m.event == "QueueSummary", clock)
        (entry,) = ami.events("QueueEntry")
        params = ami.events("QueueParams")[0]
        assert (entry["Channel"], entry["Position"], entry["Wait"]) == (channel, "1", "7")
        assert (params["Calls"], params["Strategy"]) == ("1", "rrmemory")
        assert (summary["LoggedIn"], summary["Available"], summary["Callers"]) == ("2", "0", "1")
        assert summary["LongestHoldTime"] == "7"
        shown = (await ami.action("Command", clock, Command="queue show hotline")).get_all("Output")
        assert "(paused was 7 secs ago)" in shown[2]
        assert shown[-2].startswith(f"      1. {channel} (wait: 0:07, prio: 0)")


async def originate_without_join(
    ami: AmiTestClient, clock: FakeClock, number: str = "13800000001"
) -> None:
    await ami.action(
        "Originate",
        clock,
        Channel="Local/caller@callers",
        Context="hotline-queue",
        Exten="12345",
        Priority="1",
        CallerID=f'"Caller" <{number}>',
        Async="true",
    )


async def test_a_busy_member_is_passed_over_for_the_next_at_once(tmp_path: Path) -> None:
    clock = FakeClock()
    members = (
        "member => Local/8009@agents/n,0,Busy 8009\nmember => Local/8002@agents/n,0,Agent 8002"
    )
    config = lab_config(tmp_path, queues=queues_conf(tmp_path, "strategy = rrmemory", members))
    async with running(config, clock) as sim, client(sim) as ami:
        await originate(ami, clock, "13800000001")  # the lab's 8009 answers Busy
        connect = await ami.wait_for(lambda m: m.event == "AgentConnect", clock)
        busy = ami.events("AgentRingNoAnswer")[0]
        statuses = [m["DialStatus"] for m in ami.events("DialEnd") if "Channel" in m]
        assert called(ami) == ["Busy 8009", "Agent 8002"]
        assert (busy["MemberName"], statuses) == ("Busy 8009", ["BUSY", "ANSWER"])
        assert connect["MemberName"] == "Agent 8002"
