//! Equity channels: `price[:<T>]`, `lit_trades`, `off_lit_trades`, `trading_halts`
//! (docs/uw-api.md#channel-price, docs/uw-api.md#channel-lit_trades,
//! docs/uw-api.md#channel-off_lit_trades, docs/uw-api.md#channel-trading_halts), and REST
//! dark-pool price levels (docs/uw-api.md#rest-dark-pool-price-levels).

use crate::common::parse::{
    de_f64, de_i64, de_opt_bool, de_opt_date, de_opt_f64, de_opt_i64, de_opt_string,
    de_opt_timestamp, de_string, de_timestamp,
};
use crate::common::time::close_or_arrival;
use crate::data::view::{EQUITY_KEYS, FilterKey, RecordView, TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// Last price and session volume of a ticker (channel `price[:<TICKER>]`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the trade time.
    pub struct Price as UwPrice {
        event_time: |r| r.time,
        instrument: Ticker(ticker),
        fields {
            /// Ticker; older frames omit it and the parser takes it from the channel (`price:SPY`).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Last trade price.
            #[serde(deserialize_with = "de_f64")]
            pub close: f64,
            /// Trade time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub time: u64,
            /// Cumulative session volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub vol: Option<i64>,
        }
    }
}

/// Declares an equity-print record; lit and off-lit prints share one schema
/// (docs/uw-api.md#channel-off_lit_trades).
macro_rules! equity_print_record {
    ($(#[$meta:meta])* $name:ident as $py:ident) => {
        uw_record! {
            $(#[$meta])*
            pub struct $name as $py {
                event_time: |r| r.executed_at,
                instrument: Ticker(symbol),
                fields {
            /// Ticker (UW calls it `symbol` here; REST `ticker`).
            #[serde(alias = "ticker", deserialize_with = "de_string")]
            pub symbol: String,
            /// Print price.
            #[serde(deserialize_with = "de_f64")]
            pub price: f64,
            /// Shares.
            #[serde(deserialize_with = "de_i64")]
            pub size: i64,
            /// Execution time, UNIX nanoseconds (ISO string or epoch ms on the wire).
            #[serde(deserialize_with = "de_timestamp")]
            pub executed_at: u64,
            /// TRF report time (mostly dark-pool prints).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub trf_executed_at: Option<u64>,
            /// Cumulative session volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Print value in dollars (REST).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub premium: Option<f64>,
            /// `lit` or `off_lit`.
            #[serde(default, rename = "type", deserialize_with = "de_opt_string")]
            pub print_type: Option<String>,
            /// NBBO bid when the print hit the tape.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_bid: Option<f64>,
            /// NBBO ask when the print hit the tape.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_ask: Option<f64>,
            /// NBBO bid size.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub nbbo_bid_quantity: Option<i64>,
            /// NBBO ask size.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub nbbo_ask_quantity: Option<i64>,
            /// `regular`, `cash`, `next_day`, `seller`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub trade_settlement: Option<String>,
            /// `opening_print`, `closing_print`, `odd_lot`, ...
            #[serde(default, deserialize_with = "de_opt_string")]
            pub trade_code: Option<String>,
            /// Extended-hours code, e.g. `extended_hours_trade`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ext_hour_sold_codes: Option<String>,
            /// Sale condition, e.g. `cross_trade`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sale_cond_codes: Option<String>,
            /// Reporting market center (`L`/`2` = TRF; REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub market_center: Option<String>,
            /// The print was canceled (REST).
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub canceled: Option<bool>,
            /// UW tracking id (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub tracking_id: Option<String>,
            /// Sector.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sector: Option<String>,
            /// `Common Stock`, `ETF`, ...
            #[serde(default, deserialize_with = "de_opt_string")]
            pub issue_type: Option<String>,
            /// Next earnings date.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub next_earnings_date: Option<String>,
            /// 30-day average volume.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg30_volume: Option<f64>,
            /// Market capitalisation in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub marketcap: Option<f64>,
                }
            }
        }
    };
}

equity_print_record! {
    /// A lit-exchange equity print (channel `lit_trades`, REST `/api/lit-flow/*`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the execution time.
    LitTrade as UwLitTrade
}

equity_print_record! {
    /// A dark-pool / TRF equity print (channel `off_lit_trades`, REST `/api/darkpool/*`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the execution time.
    DarkPoolTrade as UwDarkPoolTrade
}

uw_record! {
    /// A trading halt, resume or pause (channel `trading_halts`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the event time.
    pub struct TradingHalt as UwTradingHalt {
        event_time: |r| r.time,
        instrument: Ticker(ticker),
        fields {
            /// Halted ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// `halted`, `resumed`, `paused` (passed through).
            #[serde(deserialize_with = "de_string")]
            pub state: String,
            /// Halt code, e.g. `LUDP`, `T1`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub reason: Option<String>,
            /// Event time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub time: u64,
        }
    }
}

uw_record! {
    /// Shares of one ticker traded off exchange and on lit exchanges at one rounded price over a
    /// day (REST `/api/darkpool/{ticker}/price-levels`): where volume concentrated.
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is the New York close of
    /// `date` (the arrival time while that day is still trading).
    pub struct DarkPoolLevel as UwDarkPoolLevel {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD` (the response's top-level `date`).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// The price level (UW's bucket).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price: Option<f64>,
            /// Shares traded off exchange at this level.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub dark_pool_volume: Option<i64>,
            /// Shares traded on lit exchanges at this level.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub regular_volume: Option<i64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(DarkPoolLevel, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(Price, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(TradingHalt, TICKER_KEYS, ticker: |r| Some(&r.ticker));

/// Equity prints: premium is UW's, or price x size when UW leaves it out.
macro_rules! equity_view {
    ($($t:ty),*) => {$(
        impl RecordView for $t {
            const KEYS: &'static [FilterKey] = EQUITY_KEYS;
            fn ticker(&self) -> Option<&str> {
                Some(&self.symbol)
            }
            fn premium(&self) -> Option<f64> {
                #[allow(clippy::cast_precision_loss)]
                self.premium.or(Some(self.price * self.size as f64))
            }
            fn size(&self) -> Option<i64> {
                Some(self.size)
            }
        }
    )*};
}

equity_view!(LitTrade, DarkPoolTrade);
