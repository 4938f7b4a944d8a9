//! UW's REST API: endpoints and response-body parsing.

pub mod client;
pub(crate) mod cursor;
pub mod endpoint;
#[cfg(test)]
mod fake_uw;
pub mod history;
pub mod operations;
pub mod parse;
pub mod ratelimit;
pub mod request;
pub mod tape;

pub use client::{UwHttpClient, UwHttpConfig, UwHttpError};
pub use endpoint::{UwEndpoint, UwRequestTarget};
pub use history::{HistoryQuery, fetch_history};
pub use parse::{RestPage, parse_rest_body, parse_rest_page, parse_rest_response};
pub use request::UwRequest;
