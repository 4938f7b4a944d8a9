"""
``UwLiveFeed`` on a bare asyncio loop: batches arrive on the loop thread, in order, and the feed
unregisters its socket from the loop once it is closed and drained.
"""

import asyncio
import threading

import pytest

from nautilus_trader_uw import _core
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
