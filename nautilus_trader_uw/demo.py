"""
``uw-nt demo``: the example ``FlowWatcher`` strategy on UW data.

Today it replays UW's own recorded session (bundled) through the Rust parser into a NautilusTrader
``BacktestEngine``: the same Data types, subscriptions and ``on_data`` a live node sees.
"""

from pathlib import Path

from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.backtest.engine import BacktestEngineConfig
from nautilus_trader.common.config import LoggingConfig
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import TraderId

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw.cli import decode_recording
from nautilus_trader_uw.strategies import FlowWatcher
from nautilus_trader_uw.strategies import FlowWatcherConfig


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
