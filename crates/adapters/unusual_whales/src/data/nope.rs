//! `UwNope`: UW's Net Options Pricing Effect per minute of a trading day (REST
//! `/api/stock/{ticker}/nope`, docs/uw-api.md#rest-nope).

use crate::common::parse::{de_opt_f64, de_opt_i64, de_opt_string, de_timestamp};
use crate::data::view::{TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// One minute of NOPE, the net option delta traded per share of stock volume (REST `/api/stock/{ticker}/nope`).
    ///
    /// `instrument_id` is the ticker (from the request path); `ts_event` is the minute (`timestamp`).
    pub struct Nope as UwNope {
        event_time: |r| r.timestamp,
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// The minute, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// `(call_delta - put_delta) / stock_vol`, deltas at the minute's latest greeks.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nope: Option<f64>,
            /// As `nope`, with each print's delta at the time it traded.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nope_fill: Option<f64>,
            /// Call volume x latest delta, summed over the chains.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_delta: Option<f64>,
            /// Put volume x latest delta, summed over the chains.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_delta: Option<f64>,
            /// Call delta at each print's time of trade.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_fill_delta: Option<f64>,
            /// Put delta at each print's time of trade.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_fill_delta: Option<f64>,
            /// Call contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_vol: Option<i64>,
            /// Put contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_vol: Option<i64>,
            /// Shares of the underlying traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub stock_vol: Option<i64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(Nope, TICKER_KEYS);
