//! Pieces shared by every part of the adapter: constants, UW channel names, lenient decoders,
//! symbology, errors.

pub mod backoff;
pub mod channel;
pub mod consts;
pub mod credential;
pub mod error;
pub mod parse;
pub mod settings;
pub mod symbol;
#[doc(hidden)]
pub mod testing;
