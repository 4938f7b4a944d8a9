"""
Configuration of the Unusual Whales data client.
"""

import hmac
import os
from typing import TYPE_CHECKING
from typing import NoReturn
from urllib.parse import urlsplit

import msgspec
from nautilus_trader.common.config import register_config_encoding
from nautilus_trader.config import LiveDataClientConfig

from nautilus_trader_uw import _core


class UwApiKey:
    """
    A UW API token that hides itself.

    ``repr``, ``str``, formatting and ``%`` show ``***``; config JSON (which ``StreamingConfig``
    writes to disk) encodes it as ``null``. It is not a ``str``: concatenation, ``json.dumps``,
    ``encode()``, slicing and the other string operations fail instead of handing out the
    characters, and pickling is refused. ``reveal()`` returns the token for the code that must
    send it.
    """

    __slots__ = ("__token",)

    def __init__(self, token: "str | UwApiKey") -> None:
        if isinstance(token, UwApiKey):
            token = token.reveal()
        if not isinstance(token, str):
            raise TypeError(f"UwApiKey takes a str, got {type(token).__name__}")
        object.__setattr__(self, "_UwApiKey__token", token)

    def reveal(self) -> str:
        """
        Return the token itself.
        """
        return self.__token

    def __repr__(self) -> str:
        return "UwApiKey('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self.__token)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UwApiKey):
            return NotImplemented
        return hmac.compare_digest(self.__token.encode(), other.reveal().encode())

    def __hash__(self) -> int:
        return hash((UwApiKey, self.__token))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("UwApiKey is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("UwApiKey is immutable")

    # Immutable, so a copy (``copy.deepcopy`` of a config) can be the object itself.
    def __copy__(self) -> "UwApiKey":
        return self

    def __deepcopy__(self, memo: dict) -> "UwApiKey":
        return self

    # Pickles end up in files, caches and other processes; JSON gets ``null`` for the same reason.
    def __reduce__(self) -> NoReturn:
        raise TypeError(
            f"a UwApiKey is not pickled; let the other process read {_core.UW_API_KEY_ENV} instead",
        )

    def __getstate__(self) -> NoReturn:
        self.__reduce__()


def reveal_key(key: "str | UwApiKey | None") -> str | None:
    """
    Return the token of ``key`` (a ``UwApiKey`` or a plain string), or ``None``.
    """
    return key.reveal() if isinstance(key, UwApiKey) else key


# Never serialise the token: a node config is written to disk by live recording.
register_config_encoding(UwApiKey, lambda _key: None)

# msgspec decodes a config from the field's annotation, and cannot decode a union of ``str`` and a
# custom class (nor describe it in ``json_schema()``): the runtime annotation stays ``str | None``,
# ``__post_init__`` wraps the string, and the encoding above writes ``null``.
if TYPE_CHECKING:
    ApiKeyField = str | UwApiKey | None
else:
    ApiKeyField = str | None


# The defaults of the numeric settings are the Rust clients' own, from one table
# (crates/adapters/unusual_whales/src/common/settings.rs), like their ranges.
_DEFAULTS = _core.setting_defaults()


class UnusualWhalesDataClientConfig(LiveDataClientConfig, frozen=True):
    """
    Configuration for ``UnusualWhalesDataClient``.

    Parameters
    ----------
    api_key : str or UwApiKey, optional
        The UW API token. ``None`` reads ``UW_API_KEY`` from the environment when the client
        connects (recommended: the key then never enters a config object). An explicit key is
        wrapped in ``UwApiKey`` so ``repr``, ``json()`` and pickling never show it.
    base_url_ws : str, optional
        WebSocket URL without the token; ``None`` is UW's production ``wss://api.unusualwhales.com/socket``.
    base_url_http : str, optional
        REST base URL; ``None`` is ``https://api.unusualwhales.com``.
    option_venue : str
        Venue of instrument ids (``SPY   241220C00500000.SMART``), IB's smart router by default. An
        IB instrument provider that loads option chains on another venue (1.230+ can) needs the
        same venue here.
    padded_occ_root : bool, optional
        Option ids with the OCC root padded to six characters (``SPY   241220C00500000``), as the IB
        adapter writes them from NautilusTrader 1.223, or compact (``SPY241220C00500000``).
        ``None`` follows the installed NautilusTrader, so ids equal the IB adapter's.
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
        Reconnect attempts in a row, after a connection failed or was lost, before giving up
        (``UwFeedStatus("disconnected")``); 0 never reconnects; ``None`` retries forever (a
        trading node should keep trying).
    join_timeout_secs : float
        A join UW has not acknowledged in this long is sent again, 3 sends in all; then a
        warning is logged and data is still delivered if it arrives.
    leave_grace_secs : float
        If UW keeps sending a channel this long after it was left, UW ignored the leave: the client
        reconnects with the remaining channels (the only documented way to unsubscribe).
    stale_after_secs : float, optional
        Report a busy channel (trades, flow, prices, GEX) that sent nothing this long during the US
        regular session as ``UwFeedStatus("stale")``; ``None`` disables it.
    stale_only_in_session : bool
        Check staleness only 09:30-16:00 New York on weekdays.
    queue_capacity : int
        Records waiting for the event loop. When they fill it, the reader stops taking frames off
        the socket (TCP holds UW back, nothing is lost) until there is room, so a burst or a
        stall the strategy catches up on, or a flood it drains steadily, loses nothing. Only when
        the strategy is behind (the oldest waiting record has waited 0.5 s) are new records
        dropped (counted, logged and reported as ``UwFeedStatus("overflow")`` ahead of the
        backlog; never silently), since UW drops messages unseen for a reader that stays behind.
        Flow bars are never dropped for a full queue: they are few, and each sums the prints
        that fill it.
        A queued record costs about 2.1 KB, so the default bounds the backlog at about 210 MB.
    max_batch : int
        Most records handed to the event loop in one callback. Small on purpose: on the standard
        path NautilusTrader allocates four GC-tracked objects per message in its live queue, and
        the more of them are in flight when a young collection runs, the more survive into the old
        generation and set off full collections (30-100 ms stalls in a typical node). 64 keeps
        them short-lived; the callback's own cost per batch is a few microseconds.
    backfill : bool
        After a reconnect, fetch the flow alerts and option prints the gap missed from REST and
        publish the ones not already delivered (de-duplicated by UW id), so a strategy sees each
        once. The back-fill's requests follow the ``http_*`` settings and share the rate budget,
        and after ``set_api_key`` they send the new key.
    record_path : str, optional
        Append every raw WebSocket frame with its arrival time to this JSONL file.
    http_requests_per_minute : int
        REST budget per rolling minute (UW's plans: 120); shared by every client with the token.
    http_requests_per_day : int, optional
        Daily REST budget when known (UW's headers correct it either way).
    http_max_concurrent : int
        REST requests in flight at once.
    http_timeout_secs : float
        Limit of one REST request (a full-tape download, minutes for gigabytes, is limited by its
        silences instead: no read waits longer).
    http_max_retries : int
        Retries of 5xx responses, timeouts and connection errors.
    http_retry_initial_secs : float
        First REST retry delay, doubled per retry up to ``http_retry_max_secs``.
    http_retry_max_secs : float
        Largest REST retry delay.
    http_max_rate_limit_waits : int
        Per-minute 429s in a row a REST request waits out (until UW's reset) before it fails.
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

    api_key: ApiKeyField = None
    base_url_ws: str | None = None
    base_url_http: str | None = None
    option_venue: str = _core.DEFAULT_VENUE
    padded_occ_root: bool | None = None
    heartbeat_secs: float = _DEFAULTS["heartbeat_secs"]
    pong_timeout_secs: float = _DEFAULTS["pong_timeout_secs"]
    connect_timeout_secs: float = _DEFAULTS["connect_timeout_secs"]
    reconnect_initial_secs: float = _DEFAULTS["reconnect_initial_secs"]
    reconnect_max_secs: float = _DEFAULTS["reconnect_max_secs"]
    reconnect_jitter: float = _DEFAULTS["reconnect_jitter"]
    max_reconnect_attempts: int | None = None
    join_timeout_secs: float = _DEFAULTS["join_timeout_secs"]
    leave_grace_secs: float = _DEFAULTS["leave_grace_secs"]
    stale_after_secs: float | None = _DEFAULTS["stale_after_secs"]
    stale_only_in_session: bool = _DEFAULTS["stale_only_in_session"]
    queue_capacity: int = int(_DEFAULTS["queue_capacity"])
    max_batch: int = int(_DEFAULTS["max_batch"])
    backfill: bool = True
    record_path: str | None = None
    http_requests_per_minute: int = int(_DEFAULTS["requests_per_minute"])
    http_requests_per_day: int | None = None
    http_max_concurrent: int = int(_DEFAULTS["max_concurrent"])
    http_timeout_secs: float = _DEFAULTS["timeout_secs"]
    http_max_retries: int = int(_DEFAULTS["max_retries"])
    http_retry_initial_secs: float = _DEFAULTS["retry_initial_secs"]
    http_retry_max_secs: float = _DEFAULTS["retry_max_secs"]
    http_max_rate_limit_waits: int = int(_DEFAULTS["max_rate_limit_waits"])
    publish_mode: str = "engine"

    def __post_init__(self) -> None:
        if self.publish_mode not in ("engine", "bus"):
            raise ValueError(f"publish_mode must be 'engine' or 'bus', got {self.publish_mode!r}")
        self._validate_types()
        self._validate_numbers()
        if self.api_key is not None and not isinstance(self.api_key, UwApiKey):
            msgspec.structs.force_setattr(self, "api_key", UwApiKey(self.api_key))

    def _validate_types(self) -> None:
        # Made directly (not decoded from JSON or YAML), a config is not type-checked by msgspec:
        # a float where an int goes, or a string where a bool goes, would only fail when the node
        # connects, as an error naming no field, or pass silently ("no" is a true value).
        for field in _INT_FIELDS:
            value = getattr(self, field)
            if not (value is None and field in _OPTIONAL_FIELDS) and (
                not isinstance(value, int) or isinstance(value, bool)
            ):
                raise TypeError(f"{field} must be an int{_OR_NONE.get(field, '')}, got {value!r}")
        for field in _BOOL_FIELDS:
            value = getattr(self, field)
            if not (value is None and field in _OPTIONAL_FIELDS) and not isinstance(value, bool):
                raise TypeError(f"{field} must be a bool{_OR_NONE.get(field, '')}, got {value!r}")
        for field, schemes in (("base_url_ws", ("ws", "wss")), ("base_url_http", ("http", "https"))):
            value = getattr(self, field)
            if value is not None:
                _check_url(field, value, schemes)
        if not isinstance(self.option_venue, str):
            raise TypeError(f"option_venue must be a str such as 'SMART', got {self.option_venue!r}")
        if not _is_venue(self.option_venue):
            raise ValueError(
                f"option_venue must be a venue such as 'SMART' (ASCII letters, digits, '_' or '-'), "
                f"got {self.option_venue!r}",
            )
        if self.record_path is not None and (
            not isinstance(self.record_path, str | os.PathLike) or not os.fspath(self.record_path)
        ):
            raise TypeError(f"record_path must be a file path or None, got {self.record_path!r}")
        if isinstance(self.record_path, os.PathLike):
            # Kept as text: the config's JSON (which the node writes) cannot encode a Path.
            msgspec.structs.force_setattr(self, "record_path", os.fspath(self.record_path))

    def _validate_numbers(self) -> None:
        # The ranges are the Rust clients' own (one table), checked here so that a bad value fails
        # when the config is made, naming the field, not at the first reconnect of a live node.
        ranges = _core.setting_ranges()
        for field, value in (
            *((name, getattr(self, name)) for name in _LIVE_SETTINGS),
            *((field, getattr(self, field)) for field in _REST_SETTINGS),
        ):
            if value is None:
                continue
            key = _REST_SETTINGS.get(field, field)
            low, low_exclusive, high = ranges[key]
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and (value > low if low_exclusive else value >= low)
                and value <= high
            )
            if not ok:
                bracket = "(" if low_exclusive else "["
                raise ValueError(f"{field} must be in {bracket}{low:g}, {high:g}], got {value!r}")
        if self.reconnect_max_secs < self.reconnect_initial_secs:
            raise ValueError(
                f"reconnect_max_secs ({self.reconnect_max_secs}) must be at least "
                f"reconnect_initial_secs ({self.reconnect_initial_secs})",
            )

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


# Fields that take an int, a bool, or also None, checked by type (the numbers' ranges after).
_INT_FIELDS = (
    "max_reconnect_attempts",
    "queue_capacity",
    "max_batch",
    "http_requests_per_minute",
    "http_requests_per_day",
    "http_max_concurrent",
    "http_max_retries",
    "http_max_rate_limit_waits",
)
_BOOL_FIELDS = ("padded_occ_root", "stale_only_in_session", "backfill")
_OPTIONAL_FIELDS = frozenset({"max_reconnect_attempts", "http_requests_per_day", "padded_occ_root"})
_OR_NONE = dict.fromkeys(_OPTIONAL_FIELDS, " or None")


def _check_url(field: str, value: object, schemes: tuple[str, ...]) -> None:
    allowed = " or ".join(f"{scheme}://" for scheme in schemes)
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a URL ({allowed}) or None, got {type(value).__name__}")
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme.lower() not in schemes or not parts.hostname or not port_ok:
        # The URL is not shown: a user may have pasted one with the token in its query.
        hint = " (None is UW's production URL)" if not value else ""
        raise ValueError(f"{field} must be a URL ({allowed}) with a host{hint}")


def _is_venue(value: str) -> bool:
    # What NautilusTrader's InstrumentId takes after its last '.', without a '.' of its own.
    return bool(value) and value.isascii() and all(c.isalnum() or c in "_-" for c in value)


# Numeric settings of the live feed (same names in Rust), and of the REST client (config name ->
# the client's argument name).
_LIVE_SETTINGS = (
    "heartbeat_secs",
    "pong_timeout_secs",
    "connect_timeout_secs",
    "reconnect_initial_secs",
    "reconnect_max_secs",
    "reconnect_jitter",
    "max_reconnect_attempts",
    "join_timeout_secs",
    "leave_grace_secs",
    "stale_after_secs",
    "queue_capacity",
    "max_batch",
)
_REST_SETTINGS = {
    "http_requests_per_minute": "requests_per_minute",
    "http_requests_per_day": "requests_per_day",
    "http_max_concurrent": "max_concurrent",
    "http_timeout_secs": "timeout_secs",
    "http_max_retries": "max_retries",
    "http_retry_initial_secs": "retry_initial_secs",
    "http_retry_max_secs": "retry_max_secs",
    "http_max_rate_limit_waits": "max_rate_limit_waits",
}
