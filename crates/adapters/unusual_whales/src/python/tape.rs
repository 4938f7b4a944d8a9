//! `UwRestClient.full_tape`: a day's full tape for Python as an iterator of batches, decoded on
//! the crate's runtime while it downloads (docs/uw-api.md#rest-full-tape).

use std::sync::Mutex;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use tokio::sync::mpsc;

use crate::common::credential::UwCredential;
use crate::common::time::parse_date;
use crate::data::record::UwRecord;
use crate::data::{OptionTrade, UwPayload};
use crate::http::tape::{full_tape_request, stream_full_tape};
use crate::http::{UwHttpClient, UwHttpError};
use crate::python::records::append_payload;
use crate::python::rest::to_py;
use crate::runtime::get_runtime;

type Batches = mpsc::Receiver<Result<Vec<OptionTrade>, UwHttpError>>;

/// The prints of one day's full tape, in batches of `UwOptionTrade`s as they download. Iterate
/// it; a failure raises `UwRequestError` at the batch it interrupts (the batches before it stay
/// valid). Dropping it stops the download.
#[pyclass(module = "nautilus_trader_uw._core", name = "UwTapeReader")]
pub struct PyTapeReader {
    batches: Mutex<Batches>,
    credential: UwCredential,
    event_time_init: bool,
}

impl PyTapeReader {
    /// Starts the download of `date`'s tape; at most one finished batch waits for Python.
    pub(crate) fn start(
        client: &UwHttpClient,
        date: &str,
        batch_size: usize,
        event_time_init: bool,
    ) -> PyResult<Self> {
        parse_date(date).map_err(|e| PyValueError::new_err(format!("full_tape: {e}")))?;
        if batch_size == 0 {
            return Err(PyValueError::new_err(
                "full_tape: batch_size must be at least 1",
            ));
        }
        let (tx, rx) = mpsc::channel(1);
        let request = full_tape_request(date);
        let task_client = client.clone();
        get_runtime().spawn(async move {
            stream_full_tape(&task_client, &request, batch_size, tx).await;
        });
        Ok(Self {
            batches: Mutex::new(rx),
            credential: client.config().credential.clone(),
            event_time_init,
        })
    }
}

#[pymethods]
impl PyTapeReader {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next batch (a list of `UwOptionTrade`), oldest rows of the file first.
    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let next = py.detach(|| {
            let mut batches = self
                .batches
                .lock()
                .map_err(|_| "the tape reader was poisoned".to_owned())?;
            Ok::<_, String>(batches.blocking_recv())
        });
        let mut batch = match next.map_err(PyRuntimeError::new_err)? {
            None => return Ok(None),
            Some(Err(e)) => return Err(to_py(py, &e, &self.credential)),
            Some(Ok(batch)) => batch,
        };
        if self.event_time_init {
            for r in &mut batch {
                let t = r.ts_event_nanos();
                r.set_ts_init(t);
            }
        }
        let out = PyList::empty(py);
        append_payload(py, UwPayload::OptionTrade(batch), &out)?;
        Ok(Some(out))
    }
}
