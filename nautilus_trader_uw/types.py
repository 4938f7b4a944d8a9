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
class UwExpiryTide(_core.UwExpiryTide, UwData):
    """
    Market-wide net premium of one expiry class by minute (REST ``/api/net-flow/expiry``).

    No ``instrument_id`` (market-wide); ``ts_event`` is the minute. Each row carries its group's ``tide_type`` and
    ``moneyness`` and the ``expiration`` filter UW echoes.
    """

    __slots__ = ()


@uw_data_type
class UwGreekFlow(_core.UwGreekFlow, UwData):
    """
    One minute of directional and total delta/vega flow (REST ``/api/stock/{ticker}/greek-flow[/{expiry}]``).

    ``instrument_id`` is the ticker; ``ts_event`` is the minute. ``expiry`` is set on the per-expiry variant.
    """

    __slots__ = ()


@uw_data_type
class UwStrikeFlow(_core.UwStrikeFlow, UwData):
    """
    Call/put volume, prints and premium at one strike (REST ``/api/stock/{ticker}/flow-per-strike[-intraday]``).

    ``instrument_id`` is the ticker; ``ts_event`` is the row time (the New York close of ``date`` when absent).
    """

    __slots__ = ()


@uw_data_type
class UwOptionContract(_core.UwOptionContract, UwData):
    """
    One option contract: session volume split, prices, IV and greeks (REST ``/api/stock/{ticker}/option-contracts``).

    Also ``/option-chains``, which lists bare symbols: those records carry only the symbol and its terms.
    ``instrument_id`` is the option contract; ``ts_event`` is ``last_tape_time``, else the arrival time.
    """

    __slots__ = ()


@uw_data_type
class UwContractDay(_core.UwContractDay, UwData):
    """
    One trading day of one option contract (REST ``/api/option-contract/{id}/historic``).

    ``instrument_id`` is the option contract named by the request path; ``ts_event`` is the New York close of
    ``date`` (the arrival time if earlier).
    """

    __slots__ = ()


@uw_data_type
class UwStockState(_core.UwStockState, UwData):
    """
    The latest OHLC state of a ticker (REST ``/api/stock/{ticker}/stock-state``).

    ``instrument_id`` is the ticker (from the request path); ``ts_event`` is ``tape_time``.
    """

    __slots__ = ()


@uw_data_type
class UwStockQuote(_core.UwStockQuote, UwData):
    """
    Last trade, NBBO and quote statistics of a ticker (REST ``/api/stock/{ticker}/quote``).

    ``instrument_id`` is the ticker (from the request path); ``ts_event`` is the later of the quote and last-trade
    times. UW's nested ``last_trade``/``quote``/``quote_values``/``quote_statistics`` are flattened.
    """

    __slots__ = ()


@uw_data_type
class UwOhlcBar(_core.UwOhlcBar, UwData):
    """
    One OHLC candle of a ticker (REST ``/api/stock/{ticker}/ohlc/{candle_size}``).

    ``instrument_id`` is the ticker; ``candle_size`` comes from the request path. ``ts_event`` is when the bar is
    complete: ``end_time``, else the New York close of ``date`` (Friday's for weekly bars), never after arrival.
    """

    __slots__ = ()


@uw_data_type
class UwMaxPain(_core.UwMaxPain, UwData):
    """
    The max-pain strike of one expiry (REST ``/api/stock/{ticker}/max-pain``).

    ``instrument_id`` is the ticker; ``ts_event`` is the New York close of ``date`` (the response's top-level
    date), or the arrival time if earlier.
    """

    __slots__ = ()


@uw_data_type
class UwIvRank(_core.UwIvRank, UwData):
    """
    One-year IV rank of a ticker for one date (REST ``/api/stock/{ticker}/iv-rank``).

    ``instrument_id`` is the ticker; ``ts_event`` is ``updated_at``, else the New York close of ``date``.
    """

    __slots__ = ()


@uw_data_type
class UwHorizonIv(_core.UwHorizonIv, UwData):
    """
    Implied volatility, expected move and percentile at a fixed horizon (REST ``/api/stock/{ticker}/interpolated-iv``).

    The per-date history behind channel ``interpolated_iv`` (``UwInterpolatedIv``), whose live snapshots are
    stamped on arrival. ``instrument_id`` is the ticker; ``ts_event`` is the New York close of ``date`` (the
    arrival time if earlier).
    """

    __slots__ = ()


@uw_data_type
class UwExpiryIv(_core.UwExpiryIv, UwData):
    """
    At-the-money IV and expected move of one expiry (REST ``/api/stock/{ticker}/volatility/term-structure``).

    The per-date history behind channel ``iv_term_structure`` (``UwIvTermStructure``). ``instrument_id`` is the
    ticker; ``ts_event`` is the New York close of ``date`` (the arrival time if earlier).
    """

    __slots__ = ()


@uw_data_type
class UwEarnings(_core.UwEarnings, UwData):
    """
    One earnings report: estimates, result, expected and realised moves (REST ``/api/earnings/...``).

    From ``/api/earnings/{ticker}`` (history) and ``/premarket``, ``/afterhours`` (calendar). ``instrument_id`` is
    the ticker; ``ts_event`` is the New York close of ``report_date`` (the arrival time if earlier). The
    history's post-earnings moves and straddle returns become known up to two weeks after ``ts_event``.
    """

    __slots__ = ()


@uw_data_type
class UwCongressTrade(_core.UwCongressTrade, UwData):
    """
    A trade disclosed by a member of the US Congress (REST ``/api/congress/recent-trades``).

    No ``instrument_id``: ``ticker`` is ``None`` for bonds and funds. ``ts_event`` is the New York close of
    ``filed_at_date``, when the trade became public (the arrival time if earlier).
    """

    __slots__ = ()


@uw_data_type
class UwInsiderTransaction(_core.UwInsiderTransaction, UwData):
    """
    Insider transactions of one person, day and code from SEC filings (REST ``/api/insider/transactions``).

    ``instrument_id`` is the ticker; ``ts_event`` is the New York close of ``filing_date``, when the transactions
    became public (the arrival time if earlier).
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
    UwExpiryTide,
    UwGreekFlow,
    UwStrikeFlow,
    UwOptionContract,
    UwContractDay,
    UwStockState,
    UwStockQuote,
    UwOhlcBar,
    UwMaxPain,
    UwIvRank,
    UwHorizonIv,
    UwExpiryIv,
    UwEarnings,
    UwCongressTrade,
    UwInsiderTransaction,
    UwFeedStatus,
)
"""Every UW Data type, for registration and introspection."""
