//! The simulator's part of the `nautilus_trader_uw._core` extension module (pyo3): `UwSimServer`,
//! which the demo and users' own tests run without a UW token. Bindings only.

// pyo3 entry points document their errors as Python exceptions in their docstrings.
#![allow(clippy::missing_errors_doc)]

pub mod sim;

use pyo3::prelude::*;

/// Adds the simulator's classes to the extension module `m` (crates/pyo3 builds the module).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<sim::PySimServer>()?;
    Ok(())
}
