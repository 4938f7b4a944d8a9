"""
``uw-nt replay <recording>`` into a node: every channel the recording holds is joined (per-ticker
channels with their ticker), and every recorded record is delivered and counted per channel.
"""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from nautilus_trader.model.data import DataType

from nautilus_trader_uw.demo import read_recording
from nautilus_trader_uw.samples import sample_recording_path
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.types import UwFlowAlert
from nautilus_trader_uw.types import UwOptionTrade
from nautilus_trader_uw.types import UwTickerGex


pytestmark = pytest.mark.timeout(180)

ROW = re.compile(r"^  (\S+) +(Uw\w+) +(\d+) +(\d+) +(\d+)$", re.MULTILINE)


def _uw_nt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nautilus_trader_uw.cli", *args],
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )


def _data_frames_per_channel(recording: Path) -> Counter:
    # Counted from the file itself, apart from the code under test: acknowledgements carry a status.
    counts: Counter = Counter()
    for line in recording.read_text().splitlines():
        channel, payload = json.loads(json.loads(line)["frame"])
        if "status" not in payload:
            counts[channel] += 1
    return counts


def _delivery_table(stdout: str) -> dict[str, tuple[int, int, int]]:
    return {m.group(1): (int(m.group(3)), int(m.group(4)), int(m.group(5))) for m in ROW.finditer(stdout)}


def test_a_recording_of_per_ticker_channels_is_delivered_whole(tmp_path):
    rec = tmp_path / "rec"
    rates = {"flow-alerts": 20.0, "option_trades": 25.0, "net_flow": 10.0, "gex": 10.0}
    with UwSimServer(rate=0.0, rates=rates, tickers=["SPY", "QQQ"]) as sim:
        subscriptions = ("UwFlowAlert", "UwOptionTrade:ticker=SPY", "UwOptionTrade", "UwNetFlow:ticker=SPY",
                         "UwTickerGex:ticker=SPY")  # fmt: skip
        r = _uw_nt(
            "record", *(arg for s in subscriptions for arg in ("--subscribe", s)), "--seconds", "2",
            "--out", str(rec), "--api-key", sim.token, "--base-url-ws", sim.ws_url,
        )  # fmt: skip
    assert r.returncode == 0, r.stderr
    recorded = _data_frames_per_channel(rec / "frames.jsonl")
    assert set(recorded) == {"flow-alerts", "option_trades:SPY", "option_trades", "net_flow:SPY", "gex:SPY"}
    assert recorded["option_trades:SPY"] >= 30, recorded

    r = _uw_nt("replay", str(rec / "frames.jsonl"), "--speed", "4")
    assert r.returncode == 0, r.stdout + r.stderr
    table = _delivery_table(r.stdout)
    assert set(table) == set(recorded), r.stdout
    for channel, (frames, records, delivered) in table.items():
        # One record per frame on these channels; the all-tickers option_trades channel is counted
        # apart from option_trades:SPY, though both carry SPY prints.
        assert frames == records == delivered == recorded[channel], (channel, r.stdout)
    assert f"all {sum(recorded.values())} records delivered" in r.stdout
    found = re.search(r"FlowWatcher: (\d+) flow alerts, (\d+) option prints", r.stdout)
    assert found and int(found.group(1)) == recorded["flow-alerts"], r.stdout
    assert int(found.group(2)) == recorded["option_trades:SPY"] + recorded["option_trades"]


def test_uws_own_recording_is_delivered_whole():
    # UW's session joined option_trades:TSLA and gex:SPY/QQQ/IWM, never the all-tickers channels.
    r = _uw_nt("replay", str(sample_recording_path()), "--speed", "50")
    assert r.returncode == 0, r.stdout + r.stderr
    assert _delivery_table(r.stdout) == {
        "flow-alerts": (17, 17, 17),
        "gex:IWM": (7, 7, 7),
        "gex:QQQ": (7, 7, 7),
        "gex:SPY": (7, 7, 7),
        "option_trades:TSLA": (17, 17, 17),
    }, r.stdout
    assert "all 55 records delivered" in r.stdout
    assert "FlowWatcher: 17 flow alerts, 17 option prints" in r.stdout


def test_recorded_channels_map_to_subscriptions():
    contents = read_recording(sample_recording_path())
    channels = contents.channels
    assert channels["option_trades:TSLA"].data_types("option_trades:TSLA") == [
        DataType(UwOptionTrade, metadata={"ticker": "TSLA"}),
    ]
    assert channels["gex:SPY"].data_types("gex:SPY") == [DataType(UwTickerGex, metadata={"ticker": "SPY"})]
    assert channels["flow-alerts"].data_types("flow-alerts") == [DataType(UwFlowAlert)]
    assert contents.records == 55 and contents.span_secs > 0


def test_a_recording_without_data_is_one_line_error(tmp_path):
    acks = tmp_path / "acks.jsonl"
    acks.write_text('{"received_at": "2025-05-16 13:19:51", "frame": "[\\"gex:SPY\\", {\\"status\\": \\"ok\\"}]"}\n')
    r = _uw_nt("replay", str(acks))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip() == f"uw-nt replay: error: {acks}: no frame decodes to a UW record " + (
        "(only acknowledgements or bad frames)"
    )
