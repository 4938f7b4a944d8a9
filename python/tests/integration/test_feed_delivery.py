"""
``UwLiveFeed`` on a bare asyncio loop: batches arrive on the loop thread, in order, and the feed
unregisters its socket from the loop once it is closed and drained.
"""

import asyncio
import gc
import json
import socket
import threading
import time
from pathlib import Path

import pytest
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw import _core
from nautilus_trader_uw import samples
from nautilus_trader_uw.sim import UwSimServer


pytestmark = pytest.mark.timeout(60)


def test_batches_arrive_on_the_loop_thread_and_the_socket_is_released_after_close():
    with UwSimServer(rate=0.0, rates={"option_trades": 2_000.0}, tickers=["SPY"]) as sim:
        loop = asyncio.new_event_loop()
        batches: list[tuple[int, int]] = []
        received: list = []

        def on_batch(objects: list, routes: list, logs: list) -> None:
            assert len(objects) == len(routes)
            batches.append((threading.get_ident(), len(objects)))
            received.extend(objects)

        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token)
        feed.start(loop, on_batch, 64)
        feed.subscribe("UwOptionTrade", [])
        registered = set(loop._selector.get_map())  # the loop's own socket plus the feed's
        loop.run_until_complete(asyncio.sleep(1.0))
        assert feed.close(5.0)
        loop.run_until_complete(asyncio.sleep(0.2))
        try:
            assert received, "no option prints arrived"
            assert {thread for thread, _ in batches} == {threading.get_ident()}
            assert max(n for _, n in batches) <= 64, "max_batch bounds every callback"
            times = [t.ts_init for t in received]
            assert times == sorted(times), "delivered in arrival order"
            assert len(set(loop._selector.get_map())) == len(registered) - 1, "the feed's socket is unregistered"
        finally:
            loop.close()


def test_drained_says_when_the_loop_has_delivered_everything_the_closed_feed_held(tmp_path):
    # What `uw-nt record` relies on to put every recorded print into the catalog: the loop held up
    # while prints keep coming, then the feed closed with a backlog that only the loop delivers.
    frames = tmp_path / "frames.jsonl"
    with UwSimServer(rate=0.0, rates={"option_trades": 5_000.0}, tickers=["SPY"]) as sim:
        loop = asyncio.new_event_loop()
        received: list = []
        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token, record_path=str(frames))
        assert feed.drained, "nothing to deliver before start"
        feed.start(loop, lambda objects, routes, logs: received.extend(objects), 64)
        feed.subscribe("UwOptionTrade", [])
        try:
            loop.run_until_complete(asyncio.sleep(0.5))
            time.sleep(0.3)  # the strategy busy: about 1,500 prints queue up
            assert feed.close(5.0)
            assert not feed.drained, "the backlog is still queued"
            waited = 0
            while not feed.drained and waited < 500:
                loop.run_until_complete(asyncio.sleep(0.01))
                waited += 1
            assert feed.drained
        finally:
            loop.close()
    recorded = [json.loads(line)["frame"] for line in frames.read_text().splitlines()]
    prints = [f for f in recorded if f.startswith('["option_trades') and '"status"' not in f]
    ids = [r.id for f in prints for r in _core.parse_ws_frame(f)]
    assert len(ids) > 1_000
    assert [r.id for r in received] == ids, "every recorded print delivered, none after drained"


def test_delivered_records_are_out_of_the_cyclic_gcs_sight():
    # Records hold no Python references; tracked, tens of thousands in flight per second set off
    # full collections of the whole process (30-100 ms stalls).
    with UwSimServer(rate=0.0, rates={"option_trades": 2_000.0}, tickers=["SPY"]) as sim:
        loop = asyncio.new_event_loop()
        received: list = []
        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token)
        feed.start(loop, lambda objects, routes, logs: received.extend(objects))
        feed.subscribe("UwOptionTrade", [])
        try:
            loop.run_until_complete(asyncio.sleep(0.5))
            assert received
            assert not any(gc.is_tracked(r) for r in received)
            assert all(r.option_symbol for r in received), "the records stay usable"
        finally:
            feed.close(5.0)
            loop.run_until_complete(asyncio.sleep(0.1))
            loop.close()


def test_engine_delivery_wraps_each_record_once_per_data_type_of_its_route():
    records = _parsed_trades(3)
    plain, keyed = DataType(UwOptionTrade), DataType(UwOptionTrade, metadata={"tag": "x"})
    cache = {0: (plain,)}
    resolved: list[int] = []

    def resolve(route: int) -> tuple:
        resolved.append(route)
        cache[route] = (plain, keyed)
        return cache[route]

    handed: list = []
    engine = _core._EngineDelivery(cache, resolve, handed.append)
    n = engine.deliver(records, [0, 1, 1])
    assert n == len(handed) == engine.published == 5
    assert resolved == [1], "a cached route is not resolved again"
    assert all(isinstance(cd, CustomData) for cd in handed)
    assert [(cd.data_type, cd.data) for cd in handed] == [
        (plain, records[0]),
        (plain, records[1]),
        (keyed, records[1]),
        (plain, records[2]),
        (keyed, records[2]),
    ]
    assert not any(gc.is_tracked(cd) for cd in handed), "wrappers of untracked records are untracked"
    # Why that is safe on this NautilusTrader release: a wrapper refers to nothing but its DataType
    # and its (untracked) record, so it cannot be part of a reference cycle the collector must break.
    for cd in handed:
        assert {id(r) for r in gc.get_referents(cd)} <= {id(cd.data_type), id(cd.data)}
        assert not hasattr(cd, "__dict__")
    # A record built in Python by the keyword constructor is tracked: so is its wrapper.
    own = UwOptionTrade(**records[0].to_dict())
    assert gc.is_tracked(own)
    engine.deliver([own], [0])
    assert gc.is_tracked(handed[-1]) and handed[-1].data is own
    with pytest.raises(ValueError, match="2 objects but 1 routes"):
        engine.deliver(records[:2], [0])
    # A route's targets changed between batches (a subscription came or went): the next batch
    # hands on to the new ones.
    cache[1] = (keyed,)
    before = len(handed)
    assert engine.deliver(records[:2], [1, 1]) == 2
    assert [cd.data_type for cd in handed[before:]] == [keyed, keyed]


def test_a_feed_with_an_engine_delivery_hands_every_record_over_in_order_and_none_after_close():
    # The default path: the drain hands each record to the engine as it builds it; the client's
    # callback sees only log lines, and nothing is handed on once the client has disconnected.
    with UwSimServer(rate=0.0, rates={"option_trades": 2_000.0}, tickers=["SPY"]) as sim:
        loop = asyncio.new_event_loop()
        data_type = DataType(UwOptionTrade)
        handed: list = []
        calls: list[tuple[int, int, list]] = []
        engine = _core._EngineDelivery({}, lambda route: (data_type,), handed.append)
        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token)
        feed.start(loop, lambda objects, routes, logs: calls.append((len(objects), len(routes), logs)), 64, engine)
        feed.subscribe("UwOptionTrade", [])
        try:
            loop.run_until_complete(asyncio.sleep(1.0))
            assert handed, "no option prints were handed on"
            assert engine.published == len(handed)
            assert 0 < engine.batches <= len(handed)
            assert all(isinstance(cd, CustomData) and cd.data_type == data_type for cd in handed)
            times = [cd.data.ts_init for cd in handed]
            assert times == sorted(times), "handed on in arrival order"
            ids = [cd.data.id for cd in handed]
            assert len(set(ids)) == len(ids), "each record once"
            assert calls, "the connect's log lines reach the callback"
            assert all(n_objects == n_routes == 0 and logs for n_objects, n_routes, logs in calls)
            assert any("connected" in message.lower() for _, _, logs in calls for _, message in logs)
            engine.close()
            before = len(handed)
            loop.run_until_complete(asyncio.sleep(0.5))
            assert len(handed) == before, "nothing is handed on after close()"
            assert engine.late > 0, "what arrived after close() is counted"
        finally:
            feed.close(5.0)
            loop.run_until_complete(asyncio.sleep(0.1))
            loop.close()


def test_engine_delivery_calls_a_bound_method_with_its_own_instance_and_passes_on_what_it_raises():
    # A bound method (the client's _handle_data) is called as its function with the instance
    # first; a plain callable as it is.
    records = _parsed_trades(3)
    data_type = DataType(UwOptionTrade)

    class Client:
        def __init__(self, name: str) -> None:
            self.name = name
            self.handed: list = []

        def _handle_data(self, data) -> None:
            if data.data is records[2]:
                raise ValueError(f"{self.name} refused it")
            self.handed.append((self.name, data.data))

    first, second = Client("first"), Client("second")
    engine = _core._EngineDelivery({}, lambda route: (data_type,), second._handle_data)
    with pytest.raises(ValueError, match="second refused it"):
        engine.deliver(records, [0, 0, 0])
    assert second.handed == [("second", records[0]), ("second", records[1])]
    assert first.handed == []
    assert engine.published == 2

    plain: list = []
    engine = _core._EngineDelivery({}, lambda route: (data_type,), plain.append)
    assert engine.deliver(records, [0, 0, 0]) == 3
    assert [cd.data for cd in plain] == records


@pytest.mark.parametrize("recycle", [True, False])
def test_recycled_wrappers_never_change_a_record_a_strategy_kept(recycle):
    # NautilusTrader's live engine queues each wrapper, publishes its record on a later turn and
    # drops the wrapper; the delivery then moves the next record into that wrapper and object.
    # A strategy that kept a record must find it as it was, however many records came after.
    with UwSimServer(rate=0.0, rates={"option_trades": 3_000.0}, tickers=["SPY", "QQQ"]) as sim:
        loop = asyncio.new_event_loop()
        data_type = DataType(UwOptionTrade)
        engine_queue: list = []
        seen: list[tuple[str, int]] = []
        kept: list[tuple[UwOptionTrade, dict]] = []

        def engine_turn() -> None:
            # What LiveDataEngine does with each queued wrapper: publish its record, let it go.
            for wrapper in engine_queue:
                record = wrapper.data
                seen.append((record.id, record.ts_init))
                if len(seen) % 7 == 0:
                    kept.append((record, record.to_dict()))
            engine_queue.clear()

        def handle(wrapper) -> None:
            if not engine_queue:
                loop.call_soon(engine_turn)
            engine_queue.append(wrapper)

        engine = _core._EngineDelivery({}, lambda route: (data_type,), handle, recycle=recycle)
        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token)
        feed.start(loop, lambda objects, routes, logs: None, 64, engine)
        feed.subscribe("UwOptionTrade", [])
        try:
            loop.run_until_complete(asyncio.sleep(1.5))
            assert len(seen) > 1_000, "the simulator streamed option prints"
            ids = [record_id for record_id, _ in seen]
            assert len(set(ids)) == len(ids), "each record handed on once"
            times = [ts for _, ts in seen]
            assert times == sorted(times), "in arrival order"
            assert kept and all(record.to_dict() == fields for record, fields in kept), (
                "a kept record changed after it was handed on"
            )
            assert len({id(record) for record, _ in kept}) == len(kept), "each kept record is its own object"
            if recycle:
                # All but the kept ones and those still queued when the next arrived.
                assert engine.recycled > len(seen) // 2
            else:
                assert engine.recycled == 0
            assert engine.published == len(seen) + len(engine_queue)
        finally:
            feed.close(5.0)
            loop.run_until_complete(asyncio.sleep(0.1))
            loop.close()


def test_a_recycled_wrapper_names_the_data_type_of_the_record_moved_into_it():
    # Two filtered subscriptions: each record's route has one target, its ticker's DataType, and
    # the pairs of one must never carry the other's records.
    with UwSimServer(rate=0.0, rates={"option_trades": 3_000.0}, tickers=["SPY", "QQQ"]) as sim:
        loop = asyncio.new_event_loop()
        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token)
        by_subscription: dict[int, DataType] = {}

        def resolve(route: int) -> tuple:
            return tuple(by_subscription[s] for s in feed.route_members(route))

        engine_queue: list = []
        seen: list[tuple[str, str]] = []

        def engine_turn() -> None:
            seen.extend((w.data_type.metadata["ticker"], w.data.underlying_symbol) for w in engine_queue)
            engine_queue.clear()

        def handle(wrapper) -> None:
            if not engine_queue:
                loop.call_soon(engine_turn)
            engine_queue.append(wrapper)

        engine = _core._EngineDelivery({}, resolve, handle)
        feed.start(loop, lambda objects, routes, logs: None, 64, engine)
        for ticker in ("SPY", "QQQ"):
            subscription, _ = feed.subscribe("UwOptionTrade", [("ticker", ticker)])
            by_subscription[subscription] = DataType(UwOptionTrade, metadata={"ticker": ticker})
        try:
            loop.run_until_complete(asyncio.sleep(1.0))
            assert {ticker for ticker, _ in seen} == {"SPY", "QQQ"}
            assert all(ticker == underlying for ticker, underlying in seen)
            assert engine.recycled > len(seen) // 2
            engine.close()
            recycled = engine.recycled
            loop.run_until_complete(asyncio.sleep(0.3))
            assert engine.recycled == recycled, "nothing handed on after close()"
        finally:
            feed.close(5.0)
            loop.run_until_complete(asyncio.sleep(0.1))
            loop.close()


def test_bus_delivery_publishes_each_record_on_each_topic_of_its_route_and_survives_a_raising_handler():
    records = _parsed_trades(3)
    cache = {0: (("data.keyed", "UwOptionTrade"),)}
    resolved: list[int] = []

    def resolve(route: int) -> tuple:
        resolved.append(route)
        cache[route] = ((None, "UwOptionTrade"), ("data.keyed", "UwOptionTrade"))
        return cache[route]

    published: list = []
    errors: list = []

    def publish(topic: str, obj: object) -> None:
        if obj is records[1] and topic == "data.keyed":
            raise RuntimeError("a strategy's on_data failed")
        published.append((topic, obj))

    built: list[tuple] = []

    def build_topic(type_name: str, instrument_id: object) -> str:
        built.append((type_name, instrument_id))
        return f"data.{type_name}.{instrument_id}"

    instrument_topic = _core._InstrumentTopics(build_topic)
    n = _core._publish_on_bus(
        records, [0, 1, 1], cache, resolve, instrument_topic, publish, lambda o, e: errors.append((o, e))
    )
    assert n == 5, "a publication whose handler raised still counts as made"
    assert resolved == [1], "a cached route is not resolved again"
    plain = [f"data.UwOptionTrade.{r.instrument_id}" for r in records]
    assert published == [
        ("data.keyed", records[0]),
        (plain[1], records[1]),
        (plain[2], records[2]),
        ("data.keyed", records[2]),
    ], "the batch goes on after the failing handler"
    assert [(o, type(e), str(e)) for o, e in errors] == [(records[1], RuntimeError, "a strategy's on_data failed")]
    assert built == [("UwOptionTrade", records[1].instrument_id), ("UwOptionTrade", records[2].instrument_id)]

    # A topic is built once per type and instrument, whatever the number of records.
    same = _parsed_trades(3) + _parsed_trades(3)
    published.clear()
    _core._publish_on_bus(same, [1] * 6, cache, resolve, instrument_topic, publish, errors.append)
    assert [t for t, _ in published if t != "data.keyed"] == [f"data.UwOptionTrade.{r.instrument_id}" for r in same]
    assert sorted(str(iid) for _, iid in built) == sorted({r._instrument_id_str for r in records})
    assert len(instrument_topic) == len(built)

    def interrupted(topic: str, obj: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _core._publish_on_bus(records, [0, 0, 0], cache, resolve, instrument_topic, interrupted, errors.append)
    with pytest.raises(ValueError, match="2 objects but 1 routes"):
        _core._publish_on_bus(records[:2], [0], cache, resolve, instrument_topic, publish, errors.append)


def test_bus_topics_are_built_once_per_type_and_instrument_and_bounded():
    built: list[tuple] = []
    topics = _core._InstrumentTopics(lambda t, i: built.append((t, i)) or f"data.{t}.{len(built)}")
    spy, qqq = InstrumentId.from_str("SPY.SMART"), InstrumentId.from_str("QQQ.SMART")
    assert topics.get("UwPrice", spy) == topics.get("UwPrice", spy) == "data.UwPrice.1"
    assert topics.get("UwPrice", qqq) == "data.UwPrice.2"
    assert topics.get("UwNews", spy) == "data.UwNews.3"
    assert topics.get("UwMarketTide", None) == topics.get("UwMarketTide", None) == "data.UwMarketTide.4"
    assert len(built) == len(topics) == 4
    with pytest.raises(ZeroDivisionError):
        _core._InstrumentTopics(lambda t, i: 1 / 0).get("UwPrice", spy)
    # Past its bound a topic not used for 200k others is built again when next needed; one in
    # use is never rebuilt, and the map never empties at once (a pause on the event loop).
    hot = InstrumentId.from_str("IWM.SMART")
    hot_topic = topics.get("UwPrice", hot)
    before = len(built)
    for n in range(250_000):
        topics.get("UwPrice", object())
        if n % 1_000 == 0:
            assert topics.get("UwPrice", hot) == hot_topic
        assert 0 < len(topics) <= 200_000
    assert len(built) == before + 250_000, "the hot topic was rebuilt"
    assert len(topics) >= 100_000, "the map was emptied"


def _parsed_trades(n: int) -> list[UwOptionTrade]:
    # As the feed builds them (parsed in Rust), not through the keyword constructor.
    sample = Path(samples.__file__).parent / "uw_ws_2025-05-16.jsonl"
    frames = [json.loads(line)["frame"] for line in sample.read_text().splitlines()]
    trades = [
        r for f in frames if '"status"' not in f and f.startswith('["option_trades') for r in _core.parse_ws_frame(f)
    ]
    assert len(trades) >= n
    return trades[:n]


def _measure_timer_lateness(loop, seconds: float, period: float = 0.01) -> list[tuple[float, float]]:
    """
    Run ``loop`` for ``seconds`` with a ``call_later`` tick (an IB client's heartbeat, a strategy
    timer); return (time since start, how late the tick fired) per tick.
    """
    samples: list[tuple[float, float]] = []
    start = loop.time()

    def tick(due: float) -> None:
        now = loop.time()
        samples.append((now - start, now - due))
        loop.call_at(now + period, tick, now + period)

    loop.call_at(start + period, tick, start + period)
    loop.run_until_complete(asyncio.sleep(seconds))
    return samples


def test_a_slow_consumer_delays_other_timers_by_at_most_one_batch():
    # A strategy taking 1 ms per object, prints arriving far faster: the backlog grows for the
    # whole run, but every loop turn delivers at most one batch, so a timer is never late by more
    # than one batch's cost (8 ms here), however long the backlog lasts.
    max_batch, cost = 8, 0.001
    with UwSimServer(rate=0.0, rates={"option_trades": 5_000.0}, tickers=["SPY"]) as sim:
        loop = asyncio.new_event_loop()
        delivered = 0

        def slow_strategy(objects: list, routes: list, logs: list) -> None:
            nonlocal delivered
            _busy(cost * len(objects))
            delivered += len(objects)

        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token)
        feed.start(loop, slow_strategy, max_batch)
        feed.subscribe("UwOptionTrade", [])
        try:
            samples = _measure_timer_lateness(loop, 4.0)
            stats = feed.stats()
        finally:
            feed.close(5.0)
            loop.run_until_complete(asyncio.sleep(0.1))
            loop.close()
    assert stats["queue_depth"] > 1_000, "the consumer really fell behind"
    late = sorted(lateness for t, lateness in samples if t > 1.0)
    batch_cost = max_batch * cost
    # One batch plus the scheduling noise of a shared 2-core machine (the simulator and the Rust
    # client run beside the loop); the unbounded behaviour was 0.4 s late after 0.7 s, growing,
    # so that every tick was later than the one before. A stall of the whole VM (a hypervisor
    # taking both cores, measured at up to 228 ms in CI) makes one tick late whatever the loop
    # does: two such ticks in three seconds are let pass, a third is not.
    # Each tick is rescheduled from when it fired, so the count is 3 s / (10 ms + lateness): a
    # median below the 28 ms bound allows about 80; fewer than 50 means ticks starved.
    assert len(late) > 50, f"the 10 ms tick fired {len(late)} times in 3 s"
    over = [lateness for lateness in late if lateness >= batch_cost + 0.1]
    assert len(over) <= 2, f"{len(over)} of {len(late)} ticks over 108 ms late, up to {late[-1] * 1000:.0f} ms"
    typical = late[len(late) // 2]
    assert typical < batch_cost + 0.02, f"the median tick {typical * 1000:.0f} ms late"
    assert delivered > 1_000


def _busy(seconds: float) -> None:
    # A strategy's work: CPU on the loop thread, not a sleep.
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pass


def _run_feed(
    sim: UwSimServer,
    strategy,
    seconds: float,
    max_batch: int,
    subscriptions: tuple = (("UwOptionTrade", []),),
    **feed_options,
) -> dict:
    """
    A bare feed on ``sim`` delivering into ``strategy`` on a fresh loop for ``seconds``; its stats.
    """
    loop = asyncio.new_event_loop()
    feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token, **feed_options)
    feed.start(loop, strategy, max_batch)
    for type_name, metadata in subscriptions:
        feed.subscribe(type_name, metadata)
    try:
        loop.run_until_complete(asyncio.sleep(seconds))
        return feed.stats()
    finally:
        feed.close(5.0)
        loop.run_until_complete(asyncio.sleep(0.1))
        loop.close()


def test_a_burst_the_strategy_absorbs_within_the_wait_loses_nothing():
    # A full queue holds the reader back (TCP pushes back on the sender) before anything is dropped.
    received = [0]
    stalled = [True]

    def strategy(objects: list, routes: list, logs: list) -> None:
        received[0] += len(objects)
        if stalled[0]:
            time.sleep(0.2)  # a slow moment: the queue of 200 fills at once
            stalled[0] = False

    with UwSimServer(rate=0.0, rates={"option_trades": 5_000.0}, tickers=["SPY"]) as sim:
        stats = _run_feed(sim, strategy, 1.5, 16, queue_capacity=200)
    assert received[0] > 1_000
    assert stats["dropped"] == 0, stats


def test_a_reader_held_by_a_full_queue_is_not_taken_for_a_dead_connection():
    # A 100 ms heartbeat and pong timeout and a strategy that stalls 0.25 s, longer than both:
    # the reader stops reading for most of that (the queue of 100 is full), so a ping's pong
    # waits unread; that silence is the client's own and must not end the connection. (50 ms
    # timeouts were short enough for a loaded machine's scheduling to end it.)
    received = [0]
    stalled = [True]

    def strategy(objects: list, routes: list, logs: list) -> None:
        received[0] += len(objects)
        if stalled[0] and received[0] > 500:
            time.sleep(0.25)
            stalled[0] = False

    with UwSimServer(rate=0.0, rates={"option_trades": 5_000.0}, tickers=["SPY"]) as sim:
        stats = _run_feed(sim, strategy, 1.5, 16, queue_capacity=100, heartbeat_secs=0.1, pong_timeout_secs=0.1)
    assert not stalled[0], "the strategy stalled"
    assert stats["reconnects"] == 0, stats
    assert stats["dropped"] == 0, stats
    assert received[0] > 3_000


def test_a_strategy_that_keeps_pace_with_a_full_queue_loses_nothing_under_a_flood():
    # The simulator sends as fast as the socket takes (TCP backpressure) and the strategy (10 us a
    # print) is slower than the reader, so the queue of 500 stays full for the whole run; but the
    # strategy drains it steadily, nothing waits long, and the reader only slows the sender.
    # (Dropping once the queue had stayed full for half a second, as once done, lost most of a
    # flood the strategy was draining as fast as it could.)
    received = [0]

    def strategy(objects: list, routes: list, logs: list) -> None:
        received[0] += len(objects)
        _busy(10e-6 * len(objects))

    with UwSimServer(rate=0.0, rates={"option_trades": float("inf")}, tickers=["SPY"], pregenerate=1024) as sim:
        stats = _run_feed(sim, strategy, 2.5, 64, queue_capacity=500)
    assert stats["queue_high_water"] == 500, "the queue was full"
    assert received[0] > 20_000
    assert stats["dropped"] == 0, stats


def test_pooled_prints_carry_their_send_instant_in_their_ids():
    # The end-to-end benchmark measures latency from the send instant read from each pooled
    # frame's id; the print's epoch-millisecond time is that instant's millisecond, and the frame
    # cannot have arrived before it was sent.
    records: list = []

    def strategy(objects: list, routes: list, logs: list) -> None:
        records.extend(objects)

    with UwSimServer(rate=0.0, rates={"option_trades": 2_000.0}, tickers=["SPY"], pregenerate=64) as sim:
        _run_feed(sim, strategy, 1.0, 64)
    assert len(records) > 500
    sent = [UwSimServer.sent_at_ns(r.id) for r in records]
    assert None not in sent
    for record, sent_ns in zip(records, sent, strict=True):
        assert record.ts_event == sent_ns // 1_000_000 * 1_000_000, (record.id, record.ts_event)
        assert sent_ns <= record.ts_init, (record.id, sent_ns, record.ts_init)
    assert len({r.id for r in records}) == len(records), "a pooled frame's id is new at every send"
    # Not an arrival time in disguise: sends spread over the millisecond.
    assert len({s % 1_000_000 // 250_000 for s in sent}) == 4


def test_flow_bars_are_never_dropped_for_a_backlog_of_prints():
    # A strategy slower than the prints keeps the queue of 200 full, so the reader waits for room
    # and the bars close into a full queue: a bar sums hundreds of prints, and losing it for the
    # backlog of those very prints is the wrong trade. Every bar built is delivered, in order.
    bars: list = []

    def strategy(objects: list, routes: list, logs: list) -> None:
        bars.extend(obj for obj in objects if type(obj).__name__ == "UwFlowBar")
        _busy(1e-3 * len(objects))

    subscriptions = (("UwFlowBar", [("ticker", "SPY"), ("interval", "1s")]), ("UwOptionTrade", []))
    with UwSimServer(rate=0.0, rates={"option_trades": 4_000.0}, tickers=["SPY"], seed=5) as sim:
        stats = _run_feed(sim, strategy, 4.0, 16, subscriptions, queue_capacity=200)
    assert stats["queue_high_water"] >= 200, "the queue was full"
    built = stats["flow_bars"]["bars"]
    assert built >= 2
    # The last one may still wait in the queue at the close.
    assert len(bars) >= built - 1, f"{built} bars built, {len(bars)} delivered; {stats['dropped']} dropped"
    assert [b.start for b in bars] == sorted(b.start for b in bars)


def test_an_overflow_is_reported_ahead_of_the_backlog():
    # The report must not wait behind the records the strategy is already behind on.
    with UwSimServer(rate=0.0, rates={"option_trades": 5_000.0}, tickers=["SPY"]) as sim:
        loop = asyncio.new_event_loop()
        first_drop_at: list[float] = []
        reported_at: list[float] = []

        def slow_strategy(objects: list, routes: list, logs: list) -> None:
            if any(level >= 40 and "dropped" in message for level, message in logs) and not reported_at:
                reported_at.append(time.monotonic())
            time.sleep(0.001 * len(objects))

        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token, queue_capacity=2_000)
        feed.start(loop, slow_strategy, 16)
        feed.subscribe("UwOptionTrade", [])

        def watch() -> None:
            if not first_drop_at and feed.stats()["dropped"] > 0:
                first_drop_at.append(time.monotonic())
            loop.call_later(0.005, watch)

        loop.call_soon(watch)
        try:
            loop.run_until_complete(asyncio.sleep(4.0))
        finally:
            feed.close(5.0)
            loop.run_until_complete(asyncio.sleep(0.1))
            loop.close()
    assert first_drop_at, "the queue overflowed"
    assert reported_at, "the overflow was reported while the backlog lasted"
    assert reported_at[0] - first_drop_at[0] < 1.0


def test_the_last_drops_of_a_burst_are_reported_once_it_ends():
    # Reports come at most once a second: the drops after the last one used to be told to no one.
    reported: list[int] = []

    def slow_strategy(objects: list, routes: list, logs: list) -> None:
        for level, message in logs:
            if level >= 40 and "in total)" in message:
                reported.append(int(message.rsplit("(", 1)[1].split(" ")[0]))
        time.sleep(0.005 * len(objects))

    with UwSimServer(rate=0.0, rates={"option_trades": 3_000.0}, tickers=["SPY"]) as sim:
        loop = asyncio.new_event_loop()
        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token, queue_capacity=200)
        feed.start(loop, slow_strategy, 16)
        feed.subscribe("UwOptionTrade", [])
        loop.call_later(1.5, sim.set_rate, 0.0, "option_trades")
        try:
            loop.run_until_complete(asyncio.sleep(4.5))
            dropped = feed.stats()["dropped"]
        finally:
            feed.close(5.0)
            loop.run_until_complete(asyncio.sleep(0.1))
            loop.close()
    assert dropped > 0, "the burst overflowed the queue"
    assert reported and reported[-1] == dropped, f"{dropped} dropped, the last report said {reported}"


@pytest.mark.parametrize("attempts", [0, 2])
def test_max_reconnect_attempts_is_how_many_reconnects_follow_a_failed_connection(attempts):
    # The config promises: reconnect attempts in a row before giving up, 0 never reconnects.
    # A server that takes each connection and closes it at once fails every WebSocket upgrade.
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    accepted: list[int] = []
    stop = threading.Event()

    def refuse_every_upgrade() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            conn.close()

    thread = threading.Thread(target=refuse_every_upgrade, daemon=True)
    thread.start()
    loop = asyncio.new_event_loop()
    logs: list[str] = []
    feed = _core.UwLiveFeed(
        url=f"ws://127.0.0.1:{server.getsockname()[1]}/socket",
        api_key="test-token",
        max_reconnect_attempts=attempts,
        reconnect_initial_secs=0.01,
        reconnect_max_secs=0.02,
    )
    feed.start(loop, lambda objects, routes, batch_logs: logs.extend(m for _, m in batch_logs), 64, None)
    try:
        deadline = time.monotonic() + 10.0
        while not any("giving up" in m for m in logs) and time.monotonic() < deadline:
            loop.run_until_complete(asyncio.sleep(0.05))
        given_up = [m for m in logs if "giving up" in m]
        assert given_up, logs
        # Parked after giving up: nothing more connects.
        loop.run_until_complete(asyncio.sleep(0.3))
        assert len(accepted) == attempts + 1, (accepted, logs)
        assert f"after {attempts + 1} failed or lost connections in a row" in given_up[0]
        assert "test-token" not in " ".join(logs)
    finally:
        feed.close(5.0)
        stop.set()
        thread.join(2.0)
        server.close()
        loop.run_until_complete(asyncio.sleep(0.05))
        loop.close()
