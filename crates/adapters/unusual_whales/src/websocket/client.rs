//! The live UW WebSocket client.
//!
//! One tokio task owns the socket. It joins the channels the [`SubscriptionTable`] needs, reads
//! and parses every frame, routes records to subscriptions, and pushes them into a [`FeedQueue`]
//! without ever waiting for the consumer. Liveness follows UW's own clients
//! (docs/uw-api.md#liveness-and-reconnect): after `heartbeat_after` of silence it sends a
//! WebSocket ping and declares the connection dead when no pong (or any frame) arrives within
//! `pong_timeout`. A lost connection is re-established with
//! exponential backoff and jitter, and every channel is joined again. HTTP 401/403 on the upgrade
//! of the first connection (bad token, or a plan without WebSocket access) is reported once and
//! not retried: a retry storm would not fix it. After the token has worked once, 401/403 is a
//! gateway hiccup or a token rotation: it is reported as `not_entitled` on every attempt and
//! retried with the capped backoff. An explicit reconnect, or a new key, retries at once.
//! A panic in the task (a broken invariant) is reported and the task starts again.
//!
//! Everything a user should see (connects, refusals, parse errors, overflow) leaves as
//! [`FeedEvent::Log`] and `UwFeedStatus` records through the same queue, so the Python side logs it
//! with the node's logger on the event-loop thread.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use rand::SeedableRng as _;
use rand::rngs::{SmallRng, SysRng};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::common::backoff::ExponentialBackoff;
use crate::common::channel::{ChannelKind, UwChannel};
use crate::common::consts::{MAX_FRAME_BYTES, UW_WS_URL};
use crate::common::credential::{UwCredential, redact_url};
use crate::common::parse::in_regular_session;
use crate::common::symbol::InstrumentIdFormat;
use crate::data::record::UwRecord;
use crate::data::status::state;
use crate::data::{FeedStatus, FlowAlert, OptionTrade, PayloadItem, UwPayload};
use crate::http::client::UwHttpClient;
use crate::http::history::{HistoryQuery, fetch_history};
use crate::subscription::channels::{StreamSource, channels_for, stream_source};
use crate::subscription::filter::RecordView;
use crate::subscription::metadata::{RouteError, UwFilter};
use crate::subscription::table::{RouteId, Subscription, SubscriptionId, SubscriptionTable};
use crate::websocket::messages::UwWsMessage;
use crate::websocket::parse::parse_frame;
use crate::websocket::queue::{FeedEvent, FeedQueue, LogLevel};
use crate::websocket::stats::{FeedStats, StatsSnapshot};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Settings of the live client. [`UwWsConfig::new`] gives UW's documented behaviour.
#[derive(Debug, Clone)]
pub struct UwWsConfig {
    /// WebSocket URL without the token (`wss://api.unusualwhales.com/socket`).
    pub url: String,
    /// The API token; it is appended as `?token=` and never shown.
    pub credential: UwCredential,
    /// How instrument ids are written (venue, OCC root form).
    pub ids: InstrumentIdFormat,
    /// Silence after which a ping is sent (UW's clients: 30 s).
    pub heartbeat_after: Duration,
    /// How long to wait for the pong (UW's clients: 10 s).
    pub pong_timeout: Duration,
    /// Limit for the TCP + TLS + upgrade handshake.
    pub connect_timeout: Duration,
    /// First reconnect delay; doubled per failed attempt.
    pub reconnect_initial: Duration,
    /// Largest reconnect delay.
    pub reconnect_max: Duration,
    /// Random extra delay as a fraction of the delay (0.1 = up to +10 %), so many clients do not
    /// reconnect in lockstep.
    pub reconnect_jitter: f64,
    /// Give up after this many consecutive failed attempts (`None` = never).
    pub max_reconnect_attempts: Option<u32>,
    /// A join without acknowledgement is sent again after this long (at most 3 times).
    pub join_timeout: Duration,
    /// If data keeps arriving this long after a leave, UW ignored it: reconnect with the remaining
    /// joins, the only documented way to unsubscribe.
    pub leave_grace: Duration,
    /// A busy channel silent for this long is reported stale (`None` = never).
    pub stale_after: Option<Duration>,
    /// Report staleness only during the US regular session (silence outside it is normal).
    pub stale_only_in_session: bool,
    /// Records the queue toward the consumer holds before dropping (and counting) new ones.
    pub queue_capacity: usize,
    /// After a reconnect, fetch the flow alerts the gap missed from this REST client and publish
    /// the ones not already seen (UW's WebSocket has no replay,
    /// docs/uw-api.md#dropped-messages-and-no-replay).
    pub backfill: Option<UwHttpClient>,
    /// Append every received frame with its arrival time to this JSONL file
    /// (`{"received_at": ..., "frame": ...}`, the format `uw-nt replay` and the simulator read).
    pub record_path: Option<PathBuf>,
}

impl UwWsConfig {
    /// UW's production URL and documented timings for `credential`.
    #[must_use]
    pub fn new(credential: UwCredential) -> Self {
        Self {
            url: UW_WS_URL.to_owned(),
            credential,
            ids: InstrumentIdFormat::default(),
            heartbeat_after: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            reconnect_initial: Duration::from_secs(1),
            reconnect_max: Duration::from_secs(60),
            reconnect_jitter: 0.1,
            max_reconnect_attempts: None,
            join_timeout: Duration::from_secs(10),
            leave_grace: Duration::from_secs(5),
            stale_after: Some(Duration::from_secs(120)),
            stale_only_in_session: true,
            // About 2.1 KB per queued record (measured on option prints and flow alerts), so
            // about 210 MB at most: a few seconds of UW's busiest firehose behind a stalled strategy.
            queue_capacity: 100_000,
            backfill: None,
            record_path: None,
        }
    }

    /// The URL with the token, for the upgrade request only.
    fn url_with_token(&self, credential: &UwCredential) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!(
            "{}{sep}token={}",
            self.url,
            percent_encode(credential.expose())
        )
    }

    /// The reconnect schedule: `reconnect_initial` doubled per failed attempt up to `reconnect_max`.
    #[must_use]
    pub const fn backoff(&self) -> ExponentialBackoff {
        ExponentialBackoff::new(self.reconnect_initial, self.reconnect_max)
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

enum Command {
    Join(Vec<UwChannel>),
    Leave(Vec<UwChannel>),
    Reconnect(String),
    Shutdown,
}

/// What ends a wait while the client is offline.
enum Wake {
    Shutdown,
    Reconnect(String),
}

/// Shared between the handle and the task.
struct Shared {
    config: UwWsConfig,
    /// The token in use: `config.credential` until [`UwWsClient::set_credential`] replaces it.
    credential: Mutex<UwCredential>,
    table: Mutex<SubscriptionTable>,
    queue: Arc<FeedQueue>,
    stats: Arc<FeedStats>,
    /// The latest status, replayed to a new `UwFeedStatus` subscriber. Read and written only
    /// while the table lock is held, so a subscriber gets each status exactly once.
    last_status: Mutex<Option<FeedStatus>>,
    /// Ids of recent flow alerts, so a back-fill publishes only what the gap missed.
    seen: Mutex<BackfillDedup>,
    /// Event time of the newest flow alert / option print per channel: where a gap starts.
    last_event_ns: Mutex<HashMap<UwChannel, u64>>,
    recorder: Option<Mutex<BufWriter<File>>>,
    stopped: (Mutex<bool>, Condvar),
}

impl Shared {
    fn table(&self) -> MutexGuard<'_, SubscriptionTable> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn credential(&self) -> UwCredential {
        self.credential
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `text` without the token in use nor the configured one (after a key change, a peer may
    /// still echo the old one).
    fn scrub(&self, text: &str) -> String {
        let current = self.credential();
        let text = current.scrub(text);
        if current == self.config.credential {
            text
        } else {
            self.config.credential.scrub(&text)
        }
    }

    fn log(&self, level: LogLevel, message: impl Into<String>) {
        let message = self.scrub(&message.into());
        self.queue.push_control(FeedEvent::Log { level, message });
    }

    fn status(
        &self,
        status: &str,
        channel: Option<&UwChannel>,
        detail: Option<String>,
        attempt: Option<i64>,
    ) {
        let detail = detail.map(|d| self.scrub(&d));
        let record = FeedStatus::new(
            status,
            channel.map(ToString::to_string),
            detail,
            attempt,
            now_nanos(),
        );
        let mut table = self.table();
        if channel.is_none() {
            *self
                .last_status
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(record.clone());
        }
        if let Some(route) = table.status_route() {
            self.queue.push_control(FeedEvent::Data {
                payload: UwPayload::FeedStatus(vec![record]),
                routes: vec![route],
            });
        }
    }
}

/// A running client. Dropping it stops the task.
pub struct UwWsClient {
    shared: Arc<Shared>,
    commands: mpsc::UnboundedSender<Command>,
    next_id: AtomicU64,
}

impl UwWsClient {
    /// Starts the connection task on `runtime` and returns at once; the connection is made (and
    /// re-made) in the background.
    #[must_use]
    pub fn start(config: UwWsConfig, runtime: &tokio::runtime::Handle) -> Self {
        let recorder = config.record_path.as_ref().and_then(|path| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()
                .map(|f| Mutex::new(BufWriter::new(f)))
        });
        let queue = Arc::new(FeedQueue::new(config.queue_capacity));
        let shared = Arc::new(Shared {
            credential: Mutex::new(config.credential.clone()),
            config,
            table: Mutex::new(SubscriptionTable::default()),
            queue,
            stats: Arc::new(FeedStats::default()),
            last_status: Mutex::new(None),
            seen: Mutex::new(BackfillDedup::default()),
            last_event_ns: Mutex::new(HashMap::new()),
            recorder,
            stopped: (Mutex::new(false), Condvar::new()),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let task_shared = Arc::clone(&shared);
        runtime.spawn(async move {
            supervise(&task_shared, rx).await;
            if let Some(rec) = &task_shared.recorder {
                let _ = rec.lock().unwrap_or_else(PoisonError::into_inner).flush();
            }
            task_shared.stats.connected.store(false, Ordering::Relaxed);
            task_shared.queue.close();
            let (lock, cv) = &task_shared.stopped;
            *lock.lock().unwrap_or_else(PoisonError::into_inner) = true;
            cv.notify_all();
        });
        Self {
            shared,
            commands: tx,
            next_id: AtomicU64::new(1),
        }
    }

    /// Adds a subscription for the Python type `type_name` with `DataType.metadata` pairs and
    /// joins the UW channels it needs (at once, or after the connection is up).
    ///
    /// # Errors
    /// Unknown types, REST-only types and bad metadata, before anything is joined.
    pub fn subscribe<K: AsRef<str>, V: AsRef<str>>(
        &self,
        type_name: &str,
        metadata: &[(K, V)],
    ) -> Result<(SubscriptionId, Vec<UwChannel>), RouteError> {
        let (source, keys) = stream_source(type_name)?;
        let filter = UwFilter::from_metadata(type_name, keys, metadata)?;
        let channels = match source {
            StreamSource::Channel(kind) => channels_for(type_name, kind, &filter)?,
            StreamSource::FeedStatus => Vec::new(),
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut table = self.shared.table();
        let new = table.add(Subscription {
            id,
            source,
            filter,
            channels: channels.clone(),
        });
        if source == StreamSource::FeedStatus {
            // A strategy subscribing late still learns the connection state it is in.
            let last = self
                .shared
                .last_status
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            if let Some(status) = last {
                let route = table.route_for(&[id]);
                self.shared.queue.push_control(FeedEvent::Data {
                    payload: UwPayload::FeedStatus(vec![status]),
                    routes: vec![route],
                });
            }
        }
        drop(table);
        if !new.is_empty() {
            let _ = self.commands.send(Command::Join(new));
        }
        Ok((id, channels))
    }

    /// Removes a subscription; channels no other subscription needs are left. Returns those.
    pub fn unsubscribe(&self, id: SubscriptionId) -> Vec<UwChannel> {
        let gone = self.shared.table().remove(id);
        if !gone.is_empty() {
            let _ = self.commands.send(Command::Leave(gone.clone()));
        }
        gone
    }

    /// The subscriptions a route delivers to.
    #[must_use]
    pub fn route_members(&self, route: RouteId) -> Vec<SubscriptionId> {
        self.shared
            .table()
            .route_members(route)
            .map(<[_]>::to_vec)
            .unwrap_or_default()
    }

    /// The channels currently needed.
    #[must_use]
    pub fn channels(&self) -> Vec<UwChannel> {
        self.shared.table().channels().cloned().collect()
    }

    /// The queue the consumer reads.
    #[must_use]
    pub fn queue(&self) -> &Arc<FeedQueue> {
        &self.shared.queue
    }

    /// The counters now.
    #[must_use]
    pub fn stats(&self) -> StatsSnapshot {
        let q = &self.shared.queue;
        self.shared
            .stats
            .snapshot(q.depth(), q.high_water(), q.capacity(), q.dropped())
    }

    /// Uses `credential` from the next connection on and reconnects at once (a rotated token).
    pub fn set_credential(&self, credential: UwCredential) {
        *self
            .shared
            .credential
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = credential;
        self.reconnect("new API key");
    }

    /// Drops the connection and reconnects (re-joining everything), e.g. after a config change;
    /// while offline (backing off, or parked after a refused token) it retries at once.
    pub fn reconnect(&self, reason: &str) {
        let _ = self.commands.send(Command::Reconnect(reason.to_owned()));
    }

    /// Asks the task to close the socket and stop; see [`UwWsClient::wait_stopped`].
    pub fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown);
    }

    /// Blocks until the task has stopped (true) or `timeout` passed (false). Call it off the
    /// runtime's threads.
    #[must_use]
    pub fn wait_stopped(&self, timeout: Duration) -> bool {
        let (lock, cv) = &self.shared.stopped;
        let guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
        *cv.wait_timeout_while(guard, timeout, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner)
            .0
    }

    /// The URL the client connects to, token redacted (for logs and reprs).
    #[must_use]
    pub fn display_url(&self) -> String {
        redact_url(&self.shared.config.url_with_token(&self.shared.credential()))
    }
}

impl Drop for UwWsClient {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
    }
}

/// The current time in UNIX nanoseconds.
fn now_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

enum SessionEnd {
    Shutdown,
    Lost(String),
}

enum ConnectError {
    Unauthorized(u16),
    Failed(String),
}

async fn connect(shared: &Shared) -> Result<Socket, ConnectError> {
    let config = &shared.config;
    // Frames beyond the parser's limit still arrive whole, so the parser reports them (counted)
    // instead of the socket failing and reconnecting in a loop on one bad frame.
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_BYTES * 4))
        .max_frame_size(Some(MAX_FRAME_BYTES * 4));
    let attempt = tokio_tungstenite::connect_async_with_config(
        config.url_with_token(&shared.credential()),
        Some(ws_config),
        true,
    );
    match tokio::time::timeout(config.connect_timeout, attempt).await {
        Err(_) => Err(ConnectError::Failed(format!(
            "no connection within {:.1}s",
            config.connect_timeout.as_secs_f64()
        ))),
        Ok(Err(tungstenite::Error::Http(response)))
            if matches!(response.status().as_u16(), 401 | 403) =>
        {
            Err(ConnectError::Unauthorized(response.status().as_u16()))
        }
        Ok(Err(e)) => Err(ConnectError::Failed(shared.scrub(&e.to_string()))),
        Ok(Ok((socket, _))) => Ok(socket),
    }
}

/// Waits for a shutdown or reconnect request; joins and leaves need no action while offline
/// (the table holds the wanted channels, joined at the next connect).
async fn until_woken(commands: &mut mpsc::UnboundedReceiver<Command>) -> Wake {
    loop {
        match commands.recv().await {
            None | Some(Command::Shutdown) => return Wake::Shutdown,
            Some(Command::Reconnect(reason)) => return Wake::Reconnect(reason),
            Some(_) => {}
        }
    }
}

/// Waits `delay`, or less when woken. Returns `false` on shutdown.
async fn back_off(
    shared: &Shared,
    delay: Duration,
    commands: &mut mpsc::UnboundedReceiver<Command>,
) -> bool {
    tokio::select! {
        () = tokio::time::sleep(delay) => true,
        go_on = park(shared, commands) => go_on,
    }
}

/// Waits, offline, for a reconnect request (true) or a shutdown (false).
async fn park(shared: &Shared, commands: &mut mpsc::UnboundedReceiver<Command>) -> bool {
    match until_woken(commands).await {
        Wake::Shutdown => false,
        Wake::Reconnect(reason) => {
            shared.log(LogLevel::Info, format!("Reconnecting now: {reason}"));
            true
        }
    }
}

/// Runs the connection task; a panic in it (a broken invariant) is reported and the task starts
/// again after the first reconnect delay, so the feed never dies silently.
async fn supervise(shared: &Arc<Shared>, mut commands: mpsc::UnboundedReceiver<Command>) {
    use futures_util::FutureExt as _;
    loop {
        let outcome = std::panic::AssertUnwindSafe(run(shared, &mut commands))
            .catch_unwind()
            .await;
        let Err(panic) = outcome else { return };
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let end = what.char_indices().nth(200).map_or(what.len(), |(i, _)| i);
        let detail = format!(
            "internal error in the UW client: {}; restarting",
            &what[..end]
        );
        shared.stats.connected.store(false, Ordering::Relaxed);
        shared.log(LogLevel::Error, detail.clone());
        shared.status(state::RECONNECTING, None, Some(detail), None);
        if !back_off(shared, shared.config.reconnect_initial, &mut commands).await {
            return;
        }
    }
}

/// The generator of reconnect jitter: no secrecy needed, only independence between clients
/// started together, so a small generator seeded once from the OS (or the clock if that fails).
fn jitter_rng() -> SmallRng {
    SmallRng::try_from_rng(&mut SysRng).unwrap_or_else(|_| SmallRng::seed_from_u64(now_nanos()))
}

async fn run(shared: &Arc<Shared>, commands: &mut mpsc::UnboundedReceiver<Command>) {
    let config = &shared.config;
    let display_url = redact_url(&config.url_with_token(&shared.credential()));
    let mut failures: u32 = 0;
    let mut rng = jitter_rng();
    loop {
        let connected = tokio::select! {
            r = connect(shared) => r,
            wake = until_woken(commands) => match wake {
                Wake::Shutdown => break,
                Wake::Reconnect(_) => continue,
            },
        };
        let reason = match connected {
            Ok(socket) => {
                failures = 0;
                let reconnect = shared.stats.connects.fetch_add(1, Ordering::Relaxed) > 0;
                if reconnect {
                    shared.stats.reconnects.fetch_add(1, Ordering::Relaxed);
                }
                shared.stats.connected.store(true, Ordering::Relaxed);
                match session(shared, socket, commands, reconnect, &display_url).await {
                    SessionEnd::Shutdown => break,
                    SessionEnd::Lost(reason) => {
                        shared.stats.connected.store(false, Ordering::Relaxed);
                        reason
                    }
                }
            }
            Err(ConnectError::Unauthorized(status))
                if shared.stats.connects.load(Ordering::Relaxed) == 0 =>
            {
                let detail = format!(
                    "UW refused the token with HTTP {status} on {display_url}: the token is invalid or \
                     the plan has no WebSocket access (Advanced plan); not retrying until a reconnect \
                     or a new key"
                );
                shared.log(LogLevel::Error, detail.clone());
                shared.status(state::NOT_ENTITLED, None, Some(detail), None);
                if !park(shared, commands).await {
                    break;
                }
                failures = 0;
                continue;
            }
            Err(ConnectError::Unauthorized(status)) => {
                // The token worked before: a gateway hiccup or a rotation, so keep trying.
                failures += 1;
                let delay = config.backoff().delay(failures);
                let detail = format!(
                    "UW refused the token with HTTP {status} on {display_url} after it had been \
                     accepted; retrying in {:.2}s (attempt {failures})",
                    delay.as_secs_f64()
                );
                shared.log(LogLevel::Error, detail.clone());
                shared.status(
                    state::NOT_ENTITLED,
                    None,
                    Some(detail),
                    Some(i64::from(failures)),
                );
                if !back_off(shared, delay, commands).await {
                    break;
                }
                continue;
            }
            Err(ConnectError::Failed(reason)) => reason,
        };
        failures += 1;
        if config
            .max_reconnect_attempts
            .is_some_and(|max| failures > max)
        {
            let detail = format!("giving up after {} failed attempts: {reason}", failures - 1);
            shared.log(LogLevel::Error, detail.clone());
            shared.status(state::DISCONNECTED, None, Some(detail), None);
            if !park(shared, commands).await {
                return;
            }
            failures = 0;
            continue;
        }
        let delay = config
            .backoff()
            .jittered(failures, config.reconnect_jitter, &mut rng);
        let detail = format!(
            "{reason}; reconnecting in {:.2}s (attempt {failures})",
            delay.as_secs_f64()
        );
        shared.log(
            LogLevel::Warning,
            format!("WebSocket {display_url}: {detail}"),
        );
        shared.status(
            state::RECONNECTING,
            None,
            Some(detail),
            Some(i64::from(failures)),
        );
        if !back_off(shared, delay, commands).await {
            break;
        }
    }
    shared.status(
        state::DISCONNECTED,
        None,
        Some("client stopped".to_owned()),
        None,
    );
}

struct JoinState {
    sent_at: Instant,
    attempts: u32,
    acked_at: Option<Instant>,
    refused: bool,
    warned: bool,
}

fn join_message(channel: &UwChannel, msg_type: &str) -> Message {
    // Channel names are validated ([A-Za-z0-9._-:]), so no JSON escaping is needed.
    Message::text(format!(
        r#"{{"channel":"{channel}","msg_type":"{msg_type}"}}"#
    ))
}

/// Whether a channel normally carries data every few seconds during the session, so that
/// silence means trouble. Halts, alerts, news and snapshots are legitimately quiet.
const fn expected_busy(kind: ChannelKind) -> bool {
    matches!(
        kind,
        ChannelKind::OptionTrades
            | ChannelKind::FlowAlerts
            | ChannelKind::Price
            | ChannelKind::Gex
            | ChannelKind::GexStrike
            | ChannelKind::GexStrikeExpiry
            | ChannelKind::LitTrades
            | ChannelKind::OffLitTrades
            | ChannelKind::MarketTide
            | ChannelKind::NetFlow
    )
}

#[allow(clippy::too_many_lines)]
async fn session(
    shared: &Arc<Shared>,
    socket: Socket,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    reconnect: bool,
    display_url: &str,
) -> SessionEnd {
    let config = &shared.config;
    let (mut sink, mut stream) = socket.split();
    let mut joins: HashMap<UwChannel, JoinState> = HashMap::new();
    let mut left: HashMap<UwChannel, Instant> = HashMap::new();
    let mut last_data: HashMap<UwChannel, Instant> = HashMap::new();
    let mut stale: HashSet<UwChannel> = HashSet::new();
    let mut last_rx = Instant::now();
    let mut ping_sent: Option<Instant> = None;
    let mut overflow_reported: (Option<Instant>, u64) = (None, shared.queue.dropped());

    let wanted: Vec<UwChannel> = shared.table().channels().cloned().collect();
    for ch in &wanted {
        if let Err(e) = sink.send(join_message(ch, "join")).await {
            return SessionEnd::Lost(format!("sending join for {ch} failed: {e}"));
        }
        joins.insert(
            ch.clone(),
            JoinState {
                sent_at: Instant::now(),
                attempts: 1,
                acked_at: None,
                refused: false,
                warned: false,
            },
        );
    }
    let joined = wanted
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let verb = if reconnect {
        "Reconnected to"
    } else {
        "Connected to"
    };
    shared.log(
        LogLevel::Info,
        format!("{verb} {display_url}; joining [{joined}]"),
    );
    shared.status(
        state::CONNECTED,
        None,
        Some(format!("joined [{joined}]")),
        None,
    );
    if reconnect && let Some(http) = &config.backfill {
        let last = shared
            .last_event_ns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for ch in &wanted {
            if let Some(&gap_start) = last.get(ch) {
                tokio::spawn(backfill(
                    Arc::clone(shared),
                    http.clone(),
                    ch.clone(),
                    gap_start,
                ));
            }
        }
    }

    let tick_every = config
        .heartbeat_after
        .min(config.pong_timeout)
        .min(Duration::from_secs(1))
        / 2;
    let mut tick = tokio::time::interval(tick_every.max(Duration::from_millis(10)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    loop {
        tokio::select! {
            biased;
            cmd = commands.recv() => match cmd {
                None | Some(Command::Shutdown) => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(Message::Close(None))).await;
                    shared.log(LogLevel::Info, format!("Closed {display_url}"));
                    return SessionEnd::Shutdown;
                }
                Some(Command::Reconnect(reason)) => return SessionEnd::Lost(reason),
                Some(Command::Join(channels)) => {
                    for ch in channels {
                        left.remove(&ch);
                        if joins.contains_key(&ch) || !shared.table().has_channel(&ch) {
                            continue;
                        }
                        if let Err(e) = sink.send(join_message(&ch, "join")).await {
                            return SessionEnd::Lost(format!("sending join for {ch} failed: {e}"));
                        }
                        shared.log(LogLevel::Info, format!("Joining {ch}"));
                        joins.insert(ch, JoinState { sent_at: Instant::now(), attempts: 1, acked_at: None, refused: false, warned: false });
                    }
                }
                Some(Command::Leave(channels)) => {
                    for ch in channels {
                        // A subscription may have come back for it meanwhile.
                        if shared.table().has_channel(&ch) || joins.remove(&ch).is_none() {
                            continue;
                        }
                        if let Err(e) = sink.send(join_message(&ch, "leave")).await {
                            return SessionEnd::Lost(format!("sending leave for {ch} failed: {e}"));
                        }
                        shared.log(LogLevel::Info, format!("Leaving {ch}"));
                        stale.remove(&ch);
                        left.insert(ch, Instant::now());
                    }
                }
            },
            msg = stream.next() => {
                let bytes = match msg {
                    Some(Ok(Message::Text(t))) => {
                        if let Some(rec) = &shared.recorder {
                            record_frame(rec, t.as_str());
                        }
                        t.into()
                    }
                    Some(Ok(Message::Binary(b))) => b,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                        last_rx = Instant::now();
                        ping_sent = None;
                        continue;
                    }
                    Some(Ok(Message::Close(frame))) => {
                        let why = frame.map_or_else(String::new, |f| format!(" ({} {})", f.code, f.reason));
                        return SessionEnd::Lost(format!("server closed the connection{why}"));
                    }
                    Some(Ok(Message::Frame(_))) => continue,
                    Some(Err(e)) => return SessionEnd::Lost(shared.scrub(&e.to_string())),
                    None => return SessionEnd::Lost("connection closed".to_owned()),
                };
                last_rx = Instant::now();
                ping_sent = None;
                let stats = &shared.stats;
                stats.frames.fetch_add(1, Ordering::Relaxed);
                stats.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                let ts_init = now_nanos();
                stats.last_message_ns.store(ts_init, Ordering::Relaxed);
                match parse_frame(&bytes, ts_init, &config.ids) {
                    Ok(UwWsMessage::JoinAck { channel }) => {
                        if let Some(js) = UwChannel::parse(&channel).and_then(|ch| joins.get_mut(&ch))
                            && js.acked_at.is_none() {
                                js.acked_at = Some(Instant::now());
                                stats.join_acks.fetch_add(1, Ordering::Relaxed);
                            }
                    }
                    Ok(UwWsMessage::JoinError { channel, reason }) => {
                        stats.join_errors.fetch_add(1, Ordering::Relaxed);
                        let parsed = UwChannel::parse(&channel);
                        if let Some(js) = parsed.as_ref().and_then(|ch| joins.get_mut(ch)) {
                            js.refused = true;
                        }
                        // Both texts come from the peer: quoted short, whatever their size.
                        let detail = format!(
                            "UW refused to join {}: {} (retried after the next reconnect)",
                            crate::common::error::quote(&channel),
                            crate::common::error::clip(&reason)
                        );
                        shared.log(LogLevel::Error, detail.clone());
                        shared.status(state::JOIN_REFUSED, parsed.as_ref(), Some(detail), None);
                    }
                    Ok(UwWsMessage::Data { channel, payload }) => {
                        // Per frame: update in place; a key is cloned once per channel.
                        match last_data.get_mut(&channel) {
                            Some(at) => *at = Instant::now(),
                            None => {
                                last_data.insert(channel.clone(), Instant::now());
                            }
                        }
                        if !stale.is_empty() && stale.remove(&channel) {
                            shared.log(LogLevel::Info, format!("{channel} delivers again"));
                            shared.status(state::RESUMED, Some(&channel), None, None);
                        }
                        note_records(shared, &channel, &payload);
                        let n = payload.len() as u64;
                        crate::data::for_each_payload!(&payload, |v| stats.record_channel(
                            &channel,
                            n,
                            v.iter().map(|r| ts_init.saturating_sub(r.ts_event_nanos())),
                        ));
                        if !shared.table().has_channel(&channel) {
                            if let Some(at) = left.get(&channel)
                                && at.elapsed() > config.leave_grace {
                                    return SessionEnd::Lost(format!(
                                        "UW kept sending {channel} {:.1}s after leave; re-connecting with the remaining channels",
                                        at.elapsed().as_secs_f64()
                                    ));
                                }
                            continue;
                        }
                        let (payload, routes) = {
                            let mut table = shared.table();
                            crate::data::for_each_payload!(payload, |v| {
                                let (kept, routes) = table.route(&channel, v);
                                (PayloadItem::into_payload(kept), routes)
                            })
                        };
                        if routes.is_empty() {
                            continue;
                        }
                        let delivered = routes.len() as u64;
                        if shared.queue.push(FeedEvent::Data { payload, routes }) {
                            stats.delivered.fetch_add(delivered, Ordering::Relaxed);
                        } else {
                            report_overflow(shared, &mut overflow_reported);
                        }
                    }
                    Err(e) => {
                        stats.record_error(e.kind());
                        let errors = stats.parse_errors.load(Ordering::Relaxed);
                        // Every error is counted; the log gets the first ten, then one in a thousand.
                        if errors <= 10 || errors.is_multiple_of(1000) {
                            shared.log(LogLevel::Warning, format!("Frame dropped ({} so far): {e}", errors));
                        }
                    }
                }
            },
            _ = tick.tick() => {
                if let Some(rec) = &shared.recorder {
                    let _ = rec.lock().unwrap_or_else(PoisonError::into_inner).flush();
                }
                if let Some(sent) = ping_sent {
                    if sent.elapsed() >= config.pong_timeout {
                        return SessionEnd::Lost(format!(
                            "no pong within {:.1}s of a ping after {:.1}s of silence",
                            config.pong_timeout.as_secs_f64(),
                            config.heartbeat_after.as_secs_f64()
                        ));
                    }
                } else if last_rx.elapsed() >= config.heartbeat_after {
                    if let Err(e) = sink.send(Message::Ping(Vec::new().into())).await {
                        return SessionEnd::Lost(format!("ping failed: {e}"));
                    }
                    shared.stats.pings.fetch_add(1, Ordering::Relaxed);
                    ping_sent = Some(Instant::now());
                }
                for (ch, js) in &mut joins {
                    if js.acked_at.is_some() || js.refused || js.sent_at.elapsed() < config.join_timeout {
                        continue;
                    }
                    if js.attempts < 3 {
                        if let Err(e) = sink.send(join_message(ch, "join")).await {
                            return SessionEnd::Lost(format!("sending join for {ch} failed: {e}"));
                        }
                        js.attempts += 1;
                        js.sent_at = Instant::now();
                    } else if !js.warned {
                        js.warned = true;
                        shared.log(LogLevel::Warning, format!("{ch}: no join acknowledgement after 3 attempts; data will still be delivered if it arrives"));
                    }
                }
                if let Some(stale_after) = config.stale_after
                    && (!config.stale_only_in_session || in_regular_session(now_nanos())) {
                        for (ch, js) in &joins {
                            let Some(acked) = js.acked_at else { continue };
                            let quiet_since = last_data.get(ch).copied().unwrap_or(acked);
                            if expected_busy(ch.kind) && quiet_since.elapsed() >= stale_after && !stale.contains(ch) {
                                stale.insert(ch.clone());
                                let detail = format!("no data for {:.0}s", quiet_since.elapsed().as_secs_f64());
                                shared.log(LogLevel::Warning, format!("{ch} is stale: {detail}"));
                                shared.status(state::STALE, Some(ch), Some(detail), None);
                            }
                        }
                    }
            }
        }
    }
}

/// Recent ids of one record kind, for the back-fill's de-duplication.
///
/// Bounded by count, except that an id is kept while a back-fill that may fetch it is still
/// running: a back-fill slowed by UW's rate limit (a 5k prints/s gap takes many pages) can end
/// long after the live stream went on, and evicting the ids it needs re-delivered them (measured:
/// 33k duplicate prints over a 5-minute soak with a drop every 5 s). A hard cap still holds if a
/// back-fill never ends.
struct SeenIds {
    // 64-bit keyed hashes, not the ids: no allocation per record on the hot path. A false "seen"
    // needs a collision among a few hundred thousand hashes (~1e-14 per lookup).
    hasher: std::collections::hash_map::RandomState,
    set: HashSet<u64>,
    /// (event time, key), in insertion order.
    order: VecDeque<(u64, u64)>,
}

impl Default for SeenIds {
    fn default() -> Self {
        Self {
            hasher: std::collections::hash_map::RandomState::new(),
            set: HashSet::with_capacity(Self::CAPACITY),
            order: VecDeque::with_capacity(Self::CAPACITY),
        }
    }
}

impl SeenIds {
    const CAPACITY: usize = 200_000;
    const HARD_CAP: usize = 8 * Self::CAPACITY;

    /// Records `id` (event time `ts`); false when it was already there. Ids with an event time at
    /// or after `keep_since` (the start of the oldest running back-fill) outlive the capacity.
    fn insert(&mut self, id: &str, ts: u64, keep_since: Option<u64>) -> bool {
        use std::hash::BuildHasher;
        let key = self.hasher.hash_one(id);
        if !self.set.insert(key) {
            return false;
        }
        self.order.push_back((ts, key));
        while self.order.len() > Self::CAPACITY {
            let Some(&(oldest_ts, oldest)) = self.order.front() else {
                break;
            };
            let pinned = keep_since.is_some_and(|since| oldest_ts >= since);
            if pinned && self.order.len() <= Self::HARD_CAP {
                break;
            }
            self.order.pop_front();
            self.set.remove(&oldest);
        }
        true
    }
}

/// The seen ids of each back-filled kind, and where the running back-fills start.
#[derive(Default)]
struct BackfillDedup {
    alerts: SeenIds,
    prints: SeenIds,
    /// `since` of each running back-fill.
    running: Vec<u64>,
}

impl BackfillDedup {
    fn ids<R: BackfillRecord>(&mut self) -> (&mut SeenIds, Option<u64>) {
        let keep_since = self.running.iter().copied().min();
        let ids = if R::REST_TYPE_NAME == <OptionTrade as UwRecord>::TYPE_NAME {
            &mut self.prints
        } else {
            &mut self.alerts
        };
        (ids, keep_since)
    }
}

/// Records of the kinds UW's REST can back-fill, with their UW ids.
trait BackfillRecord: RecordView + PayloadItem {
    const REST_TYPE_NAME: &'static str;
    fn uw_id(&self) -> Option<&str>;
    fn from_payload(payload: UwPayload) -> Vec<Self>;
}

impl BackfillRecord for FlowAlert {
    const REST_TYPE_NAME: &'static str = "UwFlowAlert";
    fn uw_id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn from_payload(payload: UwPayload) -> Vec<Self> {
        match payload {
            UwPayload::FlowAlert(v) => v,
            _ => Vec::new(),
        }
    }
}

impl BackfillRecord for OptionTrade {
    const REST_TYPE_NAME: &'static str = "UwOptionTrade";
    fn uw_id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn from_payload(payload: UwPayload) -> Vec<Self> {
        match payload {
            UwPayload::OptionTrade(v) => v,
            _ => Vec::new(),
        }
    }
}

fn note<R: BackfillRecord>(shared: &Shared, channel: &UwChannel, records: &[R]) {
    let Some(newest) = records.iter().map(UwRecord::ts_event_nanos).max() else {
        return;
    };
    {
        let mut dedup = shared.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let (seen, keep_since) = dedup.ids::<R>();
        for r in records {
            if let Some(id) = r.uw_id() {
                seen.insert(id, r.ts_event_nanos(), keep_since);
            }
        }
    }
    let mut last = shared
        .last_event_ns
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match last.get_mut(channel) {
        Some(at) => *at = (*at).max(newest),
        None => {
            last.insert(channel.clone(), newest);
        }
    }
}

fn note_records(shared: &Shared, channel: &UwChannel, payload: &UwPayload) {
    match payload {
        UwPayload::FlowAlert(v) => note(shared, channel, v),
        UwPayload::OptionTrade(v) => note(shared, channel, v),
        _ => {}
    }
}

/// How far before the last record seen a back-fill starts: records are published a little after
/// their event time, so the newest ones before the gap may not have arrived yet.
const BACKFILL_OVERLAP: Duration = Duration::from_secs(5);

async fn backfill(shared: Arc<Shared>, http: UwHttpClient, channel: UwChannel, gap_start_ns: u64) {
    match channel.kind {
        ChannelKind::FlowAlerts => {
            backfill_kind::<FlowAlert>(shared, http, channel, gap_start_ns).await
        }
        ChannelKind::OptionTrades => {
            backfill_kind::<OptionTrade>(shared, http, channel, gap_start_ns).await
        }
        _ => {}
    }
}

async fn backfill_kind<R: BackfillRecord>(
    shared: Arc<Shared>,
    http: UwHttpClient,
    channel: UwChannel,
    gap_start_ns: u64,
) {
    let since =
        gap_start_ns.saturating_sub(u64::try_from(BACKFILL_OVERLAP.as_nanos()).unwrap_or(0));
    shared
        .seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .running
        .push(since);
    backfill_running::<R>(&shared, http, &channel, since).await;
    let mut dedup = shared.seen.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(i) = dedup.running.iter().position(|s| *s == since) {
        dedup.running.swap_remove(i);
    }
}

async fn backfill_running<R: BackfillRecord>(
    shared: &Arc<Shared>,
    http: UwHttpClient,
    channel: &UwChannel,
    since: u64,
) {
    let channel = channel.clone();
    shared.status(
        state::BACKFILLING,
        Some(&channel),
        Some(format!("fetching what {channel} missed while disconnected")),
        None,
    );
    let query = HistoryQuery {
        type_name: R::REST_TYPE_NAME.to_owned(),
        metadata: channel
            .ticker
            .iter()
            .map(|t| ("ticker".to_owned(), t.clone()))
            .collect(),
        start_ns: Some(since),
        ..HistoryQuery::default()
    };
    match fetch_history(&http, &query, now_nanos()).await {
        Ok(result) => {
            let fetched = result.len();
            let mut missed: Vec<R> = result
                .payloads
                .into_iter()
                .flat_map(R::from_payload)
                .collect();
            missed.sort_by_key(UwRecord::ts_event_nanos);
            {
                let mut dedup = shared.seen.lock().unwrap_or_else(PoisonError::into_inner);
                let (seen, keep_since) = dedup.ids::<R>();
                missed.retain(|r| {
                    r.uw_id()
                        .is_none_or(|id| seen.insert(id, r.ts_event_nanos(), keep_since))
                });
            }
            let published = missed.len();
            let (kept, routes) = shared.table().route(&channel, missed);
            let delivered = routes.len();
            if !routes.is_empty()
                && shared.queue.push(FeedEvent::Data {
                    payload: R::into_payload(kept),
                    routes,
                })
            {
                shared
                    .stats
                    .delivered
                    .fetch_add(delivered as u64, Ordering::Relaxed);
            }
            let detail = format!(
                "{channel}: back-filled {published} records missed during the gap ({fetched} fetched from REST, {} already seen, {delivered} matched a subscription)",
                fetched - published
            );
            shared.log(LogLevel::Info, detail.clone());
            shared.status(
                state::BACKFILLING,
                Some(&channel),
                Some(detail),
                Some(i64::try_from(published).unwrap_or(i64::MAX)),
            );
        }
        Err(e) => {
            let detail = format!("back-fill of {channel} failed: {e}");
            shared.log(LogLevel::Error, detail.clone());
            shared.status(state::BACKFILLING, Some(&channel), Some(detail), None);
        }
    }
}

fn record_frame(recorder: &Mutex<BufWriter<File>>, frame: &str) {
    let now = now_nanos();
    let (secs, nanos) = (now / 1_000_000_000, now % 1_000_000_000);
    #[allow(clippy::cast_possible_wrap)]
    let (y, m, d) = crate::common::parse::civil_from_days((secs / 86_400) as i64);
    let sod = secs % 86_400;
    let line = serde_json::json!({
        "received_at": format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{nanos:09}Z", sod / 3600, sod / 60 % 60, sod % 60),
        "frame": frame,
    });
    let mut w = recorder.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = writeln!(w, "{line}");
}

fn report_overflow(shared: &Shared, reported: &mut (Option<Instant>, u64)) {
    let dropped = shared.queue.dropped();
    if reported
        .0
        .is_some_and(|at| at.elapsed() < Duration::from_secs(1))
    {
        return;
    }
    let new = dropped - reported.1;
    *reported = (Some(Instant::now()), dropped);
    let detail = format!(
        "the strategy is not keeping up: queue full at {} records; {new} new messages dropped ({dropped} in total)",
        shared.queue.capacity()
    );
    shared.log(LogLevel::Error, detail.clone());
    shared.status(
        state::OVERFLOW,
        None,
        Some(detail),
        Some(i64::try_from(dropped).unwrap_or(i64::MAX)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_ids_outlive_the_capacity_while_a_back_fill_may_fetch_them() {
        let mut seen = SeenIds::default();
        let n = SeenIds::CAPACITY as u64;
        // The first id is from before the running back-fill's start, the rest after it.
        assert!(seen.insert("old", 5, Some(10)));
        for i in 0..n {
            assert!(seen.insert(&format!("id-{i}"), 10 + i, Some(10)));
        }
        assert!(
            seen.insert("old", 5, Some(10)),
            "older than the back-fill: evicted"
        );
        assert!(
            !seen.insert("id-0", 10, Some(10)),
            "pinned by the running back-fill"
        );
        // With no back-fill running, the capacity holds again.
        assert!(seen.insert("new", 10 + n, None));
        assert!(seen.order.len() <= SeenIds::CAPACITY);
        assert!(
            seen.insert("id-0", 10, None),
            "evicted once no back-fill needs it"
        );
    }

    fn config() -> UwWsConfig {
        UwWsConfig::new(UwCredential::new("t/k+n").unwrap())
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let c = config();
        let secs: Vec<u64> = (1..=8).map(|a| c.backoff().delay(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(c.backoff().delay(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn the_token_is_encoded_in_the_url_and_redacted_for_display() {
        let c = config();
        assert_eq!(
            c.url_with_token(&c.credential),
            "wss://api.unusualwhales.com/socket?token=t%2Fk%2Bn"
        );
        assert_eq!(
            redact_url(&c.url_with_token(&c.credential)),
            "wss://api.unusualwhales.com/socket?token=***"
        );
        assert!(!format!("{c:?}").contains("t/k+n"));
    }
}
