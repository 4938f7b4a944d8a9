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
