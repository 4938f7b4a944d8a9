"""
Runs a real ``TradingNode`` with the UW data client against the simulator for a few seconds.
"""

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pandas as pd
from nautilus_trader.common.actor import Actor
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.data import DataType

from nautilus_trader_uw import UW
from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw import UwFeedStatus
from nautilus_trader_uw.data import UnusualWhalesDataClient
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.sim import sim_client_config


# Fast liveness for tests: a stalled simulator is detected in well under a second.
FAST = {
    "heartbeat_secs": 0.3,
    "pong_timeout_secs": 0.3,
    "reconnect_initial_secs": 0.05,
    "reconnect_max_secs": 0.2,
}


class Recorder(Actor):
    """
    Subscribes to the given DataTypes in ``on_start`` and keeps what ``on_data`` receives.
    """

    def __init__(self, data_types: list[DataType], name: str = "Recorder") -> None:
        from nautilus_trader.common.config import ActorConfig

        super().__init__(ActorConfig(component_id=name))
        self.data_types = data_types
        self.received: list[Any] = []
        self.received_at: list[float] = []
        self.by_type: dict[str, list[Any]] = defaultdict(list)
        self.statuses: list[str] = []
        self.started = False

    def on_start(self) -> None:
        self.started = True
        for dt in self.data_types:
            self.subscribe_data(dt, client_id=UW_CLIENT_ID)

    def on_stop(self) -> None:
        for dt in self.data_types:
            self.unsubscribe_data(dt, client_id=UW_CLIENT_ID)

    def unsubscribe_all(self) -> None:
        for dt in self.data_types:
            self.unsubscribe_data(dt, client_id=UW_CLIENT_ID)
        self.data_types = []

    def on_data(self, data) -> None:
        self.received.append(data)
        self.received_at.append(self.clock.timestamp())
        self.by_type[type(data).__name__].append(data)
        if isinstance(data, UwFeedStatus):
            self.statuses.append(data.status)


class Requester(Recorder):
    """
    Requests history in ``on_start`` and keeps what ``on_historical_data`` receives.
    """

    def __init__(self, requests: list[tuple[DataType, pd.Timestamp]], subscribe: list[DataType] | None = None):
        super().__init__(subscribe or [], name="Requester")
        self.requests = requests
        self.historical: list = []
        self.completed: list = []

    def on_start(self) -> None:
        super().on_start()
        for data_type, start in self.requests:
            self.request_data(data_type, client_id=UW_CLIENT_ID, start=start, callback=self.completed.append)

    def on_historical_data(self, data) -> None:
        self.historical.append(data)


@dataclass
class NodeRun:
    """
    What a node run left behind.
    """

    stats: dict = field(default_factory=dict)
    client: UnusualWhalesDataClient | None = None


def capturing_factory(created: list) -> type[UnusualWhalesLiveDataClientFactory]:
    """
    The UW factory, keeping every client it builds in ``created``.
    """

    class Factory(UnusualWhalesLiveDataClientFactory):
        @staticmethod
        def create(*args, **kwargs):  # type: ignore[override]
            client = UnusualWhalesLiveDataClientFactory.create(*args, **kwargs)
            created.append(client)
            return client

    return Factory


STREAMING_WAIT_SECS = 3.0


def _streaming(node: TradingNode, client: UnusualWhalesDataClient) -> bool:
    if not node.trader.is_running:
        return False
    feed = client._feed
    if feed is None:
        return True  # no live feed will come (not started, or nothing live): nothing to wait for
    stats = feed.stats()
    return bool(stats["connected"]) and stats["join_acks"] >= len(feed.channels())


def run_node(
    sim: UwSimServer,
    actors: list[Actor],
    seconds: float,
    schedule: list[tuple[float, Callable[[], Any]]] | None = None,
    client_overrides: dict | None = None,
    node_overrides: dict | None = None,
    factories: dict | None = None,
    data_clients: dict | None = None,
    exec_clients: dict | None = None,
    client_schedule: list[tuple[float, Callable[[UnusualWhalesDataClient], Any]]] | None = None,
) -> NodeRun:
    """
    Build a node (UW client on ``sim``), run it for ``seconds``, call each scheduled action at its
    time (``client_schedule``: with the UW data client), stop, dispose, and return the UW client's
    final stats.
    """
    uw_config = sim_client_config(sim, **{**FAST, **(client_overrides or {})})
    node_fields = {
        "trader_id": "TESTER-001",
        "logging": LoggingConfig(log_level="INFO"),
        "data_clients": {**(data_clients or {}), UW: uw_config},
        "exec_clients": exec_clients or {},
        "timeout_connection": 10.0,
        "timeout_disconnection": 5.0,
        "timeout_post_stop": 0.5,
        **(node_overrides or {}),
    }
    config = TradingNodeConfig(**node_fields)
    # A fresh loop per node: the previous node's dispose() closed the default one.
    node = TradingNode(config=config, loop=asyncio.new_event_loop())
    for actor in actors:
        node.trader.add_actor(actor)
    for name, factory in (factories or {}).items():
        node.add_data_client_factory(name, factory)
    created: list[UnusualWhalesDataClient] = []
    node.add_data_client_factory(UW, capturing_factory(created))
    node.build()
    run = NodeRun(client=created[0])
    loop = node.get_event_loop()

    def stop() -> None:
        run.stats = run.client.stats()
        node.stop()

    def start_the_clock() -> None:
        for at, action in schedule or []:
            loop.call_later(at, action)
        for at, client_action in client_schedule or []:
            loop.call_later(at, client_action, run.client)
        loop.call_later(seconds, stop)

    # Times count from when the node streams (its actors started, the feed connected and every
    # channel joined), not from build: a loaded machine can take most of a second to get there,
    # which a test's "N records by 1 s" must not pay for. A feed that never connects (a refused
    # token, a test of the start itself) starts the clock after STREAMING_WAIT_SECS.
    built_at = loop.time()

    def when_streaming() -> None:
        if loop.time() - built_at >= STREAMING_WAIT_SECS or _streaming(node, run.client):
            start_the_clock()
        else:
            loop.call_later(0.02, when_streaming)

    loop.call_soon(when_streaming)
    try:
        node.run()
    finally:
        node.dispose()
    return run
