"""
The decode benchmark runs (briefly) and writes its results; no timing is asserted.
"""

import json
import math
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[3]


def _run_bench(script: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_bench_decode_quick_run(tmp_path):
    out = tmp_path / "decode.json"
    result = _run_bench("bench_decode.py", "--quick", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert set(data["msgs_per_sec"]) == {
        "rust_parse_ws_frame",
        "json_loads_customdataclass",
        "orjson_loads_customdataclass",
    }
    assert all(rate > 0 for rate in data["msgs_per_sec"].values())
    assert "x vs orjson" in result.stdout
    assert data["construct"]["rust_parse_ws_frame_ns"] > 0


def test_bench_delivery_quick_run(tmp_path):
    out = tmp_path / "delivery.json"
    result = _run_bench("bench_delivery.py", "--quick", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    [run] = data["runs"]
    # The backlog regime really drained a backlog, in full batches.
    assert run["backlog"] >= data["records_per_regime"]
    assert run["behind_records_per_batch"] > 32
    assert all(data["best"][k] > 0 for k in ("keeping_pace_ns", "behind_ns", "orjson_ns", "json_ns"))
    assert "orjson / it" in result.stdout and "behind" in result.stdout
    # Its sink lets go of each wrapper a turn later, as the engine does: the delivery recycles
    # every pair, and the same code without recycling is timed in the same run.
    assert run["keeping_pace_recycled"] > 0.95 and run["behind_recycled"] > 0.95, run
    assert data["best"]["fresh_keeping_pace_ns"] > 0 and data["best"]["fresh_behind_ns"] > 0
    assert "uw without recycling, behind" in result.stdout


def test_bench_e2e_quick_run(tmp_path):
    out = tmp_path / "e2e.json"
    result = _run_bench(
        "bench_e2e.py",
        "--rates", "500,max", "--runs", "1", "--seconds", "0.5", "--tail-seconds", "0.7",
        "--warmup", "0.5", "--out", str(out), "--gc-freeze",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    rows = data["medians"]
    assert {(r["rate"], r["mode"]) for r in rows} == {
        (rate, mode)
        for rate in (500, "max")
        for mode in ("bus-limit", "wake-limit", "uw", "uw-bus", "py-json", "py-orjson")
    }
    assert all(r["delivered_per_s"] > 0 for r in rows)
    assert all(r["gc_freeze"] and r["gc_ms_per_s"] >= 0 for r in rows)
    # Every message of the window is a latency sample, each from its own send instant.
    for r in data["results"]:
        if r["rate"] != "max":
            assert all(math.isfinite(x) and x > 0 for x in r["send_to_on_data_us"] + r["arrival_to_on_data_us"]), r
            assert r["gc_longest_pause_us"] >= 0
        assert r["steal_ms_in_window"] >= 0, r
    assert any("uw " in line and "longest GC pause" in line and "hypervisor steal" in line for line in data["tails"])
    assert any("throughput" in line and "bus-limit" in line for line in data["ratios"])
    assert "ratios (medians, same run)" in result.stdout
    # The tail-compared rates get their own window; the others keep --seconds.
    assert {(r["rate"], r["window_s"]) for r in data["results"]} == {(500, 0.7), ("max", 0.5)}
    assert any("p99.9 of 0.7 s" in line for line in data["tails"])
    ceiling = [line for line in data["ratios"] if "ceiling for the default path" in line]
    assert len(ceiling) == 1 and "x py-json" in ceiling[0] and "x py-orjson" in ceiling[0], data["ratios"]
    # Each run finds its message type among the bus's own externally publishable types (every
    # UW record type and every @customdataclass is registered there), and prices the test.
    for r in data["results"]:
        check = r["publish_check"]
        assert check["types"] > 100 and 0 <= check["failed_before_match"] < check["types"], r
        assert math.isfinite(check["us_per_msg"]) and check["us_per_msg"] >= 0, r
    at_max = [line for line in data["publish_checks"] if line.startswith("     max run 1: ")]
    assert len(at_max) == 1 and all(f"{mode} " in at_max[0] for mode in ("uw", "uw-bus", "bus-limit")), at_max
    net = [line for line in data["publish_checks"] if "less that check" in line]
    assert len(net) == 1 and "x uw-bus's" in net[0] and "x uw's" in net[0], data["publish_checks"]

    # --report prints a saved run again, with the same lines, and runs nothing.
    again = _run_bench("bench_e2e.py", "--report", str(out), timeout=120)
    assert again.returncode == 0, again.stderr
    assert all(line in again.stdout for line in data["ratios"] + data["tails"] + data["publish_checks"])
    assert "run 1/" not in again.stdout


def test_bench_e2e_times_the_default_path_with_and_without_its_recycling(tmp_path):
    out = tmp_path / "e2e.json"
    result = _run_bench(
        "bench_e2e.py",
        "--modes", "bus-limit,uw,uw-fresh", "--rates", "max", "--runs", "1", "--seconds", "0.5",
        "--warmup", "0.5", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    share = {r["mode"]: r["recycled_share"] for r in json.loads(out.read_text())["results"]}
    assert share["uw"] > 0.9 and share["uw-fresh"] == 0, share
    assert "x uw-fresh's" in result.stdout and "x uw's" in result.stdout


def test_bench_e2e_soak_quick_run(tmp_path):
    out = tmp_path / "soak.json"
    result = _run_bench(
        "bench_e2e.py",
        "--soak", "3", "--soak-rate", "500", "--warmup", "0.5", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    soak = json.loads(out.read_text())["soak"]
    assert soak["delivered_per_s"] > 0
    assert len(soak["rss_mb_over_time"]) >= 2
    assert "growth after settling" in result.stdout


def test_bench_flow_bars_quick_run(tmp_path):
    out = tmp_path / "flow-bars.json"
    result = _run_bench(
        "bench_flow_bars.py",
        "--rate", "2000", "--runs", "1", "--seconds", "1", "--warmup", "1", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert [r["mode"] for r in data["rows"]] == ["raw", "bars"]
    raw, bars = data["rows"]
    assert raw["prints_per_s"] > 0 and bars["bars"] > 0 and bars["prints_per_s"] > 0
    assert "loop CPU raw / bars:" in result.stdout
