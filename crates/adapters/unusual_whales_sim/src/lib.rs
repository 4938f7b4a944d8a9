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

pub mod generate;
mod http;
mod past;
#[cfg(feature = "python")]
pub mod python;
mod retime;
mod text;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use unusual_whales_nt::websocket::channel::{ChannelKind, UwChannel};

use crate::generate::{GeneratedAlert, Market};

/// Every example frame of UW's channel docs (docs/uw-api.md#channel-payloads), for channels the
/// generator does not synthesise.
pub(crate) const EXAMPLE_FRAMES: &str = concat!(
    include_str!("../test_data/ws_contract_screener.jsonl"),
    "\n",
    include_str!("../test_data/ws_custom_alerts.jsonl"),
    "\n",
    include_str!("../test_data/ws_gex_strike.jsonl"),
    "\n",
    include_str!("../test_data/ws_gex_strike_expiry.jsonl"),
    "\n",
    include_str!("../test_data/ws_interpolated_iv.jsonl"),
    "\n",
    include_str!("../test_data/ws_interval_flow.jsonl"),
    "\n",
    include_str!("../test_data/ws_iv_term_structure.jsonl"),
    "\n",
    include_str!("../test_data/ws_periscope.jsonl"),
    "\n",
    include_str!("../test_data/ws_trading_halts.jsonl"),
    "\n",
);

/// How the simulator behaves. [`SimConfig::default`] is a quiet market on ephemeral ports.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to bind (loopback).
    pub host: String,
    /// WebSocket port (0 = any free port).
    pub ws_port: u16,
    /// REST port (0 = any free port).
    pub http_port: u16,
    /// The token clients must present.
    pub token: String,
    /// Seed of the generated market.
    pub seed: u64,
    /// Tickers of all-tickers channels (`flow-alerts`, `option_trades`, ...).
    pub tickers: Vec<String>,
    /// Frames per second on each joined channel; `f64::INFINITY` streams as fast as the slowest
    /// reader takes them (backpressure instead of drops: for measuring a consumer's maximum).
    pub default_rate: f64,
    /// Per-channel-kind rates (`"flow-alerts" -> 20.0`), overriding `default_rate`.
    pub rates: HashMap<String, f64>,
    /// Replay this JSONL recording (`{"received_at", "frame"}` per line) instead of generating.
    pub replay: Option<PathBuf>,
    /// Replay speed multiplier (2.0 = twice as fast as recorded).
    pub replay_speed: f64,
    /// Start the recording again at its end.
    pub replay_loop: bool,
    /// REST requests allowed per minute (UW's plans: 120).
    pub http_per_minute: u32,
    /// REST requests allowed per day.
    pub http_per_day: u64,
    /// Length of the per-minute window (60 s at UW; shorter in tests).
    pub http_window: Duration,
    /// `older_than`/`newer_than` of flow alerts and option prints compare `created_at` (and pages
    /// run newest `created_at` first) instead of the event time: UW does not document which it
    /// compares, and a client must page completely under either.
    pub cursor_on_created_at: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            ws_port: 0,
            http_port: 0,
            token: "sim-token".to_owned(),
            seed: 42,
            tickers: vec!["SPY".to_owned(), "QQQ".to_owned()],
            default_rate: 5.0,
            rates: HashMap::new(),
            replay: None,
            replay_speed: 1.0,
            replay_loop: false,
            http_per_minute: 120,
            http_per_day: 40_000,
            http_window: Duration::from_secs(60),
            cursor_on_created_at: false,
        }
    }
}

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

/// Frames an unlimited-rate channel keeps queued for its slowest reader.
const MAX_BACKLOG: usize = 16_384;
/// Frames an unlimited-rate channel generates per 1 ms tick at most.
const MAX_PER_TICK: usize = 4_096;

/// How many generated flow alerts the REST side remembers.
const ALERT_HISTORY: usize = 200_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
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
            Some(path) => Some(load_recording(path)?),
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
        tokio::spawn(accept_ws(Arc::clone(&state), ws, stop_rx.clone()));
        tokio::spawn(http::serve(Arc::clone(&state), http, stop_rx.clone()));
        match replay {
            Some(frames) => tokio::spawn(replay_task(Arc::clone(&state), frames, stop_rx)),
            None => tokio::spawn(generate_task(Arc::clone(&state), stop_rx)),
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

    /// The token the simulator accepts.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.state.config.token
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

fn load_recording(path: &PathBuf) -> std::io::Result<Vec<(f64, String)>> {
    let text = std::fs::read_to_string(path)?;
    let mut frames = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |why: &str| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}:{}: {why}", path.display(), i + 1),
            )
        };
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
        let frame = v
            .get("frame")
            .and_then(|f| f.as_str())
            .ok_or_else(|| bad("no \"frame\" string"))?;
        let at = v.get("received_at").and_then(|t| t.as_str()).map_or(
            Ok(frames.len() as f64 * 0.1),
            |t| {
                unusual_whales_nt::common::parse::parse_rfc3339_nanos(&t.replace(' ', "T"))
                    .map(|n| n as f64 / 1e9)
                    .map_err(|e| bad(&e))
            },
        )?;
        frames.push((at, frame.to_owned()));
    }
    Ok(frames)
}

fn frame_channel(frame: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(frame).ok()?;
    let arr = v.as_array()?;
    // Acks in a recording were UW's replies to that session's joins; the simulator acks its own.
    if arr.get(1)?.get("status").is_some() {
        return None;
    }
    arr.first()?.as_str().map(str::to_owned)
}

async fn replay_task(
    state: Arc<SimState>,
    frames: Vec<(f64, String)>,
    mut stop: watch::Receiver<bool>,
) {
    let speed = if state.config.replay_speed > 0.0 {
        state.config.replay_speed
    } else {
        1.0
    };
    // A recording starts when someone listens, so a client never misses its beginning.
    while lock(&state.joined).is_empty() {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(5)) => {}
            _ = stop.changed() => return,
        }
    }
    loop {
        let start = Instant::now();
        let t0 = frames.first().map_or(0.0, |f| f.0);
        for (at, frame) in &frames {
            let due = Duration::from_secs_f64(((at - t0) / speed).max(0.0));
            tokio::select! {
                () = tokio::time::sleep_until((start + due).into()) => {}
                _ = stop.changed() => return,
            }
            if let Some(channel) = frame_channel(frame) {
                let _ = state.frames.send(Arc::new(Outgoing {
                    channel,
                    text: frame.as_str().into(),
                }));
            }
        }
        if !state.config.replay_loop {
            return;
        }
    }
}

async fn generate_task(state: Arc<SimState>, mut stop: watch::Receiver<bool>) {
    let mut market = Market::new(state.config.seed, &state.config.tickers);
    let mut owed: HashMap<String, f64> = HashMap::new();
    let mut sticky: HashSet<String> = HashSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let dt = last.elapsed().as_secs_f64();
        last = Instant::now();
        // The market does not stop when a client disconnects: flow alerts always, and option
        // prints once any client asked for them, keep coming, so REST can back-fill a gap.
        for name in lock(&state.joined).keys() {
            if name.starts_with("option_trades") {
                sticky.insert(name.clone());
            }
        }
        let mut channels: Vec<String> = lock(&state.joined).keys().cloned().collect();
        channels.extend(
            sticky
                .iter()
                .filter(|c| !channels.contains(c))
                .cloned()
                .collect::<Vec<_>>(),
        );
        if !channels.iter().any(|c| c == "flow-alerts") {
            channels.push("flow-alerts".to_owned());
        }
        let (rates, default_rate) = (lock(&state.rates).clone(), *lock(&state.default_rate));
        let now = now_ms();
        for name in channels {
            let Some(channel) = UwChannel::parse(&name) else {
                continue;
            };
            let rate = rates
                .get(channel.kind.as_str())
                .copied()
                .unwrap_or(default_rate);
            let due = owed.entry(name.clone()).or_insert(0.0);
            if rate.is_infinite() {
                // Keep the slowest reader's backlog topped up instead of outrunning it: its
                // drops would then measure the simulator, not the reader.
                let listening = lock(&state.joined).contains_key(&name);
                *due = if listening {
                    MAX_BACKLOG
                        .saturating_sub(state.frames.len())
                        .min(MAX_PER_TICK) as f64
                } else {
                    0.0
                };
            } else {
                *due += rate * dt;
            }
            while *due >= 1.0 {
                *due -= 1.0;
                let (payload, alert) = market.payload(&channel, now);
                if let Some(alert) = alert {
                    let mut alerts = lock(&state.alerts);
                    if alerts.len() == ALERT_HISTORY {
                        alerts.pop_front();
                    }
                    alerts.push_back(alert);
                }
                let mut text = String::with_capacity(payload.len() + name.len() + 5);
                text.push_str("[\"");
                text.push_str(&name);
                text.push_str("\",");
                text.push_str(&payload);
                text.push(']');
                let _ = state.frames.send(Arc::new(Outgoing {
                    channel: name.clone(),
                    text: text.into(),
                }));
            }
        }
        owed.retain(|name, _| {
            lock(&state.joined).contains_key(name) || name == "flow-alerts" || sticky.contains(name)
        });
    }
}

async fn accept_ws(state: Arc<SimState>, listener: TcpListener, mut stop: watch::Receiver<bool>) {
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = stop.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_ws(Arc::clone(&state), stream));
    }
}

fn reject(status: StatusCode, body: &str) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(body.to_owned()));
    *response.status_mut() = status;
    response
}

async fn serve_ws(state: Arc<SimState>, stream: TcpStream) {
    let token = state.config.token.clone();
    let forced = *lock(&state.reject_status);
    #[allow(clippy::result_large_err)] // the signature tungstenite's handshake callback requires
    let check = move |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        if let Some(status) = forced {
            return Err(reject(
                StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                "refused by the simulator",
            ));
        }
        if req.uri().path() != "/socket" {
            return Err(reject(StatusCode::NOT_FOUND, "not found"));
        }
        let presented = req.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("token="))
                .map(percent_decode)
        });
        if presented.as_deref() == Some(token.as_str()) {
            Ok(resp)
        } else {
            Err(reject(StatusCode::UNAUTHORIZED, "unauthorized"))
        }
    };
    // Clients send only joins, leaves and pings: a small read buffer, because tungstenite zeroes
    // the spare capacity on every read attempt, and the send loop polls the reader per frame.
    let ws_config = WebSocketConfig::default().read_buffer_size(4096);
    let Ok(ws) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(ws_config)).await
    else {
        state.counters.rejected.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let c = &state.counters;
    c.connections.fetch_add(1, Ordering::Relaxed);
    c.active.fetch_add(1, Ordering::Relaxed);
    let mut joined: HashSet<String> = HashSet::new();
    connection(&state, ws, &mut joined).await;
    let mut all = lock(&state.joined);
    for ch in joined {
        if let Some(n) = all.get_mut(&ch) {
            *n -= 1;
            if *n == 0 {
                all.remove(&ch);
            }
        }
    }
    drop(all);
    c.active.fetch_sub(1, Ordering::Relaxed);
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(serde::Deserialize)]
struct ClientMessage {
    channel: String,
    msg_type: String,
}

async fn connection(
    state: &SimState,
    ws: tokio_tungstenite::WebSocketStream<TcpStream>,
    joined: &mut HashSet<String>,
) {
    let c = &state.counters;
    let (mut sink, mut stream) = ws.split();
    let mut frames = state.frames.subscribe();
    let mut control = state.control.subscribe();
    let mut unflushed = 0_usize;
    loop {
        tokio::select! {
            msg = stream.next() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Ping(_))) => {
                        c.pings.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                    Some(Ok(_)) => continue,
                };
                let Ok(m) = serde_json::from_str::<ClientMessage>(&text) else { continue };
                match m.msg_type.as_str() {
                    "join" => {
                        c.joins.fetch_add(1, Ordering::Relaxed);
                        let reply = if lock(&state.refused).contains(&m.channel) {
                            format!(r#"["{}",{{"response":{{"reason":"not entitled to this channel on the current plan"}},"status":"error"}}]"#, m.channel)
                        } else {
                            // UW acks unknown names too; unknown names simply never carry data.
                            if joined.insert(m.channel.clone()) {
                                *lock(&state.joined).entry(m.channel.clone()).or_insert(0) += 1;
                            }
                            format!(r#"["{}",{{"response":{{}},"status":"ok"}}]"#, m.channel)
                        };
                        if sink.send(Message::text(reply)).await.is_err() {
                            return;
                        }
                    }
                    "leave" => {
                        c.leaves.fetch_add(1, Ordering::Relaxed);
                        if state.ignore_leave.load(Ordering::Relaxed) {
                            continue;
                        }
                        if joined.remove(&m.channel) {
                            let mut all = lock(&state.joined);
                            if let Some(n) = all.get_mut(&m.channel) {
                                *n -= 1;
                                if *n == 0 {
                                    all.remove(&m.channel);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            frame = frames.recv() => match frame {
                Ok(out) => {
                    if joined.contains(&out.channel) {
                        // Buffered: one write for everything already queued (as a busy server's
                        // TCP stack coalesces), not a syscall per frame.
                        if sink.feed(Message::Text(out.text.clone())).await.is_err() {
                            return;
                        }
                        c.frames_sent.fetch_add(1, Ordering::Relaxed);
                        unflushed += 1;
                    }
                    if unflushed > 0 && (frames.is_empty() || unflushed >= 256) {
                        if sink.flush().await.is_err() {
                            return;
                        }
                        unflushed = 0;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    c.frames_dropped.fetch_add(n, Ordering::Relaxed);
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            ctl = control.recv() => match ctl {
                Ok(Control::Drop) | Err(broadcast::error::RecvError::Closed) => return,
                Ok(Control::Stall(d)) => tokio::time::sleep(d).await,
                Ok(Control::Inject(text)) => {
                    if sink.send(Message::text(text.to_string())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
            },
        }
    }
}
