"""
REST history over several pages: every alert once, oldest first, whichever time UW's cursor compares.
"""

import time

import pytest

from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw.sim import UwSimServer


pytestmark = pytest.mark.timeout(60)


# UW does not say whether ``older_than`` compares an alert's ``end_time`` or its later ``created_at``.
@pytest.mark.parametrize("cursor_on_created_at", [False, True], ids=["end_time", "created_at"])
def test_history_over_pages_is_every_alert_once_oldest_first(cursor_on_created_at):
    with UwSimServer(rate=0.0, rates={"flow-alerts": 800.0}, tickers=["SPY", "QQQ"]) as sim:
        sim.set_cursor_on_created_at(cursor_on_created_at)
        start = time.time_ns()
        time.sleep(2.0)  # several pages of 200 SPY alerts, also when the generator lags
        end = time.time_ns()
        rest = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        alerts = rest.history("UwFlowAlert", [("ticker", "SPY")], start, end, 0)
        expected = sim.flow_alerts_between("SPY", start, end)

    assert len(expected) > 400
    times = [a.ts_event for a in alerts]
    assert times == sorted(times), "oldest first across pages"
    ids = [a.id for a in alerts]
    assert len(ids) == len(set(ids)), "none repeated"
    assert set(ids) == set(expected), "none lost"
