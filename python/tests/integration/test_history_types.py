"""
Every typed REST record reaches a strategy through ``request_data`` on the simulator: the request
the registry plans from the metadata, UW's example answered for the day asked, the records
delivered to ``on_historical_data``.
"""

import json

import pandas as pd
import pytest
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import InstrumentId

import nautilus_trader_uw as uw
from nautilus_trader_uw.sim import UwSimServer

from .node_harness import Requester
from .node_harness import run_node


pytestmark = pytest.mark.timeout(120)

# A past Friday: every record of it, and the realized volatility UW computes a year after it
# (docs/uw-api.md#rest-volatility), is before now.
DAY = "2024-06-14"
START = pd.Timestamp("2023-06-01", tz="UTC")

# The metadata each type's history needs, and what each record must show of it.
REQUESTS = {
    uw.UwExpiryStrikeSpotExposure: {"ticker": "SPY", "date": DAY, "expirations": "2024-06-21"},
    # The simulator moves UW's example (expiry four days after its date) to DAY; UW answers the
    # expiry asked for.
    uw.UwStrikeGreeks: {"ticker": "SPY", "date": DAY, "expiry": "2024-06-18"},
    uw.UwStrikeOpenInterest: {"ticker": "SPY", "date": DAY},
    uw.UwExpiryOpenInterest: {"ticker": "SPY", "date": DAY},
    uw.UwOpenInterestChange: {"ticker": "SPY", "date": DAY},
    uw.UwRiskReversalSkew: {"ticker": "SPY", "date": DAY, "expiry": "2024-06-21", "delta": "25"},
    uw.UwVolatilityStats: {"ticker": "SPY", "date": DAY},
    uw.UwRealizedVolatility: {"ticker": "SPY", "date": DAY},
    uw.UwScreenedContract: {"ticker": "SPY", "date": DAY, "expirations": "2024-06-14"},
    uw.UwEconomicEvent: {"date": DAY},
}


@pytest.fixture(scope="module")
def delivered() -> dict[type, list]:
    with UwSimServer(rate=0.0, tickers=["SPY"]) as sim:
        req = Requester([(DataType(cls, metadata=md), START) for cls, md in REQUESTS.items()])
        run_node(sim, [req], seconds=3.0)
    assert len(req.completed) == len(REQUESTS), "every request completes"
    failed = [d for d in req.historical if isinstance(d, uw.UwFeedStatus)]
    assert not failed, [f.detail for f in failed]
    by_type: dict[type, list] = {cls: [] for cls in REQUESTS}
    for record in req.historical:
        by_type[type(record)].append(record)
    return by_type


@pytest.mark.parametrize("cls", list(REQUESTS), ids=lambda c: c.__name__)
def test_request_data_delivers_the_type(delivered, cls):
    records = delivered[cls]
    assert records, f"no {cls.__name__} reached on_historical_data"
    md = REQUESTS[cls]
    for r in records:
        assert START.value <= r.ts_event <= pd.Timestamp.now("UTC").value
        if cls._HAS_INSTRUMENT:
            if "ticker" in md and cls not in (uw.UwOpenInterestChange, uw.UwScreenedContract):
                assert r.instrument_id == InstrumentId.from_str("SPY.SMART")
            else:  # option contracts of the ticker asked for
                assert r.instrument_id.symbol.value.startswith("SPY")
        if "expiry" in md:
            assert r.expiry == md["expiry"]
        if cls is uw.UwExpiryStrikeSpotExposure:
            assert r.expiry == md["expirations"]
    if "date" in md and hasattr(records[0], "date"):
        assert md["date"] in {r.date for r in records}


def test_calendar_events_to_come_reach_the_strategy():
    # The calendar lists events before they happen; they are known when UW answers.
    with UwSimServer(rate=0.0) as sim:
        soon = pd.Timestamp.now("UTC").floor("s") + pd.Timedelta(days=3)
        rows = [
            {"event": "CPI", "type": "report", "time": soon.isoformat()},
            {"event": "PCE index", "type": "report", "time": "2020-01-02T13:30:00Z"},
        ]
        sim.inject_http_body(json.dumps({"data": rows}))
        since = pd.Timestamp.now("UTC") - pd.Timedelta(days=3650)
        req = Requester([(DataType(uw.UwEconomicEvent), since)])
        run_node(sim, [req], seconds=2.0)
    events = {e.event: e for e in req.historical if isinstance(e, uw.UwEconomicEvent)}
    assert set(events) == {"CPI", "PCE index"}
    assert events["CPI"].time == soon.value
    assert events["CPI"].ts_event <= events["CPI"].ts_init + 5 * 10**9 < soon.value
