//! UW's WebSocket protocol: the `[channel, payload]` envelope, frame parsing and the live client.

pub mod client;
pub mod messages;
pub mod parse;
pub mod queue;
pub mod stats;

pub use messages::UwWsMessage;
pub use parse::parse_frame;
