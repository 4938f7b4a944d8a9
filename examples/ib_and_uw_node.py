"""
A TradingNode with Interactive Brokers (data + execution) and Unusual Whales (data) side by side.

IB is the default route for market data and executes orders; UW streams flow into the strategy.
Requires a running TWS / IB Gateway (paper: port 4002) and ``UW_API_KEY`` in the environment.

    UW_API_KEY=... IB_ACCOUNT_ID=DU123456 python examples/ib_and_uw_node.py

To try it without UW access, point the UW client at the simulator: ``uw-nt sim`` in another shell,
then ``UW_SIM=1 IB_ACCOUNT_ID=DU123456 python examples/ib_and_uw_node.py`` (IB still needs its
gateway and your account; NautilusTrader's ``TWS_ACCOUNT`` works too).
"""

import os

from nautilus_trader.adapters.interactive_brokers.common import IB
from nautilus_trader.adapters.interactive_brokers.config import InteractiveBrokersDataClientConfig
from nautilus_trader.adapters.interactive_brokers.config import InteractiveBrokersExecClientConfig
from nautilus_trader.adapters.interactive_brokers.config import InteractiveBrokersInstrumentProviderConfig
from nautilus_trader.adapters.interactive_brokers.config import SymbologyMethod
from nautilus_trader.adapters.interactive_brokers.factories import InteractiveBrokersLiveDataClientFactory
from nautilus_trader.adapters.interactive_brokers.factories import InteractiveBrokersLiveExecClientFactory
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import RoutingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode

from nautilus_trader_uw import UW
from nautilus_trader_uw import UnusualWhalesDataClientConfig
from nautilus_trader_uw import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw.strategies import ZeroDteFlowConfig
from nautilus_trader_uw.strategies import ZeroDteFlowStrategy


def build_config() -> TradingNodeConfig:
    """
    The node configuration: IB first and the default route, UW beside it.
    """
    # Option contracts arrive from UW as IB simplified symbology (SPY   261125C00590000.SMART; the
    # root unpadded before NautilusTrader 1.223), so the IB provider resolves them without translation.
    provider = InteractiveBrokersInstrumentProviderConfig(symbology_method=SymbologyMethod.IB_SIMPLIFIED)
    ib_port = int(os.environ.get("IB_PORT", "4002"))
    if os.environ.get("UW_SIM"):
        # The simulator started by `uw-nt sim` (fixed ports, token "sim-token").
        uw = UnusualWhalesDataClientConfig(
            api_key="sim-token",
            base_url_ws="ws://127.0.0.1:8765/socket",
            base_url_http="http://127.0.0.1:8766",
        )
    else:
        uw = UnusualWhalesDataClientConfig(api_key=None)  # None: UW_API_KEY from the environment
    return TradingNodeConfig(
        trader_id="FLOW-001",
        logging=LoggingConfig(log_level="INFO"),
        data_clients={
            # First and default: instrument-less subscriptions and requests go to IB, never to UW.
            IB: InteractiveBrokersDataClientConfig(
                ibg_port=ib_port,
                instrument_provider=provider,
                routing=RoutingConfig(default=True),
            ),
            UW: uw,
        },
        exec_clients={
            IB: InteractiveBrokersExecClientConfig(
                ibg_port=ib_port,
                account_id=os.environ.get("IB_ACCOUNT_ID"),  # None: NautilusTrader reads TWS_ACCOUNT
                instrument_provider=provider,
                routing=RoutingConfig(default=True),
            ),
        },
        timeout_connection=90.0,
    )


def main() -> None:
    if not (os.environ.get("IB_ACCOUNT_ID") or os.environ.get("TWS_ACCOUNT")):
        # NautilusTrader's IB exec client asserts on a missing account deep in node.build().
        raise SystemExit("ib_and_uw_node.py: set IB_ACCOUNT_ID to your IB account (paper accounts start with DU)")
    node = TradingNode(config=build_config())
    node.trader.add_strategy(ZeroDteFlowStrategy(ZeroDteFlowConfig(tickers=("SPY", "QQQ"))))
    node.add_data_client_factory(IB, InteractiveBrokersLiveDataClientFactory)
    node.add_exec_client_factory(IB, InteractiveBrokersLiveExecClientFactory)
    node.add_data_client_factory(UW, UnusualWhalesLiveDataClientFactory)
    node.build()
    try:
        node.run()
    finally:
        node.dispose()


if __name__ == "__main__":
    main()
