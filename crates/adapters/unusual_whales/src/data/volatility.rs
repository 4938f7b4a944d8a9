//! Implied-volatility channels: `interpolated_iv[:<T>]` and `iv_term_structure[:<T>]` (SPEC.md §4.15).
//!
//! UW stamps these with a trading date only, so `ts_event` is the arrival time.

use crate::common::parse::{de_date, de_i64, de_opt_bool, de_opt_f64, de_string};
use crate::uw_record;

uw_record! {
    /// Implied volatility and expected move at a fixed horizon (`interpolated_iv[:<TICKER>]`).
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
    /// At-the-money IV and expected move per listed expiry (`iv_term_structure[:<TICKER>]`).
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
