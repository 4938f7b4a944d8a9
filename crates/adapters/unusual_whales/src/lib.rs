//! Unusual Whales (UW) data adapter core for NautilusTrader.
//!
//! Not affiliated with, endorsed by, or supported by Nautech Systems Pty Ltd or Unusual Whales.
//!
//! - [`common`]: constants, lenient decoders for UW's mixed encodings, OCC symbology, errors,
//!   backoff.
//! - [`registry`]: every record type and REST endpoint, declared once; the per-type tables are
//!   generated from it.
//! - [`data`]: one record type per UW channel / REST payload.
//! - [`aggregate`]: option prints summed into `UwFlowBar`s, live and over stored prints.
//! - [`subscription`]: UW channel names, metadata filters, the channels a subscription joins,
//!   routing of records.
//! - [`http`]: REST endpoints, response-body parsing and the REST client.
//! - [`websocket`]: frame parsing (`[channel, payload]`) and the live client ([`websocket::client`]:
//!   join/leave, heartbeat, reconnect, back-fill, stats).
//! - `python` (feature `python`): this crate's bindings; `crates/pyo3` registers them, with the
//!   simulator's, into the `nautilus_trader_uw._core` extension module.
//!
//! The UW simulator is the crate `unusual-whales-nt-sim`, which depends on this one; the clients'
//! loopback tests against it live there.

// `uw_record!` generates a record's getters one attribute at a time.
#![recursion_limit = "512"]
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

pub mod aggregate;
pub mod common;
pub mod data;
pub mod http;
#[cfg(feature = "python")]
pub mod python;
pub mod registry;
pub mod runtime;
pub mod subscription;
pub mod websocket;
