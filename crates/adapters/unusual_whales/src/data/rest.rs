//! REST-only records: per-minute net premium ticks and spot exposures
//! (docs/uw-api.md#rest-net-premium-ticks, docs/uw-api.md#rest-spot-exposures).

use crate::common::parse::{de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_timestamp};
use crate::data::view::{TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// One minute of call/put volume and net premium (REST `/api/stock/{ticker}/net-prem-ticks`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the minute (`tape_time`).
    pub struct NetPremTick as UwNetPremTick {
        event_time: |r| r.tape_time,
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Minute, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub tape_time: u64,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Call volume in the minute.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_volume: Option<i64>,
            /// Put volume in the minute.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_volume: Option<i64>,
            /// Call volume at the ask.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_volume_ask_side: Option<i64>,
            /// Call volume at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_volume_bid_side: Option<i64>,
            /// Put volume at the ask.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_volume_ask_side: Option<i64>,
            /// Put volume at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_volume_bid_side: Option<i64>,
            /// Net call volume (ask minus bid).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub net_call_volume: Option<i64>,
            /// Net put volume (ask minus bid).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub net_put_volume: Option<i64>,
            /// Net call premium in the minute ($); cumulate for the intraday curve.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_call_premium: Option<f64>,
            /// Net put premium in the minute ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_put_premium: Option<f64>,
            /// Net delta traded in the minute.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_delta: Option<f64>,
        }
    }
}

uw_record! {
    /// Intraday spot exposure per 1 % move, one row a minute (REST `/api/stock/{ticker}/spot-exposures`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the row time.
    pub struct SpotExposure as UwSpotExposure {
        event_time: |r| r.time,
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path when the row omits it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Row time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub time: u64,
            /// Underlying price (for index tickers, the ATM strike).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price: Option<f64>,
            /// Gamma exposure, open-interest weighted ($ per 1 % move).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma_per_one_percent_move_oi: Option<f64>,
            /// Gamma exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma_per_one_percent_move_vol: Option<f64>,
            /// Gamma exposure, directional.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma_per_one_percent_move_dir: Option<f64>,
            /// Charm exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub charm_per_one_percent_move_oi: Option<f64>,
            /// Charm exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub charm_per_one_percent_move_vol: Option<f64>,
            /// Charm exposure, directional.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub charm_per_one_percent_move_dir: Option<f64>,
            /// Vanna exposure, open-interest weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub vanna_per_one_percent_move_oi: Option<f64>,
            /// Vanna exposure, volume weighted.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub vanna_per_one_percent_move_vol: Option<f64>,
            /// Vanna exposure, directional.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub vanna_per_one_percent_move_dir: Option<f64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(NetPremTick, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(SpotExposure, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
