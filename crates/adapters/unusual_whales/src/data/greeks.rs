//! REST-only exposure records: daily greek exposure (by date, strike, expiry), GEX levels and
//! spot exposure by strike and by strike and expiry (docs/uw-api.md#rest-greek-exposure,
//! docs/uw-api.md#rest-spot-exposures). Rows with only a date are stamped at the New York close of
//! that date; rows with no time at all at their arrival.

use crate::common::parse::{
    de_f64_list, de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_opt_timestamp,
};
use crate::common::time::{close_or_arrival, ny_close_nanos};
use crate::data::view::{EXPIRY_KEYS, TICKER_KEYS, record_view};
use crate::uw_record;

/// Declares a greek-exposure record: the eight call/put greek fields are shared by the daily,
/// strike and expiry variants, which differ only in their keys.
macro_rules! greek_exposure_record {
    ($(#[$meta:meta])* $name:ident as $py:ident { $($keys:tt)* }) => {
        uw_record! {
            $(#[$meta])*
            pub struct $name as $py {
                event_time: |r| r.date.as_deref().and_then(|d| ny_close_nanos(d).ok()),
                instrument: Ticker(ticker),
                fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            $($keys)*
            /// Call gamma exposure ($); REST strike/expiry variants call it `call_gex`.
            #[serde(default, alias = "call_gex", deserialize_with = "de_opt_f64")]
            pub call_gamma: Option<f64>,
            /// Call delta exposure ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_delta: Option<f64>,
            /// Call charm exposure ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm: Option<f64>,
            /// Call vanna exposure ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna: Option<f64>,
            /// Put gamma exposure ($); REST strike/expiry variants call it `put_gex`.
            #[serde(default, alias = "put_gex", deserialize_with = "de_opt_f64")]
            pub put_gamma: Option<f64>,
            /// Put delta exposure ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_delta: Option<f64>,
            /// Put charm exposure ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm: Option<f64>,
            /// Put vanna exposure ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna: Option<f64>,
                }
            }
        }
    };
}

greek_exposure_record! {
    /// Daily open-interest-based greek exposure (REST `/api/stock/{ticker}/greek-exposure`).
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is the 16:00 New York close of `date`.
    GreekExposure as UwGreekExposure {
        /// Trading date `YYYY-MM-DD`.
        #[serde(default, deserialize_with = "de_opt_date")]
        pub date: Option<String>,
    }
}

greek_exposure_record! {
    /// Greek exposure at one strike, optionally one expiry (REST `.../greek-exposure/strike[-expiry]`).
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is the New York close of
    /// `date` when sent, else the arrival time.
    StrikeGreekExposure as UwStrikeGreekExposure {
        /// Strike in dollars.
        #[serde(default, deserialize_with = "de_opt_f64")]
        pub strike: Option<f64>,
        /// Expiry `YYYY-MM-DD` (the `/strike-expiry` variant).
        #[serde(default, deserialize_with = "de_opt_date")]
        pub expiry: Option<String>,
        /// Trading date, when UW sends it.
        #[serde(default, deserialize_with = "de_opt_date")]
        pub date: Option<String>,
    }
}

greek_exposure_record! {
    /// Greek exposure of one expiry (REST `/api/stock/{ticker}/greek-exposure/expiry`).
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is the New York close of
    /// `date` when sent, else the arrival time.
    ExpiryGreekExposure as UwExpiryGreekExposure {
        /// Expiry `YYYY-MM-DD`.
        #[serde(default, deserialize_with = "de_opt_date")]
        pub expiry: Option<String>,
        /// Trading date.
        #[serde(default, deserialize_with = "de_opt_date")]
        pub date: Option<String>,
        /// Days to expiry.
        #[serde(default, deserialize_with = "de_opt_i64")]
        pub dte: Option<i64>,
    }
}

uw_record! {
    /// Key gamma levels: call/put walls, gamma flip and magnet, nearby flips (REST `/api/stock/{ticker}/gex-levels`).
    ///
    /// Since 2026-08-22 UW derives them from directionalized volume unless the request asks for
    /// `source=oi` (`metadata={"source": "oi"}`); `source` says which basis answered.
    /// `instrument_id` is the ticker (from the request path); `ts_event` is `time`, UW's
    /// calculation time (older answers without it: the close of `date`, else the arrival time).
    pub struct GexLevels as UwGexLevels {
        // The snapshot's calculation time; responses from before 2026-08-22 have only the date
        // asked for (or nothing: then the arrival time).
        event_time: |r| r.time.or_else(|| close_or_arrival(r.date.as_deref(), r.ts_init)),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// The market date the levels describe, `YYYY-MM-DD` (the request's `date` when UW omits it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// When the exposure snapshot behind the levels was calculated, UNIX nanoseconds.
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub time: Option<u64>,
            /// The exposure basis: `vol` (directionalized volume, UW's default) or `oi` (open interest).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub source: Option<String>,
            /// Strike above spot with the largest positive net gamma (resistance).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_wall: Option<f64>,
            /// Strike below spot with the largest positive net gamma (support).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_wall: Option<f64>,
            /// Price where net dealer gamma crosses zero (interpolated between two strikes).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma_flip: Option<f64>,
            /// Strike with the largest-magnitude net gamma (the strongest pin).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma_magnet: Option<f64>,
            /// Every zero-gamma crossing near spot, nearest first, at most five; `gamma_flip` first.
            #[serde(default, deserialize_with = "de_f64_list")]
            pub nearby_flips: Vec<f64>,
        }
    }
}

/// Declares a per-strike spot exposure record: `/spot-exposures/strike` and
/// `/spot-exposures/expiry-strike` answer the same 32 greek fields (UW's schema "Spot greek
/// exposures by strike") and differ only in the expiry their rows belong to.
macro_rules! strike_spot_exposure_record {
    ($(#[$meta:meta])* $name:ident as $py:ident { $($keys:tt)* }) => {
        uw_record! {
            $(#[$meta])*
            pub struct $name as $py {
                event_time: |r| r.time,
                instrument: Ticker(ticker),
                fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Row time, UNIX nanoseconds.
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub time: Option<u64>,
            /// Strike in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            $($keys)*
            /// Underlying price (for index tickers, the ATM strike).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price: Option<f64>,
            /// Call delta exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_delta_oi: Option<f64>,
            /// Call delta exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_delta_vol: Option<f64>,
            /// Call delta exposure, ask-side (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_delta_ask: Option<f64>,
            /// Call delta exposure, bid-side (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_delta_bid: Option<f64>,
            /// Call gamma exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_gamma_oi: Option<f64>,
            /// Call gamma exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_gamma_vol: Option<f64>,
            /// Call gamma exposure, ask-side (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_gamma_ask: Option<f64>,
            /// Call gamma exposure, bid-side (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_gamma_bid: Option<f64>,
            /// Call vanna exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna_oi: Option<f64>,
            /// Call vanna exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna_vol: Option<f64>,
            /// Call vanna exposure, ask-side (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna_ask: Option<f64>,
            /// Call vanna exposure, bid-side (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna_bid: Option<f64>,
            /// Call charm exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm_oi: Option<f64>,
            /// Call charm exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm_vol: Option<f64>,
            /// Call charm exposure, ask-side (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm_ask: Option<f64>,
            /// Call charm exposure, bid-side (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm_bid: Option<f64>,
            /// Put delta exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_delta_oi: Option<f64>,
            /// Put delta exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_delta_vol: Option<f64>,
            /// Put delta exposure, ask-side (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_delta_ask: Option<f64>,
            /// Put delta exposure, bid-side (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_delta_bid: Option<f64>,
            /// Put gamma exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_gamma_oi: Option<f64>,
            /// Put gamma exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_gamma_vol: Option<f64>,
            /// Put gamma exposure, ask-side (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_gamma_ask: Option<f64>,
            /// Put gamma exposure, bid-side (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_gamma_bid: Option<f64>,
            /// Put vanna exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna_oi: Option<f64>,
            /// Put vanna exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna_vol: Option<f64>,
            /// Put vanna exposure, ask-side (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna_ask: Option<f64>,
            /// Put vanna exposure, bid-side (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna_bid: Option<f64>,
            /// Put charm exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm_oi: Option<f64>,
            /// Put charm exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm_vol: Option<f64>,
            /// Put charm exposure, ask-side (dealer assumed short).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm_ask: Option<f64>,
            /// Put charm exposure, bid-side (dealer assumed long).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm_bid: Option<f64>,
                }
            }
        }
    };
}

strike_spot_exposure_record! {
    /// Intraday spot exposure at one strike, all expiries (REST `/api/stock/{ticker}/spot-exposures/strike`).
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is the row time.
    StrikeSpotExposure as UwStrikeSpotExposure {}
}

strike_spot_exposure_record! {
    /// Intraday spot exposure at one strike of one expiry (REST `/api/stock/{ticker}/spot-exposures/expiry-strike`).
    ///
    /// The expiries are the request's `expirations[]` (`metadata={"expirations": "2024-02-02"}`, a
    /// comma-separated list for several); UW's rows do not name theirs, so `expiry` is the one
    /// requested, or `None` when several were. `instrument_id` is the ticker (from the request
    /// path); `ts_event` is the row time.
    ExpiryStrikeSpotExposure as UwExpiryStrikeSpotExposure {
        /// Expiry `YYYY-MM-DD` (the row's own, else the one expiry requested).
        #[serde(default, deserialize_with = "de_opt_date")]
        pub expiry: Option<String>,
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(GreekExposure, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(StrikeGreekExposure, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(GexLevels, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(StrikeSpotExposure, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(ExpiryStrikeSpotExposure, EXPIRY_KEYS, ticker: |r| r.ticker.as_deref(), expiry: |r| r.expiry.as_deref());
record_view!(ExpiryGreekExposure, EXPIRY_KEYS, ticker: |r| r.ticker.as_deref(), expiry: |r| r.expiry.as_deref());
