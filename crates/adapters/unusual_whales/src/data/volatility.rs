//! Implied volatility: the `interpolated_iv[:<T>]` and `iv_term_structure[:<T>]` channels
//! (docs/uw-api.md#channel-interpolated_iv, docs/uw-api.md#channel-iv_term_structure) and their
//! REST counterparts plus IV rank (docs/uw-api.md#rest-volatility).
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
    pub struct InterpolatedIv as "UwInterpolatedIv" {
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
    pub struct IvTermStructure as "UwIvTermStructure" {
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
    pub struct HorizonIv as "UwHorizonIv" {
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
    pub struct ExpiryIv as "UwExpiryIv" {
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
    pub struct IvRank as "UwIvRank" {
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

// What subscription filters see of these records (data/view.rs).
record_view!(InterpolatedIv, TICKER_KEYS, ticker: |r| Some(&r.ticker));
record_view!(IvRank, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(HorizonIv, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(IvTermStructure, EXPIRY_KEYS, ticker: |r| Some(&r.ticker), expiry: |r| Some(&r.expiry));
record_view!(ExpiryIv, EXPIRY_KEYS, ticker: |r| r.ticker.as_deref(), expiry: |r| r.expiry.as_deref());
