//! UW's WebSocket protocol: channel names, the `[channel, payload]` envelope and frame parsing.

pub mod channel;
pub mod client;
pub mod messages;
pub mod parse;
pub mod queue;
pub mod route;
pub mod stats;

pub use channel::{ChannelKind, UwChannel};
pub use messages::UwWsMessage;
pub use parse::parse_frame;
