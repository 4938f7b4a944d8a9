//! Decoded WebSocket messages.

use crate::data::UwPayload;
use crate::subscription::channel::UwChannel;

/// One decoded server frame.
#[derive(Debug, Clone, PartialEq)]
pub enum UwWsMessage {
    /// `["<channel>", {"response": {}, "status": "ok"}]`: a join was accepted. UW acks unknown
    /// names too, so an ack does not prove the channel exists.
    JoinAck {
        /// The channel as UW echoed it.
        channel: String,
    },
    /// A join (or other request) was refused: any status other than `ok`.
    JoinError {
        /// The channel as UW echoed it.
        channel: String,
        /// UW's reason, or the raw response when it gives none.
        reason: String,
    },
    /// A data frame.
    Data {
        /// The channel the data arrived on.
        channel: UwChannel,
        /// The decoded records.
        payload: UwPayload,
    },
}
