"""
History through the standard NautilusTrader request path, and the gap back-fill after a reconnect.
"""

import time

import pandas as pd
import pytest
from nautilus_trader.model.data import DataType

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UwFeedStatus
from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwNetPremTick
from nautilus_trader_uw import UwRequestError
from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw.sim import UwSimServer

from .node_harness import Recorder
from .node_harness import run_node


pytestmark = pytest.mark.timeout(120)


class Requester(Recorder):
    """
    Requests history in ``on_start`` and keeps what ``on_historical_data`` receives.
    """

    def __init__(self, requests: list[tuple[DataType, pd.Timestamp]], subscribe: list[DataType] | None = None):
        super().__init__(subscribe or [], name="Requester")
        self.requests = requests
        self.historical: list = []
        self.completed: list = []

    def on_start(self) -> None:
        super().on_start()
        for data_type, start in self.requests:
            self.request_data(data_type, client_id=UW_CLIENT_ID, start=start, callback=self.completed.append)

    def on_historical_data(self, data) -> None:
        self.historical.append(data)


def test_request_data_delivers_typed_history_to_on_historical_data():
    with UwSimServer(rate=0.0, rates={"flow-alerts": 100.0}, tickers=["SPY", "QQQ"]) as sim:
        time.sleep(1.5)  # history to ask for
        since = pd.Timestamp.utcnow() - pd.Timedelta(seconds=1)
        tick_day = pd.Timestamp("2025-03-21", tz="UTC")
        req = Requester(
            [
                (DataType(UwFlowAlert, metadata={"ticker": "QQQ", "min_premium": 10_000}), since),
                (
                    DataType(UwNetPremTick, metadata={"ticker": "SPY", "date": "2025-03-21"}),
                    tick_day,
                ),
                (DataType(UwNetPremTick), since),  # no ticker: refused, but answered
            ],
        )
        run = run_node(sim, [req], seconds=2.0)
    alerts = [d for d in req.historical if isinstance(d, UwFlowAlert)]
    ticks = [d for d in req.historical if isinstance(d, UwNetPremTick)]
    assert len(alerts) > 20
    assert {a.ticker for a in alerts} == {"QQQ"} and min(a.total_premium for a in alerts) >= 10_000
    assert all(a.ts_event >= since.value for a in alerts)
    assert ticks and {t.ticker for t in ticks} == {"SPY"}
    assert len(req.completed) == 3, "every request completes, the refused one too"
    assert run.stats["rest"]["ok"] >= 2


def test_after_a_gap_the_strategy_sees_every_alert_once():
    with UwSimServer(rate=0.0, rates={"flow-alerts": 100.0}, tickers=["SPY"]) as sim:

        def outage() -> None:
            sim.set_reject_upgrades(503)
            sim.drop_connections()

        rec = Recorder([DataType(UwFeedStatus), DataType(UwFlowAlert)])
        run = run_node(
            sim,
            [rec],
            seconds=4.0,
            schedule=[(1.0, outage), (2.0, lambda: sim.set_reject_upgrades(None))],
        )
        alerts = rec.by_type["UwFlowAlert"]
        ids = [a.id for a in alerts]
        expected = set(sim.flow_alerts_between("SPY", min(a.ts_event for a in alerts), max(a.ts_event for a in alerts)))
    assert len(ids) == len(set(ids)), "no duplicates"
    assert set(ids) == expected, f"{len(expected - set(ids))} alerts lost across the outage"
    assert "backfilling" in rec.statuses
    assert run.stats["reconnects"] == 1
    details = [s.detail for s in rec.by_type["UwFeedStatus"] if s.status == "backfilling"]
    assert any("back-filled" in (d or "") for d in details), details


def test_rest_client_errors_are_typed_and_never_show_the_token():
    with UwSimServer() as sim:
        client = UwRestClient(base_url=sim.http_url, api_key="wrong-token-42", max_retries=0)
        with pytest.raises(UwRequestError) as err:
            client.get("/api/stock/SPY/gex-levels")
        assert err.value.kind == "unauthorized"
        assert "wrong-token-42" not in str(err.value) and "wrong-token-42" not in repr(client)
        ok = UwRestClient(base_url=sim.http_url, api_key=sim.token, max_retries=1, retry_initial_secs=0.01)
        sim.fail_http(502, 5)
        with pytest.raises(UwRequestError) as err:
            ok.get("/api/stock/SPY/gex-levels")
        assert err.value.kind == "server"
        assert ok.stats()["retries"] == 1
        with pytest.raises(ValueError, match="needs a ticker"):
            ok.history("UwNetPremTick", [])
