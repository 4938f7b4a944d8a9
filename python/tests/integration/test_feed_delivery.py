"""
``UwLiveFeed`` on a bare asyncio loop: batches arrive on the loop thread, in order, and the feed
unregisters its socket from the loop once it is closed and drained.
"""

import asyncio
import gc
import json
import threading
from pathlib import Path

import pytest
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType

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
    n = _core._deliver_to_engine(records, [0, 1, 1], cache, resolve, handed.append)
    assert n == len(handed) == 5
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
    # A record built in Python by the keyword constructor is tracked: so is its wrapper.
    own = UwOptionTrade(**records[0].to_dict())
    assert gc.is_tracked(own)
    _core._deliver_to_engine([own], [0], cache, resolve, handed.append)
    assert gc.is_tracked(handed[-1]) and handed[-1].data is own
    with pytest.raises(ValueError, match="2 objects but 1 routes"):
        _core._deliver_to_engine(records[:2], [0], cache, resolve, handed.append)


def _parsed_trades(n: int) -> list[UwOptionTrade]:
    # As the feed builds them (parsed in Rust), not through the keyword constructor.
    sample = Path(samples.__file__).parent / "uw_ws_2025-05-16.jsonl"
    frames = [json.loads(line)["frame"] for line in sample.read_text().splitlines()]
    trades = [
        r for f in frames if '"status"' not in f and f.startswith('["option_trades') for r in _core.parse_ws_frame(f)
    ]
    assert len(trades) >= n
    return trades[:n]
