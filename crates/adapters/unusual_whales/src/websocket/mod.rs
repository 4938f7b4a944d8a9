//! UW's WebSocket protocol: the `[channel, payload]` envelope, frame parsing and the live client.

mod backfill;
pub mod client;
pub mod config;
mod connection;
mod dedup;
pub mod messages;
pub mod parse;
pub mod queue;
mod recorder;
mod session;
mod shared;
pub mod stats;

pub use messages::UwWsMessage;
pub use parse::{parse_frame, parse_text_frame};
