"""
Backtest the demo strategy on UW data from a ParquetDataCatalog.

The strategy acts on a 0DTE flow alert only when the ticker's net premium agrees with it, so the
catalog needs net flow beside the alerts: ``UwNetFlow`` (the live ``net_flow:<TICKER>`` channels) or
``UwNetPremTick`` (REST history). From a live recording (the simulator without ``UW_API_KEY``:
``uw-nt sim`` in another shell and ``--api-key sim-token --base-url-ws ws://127.0.0.1:8765/socket``):

    uw-nt record --subscribe UwFlowAlert --subscribe UwNetFlow:ticker=SPY,QQQ --seconds 60 --out ./uw-rec
    uw-nt replay ./uw-rec/frames.jsonl --catalog ./uw-catalog
    python examples/backtest_from_catalog.py ./uw-catalog [min_premium]

From REST history:

    uw-nt download --type UwFlowAlert --ticker SPY --start 2025-05-12 --end 2025-05-16 --catalog ./uw-catalog
    uw-nt download --type UwNetPremTick --ticker SPY --start 2025-05-12 --end 2025-05-16 --catalog ./uw-catalog
    python examples/backtest_from_catalog.py ./uw-catalog [min_premium]

It prints what the catalog held, the 0DTE alerts the strategy saw, why it passed on the others
(skip reasons, counted) and its decisions. The engine replays records in ``ts_init`` order: event
time for downloaded history, arrival time for recordings. The strategy runs with
``adapter_filters=False``: the filters the live adapter evaluates in Rust (ticker, 0DTE, minimum
premium) run in the strategy instead, on the unfiltered catalog data. A strategy that keeps its
live subscriptions (metadata filters, flow bars) gets the same records from
``nautilus_trader_uw.backtest_data(data, its_data_types)``.
"""

import sys

from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.backtest.engine import BacktestEngineConfig
from nautilus_trader.common.config import LoggingConfig
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwNetFlow
from nautilus_trader_uw import UwNetPremTick
from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw.strategies import ZeroDteFlowConfig
from nautilus_trader_uw.strategies import ZeroDteFlowStrategy
from nautilus_trader_uw.strategies import ZeroDteFlowSummary


# Every type ZeroDteFlowStrategy acts on in a backtest; a catalog may hold any subset.
STRATEGY_TYPES = (UwFlowAlert, UwOptionTrade, UwNetFlow, UwNetPremTick)
NET_FLOW_TYPES = (UwNetFlow, UwNetPremTick)
LISTED_DECISIONS = 10


def load(catalog_path: str) -> tuple[list, dict[str, int]]:
    """
    The catalog's records of ``STRATEGY_TYPES`` (as ``CustomData``, which the engine wants) and
    their count per type.
    """
    catalog = ParquetDataCatalog(catalog_path)
    data: list = []
    counts: dict[str, int] = {}
    for cls in STRATEGY_TYPES:
        found = catalog.query(cls)  # [] for a type the catalog does not hold
        counts[cls.__name__] = len(found)
        data += found
    return data, counts


def run_backtest(
    catalog_path: str,
    tickers: tuple[str, ...] = ("SPY", "QQQ"),
    min_premium: float = 250_000.0,
) -> tuple[ZeroDteFlowSummary, dict[str, int]]:
    """
    Replay the catalog's flow alerts, option prints and net flow through ``ZeroDteFlowStrategy``;
    return what it saw and decided, and the records loaded per type.
    """
    data, counts = load(catalog_path)
    if not data:
        raise SystemExit(f"no UW flow data in {catalog_path}: run `uw-nt download` or `uw-nt replay --catalog` first")
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
    return strategy.summary, counts


def main() -> None:
    catalog = sys.argv[1] if len(sys.argv) > 1 else "./uw-catalog"
    min_premium = float(sys.argv[2]) if len(sys.argv) > 2 else 250_000.0
    tickers = ("SPY", "QQQ")
    summary, counts = run_backtest(catalog, tickers=tickers, min_premium=min_premium)
    print(f"catalog: {', '.join(f'{name} {n}' for name, n in counts.items())}")
    print(f"0DTE alerts: {summary.alerts}, prints: {summary.prints}, decisions: {len(summary.decisions)}")
    reasons = ", ".join(f"{reason} {n}" for reason, n in summary.skipped.most_common())
    print(f"skipped: {reasons or 'none'}")
    if not summary.alerts:
        print(
            f"  (no flow alert on {', '.join(tickers)} expiring the day it was made with at least "
            f"${min_premium:,.0f} premium; a lower minimum is the second argument)",
        )
    if summary.skipped["no net flow yet"] and not any(counts[cls.__name__] for cls in NET_FLOW_TYPES):
        print(
            "  (the catalog has no net flow: record with --subscribe UwNetFlow:ticker=SPY,QQQ, "
            "or download UwNetPremTick for the same days)",
        )
    for decision in summary.decisions[:LISTED_DECISIONS]:
        print(f"  {decision}")
    if len(summary.decisions) > LISTED_DECISIONS:
        print(f"  ... and {len(summary.decisions) - LISTED_DECISIONS} more")


if __name__ == "__main__":
    main()
