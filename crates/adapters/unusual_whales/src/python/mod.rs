//! The core's part of the `nautilus_trader_uw._core` extension module (pyo3): records, the live
//! feed, the REST client, parsing and errors. Bindings only: no logic lives here. The module
//! itself is built by crates/pyo3, which calls [`register`] and the simulator's `register`.

// pyo3 entry points document their errors as Python exceptions in their docstrings.
#![allow(clippy::missing_errors_doc)]

pub mod errors;
pub mod filter;
pub mod flow_bars;
pub mod live;
pub mod operations;
pub mod parse;
pub mod records;
pub mod rest;
pub mod settings;
pub mod tape;

use pyo3::prelude::*;

use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::consts;
use crate::common::symbol::InstrumentIdFormat;
use crate::data::*;
use crate::subscription::channel::ChannelKind;

/// The OCC root form of option ids when a caller does not choose one. It is a fact of the
/// process, not of a client: the installed NautilusTrader's IB adapter decides it, and the package
/// sets it once at import (`nautilus_trader_uw._compat`).
static PADDED_OCC_ROOT: AtomicBool = AtomicBool::new(true);

/// The id format for `venue`; `padded_occ_root=None` follows the installed IB adapter.
pub fn id_format(venue: &str, padded_occ_root: Option<bool>) -> InstrumentIdFormat {
    InstrumentIdFormat::new(
        venue,
        padded_occ_root.unwrap_or_else(|| PADDED_OCC_ROOT.load(Ordering::Relaxed)),
    )
}

/// Sets the default OCC root form of option ids (called by the package at import).
#[pyfunction]
fn _set_padded_occ_root_default(padded: bool) {
    PADDED_OCC_ROOT.store(padded, Ordering::Relaxed);
}

/// The default OCC root form of option ids.
#[pyfunction]
fn _padded_occ_root_default() -> bool {
    PADDED_OCC_ROOT.load(Ordering::Relaxed)
}

/// `InstrumentId.from_str(text)`, built once per distinct id and shared with every record's
/// `instrument_id` (bounded).
#[pyfunction]
fn _cached_instrument_id<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    records::cached_instrument_id(py, text)
}

/// Every record class of the registry, for registration and introspection.
fn add_record_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add_classes {
        ($($rec:ident),*) => {
            $( m.add_class::<<$rec as records::IntoPyData>::Class>()?; )*
        };
    }
    crate::data::with_record_types!(add_classes);
    Ok(())
}

/// The Python type names of every record, in the registry's order: the list the package's
/// `types.py` is generated from (`scripts/gen_types.py`).
#[pyfunction]
fn record_type_names() -> Vec<&'static str> {
    RECORD_TYPE_NAMES.to_vec()
}

/// The documented channel base names.
#[pyfunction]
fn channel_names() -> Vec<&'static str> {
    ChannelKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// Adds the core's classes, functions and constants to the extension module `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    add_record_classes(m)?;
    m.add_class::<live::PyLiveFeed>()?;
    m.add_class::<live::InstrumentTopics>()?;
    m.add_class::<rest::PyRestClient>()?;
    m.add_class::<tape::PyTapeReader>()?;
    m.add("UwRequestError", py.get_type::<rest::UwRequestError>())?;
    m.add(
        "UwSkippedRowsWarning",
        py.get_type::<rest::UwSkippedRowsWarning>(),
    )?;
    m.add_function(wrap_pyfunction!(parse::parse_ws_frame, m)?)?;
    m.add_function(wrap_pyfunction!(channel_names, m)?)?;
    m.add_function(wrap_pyfunction!(record_type_names, m)?)?;
    m.add_function(wrap_pyfunction!(_set_padded_occ_root_default, m)?)?;
    m.add_function(wrap_pyfunction!(_padded_occ_root_default, m)?)?;
    m.add_function(wrap_pyfunction!(_cached_instrument_id, m)?)?;
    m.add_function(wrap_pyfunction!(settings::setting_ranges, m)?)?;
    m.add_function(wrap_pyfunction!(settings::setting_defaults, m)?)?;
    m.add_class::<live::EngineDelivery>()?;
    m.add_function(wrap_pyfunction!(live::_publish_on_bus, m)?)?;
    m.add_function(wrap_pyfunction!(parse::parse_rest_response, m)?)?;
    m.add_function(wrap_pyfunction!(parse::rest_endpoint_names, m)?)?;
    m.add_function(wrap_pyfunction!(operations::operations, m)?)?;
    m.add_function(wrap_pyfunction!(operations::operations_source, m)?)?;
    m.add_function(wrap_pyfunction!(operations::find_operation, m)?)?;
    m.add_function(wrap_pyfunction!(operations::parse_api_response, m)?)?;
    flow_bars::register(m)?;
    filter::register(m)?;
    m.add("UwParseError", py.get_type::<errors::UwParseError>())?;
    m.add(
        "UwUnknownChannelError",
        py.get_type::<errors::UwUnknownChannelError>(),
    )?;
    m.add("UwJoinError", py.get_type::<errors::UwJoinError>())?;
    m.add("UwErrorResponse", py.get_type::<errors::UwErrorResponse>())?;
    m.add("UW_CLIENT_NAME", consts::UW_CLIENT_NAME)?;
    m.add("DEFAULT_VENUE", consts::DEFAULT_VENUE)?;
    m.add("UW_HTTP_BASE_URL", consts::UW_HTTP_BASE_URL)?;
    m.add("UW_WS_URL", consts::UW_WS_URL)?;
    m.add("UW_API_KEY_ENV", consts::UW_API_KEY_ENV)?;
    m.add("MAX_FRAME_BYTES", consts::MAX_FRAME_BYTES)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
