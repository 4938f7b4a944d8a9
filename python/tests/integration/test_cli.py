"""
``uw-nt sim``: the simulator from the command line, reachable by a real client.
"""

import asyncio
import re
import subprocess
import sys

import pytest

from nautilus_trader_uw import _core


@pytest.mark.timeout(60)
def test_uw_nt_sim_serves_a_client_until_its_time_is_up():
    proc = subprocess.Popen(
        [sys.executable, "-m", "nautilus_trader_uw.cli", "sim", "--ws-port", "0", "--http-port", "0", "--seconds", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stdout.readline()
    url = re.search(r"(ws://127\.0\.0\.1:\d+/socket)\?token=(\S+)", first)
    assert url, first
    loop = asyncio.new_event_loop()
    got: list = []
    feed = _core.UwLiveFeed(url=url.group(1), api_key=url.group(2))
    feed.start(loop, lambda objs, routes, logs: got.extend(objs))
    feed.subscribe("UwFlowAlert", [("ticker", "SPY")])
    loop.run_until_complete(asyncio.sleep(1.5))
    feed.close()
    loop.close()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert got and {a.ticker for a in got} == {"SPY"}
    assert re.search(r"served 1 connections, \d+ frames", out)


@pytest.mark.timeout(60)
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_uw_nt_record_shows_progress_on_a_terminal_only(tmp_path):
    from nautilus_trader_uw.sim import UwSimServer

    from .terminal import run_on_terminal

    with UwSimServer(rate=0.0, rates={"flow-alerts": 20.0}) as sim:
        argv = [
            sys.executable, "-m", "nautilus_trader_uw.cli", "record", "--seconds", "2.5",
            "--api-key", sim.token, "--base-url-ws", sim.ws_url, "--out",
        ]  # fmt: skip
        returncode, terminal, out = run_on_terminal([*argv, str(tmp_path / "tty")], False, timeout=30)
        piped = subprocess.run([*argv, str(tmp_path / "pipe")], capture_output=True, text=True, timeout=30)
    assert returncode == 0, terminal
    text = terminal.decode()
    assert re.search(r"\rrecording [12]s/2\.5s: [1-9][\d,]* frames, [1-9][\d,]* records", text), repr(text)
    assert text.endswith("\n"), "the progress line is finished before the summary"
    assert re.match(rb"recorded \d+ frames to ", out), out
    assert piped.returncode == 0, piped.stderr
    assert "recording" not in piped.stderr and "\r" not in piped.stderr, "no progress line into a pipe"
