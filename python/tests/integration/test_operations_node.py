"""
Any UW operation in a node: a strategy requests operations without a typed record through
``request_data`` and receives ``UwApiResponse`` in ``on_historical_data`` (both NautilusTrader
releases: 1.221 hands the list to the requester, later ones publish each record), and subscribes
to UW's futures channels, which arrive as ``UwApiResponse`` frames counted in the feed's stats.
"""

import json
import subprocess
import sys

import pandas as pd
import pytest
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UwApiResponse
from nautilus_trader_uw import UwFeedStatus
from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw import UwRequestError
from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw import _core
from nautilus_trader_uw.sim import UwSimServer

from .node_harness import Recorder
from .node_harness import run_node


pytestmark = pytest.mark.timeout(120)


class OperationRequester(Recorder):
    """
    Requests the given operations in ``on_start`` and keeps what ``on_historical_data`` receives.
    """

    def __init__(self, requests: list[DataType], start: pd.Timestamp, end: pd.Timestamp):
        super().__init__([], name="OperationRequester")
        self.requests = requests
        self.since = start
        self.until = end
        self.historical: list = []
        self.completed: list = []

    def on_start(self) -> None:
        super().on_start()
        for data_type in self.requests:
            self.request_data(
                data_type, client_id=UW_CLIENT_ID, start=self.since, end=self.until, callback=self.completed.append
            )

    def on_historical_data(self, data) -> None:
        self.historical.append(data)


def test_a_strategy_receives_any_operation_through_request_data():
    day = pd.Timestamp("2025-05-16", tz="America/New_York")
    with UwSimServer(rate=0.0) as sim:
        req = OperationRequester(
            [
                DataType(UwApiResponse, metadata={"operation": "market_sector_etfs"}),
                DataType(
                    UwApiResponse,
                    metadata={"operation": "stock_ticker_volatility_realized", "ticker": "QQQ", "date": "2025-05-16"},
                ),
                # A `date` operation over a range: one answer per trading day (Friday, Monday).
                DataType(UwApiResponse, metadata={"path": "/api/stock/SPY/oi-per-strike"}),
                DataType(UwApiResponse, metadata={"operation": "stock_ticker_volatility_realized"}),  # no ticker
            ],
            start=day,
            end=day + pd.Timedelta(days=3, hours=12),
        )
        run_node(sim, [req], seconds=3.0)
    answers = [d for d in req.historical if isinstance(d, UwApiResponse)]
    by_operation: dict[str, list] = {}
    for a in answers:
        by_operation.setdefault(a.operation, []).append(a)
    assert set(by_operation) == {"market_sector_etfs", "stock_ticker_volatility_realized", "stock_ticker_oi_per_strike"}
    (vol,) = by_operation["stock_ticker_volatility_realized"]
    assert vol.path == "/api/stock/QQQ/volatility/realized?date=2025-05-16"
    assert json.loads(vol.params) == {"ticker": "QQQ", "date": "2025-05-16"}
    assert json.loads(vol.body)["data"], "UW's rows, whole"
    assert vol.ts_event == pd.Timestamp("2025-05-16 16:00", tz="America/New_York").value, "the day's close"
    days = sorted(a.date for a in by_operation["stock_ticker_oi_per_strike"])
    assert days == ["2025-05-16", "2025-05-19"]
    assert len(req.completed) == 4, "every request completes, the refused one too"
    (failed,) = [d for d in req.historical if isinstance(d, UwFeedStatus)]
    assert failed.status == "request_failed" and 'parameter "ticker" is required' in failed.detail


def test_futures_channels_arrive_as_api_responses_and_are_counted():
    with UwSimServer(rate=20.0) as sim:
        everything = Recorder([DataType(UwApiResponse)], name="AllFutures")
        one = Recorder([DataType(UwApiResponse, metadata={"ticker": "ESZ5"})], name="OneContract")
        run = run_node(sim, [everything, one], seconds=3.0)
    frames = one.by_type["UwApiResponse"]
    assert frames and {f.operation for f in frames} == {"futures:ESZ5"}
    assert all(json.loads(f.body)["sym"] == "ESZ5" and f.operation_id == "websocket" for f in frames)
    assert {f.operation for f in everything.by_type["UwApiResponse"]} >= {"futures_trades"}
    counted = run.stats["messages_per_channel"]
    assert counted.get("futures:ESZ5", 0) > 0 and counted.get("futures_trades", 0) > 0


def test_uw_rest_client_get_answers_any_documented_path():
    with UwSimServer(rate=0.0) as sim:
        client = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        (answer,) = client.get("/api/market/sector-etfs")
        assert isinstance(answer, UwApiResponse) and answer.operation == "market_sector_etfs"
        # The full tape has a typed decoder: its ZIP file arrives as option prints.
        tape = client.get("/api/option-trades/full-tape/2025-05-16")
        assert len(tape) > 1000 and all(isinstance(p, UwOptionTrade) for p in tape)
        with pytest.raises(UwRequestError, match='unknown parameter "colour"') as err:
            client.get("/api/market/sector-etfs?colour=red")
        assert err.value.kind == "invalid"
        typed = client.get("/api/stock/SPY/max-pain")
        assert typed and type(typed[0]).__name__ == "UwMaxPain", "typed where the adapter has a decoder"


def _uw_nt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nautilus_trader_uw.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_uw_nt_download_writes_any_operation_to_a_catalog(tmp_path):
    catalog = tmp_path / "catalog"
    # A `date` operation: one answer per trading day (Friday, Monday); the weekend is skipped.
    done = _uw_nt(
        "download", "--sim", "--operation", "stock_ticker_volatility_realized", "--ticker", "SPY",
        "--start", "2025-05-16", "--end", "2025-05-19", "--catalog", str(catalog),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "UwApiResponse: 2 records from 2 days" in done.stdout
    stored = ParquetDataCatalog(str(catalog)).query(UwApiResponse)
    answers = [c.data if isinstance(c, CustomData) else c for c in stored]
    assert sorted(a.date for a in answers) == ["2025-05-16", "2025-05-19"]
    assert {a.operation for a in answers} == {"stock_ticker_volatility_realized"}
    # An operation that answers "now": fetched once, not once per day.
    once = _uw_nt(
        "download", "--sim", "--operation", "market_sector_etfs",
        "--start", "2025-05-12", "--end", "2025-05-16", "--catalog", str(catalog),
    )  # fmt: skip
    assert once.returncode == 0, once.stderr
    assert "UwApiResponse: 1 records from 1 days" in once.stdout
    wrong = _uw_nt("download", "--sim", "--operation", "no_such_operation", "--start", "-1", "--catalog", str(catalog))
    assert wrong.returncode != 0 and "unknown UW operation 'no_such_operation'" in wrong.stderr
    missing = _uw_nt(
        "download", "--sim", "--operation", "stock_ticker_volatility_realized",
        "--start", "-1", "--catalog", str(catalog),
    )  # fmt: skip
    assert missing.returncode != 0 and 'parameter "ticker" is required' in missing.stderr


def test_uw_nt_operations_lists_every_operation():
    listed = _uw_nt("operations")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 214 and "214 operations" in listed.stderr
    (etfs,) = [line for line in lines if line.startswith("market_sector_etfs ")]
    assert "/api/market/sector-etfs" in etfs and "UwApiResponse" in etfs
    (futures,) = [line for line in lines if line.startswith("futures_contract_trades ")]
    assert "needs contract" in futures and "[plan]" in futures
    market = _uw_nt("operations", "--tag", "market")
    tags = {op["name"]: op["tag"] for op in _core.operations()}
    assert market.returncode == 0
    assert {tags[line.split()[0]] for line in market.stdout.splitlines()} == {"market"}
    assert _uw_nt("operations", "--tag", "nope").returncode != 0
    # Tags and names match without regard to case (UW's own tags mix "Futures" and "market").
    assert _uw_nt("operations", "--tag", "MARKET").stdout == market.stdout
    futures_tag = _uw_nt("operations", "--tag", "futures", "--name", "CONTRACT_TRADES")
    assert futures_tag.returncode == 0 and futures_tag.stdout.startswith("futures_contract_trades ")
    # A name nothing contains is an error, as an unknown tag is, not an empty success.
    unmatched = _uw_nt("operations", "--name", "no_such_operation")
    assert unmatched.returncode != 0 and "'no_such_operation'" in unmatched.stderr and not unmatched.stdout
