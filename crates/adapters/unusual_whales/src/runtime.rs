//! The one tokio runtime of the process's UW clients and simulator.
//!
//! An extension module cannot share Nautilus's runtime (it lives in a separately compiled
//! `nautilus_pyo3`), so this crate owns one. Two worker threads: the socket reader and parser of a
//! busy feed keep one core, the simulator or REST work the other; the Python event loop has the
//! GIL and its own thread.

use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

/// Returns the shared runtime, creating it on first use.
///
/// # Panics
/// If the operating system refuses to start its threads (nothing can run without them).
pub fn get_runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("uw-tokio")
            .enable_io()
            .enable_time()
            .build()
            .expect("the UW tokio runtime could not start its threads")
    })
}
