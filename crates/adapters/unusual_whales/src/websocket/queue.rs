//! The bounded queue between the socket reader (tokio) and the consumer (the Python delivery thread).
//!
//! Policy when the consumer cannot keep up: the reader never waits (UW drops messages on its side
//! for a slow reader, SPEC.md §3.2, and then nobody could tell), so once `capacity` records are
//! waiting, new data records are dropped, counted in [`FeedQueue::dropped`] and reported by the
//! client as a log line and a `UwFeedStatus("overflow")`. Log and status events are small and rare
//! and are always queued, so the report of a drop cannot itself be dropped.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::data::UwPayload;
use crate::websocket::route::RouteId;

/// Severity of a client log event (mapped to the Nautilus logger in Python).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Debug detail.
    Debug,
    /// Normal operation (connects, joins).
    Info,
    /// Degraded but working (reconnects, parse errors).
    Warning,
    /// Needs the user (bad token, refused join, overflow).
    Error,
}

/// What the client hands its consumer.
#[derive(Debug)]
pub enum FeedEvent {
    /// Records with the route of each (`routes.len() == payload.len()`).
    Data {
        /// The records.
        payload: UwPayload,
        /// Where each record goes.
        routes: Vec<RouteId>,
    },
    /// A message for the node's log (the token is never in it).
    Log {
        /// Severity.
        level: LogLevel,
        /// Text.
        message: String,
    },
}

impl FeedEvent {
    fn records(&self) -> usize {
        match self {
            Self::Data { payload, .. } => payload.len(),
            Self::Log { .. } => 0,
        }
    }
}

struct State {
    events: VecDeque<FeedEvent>,
    records: usize,
    closed: bool,
}

/// A bounded multi-producer, single-consumer queue counted in records.
pub struct FeedQueue {
    state: Mutex<State>,
    ready: Condvar,
    capacity: usize,
    dropped: AtomicU64,
    high_water: AtomicUsize,
}

/// What [`FeedQueue::pop_batch`] found.
#[derive(Debug)]
pub enum Popped {
    /// Events, oldest first.
    Events(Vec<FeedEvent>),
    /// Nothing arrived within the timeout.
    Empty,
    /// The producer closed the queue and everything was consumed.
    Closed,
}

impl FeedQueue {
    /// A queue holding at most `capacity` data records (at least 1).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(State {
                events: VecDeque::new(),
                records: 0,
                closed: false,
            }),
            ready: Condvar::new(),
            capacity: capacity.max(1),
            dropped: AtomicU64::new(0),
            high_water: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the deque half-updated; keep going.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues an event without waiting. Returns `false` (and counts the records as dropped) when a
    /// data event does not fit or the queue is closed.
    pub fn push(&self, event: FeedEvent) -> bool {
        let n = event.records();
        let mut state = self.lock();
        if state.closed || (n > 0 && state.records + n > self.capacity) {
            drop(state);
            self.dropped.fetch_add(n as u64, Ordering::Relaxed);
            return false;
        }
        state.records += n;
        self.high_water.fetch_max(state.records, Ordering::Relaxed);
        state.events.push_back(event);
        drop(state);
        self.ready.notify_one();
        true
    }

    /// Queues an event regardless of capacity: for the client's own status reports, which must
    /// reach the strategy precisely when the queue is full.
    pub fn push_control(&self, event: FeedEvent) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        state.records += event.records();
        state.events.push_back(event);
        drop(state);
        self.ready.notify_one();
    }

    /// Waits up to `timeout` for the first event, then takes everything queued up to `max_records`
    /// records without waiting further, so a quiet feed delivers each message at once and a busy
    /// one in batches.
    pub fn pop_batch(&self, max_records: usize, timeout: Duration) -> Popped {
        let mut state = self.lock();
        if state.events.is_empty() && !state.closed {
            state = self
                .ready
                .wait_timeout_while(state, timeout, |s| s.events.is_empty() && !s.closed)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        if state.events.is_empty() {
            return if state.closed {
                Popped::Closed
            } else {
                Popped::Empty
            };
        }
        let mut out = Vec::new();
        let mut taken = 0;
        while let Some(front) = state.events.front() {
            let n = front.records();
            if !out.is_empty() && taken + n > max_records {
                break;
            }
            taken += n;
            out.extend(state.events.pop_front());
        }
        state.records -= taken;
        Popped::Events(out)
    }

    /// Marks the end of the stream: the consumer drains what is left, then sees [`Popped::Closed`].
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }

    /// Records waiting now.
    #[must_use]
    pub fn depth(&self) -> usize {
        self.lock().records
    }

    /// The most records ever waiting at once.
    #[must_use]
    pub fn high_water(&self) -> usize {
        self.high_water.load(Ordering::Relaxed)
    }

    /// Records dropped because the queue was full.
    #[must_use]
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The configured capacity in records.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use super::*;
    use crate::data::FeedStatus;

    fn data(n: usize) -> FeedEvent {
        FeedEvent::Data {
            payload: UwPayload::FeedStatus(
                (0..n)
                    .map(|_| FeedStatus::new("connected", None, None, None, 1))
                    .collect(),
            ),
            routes: vec![0; n],
        }
    }

    fn log() -> FeedEvent {
        FeedEvent::Log {
            level: LogLevel::Warning,
            message: "x".into(),
        }
    }

    #[test]
    fn full_queue_drops_and_counts_data_but_never_logs() {
        let q = FeedQueue::new(3);
        assert!(q.push(data(2)));
        assert!(!q.push(data(2)));
        assert!(q.push(data(1)));
        assert!(q.push(log()));
        assert_eq!((q.depth(), q.dropped(), q.high_water()), (3, 2, 3));
        let Popped::Events(ev) = q.pop_batch(100, Duration::ZERO) else {
            panic!()
        };
        assert_eq!(ev.len(), 3);
        assert_eq!(q.depth(), 0);
    }

    #[test]
    fn batches_respect_the_record_limit_but_always_make_progress() {
        let q = FeedQueue::new(100);
        q.push(data(5));
        q.push(data(5));
        let Popped::Events(ev) = q.pop_batch(3, Duration::ZERO) else {
            panic!()
        };
        assert_eq!(ev.len(), 1, "one oversized event still comes out");
        let Popped::Events(ev) = q.pop_batch(100, Duration::ZERO) else {
            panic!()
        };
        assert_eq!(ev.len(), 1);
        assert!(matches!(
            q.pop_batch(100, Duration::from_millis(5)),
            Popped::Empty
        ));
    }

    #[test]
    fn a_waiting_consumer_wakes_on_the_first_event_and_sees_the_close() {
        let q = Arc::new(FeedQueue::new(10));
        let producer = {
            let q = Arc::clone(&q);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                q.push(data(1));
                q.close();
                assert!(!q.push(data(1)), "closed queues refuse data");
            })
        };
        let start = Instant::now();
        let Popped::Events(ev) = q.pop_batch(10, Duration::from_secs(5)) else {
            panic!()
        };
        assert_eq!(ev.len(), 1);
        assert!(start.elapsed() < Duration::from_secs(2));
        producer.join().unwrap();
        assert!(matches!(
            q.pop_batch(10, Duration::from_secs(5)),
            Popped::Closed
        ));
    }
}
