"""
Backtest the demo strategy on UW history from a ParquetDataCatalog.

    uw-nt download --type UwFlowAlert --ticker SPY --start 2025-05-12 --end 2025-05-16 --catalog ./uw-catalog
    uw-nt download --type UwNetPremTick --ticker SPY --start 2025-05-12 --end 2025-05-16 --catalog ./uw-catalog
    python examples/backtest_from_catalog.py ./uw-catalog [min_premium]

The catalog's records carry ``ts_init = ts_event``, so the engine replays them in UW's event order.
The strategy runs with ``adapter_filters=False``: the filters the live adapter evaluates in Rust
(ticker, 0DTE, minimum premium) run in the strategy instead, on the unfiltered catalog data.
"""

import sys

from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.backtest.engine import BacktestEngineConfig
from nautilus_trader.common.config import LoggingConfig
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwNetPremTick
from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw.strategies import ZeroDteFlowConfig
from nautilus_trader_uw.strategies import ZeroDteFlowStrategy
from nautilus_trader_uw.strategies import ZeroDteFlowSummary


def run_backtest(
    catalog_path: str, tickers: tuple[str, ...] = ("SPY", "QQQ"), min_premium: float = 250_000.0
) -> ZeroDteFlowSummary:
    """
    Replay every UW flow alert, option print and net-premium tick in the catalog through
    ``ZeroDteFlowStrategy``; return what it saw and decided.
    """
    catalog = ParquetDataCatalog(catalog_path)
    data = []
    for cls in (UwFlowAlert, UwOptionTrade, UwNetPremTick):
        data += catalog.query(cls)  # CustomData, as the engine wants custom data
    if not data:
        raise SystemExit(f"no UW data in {catalog_path}: run `uw-nt download` first")
    engine = BacktestEngine(
        BacktestEngineConfig(trader_id=TraderId("UWBT-001"), logging=LoggingConfig(log_level="ERROR")),
    )
    strategy = ZeroDteFlowStrategy(
        ZeroDteFlowConfig(tickers=tickers, min_premium=min_premium, adapter_filters=False),
    )
    engine.add_strategy(strategy)
    engine.add_data(data, client_id=UW_CLIENT_ID)
    try:
        engine.run()
    finally:
        engine.dispose()
    return strategy.summary


def main() -> None:
    catalog = sys.argv[1] if len(sys.argv) > 1 else "./uw-catalog"
    min_premium = float(sys.argv[2]) if len(sys.argv) > 2 else 250_000.0
    summary = run_backtest(catalog, min_premium=min_premium)
    print(f"0DTE alerts: {summary.alerts}, prints: {summary.prints}, decisions: {len(summary.decisions)}")
    for decision in summary.decisions:
        print(f"  {decision}")


if __name__ == "__main__":
    main()
