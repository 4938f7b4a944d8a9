"""
UW next to Interactive Brokers in one node: IB is the default route, UW data still reaches strategies.
"""

import pytest
from nautilus_trader.adapters.interactive_brokers.config import InteractiveBrokersDataClientConfig
from nautilus_trader.adapters.interactive_brokers.factories import InteractiveBrokersLiveDataClientFactory
from nautilus_trader.config import RoutingConfig
from nautilus_trader.model.data import DataType

from nautilus_trader_uw import UwFeedStatus
from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw.sim import UwSimServer

from .fake_ib_gateway import FakeIbGateway
from .node_harness import Recorder
from .node_harness import run_node


pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def gateway():
    gw = FakeIbGateway().start()
    yield gw
    gw.stop()


def test_uw_data_reaches_a_strategy_in_a_node_routed_to_ib_by_default(gateway, monkeypatch, capfd):
    # Without this the IB factory retries the gateway forever inside node.build().
    monkeypatch.setenv("IB_MAX_CONNECTION_ATTEMPTS", "1")
    rec = Recorder([DataType(UwFeedStatus), DataType(UwFlowAlert, metadata={"ticker": "SPY"})])
    with UwSimServer(rate=30.0, tickers=["SPY", "QQQ"]) as sim:
        run = run_node(
            sim,
            [rec],
            seconds=3.0,
            factories={"IB": InteractiveBrokersLiveDataClientFactory},
            data_clients={
                "IB": InteractiveBrokersDataClientConfig(
                    ibg_port=gateway.port,
                    routing=RoutingConfig(default=True),
                ),
            },
            node_overrides={"timeout_connection": 30.0},
        )
    log = capfd.readouterr().out
    assert gateway.handshakes == 1
    assert "Registered IB for default routing" in log
    assert "Registered UNUSUAL_WHALES for default routing" not in log
    assert rec.started
    assert rec.statuses[0] == "connected"
    alerts = rec.by_type["UwFlowAlert"]
    assert len(alerts) > 20 and {a.ticker for a in alerts} == {"SPY"}
    assert run.stats["reconnects"] == 0
