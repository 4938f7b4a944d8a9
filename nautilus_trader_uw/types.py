"""
NautilusTrader Data types for Unusual Whales payloads, one per WebSocket channel / REST endpoint.

Each type's fields are declared in Rust (``crates/adapters/unusual_whales/src/data``) and decoded
there; these classes add the NautilusTrader ``Data`` base and catalog registration. No name is a
prefix of another, because ``DataType(T)`` without metadata subscribes to the topic ``T*``.
"""

from nautilus_trader_uw import _core
from nautilus_trader_uw._records import UwData
from nautilus_trader_uw._records import uw_data_type


@uw_data_type
class UwFlowAlert(_core.UwFlowAlert, UwData):
    """
    A UW flow alert (channel ``flow-alerts``, REST ``/api/option-trades/flow-alerts``).

    ``instrument_id`` is the option contract (``SPY241220C00500000.SMART``); ``ts_event`` is the end
    of the alert window.
    """

    __slots__ = ()


@uw_data_type
class UwOptionTrade(_core.UwOptionTrade, UwData):
    """
    One option print (channel ``option_trades[:<TICKER>]``, REST ``/api/option-trades``).

    ``instrument_id`` is the option contract; ``ts_event`` is the execution time.
    """

    __slots__ = ()


@uw_data_type
class UwTickerGex(_core.UwTickerGex, UwData):
    """
    Ticker-level dealer exposure per 1 % move (channel ``gex[:<TICKER>]``).

    ``instrument_id`` is the underlying (``SPY.SMART``); ``ts_event`` is UW's calculation time.
    """

    __slots__ = ()


@uw_data_type
class UwStrikeGex(_core.UwStrikeGex, UwData):
    """
    Dealer exposure at one strike (channel ``gex_strike[:<TICKER>]``).

    ``instrument_id`` is the underlying; ``ts_event`` is UW's calculation time.
    """

    __slots__ = ()


@uw_data_type
class UwExpiryStrikeGex(_core.UwExpiryStrikeGex, UwData):
    """
    Dealer exposure at one strike and expiry (channel ``gex_strike_expiry[:<TICKER>]``).

    ``instrument_id`` is the underlying; ``ts_event`` is UW's calculation time.
    """

    __slots__ = ()


@uw_data_type
class UwPrice(_core.UwPrice, UwData):
    """
    Last price and session volume of a ticker (channel ``price[:<TICKER>]``).

    ``instrument_id`` is the ticker; ``ts_event`` is the trade time.
    """

    __slots__ = ()


@uw_data_type
class UwLitTrade(_core.UwLitTrade, UwData):
    """
    A lit-exchange equity print (channel ``lit_trades``, REST ``/api/lit-flow/*``).

    ``instrument_id`` is the ticker; ``ts_event`` is the execution time.
    """

    __slots__ = ()


@uw_data_type
class UwDarkPoolTrade(_core.UwDarkPoolTrade, UwData):
    """
    A dark-pool / TRF equity print (channel ``off_lit_trades``, REST ``/api/darkpool/*``).

    ``instrument_id`` is the ticker; ``ts_event`` is the execution time.
    """

    __slots__ = ()


@uw_data_type
class UwMarketTide(_core.UwMarketTide, UwData):
    """
    Market-wide net premium, all and OTM-only (channel ``market_tide``).

    No ``instrument_id`` (market-wide); ``ts_event`` is the snapshot time.
    """

    __slots__ = ()


@uw_data_type
class UwNetFlow(_core.UwNetFlow, UwData):
    """
    Session-cumulative net premium and volume of one ticker (channel ``net_flow:<TICKER>``).

    ``instrument_id`` is the ticker; ``ts_event`` is the last update.
    """

    __slots__ = ()


@uw_data_type
class UwIntervalFlow(_core.UwIntervalFlow, UwData):
    """
    Five-minute flow statistics of one ticker (channel ``interval_flow``).

    ``instrument_id`` is the ticker; ``ts_event`` is the snapshot (tape) time.
    """

    __slots__ = ()


@uw_data_type
class UwNewsHeadline(_core.UwNewsHeadline, UwData):
    """
    A news headline or Truth Social post (channel ``news``, REST ``/api/news/headlines``).

    No ``instrument_id`` (market-wide); ``ts_event`` is the publication time.
    """

    __slots__ = ()


@uw_data_type
class UwContractScreener(_core.UwContractScreener, UwData):
    """
    A hot-contract snapshot (channel ``contract_screener``).

    ``instrument_id`` is the option contract; ``ts_event`` is the snapshot time.
    """

    __slots__ = ()


@uw_data_type
class UwTradingHalt(_core.UwTradingHalt, UwData):
    """
    A trading halt, resume or pause (channel ``trading_halts``).

    ``instrument_id`` is the ticker; ``ts_event`` is the event time.
    """

    __slots__ = ()


@uw_data_type
class UwCustomAlert(_core.UwCustomAlert, UwData):
    """
    One of the token owner's own UW alert notifications (channel ``custom_alerts``).

    No ``instrument_id``: ``symbol`` may be a ticker, an option contract or absent, so it is kept as
    text; ``ts_event`` is the alert time.
    """

    __slots__ = ()


@uw_data_type
class UwPeriscope(_core.UwPeriscope, UwData):
    """
    One strike x expiry row of a market-maker exposure snapshot (channel ``periscope[:<TICKER>]``).

    ``instrument_id`` is the index (``SPX.SMART``); ``ts_event`` is the snapshot time.
    """

    __slots__ = ()


@uw_data_type
class UwInterpolatedIv(_core.UwInterpolatedIv, UwData):
    """
    Implied volatility and expected move at a fixed horizon (channel ``interpolated_iv[:<TICKER>]``).

    ``instrument_id`` is the ticker; ``ts_event`` is the arrival time (UW sends only a date).
    """

    __slots__ = ()


@uw_data_type
class UwIvTermStructure(_core.UwIvTermStructure, UwData):
    """
    At-the-money IV and expected move per listed expiry (channel ``iv_term_structure[:<TICKER>]``).

    ``instrument_id`` is the ticker; ``ts_event`` is the arrival time (UW sends only a date).
    """

    __slots__ = ()


@uw_data_type
class UwNetPremTick(_core.UwNetPremTick, UwData):
    """
    One minute of call/put volume and net premium (REST ``/api/stock/{ticker}/net-prem-ticks``).

    ``instrument_id`` is the ticker; ``ts_event`` is the minute (``tape_time``).
    """

    __slots__ = ()


@uw_data_type
class UwSpotExposure(_core.UwSpotExposure, UwData):
    """
    Intraday spot exposure per 1 % move, one row a minute (REST ``/api/stock/{ticker}/spot-exposures``).

    ``instrument_id`` is the ticker; ``ts_event`` is the row time.
    """

    __slots__ = ()


@uw_data_type
class UwGreekExposure(_core.UwGreekExposure, UwData):
    """
    Daily open-interest-based greek exposure (REST ``/api/stock/{ticker}/greek-exposure``).

    ``instrument_id`` is the ticker (from the request path); ``ts_event`` is the 16:00 New York close of ``date``.
    """

    __slots__ = ()


@uw_data_type
class UwStrikeGreekExposure(_core.UwStrikeGreekExposure, UwData):
    """
    Greek exposure at one strike, optionally one expiry (REST ``.../greek-exposure/strike[-expiry]``).

    ``instrument_id`` is the ticker (from the request path); ``ts_event`` is the New York close of
    ``date`` when sent, else the arrival time.
    """

    __slots__ = ()


@uw_data_type
class UwExpiryGreekExposure(_core.UwExpiryGreekExposure, UwData):
    """
    Greek exposure of one expiry (REST ``/api/stock/{ticker}/greek-exposure/expiry``).

    ``instrument_id`` is the ticker (from the request path); ``ts_event`` is the New York close of
    ``date`` when sent, else the arrival time.
    """

    __slots__ = ()


@uw_data_type
class UwGexLevels(_core.UwGexLevels, UwData):
    """
    Key gamma levels: call/put walls, gamma flip and magnet (REST ``/api/stock/{ticker}/gex-levels``).

    ``instrument_id`` is the ticker (from the request path); ``ts_event`` is the arrival time (UW sends no time).
    """

    __slots__ = ()


@uw_data_type
class UwStrikeSpotExposure(_core.UwStrikeSpotExposure, UwData):
    """
    Intraday spot exposure at one strike (REST ``/api/stock/{ticker}/spot-exposures/strike``).

    ``instrument_id`` is the ticker (from the request path); ``ts_event`` is the row time.
    """

    __slots__ = ()


@uw_data_type
class UwFeedStatus(_core.UwFeedStatus, UwData):
    """
    Health of the live UW feed, published by the data client (not by UW).

    ``status`` is ``connected``, ``reconnecting``, ``disconnected``, ``not_entitled`` (HTTP 401 on
    the upgrade: bad token or no WebSocket in the plan), ``join_refused``, ``stale`` (a busy channel
    silent during market hours), ``resumed``, ``overflow`` (the strategy fell behind and messages
    were dropped; ``attempt`` holds the running count) or ``backfilling``. A new subscriber first
    receives the current connection state.
    """

    __slots__ = ()


ALL_TYPES: tuple[type[UwData], ...] = (
    UwFlowAlert,
    UwOptionTrade,
    UwTickerGex,
    UwStrikeGex,
    UwExpiryStrikeGex,
    UwPrice,
    UwLitTrade,
    UwDarkPoolTrade,
    UwMarketTide,
    UwNetFlow,
    UwIntervalFlow,
    UwNewsHeadline,
    UwContractScreener,
    UwTradingHalt,
    UwCustomAlert,
    UwPeriscope,
    UwInterpolatedIv,
    UwIvTermStructure,
    UwNetPremTick,
    UwSpotExposure,
    UwGreekExposure,
    UwStrikeGreekExposure,
    UwExpiryGreekExposure,
    UwGexLevels,
    UwStrikeSpotExposure,
    UwFeedStatus,
)
"""Every UW Data type, for registration and introspection."""
