//! Open interest from REST: a ticker's calls and puts per strike and per expiry, and the contracts
//! whose open interest changed most (docs/uw-api.md#rest-open-interest).
//!
//! UW updates open interest once a trading day, around 06:45 New York in the premarket
//! (`/api/market/oi-change`): the open interest dated `D` counts the contracts open after the
//! session before `D`. These records are stamped at the 09:30 open of their date, when a strategy
//! can know them, or on arrival when that is earlier.

use crate::common::parse::{de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_string};
use crate::common::symbol::occ_underlying;
use crate::common::time::open_or_arrival;
use crate::data::view::{EXPIRY_KEYS, FilterKey, RecordView, TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// Call and put open interest at one strike, all expiries (REST `/api/stock/{ticker}/oi-per-strike`).
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is the New York open of `date`
    /// (the arrival time if earlier).
    pub struct StrikeOpenInterest as UwStrikeOpenInterest {
        event_time: |r| open_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD` the open interest is valid for.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Strike in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            /// Open call contracts at the strike.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_oi: Option<i64>,
            /// Open put contracts at the strike.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_oi: Option<i64>,
        }
    }
}

uw_record! {
    /// Call and put open interest of one expiry, all strikes (REST `/api/stock/{ticker}/oi-per-expiry`).
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is the New York open of `date`
    /// (the arrival time if earlier).
    pub struct ExpiryOpenInterest as UwExpiryOpenInterest {
        event_time: |r| open_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD` the open interest is valid for.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Expiry `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Open call contracts of the expiry.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_oi: Option<i64>,
            /// Open put contracts of the expiry.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_oi: Option<i64>,
        }
    }
}

uw_record! {
    /// One contract's open interest against the day before, with that day's trading (REST
    /// `/api/stock/{ticker}/oi-change`, `/api/market/oi-change`).
    ///
    /// UW ranks the contracts by the size of the change; the market-wide list leaves out index and ETF
    /// options. The `prev_*` values and prices are of `last_date`, the session that opened or closed
    /// the contracts. `instrument_id` is the option contract; `ts_event` is the New York open of
    /// `curr_date` (the arrival time if earlier).
    pub struct OpenInterestChange as UwOpenInterestChange {
        event_time: |r| open_or_arrival(r.curr_date.as_deref(), r.ts_init),
        instrument: OptionSymbol(option_symbol),
        fields {
            /// OCC option symbol, e.g. `MSFT240315C00350000`.
            #[serde(deserialize_with = "de_string")]
            pub option_symbol: String,
            /// The underlying ticker.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub underlying_symbol: Option<String>,
            /// Date `YYYY-MM-DD` of `curr_oi`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub curr_date: Option<String>,
            /// Date `YYYY-MM-DD` of `last_oi`, the trading day before `curr_date`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub last_date: Option<String>,
            /// Open interest on `curr_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub curr_oi: Option<i64>,
            /// Open interest on `last_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub last_oi: Option<i64>,
            /// `curr_oi - last_oi`, contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub oi_diff_plain: Option<i64>,
            /// The change relative to `last_oi`, a fraction (15.61 = +1561 %).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub oi_change: Option<f64>,
            /// The contract's share of the change UW ranks over, a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub percentage_of_total: Option<f64>,
            /// The contract's place in UW's ranking (1 = largest change).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub rnk: Option<i64>,
            /// Volume-weighted average fill price on `last_date`.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_price: Option<f64>,
            /// Last fill price on `last_date`.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub last_fill: Option<f64>,
            /// NBBO bid at the end of `last_date`.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub last_bid: Option<f64>,
            /// NBBO ask at the end of `last_date`.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub last_ask: Option<f64>,
            /// Contracts traded on `last_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Prints on `last_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub trades: Option<i64>,
            /// Premium traded on `last_date` ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub prev_total_premium: Option<f64>,
            /// Contracts traded at the ask on `last_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub prev_ask_volume: Option<i64>,
            /// Contracts traded at the bid on `last_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub prev_bid_volume: Option<i64>,
            /// Contracts traded at the mid on `last_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub prev_mid_volume: Option<i64>,
            /// Contracts traded with no side on `last_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub prev_neutral_volume: Option<i64>,
            /// Contracts traded in multi-leg orders on `last_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub prev_multi_leg_volume: Option<i64>,
            /// Contracts traded in stock-and-option combinations on `last_date`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub prev_stock_multi_leg_volume: Option<i64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(StrikeOpenInterest, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(ExpiryOpenInterest, EXPIRY_KEYS, ticker: |r| r.ticker.as_deref(), expiry: |r| r.expiry.as_deref());

impl RecordView for OpenInterestChange {
    const KEYS: &'static [FilterKey] = &[FilterKey::Ticker, FilterKey::InstrumentId];
    fn ticker(&self) -> Option<&str> {
        self.underlying_symbol
            .as_deref()
            .or_else(|| occ_underlying(&self.option_symbol))
    }
}
