"""
Fixture loaders: the crate's per-channel fixtures and UW's recorded session.
"""

import json
from pathlib import Path

import pytest
from hypothesis import settings

from nautilus_trader_uw.samples import sample_recording_path


# No per-example deadline: CI shares two cores with builds, and a slow example is not a failure.
settings.register_profile("uw", deadline=None, derandomize=False)
settings.load_profile("uw")

ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = ROOT / "crates" / "adapters" / "unusual_whales" / "test_data"


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


# The request each REST fixture answers (a path names the ticker its rows omit).
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
    "http_get_spot_exposures_strike.jsonl": "/api/stock/SPX/spot-exposures/strike",
}


def rest_fixture_bodies() -> list[tuple[str, str]]:
    out = []
    for path in sorted(TEST_DATA.glob("http_get_*.jsonl")):
        endpoint = REST_FIXTURE_ENDPOINTS[path.name]
        out += [(endpoint, line) for line in path.read_text().splitlines() if line.strip()]
    return out
