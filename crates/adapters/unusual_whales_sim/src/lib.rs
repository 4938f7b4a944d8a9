//! The UW simulator: UW's WebSocket and REST wire protocol on loopback, for tests, the demo and
//! benchmarks (the real service is unreachable from CI).
//!
//! - WebSocket (`ws://127.0.0.1:<port>/socket?token=...`): checks the token (HTTP 401 otherwise),
//!   acknowledges joins as UW does (`[channel, {"response":{},"status":"ok"}]`), honours leaves,
//!   answers pings, and streams generated frames ([`generate`]) at a configurable rate per channel,
//!   or replays a JSONL recording. Like UW, it drops frames for a reader that falls behind.
//! - REST (`http://127.0.0.1:<port>/api/...`, bearer token): flow alerts and option prints from the
//!   same stream it sent (so a client can back-fill a gap) and, for the days before it started, a
//!   deterministic history of each trading day ([`past`]); UW's example bodies for the other
//!   endpoints, moved to the day asked for ([`retime`]); UW's `x-uw-*` rate-limit headers with 429
//!   past the per-minute budget.
//! - Faults: drop every connection, stall (no reads, writes or pongs), inject raw frames (malformed,
//!   unknown channels, oversized), refuse joins, ignore leaves, refuse upgrades, answer HTTP errors.
//!
//! A crate of its own, on top of `unusual-whales-nt`: the UW example payloads it serves are
//! compiled into it (from `test_data/`), never into the adapter's core, and the core's clients are
//! tested against it here (`tests/ws_client.rs`, `tests/http_client.rs`), since the core cannot
//! depend on it. `python` (feature `python`): the `UwSimServer` class of the extension module.

#![deny(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod config;
mod fixtures;
pub mod generate;
mod http;
mod operations;
mod past;
pub mod pool;
#[cfg(feature = "python")]
pub mod python;
mod retime;
mod stream;
mod tape;
mod text;
mod ws;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use unusual_whales_nt::common::time::{NANOS_PER_MILLI, now_nanos};
use unusual_whales_nt::subscription::channel::ChannelKind;

pub use crate::config::SimConfig;
use crate::generate::GeneratedAlert;

/// Counters of what the simulator did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimStats {
    /// WebSocket connections accepted.
    pub connections: u64,
    /// Connections open now.
    pub active_connections: u64,
    /// Upgrades refused (bad token or a forced refusal).
    pub rejected_upgrades: u64,
    /// Join messages received.
    pub joins: u64,
    /// Leave messages received.
    pub leaves: u64,
    /// Data frames sent.
    pub frames_sent: u64,
    /// Frames a slow reader missed (dropped, as UW does).
    pub frames_dropped: u64,
    /// Pings received (answered unless stalled).
    pub pings: u64,
    /// REST requests served.
    pub http_requests: u64,
    /// REST requests answered 429.
    pub http_429: u64,
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    active: AtomicU64,
    rejected: AtomicU64,
    joins: AtomicU64,
    leaves: AtomicU64,
    frames_sent: AtomicU64,
    frames_dropped: AtomicU64,
    pings: AtomicU64,
    http_requests: AtomicU64,
    http_429: AtomicU64,
}

#[derive(Debug, Clone)]
enum Control {
    Drop,
    Stall(Duration),
    Inject(Arc<str>),
}

/// One outgoing frame: the channel it belongs to and its full text.
#[derive(Debug)]
struct Outgoing {
    channel: String,
    /// Shared by every connection's send (a reference count, not a copy).
    text: Utf8Bytes,
}

pub(crate) struct SimState {
    config: SimConfig,
    counters: Counters,
    /// Channel -> number of connections that joined it.
    joined: Mutex<HashMap<String, usize>>,
    refused: Mutex<HashSet<String>>,
    ignore_leave: AtomicBool,
    cursor_on_created_at: AtomicBool,
    reject_status: Mutex<Option<u16>>,
    /// The token accepted after [`UwSimulator::rotate_token`] (instead of the configured one).
    rotated_token: Mutex<Option<String>>,
    http_faults: Mutex<VecDeque<u16>>,
    http_bodies: Mutex<VecDeque<String>>,
    http_delay: Mutex<Duration>,
    rates: Mutex<HashMap<String, f64>>,
    default_rate: Mutex<f64>,
    alerts: Mutex<VecDeque<GeneratedAlert>>,
    /// Flow alerts and prints of the days before the start, for REST history.
    past: past::PastDays,
    rate_window: Mutex<(Instant, u32, u64)>,
    control: broadcast::Sender<Control>,
    frames: broadcast::Sender<Arc<Outgoing>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimState {
    /// The token clients must present now.
    pub(crate) fn accepted_token(&self) -> String {
        lock(&self.rotated_token)
            .clone()
            .unwrap_or_else(|| self.config.token.clone())
    }
}

fn now_ms() -> u64 {
    now_nanos() / NANOS_PER_MILLI
}

/// Accepts connections on `listener` until `stop`, handing each to `serve` with Nagle off (frames
/// and replies are written whole).
async fn accept_until_stopped(
    listener: TcpListener,
    mut stop: watch::Receiver<bool>,
    mut serve: impl FnMut(TcpStream),
) {
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = stop.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        serve(stream);
    }
}

/// A running simulator. Stops when [`UwSimulator::shutdown`] is called or it is dropped.
pub struct UwSimulator {
    state: Arc<SimState>,
    ws_addr: SocketAddr,
    http_addr: SocketAddr,
    stop: watch::Sender<bool>,
}

impl UwSimulator {
    /// Binds both ports and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// When a port cannot be bound or the replay file cannot be read.
    pub async fn start(config: SimConfig) -> std::io::Result<Self> {
        let replay = match &config.replay {
            Some(path) => Some(stream::load_recording(path)?),
            None => None,
        };
        let ws = TcpListener::bind((config.host.as_str(), config.ws_port)).await?;
        let http = TcpListener::bind((config.host.as_str(), config.http_port)).await?;
        let (ws_addr, http_addr) = (ws.local_addr()?, http.local_addr()?);
        let (control, _) = broadcast::channel(64);
        // Deep enough for a 50k msg/s burst while a reader is briefly descheduled; a reader further
        // behind loses frames, as UW's own server does.
        let (frames, _) = broadcast::channel(65_536);
        let cursor_on_created_at = config.cursor_on_created_at;
        let seed = config.seed;
        let state = Arc::new(SimState {
            rates: Mutex::new(config.rates.clone()),
            default_rate: Mutex::new(config.default_rate),
            config,
            counters: Counters::default(),
            joined: Mutex::new(HashMap::new()),
            refused: Mutex::new(HashSet::new()),
            ignore_leave: AtomicBool::new(false),
            cursor_on_created_at: AtomicBool::new(cursor_on_created_at),
            reject_status: Mutex::new(None),
            rotated_token: Mutex::new(None),
            http_faults: Mutex::new(VecDeque::new()),
            http_bodies: Mutex::new(VecDeque::new()),
            http_delay: Mutex::new(Duration::ZERO),
            alerts: Mutex::new(VecDeque::new()),
            past: past::PastDays::new(seed, now_ms()),
            rate_window: Mutex::new((Instant::now(), 0, 0)),
            control,
            frames,
        });
        let (stop, stop_rx) = watch::channel(false);
        tokio::spawn(ws::serve(Arc::clone(&state), ws, stop_rx.clone()));
        tokio::spawn(http::serve(Arc::clone(&state), http, stop_rx.clone()));
        match replay {
            Some(frames) => tokio::spawn(stream::replay_task(Arc::clone(&state), frames, stop_rx)),
            None => tokio::spawn(stream::generate_task(Arc::clone(&state), stop_rx)),
        };
        Ok(Self {
            state,
            ws_addr,
            http_addr,
            stop,
        })
    }

    /// `ws://127.0.0.1:<port>/socket` (add `?token=`).
    #[must_use]
    pub fn ws_url(&self) -> String {
        format!("ws://{}/socket", self.ws_addr)
    }

    /// `http://127.0.0.1:<port>` (paths start with `/api/`).
    #[must_use]
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// The token the simulator started with (accepted until [`UwSimulator::rotate_token`]).
    #[must_use]
    pub fn token(&self) -> &str {
        &self.state.config.token
    }

    /// From now on only `token` is accepted, on new WebSocket upgrades and on REST, as when UW
    /// revokes a key and issues another; open connections stay open.
    pub fn rotate_token(&self, token: &str) {
        *lock(&self.state.rotated_token) = Some(token.to_owned());
    }

    /// Closes every WebSocket connection abruptly (no close frame), like a network drop.
    pub fn drop_connections(&self) {
        let _ = self.state.control.send(Control::Drop);
    }

    /// Every connection stops reading, writing and answering pings for `duration`.
    pub fn stall(&self, duration: Duration) {
        let _ = self.state.control.send(Control::Stall(duration));
    }

    /// Sends `frame` verbatim to every connection (malformed JSON, unknown channels, ...).
    pub fn inject(&self, frame: &str) {
        let _ = self.state.control.send(Control::Inject(Arc::from(frame)));
    }

    /// Refuse joins of `channel` with a UW-style error reply (or accept them again).
    pub fn refuse_channel(&self, channel: &str, refuse: bool) {
        let mut refused = lock(&self.state.refused);
        if refuse {
            refused.insert(channel.to_owned());
        } else {
            refused.remove(channel);
        }
    }

    /// Ignore leave messages (keep streaming), as UW may.
    pub fn set_ignore_leave(&self, ignore: bool) {
        self.state.ignore_leave.store(ignore, Ordering::Relaxed);
    }

    /// REST time cursors compare `created_at` (`true`) or the event time (see
    /// [`SimConfig::cursor_on_created_at`]).
    pub fn set_cursor_on_created_at(&self, on: bool) {
        self.state.cursor_on_created_at.store(on, Ordering::Relaxed);
    }

    /// Refuse WebSocket upgrades with this HTTP status (401: not entitled; 503: outage), or accept.
    pub fn set_reject_upgrades(&self, status: Option<u16>) {
        *lock(&self.state.reject_status) = status;
    }

    /// The next `count` REST requests are answered with `status` (429, 500, 502, 503, ...).
    pub fn fail_http(&self, status: u16, count: usize) {
        lock(&self.state.http_faults).extend(std::iter::repeat_n(status, count));
    }

    /// The next REST request is answered 200 with `body` verbatim (malformed or wrong-shaped data).
    pub fn inject_http_body(&self, body: &str) {
        lock(&self.state.http_bodies).push_back(body.to_owned());
    }

    /// Delay every REST response (to provoke client timeouts).
    pub fn set_http_delay(&self, delay: Duration) {
        *lock(&self.state.http_delay) = delay;
    }

    /// Frames per second for a channel kind (`"option_trades"`), or for all when `kind` is `None`.
    pub fn set_rate(&self, kind: Option<&str>, rate: f64) {
        match kind {
            Some(k) => {
                lock(&self.state.rates).insert(k.to_owned(), rate);
            }
            None => *lock(&self.state.default_rate) = rate,
        }
    }

    /// Channels joined by at least one connection now.
    #[must_use]
    pub fn joined_channels(&self) -> Vec<String> {
        let mut v: Vec<String> = lock(&self.state.joined).keys().cloned().collect();
        v.sort();
        v
    }

    /// Ids of the flow alerts streamed so far, oldest first (not the generated past).
    #[must_use]
    pub fn flow_alert_ids(&self) -> Vec<String> {
        lock(&self.state.alerts)
            .iter()
            .filter(|a| a.kind == ChannelKind::FlowAlerts)
            .map(|a| a.id.clone())
            .collect()
    }

    /// Ids of the flow alerts for `ticker` with event times in `[start_ns, end_ns]`, oldest first:
    /// the generated past (REST history of the days before the start) and the stream since.
    #[must_use]
    pub fn flow_alerts_between(&self, ticker: &str, start_ns: u64, end_ns: u64) -> Vec<String> {
        self.generated_between(ChannelKind::FlowAlerts, ticker, start_ns, end_ns)
    }

    /// Ids of the option prints for `ticker` with event times in `[start_ns, end_ns]`, oldest
    /// first: the generated past and the stream since.
    #[must_use]
    pub fn option_trades_between(&self, ticker: &str, start_ns: u64, end_ns: u64) -> Vec<String> {
        self.generated_between(ChannelKind::OptionTrades, ticker, start_ns, end_ns)
    }

    fn generated_between(
        &self,
        kind: ChannelKind,
        ticker: &str,
        start_ns: u64,
        end_ns: u64,
    ) -> Vec<String> {
        let mut ids = self.state.past.ids_between(
            kind,
            ticker,
            start_ns.div_ceil(1_000_000),
            end_ns / 1_000_000,
        );
        ids.extend(
            lock(&self.state.alerts)
                .iter()
                .filter(|a| a.kind == kind)
                .filter(|a| {
                    a.ticker == ticker && (start_ns..=end_ns).contains(&(a.time_ms * 1_000_000))
                })
                .map(|a| a.id.clone()),
        );
        ids
    }

    /// The counters now.
    #[must_use]
    pub fn stats(&self) -> SimStats {
        let c = &self.state.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        SimStats {
            connections: get(&c.connections),
            active_connections: get(&c.active),
            rejected_upgrades: get(&c.rejected),
            joins: get(&c.joins),
            leaves: get(&c.leaves),
            frames_sent: get(&c.frames_sent),
            frames_dropped: get(&c.frames_dropped),
            pings: get(&c.pings),
            http_requests: get(&c.http_requests),
            http_429: get(&c.http_429),
        }
    }

    /// Stops accepting, closes connections and stops generating.
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
        let _ = self.state.control.send(Control::Drop);
    }
}

impl Drop for UwSimulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}
