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
        # 50 frames/s: a loaded machine that shortens the 1.5 s window still sees SPY's alerts.
        [
            *(sys.executable, "-m", "nautilus_trader_uw.cli", "sim"),
            *("--ws-port", "0", "--http-port", "0", "--seconds", "3", "--rate", "50"),
        ],
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


@pytest.fixture
def refused_port():
    """
    A port bound for the test and never listening: a connect there is refused, and no other
    test's listener can take it meanwhile.
    """
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


@pytest.mark.timeout(120)
def test_a_failed_record_or_download_leaves_nothing_behind_but_what_was_there(tmp_path, refused_port):
    port = refused_port
    uw_nt = [sys.executable, "-m", "nautilus_trader_uw.cli"]
    record = subprocess.run(
        [*uw_nt, "record", "--seconds", "1", "--api-key", "k", "--base-url-ws", f"ws://127.0.0.1:{port}",
         "--out", str(tmp_path / "rec")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert record.returncode == 1 and "could not connect" in record.stderr
    assert not (tmp_path / "rec").exists(), "an empty recording directory a later replay would read"
    download = [
        *uw_nt, "download", "--type", "UwDarkPoolTrade", "--ticker", "SPY", "--start", "2025-01-02",
        "--end", "2025-01-02", "--api-key", "k", "--base-url-http", f"http://127.0.0.1:{port}", "--catalog",
    ]  # fmt: skip
    failed = subprocess.run([*download, str(tmp_path / "cat")], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and "request failed" in failed.stderr
    assert not (tmp_path / "cat").exists()
    # A catalog the user already had is never removed, empty or not.
    (tmp_path / "mine").mkdir()
    failed = subprocess.run([*download, str(tmp_path / "mine")], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and (tmp_path / "mine").is_dir()
