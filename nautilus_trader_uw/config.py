"""
Configuration of the Unusual Whales data client.
"""

import msgspec
from nautilus_trader.common.config import register_config_encoding
from nautilus_trader.config import LiveDataClientConfig

from nautilus_trader_uw import _core


class UwApiKey(str):
    """
    A UW API token that hides itself.

    ``repr``, ``str`` and formatting show ``***``; config JSON (which ``StreamingConfig`` writes to
    disk) encodes it as ``null``. The Rust client reads the characters directly, so the adapter
    still authenticates. Use ``reveal()`` when you really need the text.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "UwApiKey('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def reveal(self) -> str:
        """
        Return the token itself.
        """
        return str.__str__(self)


# Never serialise the token: a node config is written to disk by live recording.
register_config_encoding(UwApiKey, lambda _key: None)


class UnusualWhalesDataClientConfig(LiveDataClientConfig, frozen=True):
    """
    Configuration for ``UnusualWhalesDataClient``.

    Parameters
    ----------
    api_key : str, optional
        The UW API token. ``None`` reads ``UW_API_KEY`` from the environment when the client
        connects (recommended: the key then never enters a config object). An explicit key is
        wrapped in ``UwApiKey`` so ``repr`` and ``json()`` never show it.
    base_url_ws : str, optional
        WebSocket URL without the token; ``None`` is UW's production ``wss://api.unusualwhales.com/socket``.
    base_url_http : str, optional
        REST base URL; ``None`` is ``https://api.unusualwhales.com``.
    option_venue : str
        Venue of instrument ids (``SPY241220C00500000.SMART``), IB's smart router by default.
    heartbeat_secs : float
        Silence after which a WebSocket ping is sent (UW's own clients: 30 s).
    pong_timeout_secs : float
        Time to wait for the pong before the connection is declared dead (UW: 10 s).
    connect_timeout_secs : float
        Limit for one connection attempt.
    reconnect_initial_secs, reconnect_max_secs : float
        Reconnect delay: doubled per failed attempt, capped.
    reconnect_jitter : float
        Random extra delay as a fraction (0.1 = up to +10 %).
    max_reconnect_attempts : int, optional
        Give up after this many consecutive failures; ``None`` retries forever (a trading node
        should keep trying).
    stale_after_secs : float, optional
        Report a busy channel (trades, flow, prices, GEX) that sent nothing this long during the US
        regular session as ``UwFeedStatus("stale")``; ``None`` disables it.
    stale_only_in_session : bool
        Check staleness only 09:30-16:00 New York on weekdays.
    queue_capacity : int
        Records waiting for the event loop before new ones are dropped (counted, logged and
        reported as ``UwFeedStatus("overflow")``; never silently).
    max_batch : int
        Most records handed to the event loop in one callback. Small on purpose: on the standard
        path NautilusTrader allocates four GC-tracked objects per message in its live queue, and
        the more of them are in flight when a young collection runs, the more survive into the old
        generation and set off full collections (30-100 ms stalls in a typical node). 64 keeps
        them short-lived; the callback's own cost per batch is a few microseconds.
    backfill : bool
        After a reconnect, fetch the flow alerts the gap missed from REST and publish the ones not
        already delivered (de-duplicated by UW id), so a strategy sees each alert once.
    record_path : str, optional
        Append every raw WebSocket frame with its arrival time to this JSONL file.
    http_requests_per_minute : int
        REST budget per rolling minute (UW's plans: 120); shared by every client with the token.
    http_requests_per_day : int, optional
        Daily REST budget when known (UW's headers correct it either way).
    http_max_concurrent : int
        REST requests in flight at once.
    http_timeout_secs : float
        Limit of one REST request.
    http_max_retries : int
        Retries of 5xx responses, timeouts and connection errors.
    publish_mode : str
        ``"engine"`` (default) hands every object to the DataEngine through its live queue, the
        standard path. ``"bus"`` publishes each object on the message bus topic the engine would
        have used, from the event-loop thread, skipping the live queue (one asyncio hand-off per
        message): subscribers, ``instrument_id`` topics and live recording (``StreamingConfig``
        subscribes to the bus) behave the same, UW's own order is kept, but UW data may overtake
        data other clients queued earlier and the engine's ``data_count`` does not include it. A
        subscriber raising in ``on_data`` is logged and counted (``stats()["handler_errors"]``) and
        delivery goes on; on the engine path the DataEngine's queue gets the exception, which in
        1.221.0 ends the process unless ``graceful_shutdown_on_exception`` is set.
    """

    api_key: str | None = None
    base_url_ws: str | None = None
    base_url_http: str | None = None
    option_venue: str = _core.DEFAULT_VENUE
    heartbeat_secs: float = 30.0
    pong_timeout_secs: float = 10.0
    connect_timeout_secs: float = 10.0
    reconnect_initial_secs: float = 1.0
    reconnect_max_secs: float = 60.0
    reconnect_jitter: float = 0.1
    max_reconnect_attempts: int | None = None
    stale_after_secs: float | None = 120.0
    stale_only_in_session: bool = True
    queue_capacity: int = 1_000_000
    max_batch: int = 64
    backfill: bool = True
    record_path: str | None = None
    http_requests_per_minute: int = 120
    http_requests_per_day: int | None = None
    http_max_concurrent: int = 3
    http_timeout_secs: float = 30.0
    http_max_retries: int = 3
    publish_mode: str = "engine"

    def __post_init__(self) -> None:
        if self.publish_mode not in ("engine", "bus"):
            raise ValueError(f"publish_mode must be 'engine' or 'bus', got {self.publish_mode!r}")
        if self.api_key is not None and not isinstance(self.api_key, UwApiKey):
            msgspec.structs.force_setattr(self, "api_key", UwApiKey(self.api_key))

    @property
    def ws_url(self) -> str:
        """
        The WebSocket URL in use (without the token).
        """
        return self.base_url_ws or _core.UW_WS_URL

    @property
    def http_url(self) -> str:
        """
        The REST base URL in use.
        """
        return self.base_url_http or _core.UW_HTTP_BASE_URL
