"""
The README's first command: ``uw-nt demo`` runs the example strategy end to end.
"""

import os
import re
import subprocess
import sys

from nautilus_trader_uw.cli import main
from nautilus_trader_uw.cli_support import decode_recording
from nautilus_trader_uw.samples import sample_recording_path
from nautilus_trader_uw.symbology import option_instrument_id
from nautilus_trader_uw.types import UwFlowAlert
from nautilus_trader_uw.types import UwOptionTrade


def test_live_demo_runs_a_node_on_the_simulator_and_prints_its_decisions():
    env = {k: v for k, v in os.environ.items() if k != "UW_API_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "nautilus_trader_uw.cli", "demo", "--seconds", "5"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "streaming from the built-in UW simulator" in out
    assert "feed           : connected" in out
    assert "0 parse errors, 0 dropped" in out
    alerts = int(re.search(r"0DTE alerts    : (\d+)", out).group(1))
    prints = int(re.search(r"0DTE prints    : (\d+)", out).group(1))
    assert alerts > 5 and prints > 300
    assert re.search(r"net premium    : SPY [+-][\d,]+ USD", out)
    assert re.search(r"decisions      : \d+", out)
    assert "Traceback" not in result.stderr


def test_replay_demo_runs_the_flow_strategy_on_the_recording():
    result = subprocess.run(
        [sys.executable, "-m", "nautilus_trader_uw.cli", "demo", "--replay"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "flow alerts    : 17" in out
    assert "option prints  : 17" in out
    # The recording holds an all-ask-side $807k AAPL call alert: the strategy must call it bullish.
    assert f"BULLISH {option_instrument_id('AAPL250620C00215000')}" in out
    assert "Traceback" not in result.stderr


def test_decode_recording_stamps_event_time_and_orders_records():
    records, counts = decode_recording(sample_recording_path())
    assert counts["UwFlowAlert"] == 17
    assert counts["UwOptionTrade"] == 17
    assert counts["ack"] == 5
    assert all(r.ts_init == r.ts_event for r in records)
    assert [r.ts_init for r in records] == sorted(r.ts_init for r in records)
    assert {type(r) for r in records} >= {UwFlowAlert, UwOptionTrade}


def test_parse_command_strict_fails_on_undecodable_frames(tmp_path, capsys):
    recording = tmp_path / "frames.jsonl"
    recording.write_text('{"frame": "[\\"flow-alerts\\", {\\"id\\": 1}]"}\n{"frame": "not json"}\n')
    assert main(["parse", str(recording), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "error:invalid_field: 1" in out
    assert "error:malformed_json: 1" in out
