"""
Every options-flow REST type of #16 reaches a strategy through ``request_data`` on the simulator.
"""

import pandas as pd
import pytest
from nautilus_trader.model.data import DataType

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UwContractBar
from nautilus_trader_uw import UwContractScreener
from nautilus_trader_uw import UwDarkPoolLevel
from nautilus_trader_uw import UwEtfTide
from nautilus_trader_uw import UwExpiryFlow
from nautilus_trader_uw import UwFeedStatus
from nautilus_trader_uw import UwGroupGreekFlow
from nautilus_trader_uw import UwMultiLegLeg
from nautilus_trader_uw import UwMultiLegTrade
from nautilus_trader_uw import UwNetImpact
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.symbology import option_instrument_id

from .node_harness import Recorder
from .node_harness import Requester
from .node_harness import run_node


pytestmark = pytest.mark.timeout(120)

# (type, metadata, instrument id, what every record delivered must show); UwMultiLegLeg rows carry
# no time: stamped on arrival, they are in a range that ends now.
REQUESTS = [
    (UwExpiryFlow, {"ticker": "BABA"}, None, lambda r: r.ticker == "BABA" and r.expiry is not None),
    (UwNetImpact, {}, None, lambda r: r.ticker in {"AAPL", "MSFT", "TSLA", "QQQ"} and r.net_premium is not None),
    (UwEtfTide, {"ticker": "XLK"}, None, lambda r: r.ticker == "XLK" and r.net_volume is not None),
    (UwGroupGreekFlow, {"flow_group": "mag7"}, None, lambda r: r.flow_group is not None and r.volume == 12_348),
    (UwDarkPoolLevel, {"ticker": "AAPL"}, None, lambda r: r.ticker == "AAPL" and r.dark_pool_volume == 12_000),
    (UwMultiLegTrade, {"ticker": "AAPL"}, None, lambda r: r.ticker == "AAPL" and r.strategy == "vertical"),
    (
        UwMultiLegLeg,
        {"path": "/api/option-trades/multi-leg/0197f-c3/legs"},
        None,
        lambda r: r.strategy_id == "0197f-c3",
    ),
    (UwContractScreener, {}, None, lambda r: r.volume == 264_899 and r.last_fill is not None),
    (
        UwContractBar,
        {},
        # The contract in the form of this release's IB adapter (padded root from 1.223 on).
        option_instrument_id("AAPL240621C00190000"),
        lambda r: r.instrument_id == option_instrument_id("AAPL240621C00190000") and r.volume_ask_side is not None,
    ),
]


class ContractRequester(Requester):
    """
    ``Requester`` that also names the instrument of the requests that need one.
    """

    def on_start(self) -> None:
        Recorder.on_start(self)
        for cls, metadata, instrument_id, _ in REQUESTS:
            kwargs = {"instrument_id": instrument_id} if instrument_id else {}
            self.request_data(
                DataType(cls, metadata=metadata),
                client_id=UW_CLIENT_ID,
                start=self.requests[0][1],
                callback=self.completed.append,
                **kwargs,
            )


def test_every_options_flow_type_reaches_a_strategy_through_request_data():
    with UwSimServer(rate=0.0) as sim:
        since = pd.Timestamp.now("UTC").normalize() - pd.Timedelta(days=6)
        req = ContractRequester([(DataType(cls), since) for cls, *_ in REQUESTS])
        run_node(sim, [req], seconds=3.0)
    failures = [d.detail for d in req.historical if isinstance(d, UwFeedStatus)]
    assert not failures, failures
    assert len(req.completed) == len(REQUESTS), "every request completes"
    for cls, _, _, shows in REQUESTS:
        records = [d for d in req.historical if isinstance(d, cls)]
        assert records, f"no {cls.__name__} arrived"
        assert all(shows(r) for r in records), f"{cls.__name__}: {records[0]}"
