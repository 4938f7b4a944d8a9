//! What the client handle and its connection task share: the settings, the subscription table,
//! the queue toward the consumer, the counters, and the way both report to the user.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::common::credential::UwCredential;
use crate::common::time::now_nanos;
use crate::data::{FeedStatus, FlowBar, UwPayload};
use crate::subscription::channel::{ChannelMap, UwChannel};
use crate::subscription::table::SubscriptionTable;
use crate::websocket::backfill::EventSpan;
use crate::websocket::config::UwWsConfig;
use crate::websocket::dedup::{BackfillDedup, BackfilledIds};
use crate::websocket::queue::{FeedEvent, FeedQueue, LogLevel};
use crate::websocket::recorder::Recorder;
use crate::websocket::stats::FeedStats;

/// What the handle asks of the connection task.
pub(super) enum Command {
    Join(Vec<UwChannel>),
    Leave(Vec<UwChannel>),
    Reconnect(String),
    Shutdown,
}

/// Shared between the handle and the task.
pub(super) struct Shared {
    pub(super) config: UwWsConfig,
    /// The token in use: `config.credential` until
    /// [`UwWsClient::set_credential`](crate::websocket::client::UwWsClient::set_credential)
    /// replaces it.
    pub(super) credential: Mutex<UwCredential>,
    table: Mutex<SubscriptionTable>,
    pub(super) queue: Arc<FeedQueue>,
    pub(super) stats: Arc<FeedStats>,
    /// The latest status, replayed to a new `UwFeedStatus` subscriber. Read and written only
    /// while the table lock is held, so a subscriber gets each status exactly once.
    pub(super) last_status: Mutex<Option<FeedStatus>>,
    /// Ids of recent flow alerts, so a back-fill publishes only what the gap missed.
    pub(super) seen: Mutex<BackfillDedup>,
    /// Ids each channel's back-fill published, whose live copies are dropped (see
    /// `backfill::drop_backfilled`); `backfilled_any` says whether any is kept, so that the
    /// frames of a connection without a recent back-fill skip the lock.
    pub(super) backfilled: Mutex<ChannelMap<BackfilledIds>>,
    pub(super) backfilled_any: AtomicBool,
    /// Event times of the first and the newest flow alert / option print per channel: where a
    /// gap starts, and how far back one can reach.
    pub(super) last_event_ns: Mutex<ChannelMap<EventSpan>>,
    pub(super) recorder: Option<Recorder>,
    /// Whether any `UwFlowBar` subscription exists: the session then closes quiet intervals on
    /// time. Written under the table lock.
    pub(super) bars_active: AtomicBool,
    /// The back-fills running: a client that stops ends them, so that none goes on fetching
    /// (with the token) after the node that owned it is gone.
    backfills: Mutex<Vec<tokio::task::AbortHandle>>,
    /// The channels whose back-fill runs, each with the earliest start of the gaps later
    /// reconnects found meanwhile: one follow-up covers them all (see `backfill::spawn_backfills`).
    pub(super) backfill_runs: Mutex<ChannelMap<Option<u64>>>,
    stopped: (Mutex<bool>, Condvar),
}

impl Shared {
    pub(super) fn new(config: UwWsConfig) -> Self {
        let recorder = config.record_path.as_deref().and_then(Recorder::open);
        Self {
            credential: Mutex::new(config.credential.clone()),
            table: Mutex::new(SubscriptionTable::default()),
            queue: Arc::new(FeedQueue::new(config.queue_capacity)),
            stats: Arc::new(FeedStats::default()),
            last_status: Mutex::new(None),
            seen: Mutex::new(BackfillDedup::default()),
            backfilled: Mutex::new(ChannelMap::default()),
            backfilled_any: AtomicBool::new(false),
            last_event_ns: Mutex::new(ChannelMap::default()),
            recorder,
            bars_active: AtomicBool::new(false),
            backfills: Mutex::new(Vec::new()),
            backfill_runs: Mutex::new(ChannelMap::default()),
            stopped: (Mutex::new(false), Condvar::new()),
            config,
        }
    }

    pub(super) fn table(&self) -> MutexGuard<'_, SubscriptionTable> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn credential(&self) -> UwCredential {
        self.credential
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `text` without the token in use nor the configured one (after a key change, a peer may
    /// still echo the old one).
    pub(super) fn scrub(&self, text: &str) -> String {
        let current = self.credential();
        let text = current.scrub(text);
        if current == self.config.credential {
            text
        } else {
            self.config.credential.scrub(&text)
        }
    }

    pub(super) fn log(&self, level: LogLevel, message: impl Into<String>) {
        let message = self.scrub(&message.into());
        self.queue.push_control(FeedEvent::Log { level, message });
    }

    pub(super) fn status(
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
                routes: smallvec::smallvec![route],
            });
        }
    }

    /// Queues flow bars, each to its own subscription, even into a full queue
    /// ([`FeedQueue::push_beyond_capacity`]). Called with the table lock held (`table`), so a bar
    /// is never routed to a subscription removed meanwhile.
    pub(super) fn publish_bars(&self, table: &mut SubscriptionTable, bars: Vec<(u64, FlowBar)>) {
        if bars.is_empty() {
            return;
        }
        let routes: crate::subscription::table::RecordRoutes =
            bars.iter().map(|(id, _)| table.route_for(&[*id])).collect();
        let delivered = routes.len() as u64;
        let payload = UwPayload::FlowBar(bars.into_iter().map(|(_, bar)| bar).collect());
        if self
            .queue
            .push_beyond_capacity(FeedEvent::Data { payload, routes })
        {
            self.stats.delivered.fetch_add(delivered, Ordering::Relaxed);
        }
    }

    /// Logs `detail` and publishes it as a `UwFeedStatus`, so that what a user reads and what a
    /// strategy acts on say the same.
    pub(super) fn report(
        &self,
        level: LogLevel,
        status: &str,
        channel: Option<&UwChannel>,
        detail: String,
        attempt: Option<i64>,
    ) {
        self.log(level, detail.clone());
        self.status(status, channel, Some(detail), attempt);
    }

    /// Keeps a running back-fill's handle, so that [`Shared::mark_stopped`] can end it.
    pub(super) fn track_backfill(&self, handle: tokio::task::AbortHandle) {
        let mut running = self
            .backfills
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        running.retain(|h| !h.is_finished());
        running.push(handle);
    }

    /// Called once when the task ends: nothing more will be delivered, nothing more fetched.
    pub(super) fn mark_stopped(&self) {
        for handle in self
            .backfills
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            handle.abort();
        }
        if let Some(recorder) = &self.recorder {
            recorder.flush();
        }
        self.stats.connected.store(false, Ordering::Relaxed);
        self.queue.close();
        let (lock, cv) = &self.stopped;
        *lock.lock().unwrap_or_else(PoisonError::into_inner) = true;
        cv.notify_all();
    }

    /// Blocks until [`Shared::mark_stopped`] (true) or `timeout` (false).
    pub(super) fn wait_stopped(&self, timeout: Duration) -> bool {
        let (lock, cv) = &self.stopped;
        let guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
        *cv.wait_timeout_while(guard, timeout, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner)
            .0
    }
}
