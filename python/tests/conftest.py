"""
Fixture loaders: the crate's per-channel fixtures and UW's recorded session.
"""

import gc
import json
from pathlib import Path

import pytest
from hypothesis import settings

from nautilus_trader_uw.samples import sample_recording_path


# No per-example deadline: CI shares two cores with builds, and a slow example is not a failure.
settings.register_profile("uw", deadline=None, derandomize=False)
settings.load_profile("uw")


@pytest.fixture(autouse=True)
def _collect_disposed_nodes():
    """
    Collects the garbage a test leaves while its output is still captured: a disposed
    NautilusTrader node leaves pending ``ActorExecutor`` tasks on its closed loop, and asyncio's
    "Task was destroyed but it is pending!" would otherwise be printed into pytest's progress
    line whenever the collector happens to run.
    """
    yield
    gc.collect()


ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = ROOT / "crates" / "adapters" / "unusual_whales_sim" / "test_data"


def ws_fixture_frames() -> list[str]:
    frames = []
    for path in sorted(TEST_DATA.glob("ws_*.jsonl")):
        frames += [line for line in path.read_text().splitlines() if line.strip()]
    return frames


def recorded_frames() -> list[str]:
    return [json.loads(line)["frame"] for line in sample_recording_path().read_text().splitlines() if line]


@pytest.fixture(scope="session")
def all_frames() -> list[str]:
    return ws_fixture_frames() + recorded_frames()


# The request each REST fixture answers (a path names the ticker its rows omit); several for an
# example UW documents for more than one endpoint.
REST_FIXTURE_ENDPOINTS = {
    "http_get_flow_alerts.jsonl": "flow_alerts",
    "http_get_option_trades.jsonl": "option_trades",
    "http_get_darkpool_ticker.jsonl": "/api/darkpool/AAPL",
    "http_get_spot_exposures.jsonl": "/api/stock/SPX/spot-exposures",
    "http_get_market_tide.jsonl": "market_tide",
    "http_get_net_prem_ticks.jsonl": "/api/stock/SPY/net-prem-ticks?date=2025-03-21",
    "http_get_news_headlines.jsonl": "news_headlines",
    "http_get_greek_exposure_strike_expiry.jsonl": "/api/stock/SPY/greek-exposure/strike-expiry?expiry=2022-05-25",
    "http_get_gex_levels.jsonl": "/api/stock/SPY/gex-levels",
    "http_get_greek_exposure.jsonl": "/api/stock/SPY/greek-exposure?date=2023-09-08",
    "http_get_greek_exposure_expiry.jsonl": "/api/stock/SPY/greek-exposure/expiry",
    "http_get_spot_exposures_strike.jsonl": (
        "/api/stock/SPX/spot-exposures/strike",
        "/api/stock/SPX/spot-exposures/expiry-strike?expirations[]=2023-12-15",
    ),
    "http_get_flow_alert_detail.jsonl": "/api/option-trades/flow-alerts/ae47f719-7131-4816-b9f5-8bd35de90ddc",
    "http_get_net_flow_expiry.jsonl": "/api/net-flow/expiry?expiration=zero_dte",
    "http_get_greek_flow.jsonl": "/api/stock/SPY/greek-flow",
    "http_get_greek_flow_expiry.jsonl": "/api/stock/SPY/greek-flow/2024-10-28",
    "http_get_flow_per_strike.jsonl": "/api/stock/BABA/flow-per-strike",
    "http_get_option_contracts.jsonl": "/api/stock/AAPL/option-contracts",
    "http_get_option_chains.jsonl": "/api/stock/AAPL/option-chains",
    "http_get_option_contract_historic.jsonl": "/api/option-contract/TSLA230526C00200000/historic",
    "http_get_stock_state.jsonl": "/api/stock/AAPL/stock-state",
    "http_get_stock_quote.jsonl": "/api/stock/AAPL/quote",
    "http_get_ohlc.jsonl": "/api/stock/AAPL/ohlc/1m",
    "http_get_max_pain.jsonl": "/api/stock/SPY/max-pain",
    "http_get_iv_rank.jsonl": "/api/stock/AAPL/iv-rank",
    "http_get_interpolated_iv.jsonl": "/api/stock/AAPL/interpolated-iv",
    "http_get_term_structure.jsonl": "/api/stock/AAPL/volatility/term-structure",
    "http_get_earnings_ticker.jsonl": "/api/earnings/AAPL",
    "http_get_earnings_premarket.jsonl": "earnings_premarket",
    "http_get_congress_recent_trades.jsonl": "congress_recent_trades",
    "http_get_insider_transactions.jsonl": "insider_transactions",
    "http_get_nope.jsonl": "/api/stock/SPY/nope",
    # What an options-flow strategy reads beside the flow (#16).
    "http_get_greeks.jsonl": "/api/stock/SPY/greeks?expiry=2024-01-05",
    "http_get_oi_per_strike.jsonl": "/api/stock/SPY/oi-per-strike",
    "http_get_oi_per_expiry.jsonl": "/api/stock/SPY/oi-per-expiry",
    "http_get_oi_change_ticker.jsonl": ("/api/stock/MSFT/oi-change", "/api/market/oi-change"),
    "http_get_risk_reversal_skew.jsonl": "/api/stock/SPY/historical-risk-reversal-skew?expiry=2024-01-19&delta=10",
    "http_get_volatility_stats.jsonl": "/api/stock/AAPL/volatility/stats",
    "http_get_realized_volatility.jsonl": "/api/stock/AAPL/volatility/realized",
    "http_get_atm_chains.jsonl": "/api/stock/TSLA/atm-chains?expirations[]=2023-09-08",
    "http_get_economic_calendar.jsonl": "/api/market/economic-calendar",
    # What an options-flow strategy reads beside the prints (#16).
    "http_get_flow_per_expiry.jsonl": "/api/stock/BABA/flow-per-expiry",
    "http_get_top_net_impact.jsonl": "/api/market/top-net-impact?date=2025-10-22",
    "http_get_etf_tide.jsonl": "/api/market/XLK/etf-tide",
    "http_get_group_greek_flow.jsonl": "/api/group-flow/airline/greek-flow",
    "http_get_group_greek_flow_expiry.jsonl": "/api/group-flow/airline/greek-flow/2024-10-28",
    "http_get_darkpool_price_levels.jsonl": "/api/darkpool/AAPL/price-levels",
    "http_get_multi_leg_trades.jsonl": "multi_leg_trades",
    "http_get_multi_leg_legs.jsonl": "/api/option-trades/multi-leg/0197f-c3/legs",
    "http_get_screener_option_contracts.jsonl": "screener_option_contracts",
    "http_get_option_contract_intraday.jsonl": "/api/option-contract/AAPL240621C00190000/intraday",
}


def rest_fixture_bodies() -> list[tuple[str, str]]:
    out = []
    for path in sorted(TEST_DATA.glob("http_get_*.jsonl")):
        endpoints = REST_FIXTURE_ENDPOINTS[path.name]
        for endpoint in (endpoints,) if isinstance(endpoints, str) else endpoints:
            out += [(endpoint, line) for line in path.read_text().splitlines() if line.strip()]
    return out
