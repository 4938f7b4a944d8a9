"""
The factory a ``TradingNode`` uses to build the Unusual Whales data client.
"""

import asyncio

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.live.factories import LiveDataClientFactory
from nautilus_trader.model.identifiers import ClientId

from nautilus_trader_uw.config import UnusualWhalesDataClientConfig
from nautilus_trader_uw.constants import UW
from nautilus_trader_uw.data import UnusualWhalesDataClient


class UnusualWhalesLiveDataClientFactory(LiveDataClientFactory):
    """
    Builds ``UnusualWhalesDataClient`` instances; register it with
    ``node.add_data_client_factory(UW, UnusualWhalesLiveDataClientFactory)``.
    """

    @staticmethod
    def create(  # type: ignore[override]
        loop: asyncio.AbstractEventLoop,
        name: str,
        config: UnusualWhalesDataClientConfig,
        msgbus: MessageBus,
        cache: Cache,
        clock: LiveClock,
    ) -> UnusualWhalesDataClient:
        """
        Create a new UW data client.

        Parameters
        ----------
        loop : asyncio.AbstractEventLoop
            The node's event loop.
        name : str
            The ``data_clients`` key (before any ``-``); it becomes the client id.
        config : UnusualWhalesDataClientConfig
            The client configuration.
        msgbus : MessageBus
            The message bus.
        cache : Cache
            The cache.
        clock : LiveClock
            The clock.

        Returns
        -------
        UnusualWhalesDataClient
        """
        return UnusualWhalesDataClient(
            loop=loop,
            client_id=ClientId(name or UW),
            msgbus=msgbus,
            cache=cache,
            clock=clock,
            config=config,
        )
