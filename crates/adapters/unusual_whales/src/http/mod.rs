//! UW's REST API: endpoints and response-body parsing.

pub mod endpoint;
pub mod parse;

pub use endpoint::{UwEndpoint, UwRequestTarget};
pub use parse::parse_rest_body;
