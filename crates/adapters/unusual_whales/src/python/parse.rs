//! `parse_ws_frame` / `parse_rest_response`: decode in Rust, return ready `Data` objects.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString};

use crate::common::consts::DEFAULT_VENUE;
use crate::common::time::now_nanos;
use crate::http::parse_rest_body;
use crate::python::errors::{join_error, to_py_err};
use crate::python::id_format;
use crate::python::records::append_payload;
use crate::websocket::{UwWsMessage, parse_frame};

/// Frames below this size parse in about a microsecond, less than releasing and re-taking the
/// GIL costs; larger ones (periscope snapshots, REST pages) are parsed with the GIL released.
const DETACH_THRESHOLD_BYTES: usize = 16 * 1024;

/// Runs `f` on the bytes of a `bytes`, `bytearray` or `str` argument.
pub fn with_input_bytes<R>(
    input: &Bound<'_, PyAny>,
    what: &str,
    f: impl FnOnce(&[u8]) -> R,
) -> PyResult<R> {
    if let Ok(b) = input.cast::<PyBytes>() {
        Ok(f(b.as_bytes()))
    } else if let Ok(s) = input.cast::<PyString>() {
        Ok(f(s.to_str()?.as_bytes()))
    } else if let Ok(ba) = input.cast::<PyByteArray>() {
        Ok(f(&ba.to_vec()))
    } else {
        Err(PyTypeError::new_err(format!(
            "{what} must be bytes, bytearray or str, not {}",
            input.get_type().name()?
        )))
    }
}

/// Decodes one raw UW WebSocket frame into a list of `Data` objects.
///
/// Instrument ids are written on `venue` with option symbols in the form the installed
/// NautilusTrader's IB adapter uses (`padded_occ_root=None`), or as chosen.
/// Join acknowledgements give an empty list. Bad input raises `UwParseError` (a `ValueError`),
/// `UwUnknownChannelError` for a channel this adapter does not know, `UwJoinError` for a refusal.
#[pyfunction]
#[pyo3(signature = (frame, ts_init=None, venue=DEFAULT_VENUE, padded_occ_root=None))]
pub fn parse_ws_frame<'py>(
    py: Python<'py>,
    frame: &Bound<'py, PyAny>,
    ts_init: Option<u64>,
    venue: &str,
    padded_occ_root: Option<bool>,
) -> PyResult<Bound<'py, PyList>> {
    let ts_init = ts_init.unwrap_or_else(now_nanos);
    let ids = &id_format(venue, padded_occ_root);
    let result = with_input_bytes(frame, "frame", |bytes| {
        if bytes.len() >= DETACH_THRESHOLD_BYTES {
            py.detach(|| parse_frame(bytes, ts_init, ids))
        } else {
            parse_frame(bytes, ts_init, ids)
        }
    })?;
    let out = PyList::empty(py);
    match result.map_err(|e| to_py_err(py, &e))? {
        UwWsMessage::JoinAck { .. } => {}
        UwWsMessage::JoinError { channel, reason } => {
            return Err(join_error(py, &channel, &reason));
        }
        UwWsMessage::Data { payload, .. } => append_payload(py, payload, &out)?,
    }
    Ok(out)
}

/// Decodes a UW REST response body into a list of `Data` objects.
///
/// `endpoint` is a short name (`net_prem_ticks`) or the request path
/// (`/api/stock/SPY/net-prem-ticks?date=2025-03-21`), which also supplies the ticker rows omit.
/// Instrument ids as in `parse_ws_frame`.
/// UW error bodies raise `UwErrorResponse`; other bad input raises `UwParseError`.
#[pyfunction]
#[pyo3(signature = (endpoint, body, ts_init=None, venue=DEFAULT_VENUE, padded_occ_root=None))]
pub fn parse_rest_response<'py>(
    py: Python<'py>,
    endpoint: &str,
    body: &Bound<'py, PyAny>,
    ts_init: Option<u64>,
    venue: &str,
    padded_occ_root: Option<bool>,
) -> PyResult<Bound<'py, PyList>> {
    let ts_init = ts_init.unwrap_or_else(now_nanos);
    let ids = &id_format(venue, padded_occ_root);
    let result = with_input_bytes(body, "body", |bytes| {
        if bytes.len() >= DETACH_THRESHOLD_BYTES {
            py.detach(|| parse_rest_body(endpoint, bytes, ts_init, ids))
        } else {
            parse_rest_body(endpoint, bytes, ts_init, ids)
        }
    })?;
    let out = PyList::empty(py);
    for payload in result.map_err(|e| to_py_err(py, &e))? {
        append_payload(py, payload, &out)?;
    }
    Ok(out)
}

/// The REST endpoint short names `parse_rest_response` accepts.
#[pyfunction]
pub fn rest_endpoint_names() -> Vec<&'static str> {
    crate::http::UwEndpoint::ALL
        .iter()
        .map(|e| e.name())
        .collect()
}
