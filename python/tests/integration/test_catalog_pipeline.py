"""
The history pipeline end to end against the simulator: download -> catalog -> backtest, the same
strategy a live node runs; record and replay; doctor.
"""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nautilus_trader.model.data import CustomData
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw.history import download
from nautilus_trader_uw.history import parse_day
from nautilus_trader_uw.sim import UwSimServer


pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[3]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nautilus_trader_uw.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_download_to_catalog_then_backtest_the_demo_strategy(tmp_path):
    with UwSimServer(rate=0.0, rates={"flow-alerts": 80.0}, tickers=["SPY", "QQQ"]) as sim:
        time.sleep(2.0)
        client = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        today = parse_day("today")
        # The simulator trades every day of the week; UW does not, hence include_weekends here only.
        counts = download(
            client,
            "UwFlowAlert",
            {},
            parse_day("-2"),
            today,
            tmp_path,
            show_progress=False,
            include_weekends=True,
        )
        generated = set(sim.flow_alert_ids())
    assert counts["records"] > 100 and counts["skipped"] == 0

    stored = [c.data for c in ParquetDataCatalog(str(tmp_path)).query(UwFlowAlert)]
    assert isinstance(stored[0], UwFlowAlert)
    assert all(a.ts_init == a.ts_event for a in stored), "history is stamped at event time for backtests"
    ids = [a.id for a in stored]
    assert len(ids) == len(set(ids)) == counts["records"]
    assert set(ids) <= generated

    # In a subprocess: a backtest engine here would set this process's (global) log level for
    # every node the later tests run.
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "backtest_from_catalog.py"), str(tmp_path), "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = re.search(r"0DTE alerts: (\d+), prints: (\d+), decisions: (\d+)", result.stdout)
    zero_dte = [a for a in stored if a.expiry == today.isoformat()]
    assert int(found.group(1)) == len(zero_dte) > 50, "the strategy saw every 0DTE alert in the catalog"


def test_download_resumes_and_only_refetches_the_current_day(tmp_path):
    with UwSimServer(rate=0.0, rates={"flow-alerts": 50.0}) as sim:
        time.sleep(0.5)
        client = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        args = (client, "UwFlowAlert", {"ticker": "SPY"}, parse_day("-6"), parse_day("today"), tmp_path, False)
        first = download(*args, include_weekends=True)
        before = sim.stats()["http_requests"]
        second = download(*args, include_weekends=True)
        requests = sim.stats()["http_requests"] - before
    assert first["days"] == 7
    assert second["skipped"] == first["days"] - 1, "finished days are not fetched again"
    assert second["days"] == 1 and requests == 1, "only today, still in progress, is fetched again"


def test_record_then_replay_into_a_catalog(tmp_path):
    with UwSimServer(rate=0.0, rates={"flow-alerts": 40.0}) as sim:
        out = tmp_path / "rec"
        r = _cli(
            "record", "--subscribe", "UwFlowAlert:ticker=SPY", "--seconds", "1.5", "--out", str(out),
            "--api-key", sim.token, "--base-url-ws", sim.ws_url,
        )  # fmt: skip
    assert r.returncode == 0, r.stderr
    frames = (out / "frames.jsonl").read_text().splitlines()
    assert len(frames) > 20 and '"received_at"' in frames[0]
    recorded = [c.data for c in ParquetDataCatalog(str(out / "catalog")).query(UwFlowAlert)]
    assert recorded and {a.ticker for a in recorded} == {"SPY"}

    r = _cli("replay", str(out / "frames.jsonl"), "--catalog", str(tmp_path / "replayed"))
    assert r.returncode == 0, r.stderr
    replayed = [c.data for c in ParquetDataCatalog(str(tmp_path / "replayed")).query(UwFlowAlert)]
    # The raw frames hold every ticker (the SPY filter ran after the socket): a superset, same ts_init.
    assert {a.id for a in recorded} <= {a.id for a in replayed}
    by_id = {a.id: a for a in replayed}
    assert all(abs(by_id[a.id].ts_init - a.ts_init) < 5_000_000 for a in recorded), "arrival times kept"
    assert all(isinstance(c, CustomData) for c in ParquetDataCatalog(str(out / "catalog")).query(UwFlowAlert))


def test_doctor_reports_what_to_fix():
    with UwSimServer() as sim:
        base = ("--api-key", sim.token, "--base-url-http", sim.http_url, "--base-url-ws", sim.ws_url)
        ok = _cli("doctor", *base)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "[ok  ] WebSocket" in ok.stdout and "all checks passed" in ok.stdout
        sim.set_reject_upgrades(401)
        no_ws = _cli("doctor", *base)
        assert no_ws.returncode == 1
        assert "[FAIL] WebSocket" in no_ws.stdout and "Advanced plan" in no_ws.stdout
        assert sim.token not in no_ws.stdout
        bad = _cli("doctor", "--api-key", "nope", "--base-url-http", sim.http_url, "--base-url-ws", sim.ws_url)
        assert "[FAIL] REST API" in bad.stdout and "token is wrong" in bad.stdout
