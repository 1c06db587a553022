"""The AMI protocol of the simulated Asterisk over a real TCP socket: banner, login, masks."""

from __future__ import annotations

import hashlib

from telephony.clock import FakeClock
from telephony.simulator import SimulatorConfig
from tests.integration.sim_client import AmiTestClient, client, run_clock, running


async def test_a_new_connection_gets_the_banner_line_first() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim, client(sim, login=False) as ami:
        await ami.action("Ping")
        assert bytes(ami.raw).startswith(b"Asterisk Call Manager/11.0.0\r\nResponse: Error\r\n")


async def test_login_is_answered_then_fully_booted_then_successful_auth() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim, client(sim, login=False) as ami:
        answer = await ami.login()
        await ami.wait_for(lambda m: m.event == "SuccessfulAuth")
        assert answer["Message"] == "Authentication accepted"
        names = [m.response or m.event for m in ami.frames]
        assert names == ["Success", "FullyBooted", "SuccessfulAuth"]
        booted = ami.events("FullyBooted")[0]
        assert (booted["Privilege"], booted["Status"], booted["Uptime"]) == (
            "system,all",
            "Fully Booted",
            "0",
        )
        auth = ami.events("SuccessfulAuth")[0]
        assert auth["AccountID"] == "hotline"
        assert auth["RemoteAddress"].startswith("IPV4/TCP/127.0.0.1/")


async def test_an_action_before_login_is_denied_and_the_connection_stays_open() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim, client(sim, login=False) as ami:
        denied = await ami.action("Ping")
        assert (denied.response, denied["Message"]) == ("Error", "Permission denied")
        assert (await ami.login()).response == "Success"


async def test_a_wrong_secret_is_refused_after_one_second_and_the_connection_closed() -> None:
    clock = FakeClock()
    async with running(SimulatorConfig(), clock) as sim, client(sim, login=False) as ami:
        action_id = ami.send("Login", Username="hotline", Secret="wrong")
        await run_clock(clock, 0.75)
        assert not ami.frames  # Asterisk answers a failed login only after a second
        refused = await ami.response(action_id, clock)
        assert refused["Message"] == "Authentication failed"
        await ami.wait_eof()
        assert sim.actions_log[-1].executed is False


async def test_md5_challenge_login() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim, client(sim, login=False) as ami:
        challenge = (await ami.action("Challenge", AuthType="MD5"))["Challenge"]
        key = hashlib.md5(f"{challenge}hotline-secret".encode()).hexdigest()
        accepted = await ami.action("Login", AuthType="MD5", Username="hotline", Key=key)
        assert accepted["Message"] == "Authentication accepted"


async def test_ping_answers_pong_with_the_clock_time() -> None:
    clock = FakeClock(start=1_795_458_346.467162)
    async with running(SimulatorConfig(), clock) as sim, client(sim) as ami:
        pong = await ami.action("Ping")
        assert (pong["Ping"], pong["Timestamp"]) == ("Pong", "1795458346.467162")


async def test_logoff_says_goodbye_and_closes() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim, client(sim) as ami:
        goodbye = await ami.action("Logoff")
        assert (goodbye.response, goodbye["Message"]) == ("Goodbye", "Thanks for all the fish.")
        await ami.wait_eof()


async def test_unknown_action_is_an_error_followed_by_request_bad_format() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim, client(sim) as ami:
        action_id = ami.send("NoSuchAction")
        await ami.wait_for(lambda m: m.event == "RequestBadFormat")
        error = ami.frames[-2]
        assert (error.response, error["ActionID"]) == ("Error", action_id)
        assert error["Message"] == (
            "Invalid/unknown command: NoSuchAction."
            " Use Action: ListCommands to show available commands."
        )
        assert ami.frames[-1]["RequestType"] == "Action: NoSuchAction"


async def test_a_response_carries_an_action_id_only_if_the_action_had_one() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim, client(sim) as ami:
        ami.send_raw(b"Action: Ping\r\n\r\n")
        pong = await ami.wait_for(lambda m: m.get("Ping") == "Pong")
        assert "ActionID" not in pong


async def test_events_off_silences_a_session_and_events_on_restores_it() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim, client(sim) as ami:
        off = await ami.action("Events", EventMask="off")
        await ami.action("Setvar", Variable="QUIET", Value="1")
        on = await ami.action("Events", EventMask="on")
        await ami.action("Setvar", Variable="LOUD", Value="1")
        await ami.wait_for(lambda m: m.event == "VarSet")
        assert (off["Events"], on["Events"]) == ("Off", "On")
        assert [m["Variable"] for m in ami.events("VarSet")] == ["LOUD"]


async def test_an_event_mask_at_login_keeps_only_those_classes() -> None:
    async with (
        running(SimulatorConfig(), FakeClock()) as sim,
        client(sim, Events="user,call") as masked,
        client(sim) as everything,
    ):
        await everything.action("Setvar", Variable="X", Value="1")  # class dialplan
        await everything.wait_for(lambda m: m.event == "VarSet")
        await masked.action("Ping")
        assert masked.events("VarSet") == []
        assert masked.events("FullyBooted") == []  # class system


async def test_a_harness_logged_in_with_events_off_receives_no_events() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim, client(sim, Events="off") as harness:
        async with client(sim) as backend:
            await backend.action("Setvar", Variable="X", Value="1")
            await backend.wait_for(lambda m: m.event == "VarSet")
        await harness.action("Ping")
        assert harness.events() == []


async def test_every_action_is_logged_with_its_session_and_clock_time() -> None:
    clock = FakeClock(start=1_795_458_000.0)
    async with running(SimulatorConfig(), clock) as sim, client(sim) as ami:
        await ami.action("Ping")
        login, ping = sim.actions_log
        assert (login.message["Action"], ping.message["Action"]) == ("Login", "Ping")
        assert login.session == ping.session
        assert ping.at == 1_795_458_000.0
        assert ping.executed


async def test_two_sessions_have_their_own_session_ids() -> None:
    async with running(SimulatorConfig(), FakeClock()) as sim:
        first = await AmiTestClient.connect(sim.port)
        second = await AmiTestClient.connect(sim.port)
        try:
            await first.login()
            await second.login()
            ids = set()
            for ami in (first, second):
                auth = await ami.wait_for(lambda m: m.event == "SuccessfulAuth")
                ids.add(auth["SessionID"])
            assert len(ids) == 2
        finally:
            await first.close()
            await second.close()
