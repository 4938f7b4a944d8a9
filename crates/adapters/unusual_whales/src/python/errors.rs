//! Python exceptions for parse failures. All derive from `ValueError`, so `except ValueError`
//! catches them; none is a `BaseException` panic.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::common::error::{UwParseError as RustParseError, clip};

create_exception!(
    _core,
    UwParseError,
    PyValueError,
    "A UW frame or response body could not be decoded; `kind`, `context` and `field` say why."
);
create_exception!(
    _core,
    UwUnknownChannelError,
    UwParseError,
    "A frame arrived on a channel this adapter does not know."
);
create_exception!(
    _core,
    UwJoinError,
    UwParseError,
    "UW refused a join: the frame carried a status other than `ok`."
);
create_exception!(
    _core,
    UwErrorResponse,
    UwParseError,
    "UW answered a REST request with an error body instead of data."
);

/// Converts a Rust parse error into the matching Python exception with `kind`, `context`, `field`.
pub fn to_py_err(py: Python<'_>, err: &RustParseError) -> PyErr {
    let message = err.to_string();
    let py_err = match err {
        RustParseError::UnknownChannel { .. } => UwUnknownChannelError::new_err(message),
        RustParseError::ErrorBody { .. } => UwErrorResponse::new_err(message),
        _ => UwParseError::new_err(message),
    };
    // Bounded like the message: an unknown channel can be megabytes of a hostile frame.
    let (context, field) = match err {
        RustParseError::InvalidField { context, field, .. } => {
            (Some(clip(context)), Some(clip(field)))
        }
        RustParseError::UnknownChannel { channel } => (Some(clip(channel)), None),
        RustParseError::UnknownEndpoint { endpoint } => (Some(clip(endpoint)), None),
        RustParseError::ErrorBody { context, .. } => (Some(clip(context)), None),
        _ => (None, None),
    };
    let value = py_err.value(py);
    // Attribute setting on a fresh exception instance cannot fail short of memory exhaustion.
    let _ = value.setattr("kind", err.kind());
    let _ = value.setattr("context", context);
    let _ = value.setattr("field", field);
    py_err
}

/// A join refusal as a Python exception.
pub fn join_error(py: Python<'_>, channel: &str, reason: &str) -> PyErr {
    let err = UwJoinError::new_err(format!("UW refused channel {channel:?}: {reason}"));
    let value = err.value(py);
    let _ = value.setattr("kind", "join_error");
    let _ = value.setattr("context", channel);
    let _ = value.setattr("field", py.None());
    err
}
