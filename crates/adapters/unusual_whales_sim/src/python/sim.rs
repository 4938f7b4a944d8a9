//! `UwSimServer`: the UW simulator for Python tests, the demo and benchmarks.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use unusual_whales_nt::runtime::get_runtime;

use crate::{SimConfig, UwSimulator};

/// A running simulator (WebSocket + REST on loopback). Use as a context manager or call `shutdown`.
#[pyclass(module = "nautilus_trader_uw._core", name = "UwSimServer")]
pub struct PySimServer {
    sim: Option<UwSimulator>,
}

impl PySimServer {
    fn sim(&self) -> PyResult<&UwSimulator> {
        self.sim
            .as_ref()
            .ok_or_else(|| PyRuntimeError::new_err("the simulator was shut down"))
    }
}

fn check_rate(rate: f64) -> PyResult<()> {
    if rate.is_nan() || rate < 0.0 {
        return Err(PyValueError::new_err(format!(
            "rates must be >= 0 frames/s (inf = as fast as read), got {rate}"
        )));
    }
    Ok(())
}

#[pymethods]
impl PySimServer {
    /// Starts the simulator. `rates` maps channel kinds (`"option_trades"`) to frames per second;
    /// `rate` applies to the others; `float("inf")` streams as fast as the slowest reader takes.
    /// `replay` plays a JSONL recording instead of generating. `pregenerate` > 0 builds that many
    /// frames of each channel once and sends them in turn, restamped with the send time, their ids
    /// version 7 UUIDs of it (`sent_at_ns`): a cheap load generator for benchmarks; REST then has
    /// no history of them.
    #[new]
    #[pyo3(signature = (
        seed=42, tickers=None, rate=5.0, rates=None, replay=None, replay_speed=1.0,
        replay_loop=false, token="sim-token".to_owned(), host="127.0.0.1".to_owned(), ws_port=0,
        http_port=0, http_per_minute=120, http_per_day=40_000, http_window_secs=60.0,
        pregenerate=0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        seed: u64,
        tickers: Option<Vec<String>>,
        rate: f64,
        rates: Option<HashMap<String, f64>>,
        replay: Option<PathBuf>,
        replay_speed: f64,
        replay_loop: bool,
        token: String,
        host: String,
        ws_port: u16,
        http_port: u16,
        http_per_minute: u32,
        http_per_day: u64,
        http_window_secs: f64,
        pregenerate: usize,
    ) -> PyResult<Self> {
        for r in std::iter::once(&rate).chain(rates.iter().flat_map(HashMap::values)) {
            check_rate(*r)?;
        }
        let config = SimConfig {
            host,
            ws_port,
            http_port,
            token,
            seed,
            tickers: tickers
                .unwrap_or_else(|| vec!["SPY".to_owned(), "QQQ".to_owned()])
                .into_iter()
                .map(|t| t.to_ascii_uppercase())
                .collect(),
            default_rate: rate,
            rates: rates.unwrap_or_default(),
            pregenerate,
            replay,
            replay_speed,
            replay_loop,
            http_per_minute,
            http_per_day,
            http_window: Duration::try_from_secs_f64(http_window_secs)
                .map_err(|e| PyValueError::new_err(format!("http_window_secs: {e}")))?,
            cursor_on_created_at: false,
        };
        let sim = py
            .detach(|| get_runtime().block_on(UwSimulator::start(config)))
            .map_err(|e| PyOSError::new_err(format!("the UW simulator could not start: {e}")))?;
        Ok(Self { sim: Some(sim) })
    }

    /// `ws://127.0.0.1:<port>/socket`
    #[getter]
    fn ws_url(&self) -> PyResult<String> {
        Ok(self.sim()?.ws_url())
    }

    /// `http://127.0.0.1:<port>`
    #[getter]
    fn http_url(&self) -> PyResult<String> {
        Ok(self.sim()?.http_url())
    }

    /// The token the simulator accepts.
    #[getter]
    fn token(&self) -> PyResult<String> {
        Ok(self.sim()?.token().to_owned())
    }

    /// Drops every WebSocket connection without a close frame.
    fn drop_connections(&self) -> PyResult<()> {
        self.sim()?.drop_connections();
        Ok(())
    }

    /// Stops reading, writing and answering pings on every connection for `seconds`.
    fn stall(&self, seconds: f64) -> PyResult<()> {
        let d = Duration::try_from_secs_f64(seconds)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        self.sim()?.stall(d);
        Ok(())
    }

    /// From now on accepts only `token` (new upgrades and REST), as when UW revokes a key.
    fn rotate_token(&self, token: &str) -> PyResult<()> {
        self.sim()?.rotate_token(token);
        Ok(())
    }

    /// Sends a raw frame to every connection.
    fn inject(&self, frame: &str) -> PyResult<()> {
        self.sim()?.inject(frame);
        Ok(())
    }

    /// Refuses (or accepts again) joins of `channel`.
    #[pyo3(signature = (channel, refuse=true))]
    fn refuse_channel(&self, channel: &str, refuse: bool) -> PyResult<()> {
        self.sim()?.refuse_channel(channel, refuse);
        Ok(())
    }

    /// Ignores leave messages.
    fn set_ignore_leave(&self, ignore: bool) -> PyResult<()> {
        self.sim()?.set_ignore_leave(ignore);
        Ok(())
    }

    /// REST `older_than`/`newer_than` compare `created_at` (`True`) or the event time (`False`,
    /// the default): UW does not say which, and history must page completely under either.
    fn set_cursor_on_created_at(&self, on: bool) -> PyResult<()> {
        self.sim()?.set_cursor_on_created_at(on);
        Ok(())
    }

    /// Refuses WebSocket upgrades with `status` (401, 503, ...); `None` accepts again.
    #[pyo3(signature = (status=None))]
    fn set_reject_upgrades(&self, status: Option<u16>) -> PyResult<()> {
        self.sim()?.set_reject_upgrades(status);
        Ok(())
    }

    /// Answers the next `count` REST requests with `status`.
    #[pyo3(signature = (status, count=1))]
    fn fail_http(&self, status: u16, count: usize) -> PyResult<()> {
        self.sim()?.fail_http(status, count);
        Ok(())
    }

    /// Answers the next REST request 200 with `body` verbatim.
    fn inject_http_body(&self, body: &str) -> PyResult<()> {
        self.sim()?.inject_http_body(body);
        Ok(())
    }

    /// Delays every REST response by `seconds`.
    fn set_http_delay(&self, seconds: f64) -> PyResult<()> {
        let d = Duration::try_from_secs_f64(seconds)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        self.sim()?.set_http_delay(d);
        Ok(())
    }

    /// Frames per second for one channel kind, or for all others when `kind` is `None`.
    #[pyo3(signature = (rate, kind=None))]
    fn set_rate(&self, rate: f64, kind: Option<&str>) -> PyResult<()> {
        check_rate(rate)?;
        self.sim()?.set_rate(kind, rate);
        Ok(())
    }

    /// Channels joined by some connection now.
    fn joined_channels(&self) -> PyResult<Vec<String>> {
        Ok(self.sim()?.joined_channels())
    }

    /// Ids of every flow alert generated so far, oldest first.
    fn flow_alert_ids(&self) -> PyResult<Vec<String>> {
        Ok(self.sim()?.flow_alert_ids())
    }

    /// Ids of the flow alerts generated for `ticker` with event times in `[start_ns, end_ns]`.
    fn flow_alerts_between(
        &self,
        ticker: &str,
        start_ns: u64,
        end_ns: u64,
    ) -> PyResult<Vec<String>> {
        Ok(self.sim()?.flow_alerts_between(ticker, start_ns, end_ns))
    }

    /// Ids of the option prints generated for `ticker` with event times in `[start_ns, end_ns]`.
    fn option_trades_between(
        &self,
        ticker: &str,
        start_ns: u64,
        end_ns: u64,
    ) -> PyResult<Vec<String>> {
        Ok(self.sim()?.option_trades_between(ticker, start_ns, end_ns))
    }

    /// When a pooled frame (`pregenerate` > 0) with this record id was sent, in nanoseconds since
    /// the epoch (to 244 ns): its id is a version 7 UUID of its send instant. `None` for other ids.
    #[staticmethod]
    fn sent_at_ns(id: &str) -> Option<u64> {
        crate::pool::uuid7_nanos(id)
    }

    /// Counters: connections, joins, leaves, frames sent/dropped, pings, REST requests and 429s.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.sim()?.stats();
        let d = PyDict::new(py);
        d.set_item("connections", s.connections)?;
        d.set_item("active_connections", s.active_connections)?;
        d.set_item("rejected_upgrades", s.rejected_upgrades)?;
        d.set_item("joins", s.joins)?;
        d.set_item("leaves", s.leaves)?;
        d.set_item("frames_sent", s.frames_sent)?;
        d.set_item("frames_dropped", s.frames_dropped)?;
        d.set_item("pings", s.pings)?;
        d.set_item("http_requests", s.http_requests)?;
        d.set_item("http_429", s.http_429)?;
        Ok(d)
    }

    /// Stops the simulator (idempotent).
    fn shutdown(&mut self) {
        if let Some(sim) = self.sim.take() {
            sim.shutdown();
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(&mut self, _exc_type: Py<PyAny>, _exc: Py<PyAny>, _tb: Py<PyAny>) -> bool {
        self.shutdown();
        false
    }

    fn __repr__(&self) -> String {
        match &self.sim {
            Some(sim) => format!(
                "UwSimServer(ws_url={:?}, http_url={:?})",
                sim.ws_url(),
                sim.http_url()
            ),
            None => "UwSimServer(stopped)".to_owned(),
        }
    }
}
