//! The live UW WebSocket client.
//!
//! One tokio task owns the socket. It joins the channels the
//! [`SubscriptionTable`](crate::subscription::table::SubscriptionTable) needs, reads
//! and parses every frame, routes records to subscriptions, and pushes them into a [`FeedQueue`]
//! without ever waiting for the consumer. Liveness follows UW's own clients
//! (docs/uw-api.md#liveness-and-reconnect): after `heartbeat_after` of silence it sends a
//! WebSocket ping and declares the connection dead when no pong (or any frame) arrives within
//! `pong_timeout`. A lost connection is re-established with
//! exponential backoff and jitter, and every channel is joined again; a panic
//! in the task (a broken invariant) is reported and the task starts again.
//!
//! Everything a user should see (connects, refusals, parse errors, overflow) leaves as
//! [`FeedEvent::Log`] and `UwFeedStatus` records through the same queue, so the Python side logs it
//! with the node's logger on the event-loop thread.
//!
//! This file is the handle. The task is in `connection.rs` (connect, reconnect) and `session.rs`
//! (one connection's joins, heartbeat and frames), the REST back-fill after a reconnect in
//! `backfill.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::aggregate::{Aggregator, FlowBarSpec};
use crate::common::credential::{UwCredential, redact_url};
use crate::data::UwPayload;
use crate::subscription::channel::{ChannelKind, UwChannel};
use crate::subscription::metadata::{RouteError, UwFilter};
use crate::subscription::source::{StreamSource, channels_for, stream_source};
use crate::subscription::table::{RouteId, Subscription, SubscriptionId};
use crate::websocket::config::UwWsConfig;
use crate::websocket::connection::supervise;
use crate::websocket::queue::{FeedEvent, FeedQueue};
use crate::websocket::shared::{Command, Shared};
use crate::websocket::stats::StatsSnapshot;

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
        let shared = Arc::new(Shared::new(config));
        let (tx, rx) = mpsc::unbounded_channel();
        let task_shared = Arc::clone(&shared);
        runtime.spawn(async move {
            supervise(&task_shared, rx).await;
            task_shared.mark_stopped();
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
        let (filter, aggregator) = if source == StreamSource::FlowBars {
            let spec = FlowBarSpec::from_metadata(metadata)?;
            (
                UwFilter::default(),
                Some(Aggregator::new(spec, &self.shared.config.ids)),
            )
        } else {
            (UwFilter::from_metadata(type_name, keys, metadata)?, None)
        };
        let channels = match (source, &aggregator) {
            (StreamSource::Channel(kind), _) => channels_for(type_name, kind, &filter)?,
            // Only the ticker's own channel: it carries every print of the ticker once.
            (StreamSource::FlowBars, Some(aggregator)) => vec![UwChannel {
                kind: ChannelKind::OptionTrades,
                ticker: Some(aggregator.spec().ticker.clone()),
            }],
            _ => Vec::new(),
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut table = self.shared.table();
        let new = table.add(Subscription {
            id,
            source,
            filter,
            channels: channels.clone(),
        });
        if let Some(aggregator) = aggregator {
            table.flow_bars().insert(id, aggregator);
            self.shared.bars_active.store(true, Ordering::Relaxed);
        }
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
                    routes: smallvec::smallvec![route],
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
        let gone = {
            let mut table = self.shared.table();
            let gone = table.remove(id);
            let active = !table.flow_bars().is_empty();
            self.shared.bars_active.store(active, Ordering::Relaxed);
            gone
        };
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
        let mut snapshot =
            self.shared
                .stats
                .snapshot(q.depth(), q.high_water(), q.capacity(), q.dropped());
        snapshot.flow_bars = self.shared.table().flow_bars().stats();
        snapshot
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
        self.shared.wait_stopped(timeout)
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
