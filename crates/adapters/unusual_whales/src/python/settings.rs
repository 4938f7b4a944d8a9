//! The settings table (`common::settings`) for Python: the config validates against the ranges
//! when it is made (so a bad value fails at config time, naming the field) and takes its defaults
//! from the same table; the clients check again when built from Rust-facing arguments.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::common::settings::{SETTINGS, defaults, out_of_range};

/// Checks `value` against `name`'s range.
pub fn check(name: &str, value: f64) -> PyResult<f64> {
    match out_of_range(name, value) {
        Some(message) => Err(PyValueError::new_err(message)),
        None => Ok(value),
    }
}

/// `{name: (min, min_exclusive, max)}` for the Python config's validation.
#[pyfunction]
pub fn setting_ranges(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for s in SETTINGS {
        d.set_item(s.name, (s.min, s.min_exclusive, s.max))?;
    }
    Ok(d)
}

/// `{name: default}` of every setting (`None`: no limit), and `stale_only_in_session`: the
/// defaults of the Python config and of the clients' constructors.
#[pyfunction]
pub fn setting_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for s in SETTINGS {
        d.set_item(s.name, s.default)?;
    }
    d.set_item("stale_only_in_session", defaults::STALE_ONLY_IN_SESSION)?;
    Ok(d)
}
