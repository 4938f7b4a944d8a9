"""
``uw-nt demo``: a live ``TradingNode`` with the UW data client and ``ZeroDteFlowStrategy``.

Without ``UW_API_KEY`` the node streams from the built-in UW simulator (started on loopback, same
wire protocol); with it, from api.unusualwhales.com. ``--replay`` instead plays UW's own recorded
session (bundled) through the Rust parser into a ``BacktestEngine`` with ``FlowWatcher``.
"""

import asyncio
import os
import time
from pathlib import Path

from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.backtest.engine import BacktestEngineConfig
from nautilus_trader.common.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import TraderId

from nautilus_trader_uw import _core
from nautilus_trader_uw.cli import decode_recording
from nautilus_trader_uw.config import UnusualWhalesDataClientConfig
from nautilus_trader_uw.constants import UW
from nautilus_trader_uw.constants import UW_CLIENT_ID
from nautilus_trader_uw.factories import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw.strategies import FlowWatcher
from nautilus_trader_uw.strategies import FlowWatcherConfig
from nautilus_trader_uw.strategies import ZeroDteFlowConfig
from nautilus_trader_uw.strategies import ZeroDteFlowStrategy


# Simulated activity per channel (frames/s): a busy SPY/QQQ 0DTE afternoon, scaled down.
DEMO_RATES = {"flow-alerts": 8.0, "option_trades": 150.0, "net_flow": 4.0, "price": 4.0}


def run_replay_demo(recording: Path) -> int:
    records, counts = decode_recording(recording)
    if not records:
        print(f"no UW records in {recording}")
        return 1
    engine = BacktestEngine(
        BacktestEngineConfig(
            trader_id=TraderId("UWDEMO-001"),
            logging=LoggingConfig(log_level="WARNING", log_component_levels={"FlowWatcher": "INFO"}),
        ),
    )
    watcher = FlowWatcher(FlowWatcherConfig(min_premium=20_000.0, min_ask_share=0.55))
    engine.add_actor(watcher)
    engine.add_data([CustomData(DataType(type(r)), r) for r in records], client_id=UW_CLIENT_ID)
    try:
        engine.run()
    finally:
        engine.dispose()

    s = watcher.summary
    print()
    print(f"UW demo: replayed {recording.name} through the Rust parser into a NautilusTrader engine")
    print(f"  frames decoded : {dict(sorted(counts.items()))}")
    print(f"  flow alerts    : {s.alerts} ({dict(s.rules)})")
    print(f"  option prints  : {s.trades}")
    for ticker, net in sorted(s.net_premium_by_ticker.items()):
        print(f"  net premium    : {ticker} {net:+,.0f} USD (ask-side calls/bid-side puts positive)")
    print(f"  signals        : {len(s.signals)}")
    for signal in s.signals:
        print(f"    {signal}")
    return 0


def run_live_demo(seconds: float, log_level: str = "WARNING") -> int:
    """
    Run the node for ``seconds`` and print a summary; return the exit code.
    """
    api_key = os.environ.get(_core.UW_API_KEY_ENV, "").strip()
    sim = None
    if api_key:
        client_config = UnusualWhalesDataClientConfig()
        source = "api.unusualwhales.com (UW_API_KEY is set)"
    else:
        from nautilus_trader_uw.sim import UwSimServer
        from nautilus_trader_uw.sim import sim_client_config

        sim = UwSimServer(rate=2.0, rates=DEMO_RATES, tickers=["SPY", "QQQ"], seed=int(time.time()))
        client_config = sim_client_config(sim)
        source = f"the built-in UW simulator at {sim.ws_url} (set UW_API_KEY for the real service)"
    print(f"UW demo: a TradingNode with the Unusual Whales data client, streaming from {source}")
    print(f"         running ZeroDteFlowStrategy for {seconds:g}s ...")

    node = TradingNode(
        config=TradingNodeConfig(
            trader_id="UWDEMO-001",
            logging=LoggingConfig(
                log_level=log_level,
                log_component_levels={"ZeroDteFlowStrategy": "INFO"},
            ),
            data_clients={UW: client_config},
            timeout_connection=15.0,
            timeout_disconnection=5.0,
            timeout_post_stop=1.0,
        ),
        loop=asyncio.new_event_loop(),
    )
    strategy = ZeroDteFlowStrategy(ZeroDteFlowConfig())
    node.trader.add_strategy(strategy)
    clients: list = []

    class _Factory(UnusualWhalesLiveDataClientFactory):
        @staticmethod
        def create(*args, **kwargs):  # type: ignore[override]
            client = UnusualWhalesLiveDataClientFactory.create(*args, **kwargs)
            clients.append(client)
            return client

    node.add_data_client_factory(UW, _Factory)
    node.build()
    stats: dict = {}

    def stop() -> None:
        stats.update(clients[0].stats())
        node.stop()

    node.get_event_loop().call_later(seconds, stop)
    started = time.monotonic()
    try:
        node.run()
    finally:
        node.dispose()
        if sim is not None:
            sim.shutdown()
    elapsed = time.monotonic() - started

    s = strategy.summary
    lag = stats.get("lag_ns") or {}
    print()
    print(f"UW demo summary ({elapsed:.1f}s)")
    print(
        f"  feed           : {'connected' if stats.get('connected') else 'NOT connected'}, "
        f"{stats.get('frames', 0)} frames, {stats.get('reconnects', 0)} reconnects, "
        f"{stats.get('parse_errors', 0)} parse errors, {stats.get('dropped', 0)} dropped"
    )
    for channel, n in sorted((stats.get("messages_per_channel") or {}).items()):
        print(f"  channel        : {channel:<22} {n:>7} messages")
    if lag:
        print(f"  lag UW->node   : p50 {lag['p50'] / 1e6:.2f} ms, p99 {lag['p99'] / 1e6:.2f} ms")
    print(f"  published      : {stats.get('published', 0)} objects to the strategy")
    print(f"  feed states    : {' -> '.join(s.feed_states) or 'none'}")
    cfg = strategy.config
    print(f"  0DTE alerts    : {s.alerts} above ${cfg.min_premium:,.0f} on {', '.join(cfg.tickers)}")
    print(f"  0DTE prints    : {s.prints} on {', '.join(cfg.tickers)}")
    for ticker, net in sorted(s.net_premium.items()):
        print(f"  net premium    : {ticker} {net:+,.0f} USD (calls minus puts, session to date)")
    print(f"  skipped        : {dict(s.skipped) or 'none'}")
    print(f"  decisions      : {len(s.decisions)}")
    for decision in s.decisions[:10]:
        print(f"    {decision}")
    if len(s.decisions) > 10:
        print(f"    ... and {len(s.decisions) - 10} more")
    return 0 if stats.get("connected") else 1


def run_replay_node(recording: Path, speed: float, seconds: float) -> int:
    """
    Play ``recording`` through the simulator into a live node running ``FlowWatcher``.
    """
    from nautilus_trader_uw.sim import UwSimServer
    from nautilus_trader_uw.sim import sim_client_config

    sim = UwSimServer(replay=str(recording), replay_speed=speed, rate=0.0)
    watcher = FlowWatcher(FlowWatcherConfig(min_premium=20_000.0, min_ask_share=0.55))
    node = TradingNode(
        config=TradingNodeConfig(
            trader_id="UWREPLAY-001",
            logging=LoggingConfig(log_level="WARNING"),
            data_clients={UW: sim_client_config(sim, stale_after_secs=None)},
            timeout_disconnection=5.0,
            timeout_post_stop=1.0,
        ),
        loop=asyncio.new_event_loop(),
    )
    node.trader.add_actor(watcher)
    node.add_data_client_factory(UW, UnusualWhalesLiveDataClientFactory)
    node.build()
    node.get_event_loop().call_later(seconds, node.stop)
    try:
        node.run()
    finally:
        node.dispose()
        sim.shutdown()
    s = watcher.summary
    print(f"replayed {recording.name} at {speed:g}x into a node: {s.alerts} flow alerts, {s.trades} option prints")
    for signal in s.signals:
        print(f"  {signal}")
    return 0
