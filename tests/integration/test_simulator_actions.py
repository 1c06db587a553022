"""AMI actions of the simulated Asterisk: call control, variables, lists and CLI commands."""

from __future__ import annotations

from pathlib import Path

from telephony.clock import FakeClock
from telephony.simulator import CallerScript, SimulatorConfig
from tests.integration.sim_client import AmiTestClient, client, running
from tests.integration.sim_replay import lab_config

WAITS = CallerScript(patience=None)


def deploy(tmp_path: Path) -> SimulatorConfig:
    return SimulatorConfig(seats=("8001", "8002"), recordings_dir=tmp_path)


async def on_hold(ami: AmiTestClient, clock: FakeClock, uniqueid: str) -> str:
    waiting = await ami.wait_for(
        lambda m: m.get("UserEvent") == "HotlineWaiting" and m.get("Uniqueid") == uniqueid, clock
    )
    return waiting["Channel"]


async def test_originate_of_a_local_caller_is_queued_and_answered_to_every_session(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with running(lab_config(tmp_path), clock) as sim, client(sim) as ami:
        async with client(sim) as other:
            queued = await ami.action(
                "Originate",
                clock,
                Channel="Local/caller@callers",
                Context="hotline-inbound",
                Exten="12345",
                Priority="1",
                CallerID='"Caller" <13800138000>',
                Variable=["CALLER_HANGUP_AFTER=30", "EXTRA=1"],
                Async="true",
            )
            seen = await other.wait_for(lambda m: m.event == "OriginateResponse", clock)
        assert queued["Message"] == "Originate successfully queued"
        assert (seen["ActionID"], seen["Response"], seen["Reason"]) == (
            queued["ActionID"],
            "Success",
            "4",
        )
        assert (seen["Channel"], seen["CallerIDNum"], seen["CallerIDName"]) == (
            "Local/caller@callers-00000000;1",
            "13800138000",
            "Caller",
        )
        varsets = [(m["Channel"], m["Variable"]) for m in ami.events("VarSet")][:4]
        assert varsets == [
            ("Local/caller@callers-00000000;1", "CALLER_HANGUP_AFTER"),
            ("Local/caller@callers-00000000;1", "EXTRA"),
            ("Local/caller@callers-00000000;2", "CALLER_HANGUP_AFTER"),
            ("Local/caller@callers-00000000;2", "EXTRA"),
        ]


async def test_synchronous_originate_answers_after_the_call_is_up(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        answer = await ami.action(
            "Originate", clock, Channel="PJSIP/8001", Application="Echo", Timeout="20000"
        )
        assert answer["Message"] == "Originate successfully queued"
        assert ami.events("OriginateResponse") == []
        (channel,) = sim.live_channels()
        assert (channel.state, channel.application) == ("Up", "Echo")


async def test_originate_errors_as_asterisk_words_them(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        missing = await ami.action("Originate", Channel="Local/caller@callers")
        no_channel = await ami.action("Originate", Context="x", Exten="1", Priority="1")
        bad = await ami.action(
            "Originate", Channel="nonsense", Context="x", Exten="1", Priority="1"
        )
        failed = await ami.action(
            "Originate",
            clock,
            Channel="PJSIP/9999",
            Context="hotline-callback",
            Exten="1",
            Priority="1",
        )
        assert [m["Message"] for m in (missing, no_channel, bad, failed)] == [
            "Originate with 'Exten' requires 'Context' and 'Priority'",
            "Channel not specified",
            "Invalid channel",
            "Originate failed",
        ]


async def test_redirect_of_an_unknown_channel_names_it(tmp_path: Path) -> None:
    async with running(deploy(tmp_path), FakeClock()) as sim, client(sim) as ami:
        error = await ami.action(
            "Redirect",
            Channel="Local/nobody@nowhere-00000000;1",
            Context="c",
            Exten="1",
            Priority="1",
        )
        nameless = await ami.action("Redirect", Context="c", Exten="1", Priority="1")
        assert error["Message"] == "Channel does not exist: Local/nobody@nowhere-00000000;1"
        assert nameless["Message"] == "Channel not specified"


async def test_hangup_with_a_cause_ends_the_call_with_it(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        call = await sim.place_call("12345", "13800138000", "", WAITS)
        channel = await on_hold(ami, clock, call)
        answer = await ami.action("Hangup", clock, Channel=channel, Cause="17")
        ended = await ami.wait_for(lambda m: m.event == "Hangup" and m["Uniqueid"] == call, clock)
        missing = await ami.action("Hangup", Channel=channel)
        assert answer["Message"] == "Channel Hungup"
        assert (ended["Cause"], ended["Cause-txt"]) == ("17", "User busy")
        assert missing["Message"] == "No such channel"


async def test_setvar_and_getvar_on_a_channel_and_on_globals(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        call = await sim.place_call("962121", "13800138000", "王秀英", WAITS)
        channel = await on_hold(ami, clock, call)
        await ami.action("Setvar", Channel=channel, Variable="TICKET", Value="WO-1")
        ticket = await ami.action("Getvar", Channel=channel, Variable="TICKET")
        line = await ami.action("Getvar", Channel=channel, Variable="HOTLINE_LINE")
        name = await ami.action("Getvar", Channel=channel, Variable="CALLERID(name)")
        await ami.action("Setvar", Variable="HOTLINE_RING_TIMEOUT", Value="20")
        timeout = await ami.action("Getvar", Variable="HOTLINE_RING_TIMEOUT")
        unset = await ami.action("Getvar", Variable="NOT_SET_ANYWHERE")
        assert [m["Value"] for m in (ticket, line, name, timeout, unset)] == [
            "WO-1",
            "962121",
            "王秀英",
            "20",
            "",
        ]
        global_set = [m for m in ami.events("VarSet") if m["Channel"] == "none"]
        assert [(m["Uniqueid"], m["Variable"]) for m in global_set] == [
            ("none", "HOTLINE_RING_TIMEOUT")
        ]
        assert (await ami.action("Setvar", Channel=channel))["Message"] == "No variable specified"


async def test_core_show_channels_and_status_list_the_live_calls(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        call = await sim.place_call("12345", "13800138000", "", WAITS)
        channel = await on_hold(ami, clock, call)
        start = await ami.action("CoreShowChannels")
        done = await ami.wait_for(lambda m: m.event == "CoreShowChannelsComplete")
        (item,) = ami.events("CoreShowChannel")
        assert (start["EventList"], start["Message"]) == ("start", "Channels will follow")
        assert (done["EventList"], done["ListItems"]) == ("Complete", "1")
        assert [name for name, _ in item.headers][:3] == ["Event", "ActionID", "Channel"]
        assert (item["Channel"], item["Application"], item["ApplicationData"]) == (
            channel,
            "Background",
            "hotline/hold-keep-place",
        )
        shown = (await ami.action("Command", Command="core show channels")).get_all("Output")
        assert shown[1].startswith(channel)
        assert "12345@hotline-hold:1" in shown[1]
        assert shown[-3:] == ["1 active channel", "1 active call", "1 call processed"]
        status_id = ami.send("Status")
        await ami.wait_for(lambda m: m.event == "StatusComplete")
        (status,) = ami.events("Status")
        assert (status["Privilege"], status["ActionID"], status["Uniqueid"]) == (
            "Call",
            status_id,
            call,
        )


async def test_an_empty_list_is_start_then_complete_with_no_items(tmp_path: Path) -> None:
    async with running(deploy(tmp_path), FakeClock()) as sim, client(sim) as ami:
        await ami.action("CoreShowChannels")
        done = await ami.wait_for(lambda m: m.event == "CoreShowChannelsComplete")
        assert done["ListItems"] == "0"


async def test_command_output_lines_and_unknown_commands(tmp_path: Path) -> None:
    async with running(lab_config(tmp_path), FakeClock()) as sim, client(sim) as ami:
        version = await ami.action("Command", Command="core show version")
        dialplan = await ami.action("Command", Command="dialplan show hotline-connect")
        unknown = await ami.action("Command", Command="no such cli command")
        assert version.get_all("Output")[0].startswith("Asterisk 22.10.1 built by")
        lines = dialplan.get_all("Output")
        assert lines[0] == "[ Context 'hotline-connect' created by 'pbx_config' ]"
        assert lines[2] == (
            "                    2. Set(HOTLINE_SEAT=${EXTEN})                 [extensions.conf:69]"
        )
        assert lines[-1] == "-= 1 extension (7 priorities) in 1 context. =-"
        assert (unknown.response, unknown.get_all("Output")) == (
            "Error",
            [
                "No such command 'no such cli command'"
                " (type 'core show help no such' for other possible commands)"
            ],
        )


async def test_show_dialplan_lists_every_priority_with_labels(tmp_path: Path) -> None:
    async with running(lab_config(tmp_path), FakeClock()) as sim, client(sim) as ami:
        await ami.action("ShowDialPlan", Context="hotline-inbound")
        done = await ami.wait_for(lambda m: m.event == "ShowDialPlanComplete")
        held = [m for m in ami.events("ListDialplan") if m.get("ExtensionLabel") == "hold"]
        assert (done["ListItems"], done["ListExtensions"], done["ListContexts"]) == ("12", "2", "1")
        assert [(m["Extension"], m["Priority"], m["Application"]) for m in held] == [
            ("12345", "5", "MusicOnHold"),
            ("962121", "5", "MusicOnHold"),
        ]


async def test_device_state_list_has_the_seats_and_the_queues(tmp_path: Path) -> None:
    async with running(deploy(tmp_path), FakeClock()) as sim, client(sim) as ami:
        await ami.action("DeviceStateList")
        await ami.wait_for(lambda m: m.event == "DeviceStateListComplete")
        devices = {m["Device"]: m["State"] for m in ami.events("DeviceStateChange")}
        assert devices == {"PJSIP/8001": "NOT_INUSE", "PJSIP/8002": "NOT_INUSE"}
        assert all("Privilege" not in m for m in ami.events("DeviceStateChange"))


async def test_mixmonitor_action_records_a_channel_until_stopped(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        call = await sim.place_call("12345", "13800138000", "", WAITS)
        channel = await on_hold(ami, clock, call)
        started = await ami.action(
            "MixMonitor", Channel=channel, File=str(tmp_path / "extra" / "x.wav")
        )
        stopped = await ami.action("StopMixMonitor", Channel=channel)
        await ami.wait_for(lambda m: m.event == "MixMonitorStop", clock)
        await sim.recordings_flushed()
        assert (started.response, stopped.response) == ("Success", "Success")
        assert (tmp_path / "extra" / "x.wav").exists()


async def test_core_settings_status_and_list_commands(tmp_path: Path) -> None:
    async with running(deploy(tmp_path), FakeClock()) as sim, client(sim) as ami:
        settings = await ami.action("CoreSettings")
        status = await ami.action("CoreStatus")
        commands = await ami.action("ListCommands")
        assert (settings["AMIversion"], settings["AsteriskVersion"]) == ("11.0.0", "22.10.1")
        assert status["CoreCurrentCalls"] == "0"
        assert "Originate" in commands
