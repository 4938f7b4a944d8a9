"""
The UW simulator: UW's WebSocket and REST protocol on loopback, for tests, the demo and benchmarks.

>>> from nautilus_trader_uw.sim import UwSimServer, sim_client_config
>>> with UwSimServer(rate=20.0, tickers=["SPY", "QQQ"]) as sim:
...     config = sim_client_config(sim)   # an UnusualWhalesDataClientConfig pointing at it

``UwSimServer`` (implemented in Rust, ``nautilus_trader_uw._core``) generates realistic SPY/QQQ 0DTE
flow alerts, option prints, prices, GEX, dark-pool prints, net flow, market tide and news, or
replays a JSONL recording; it checks the token, acknowledges joins, honours leaves, answers pings,
serves REST with UW's ``x-uw-*`` rate-limit headers, and injects faults on request:
``drop_connections()``, ``stall(seconds)``, ``inject(frame)``, ``refuse_channel(name)``,
``set_ignore_leave(True)``, ``set_reject_upgrades(401)``, ``fail_http(status, count)``.
"""

from typing import Any

from nautilus_trader_uw._core import UwSimServer
from nautilus_trader_uw.config import UnusualWhalesDataClientConfig


def sim_client_config(sim: UwSimServer, **overrides: Any) -> UnusualWhalesDataClientConfig:
    """
    Return a data client config pointing at ``sim`` with its token.

    Parameters
    ----------
    sim : UwSimServer
        The running simulator.
    **overrides
        Further ``UnusualWhalesDataClientConfig`` fields.

    Returns
    -------
    UnusualWhalesDataClientConfig
    """
    fields: dict[str, Any] = {
        "api_key": sim.token,
        "base_url_ws": sim.ws_url,
        "base_url_http": sim.http_url,
        **overrides,
    }
    return UnusualWhalesDataClientConfig(**fields)


__all__ = ["UwSimServer", "sim_client_config"]
