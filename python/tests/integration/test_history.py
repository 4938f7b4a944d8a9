"""
History through the standard NautilusTrader request path, and the gap back-fill after a reconnect.
"""

import time

import pandas as pd
import pytest
from nautilus_trader.core.uuid import UUID4
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UwFeedStatus
from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwNetPremTick
from nautilus_trader_uw import UwRequestError
from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw import _compat
from nautilus_trader_uw.sim import UwSimServer

from .node_harness import NodeRun
from .node_harness import Recorder
from .node_harness import Requester
from .node_harness import run_node


pytestmark = pytest.mark.timeout(120)


def test_request_data_delivers_typed_history_to_on_historical_data():
    with UwSimServer(rate=0.0, rates={"flow-alerts": 100.0}, tickers=["SPY", "QQQ"]) as sim:
        time.sleep(1.5)  # history to ask for
        since = pd.Timestamp.now("UTC") - pd.Timedelta(seconds=1)
        tick_day = pd.Timestamp("2025-03-21", tz="UTC")
        req = Requester(
            [
                (DataType(UwFlowAlert, metadata={"ticker": "QQQ", "min_premium": 10_000}), since),
                (
                    DataType(UwNetPremTick, metadata={"ticker": "SPY", "date": "2025-03-21"}),
                    tick_day,
                ),
                (DataType(UwNetPremTick), since),  # no ticker: refused, but answered
            ],
        )
        run = run_node(sim, [req], seconds=2.0)
    alerts = [d for d in req.historical if isinstance(d, UwFlowAlert)]
    ticks = [d for d in req.historical if isinstance(d, UwNetPremTick)]
    assert len(alerts) > 20
    assert {a.ticker for a in alerts} == {"QQQ"} and min(a.total_premium for a in alerts) >= 10_000
    assert all(a.ts_event >= since.value for a in alerts)
    assert ticks and {t.ticker for t in ticks} == {"SPY"}
    assert len(req.completed) == 3, "every request completes, the refused one too"
    # The refused request answers with its failure, so "no data" and "failed" differ.
    (failed,) = [d for d in req.historical if isinstance(d, UwFeedStatus)]
    assert failed.status == "request_failed" and "needs a ticker" in failed.detail
    assert failed.request_id in {str(i) for i in req.completed}
    assert run.stats["rest"]["ok"] >= 2


def run_through_outage(
    sim: UwSimServer, client_overrides: dict | None = None
) -> tuple[Recorder, NodeRun, list[str], set[str]]:
    """
    A node recording SPY's alerts and the feed's statuses for 4 s while UW drops every connection
    at 1 s and refuses new ones until 2 s. Returns the recorder, the run, the ids delivered in
    order, and the ids the strategy must have seen: every one the simulator created over the span
    it saw (at the span's two edges, those it did see).
    """

    def outage() -> None:
        sim.set_reject_upgrades(503)
        sim.drop_connections()

    rec = Recorder([DataType(UwFeedStatus), DataType(UwFlowAlert)])
    run = run_node(
        sim,
        [rec],
        seconds=4.0,
        schedule=[(1.0, outage), (2.0, lambda: sim.set_reject_upgrades(None))],
        client_overrides=client_overrides,
    )
    alerts = rec.by_type["UwFlowAlert"]
    ids = [a.id for a in alerts]
    first, last = min(a.ts_event for a in alerts), max(a.ts_event for a in alerts)
    # Every alert strictly inside the span the strategy saw; at its two edges (the join, the
    # stop) a millisecond the simulator filled with several alerts may have been seen in part.
    inside = set(sim.flow_alerts_between("SPY", first + 1, last - 1))
    at_the_edges = set(sim.flow_alerts_between("SPY", first, last)) - inside
    return rec, run, ids, inside | (at_the_edges & set(ids))


def test_after_a_gap_the_strategy_sees_every_alert_once():
    with UwSimServer(rate=0.0, rates={"flow-alerts": 100.0}, tickers=["SPY"]) as sim:
        rec, run, ids, expected = run_through_outage(sim)
    assert len(ids) == len(set(ids)), "no duplicates"
    assert set(ids) == expected, f"{len(expected - set(ids))} alerts lost across the outage"
    assert "backfilling" in rec.statuses
    assert run.stats["reconnects"] == 1
    details = [s.detail for s in rec.by_type["UwFeedStatus"] if s.status == "backfilling"]
    assert any("back-filled" in (d or "") for d in details), details


def test_a_back_fill_larger_than_the_queue_is_delivered_whole():
    # The gap's alerts outnumber the queue toward the strategy: they are queued past its capacity
    # (they were dropped whole, while the status said they were back-filled).
    with UwSimServer(rate=0.0, rates={"flow-alerts": 100.0}, tickers=["SPY"]) as sim:
        rec, run, ids, expected = run_through_outage(sim, client_overrides={"queue_capacity": 20})
    assert set(ids) == expected, f"{len(expected - set(ids))} alerts lost across the outage"
    assert len(ids) == len(set(ids)), "no duplicates"
    reports = [
        s.detail for s in rec.by_type["UwFeedStatus"] if s.status == "backfilling" and "back-filled" in (s.detail or "")
    ]
    [report] = reports
    published = int(report.split("back-filled ")[1].split(" ")[0])
    assert published > 20, "more than the queue holds"
    assert f"{published} matched a subscription" in report
    assert run.stats["dropped"] == 0


def test_a_stopped_node_ends_its_back_fill():
    # REST keeps failing: the back-fill retries. The node stops meanwhile, and nothing more is
    # fetched (with the token) once it is gone.
    with UwSimServer(rate=0.0, rates={"flow-alerts": 50.0}, tickers=["SPY"]) as sim:

        def outage() -> None:
            sim.fail_http(503, 10_000)
            sim.drop_connections()

        rec = Recorder([DataType(UwFeedStatus), DataType(UwFlowAlert)])
        run_node(
            sim,
            [rec],
            seconds=2.5,
            schedule=[(1.0, outage)],
            client_overrides={"http_max_retries": 100, "http_retry_initial_secs": 0.1, "http_retry_max_secs": 0.2},
        )
        assert "backfilling" in rec.statuses
        after_dispose = sim.stats()["http_requests"]
        time.sleep(2.0)
        assert sim.stats()["http_requests"] == after_dispose, "the back-fill went on after the node was disposed"


def test_a_connection_lost_before_the_first_alert_is_back_filled_from_the_join():
    # The channel is joined and acknowledged, then the connection drops before UW sent anything on
    # it: the gap starts at the acknowledgement, and what UW created meanwhile is fetched.
    with UwSimServer(rate=0.0, rates={"flow-alerts": 0.0}, tickers=["SPY"]) as sim:
        marks: dict[str, int] = {}

        def outage() -> None:
            sim.set_reject_upgrades(503)
            sim.drop_connections()
            marks["dropped"] = time.time_ns()
            sim.set_rate(100.0, "flow-alerts")

        def back() -> None:
            sim.set_rate(0.0, "flow-alerts")
            marks["back"] = time.time_ns()
            sim.set_reject_upgrades(None)

        rec = Recorder([DataType(UwFeedStatus), DataType(UwFlowAlert)])
        run = run_node(sim, [rec], seconds=4.0, schedule=[(1.0, outage), (2.0, back)])
        missed = set(sim.flow_alerts_between("SPY", marks["dropped"], marks["back"]))
    ids = [a.id for a in rec.by_type["UwFlowAlert"]]
    assert run.stats["reconnects"] == 1
    assert len(missed) > 20, "the outage had alerts to miss"
    assert missed <= set(ids), f"{len(missed - set(ids))} of {len(missed)} alerts of the gap lost"
    assert len(ids) == len(set(ids)), "no duplicates"
    assert "backfilling" in rec.statuses


def test_a_stopping_node_ends_its_requests_in_flight():
    # UW takes 10 s to answer; the node stops after 1.5 s. Its requests end with it: they held its
    # disconnect for as long as UW took (the executor threads they blocked were the ones the
    # feed's close needed) and kept sending after the stop.
    with UwSimServer(rate=0.0, tickers=["SPY"]) as sim:
        sim.set_http_delay(10.0)
        since = pd.Timestamp.now("UTC") - pd.Timedelta(minutes=5)
        asked = [DataType(UwFlowAlert, metadata={"ticker": "SPY", "min_premium": i}) for i in range(8)]
        req = Requester([(data_type, since) for data_type in asked])
        started = time.monotonic()
        run_node(sim, [req], seconds=1.5)
        took = time.monotonic() - started
        sent = sim.stats()["http_requests"]
        time.sleep(1.0)
        assert sim.stats()["http_requests"] == sent, "requests went on after the node was disposed"
    assert took < 7.0, f"the node took {took:.1f}s to run 1.5s and stop"


def test_only_answered_requests_count_against_the_daily_quota():
    # UW counts the requests it answered (2xx): three 503s and a success cost one of the day's two.
    # (Its own token, so that no other test's client shares this budget.)
    with UwSimServer(rate=0.0, token="tok-daily-quota-refund") as sim:
        rest = UwRestClient(
            base_url=sim.http_url,
            api_key=sim.token,
            max_retries=3,
            retry_initial_secs=0.01,
            retry_max_secs=0.01,
            requests_per_day=2,
        )
        sim.fail_http(503, 3)
        rest.get("/api/stock/SPY/gex-levels")
        rest.get("/api/stock/SPY/gex-levels")
        assert rest.stats()["retries"] == 3
        with pytest.raises(UwRequestError) as err:
            rest.get("/api/stock/SPY/gex-levels")
        assert err.value.kind == "daily_quota"


def test_rest_client_errors_are_typed_and_never_show_the_token():
    with UwSimServer() as sim:
        client = UwRestClient(base_url=sim.http_url, api_key="wrong-token-42", max_retries=0)
        with pytest.raises(UwRequestError) as err:
            client.get("/api/stock/SPY/gex-levels")
        assert err.value.kind == "unauthorized"
        assert "wrong-token-42" not in str(err.value) and "wrong-token-42" not in repr(client)
        ok = UwRestClient(base_url=sim.http_url, api_key=sim.token, max_retries=1, retry_initial_secs=0.01)
        sim.fail_http(502, 5)
        with pytest.raises(UwRequestError) as err:
            ok.get("/api/stock/SPY/gex-levels")
        assert err.value.kind == "server"
        assert ok.stats()["retries"] == 1
        with pytest.raises(ValueError, match="needs a ticker"):
            ok.history("UwNetPremTick", [])


class InstrumentRequester(Recorder):
    """
    Requests one instrument's flow alerts, with an own request id where the release takes one.
    """

    def __init__(self, instrument_id, start: pd.Timestamp):
        super().__init__([], name="InstrumentRequester")
        self.instrument_id = instrument_id
        self.since = start
        self.request_id = UUID4()
        self.returned_id = None
        self.historical: list = []
        self.completed: list = []

    def on_start(self) -> None:
        super().on_start()
        kwargs = {"request_id": self.request_id, "join_request": False} if REQUEST_ID_PARAMETER else {}
        self.returned_id = self.request_data(
            DataType(UwFlowAlert),
            client_id=UW_CLIENT_ID,
            instrument_id=self.instrument_id,
            start=self.since,
            callback=self.completed.append,
            **kwargs,
        )

    def on_historical_data(self, data) -> None:
        self.historical.append(data)


# ``Actor.request_data(request_id=..., join_request=...)`` arrived after 1.221.
REQUEST_ID_PARAMETER = _compat.parse_version(_compat.NAUTILUS_VERSION) >= (1, 231, 0)


def test_request_data_for_one_instrument_delivers_only_its_history():
    with UwSimServer(rate=0.0, rates={"flow-alerts": 200.0}, tickers=["SPY"]) as sim:
        time.sleep(1.5)
        since = pd.Timestamp.now("UTC") - pd.Timedelta(seconds=1.5)
        rest = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        everything = rest.history("UwFlowAlert", [("ticker", "SPY")], since.value, None, 0)
        target = max({a.instrument_id for a in everything}, key=lambda i: sum(a.instrument_id == i for a in everything))
        req = InstrumentRequester(target, since)
        run_node(sim, [req], seconds=2.0)
    assert req.historical, "the instrument's alerts arrive"
    assert {a.instrument_id for a in req.historical} == {target}
    assert req.completed == [req.returned_id]
    if REQUEST_ID_PARAMETER:
        assert req.returned_id == req.request_id


def test_an_instrument_on_another_venue_is_refused_not_answered_empty(capfd):
    # Every record's id carries the client's option_venue: an id on another venue would match none,
    # and "no data" would hide the mistake.
    with UwSimServer(rate=0.0, rates={"flow-alerts": 100.0}, tickers=["SPY"]) as sim:
        since = pd.Timestamp.now("UTC") - pd.Timedelta(seconds=5)
        req = InstrumentRequester(InstrumentId.from_str("SPY250516C00590000.CBOE"), since)
        run_node(sim, [req], seconds=1.5)
        requests = sim.stats()["http_requests"]
    assert requests == 0, "refused before anything is asked of UW"
    assert req.completed == [req.returned_id], "answered all the same"
    # The answer is the failure, on the requester's own instrument (both legs route it there).
    (failed,) = req.historical
    assert isinstance(failed, UwFeedStatus) and failed.status == "request_failed"
    assert "instrument_id='SPY250516C00590000.CBOE' is invalid" in failed.detail
    assert "option_venue" in failed.detail
    assert str(failed.instrument_id) == "SPY250516C00590000.CBOE"
    out = capfd.readouterr()
    assert "instrument_id='SPY250516C00590000.CBOE' is invalid" in out.out + out.err


def test_a_comma_list_of_tickers_reaches_the_simulator_decoded():
    # The client sends `SPY,QQQ` percent-encoded, as any HTTP client does; a server that did not
    # decode it (the simulator once) answered with nothing of either ticker.
    with UwSimServer(rate=0.0, rates={"flow-alerts": 80.0}, tickers=["SPY", "QQQ", "IWM"]) as sim:
        time.sleep(1.5)
        rest = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        records = rest.history("UwFlowAlert", [("ticker", "SPY,QQQ")], None, None, 100)
    assert records and {r.ticker for r in records} == {"SPY", "QQQ"}
