//! Unusual Whales (UW) data adapter core for NautilusTrader.
//!
//! Not affiliated with, endorsed by, or supported by Nautech Systems Pty Ltd or Unusual Whales.
//!
//! - [`common`]: constants, lenient decoders for UW's mixed encodings, OCC symbology, errors.
//! - [`registry`]: every record type and REST endpoint, declared once; the per-type tables are
//!   generated from it.
//! - [`data`]: one record type per UW channel / REST payload.
//! - [`websocket`]: channel names and frame parsing (`[channel, payload]`).
//! - [`http`]: REST endpoints and response-body parsing.
//! - [`websocket::client`]: the live client (join/leave, heartbeat, reconnect, routing, stats).
//! - `python` (feature `python`): this crate's bindings; `crates/pyo3` registers them, with the
//!   simulator's, into the `nautilus_trader_uw._core` extension module.
//!
//! The UW simulator is the crate `unusual-whales-nt-sim`, which depends on this one; the clients'
//! loopback tests against it live there.

#![deny(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

pub mod common;
pub mod data;
pub mod http;
#[cfg(feature = "python")]
pub mod python;
pub mod registry;
pub mod runtime;
pub mod websocket;
