//! The `nautilus_trader_uw._core` extension module: the core's bindings and the simulator's, in
//! one module.
//!
//! The simulator depends on the core, so the core cannot register it: this crate depends on
//! both and owns what belongs to the final binary only (the module's entry point, the
//! allocator). Built by maturin with the `extension-module` feature; without `python` it is
//! empty, so that `cargo test --workspace` compiles no pyo3 code.

#![deny(unsafe_code)]
#![warn(missing_docs)]
#![cfg(feature = "python")]

use pyo3::prelude::*;

// Why mimalloc: the workspace Cargo.toml; why through crates/alloc: its docs. Only here: a library
// crate must leave the allocator to the final binary.
#[cfg(feature = "extension-module")]
#[global_allocator]
static ALLOCATOR: unusual_whales_nt_alloc::UwAllocator = unusual_whales_nt_alloc::UwAllocator;

/// The extension module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    unusual_whales_nt::python::register(m)?;
    unusual_whales_nt_sim::python::register(m)?;
    Ok(())
}
