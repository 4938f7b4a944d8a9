//! `UwLiveFeed`: the live client for Python. Records are parsed, filtered and routed on tokio
//! threads, which never take the GIL. The event loop watches a socket that turns readable when
//! records wait (`loop.add_reader`); its callback, on the loop thread that already holds the GIL,
//! takes a batch, builds the `Data` objects and hands them on. The v1 MessageBus may only be used
//! from the loop thread anyway, and a second Python thread would have to win the GIL from a busy
//! loop (CPython hands it over only every `sys.getswitchinterval()`, 5 ms): that cost latency and
//! throughput for nothing.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

use crate::common::cache::GenerationalMap;
use crate::common::consts::{DEFAULT_VENUE, UW_WS_URL};
use crate::common::credential::{UwCredential, redact_url};
use crate::common::settings::defaults as d;
use crate::data::record::{RecordBox, single_record_box};
use crate::python::records::{
    IntoPyData, ObjectError, append_payload, is_gc_tracked, untrack_from_gc,
};
use crate::python::settings::check;
use crate::runtime::get_runtime;
use crate::websocket::client::UwWsClient;
use crate::websocket::config::UwWsConfig;
use crate::websocket::queue::{FeedEvent, FeedQueue, LogLevel, Popped, Spent};

/// Python `logging`-style level numbers.
const fn level_number(level: LogLevel) -> u8 {
    match level {
        LogLevel::Debug => 10,
        LogLevel::Info => 20,
        LogLevel::Warning => 30,
        LogLevel::Error => 40,
    }
}

fn secs(value: f64, name: &str) -> PyResult<Duration> {
    check(name, value)?;
    Duration::try_from_secs_f64(value).map_err(|_| {
        PyValueError::new_err(format!(
            "{name} must be a non-negative number of seconds, got {value}"
        ))
    })
}

/// The live UW WebSocket client (see the module docs).
#[pyclass(module = "nautilus_trader_uw._core", name = "UwLiveFeed")]
pub struct PyLiveFeed {
    config: UwWsConfig,
    client: Mutex<Option<Arc<UwWsClient>>>,
    // Kept past `close`, which drops the client: what it still holds is delivered after that.
    queue: Mutex<Option<Arc<FeedQueue>>>,
}

impl PyLiveFeed {
    fn client(&self) -> PyResult<Arc<UwWsClient>> {
        self.client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                PyRuntimeError::new_err("the UW live feed is not running: call start() first")
            })
    }
}

#[pymethods]
impl PyLiveFeed {
    /// Configures the feed; nothing connects until `start`. `api_key=None` reads `UW_API_KEY`.
    /// `backfill`: the REST client that fetches what a reconnect's gap missed (none: no
    /// back-fill); its settings and rate budget apply, and it follows `set_api_key`.
    #[new]
    #[pyo3(signature = (
        url=UW_WS_URL.to_owned(), api_key=None, venue=DEFAULT_VENUE.to_owned(), padded_occ_root=None,
        heartbeat_secs=d::HEARTBEAT_SECS, pong_timeout_secs=d::PONG_TIMEOUT_SECS,
        connect_timeout_secs=d::CONNECT_TIMEOUT_SECS, reconnect_initial_secs=d::RECONNECT_INITIAL_SECS,
        reconnect_max_secs=d::RECONNECT_MAX_SECS, reconnect_jitter=d::RECONNECT_JITTER,
        max_reconnect_attempts=None, join_timeout_secs=d::JOIN_TIMEOUT_SECS,
        leave_grace_secs=d::LEAVE_GRACE_SECS, stale_after_secs=Some(d::STALE_AFTER_SECS),
        stale_only_in_session=d::STALE_ONLY_IN_SESSION, queue_capacity=d::QUEUE_CAPACITY,
        backfill=None, record_path=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        url: String,
        api_key: Option<&str>,
        venue: String,
        padded_occ_root: Option<bool>,
        heartbeat_secs: f64,
        pong_timeout_secs: f64,
        connect_timeout_secs: f64,
        reconnect_initial_secs: f64,
        reconnect_max_secs: f64,
        reconnect_jitter: f64,
        max_reconnect_attempts: Option<u32>,
        join_timeout_secs: f64,
        leave_grace_secs: f64,
        stale_after_secs: Option<f64>,
        stale_only_in_session: bool,
        queue_capacity: usize,
        backfill: Option<PyRef<'_, crate::python::rest::PyRestClient>>,
        record_path: Option<std::path::PathBuf>,
    ) -> PyResult<Self> {
        let credential =
            UwCredential::resolve(api_key).map_err(|e| PyValueError::new_err(e.to_string()))?;
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(PyValueError::new_err(format!(
                "url must start with ws:// or wss://, got {:?}",
                redact_url(&url)
            )));
        }
        let mut config = UwWsConfig::new(credential);
        config.url = url;
        config.ids = crate::python::id_format(&venue, padded_occ_root);
        config.heartbeat_after = secs(heartbeat_secs, "heartbeat_secs")?;
        config.pong_timeout = secs(pong_timeout_secs, "pong_timeout_secs")?;
        config.connect_timeout = secs(connect_timeout_secs, "connect_timeout_secs")?;
        config.reconnect_initial = secs(reconnect_initial_secs, "reconnect_initial_secs")?;
        config.reconnect_max = secs(reconnect_max_secs, "reconnect_max_secs")?;
        config.reconnect_jitter = check("reconnect_jitter", reconnect_jitter)?;
        if config.reconnect_max < config.reconnect_initial {
            return Err(PyValueError::new_err(format!(
                "reconnect_max_secs ({reconnect_max_secs}) must be at least reconnect_initial_secs ({reconnect_initial_secs})"
            )));
        }
        config.max_reconnect_attempts = max_reconnect_attempts;
        config.join_timeout = secs(join_timeout_secs, "join_timeout_secs")?;
        config.leave_grace = secs(leave_grace_secs, "leave_grace_secs")?;
        config.stale_after = stale_after_secs
            .map(|s| secs(s, "stale_after_secs"))
            .transpose()?;
        config.stale_only_in_session = stale_only_in_session;
        #[allow(clippy::cast_precision_loss)]
        check("queue_capacity", queue_capacity as f64)?;
        config.queue_capacity = queue_capacity;
        // The caller's REST client: its settings (timeouts, retries, limits) and its budget
        // apply to back-fills too; a key rotation swaps the token in (websocket::backfill).
        config.backfill = backfill.map(|rest| rest.client.clone());
        if let Some(path) = record_path {
            // Fail now, not silently in the background, when the file cannot be written.
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| {
                    pyo3::exceptions::PyOSError::new_err(format!(
                        "cannot record to {}: {e}",
                        path.display()
                    ))
                })?;
            config.record_path = Some(path);
        }
        Ok(Self {
            config,
            client: Mutex::new(None),
            queue: Mutex::new(None),
        })
    }

    /// Starts connecting in the background and returns at once; call it on the loop's thread (or
    /// before the loop runs). Batches are delivered on the loop thread as
    /// `callback(objects, routes, logs)`: `objects[i]` goes to the subscriptions of
    /// `route_members(routes[i])`; `logs` holds `(level, message)` pairs. At most `max_batch`
    /// records per call, so other tasks of the loop run between batches. With `engine` (an
    /// `_EngineDelivery`) the records go to it instead, one by one as each is built, and
    /// `callback` is called only for batches with log lines, with empty `objects` and `routes`.
    #[pyo3(signature = (event_loop, callback, max_batch=d::MAX_BATCH, engine=None))]
    fn start(
        &self,
        py: Python<'_>,
        event_loop: Py<PyAny>,
        callback: Py<PyAny>,
        max_batch: usize,
        engine: Option<Py<EngineDelivery>>,
    ) -> PyResult<()> {
        #[allow(clippy::cast_precision_loss)]
        check("max_batch", max_batch as f64)?;
        let mut slot = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_some() {
            return Err(PyRuntimeError::new_err(
                "the UW live feed is already running",
            ));
        }
        let client = Arc::new(UwWsClient::start(
            self.config.clone(),
            get_runtime().handle(),
        ));
        let queue = Arc::clone(client.queue());
        let handle = match queue.wakeup() {
            Ok(w) => w.handle(),
            Err(e) => {
                client.shutdown();
                return Err(PyRuntimeError::new_err(format!(
                    "could not create the delivery socket: {e}"
                )));
            }
        };
        let drain = Py::new(
            py,
            FeedDrain {
                queue,
                event_loop: event_loop.clone_ref(py),
                callback,
                engine,
                max_batch: max_batch.max(1),
                handle,
                continuation_pending: AtomicBool::new(false),
            },
        )?;
        if let Err(e) = event_loop.call_method1(py, "add_reader", (handle, drain)) {
            client.shutdown();
            return Err(e);
        }
        *self.queue.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Arc::clone(client.queue()));
        *slot = Some(client);
        Ok(())
    }

    /// Subscribes `type_name` (`"UwFlowAlert"`) with metadata `(key, value)` text pairs; returns
    /// `(subscription_id, channels)`. Raises `ValueError` for REST-only types and bad metadata.
    fn subscribe(
        &self,
        type_name: &str,
        metadata: Vec<(String, String)>,
    ) -> PyResult<(u64, Vec<String>)> {
        let client = self.client()?;
        let (id, channels) = client
            .subscribe(type_name, &metadata)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((id, channels.iter().map(ToString::to_string).collect()))
    }

    /// Removes a subscription; returns the UW channels it left (those no one else needs).
    fn unsubscribe(&self, subscription_id: u64) -> PyResult<Vec<String>> {
        Ok(self
            .client()?
            .unsubscribe(subscription_id)
            .iter()
            .map(ToString::to_string)
            .collect())
    }

    /// The subscription ids a route delivers to.
    fn route_members(&self, route: u32) -> PyResult<Vec<u64>> {
        Ok(self.client()?.route_members(route))
    }

    /// The UW channels joined (or to be joined).
    fn channels(&self) -> PyResult<Vec<String>> {
        Ok(self
            .client()?
            .channels()
            .iter()
            .map(ToString::to_string)
            .collect())
    }

    /// Uses `api_key` from now on (`None` reads `UW_API_KEY` again) and reconnects at once, also
    /// after UW refused the previous token. Raises `ValueError` when there is no usable key.
    #[pyo3(signature = (api_key=None))]
    fn set_api_key(&self, api_key: Option<&str>) -> PyResult<()> {
        let credential =
            UwCredential::resolve(api_key).map_err(|e| PyValueError::new_err(e.to_string()))?;
        self.client()?.set_credential(credential);
        Ok(())
    }

    /// Drops the connection and reconnects at once, re-joining every channel; also retries at
    /// once while backing off or after a refused token.
    fn reconnect(&self) -> PyResult<()> {
        self.client()?.reconnect("reconnect requested");
        Ok(())
    }

    /// Whether the client runs.
    #[getter]
    fn is_running(&self) -> bool {
        self.client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Whether, after `close`, the loop has delivered everything the feed queued before it
    /// stopped: run the loop until this is true to lose none of it (True also before `start`).
    #[getter]
    fn drained(&self) -> bool {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_none_or(|q| q.is_drained())
    }

    /// The counters: frames, records, delivered, parse errors (and by kind), messages per channel,
    /// connects, reconnects, joins, pings, queue depth/high water/capacity, dropped, last message
    /// time, lag percentiles (nanoseconds), and `flow_bars`: the `UwFlowBar` subscriptions' bars
    /// (empty ones among them, and those a gap held too many to emit), prints counted, late prints
    /// (counted in the bar after their own) and live prints held back for a reconnect back-fill.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.client()?.stats();
        let d = PyDict::new(py);
        d.set_item("connected", s.connected)?;
        d.set_item("frames", s.frames)?;
        d.set_item("bytes", s.bytes)?;
        d.set_item("records", s.records)?;
        d.set_item("delivered", s.delivered)?;
        d.set_item("parse_errors", s.parse_errors)?;
        d.set_item("errors_by_kind", s.errors_by_kind)?;
        d.set_item("messages_per_channel", s.messages_per_channel)?;
        d.set_item("connects", s.connects)?;
        d.set_item("reconnects", s.reconnects)?;
        d.set_item("join_acks", s.join_acks)?;
        d.set_item("join_errors", s.join_errors)?;
        d.set_item("pings", s.pings)?;
        d.set_item(
            "last_message_ns",
            (s.last_message_ns > 0).then_some(s.last_message_ns),
        )?;
        d.set_item("queue_depth", s.queue_depth)?;
        d.set_item("queue_high_water", s.queue_high_water)?;
        d.set_item("queue_capacity", s.queue_capacity)?;
        d.set_item("dropped", s.dropped)?;
        let lag = PyDict::new(py);
        if let Some([p50, p90, p99, max]) = s.lag_ns {
            lag.set_item("p50", p50)?;
            lag.set_item("p90", p90)?;
            lag.set_item("p99", p99)?;
            lag.set_item("max", max)?;
        }
        d.set_item("lag_ns", lag)?;
        let fb = s.flow_bars;
        let bars = PyDict::new(py);
        bars.set_item("subscriptions", fb.subscriptions)?;
        bars.set_item("bars", fb.totals.bars)?;
        bars.set_item("empty_bars", fb.totals.empty_bars)?;
        bars.set_item("empty_bars_dropped", fb.totals.empty_bars_dropped)?;
        bars.set_item("prints", fb.totals.prints)?;
        bars.set_item("late_prints", fb.totals.late)?;
        bars.set_item("held_prints", fb.held_prints)?;
        d.set_item("flow_bars", bars)?;
        Ok(d)
    }

    /// Closes the socket and stops the task (GIL released meanwhile); what is still queued is
    /// delivered on the loop's next turns. Returns whether the task stopped within `timeout_secs`.
    #[pyo3(signature = (timeout_secs=5.0))]
    fn close(&self, py: Python<'_>, timeout_secs: f64) -> PyResult<bool> {
        let timeout = secs(timeout_secs, "timeout_secs")?;
        let client = self
            .client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(client) = client else {
            return Ok(true);
        };
        client.shutdown();
        Ok(py.detach(move || client.wait_stopped(timeout)))
    }

    fn __repr__(&self) -> String {
        format!(
            "UwLiveFeed(url={:?}, venue={:?}, running={})",
            // The URL the connect uses, its `token=` masked and the token scrubbed wherever else
            // it appears.
            self.config.credential.scrub(&redact_url(
                &self.config.url_with_token(&self.config.credential)
            )),
            self.config.ids.venue,
            self.is_running()
        )
    }
}

/// The loop's reader callback and its continuation: one batch per loop turn, whatever the backlog.
///
/// The wake-up socket stays registered with the loop (`add_reader`) for the feed's lifetime. When a
/// batch leaves records behind, one continuation is scheduled after it; until it has run,
/// the reader callback only clears the socket. So at most one drain is pending at any time, each
/// loop turn delivers at most `max_batch` records, and the timers and I/O of every other component
/// (IB's client among them) wait for no more than one batch, however far the strategy is behind.
/// Once the client stopped and everything was delivered the callback unregisters itself, which
/// releases the socket.
#[pyclass(module = "nautilus_trader_uw._core", name = "_UwFeedDrain")]
struct FeedDrain {
    queue: Arc<FeedQueue>,
    event_loop: Py<PyAny>,
    callback: Py<PyAny>,
    engine: Option<Py<EngineDelivery>>,
    max_batch: usize,
    handle: i64,
    continuation_pending: AtomicBool,
}

#[pymethods]
impl FeedDrain {
    /// The wake-up socket is readable.
    fn __call__(slf: &Bound<'_, Self>) -> PyResult<()> {
        let this = slf.borrow();
        if let Ok(w) = this.queue.wakeup() {
            w.clear();
        }
        if this.continuation_pending.load(Ordering::Acquire) {
            // The scheduled continuation takes these records; a record pushed after the clear
            // above writes a new wake-up byte, so none is left without a callback to come.
            return Ok(());
        }
        drop(this);
        Self::deliver_one_batch(slf)
    }

    /// The continuation scheduled by a batch that left records behind.
    fn _resume(slf: &Bound<'_, Self>) -> PyResult<()> {
        slf.borrow()
            .continuation_pending
            .store(false, Ordering::Release);
        Self::deliver_one_batch(slf)
    }

    /// Whether a continuation is scheduled (for tests).
    #[getter]
    fn pending(&self) -> bool {
        self.continuation_pending.load(Ordering::Acquire)
    }
}

impl FeedDrain {
    fn deliver_one_batch(slf: &Bound<'_, Self>) -> PyResult<()> {
        let py = slf.py();
        let this = slf.borrow();
        let (events, more) = match this.queue.try_pop(this.max_batch) {
            (Popped::Closed, _) => {
                this.event_loop
                    .call_method1(py, "remove_reader", (this.handle,))?;
                return Ok(());
            }
            (Popped::Empty, _) => return Ok(()),
            (Popped::Events(events), more) => (events, more),
        };
        let delivered = match &this.engine {
            Some(engine) => deliver_batch(
                py,
                engine.get(),
                events,
                this.callback.bind(py),
                &this.queue,
            ),
            None => {
                let (objects, routes, logs) = build_batch(py, events);
                this.callback.call1(py, (objects, routes, logs)).map(drop)
            }
        };
        if more && !this.continuation_pending.swap(true, Ordering::AcqRel) {
            // The rest (or the close) on a later turn, scheduled once the batch is done: as a
            // timer due now, every timer that fell due during the batch (earlier deadlines) runs
            // first on asyncio's own loop; uvloop turns it into `call_soon` and runs due timers
            // first in each turn anyway. So no other component waits for more than one batch.
            let resume = slf.getattr(intern!(py, "_resume"))?;
            let now = this.event_loop.call_method0(py, intern!(py, "time"))?;
            if let Err(e) = this
                .event_loop
                .call_method1(py, intern!(py, "call_at"), (now, resume))
            {
                this.continuation_pending.store(false, Ordering::Release);
                return Err(e);
            }
        }
        delivered
    }
}

fn build_batch(
    py: Python<'_>,
    events: Vec<FeedEvent>,
) -> (Bound<'_, PyList>, Bound<'_, PyList>, Bound<'_, PyList>) {
    let objects = PyList::empty(py);
    let routes = PyList::empty(py);
    let logs = PyList::empty(py);
    let mut events = events.into_iter().peekable();
    while let Some(event) = events.next() {
        if let Some(next) = events.peek() {
            next.prefetch();
        }
        match event {
            FeedEvent::Data { payload, routes: r } => {
                let before = objects.len();
                if let Err(e) = append_payload(py, payload, &objects) {
                    let _ = logs.append((40, format!("could not build UW data objects: {e}")));
                    // Keep the two lists aligned.
                    while objects.len() > before {
                        let _ = objects.del_item(objects.len() - 1);
                    }
                    continue;
                }
                for route in r {
                    let _ = routes.append(route);
                }
            }
            FeedEvent::Log { level, message } => {
                let _ = logs.append((level_number(level), message));
            }
        }
    }
    (objects, routes, logs)
}

/// The records of a batch handed to the engine by an [`EngineDelivery`] as each is built;
/// the batch's log lines to `callback` (with empty `objects` and `routes`), before an error of
/// the hand-over is raised. The records that recycled objects held go back to `queue`, to be
/// freed by the reader ([`FeedQueue::give_back`]).
fn deliver_batch(
    py: Python<'_>,
    engine: &EngineDelivery,
    events: Vec<FeedEvent>,
    callback: &Bound<'_, PyAny>,
    queue: &FeedQueue,
) -> PyResult<()> {
    let mut logs: Option<Bound<'_, PyList>> = None;
    let mut log = |level: u8, message: String| {
        let _ = logs
            .get_or_insert_with(|| PyList::empty(py))
            .append((level, message));
    };
    let mut delivered = Ok(());
    if events.iter().any(|e| matches!(e, FeedEvent::Data { .. })) {
        engine.batches.fetch_add(1, Ordering::Relaxed);
    }
    // Taken for the batch and given back after it: a hand-over that Python code started again
    // from inside `handle` finds none, rather than a lock held across the call.
    let mut spares = engine.take_spares();
    let mut events = events.into_iter().peekable();
    while let Some(event) = events.next() {
        if let Some(next) = events.peek() {
            next.prefetch();
        }
        match event {
            FeedEvent::Data { payload, routes } => {
                if delivered.is_err() {
                    continue;
                }
                if !engine.open.load(Ordering::Acquire) {
                    engine
                        .late
                        .fetch_add(payload.len() as u64, Ordering::Relaxed);
                    continue;
                }
                let mut routes = routes.into_iter();
                let handed = crate::data::for_each_payload!(payload, |records| engine
                    .deliver_records(py, records, &mut routes, &mut spares));
                match handed {
                    Ok(()) => {}
                    Err(ObjectError::Build(e)) => {
                        log(40, format!("could not build UW data objects: {e}"));
                    }
                    Err(ObjectError::Use(e)) => delivered = Err(e),
                }
            }
            FeedEvent::Log { level, message } => log(level_number(level), message),
        }
    }
    queue.give_back(&mut spares.spent);
    engine.give_back_spares(spares);
    if let Some(logs) = logs {
        callback.call1((PyList::empty(py), PyList::empty(py), logs))?;
    }
    delivered
}

/// The default path's hand-over (`publish_mode="engine"`): each record wrapped in a
/// `CustomData` per target `DataType` of its route, passed to `handle` (the client's
/// `_handle_data`).
///
/// `route_types` caches route -> `DataType`s (the client clears it when subscriptions change);
/// `resolve(route)` fills a miss. Given to `UwLiveFeed.start`, the feed's drain hands each
/// record over as it builds it, with no Python code or list per batch between them;
/// `deliver(objects, routes)` hands lists over the same way.
///
/// The loop runs here rather than in Python for the garbage collector as much as for speed: the
/// wrappers are taken out of its sight like the records (a wrapper refers only to its `DataType`
/// and to an untracked record, so it cannot be part of a cycle). Tracked, the wrappers queued
/// in the engine survived young collections in thousands and set off full ones.
///
/// The feed's records to a route with one target are recycled (`recycled` counts them): once
/// NautilusTrader has published a record and dropped its wrapper, and nothing else holds the
/// record, the next record of that `DataType` moves into the same object and wrapper instead of
/// new ones being built and the old ones freed (see `Spares`). A record a strategy keeps is
/// never reused.
#[pyclass(module = "nautilus_trader_uw._core", name = "_EngineDelivery", frozen)]
pub struct EngineDelivery {
    route_types: Py<PyDict>,
    resolve: Py<PyAny>,
    handle: Handler,
    published: AtomicU64,
    late: AtomicU64,
    batches: AtomicU64,
    recycled: AtomicU64,
    open: AtomicBool,
    recycle: bool,
    spares: Mutex<Spares>,
}

#[pymethods]
impl EngineDelivery {
    /// `recycle=False` builds a new object and wrapper for every record (for benchmarks: the
    /// same code without the recycling, in the same run).
    #[new]
    #[pyo3(signature = (route_types, resolve, handle, recycle = true))]
    fn py_new(
        py: Python<'_>,
        route_types: Py<PyDict>,
        resolve: Py<PyAny>,
        handle: Py<PyAny>,
        recycle: bool,
    ) -> PyResult<Self> {
        Ok(Self {
            recycle,
            route_types,
            resolve,
            handle: Handler::new(py, handle)?,
            published: AtomicU64::new(0),
            late: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            recycled: AtomicU64::new(0),
            open: AtomicBool::new(true),
            spares: Mutex::new(Spares::default()),
        })
    }

    /// Hands `objects` over, `objects[i]` on route `routes[i]`; returns how many wrappers were
    /// handed on. Raises what `resolve`, `CustomData()` or `handle` raise.
    fn deliver(&self, objects: &Bound<'_, PyList>, routes: &Bound<'_, PyList>) -> PyResult<u64> {
        check_aligned(objects, routes)?;
        let py = objects.py();
        let before = self.published.load(Ordering::Relaxed);
        for (object, route) in objects.iter().zip(routes.iter()) {
            self.deliver_one(py, &object, route.extract()?)?;
        }
        Ok(self.published.load(Ordering::Relaxed) - before)
    }

    /// From now on the feed's records are dropped, counted in `late`, instead of handed on (the
    /// client disconnected; what was still queued arrives after it).
    fn close(&self) {
        self.open.store(false, Ordering::Release);
        // Dropped outside the lock: a deallocation may run Python code.
        drop(self.take_spares());
    }

    /// Wrappers handed on.
    #[getter]
    fn published(&self) -> u64 {
        self.published.load(Ordering::Relaxed)
    }

    /// Records dropped after `close()`.
    #[getter]
    fn late(&self) -> u64 {
        self.late.load(Ordering::Relaxed)
    }

    /// The feed's batches with records in them (a strategy behind gets full ones, `max_batch`).
    #[getter]
    fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Records handed on in a wrapper and record object given a second life (see the class docs)
    /// instead of new ones.
    #[getter]
    fn recycled(&self) -> u64 {
        self.recycled.load(Ordering::Relaxed)
    }
}

impl EngineDelivery {
    /// `object` (of any origin) to every target of `route`, each in a new wrapper.
    fn deliver_one(&self, py: Python<'_>, object: &Bound<'_, PyAny>, route: u32) -> PyResult<()> {
        self.hand_to_all(py, object, &self.targets(py, route)?)
    }

    /// `object` to each of `types`, each in a new wrapper.
    fn hand_to_all(
        &self,
        py: Python<'_>,
        object: &Bound<'_, PyAny>,
        types: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        for_each_item(types, |data_type| {
            self.handle.call(py, &Self::wrap(py, &data_type, object)?)?;
            self.published.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
    }

    /// The feed's records of one event, each on the next of `routes`.
    fn deliver_records<R: IntoPyData>(
        &self,
        py: Python<'_>,
        records: Vec<R>,
        routes: &mut impl Iterator<Item = u32>,
        spares: &mut Spares,
    ) -> Result<(), ObjectError> {
        let mut next_route = || {
            routes.next().ok_or_else(|| {
                ObjectError::Use(PyValueError::new_err(
                    "a UW event named fewer routes than records",
                ))
            })
        };
        match single_record_box(records) {
            Ok(one) => self.deliver_record(py, one, next_route()?, spares),
            Err(records) => {
                for record in records {
                    self.deliver_record(py, Box::new([record]), next_route()?, spares)?;
                }
                Ok(())
            }
        }
    }

    /// A record from the feed to every target of `route`; to a route with one target (the
    /// usual case) in a recycled pair when one is free.
    fn deliver_record<R: IntoPyData>(
        &self,
        py: Python<'_>,
        record: RecordBox<R>,
        route: u32,
        spares: &mut Spares,
    ) -> Result<(), ObjectError> {
        let types = self.targets(py, route).map_err(ObjectError::Use)?;
        let target = types
            .cast::<PyTuple>()
            .ok()
            .filter(|t| t.len() == 1)
            .map(|t| t.get_item(0))
            .transpose()
            .map_err(ObjectError::Use)?;
        let pairs = target
            .filter(|_| self.recycle)
            .map(|t| spares.pairs.pairs_for(t));
        let Some((data_type, pairs)) = pairs else {
            let object = R::boxed_into_py_data(record, py).map_err(ObjectError::Build)?;
            return self
                .hand_to_all(py, &object, &types)
                .map_err(ObjectError::Use);
        };
        let record = match pairs.take_free(py) {
            Some(pair) => {
                // SAFETY: `take_free` returned the pair only with the wrapper referenced by
                // nothing but `pair` and the record by nothing but `pair` and the wrapper: no
                // other Python reference exists, so no Rust reference into the record either
                // (one needs a Python reference to be taken), and the GIL is held.
                #[allow(unsafe_code)]
                let replaced = unsafe { R::replace_record(pair.record.bind(py), record) };
                match replaced {
                    Ok(previous) => {
                        spares.spent.push(previous);
                        let handed = self.handle.call(py, pair.wrapper.bind(py));
                        pairs.push(pair);
                        handed.map_err(ObjectError::Use)?;
                        self.published.fetch_add(1, Ordering::Relaxed);
                        self.recycled.fetch_add(1, Ordering::Relaxed);
                        return Ok(());
                    }
                    // A pair of another record type under the same `DataType`: let it go.
                    Err(record) => record,
                }
            }
            None => record,
        };
        let object = R::boxed_into_py_data(record, py).map_err(ObjectError::Build)?;
        let wrapper = Self::wrap(py, &data_type, &object).map_err(ObjectError::Use)?;
        let handed = self.handle.call(py, &wrapper);
        pairs.push(RecycledPair {
            wrapper: wrapper.unbind(),
            record: object.unbind(),
        });
        handed.map_err(ObjectError::Use)?;
        self.published.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// The `DataType`s of `route`, resolved on a miss.
    fn targets<'py>(&self, py: Python<'py>, route: u32) -> PyResult<Bound<'py, PyAny>> {
        match self.route_types.bind(py).get_item(route)? {
            Some(types) => Ok(types),
            None => self.resolve.bind(py).call1((route,)),
        }
    }

    /// `CustomData(data_type, object)`, out of the collector's sight when the record is.
    fn wrap<'py>(
        py: Python<'py>,
        data_type: &Bound<'py, PyAny>,
        object: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        static CUSTOM_DATA: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        let custom_data = CUSTOM_DATA.import(py, "nautilus_trader.model.data", "CustomData")?;
        let wrapped = custom_data.call1((data_type, object))?;
        if !is_gc_tracked(object) {
            untrack_from_gc(&wrapped);
        }
        Ok(wrapped)
    }

    fn take_spares(&self) -> Spares {
        std::mem::take(&mut *self.spares.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn give_back_spares(&self, spares: Spares) {
        if !self.open.load(Ordering::Acquire) {
            return;
        }
        let previous = std::mem::replace(
            &mut *self.spares.lock().unwrap_or_else(PoisonError::into_inner),
            spares,
        );
        // What a hand-over started from inside `handle` kept, dropped outside the lock.
        drop(previous);
    }
}

/// The callable a hand-over calls with each wrapper (the client's `_handle_data`), through
/// CPython's vectorcall.
///
/// pyo3 calls through a new argument tuple under the stable ABI of 3.11 (vectorcall joined it in
/// 3.12), and a bound method's own vectorcall then copies the arguments to put its instance in
/// front. A bound method is split into its function and instance once, here, and called with
/// both on the stack: 70 ns less loop CPU per record of the default path at full rate (six
/// alternated runs of each build, net of NautilusTrader's publish check).
struct Handler {
    function: Py<PyAny>,
    instance: Option<Py<PyAny>>,
}

#[allow(unsafe_code)]
mod vectorcall {
    use pyo3::ffi::PyObject;

    // SAFETY: CPython's own declaration. Stable ABI since 3.12; 3.11, the oldest Python this
    // extension loads in, exports it as well (Objects/call.c), so the symbol resolves on every
    // interpreter the wheel installs on (its tests run on both).
    unsafe extern "C" {
        pub fn PyObject_Vectorcall(
            callable: *mut PyObject,
            args: *const *mut PyObject,
            nargsf: usize,
            kwnames: *mut PyObject,
        ) -> *mut PyObject;
    }

    /// `PY_VECTORCALL_ARGUMENTS_OFFSET`: the callee may use `args[-1]`.
    pub const ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);
}

impl Handler {
    fn new(py: Python<'_>, handle: Py<PyAny>) -> PyResult<Self> {
        static METHOD_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        let method_type = METHOD_TYPE.import(py, "types", "MethodType")?;
        let bound = handle.bind(py);
        if bound.get_type().is(method_type) {
            return Ok(Self {
                function: bound.getattr(intern!(py, "__func__"))?.unbind(),
                instance: Some(bound.getattr(intern!(py, "__self__"))?.unbind()),
            });
        }
        Ok(Self {
            function: handle,
            instance: None,
        })
    }

    /// `handle(wrapper)`.
    #[allow(unsafe_code)]
    fn call<'py>(
        &self,
        py: Python<'py>,
        wrapper: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // A slot in front of the arguments, which `ARGUMENTS_OFFSET` lets the callee use.
        let (mut args, n) = match &self.instance {
            Some(instance) => (
                [std::ptr::null_mut(), instance.as_ptr(), wrapper.as_ptr()],
                2,
            ),
            None => (
                [std::ptr::null_mut(), wrapper.as_ptr(), std::ptr::null_mut()],
                1,
            ),
        };
        // SAFETY: the GIL is held (`py`); `function` and the arguments are live objects borrowed
        // for the call (`self` and `wrapper` hold them); `args[1..]` holds `n` arguments, with
        // the slot before them writable as the offset flag allows; no keywords.
        unsafe {
            let result = vectorcall::PyObject_Vectorcall(
                self.function.as_ptr(),
                args.as_mut_ptr().add(1),
                n | vectorcall::ARGUMENTS_OFFSET,
                std::ptr::null_mut(),
            );
            Bound::from_owned_ptr_or_err(py, result)
        }
    }
}

/// Most recycled pairs kept per `DataType`. NautilusTrader lets go of a wrapper once its live
/// engine's queue has reached it, which at full rate is after at most a batch or two (64 each);
/// a pair still held when this many newer ones wait behind it is given up to its holder.
const PAIRS_PER_TYPE: usize = 256;

/// Most `DataType`s with recycled pairs (a node subscribes to a handful).
const SPARE_TYPES: usize = 16;

/// A wrapper handed on before and the record object in it, kept for a second life.
struct RecycledPair {
    wrapper: Py<PyAny>,
    record: Py<PyAny>,
}

/// One `DataType`'s pairs, oldest first: the live engine lets go of wrappers in the order it got
/// them.
#[derive(Default)]
struct RecycledPairs(VecDeque<RecycledPair>);

impl RecycledPairs {
    /// The oldest pair that nothing but this queue holds: its wrapper referenced only from here,
    /// its record only from here and from the wrapper.
    ///
    /// A wrapper still referenced elsewhere is still in NautilusTrader's queue, and so is every
    /// newer one. A pair whose wrapper NautilusTrader has let go of but whose record is still
    /// referenced belongs to whatever kept the record (a strategy's list, say): it leaves the
    /// queue for good, so that it holds up no other. Each pair is looked at once that way.
    fn take_free(&mut self, py: Python<'_>) -> Option<RecycledPair> {
        loop {
            let oldest = self.0.front()?;
            if references(py, &oldest.wrapper) != 1 {
                return None;
            }
            let free = references(py, &oldest.record) == 2;
            let oldest = self.0.pop_front();
            if free {
                return oldest;
            }
        }
    }

    fn push(&mut self, pair: RecycledPair) {
        self.0.push_back(pair);
        if self.0.len() > PAIRS_PER_TYPE {
            self.0.pop_front();
        }
    }
}

/// How many references `object` has (`sys.getrefcount` less its own argument's).
///
/// Exact on the GIL builds this extension targets (abi3 excludes the free-threaded ones, whose
/// counts are split between threads and are why pyo3 deprecated its own method for this).
#[allow(unsafe_code)]
fn references(_py: Python<'_>, object: &Py<PyAny>) -> isize {
    // SAFETY: a live object (held by `object`) with the GIL held (`_py`).
    unsafe { pyo3::ffi::Py_REFCNT(object.as_ptr()) }
}

/// The default path's recycled pairs, per target `DataType`.
///
/// Building a record's object and its `CustomData` and freeing both was a third of the loop's own
/// share of the default path: `scripts/bench_delivery.py`, draining a
/// 200k backlog, 444 ns per print with them against 310 recycled, in one run (a `CustomData`
/// alone, built and freed: about 75 ns). NautilusTrader's engine publishes the record the wrapper holds and then
/// drops the wrapper, so once its queue has reached a pair, the pair is referenced by nothing
/// but this queue (unless a strategy kept the record), and the next record moves into it: its
/// wrapper already names the right `DataType` and wraps that very object, and a record object's
/// identity is all that a strategy could tell apart, which it can only do while holding it.
/// CPython's own `zip` and `enumerate` give their result tuples a second life the same way.
#[derive(Default)]
struct Spares {
    pairs: SparePairs,
    /// The records that recycled objects held in this batch, handed to the queue at its end
    /// for the reader to free (see `deliver_batch`).
    spent: Vec<Spent>,
}

/// The recycled pairs of each target `DataType`.
#[derive(Default)]
struct SparePairs(Vec<(Py<PyAny>, RecycledPairs)>);

impl SparePairs {
    /// `data_type`'s pairs, made room for when it has none.
    fn pairs_for<'a, 'py>(
        &'a mut self,
        data_type: Bound<'py, PyAny>,
    ) -> (Bound<'py, PyAny>, &'a mut RecycledPairs) {
        let index = match self.0.iter().position(|(t, _)| data_type.is(t)) {
            Some(index) => index,
            None => {
                // Subscriptions come and go: the type added first makes room.
                if self.0.len() == SPARE_TYPES {
                    self.0.remove(0);
                }
                self.0
                    .push((data_type.clone().unbind(), RecycledPairs::default()));
                self.0.len() - 1
            }
        };
        (data_type, &mut self.0[index].1)
    }
}

/// Calls `f` with every item of `items`, a route's cached targets. They are tuples (what the
/// client's `resolve` returns), read in place: iterating allocated an iterator object per record.
fn for_each_item<'py>(
    items: &Bound<'py, PyAny>,
    mut f: impl FnMut(Bound<'py, PyAny>) -> PyResult<()>,
) -> PyResult<()> {
    if let Ok(tuple) = items.cast::<PyTuple>() {
        for item in tuple.iter() {
            f(item)?;
        }
    } else {
        for item in items.try_iter()? {
            f(item?)?;
        }
    }
    Ok(())
}

/// A batch names one route per object.
fn check_aligned(objects: &Bound<'_, PyList>, routes: &Bound<'_, PyList>) -> PyResult<()> {
    if objects.len() == routes.len() {
        return Ok(());
    }
    Err(PyValueError::new_err(format!(
        "{} objects but {} routes",
        objects.len(),
        routes.len()
    )))
}

/// Most `(type, instrument)` topics an [`InstrumentTopics`] keeps; one not used for that many
/// others is built again when next needed.
const INSTRUMENT_TOPICS_MAX: usize = 200_000;

/// A topic and the two objects whose addresses key it, held so that neither address can be
/// reused by another object while the entry exists.
struct TopicEntry {
    _type_name: Py<PyAny>,
    _instrument: Py<PyAny>,
    topic: Py<PyAny>,
}

type TopicMap = GenerationalMap<
    (usize, usize),
    TopicEntry,
    std::hash::BuildHasherDefault<crate::subscription::channel::ChannelHasher>,
>;

/// The bus topic of a record per `(type name, InstrumentId)`, built once by `build(type_name,
/// instrument_id)` (bounded); `publish_mode="bus"` publishes each record with an instrument on
/// the topic the DataEngine would give it.
///
/// Keyed by the two objects' identities: a route's type name is the same `str` for every record,
/// and records share one `InstrumentId` per instrument (`instrument_id`), so a lookup hashes two
/// addresses where a Python method built and hashed a key string per record.
#[pyclass(
    module = "nautilus_trader_uw._core",
    name = "_InstrumentTopics",
    frozen
)]
pub struct InstrumentTopics {
    build: Py<PyAny>,
    topics: Mutex<TopicMap>,
}

#[pymethods]
impl InstrumentTopics {
    #[new]
    fn py_new(build: Py<PyAny>) -> Self {
        Self {
            build,
            topics: Mutex::new(TopicMap::new(INSTRUMENT_TOPICS_MAX)),
        }
    }

    /// The topic of a record of `type_name` with `instrument_id` (an `InstrumentId` or `None`).
    fn get<'py>(
        &self,
        type_name: &Bound<'py, PyAny>,
        instrument_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.topic(type_name, instrument_id)
    }

    /// How many topics are kept.
    fn __len__(&self) -> usize {
        self.lock().len()
    }
}

impl InstrumentTopics {
    fn lock(&self) -> std::sync::MutexGuard<'_, TopicMap> {
        self.topics.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn topic<'py>(
        &self,
        type_name: &Bound<'py, PyAny>,
        instrument_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = type_name.py();
        let key = (type_name.as_ptr() as usize, instrument_id.as_ptr() as usize);
        let (cached, released) = self
            .lock()
            .get_with(&key, |entry| entry.topic.clone_ref(py));
        // Released outside the lock: a deallocation may run arbitrary Python code.
        drop(released);
        if let Some(topic) = cached {
            return Ok(topic.into_bound(py));
        }
        // Built with the lock released: Python code runs here.
        let topic = self.build.bind(py).call1((type_name, instrument_id))?;
        let released = self.lock().insert(
            key,
            TopicEntry {
                _type_name: type_name.clone().unbind(),
                _instrument: instrument_id.clone().unbind(),
                topic: topic.clone().unbind(),
            },
        );
        drop(released);
        Ok(topic)
    }
}

/// Publishes a batch on the message bus (`publish_mode="bus"`): each record on the topic of each
/// target of its route. Returns how many publications were made.
///
/// `route_targets` caches route -> `((topic | None, type name), ...)`, `resolve(route)` fills a
/// miss; a target without a topic goes to the topic `instrument_topics` keeps for the type name
/// and the record's `InstrumentId` (or `None`), the one the DataEngine would give the record.
/// `publish(topic, record)` is the bus's. When a handler (a strategy's `on_data`) raises an
/// `Exception`, `handler_error(record, exc)` hears of it and the rest of the batch is still
/// published.
///
/// In Rust for the interpreter's sake: the Python loop over a batch cost about a fifth of the
/// loop thread's time per record at full rate, more than the bus itself.
///
/// # Errors
/// What `resolve`, `instrument_topics` or `handler_error` raise, and any `BaseException` that is
/// not an `Exception` (`KeyboardInterrupt`) from a handler.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
pub fn _publish_on_bus(
    py: Python<'_>,
    objects: &Bound<'_, PyList>,
    routes: &Bound<'_, PyList>,
    route_targets: &Bound<'_, PyDict>,
    resolve: &Bound<'_, PyAny>,
    instrument_topics: &Bound<'_, InstrumentTopics>,
    publish: &Bound<'_, PyAny>,
    handler_error: &Bound<'_, PyAny>,
) -> PyResult<usize> {
    check_aligned(objects, routes)?;
    let instrument_topics = instrument_topics.get();
    let instrument_id = pyo3::intern!(py, "_instrument_id_or_none");
    let mut published = 0;
    for (object, route) in objects.iter().zip(routes.iter()) {
        let targets = match route_targets.get_item(&route)? {
            Some(targets) => targets,
            None => resolve.call1((&route,))?,
        };
        for_each_item(&targets, |target| {
            let (topic, type_name): (Bound<'_, PyAny>, Bound<'_, PyAny>) = target.extract()?;
            let topic = if topic.is_none() {
                instrument_topics.topic(&type_name, &object.getattr(instrument_id)?)?
            } else {
                topic
            };
            if let Err(e) = publish.call1((topic, &object)) {
                if !e.is_instance_of::<pyo3::exceptions::PyException>(py) {
                    return Err(e);
                }
                handler_error.call1((&object, e.into_value(py)))?;
            }
            published += 1;
            Ok(())
        })?;
    }
    Ok(published)
}
