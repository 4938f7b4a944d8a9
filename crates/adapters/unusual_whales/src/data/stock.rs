//! Stock snapshots and candles from REST: last state, NBBO quote, OHLC bars
//! (docs/uw-api.md#rest-stock-state-quote-and-ohlc).

use serde::Deserialize;

use crate::common::parse::{de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_opt_timestamp};
use crate::common::time::{NANOS_PER_SECOND, ny_close_nanos};
use crate::data::view::{TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// The latest OHLC state of a ticker (REST `/api/stock/{ticker}/stock-state`).
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is `tape_time`.
    pub struct StockState as UwStockState {
        event_time: |r| r.tape_time,
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// `regular`, `premarket` or `postmarket`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub market_time: Option<String>,
            /// Time of the state, UNIX nanoseconds.
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub tape_time: Option<u64>,
            /// Open.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub open: Option<f64>,
            /// High.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub high: Option<f64>,
            /// Low.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub low: Option<f64>,
            /// Close (the last price).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub close: Option<f64>,
            /// Previous session's close.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub prev_close: Option<f64>,
            /// Volume of the latest interval as UW reports it; `total_volume` is the day's.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Volume of the day.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_volume: Option<i64>,
        }
    }
}

uw_record! {
    /// Last trade, NBBO and quote statistics of a ticker (REST `/api/stock/{ticker}/quote`).
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is the later of the quote and last-trade
    /// times. UW's nested `last_trade`/`quote`/`quote_values`/`quote_statistics` are flattened.
    pub struct StockQuote as UwStockQuote {
        event_time: |r| r.quote_time.max(r.last_trade_time),
        instrument: Ticker(ticker),
        wire: "StockQuoteWire",
        fields {
            /// Ticker (from the request path).
            pub ticker: Option<String>,
            /// `regular`, `premarket` or `postmarket`.
            pub market_time: Option<String>,
            /// Last trade price (`last_trade.price`).
            pub last_trade_price: Option<f64>,
            /// Last trade time, UNIX nanoseconds (`last_trade.time`).
            pub last_trade_time: Option<u64>,
            /// Session volume at the last trade (`last_trade.vol`).
            pub volume: Option<i64>,
            /// NBBO bid (`quote.bid.price`).
            pub bid_price: Option<f64>,
            /// NBBO bid size (`quote.bid.size`).
            pub bid_size: Option<i64>,
            /// NBBO ask (`quote.ask.price`).
            pub ask_price: Option<f64>,
            /// NBBO ask size (`quote.ask.size`).
            pub ask_size: Option<i64>,
            /// Quote time, UNIX nanoseconds (`quote.time`).
            pub quote_time: Option<u64>,
            /// Bid/ask midpoint.
            pub midpoint: Option<f64>,
            /// Ask minus bid.
            pub spread: Option<f64>,
            /// Spread in basis points of the midpoint.
            pub spread_bps: Option<f64>,
            /// Bid/ask size imbalance as UW computes it.
            pub size_imbalance: Option<f64>,
            /// Size-weighted midpoint as UW computes it.
            pub size_weighted_midpoint: Option<f64>,
            /// Age of the quote, milliseconds.
            pub quote_age_ms: Option<i64>,
            /// Premarket NBBO changes.
            pub premarket_quote_changes: Option<i64>,
            /// Premarket changes of the midpoint.
            pub premarket_midpoint_changes: Option<i64>,
            /// Premarket changes of size only.
            pub premarket_size_only_changes: Option<i64>,
            /// Premarket changes that tightened the spread.
            pub premarket_spread_tightened: Option<i64>,
            /// Premarket changes that left the spread unchanged.
            pub premarket_spread_unchanged: Option<i64>,
            /// Premarket changes that widened the spread.
            pub premarket_spread_widened: Option<i64>,
            /// Regular-session NBBO changes.
            pub regular_quote_changes: Option<i64>,
            /// Regular-session changes of the midpoint.
            pub regular_midpoint_changes: Option<i64>,
            /// Regular-session changes of size only.
            pub regular_size_only_changes: Option<i64>,
            /// Regular-session changes that tightened the spread.
            pub regular_spread_tightened: Option<i64>,
            /// Regular-session changes that left the spread unchanged.
            pub regular_spread_unchanged: Option<i64>,
            /// Regular-session changes that widened the spread.
            pub regular_spread_widened: Option<i64>,
            /// Postmarket NBBO changes.
            pub postmarket_quote_changes: Option<i64>,
            /// Postmarket changes of the midpoint.
            pub postmarket_midpoint_changes: Option<i64>,
            /// Postmarket changes of size only.
            pub postmarket_size_only_changes: Option<i64>,
            /// Postmarket changes that tightened the spread.
            pub postmarket_spread_tightened: Option<i64>,
            /// Postmarket changes that left the spread unchanged.
            pub postmarket_spread_unchanged: Option<i64>,
            /// Postmarket changes that widened the spread.
            pub postmarket_spread_widened: Option<i64>,
        }
    }
}

/// UW's nested `/quote` body; errors name these wire paths (`quote.ask.price`).
#[derive(Deserialize)]
pub struct StockQuoteWire {
    #[serde(default, deserialize_with = "de_opt_string")]
    ticker: Option<String>,
    #[serde(default, deserialize_with = "de_opt_string")]
    market_time: Option<String>,
    #[serde(default)]
    last_trade: Option<LastTradeWire>,
    #[serde(default)]
    quote: Option<QuoteWire>,
    #[serde(default)]
    quote_values: Option<QuoteValuesWire>,
    #[serde(default)]
    quote_statistics: Option<QuoteStatisticsWire>,
}

#[derive(Deserialize)]
struct LastTradeWire {
    #[serde(default, deserialize_with = "de_opt_f64")]
    price: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_timestamp")]
    time: Option<u64>,
    #[serde(default, deserialize_with = "de_opt_i64")]
    vol: Option<i64>,
}

#[derive(Deserialize)]
struct QuoteWire {
    #[serde(default)]
    bid: Option<QuoteSideWire>,
    #[serde(default)]
    ask: Option<QuoteSideWire>,
    #[serde(default, deserialize_with = "de_opt_timestamp")]
    time: Option<u64>,
}

#[derive(Deserialize)]
struct QuoteSideWire {
    #[serde(default, deserialize_with = "de_opt_f64")]
    price: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_i64")]
    size: Option<i64>,
}

#[derive(Deserialize)]
struct QuoteValuesWire {
    #[serde(default, deserialize_with = "de_opt_f64")]
    midpoint: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_f64")]
    spread: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_f64")]
    spread_bps: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_f64")]
    size_imbalance: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_f64")]
    size_weighted_midpoint: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_i64")]
    quote_age_ms: Option<i64>,
}

#[derive(Deserialize)]
struct QuoteStatisticsWire {
    #[serde(default)]
    premarket: Option<SessionStatsWire>,
    #[serde(default)]
    regular: Option<SessionStatsWire>,
    #[serde(default)]
    postmarket: Option<SessionStatsWire>,
}

#[derive(Deserialize, Default)]
struct SessionStatsWire {
    #[serde(default, deserialize_with = "de_opt_i64")]
    quote_changes: Option<i64>,
    #[serde(default, deserialize_with = "de_opt_i64")]
    midpoint_changes: Option<i64>,
    #[serde(default, deserialize_with = "de_opt_i64")]
    size_only_changes: Option<i64>,
    #[serde(default, deserialize_with = "de_opt_i64")]
    spread_tightened: Option<i64>,
    #[serde(default, deserialize_with = "de_opt_i64")]
    spread_unchanged: Option<i64>,
    #[serde(default, deserialize_with = "de_opt_i64")]
    spread_widened: Option<i64>,
}

impl From<StockQuoteWire> for StockQuote {
    fn from(w: StockQuoteWire) -> Self {
        let trade = w.last_trade;
        let quote = w.quote;
        let (bid, ask, quote_time) = match quote {
            Some(q) => (q.bid, q.ask, q.time),
            None => (None, None, None),
        };
        let values = w.quote_values;
        let stats = w.quote_statistics;
        let (pre, reg, post) = match stats {
            Some(s) => (
                s.premarket.unwrap_or_default(),
                s.regular.unwrap_or_default(),
                s.postmarket.unwrap_or_default(),
            ),
            None => Default::default(),
        };
        Self {
            ticker: w.ticker,
            market_time: w.market_time,
            last_trade_price: trade.as_ref().and_then(|t| t.price),
            last_trade_time: trade.as_ref().and_then(|t| t.time),
            volume: trade.as_ref().and_then(|t| t.vol),
            bid_price: bid.as_ref().and_then(|s| s.price),
            bid_size: bid.as_ref().and_then(|s| s.size),
            ask_price: ask.as_ref().and_then(|s| s.price),
            ask_size: ask.as_ref().and_then(|s| s.size),
            quote_time,
            midpoint: values.as_ref().and_then(|v| v.midpoint),
            spread: values.as_ref().and_then(|v| v.spread),
            spread_bps: values.as_ref().and_then(|v| v.spread_bps),
            size_imbalance: values.as_ref().and_then(|v| v.size_imbalance),
            size_weighted_midpoint: values.as_ref().and_then(|v| v.size_weighted_midpoint),
            quote_age_ms: values.as_ref().and_then(|v| v.quote_age_ms),
            premarket_quote_changes: pre.quote_changes,
            premarket_midpoint_changes: pre.midpoint_changes,
            premarket_size_only_changes: pre.size_only_changes,
            premarket_spread_tightened: pre.spread_tightened,
            premarket_spread_unchanged: pre.spread_unchanged,
            premarket_spread_widened: pre.spread_widened,
            regular_quote_changes: reg.quote_changes,
            regular_midpoint_changes: reg.midpoint_changes,
            regular_size_only_changes: reg.size_only_changes,
            regular_spread_tightened: reg.spread_tightened,
            regular_spread_unchanged: reg.spread_unchanged,
            regular_spread_widened: reg.spread_widened,
            postmarket_quote_changes: post.quote_changes,
            postmarket_midpoint_changes: post.midpoint_changes,
            postmarket_size_only_changes: post.size_only_changes,
            postmarket_spread_tightened: post.spread_tightened,
            postmarket_spread_unchanged: post.spread_unchanged,
            postmarket_spread_widened: post.spread_widened,
            ts_event: 0,
            ts_init: 0,
            instrument_id: None,
        }
    }
}

/// When a bar is complete: its `end_time`, else (daily and weekly bars) the New York close of its
/// last day, never later than its arrival.
fn bar_end(bar: &OhlcBar) -> Option<u64> {
    let end = match (bar.end_time, bar.date.as_deref()) {
        (Some(end), _) => end,
        (None, Some(date)) => {
            let close = ny_close_nanos(date).ok()?;
            if bar.candle_size.as_deref() == Some("1w") {
                // UW dates a weekly bar by its Monday; its last session closes on Friday (no US
                // daylight-saving change falls between the two).
                close.checked_add(4 * 86_400 * NANOS_PER_SECOND)?
            } else {
                close
            }
        }
        (None, None) => return None,
    };
    Some(end.min(bar.ts_init))
}

uw_record! {
    /// One OHLC candle of a ticker (REST `/api/stock/{ticker}/ohlc/{candle_size}`).
    ///
    /// `instrument_id` is the ticker; `candle_size` comes from the request path. `ts_event` is when the bar is
    /// complete: `end_time`, else the New York close of `date` (Friday's for weekly bars), never after arrival.
    pub struct OhlcBar as UwOhlcBar {
        event_time: |r| bar_end(r),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// `1m`, `5m`, `10m`, `15m`, `30m`, `1h`, `4h`, `1d` or `1w` (from the request path).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub candle_size: Option<String>,
            /// `pr` (premarket), `r` (regular) or `po` (postmarket).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub market_time: Option<String>,
            /// Bar start, UNIX nanoseconds (absent on `1d`/`1w` bars).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub start_time: Option<u64>,
            /// Bar end, UNIX nanoseconds (absent on `1d`/`1w` bars).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub end_time: Option<u64>,
            /// Day of a `1d` bar, Monday of a `1w` bar, `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Open.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub open: Option<f64>,
            /// High.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub high: Option<f64>,
            /// Low.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub low: Option<f64>,
            /// Close.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub close: Option<f64>,
            /// Volume in the bar.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Volume of the day up to the bar.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_volume: Option<i64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(StockState, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(StockQuote, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(OhlcBar, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
