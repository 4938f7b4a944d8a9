//! UW's REST API: endpoints and response-body parsing.

pub mod parse;
