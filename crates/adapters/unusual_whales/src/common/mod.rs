//! Pieces shared by every part of the adapter: constants, lenient decoders, time, symbology,
//! errors, backoff.

pub mod backoff;
pub mod cache;
pub mod compact_json;
pub mod consts;
pub mod credential;
pub mod error;
pub mod parse;
pub mod prefetch;
pub mod settings;
pub mod symbol;
#[doc(hidden)]
pub mod testing;
pub mod text;
pub mod time;
