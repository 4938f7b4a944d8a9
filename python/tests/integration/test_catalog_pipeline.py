"""
The history pipeline end to end against the simulator: download -> catalog -> backtest, the same
strategy a live node runs; record -> replay -> backtest as the example documents it; download state
per server; doctor.
"""

import ast
import json
import re
import shlex
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from nautilus_trader.model.data import CustomData
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw.history import STATE_FILE
from nautilus_trader_uw.history import day_bounds_ns
from nautilus_trader_uw.history import download
from nautilus_trader_uw.history import download_key
from nautilus_trader_uw.history import download_server
from nautilus_trader_uw.history import parse_day
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.strategies import ny_date


pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "backtest_from_catalog.py"


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
            base_url=sim.http_url,
        )
        # Streamed since the start and, once today's session has begun, today's generated past.
        generated = {i for ticker in ("SPY", "QQQ") for i in sim.flow_alerts_between(ticker, 0, 2**63 - 1)}
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
    # The strategy's own 0DTE: expiring on the New York day of the alert. Not "today": after
    # midnight in New York the catalog's earlier days hold 0DTE alerts of their own.
    zero_dte = [a for a in stored if a.expiry == ny_date(a.ts_event)]
    assert int(found.group(1)) == len(zero_dte) > 50, "the strategy saw every 0DTE alert in the catalog"


def test_download_resumes_and_only_refetches_the_current_day(tmp_path):
    with UwSimServer(rate=0.0, rates={"flow-alerts": 50.0}) as sim:
        time.sleep(0.5)
        client = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        args = (client, "UwFlowAlert", {"ticker": "SPY"}, parse_day("-6"), parse_day("today"), tmp_path, False)
        first = download(*args, include_weekends=True, base_url=sim.http_url)
        before = sim.stats()["http_requests"]
        second = download(*args, include_weekends=True, base_url=sim.http_url)
        requests = sim.stats()["http_requests"] - before
        # Today alone, into another catalog: its pages (several once today's session has begun).
        before = sim.stats()["http_requests"]
        today = parse_day("today")
        spy = {"ticker": "SPY"}
        download(client, "UwFlowAlert", spy, today, today, tmp_path / "today", False, base_url=sim.http_url)
        today_requests = sim.stats()["http_requests"] - before
    assert first["days"] == 7
    assert second["skipped"] == first["days"] - 1, "finished days are not fetched again"
    assert second["days"] == 1, "only today, still in progress, is fetched again"
    assert 1 <= requests <= today_requests + 1, "no request for a finished day (one page more: today grew)"


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


def test_replay_into_a_catalog_holding_an_overlapping_span_writes_nothing_and_says_why(tmp_path):
    from nautilus_trader_uw.history import CatalogOverlapError
    from nautilus_trader_uw.history import replay_to_catalog
    from nautilus_trader_uw.samples import sample_recording_path

    lines = Path(sample_recording_path()).read_text().splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[: len(lines) * 2 // 3]))
    second.write_text("".join(lines[len(lines) // 3 :]))
    catalog = tmp_path / "catalog"
    replay_to_catalog(first, catalog)

    def files() -> dict[Path, bytes]:
        return {p: p.read_bytes() for p in sorted(catalog.rglob("*")) if p.is_file()}

    before = files()
    with pytest.raises(CatalogOverlapError, match=r"already holds Uw\w+ .*from 2025-05-16T.* overlaps.*new catalog"):
        replay_to_catalog(second, catalog)
    assert files() == before, "a refused replay leaves the catalog as it was, no part of the recording in it"
    # The same recording again is the same spans: left as they are, nothing refused.
    replay_to_catalog(first, catalog)
    assert files() == before
    # From the command line: one line naming the clash, exit 1.
    r = _cli("replay", str(second), "--catalog", str(catalog))
    assert r.returncode == 1 and "already holds" in r.stderr and "Traceback" not in r.stderr, r.stderr


def _uw_nt() -> list[str]:
    # The console script a user types, where the package installed it.
    script = Path(sys.executable).with_name("uw-nt")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nautilus_trader_uw.cli"]


def _documented_recording_flow() -> tuple[list[str], list[str], list[str]]:
    """
    The example docstring's record -> replay -> backtest command lines, split as a shell would.
    """
    lines = [line.strip() for line in ast.get_docstring(ast.parse(EXAMPLE.read_text())).splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("uw-nt record "))
    record, replay, backtest = (shlex.split(line) for line in lines[start : start + 3])
    assert record[:2] == ["uw-nt", "record"] and replay[:2] == ["uw-nt", "replay"], lines[start : start + 3]
    assert backtest[:2] == ["python", "examples/backtest_from_catalog.py"], backtest
    return record, replay, backtest


def test_record_replay_backtest_as_documented_trades(tmp_path):
    record, replay, backtest = _documented_recording_flow()

    def run(argv: list[str]) -> subprocess.CompletedProcess:
        # From a fresh directory, so the documented relative paths land in it.
        result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"{shlex.join(argv)}\n{result.stdout}{result.stderr}"
        return result

    seconds = record.index("--seconds") + 1
    record[seconds] = "4"  # the documented minute, shortened
    with UwSimServer(rate=0.0, rates={"flow-alerts": 40.0, "net_flow": 20.0}, tickers=["SPY", "QQQ"]) as sim:
        recorded = run([*_uw_nt(), *record[1:], "--api-key", sim.token, "--base-url-ws", sim.ws_url])
    assert re.search(r"UwNetFlow +[1-9]\d*", recorded.stdout), recorded.stdout
    replayed = run([*_uw_nt(), *replay[1:]])
    assert re.search(r"UwFlowAlert +[1-9]\d*", replayed.stdout), replayed.stdout
    out = run([sys.executable, str(ROOT / backtest[1]), *(a for a in backtest[2:] if not a.startswith("["))]).stdout

    catalog = re.search(r"catalog: UwFlowAlert (\d+), UwOptionTrade (\d+), UwNetFlow (\d+), UwNetPremTick (\d+)", out)
    assert catalog and int(catalog.group(1)) > 0 and int(catalog.group(3)) > 0, out
    found = re.search(r"0DTE alerts: (\d+), prints: (\d+), decisions: (\d+)", out)
    assert found and int(found.group(3)) > 0, out
    skipped = re.search(r"^skipped: (.+)$", out, re.MULTILINE)
    assert skipped and re.fullmatch(r"[a-z ]+ \d+(, [a-z ]+ \d+)*", skipped.group(1)), out
    reasons = {m.group(1): int(m.group(2)) for m in re.finditer(r"([a-z][a-z ]*) (\d+)", skipped.group(1))}
    assert set(reasons) <= {"not aggressive", "no net flow yet", "net flow disagrees"}, reasons
    alerts, decisions = int(found.group(1)), int(found.group(3))
    assert decisions + sum(reasons.values()) == alerts, "every 0DTE alert is a decision or a counted skip"
    assert len(re.findall(r"^  BUY 1 ", out, re.MULTILINE)) == min(decisions, 10), "the first ten are listed"


def test_the_backtest_says_why_it_did_not_trade_without_net_flow(tmp_path):
    with UwSimServer(rate=0.0, rates={"flow-alerts": 40.0}, tickers=["SPY", "QQQ"]) as sim:
        out = tmp_path / "rec"
        r = _cli(
            "record", "--seconds", "2", "--out", str(out), "--api-key", sim.token, "--base-url-ws", sim.ws_url,
        )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = _cli("replay", str(out / "frames.jsonl"), "--catalog", str(tmp_path / "cat"))
    assert r.returncode == 0, r.stderr
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path / "cat"), "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"decisions: 0\n", result.stdout), result.stdout
    assert re.search(r"skipped: .*no net flow yet \d+", result.stdout), result.stdout
    assert "record with --subscribe UwNetFlow:ticker=SPY,QQQ" in result.stdout


def test_download_state_is_kept_per_server(tmp_path):
    today = parse_day("today")
    start, end = today - timedelta(days=2), today + timedelta(days=1)  # two past days, today, tomorrow
    flow = {"flow-alerts": 50.0}
    with UwSimServer(rate=0.0, rates=flow) as sim_a, UwSimServer(rate=0.0, rates=flow, seed=7) as sim_b:
        time.sleep(0.5)

        def fetch(sim: UwSimServer) -> tuple[dict, int]:
            client = UwRestClient(base_url=sim.http_url, api_key=sim.token)
            before = sim.stats()["http_requests"]
            counts = download(
                client, "UwFlowAlert", {"ticker": "SPY"}, start, end, tmp_path, False,
                include_weekends=True, base_url=sim.http_url,
            )  # fmt: skip
            return counts, sim.stats()["http_requests"] - before

        first_a, _ = fetch(sim_a)
        again_a, requests_again = fetch(sim_a)
        lo, hi = day_bounds_ns(today)
        b_today = set(sim_b.flow_alerts_between("SPY", lo, hi))
        first_b, requests_b = fetch(sim_b)
        keys = [download_key(sim.http_url, "UwFlowAlert", {"ticker": "SPY"}) for sim in (sim_a, sim_b)]
        token = sim_a.token
    assert first_a["days"] == 4 and first_a["skipped"] == 0
    assert again_a["skipped"] == 2 and again_a["days"] == 2, "today and tomorrow are not done"
    assert requests_again >= 2, "today's pages and tomorrow's"
    assert first_b["skipped"] == 0 and first_b["days"] == 4 and requests_b >= 4, "another server's days are fetched"

    state = json.loads((tmp_path / STATE_FILE).read_text())
    past = [(today - timedelta(days=n)).isoformat() for n in (2, 1)]
    assert len(set(keys)) == 2 and all(state[key] == past for key in keys)
    assert all(token not in key for key in state)

    # The second server's fetch of today replaced the first's files (NautilusTrader 1.231 keeps a
    # file with the same bounds unless it is removed first).
    stored = {c.data.id for c in ParquetDataCatalog(str(tmp_path)).query(UwFlowAlert, start=lo, end=hi)}
    assert b_today and b_today <= stored


def test_download_state_of_an_earlier_release_is_kept_but_not_trusted(tmp_path):
    # Keyed by type and filters only: it cannot say which server the days came from.
    past = [parse_day("-2"), parse_day("-1")]
    old_key = json.dumps(["UwFlowAlert", [["ticker", "SPY"]]])
    (tmp_path / STATE_FILE).write_text(json.dumps({old_key: [d.isoformat() for d in past]}))
    with UwSimServer(rate=0.0, rates={"flow-alerts": 20.0}) as sim:
        client = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        counts = download(
            client, "UwFlowAlert", {"ticker": "SPY"}, *past, tmp_path, False,
            include_weekends=True, base_url=sim.http_url,
        )  # fmt: skip
        key = download_key(sim.http_url, "UwFlowAlert", {"ticker": "SPY"})
    assert counts["days"] == 2 and counts["skipped"] == 0
    state = json.loads((tmp_path / STATE_FILE).read_text())
    assert state[old_key] == [d.isoformat() for d in past], "left for the release that wrote it"
    assert state[key] == [d.isoformat() for d in past]


def test_a_broken_download_state_file_is_one_line_error(tmp_path):
    (tmp_path / STATE_FILE).write_text("{not json")
    with UwSimServer(rate=0.0) as sim:
        r = _cli(
            "download", "--type", "UwFlowAlert", "--start", "-1", "--catalog", str(tmp_path),
            "--api-key", sim.token, "--base-url-http", sim.http_url,
        )  # fmt: skip
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"uw-nt download: error: {tmp_path / STATE_FILE}: not a download state file")
    assert "delete it to fetch every day again" in r.stderr


@pytest.mark.parametrize(
    ("base_url", "server"),
    [
        ("https://api.unusualwhales.com", "https://api.unusualwhales.com"),
        ("https://API.UnusualWhales.com/", "https://api.unusualwhales.com"),
        ("http://127.0.0.1:8766", "http://127.0.0.1:8766"),
        ("http://user:secret-token@127.0.0.1:8766/uw/?token=secret-token#x", "http://127.0.0.1:8766/uw"),
        ("http://[::1]:8766/", "http://[::1]:8766"),
    ],
)
def test_the_download_state_names_the_server_without_credentials(base_url, server):
    assert download_server(base_url) == server
    assert "secret" not in download_key(base_url, "UwFlowAlert", {})


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
        # A 403 is UW refusing the plan, not the token: the fix says so.
        sim.set_reject_upgrades(None)
        sim.fail_http(403)
        plan = _cli("doctor", *base)
        assert "[FAIL] REST API" in plan.stdout and "HTTP 403" in plan.stdout
        assert "plan does not cover" in plan.stdout and "token is wrong" not in plan.stdout


def test_doctor_sim_checks_the_built_in_simulator_without_a_key(monkeypatch):
    # Never the real service, and never a key from the environment.
    monkeypatch.setenv("UW_API_KEY", "a-real-looking-key-that-must-stay-home")
    monkeypatch.setenv("UW_NT_DEBUG", "1")
    done = _cli("doctor", "--sim", "--days-back", "5")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all checks passed" in done.stdout and "a-real-looking-key" not in done.stdout + done.stderr


class _SubscribesLate:
    """
    A live feed whose subscriptions reach it only once a connection was accepted and lost: what a
    loaded machine does when the upgrade and the close both land between `start` and `subscribe`.
    """

    def __init__(self, feed) -> None:
        self._feed = feed

    def __getattr__(self, name: str):
        return getattr(self._feed, name)

    def subscribe(self, type_name: str, metadata: list):
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            stats = self._feed.stats()
            if stats["connects"] and not stats["connected"]:
                break
            time.sleep(0.01)
        return self._feed.subscribe(type_name, metadata)


@pytest.fixture
def ws_closing_after_upgrade():
    """
    What UW does for a plan without WebSocket access: the upgrade succeeds, the socket closes.
    Yields the URL.
    """
    import asyncio
    import threading

    import websockets

    ready = threading.Event()
    port: list[int] = []
    stop: list = []

    async def close_at_once(connection, *args) -> None:
        await connection.close(1008, "no websocket access")

    async def serve() -> None:
        async with websockets.serve(close_at_once, "127.0.0.1", 0) as server:
            port.append(server.sockets[0].getsockname()[1])
            stop.append(asyncio.get_running_loop().create_future())
            ready.set()
            await stop[0]

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield f"ws://127.0.0.1:{port[0]}/socket"
    finally:
        loop.call_soon_threadsafe(stop[0].set_result, None)
        thread.join(5)


def _subscribing(monkeypatch, when: str) -> None:
    from nautilus_trader_uw import _core

    if when == "after_the_close":
        feed_type = _core.UwLiveFeed
        monkeypatch.setattr(_core, "UwLiveFeed", lambda **kwargs: _SubscribesLate(feed_type(**kwargs)))


@pytest.mark.parametrize("subscribed", ["at_once", "after_the_close"])
def test_doctor_fails_a_websocket_that_uw_closes_right_after_the_upgrade(
    monkeypatch,
    ws_closing_after_upgrade,
    subscribed,
):
    # Told apart from "never connected" also when the feed reports only the loss.
    from nautilus_trader_uw.doctor import check_websocket

    _subscribing(monkeypatch, subscribed)
    check = check_websocket(ws_closing_after_upgrade, "test-token", timeout=5.0)
    assert not check.ok, check
    assert "closed the connection" in check.detail and "Advanced plan" in check.fix
    assert "test-token" not in check.detail


@pytest.mark.parametrize("subscribed", ["at_once", "after_the_close"])
def test_a_recording_retries_a_connection_that_was_accepted_and_lost(
    monkeypatch,
    tmp_path,
    ws_closing_after_upgrade,
    subscribed,
):
    # The docstring's promise: only a first connection that fails raises; a connection UW accepted
    # and then dropped is retried for the whole recording, whenever the status reports arrive.
    from nautilus_trader_uw.history import record

    _subscribing(monkeypatch, subscribed)
    started = time.monotonic()
    counts = record([("UwFlowAlert", {})], 1.5, tmp_path, url=ws_closing_after_upgrade, api_key="test-token")
    assert time.monotonic() - started >= 1.5
    assert counts["frames"] == 0 and counts["interrupted"] == 0
