//! Dealer exposure (GEX) channels: `gex[:<T>]`, `gex_strike[:<T>]`, `gex_strike_expiry[:<T>]`.
//!
//! All greek values arrive as numeric strings, sometimes `""` (UW's delta exposures), and reach
//! 1e13 in magnitude: `f64`, `None` when empty. See docs/uw-api.md#channel-gex,
//! docs/uw-api.md#channel-gex_strike and docs/uw-api.md#channel-gex_strike_expiry.

use crate::common::parse::{de_date, de_f64, de_opt_f64, de_string, de_timestamp};
use crate::data::view::{EXPIRY_KEYS, TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// Ticker-level dealer exposure per 1 % move (channel `gex[:<TICKER>]`).
    ///
    /// `instrument_id` is the underlying (`SPY.SMART`); `ts_event` is UW's calculation time.
    pub struct TickerGex as UwTickerGex {
        event_time: |r| r.timestamp,
        instrument: Ticker(ticker),
        fields {
            /// Underlying ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// Calculation time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// Underlying spot price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price: Option<f64>,
            /// Gamma exposure per 1 % move, open-interest weighted ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma_per_one_percent_move_oi: Option<f64>,
            /// Gamma exposure per 1 % move, volume weighted ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma_per_one_percent_move_vol: Option<f64>,
            /// Gamma exposure per 1 % move, directional (bid/ask classified) ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma_per_one_percent_move_dir: Option<f64>,
            /// Delta exposure per 1 % move, open-interest weighted ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub delta_per_one_percent_move_oi: Option<f64>,
            /// Delta exposure per 1 % move, volume weighted ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub delta_per_one_percent_move_vol: Option<f64>,
            /// Charm exposure per 1 % move, open-interest weighted ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub charm_per_one_percent_move_oi: Option<f64>,
            /// Charm exposure per 1 % move, volume weighted ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub charm_per_one_percent_move_vol: Option<f64>,
            /// Charm exposure per 1 % move, directional (bid/ask classified) ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub charm_per_one_percent_move_dir: Option<f64>,
            /// Vanna exposure per 1 % move, open-interest weighted ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub vanna_per_one_percent_move_oi: Option<f64>,
            /// Vanna exposure per 1 % move, volume weighted ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub vanna_per_one_percent_move_vol: Option<f64>,
            /// Vanna exposure per 1 % move, directional (bid/ask classified) ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub vanna_per_one_percent_move_dir: Option<f64>,
        }
    }
}

/// Declares a per-strike exposure record; `gex_strike` and `gex_strike_expiry` share 28 greek
/// fields and differ only by `expiry`.
macro_rules! strike_gex_record {
    ($(#[$meta:meta])* $name:ident as $py:ident { $($extra:tt)* }) => {
        uw_record! {
            $(#[$meta])*
            pub struct $name as $py {
                event_time: |r| r.timestamp,
                instrument: Ticker(ticker),
                fields {
            /// Underlying ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// Calculation time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// Strike in dollars.
            #[serde(deserialize_with = "de_f64")]
            pub strike: f64,
            $($extra)*
            /// Underlying spot price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price: Option<f64>,
            /// Call gamma exposure, open-interest weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_gamma_oi: Option<f64>,
            /// Call gamma exposure, volume weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_gamma_vol: Option<f64>,
            /// Call delta exposure, open-interest weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_delta_oi: Option<f64>,
            /// Call delta exposure, volume weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_delta_vol: Option<f64>,
            /// Call charm exposure, open-interest weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm_oi: Option<f64>,
            /// Call charm exposure, volume weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm_vol: Option<f64>,
            /// Call vanna exposure, open-interest weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna_oi: Option<f64>,
            /// Call vanna exposure, volume weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna_vol: Option<f64>,
            /// Put gamma exposure, open-interest weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_gamma_oi: Option<f64>,
            /// Put gamma exposure, volume weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_gamma_vol: Option<f64>,
            /// Put delta exposure, open-interest weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_delta_oi: Option<f64>,
            /// Put delta exposure, volume weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_delta_vol: Option<f64>,
            /// Put charm exposure, open-interest weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm_oi: Option<f64>,
            /// Put charm exposure, volume weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm_vol: Option<f64>,
            /// Put vanna exposure, open-interest weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna_oi: Option<f64>,
            /// Put vanna exposure, volume weighted, $ per 1 % move.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna_vol: Option<f64>,
            /// Call gamma exposure from ask-side volume (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_gamma_ask_vol: Option<f64>,
            /// Call gamma exposure from bid-side volume (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_gamma_bid_vol: Option<f64>,
            /// Call charm exposure from ask-side volume (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm_ask_vol: Option<f64>,
            /// Call charm exposure from bid-side volume (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm_bid_vol: Option<f64>,
            /// Call vanna exposure from ask-side volume (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna_ask_vol: Option<f64>,
            /// Call vanna exposure from bid-side volume (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna_bid_vol: Option<f64>,
            /// Put gamma exposure from ask-side volume (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_gamma_ask_vol: Option<f64>,
            /// Put gamma exposure from bid-side volume (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_gamma_bid_vol: Option<f64>,
            /// Put charm exposure from ask-side volume (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm_ask_vol: Option<f64>,
            /// Put charm exposure from bid-side volume (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm_bid_vol: Option<f64>,
            /// Put vanna exposure from ask-side volume (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna_ask_vol: Option<f64>,
            /// Put vanna exposure from bid-side volume (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna_bid_vol: Option<f64>,
                }
            }
        }
    };
}

strike_gex_record! {
    /// Dealer exposure at one strike (channel `gex_strike[:<TICKER>]`).
    ///
    /// `instrument_id` is the underlying; `ts_event` is UW's calculation time.
    StrikeGex as UwStrikeGex {}
}

strike_gex_record! {
    /// Dealer exposure at one strike and expiry (channel `gex_strike_expiry[:<TICKER>]`).
    ///
    /// `instrument_id` is the underlying; `ts_event` is UW's calculation time.
    ExpiryStrikeGex as UwExpiryStrikeGex {
        /// Expiry `YYYY-MM-DD`.
        #[serde(deserialize_with = "de_date")]
        pub expiry: String,
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(TickerGex, TICKER_KEYS, ticker: |r| Some(&r.ticker));
record_view!(StrikeGex, TICKER_KEYS, ticker: |r| Some(&r.ticker));
record_view!(ExpiryStrikeGex, EXPIRY_KEYS, ticker: |r| Some(&r.ticker), expiry: |r| Some(&r.expiry));
