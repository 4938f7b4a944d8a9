//! `UwRestClient`: UW REST history for Python. Requests run on the crate's tokio runtime with the
//! GIL released; the shared rate limiter, retries and pagination are the Rust client's.

use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::{PyConnectionError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::common::consts::{DEFAULT_VENUE, UW_HTTP_BASE_URL};
use crate::common::credential::{UwCredential, redact_url};
use crate::common::settings::defaults as d;
use crate::common::time::now_nanos;
use crate::data::UwPayload;
use crate::data::record::UwRecord;
use crate::http::history::{HistoryError, HistoryQuery, SkippedRows, fetch_history};
use crate::http::operations::{OperationError, OperationRequest};
use crate::http::ratelimit::RateLimitConfig;
use crate::http::{UwHttpClient, UwHttpConfig, UwHttpError, UwRequest};
use crate::python::records::append_payload;
use crate::python::settings::check;
use crate::runtime::get_runtime;

create_exception!(
    _core,
    UwRequestError,
    PyConnectionError,
    "A UW REST request failed after the retries its kind allows; `kind` says why (unauthorized, \
     daily_quota, rate_limited, server, transport, rejected, parse, closed)."
);

create_exception!(
    _core,
    UwSkippedRowsWarning,
    pyo3::exceptions::PyUserWarning,
    "Rows of UW's answer that could not be read were skipped; the message counts them and quotes \
     the first error (row and field)."
);

/// The REST client scrubs its errors already; this is the last point before a Python exception,
/// whose text ends up in logs and tracebacks.
pub(crate) fn to_py(py: Python<'_>, err: &UwHttpError, credential: &UwCredential) -> PyErr {
    let e = UwRequestError::new_err(credential.scrub(&err.to_string()));
    let _ = e.value(py).setattr("kind", err.kind());
    if let UwHttpError::DailyQuota(q) = err {
        let _ = e.value(py).setattr("resets_at_ns", q.resets_at_ns);
    }
    e
}

/// Sorts records oldest first; with `event_time_init` every `ts_init` becomes its `ts_event`
/// (history for catalogs and backtests: a record is known from its event time on).
fn finish(mut payloads: Vec<UwPayload>, event_time_init: bool) -> Vec<UwPayload> {
    for p in &mut payloads {
        crate::data::for_each_payload!(p, |v| {
            v.sort_by_key(UwRecord::ts_event_nanos);
            if event_time_init {
                for r in v.iter_mut() {
                    let t = r.ts_event_nanos();
                    r.set_ts_init(t);
                }
            }
        });
    }
    payloads
}

/// UW's REST API with the adapter's rate limiting, retries and pagination.
#[pyclass(module = "nautilus_trader_uw._core", name = "UwRestClient")]
pub struct PyRestClient {
    pub(crate) client: UwHttpClient,
    /// Set by `close()`: requests in flight end at once, later ones are refused.
    closed: tokio::sync::watch::Sender<bool>,
}

#[pymethods]
impl PyRestClient {
    /// `api_key=None` reads `UW_API_KEY`. Limits default to UW's documented plan (120/min).
    #[new]
    #[pyo3(signature = (
        base_url=UW_HTTP_BASE_URL.to_owned(), api_key=None, venue=DEFAULT_VENUE.to_owned(), padded_occ_root=None,
        timeout_secs=d::TIMEOUT_SECS, max_retries=d::MAX_RETRIES,
        retry_initial_secs=d::RETRY_INITIAL_SECS, retry_max_secs=d::RETRY_MAX_SECS,
        requests_per_minute=d::REQUESTS_PER_MINUTE, requests_per_day=None,
        max_concurrent=d::MAX_CONCURRENT, max_rate_limit_waits=d::MAX_RATE_LIMIT_WAITS
    ))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        base_url: String,
        api_key: Option<&str>,
        venue: String,
        padded_occ_root: Option<bool>,
        timeout_secs: f64,
        max_retries: u32,
        retry_initial_secs: f64,
        retry_max_secs: f64,
        requests_per_minute: u32,
        requests_per_day: Option<u64>,
        max_concurrent: usize,
        max_rate_limit_waits: u32,
    ) -> PyResult<Self> {
        let credential =
            UwCredential::resolve(api_key).map_err(|e| PyValueError::new_err(e.to_string()))?;
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(PyValueError::new_err(format!(
                "base_url must start with http:// or https://, got {:?}",
                credential.scrub(&redact_url(&base_url))
            )));
        }
        let secs = |v: f64, n: &str| {
            check(n, v)?;
            Duration::try_from_secs_f64(v)
                .map_err(|_| PyValueError::new_err(format!("{n} must be >= 0 seconds")))
        };
        check("max_retries", f64::from(max_retries))?;
        check("requests_per_minute", f64::from(requests_per_minute))?;
        #[allow(clippy::cast_precision_loss)]
        if let Some(per_day) = requests_per_day {
            check("requests_per_day", per_day as f64)?;
        }
        #[allow(clippy::cast_precision_loss)]
        check("max_concurrent", max_concurrent as f64)?;
        check("max_rate_limit_waits", f64::from(max_rate_limit_waits))?;
        let mut config = UwHttpConfig::new(credential);
        config.base_url = base_url;
        config.ids = crate::python::id_format(&venue, padded_occ_root);
        config.timeout = secs(timeout_secs, "timeout_secs")?;
        config.max_retries = max_retries;
        config.retry_initial = secs(retry_initial_secs, "retry_initial_secs")?;
        config.retry_max = secs(retry_max_secs, "retry_max_secs")?;
        config.max_rate_limit_waits = max_rate_limit_waits;
        config.limits = RateLimitConfig {
            per_minute: requests_per_minute,
            per_day: requests_per_day,
            concurrency: max_concurrent,
        };
        Ok(Self {
            client: UwHttpClient::new(config).map_err(PyRuntimeError::new_err)?,
            closed: tokio::sync::watch::Sender::new(false),
        })
    }

    /// Fetches history of `type_name` for `metadata` (`ticker`, filters, `date`, `path`, ...)
    /// between `start_ns` and `end_ns`, oldest first. Blocks without holding the GIL.
    /// `UwApiResponse` reaches any documented operation: `metadata` names it (`operation`: short
    /// name, UW's id or path; or `path` with a query) and its parameters, plus `max_pages`; one
    /// record per page, `limit` counting pages.
    /// A row of UW's answer that cannot be read is skipped, not the request failed: with a
    /// `skipped` list, `(count, errors)` is appended to it (the first errors, each naming its
    /// request, row and field); without one, a `UwSkippedRowsWarning` says the same.
    /// Raises `ValueError` for requests that cannot be built and `UwRequestError` for failures
    /// (a page none of whose rows can be read among them).
    #[pyo3(signature = (type_name, metadata, start_ns=None, end_ns=None, limit=0, event_time_init=false, skipped=None))]
    #[allow(clippy::too_many_arguments)]
    fn history<'py>(
        &self,
        py: Python<'py>,
        type_name: String,
        metadata: Vec<(String, String)>,
        start_ns: Option<u64>,
        end_ns: Option<u64>,
        limit: usize,
        event_time_init: bool,
        skipped: Option<Bound<'py, PyList>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let what = type_name.clone();
        let query = HistoryQuery {
            type_name,
            metadata,
            start_ns,
            end_ns,
            limit,
        };
        let client = self.client.clone();
        let closed = self.closed_error(&what);
        let result = py.detach(move || {
            get_runtime().block_on(until_closed(
                closed,
                fetch_history(&client, &query, now_nanos()),
            ))
        });
        let payloads = match result {
            Ok(r) => {
                report_skipped(py, &what, &r.skipped, skipped.as_ref())?;
                r.payloads
            }
            Err(HistoryError::Invalid(msg)) => {
                return Err(PyValueError::new_err(self.credential().scrub(&msg)));
            }
            Err(HistoryError::Http(e)) => return Err(to_py(py, &e, self.credential())),
        };
        let out = PyList::empty(py);
        for p in finish(payloads, event_time_init) {
            append_payload(py, p, &out)?;
        }
        Ok(out)
    }

    /// GETs one request path (`/api/stock/SPY/max-pain`) and decodes it: typed records where
    /// the adapter has a decoder for the path, else one `UwApiResponse` holding UW's answer (any
    /// documented operation; its parameters are checked against UW's document first).
    #[pyo3(signature = (path, event_time_init=false))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        path: String,
        event_time_init: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let client = self.client.clone();
        let closed = self.closed_error(&path);
        let result = py.detach(move || {
            let scrub = |s: &str| client.config().credential.scrub(s);
            let invalid = |message: String| UwHttpError::Invalid {
                path: scrub(&path),
                message: scrub(&message),
            };
            match UwRequest::parse(&path) {
                Ok(request) => get_runtime().block_on(until_closed(closed, client.get(&request))),
                Err(typed) => {
                    let request = match OperationRequest::parse(&path) {
                        Ok(r) => r,
                        Err(OperationError::Unknown(_)) => return Err(invalid(typed.to_string())),
                        Err(e) => return Err(invalid(e.to_string())),
                    };
                    let answer = get_runtime()
                        .block_on(until_closed(closed, client.get_operation(&request, None)))?;
                    Ok(vec![UwPayload::ApiResponse(vec![answer])])
                }
            }
        });
        let out = PyList::empty(py);
        for p in finish(
            result.map_err(|e| to_py(py, &e, self.credential()))?,
            event_time_init,
        ) {
            append_payload(py, p, &out)?;
        }
        Ok(out)
    }

    /// Downloads the full tape of `date` (`YYYY-MM-DD`): every option print of the day, decoded
    /// while the zip downloads and handed out in batches of `batch_size` `UwOptionTrade`s by the
    /// returned `UwTapeReader`. The body (gigabytes) is never held: memory is about two batches.
    #[pyo3(signature = (date, batch_size=100_000, event_time_init=false))]
    fn full_tape(
        &self,
        py: Python<'_>,
        date: &str,
        batch_size: usize,
        event_time_init: bool,
    ) -> PyResult<crate::python::tape::PyTapeReader> {
        if *self.closed.borrow() {
            let closed = UwHttpError::Closed {
                path: format!("full tape of {}", self.credential().scrub(date)),
            };
            return Err(to_py(py, &closed, self.credential()));
        }
        crate::python::tape::PyTapeReader::start(&self.client, date, batch_size, event_time_init)
    }

    /// Ends this client's requests: those in flight (history walks, rate-limit waits, retries)
    /// end at once with `UwRequestError(kind="closed")`, and later ones (`full_tape` too) are
    /// refused the same way, before anything is sent. A full-tape download already under way is
    /// its `UwTapeReader`'s to end. A node's data client closes its REST client when it stops.
    fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        *self.closed.borrow()
    }

    /// The shared request budget and this client's counters.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        use std::sync::atomic::Ordering::Relaxed;
        let b = self.client.budget();
        let s = self.client.stats();
        let d = PyDict::new(py);
        d.set_item("minute_remaining", b.minute_remaining)?;
        d.set_item("per_minute", b.per_minute)?;
        d.set_item("daily_count", b.daily_count)?;
        d.set_item("daily_limit", b.daily_limit)?;
        d.set_item("daily_exhausted_until_ns", b.daily_exhausted_until_ns)?;
        d.set_item("waiting", b.waiting)?;
        d.set_item("requests", s.requests.load(Relaxed))?;
        d.set_item("ok", s.ok.load(Relaxed))?;
        d.set_item("retries", s.retries.load(Relaxed))?;
        d.set_item("rate_limited", s.rate_limited.load(Relaxed))?;
        d.set_item("failures", s.failures.load(Relaxed))?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let base_url = &self.client.config().base_url;
        format!(
            "UwRestClient(base_url={:?})",
            self.credential().scrub(base_url)
        )
    }
}

/// The close of a client, as a request of it sees it.
struct Closing<E> {
    closed: tokio::sync::watch::Receiver<bool>,
    error: E,
}

/// `request`, unless the client is closed first (or already): then `closing`'s error, and
/// `request` is dropped, its permits and waits with it.
async fn until_closed<T, E>(
    mut closing: Closing<E>,
    request: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    tokio::select! {
        biased;
        _ = closing.closed.wait_for(|closed| *closed) => Err(closing.error),
        answer = request => answer,
    }
}

/// Hands the rows a history request skipped to `sink`, or warns of them.
fn report_skipped(
    py: Python<'_>,
    type_name: &str,
    rows: &SkippedRows,
    sink: Option<&Bound<'_, PyList>>,
) -> PyResult<()> {
    if rows.count == 0 {
        return Ok(());
    }
    if let Some(sink) = sink {
        return sink.append((rows.count, rows.errors.clone()));
    }
    let message = format!(
        "{type_name} history: skipped {} unreadable row{} of UW's answers; the first: {}",
        rows.count,
        if rows.count == 1 { "" } else { "s" },
        rows.errors.first().map_or("", String::as_str)
    );
    let message = std::ffi::CString::new(message.replace('\0', " ")).unwrap_or_default();
    PyErr::warn(py, &py.get_type::<UwSkippedRowsWarning>(), &message, 1)
}

impl PyRestClient {
    fn credential(&self) -> &UwCredential {
        &self.client.config().credential
    }

    /// What a request for `path` waits on to end early: the close, and its error.
    fn closed_error<E: From<UwHttpError>>(&self, path: &str) -> Closing<E> {
        Closing {
            closed: self.closed.subscribe(),
            error: UwHttpError::Closed {
                path: self.credential().scrub(path),
            }
            .into(),
        }
    }
}
