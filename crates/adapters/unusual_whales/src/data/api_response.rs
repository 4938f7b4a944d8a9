//! `UwApiResponse`: UW's answer to any documented operation, whole, for the operations (and
//! channels) without a typed record.

use crate::common::parse::{de_opt_date, de_opt_i64, de_string};
use crate::common::time::close_or_arrival;
use crate::data::view::{FilterKey, record_view};

crate::uw_record! {
    /// UW's answer to one request of any documented operation (`metadata={"operation": ...}`),
    /// or one frame of a channel without a typed record (`futures_trades`, `futures:<CONTRACT>`).
    ///
    /// `body` is UW's JSON exactly as received; `params` the request's parameters as a JSON
    /// object. `ts_event` is the request time, or the New York close of the `date` asked for when
    /// that is earlier (a past day's answer describes that day).
    pub struct ApiResponse as UwApiResponse {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.requested_at).or(Some(r.requested_at)),
        instrument: None,
        fields {
            /// The adapter's short name of the operation (`stock_ticker_max_pain`), or the channel
            /// a frame came on (`futures:ESZ5`).
            #[serde(deserialize_with = "de_string")]
            pub operation: String,
            /// UW's operation id (`PublicApi.TickerController.max_pain`); `websocket` for frames.
            #[serde(deserialize_with = "de_string")]
            pub operation_id: String,
            /// The request path with its query as sent (`/api/stock/SPY/max-pain?date=2025-05-16`);
            /// empty for frames.
            #[serde(default)]
            pub path: String,
            /// The parameters as a JSON object (`{"ticker":"SPY","date":"2025-05-16"}`).
            #[serde(default)]
            pub params: String,
            /// UW's JSON body (a frame's payload), byte for byte; a file answer (the full tape's
            /// ZIP) base64-encoded.
            #[serde(default)]
            pub body: String,
            /// Which page of a paged answer, from 0.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub page: Option<i64>,
            /// The trading day asked for (`date=`), `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// When the request was answered (the frame arrived), UNIX nanoseconds.
            #[serde(default)]
            pub requested_at: u64,
        }
    }
}

impl ApiResponse {
    /// The answer to one request, stamped: `ts_init` is `requested_at`, `ts_event` as documented.
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub fn answer(
        operation: &str,
        operation_id: &str,
        path: String,
        params: String,
        body: String,
        page: Option<i64>,
        date: Option<String>,
        requested_at: u64,
    ) -> Self {
        let mut record = Self {
            operation: operation.to_owned(),
            operation_id: operation_id.to_owned(),
            path,
            params,
            body,
            page,
            date,
            requested_at,
            ts_event: 0,
            ts_init: 0,
            instrument_id: None,
        };
        record.ts_init = requested_at;
        record.ts_event =
            close_or_arrival(record.date.as_deref(), requested_at).unwrap_or(requested_at);
        record
    }

    /// One frame of a channel without a typed record: its payload whole, named by the channel.
    #[must_use]
    pub fn of_frame(channel: &str, payload: &str, ts_init: u64) -> Self {
        Self::answer(
            channel,
            FRAME_OPERATION_ID,
            String::new(),
            "{}".to_owned(),
            payload.to_owned(),
            None,
            None,
            ts_init,
        )
    }

    /// The contract (ticker) of a frame from a per-contract channel (`futures:ESZ5`).
    #[must_use]
    pub fn channel_ticker(&self) -> Option<&str> {
        if self.operation_id != FRAME_OPERATION_ID {
            return None;
        }
        self.operation.split_once(':').map(|(_, t)| t)
    }
}

/// The `operation_id` of records made from WebSocket frames.
pub const FRAME_OPERATION_ID: &str = "websocket";

// What subscription filters see of these records (data/view.rs): a frame's contract.
record_view!(ApiResponse, &[FilterKey::Ticker], ticker: |r| r.channel_ticker());
