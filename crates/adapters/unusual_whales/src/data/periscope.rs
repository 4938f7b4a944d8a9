//! The `periscope[:<TICKER>]` channel: market-maker exposure snapshots per strike and expiry
//! (docs/uw-api.md#channel-periscope).
//!
//! A snapshot spans several frames of up to 1024 rows; the WebSocket parser flattens each frame
//! into one record per row, so a row carries its snapshot's `timestamp`, `total_rows` and
//! `has_more`.

use crate::common::parse::{
    de_bool_or_false, de_date, de_f64, de_opt_f64, de_opt_i64, de_string, de_timestamp,
};
use crate::data::view::{EXPIRY_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// One strike x expiry row of a market-maker exposure snapshot (channel `periscope[:<TICKER>]`).
    ///
    /// `instrument_id` is the index (`SPX.SMART`); `ts_event` is the snapshot time.
    pub struct Periscope as UwPeriscope {
        event_time: |r| r.timestamp,
        instrument: Ticker(ticker),
        fields {
            /// Index ticker: SPX, VIX, XSP, NANOS.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// Snapshot time shared by all its rows, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// Rows in the whole snapshot.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_rows: Option<i64>,
            /// More frames of this snapshot follow.
            #[serde(default, deserialize_with = "de_bool_or_false")]
            pub has_more: bool,
            /// Strike in dollars.
            #[serde(deserialize_with = "de_f64")]
            pub strike: f64,
            /// Expiry `YYYY-MM-DD`.
            #[serde(deserialize_with = "de_date")]
            pub expiry: String,
            /// Market-maker gamma exposure.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma: Option<f64>,
            /// Market-maker charm exposure.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub charm: Option<f64>,
            /// Market-maker vanna exposure.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub vanna: Option<f64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(Periscope, EXPIRY_KEYS, ticker: |r| Some(&r.ticker), expiry: |r| Some(&r.expiry));
