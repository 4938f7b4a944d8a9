//! `UwFeedStatus`: the health of the live feed, delivered to strategies as data.
//!
//! Not a UW payload: the client emits it on connect, disconnect, reconnect attempts, refused joins,
//! stale channels, a missing entitlement and queue overflow, so a strategy can stop trading on a
//! blind feed without parsing logs.

use crate::common::parse::{de_opt_i64, de_opt_string, de_string};
use crate::data::view::record_view;

/// The states a [`FeedStatus`] reports, as the strings the `status` field carries.
pub mod state {
    /// The WebSocket is up and every channel has been (re-)joined.
    pub const CONNECTED: &str = "connected";
    /// The connection was lost; `attempt` and `detail` say when the next try is.
    pub const RECONNECTING: &str = "reconnecting";
    /// The client stopped (closed by the node, or gave up after the configured attempts).
    pub const DISCONNECTED: &str = "disconnected";
    /// UW refused the token on the upgrade (HTTP 401): invalid token or no WebSocket in the plan.
    pub const NOT_ENTITLED: &str = "not_entitled";
    /// UW refused to join `channel` (for instance periscope on an ineligible plan).
    pub const JOIN_REFUSED: &str = "join_refused";
    /// `channel` sent nothing for longer than the configured window during market hours.
    pub const STALE: &str = "stale";
    /// A stale `channel` delivers again.
    pub const RESUMED: &str = "resumed";
    /// The queue toward the strategy was full and messages were dropped (counted in `attempt`).
    pub const OVERFLOW: &str = "overflow";
    /// History is being fetched from REST to fill a gap.
    pub const BACKFILLING: &str = "backfilling";
    /// A `request_data` failed (`request_id`, `detail`): the answer to it in `on_historical_data`,
    /// so a strategy can tell a failure from a range without data.
    pub const REQUEST_FAILED: &str = "request_failed";
    /// A `request_data` skipped rows of UW's answers that could not be read (`attempt` counts
    /// them, `detail` quotes the first error): after the records, in the same answer.
    pub const ROWS_SKIPPED: &str = "rows_skipped";
}

crate::uw_record! {
    /// Health of the live UW feed, published by the data client (not by UW).
    ///
    /// `status` is `connected`, `reconnecting`, `disconnected`, `not_entitled` (HTTP 401 on
    /// the upgrade: bad token or no WebSocket in the plan), `join_refused`, `stale` (a busy channel
    /// silent during market hours), `resumed`, `overflow` (the strategy fell behind and messages
    /// were dropped; `attempt` holds the running count) or `backfilling`. A new subscriber first
    /// receives the current connection state.
    pub struct FeedStatus as UwFeedStatus {
        event_time: |_r| None::<u64>,
        instrument: None,
        fields {
            /// `connected`, `reconnecting`, `disconnected`, `not_entitled`, `join_refused`,
            /// `stale`, `resumed`, `overflow`, `backfilling`, `request_failed` or `rows_skipped`.
            #[serde(deserialize_with = "de_string")]
            pub status: String,
            /// The UW channel concerned, for channel-level states.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub channel: Option<String>,
            /// A human-readable explanation (never contains the token).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub detail: Option<String>,
            /// Reconnect attempt number (`reconnecting`), messages dropped so far (`overflow`) or
            /// rows skipped (`rows_skipped`).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub attempt: Option<i64>,
            /// The id of the `request_data` a `request_failed` or `rows_skipped` status answers.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub request_id: Option<String>,
        }
    }
}

impl FeedStatus {
    /// A status stamped `ts` (both `ts_event` and `ts_init`: the client observed the change).
    #[must_use]
    pub fn new(
        status: &str,
        channel: Option<String>,
        detail: Option<String>,
        attempt: Option<i64>,
        ts: u64,
    ) -> Self {
        Self {
            status: status.to_owned(),
            channel,
            detail,
            attempt,
            request_id: None,
            ts_event: ts,
            ts_init: ts,
            instrument_id: None,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(FeedStatus, &[]);
