"""
A real ``TradingNode`` with the UW data client, against the simulator on loopback.
"""

import json
import time
from collections import Counter

import pytest
from nautilus_trader.config import StreamingConfig
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UwFeedStatus
from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwNetFlow
from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw import UwPrice
from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.symbology import option_instrument_id

from .node_harness import Recorder
from .node_harness import run_node


pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def sim():
    with UwSimServer(rate=40.0, tickers=["SPY", "QQQ"], seed=7) as server:
        yield server


def test_subscribed_types_arrive_typed_in_on_data(sim):
    rec = Recorder(
        [
            DataType(UwFlowAlert),
            DataType(UwOptionTrade, metadata={"ticker": "SPY"}),
            DataType(UwNetFlow, metadata={"ticker": "QQQ"}),
        ],
    )
    run = run_node(sim, [rec], seconds=2.5)

    alerts, trades, flows = rec.by_type["UwFlowAlert"], rec.by_type["UwOptionTrade"], rec.by_type["UwNetFlow"]
    assert len(alerts) > 30 and len(trades) > 30 and len(flows) > 30
    alert = alerts[0]
    assert isinstance(alert.instrument_id, InstrumentId)
    assert alert.instrument_id.venue.value == "SMART"
    assert alert.ticker in ("SPY", "QQQ")
    assert alert.total_premium > 0 and alert.ts_event <= alert.ts_init
    assert {t.underlying_symbol for t in trades} == {"SPY"}
    assert {f.ticker for f in flows} == {"QQQ"}
    assert run.stats["connected"] is True
    assert run.stats["parse_errors"] == 0
    # Counted at the stop, while the last objects handed over may still wait in the engine's queue
    # (or arrive before the actor stops): equal up to what is in flight at shutdown.
    assert abs(run.stats["published"] - len(rec.received)) <= 10
    assert sorted(sim.joined_channels()) == []  # the node unsubscribed on stop and closed the socket


def test_two_subscriptions_on_one_channel_each_get_exactly_theirs(sim):
    spy = Recorder([DataType(UwFlowAlert, metadata={"ticker": "SPY"})], name="Spy")
    qqq = Recorder([DataType(UwFlowAlert, metadata={"ticker": "QQQ"})], name="Qqq")
    everything = Recorder([DataType(UwFlowAlert)], name="All")
    run = run_node(sim, [spy, qqq, everything], seconds=2.5)

    assert {a.ticker for a in spy.received} == {"SPY"}
    assert {a.ticker for a in qqq.received} == {"QQQ"}
    all_ids = [a.id for a in everything.received]
    assert len(all_ids) == len(set(all_ids)), "the unfiltered subscriber sees each alert once"
    # The socket joined flow-alerts once for all three; the two filtered views partition the stream.
    assert set(all_ids) >= {a.id for a in spy.received} | {a.id for a in qqq.received}
    assert len(spy.received) > 10 and len(qqq.received) > 10
    assert run.stats["messages_per_channel"].keys() == {"flow-alerts"}


def test_filters_in_metadata_are_applied_before_python(sim):
    big = Recorder(
        [DataType(UwFlowAlert, metadata={"ticker": "SPY", "min_premium": 50_000, "option_type": "call"})],
    )
    run = run_node(sim, [big], seconds=2.5)
    assert big.received, "some large SPY call alerts"
    assert all(a.ticker == "SPY" and a.total_premium >= 50_000 and a.option_type == "call" for a in big.received)
    assert run.stats["records"] > run.stats["delivered"], "the rest was filtered out in Rust"


def test_instrument_id_subscriptions_receive_only_that_instrument(sim):
    rec = Recorder([DataType(UwPrice)], name="Probe")
    target = InstrumentId.from_str("SPY.SMART")

    class ById(Recorder):
        def on_start(self) -> None:
            self.subscribe_data(DataType(UwPrice), client_id=UW_CLIENT_ID, instrument_id=target)

    by_id = ById([], name="ById")
    run_node(sim, [rec, by_id], seconds=2.0)
    assert by_id.received and {p.instrument_id for p in by_id.received} == {target}
    assert {p.ticker for p in rec.received} == {"SPY", "QQQ"}


def leave_then_look(rec: Recorder, sim: UwSimServer, leave_at: float, look_at: float) -> tuple[dict, list]:
    """
    A schedule that unsubscribes ``rec`` at ``leave_at`` (noting how much it had received) and notes
    the simulator's joined channels at ``look_at``; returns the notes and the schedule.
    """
    marks: dict = {}

    def unsubscribe() -> None:
        rec.unsubscribe_all()
        marks["count"] = len(rec.received)

    def look() -> None:
        marks["joined"] = sim.joined_channels()

    return marks, [(leave_at, unsubscribe), (look_at, look)]


def test_unsubscribe_stops_delivery_and_leaves_the_channel(sim):
    rec = Recorder([DataType(UwPrice, metadata={"ticker": "SPY"})])
    marks, schedule = leave_then_look(rec, sim, leave_at=1.0, look_at=1.8)
    run_node(sim, [rec], seconds=2.5, schedule=schedule)
    assert marks["count"] > 10
    # Objects already handed to the loop may still land; nothing after that.
    assert len(rec.received) - marks["count"] <= 5
    assert marks["joined"] == []
    assert sim.stats()["leaves"] == 1


@pytest.mark.parametrize("leave_grace_secs", [0.3, 30.0])
def test_a_leave_uw_ignores_ends_in_a_reconnect_after_the_configured_grace(sim, leave_grace_secs):
    sim.set_ignore_leave(True)
    rec = Recorder([DataType(UwPrice, metadata={"ticker": "SPY"})])
    marks, schedule = leave_then_look(rec, sim, leave_at=1.0, look_at=2.2)
    run = run_node(sim, [rec], seconds=2.5, schedule=schedule, client_overrides={"leave_grace_secs": leave_grace_secs})
    sim.set_ignore_leave(False)
    assert marks["count"] > 10
    if leave_grace_secs < 1.0:
        # UW kept sending past the grace: the client re-connected without the channel.
        assert run.stats["reconnects"] == 1
        assert marks["joined"] == []
    else:
        assert run.stats["reconnects"] == 0
        assert marks["joined"] == ["price:SPY"]
    # Either way the strategy got nothing after it left.
    assert len(rec.received) - marks["count"] <= 5


def test_one_of_two_strategies_unsubscribing_keeps_the_others_data(sim):
    leaver = Recorder([DataType(UwPrice, metadata={"ticker": "SPY"})], name="Leaver")
    stayer = Recorder([DataType(UwPrice, metadata={"ticker": "SPY"})], name="Stayer")
    marks = {}

    def leave() -> None:
        leaver.unsubscribe_all()
        marks["stayer"] = len(stayer.received)
        marks["leaver"] = len(leaver.received)

    run_node(sim, [leaver, stayer], seconds=3.0, schedule=[(1.0, leave)])
    assert len(stayer.received) - marks["stayer"] > 30, "the engine's unsubscribe must not cut the stayer off"
    assert len(leaver.received) - marks["leaver"] <= 5
    # When the last one goes (on stop), the channel is left.
    assert sim.stats()["leaves"] == 1


def test_a_dropped_connection_is_re_established_and_re_joined(sim):
    rec = Recorder([DataType(UwFeedStatus), DataType(UwOptionTrade, metadata={"ticker": "QQQ"})])
    marks = {}

    def drop() -> None:
        marks["before"] = len(rec.by_type["UwOptionTrade"])
        sim.drop_connections()

    run = run_node(sim, [rec], seconds=3.0, schedule=[(1.0, drop)])
    assert rec.statuses[:3] == ["connected", "reconnecting", "connected"]
    assert len(rec.by_type["UwOptionTrade"]) - marks["before"] > 30, "trades flow again after the re-join"
    assert run.stats["reconnects"] == 1
    assert sim.stats()["connections"] == 2


def test_a_stalled_server_is_replaced(sim):
    rec = Recorder([DataType(UwFeedStatus), DataType(UwPrice, metadata={"ticker": "SPY"})])
    run = run_node(sim, [rec], seconds=4.0, schedule=[(1.0, lambda: sim.stall(2.5))])
    assert "reconnecting" in rec.statuses
    assert run.stats["reconnects"] >= 1
    assert rec.received_at[-1] > rec.received_at[0] + 2.5, "prices resumed on the new connection"


def test_malformed_and_unknown_frames_are_counted_and_the_node_keeps_running(sim):
    rec = Recorder([DataType(UwPrice, metadata={"ticker": "SPY"})])
    garbage = ["{oops", '["dark_pool",{"a":1}]', '["price:SPY",{"close":"x","time":1}]', "[]"]
    marks = {}

    def inject() -> None:
        marks["before"] = len(rec.received)
        for frame in garbage:
            sim.inject(frame)

    run = run_node(sim, [rec], seconds=2.5, schedule=[(1.0, inject)])
    assert run.stats["parse_errors"] == len(garbage)
    assert run.stats["errors_by_kind"] == Counter(
        {"malformed_json": 1, "unknown_channel": 1, "invalid_field": 1, "unexpected_shape": 1},
    )
    assert len(rec.received) - marks["before"] > 20
    assert run.stats["reconnects"] == 0


def test_a_refused_token_is_reported_without_holding_up_the_node(sim):
    sim.set_reject_upgrades(401)
    rec = Recorder([DataType(UwFeedStatus), DataType(UwFlowAlert)])
    run_node(sim, [rec], seconds=2.0)
    assert rec.started, "the trader started although UW refused the token"
    assert rec.statuses == ["not_entitled"]
    assert sim.stats()["rejected_upgrades"] == 1, "a 401 is final: no retry loop"


def test_a_rotated_key_serves_the_feed_the_back_fill_and_rest(sim):
    # UW revokes the key and issues another; the user rotates while the node runs.
    rec = Recorder([DataType(UwFeedStatus), DataType(UwFlowAlert)])
    marks: dict = {}

    def rotate(client) -> None:
        marks["before"] = len(rec.by_type["UwFlowAlert"])
        sim.rotate_token("rotated-token")
        client.set_api_key("rotated-token")
        marks["attributes"] = repr(vars(client))

    def use_rest(client) -> None:
        marks["rest"] = client._rest_client().history("UwFlowAlert", [("ticker", "SPY")], limit=5)

    run_node(sim, [rec], seconds=3.0, client_schedule=[(1.0, rotate), (2.0, use_rest)])
    assert rec.statuses[:3] == ["connected", "reconnecting", "connected"]
    assert len(rec.by_type["UwFlowAlert"]) - marks["before"] > 20, "alerts flow again on the new key"
    back_fill = [s.detail for s in rec.by_type["UwFeedStatus"] if s.status == "backfilling"]
    assert any("back-filled" in d for d in back_fill), back_fill
    assert not any("failed" in d for d in back_fill), back_fill
    assert marks["rest"], "REST requests after the rotation carry the new key"
    assert "rotated-token" not in marks["attributes"], "the client keeps the new key wrapped"
    assert all(a.ticker == "SPY" for a in marks["rest"])


def test_the_back_fill_follows_the_clients_rest_settings(sim):
    # http_max_retries=0: the one 503 UW answers the gap's back-fill with is final (with its own
    # default retries, as once built, the back-fill retried and hid the setting).
    rec = Recorder([DataType(UwFeedStatus), DataType(UwFlowAlert)])

    def outage() -> None:
        sim.fail_http(503)
        sim.drop_connections()

    run_node(sim, [rec], seconds=2.5, schedule=[(1.0, outage)], client_overrides={"http_max_retries": 0})
    back_fill = [s.detail for s in rec.by_type["UwFeedStatus"] if s.status == "backfilling"]
    assert any("failed" in d and "503" in d for d in back_fill), back_fill
    assert sim.stats()["http_requests"] == 1


def test_a_missing_api_key_is_logged_and_the_node_still_starts(sim, monkeypatch, capfd):
    monkeypatch.delenv("UW_API_KEY", raising=False)
    rec = Recorder([DataType(UwFlowAlert), DataType(UwFeedStatus)])
    run_node(sim, [rec], seconds=1.0, client_overrides={"api_key": None})
    assert rec.started
    captured = capfd.readouterr()
    out = captured.out + captured.err
    assert "no UW API token" in out and "UW_API_KEY" in out
    # A strategy watching the feed's health hears it too, not only the log.
    statuses = rec.by_type["UwFeedStatus"]
    assert [s.status for s in statuses] == ["disconnected"], statuses
    assert "not started" in statuses[0].detail and "UW_API_KEY" in statuses[0].detail


def test_rest_only_types_are_refused_with_a_clear_error(sim, capfd):
    from nautilus_trader_uw import UwNetPremTick

    rec = Recorder(
        [DataType(UwNetPremTick, metadata={"ticker": "SPY"}), DataType(UwFlowAlert, metadata={"tickr": "SPY"})]
    )
    run_node(sim, [rec], seconds=1.0)
    captured = capfd.readouterr()
    out = captured.out + captured.err
    assert "UwNetPremTick is not streamed by UW's WebSocket" in out
    assert 'cannot be filtered by "tickr"' in out
    assert rec.received == []


def test_the_token_never_reaches_logs_reprs_or_the_recorded_config(sim, tmp_path, capfd):
    rec = Recorder([DataType(UwFlowAlert)])
    streaming = StreamingConfig(catalog_path=str(tmp_path), replace_existing=True)
    run = run_node(
        sim,
        [rec],
        seconds=2.0,
        schedule=[(0.8, sim.drop_connections)],
        node_overrides={"streaming": streaming},
    )
    assert run.stats["reconnects"] == 1
    out = capfd.readouterr()
    token = sim.token
    assert token not in out.out and token not in out.err
    assert "token=***" in out.out
    written = [p for p in tmp_path.rglob("*.json")]
    assert written, "live recording wrote the node config"
    for path in written:
        text = path.read_text()
        assert token not in text
        if "data_clients" in text:
            assert json.loads(text)["data_clients"]["UNUSUAL_WHALES"]["api_key"] is None


def test_stop_is_clean(sim, capfd):
    rec = Recorder([DataType(UwOptionTrade), DataType(UwFlowAlert)])
    run = run_node(sim, [rec], seconds=1.5)
    err = capfd.readouterr()
    text = err.out + err.err
    assert "Task was destroyed but it is pending" not in text
    assert "was never awaited" not in text
    assert "Event loop is closed" not in text
    assert run.client._feed is None
    assert sim.stats()["active_connections"] == 0


def test_records_a_strategy_keeps_stay_as_received_while_the_rest_are_recycled(sim):
    # The default path moves the next record into a wrapper and object NautilusTrader has let go
    # of; one a strategy still holds must never be reused.
    class Keeper(Recorder):
        def on_data(self, data) -> None:
            self.received_at.append((type(data).__name__, data.id))
            if len(self.received_at) % 5 == 0:
                self.received.append((data, data.to_dict()))

    keeper = Keeper([DataType(UwOptionTrade), DataType(UwFlowAlert)], name="Keeper")
    run = run_node(sim, [keeper], seconds=2.5)
    seen = keeper.received_at
    assert len(seen) > 60
    assert len(set(seen)) == len(seen), "each record once"
    assert {name for name, _ in seen} == {"UwOptionTrade", "UwFlowAlert"}
    assert keeper.received and all(record.to_dict() == fields for record, fields in keeper.received)
    assert run.stats["recycled"] > len(seen) // 2, run.stats


def test_a_quiet_feed_delivers_each_message_before_the_next_is_sent():
    # Two frames a second, far fewer than a batch: each must reach on_data on its own, not wait for
    # a batch to fill or for the next frame to push it out. (How fast is scripts/bench_e2e.py's job.)
    with UwSimServer(rate=2.0, tickers=["SPY"]) as quiet:
        rec = Recorder([DataType(UwPrice, metadata={"ticker": "SPY"})])
        run_node(quiet, [rec], seconds=3.0)
    sent = [p.ts_event for p in rec.received]  # the simulator stamps each price with the time it sends it
    assert len(sent) >= 4, sent
    assert sent == sorted(set(sent)), "each price once, in the order sent"
    for i, (delivered, next_sent) in enumerate(zip(rec.received_at[:-1], sent[1:], strict=True)):
        assert delivered < next_sent / 1e9, f"price {i} reached on_data only after price {i + 1} was sent"


@pytest.mark.parametrize("publish_mode", ["engine", "bus"])
def test_option_id_subscriptions_receive_that_option_in_either_mode(publish_mode):
    # The id in the installed IB adapter's form (padded root from 1.223): the topic the engine
    # publishes such a record on, which the bus path must use as well.
    with UwSimServer(rate=0.0, rates={"flow-alerts": 200.0}, tickers=["SPY"]) as sim:
        time.sleep(1.0)
        seen = UwRestClient(base_url=sim.http_url, api_key=sim.token).history("UwFlowAlert", [], 0, None, 0)
        busiest = Counter(a.option_chain for a in seen).most_common(1)[0][0]
        target = option_instrument_id(busiest)

        class ByOption(Recorder):
            def on_start(self) -> None:
                self.subscribe_data(DataType(UwFlowAlert), client_id=UW_CLIENT_ID, instrument_id=target)

        rec = ByOption([], name="ByOption")
        run_node(sim, [rec], seconds=2.0, client_overrides={"publish_mode": publish_mode})
    assert rec.received and {a.instrument_id for a in rec.received} == {target}
    assert {a.option_chain for a in rec.received} == {busiest}


def test_bus_publish_mode_delivers_to_the_same_subscribers(sim):
    spy = Recorder([DataType(UwFlowAlert, metadata={"ticker": "SPY"})], name="Spy")
    everything = Recorder([DataType(UwFlowAlert)], name="All")
    target = InstrumentId.from_str("QQQ.SMART")

    class ById(Recorder):
        def on_start(self) -> None:
            self.subscribe_data(DataType(UwPrice), client_id=UW_CLIENT_ID, instrument_id=target)

    by_id = ById([], name="ById")
    run = run_node(sim, [spy, everything, by_id], seconds=2.5, client_overrides={"publish_mode": "bus"})
    assert spy.received and {a.ticker for a in spy.received} == {"SPY"}
    ids = [a.id for a in everything.received]
    assert len(ids) == len(set(ids)), "the plain subscriber sees each alert once"
    assert set(ids) >= {a.id for a in spy.received}
    assert by_id.received and {p.instrument_id for p in by_id.received} == {target}
    # Final counters (the snapshot at the stop may miss a batch delivered just after it).
    assert run.client.stats()["published"] >= len(everything.received) + len(by_id.received)


def test_bus_mode_logs_a_strategy_exception_and_delivers_the_rest(sim):
    # (The engine path hands the same exception to the DataEngine's queue, which in 1.221.0
    # terminates the process unless graceful_shutdown_on_exception is set.)
    class Flaky(Recorder):
        def on_data(self, data) -> None:
            super().on_data(data)
            if len(self.received) % 3 == 1:
                raise RuntimeError("strategy bug")

    flaky = Flaky([DataType(UwFlowAlert)], name="Flaky")
    calm = Recorder([DataType(UwFlowAlert)], name="Calm")
    run = run_node(sim, [flaky, calm], seconds=2.5, client_overrides={"publish_mode": "bus"})
    raised = (len(flaky.received) + 2) // 3
    assert len(flaky.received) >= 10, "delivery goes on after the exceptions"
    assert run.client.stats()["handler_errors"] == raised
    # Handlers run in subscription order: a raise skips the later ones for that message only.
    assert len(flaky.received) - raised - 1 <= len(calm.received) <= len(flaky.received) + 1


def test_an_unknown_publish_mode_is_refused():
    from nautilus_trader_uw import UnusualWhalesDataClientConfig

    with pytest.raises(ValueError, match="publish_mode"):
        UnusualWhalesDataClientConfig(publish_mode="fast")


def test_live_recording_with_streaming_config_keeps_uw_records_without_uncached_instruments(sim, tmp_path):
    # What the README states for NautilusTrader's StreamingConfig writer (1.221 and 1.231 alike):
    # UW types without an instrument are written; records whose instrument_id names an instrument
    # the cache does not hold (UW's tickers and option contracts IB never loaded) are skipped.
    import pyarrow as pa

    rec = Recorder([DataType(UwNetFlow, metadata={"ticker": "SPY"}), DataType(UwFeedStatus)])
    streaming = StreamingConfig(catalog_path=str(tmp_path), replace_existing=True)
    run_node(sim, [rec], seconds=2.0, node_overrides={"streaming": streaming})
    assert rec.by_type["UwNetFlow"] and rec.by_type["UwFeedStatus"]
    files = {p.name.rsplit("_", 1)[0]: p for p in tmp_path.rglob("custom_uw_*.feather")}
    assert set(files) == {"custom_uw_feed_status"}
    with pa.ipc.open_stream(files["custom_uw_feed_status"]) as reader:
        table = reader.read_all()
    assert table.num_rows >= 1
    assert set(table.column("status").to_pylist()) <= {s.status for s in rec.by_type["UwFeedStatus"]}


def test_an_all_tickers_subscription_with_metadata_beside_a_ticker_one_sees_each_print_once():
    # UW sends a TSLA print on `option_trades` and on `option_trades:TSLA` when both are joined. A
    # plain DataType(T) listens on NautilusTrader's wildcard topic `T*` and so also receives the
    # ticker subscription's records; the documented remedy is any metadata key, which gives the
    # all-tickers subscription a topic of its own.
    from nautilus_trader_uw.samples import sample_recording_path

    rows = [json.loads(line)["frame"] for line in sample_recording_path().read_text().splitlines() if line]
    print_ = next(json.loads(f)[1] for f in rows if f.startswith('["option_trades:TSLA"') and '"id"' in f)
    with UwSimServer(rate=0.0) as sim:
        everything = Recorder([DataType(UwOptionTrade, metadata={"min_size": 1})], name="AllTickers")
        tsla = Recorder([DataType(UwOptionTrade, metadata={"ticker": "TSLA"})], name="Tsla")

        joined: set[str] = set()

        def send_on_both_channels() -> None:
            joined.update(sim.joined_channels())
            for channel in ("option_trades", "option_trades:TSLA"):
                sim.inject(json.dumps([channel, print_]))

        run_node(sim, [everything, tsla], seconds=2.0, schedule=[(1.0, send_on_both_channels)])
    assert {"option_trades", "option_trades:TSLA"} <= joined
    assert [t.id for t in everything.received] == [print_["id"]]
    assert [t.id for t in tsla.received] == [print_["id"]]
