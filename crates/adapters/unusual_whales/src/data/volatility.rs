//! Implied volatility: the `interpolated_iv[:<T>]` and `iv_term_structure[:<T>]` channels
//! (docs/uw-api.md#channel-interpolated_iv, docs/uw-api.md#channel-iv_term_structure) and their
//! REST counterparts, plus IV rank, risk-reversal skew, volatility statistics and realized against
//! implied volatility (docs/uw-api.md#rest-volatility).
//!
//! UW stamps these with a trading date only. A channel frame is a live snapshot, so its
//! `ts_event` is the arrival time. The REST rows are per-date history, whose rows name no ticker
//! and carry other columns (`percentile`, `dte`); they are separate types stamped at the New York
//! close of their date, so that a backtest does not see a day's value before that day ends.

use crate::common::parse::{
    de_date, de_i64, de_opt_bool, de_opt_date, de_opt_f64, de_opt_i64, de_opt_string,
    de_opt_timestamp, de_string,
};
use crate::common::time::close_or_arrival;
use crate::data::view::{EXPIRY_KEYS, TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// Implied volatility and expected move at a fixed horizon (channel `interpolated_iv[:<TICKER>]`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the arrival time (UW sends only a date).
    pub struct InterpolatedIv as UwInterpolatedIv {
        event_time: |_r| None::<u64>,
        instrument: Ticker(ticker),
        fields {
            /// Ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// Trading date `YYYY-MM-DD`.
            #[serde(deserialize_with = "de_date")]
            pub date: String,
            /// Horizon in trading days (1, 5, 7, 14, 30, 60, 90, 180, 365).
            #[serde(deserialize_with = "de_i64")]
            pub days: i64,
            /// Implied volatility as a fraction (0.299 = 29.9 %).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub volatility: Option<f64>,
            /// Expected move in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move: Option<f64>,
            /// Expected move as a fraction of spot.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move_perc: Option<f64>,
            /// An expiry falls exactly on the horizon (no interpolation).
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_exact: Option<bool>,
        }
    }
}

uw_record! {
    /// At-the-money IV and expected move per listed expiry (channel `iv_term_structure[:<TICKER>]`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the arrival time (UW sends only a date).
    pub struct IvTermStructure as UwIvTermStructure {
        event_time: |_r| None::<u64>,
        instrument: Ticker(ticker),
        fields {
            /// Ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// Trading date `YYYY-MM-DD`.
            #[serde(deserialize_with = "de_date")]
            pub date: String,
            /// Expiry `YYYY-MM-DD`.
            #[serde(deserialize_with = "de_date")]
            pub expiry: String,
            /// Implied volatility as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub volatility: Option<f64>,
            /// Expected move to expiry in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move: Option<f64>,
            /// Expected move as a fraction of spot.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move_perc: Option<f64>,
        }
    }
}

uw_record! {
    /// Implied volatility, expected move and percentile at a fixed horizon (REST `/api/stock/{ticker}/interpolated-iv`).
    ///
    /// The per-date history behind channel `interpolated_iv` (`UwInterpolatedIv`), whose live snapshots are
    /// stamped on arrival. `instrument_id` is the ticker; `ts_event` is the New York close of `date` (the
    /// arrival time if earlier).
    pub struct HorizonIv as UwHorizonIv {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Horizon in days.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub days: Option<i64>,
            /// Implied volatility as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub volatility: Option<f64>,
            /// Expected move as a fraction of spot.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move_perc: Option<f64>,
            /// Percentile of `volatility` as UW ranks it (0-100).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub percentile: Option<f64>,
        }
    }
}

uw_record! {
    /// At-the-money IV and expected move of one expiry (REST `/api/stock/{ticker}/volatility/term-structure`).
    ///
    /// The per-date history behind channel `iv_term_structure` (`UwIvTermStructure`). `instrument_id` is the
    /// ticker; `ts_event` is the New York close of `date` (the arrival time if earlier).
    pub struct ExpiryIv as UwExpiryIv {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Expiry `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Days from `date` to `expiry`.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub dte: Option<i64>,
            /// Implied volatility as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub volatility: Option<f64>,
            /// Expected move to expiry in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move: Option<f64>,
            /// Expected move as a fraction of spot.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move_perc: Option<f64>,
        }
    }
}

uw_record! {
    /// One-year IV rank of a ticker for one date (REST `/api/stock/{ticker}/iv-rank`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is `updated_at`, else the New York close of `date`.
    pub struct IvRank as UwIvRank {
        event_time: |r| r.updated_at.or_else(|| close_or_arrival(r.date.as_deref(), r.ts_init)),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Underlying close.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub close: Option<f64>,
            /// Implied volatility as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub volatility: Option<f64>,
            /// Where `volatility` sits in its one-year range, as a fraction (0.65 = 65 %).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_rank_1y: Option<f64>,
            /// When UW computed the row, UNIX nanoseconds.
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub updated_at: Option<u64>,
        }
    }
}

uw_record! {
    /// Risk-reversal skew of one expiry at a fixed delta on one date (REST
    /// `/api/stock/{ticker}/historical-risk-reversal-skew`).
    ///
    /// UW requires the expiry and the delta (`metadata={"expiry": "2024-01-19", "delta": "25"}`; 10 or 25)
    /// and answers a daily series over `timeframe` (default `1y`) ending at `date`. `instrument_id` is the
    /// ticker; `ts_event` is the New York close of `date` (the arrival time if earlier).
    pub struct RiskReversalSkew as UwRiskReversalSkew {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (the request path's when the row omits it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Expiry `YYYY-MM-DD` (the request's; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// The absolute delta of the put and the call compared, in delta points (25 = 0.25).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub delta: Option<i64>,
            /// Put IV minus call IV at that delta, as a fraction (0.014 = 1.4 volatility points).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub risk_reversal: Option<f64>,
        }
    }
}

uw_record! {
    /// Implied and realized volatility of a ticker on one date with their one-year highs and lows, and
    /// IV rank (REST `/api/stock/{ticker}/volatility/stats`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the New York close of `date` (the arrival time if
    /// earlier).
    pub struct VolatilityStats as UwVolatilityStats {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (the request path's when the row omits it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD` (the request's `date` when UW omits it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Implied volatility as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv: Option<f64>,
            /// Highest implied volatility of the past year.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_high: Option<f64>,
            /// Lowest implied volatility of the past year.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_low: Option<f64>,
            /// Where `iv` stands in its one-year range, as a fraction (0.45 = 45 %).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_rank: Option<f64>,
            /// Realized volatility as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub rv: Option<f64>,
            /// Highest realized volatility of the past year.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub rv_high: Option<f64>,
            /// Lowest realized volatility of the past year.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub rv_low: Option<f64>,
        }
    }
}

uw_record! {
    /// 30-day implied volatility on one date next to the volatility the stock then realized (REST
    /// `/api/stock/{ticker}/volatility/realized`).
    ///
    /// UW shifts the realized volatility 30 days back so that it lines up with the implied volatility that
    /// priced it: `realized_volatility` is computed from prices up to `unshifted_rv_date`, after `date`.
    /// `ts_event` is therefore the New York close of the later of the two dates (the arrival time if
    /// earlier), so a backtest never sees realized volatility before the prices behind it.
    /// `instrument_id` is the ticker (from the request path). A daily series over `timeframe` (default
    /// `1y`) ending at `date`.
    pub struct RealizedVolatility as UwRealizedVolatility {
        // ISO dates order as text; `None` sorts first.
        event_time: |r| close_or_arrival(r.date.as_deref().max(r.unshifted_rv_date.as_deref()), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD` of `price` and `implied_volatility`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// The underlying's close on `date`.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price: Option<f64>,
            /// 30-day implied volatility on `date`, as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_volatility: Option<f64>,
            /// Volatility realized over the 30 days (21 trading days) after `date`, as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub realized_volatility: Option<f64>,
            /// The last date `YYYY-MM-DD` whose price `realized_volatility` uses.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub unshifted_rv_date: Option<String>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(InterpolatedIv, TICKER_KEYS, ticker: |r| Some(&r.ticker));
record_view!(IvRank, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(HorizonIv, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(IvTermStructure, EXPIRY_KEYS, ticker: |r| Some(&r.ticker), expiry: |r| Some(&r.expiry));
record_view!(ExpiryIv, EXPIRY_KEYS, ticker: |r| r.ticker.as_deref(), expiry: |r| r.expiry.as_deref());
record_view!(RiskReversalSkew, EXPIRY_KEYS, ticker: |r| r.ticker.as_deref(), expiry: |r| r.expiry.as_deref());
record_view!(VolatilityStats, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(RealizedVolatility, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
