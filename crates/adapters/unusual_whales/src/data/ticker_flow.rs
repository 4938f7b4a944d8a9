//! Per-ticker options-flow aggregates from REST: greek flow by minute and flow per strike
//! (docs/uw-api.md#rest-greek-flow, docs/uw-api.md#rest-flow-per-strike).

use crate::common::parse::{
    de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_opt_timestamp, de_timestamp,
};
use crate::common::time::close_or_arrival;
use crate::data::view::{TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// One minute of directional and total delta/vega flow (REST `/api/stock/{ticker}/greek-flow[/{expiry}]`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the minute. `expiry` is set on the per-expiry variant.
    pub struct GreekFlow as UwGreekFlow {
        event_time: |r| r.timestamp,
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path when the row omits it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Expiry `YYYY-MM-DD` (the `/{expiry}` variant; from the path when the row omits it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Minute, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// Option prints in the minute.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub transactions: Option<i64>,
            /// Contracts traded in the minute.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Directional delta flow (the same series as `UwNetPremTick.net_delta`).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub dir_delta_flow: Option<f64>,
            /// Directional vega flow.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub dir_vega_flow: Option<f64>,
            /// Total delta traded.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub total_delta_flow: Option<f64>,
            /// Total vega traded.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub total_vega_flow: Option<f64>,
            /// Directional delta flow, OTM contracts only.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_dir_delta_flow: Option<f64>,
            /// Directional vega flow, OTM contracts only.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_dir_vega_flow: Option<f64>,
            /// Total delta traded, OTM contracts only.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_total_delta_flow: Option<f64>,
            /// Total vega traded, OTM contracts only.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_total_vega_flow: Option<f64>,
        }
    }
}

uw_record! {
    /// Call/put volume, prints and premium at one strike (REST `/api/stock/{ticker}/flow-per-strike[-intraday]`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the row time (the New York close of `date` when absent).
    pub struct StrikeFlow as UwStrikeFlow {
        event_time: |r| r.timestamp.or_else(|| close_or_arrival(r.date.as_deref(), r.ts_init)),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path when the row omits it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Strike in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Row time, UNIX nanoseconds (UW writes it with a New York offset).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub timestamp: Option<u64>,
            /// Call contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_volume: Option<i64>,
            /// Call contracts traded at the ask.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_volume_ask_side: Option<i64>,
            /// Call contracts traded at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_volume_bid_side: Option<i64>,
            /// Call prints.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_trades: Option<i64>,
            /// Call premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_premium: Option<f64>,
            /// Call premium at the ask ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_premium_ask_side: Option<f64>,
            /// Call premium at the bid ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_premium_bid_side: Option<f64>,
            /// Call contracts traded out of the money (live rows).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_otm_volume: Option<i64>,
            /// Call prints out of the money (live rows).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_otm_trades: Option<i64>,
            /// Call premium out of the money ($, live rows).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_otm_premium: Option<f64>,
            /// Put contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_volume: Option<i64>,
            /// Put contracts traded at the ask.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_volume_ask_side: Option<i64>,
            /// Put contracts traded at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_volume_bid_side: Option<i64>,
            /// Put prints.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_trades: Option<i64>,
            /// Put premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_premium: Option<f64>,
            /// Put premium at the ask ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_premium_ask_side: Option<f64>,
            /// Put premium at the bid ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_premium_bid_side: Option<f64>,
            /// Put contracts traded out of the money (live rows).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_otm_volume: Option<i64>,
            /// Put prints out of the money (live rows).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_otm_trades: Option<i64>,
            /// Put premium out of the money ($, live rows).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_otm_premium: Option<f64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(GreekFlow, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(StrikeFlow, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
