//! The bounded queue between the socket reader (tokio) and the consumer (the event loop, woken
//! through [`Wakeup`], or a thread blocking in [`FeedQueue::pop_batch`]).
//!
//! Policy when the consumer cannot keep up: once `capacity` records are waiting, the reader first
//! holds back (see `websocket::session`), and only when the consumer is far behind (the oldest
//! waiting record has waited too long, [`FeedQueue::oldest_wait`]) are new data records dropped,
//! counted in [`FeedQueue::dropped`] and reported by the client as a log line and a
//! `UwFeedStatus("overflow")`: UW drops messages on its side for a reader that stays behind
//! (docs/uw-api.md#dropped-messages-and-no-replay), and then nobody could tell. Flow bars are
//! queued regardless ([`FeedQueue::push_beyond_capacity`]).
//!
//! Log and status events are small and rare and are always queued, so the report of a drop cannot
//! itself be dropped, and they travel in a lane of their own that the consumer empties before
//! taking data: a user hears of an overflow (or a refused token, or a reconnect) on the
//! consumer's next pass, not after the backlog it is behind on.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::data::UwPayload;
use crate::subscription::table::RecordRoutes;

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
        routes: RecordRoutes,
    },
    /// A message for the node's log (the token is never in it).
    Log {
        /// Severity.
        level: LogLevel,
        /// Text.
        message: String,
    },
}

/// A record the consumer is done with, handed back with [`FeedQueue::give_back`] to be freed
/// by the producer.
pub type Spent = Box<dyn Send>;

impl FeedEvent {
    /// The records this event carries (0 for a log line).
    #[must_use]
    pub fn records(&self) -> usize {
        match self {
            Self::Data { payload, .. } => payload.len(),
            Self::Log { .. } => 0,
        }
    }

    /// Hints the CPU to fetch the event's records and routes, for a consumer about to take it
    /// while it works on the one before (see [`crate::common::prefetch`]).
    pub fn prefetch(&self) {
        if let Self::Data { payload, routes } = self {
            payload.prefetch();
            crate::common::prefetch::prefetch_slice(routes);
        }
    }
}

#[cfg(unix)]
type WakeSocket = std::os::unix::net::UnixStream;
#[cfg(not(unix))]
type WakeSocket = std::net::TcpStream;

#[cfg(unix)]
fn wake_pair() -> std::io::Result<(WakeSocket, WakeSocket)> {
    WakeSocket::pair()
}

#[cfg(not(unix))]
fn wake_pair() -> std::io::Result<(WakeSocket, WakeSocket)> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let writer = WakeSocket::connect(listener.local_addr()?)?;
    let (reader, _) = listener.accept()?;
    Ok((reader, writer))
}

/// A socket an event loop can watch (`loop.add_reader`) instead of a thread blocking on the queue:
/// it turns readable when events arrive that the consumer has not been told about yet. One byte
/// per wake-up, not per event: while the consumer is busy, further pushes cost one atomic swap.
pub struct Wakeup {
    reader: WakeSocket,
    writer: WakeSocket,
    pending: AtomicBool,
}

impl Wakeup {
    fn new() -> std::io::Result<Self> {
        let (reader, writer) = wake_pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
        Ok(Self {
            reader,
            writer,
            pending: AtomicBool::new(false),
        })
    }

    fn notify(&self) {
        if !self.pending.swap(true, Ordering::SeqCst) {
            // Cannot block (non-blocking) and cannot fill up: at most one unread byte per
            // consumer pass. A failure only costs a wake-up the next push repeats.
            let _ = (&self.writer).write(&[1]);
        }
    }

    /// Acknowledges the wake-up; the consumer must then take what the queue holds. Reading the
    /// bytes before re-arming means a push that races with this either sees `pending` still set
    /// (its events are taken by the pop that follows) or writes a fresh byte.
    ///
    /// One read takes them: a read of a stream socket returns every byte waiting up to the
    /// buffer's size, and there are at most two (a push that re-arms between a clear's read and
    /// its store). Reading again until the socket is empty cost a second system call per
    /// wake-up, one per message at a few thousand messages a second.
    pub fn clear(&self) {
        let mut buf = [0_u8; 64];
        while matches!((&self.reader).read(&mut buf), Ok(n) if n == buf.len()) {}
        self.pending.store(false, Ordering::SeqCst);
    }

    /// The OS handle to watch for readability (a file descriptor; a socket handle on Windows).
    #[must_use]
    pub fn handle(&self) -> i64 {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            i64::from(self.reader.as_raw_fd())
        }
        #[cfg(windows)]
        {
            use std::os::windows::io::AsRawSocket;
            self.reader.as_raw_socket() as i64
        }
    }
}

struct State {
    /// Logs and statuses: taken before any data.
    control: VecDeque<FeedEvent>,
    /// Data, oldest first, each with the time its frame arrived.
    events: VecDeque<(FeedEvent, Instant)>,
    /// Data records in `events` (what the capacity limits).
    records: usize,
    /// The most `records` ever: kept under the lock each push takes anyway, where an atomic
    /// maximum was a compare-and-swap loop per frame.
    high_water: usize,
    closed: bool,
    /// Consumers blocked in [`FeedQueue::pop_batch`]: a push signals the condition variable only
    /// then, because signalling it is a system call even when nobody waits (measured: a tenth of
    /// the reader's per-frame cost in the live-path bench).
    waiting: usize,
    /// Records the consumer gave back ([`FeedQueue::give_back`]), freed by the next push.
    spent: Vec<Spent>,
}

impl State {
    fn is_empty(&self) -> bool {
        self.control.is_empty() && self.events.is_empty()
    }
}

/// A bounded multi-producer, single-consumer queue counted in records.
pub struct FeedQueue {
    state: Mutex<State>,
    ready: Condvar,
    capacity: usize,
    dropped: AtomicU64,
    wakeup: OnceLock<Wakeup>,
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
                control: VecDeque::new(),
                events: VecDeque::new(),
                records: 0,
                high_water: 0,
                closed: false,
                waiting: 0,
                spent: Vec::new(),
            }),
            ready: Condvar::new(),
            capacity: capacity.max(1),
            dropped: AtomicU64::new(0),
            wakeup: OnceLock::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the deque half-updated; keep going.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues an event without waiting. Returns `false` (and counts the records as dropped) when a
    /// data event does not fit or the queue is closed.
    pub fn push(&self, event: FeedEvent) -> bool {
        self.try_push(event, Instant::now())
            .unwrap_or_else(|event| {
                self.dropped
                    .fetch_add(event.records() as u64, Ordering::Relaxed);
                false
            })
    }

    /// As [`FeedQueue::push`], except that an event that does not fit comes back (`Err`) instead
    /// of being dropped: the reader holds it and stops reading while the consumer catches up.
    /// `Ok` carries what `push` returns (false only once the queue is closed). `arrived`: when its
    /// frame came in, what [`FeedQueue::oldest_wait`] measures from (the reader has read the clock
    /// for the frame already).
    ///
    /// # Errors
    /// The event itself, when it does not fit.
    pub fn try_push(&self, event: FeedEvent, arrived: Instant) -> Result<bool, FeedEvent> {
        self.push_limited(event, arrived, self.capacity)
    }

    /// Queues a data event in order with the rest even when the queue is full (false only once
    /// it is closed): for flow bars, which are few and each sum many prints, so that a backlog of
    /// those very prints never costs a bar. They count towards the depth like any record.
    pub fn push_beyond_capacity(&self, event: FeedEvent) -> bool {
        self.push_limited(event, Instant::now(), usize::MAX)
            .unwrap_or(false)
    }

    fn push_limited(
        &self,
        event: FeedEvent,
        arrived: Instant,
        capacity: usize,
    ) -> Result<bool, FeedEvent> {
        let n = event.records();
        let mut state = self.lock();
        // Freed once the lock is released (and the consumer told), whatever becomes of the
        // event: a reader held back by a full queue frees them while it waits.
        let spent = std::mem::take(&mut state.spent);
        if state.closed {
            drop(state);
            self.dropped.fetch_add(n as u64, Ordering::Relaxed);
            return Ok(false);
        }
        if n > 0 && state.records.saturating_add(n) > capacity {
            drop(state);
            drop(spent);
            return Err(event);
        }
        state.records += n;
        state.high_water = state.high_water.max(state.records);
        state.events.push_back((event, arrived));
        let waiting = state.waiting > 0;
        drop(state);
        self.signal(waiting);
        drop(spent);
        Ok(true)
    }

    /// Takes the records in `spent` (leaving it empty) for the producer to free on its next push.
    ///
    /// The consumer is the event loop, shared with the strategy and the execution client, and a
    /// record that comes back after a trip through NautilusTrader's queue has left the caches:
    /// dropping it there cost the loop about 200 ns per print at full rate (`perf` of the loop
    /// thread: the record's drop reading its cold lines for its heap blocks, and the allocator
    /// freeing each into the reader thread's heap, its cross-thread path). The reader frees them
    /// where it allocated them, between frames. Records given back while no frame arrives wait
    /// for the next one (at most what the consumer took since the last) or for the queue to be
    /// dropped.
    pub fn give_back(&self, spent: &mut Vec<Spent>) {
        if spent.is_empty() {
            return;
        }
        let mut state = self.lock();
        if state.spent.is_empty() {
            // The producer took the last list: this one goes in whole, its capacity with it.
            std::mem::swap(&mut state.spent, spent);
        } else {
            state.spent.append(spent);
        }
    }

    /// Records given back and not yet freed (for tests).
    #[cfg(test)]
    fn spent(&self) -> usize {
        self.lock().spent.len()
    }

    /// Queues an event regardless of capacity, ahead of all data: for the client's own logs and
    /// status reports, which must reach the strategy precisely when the queue is full.
    pub fn push_control(&self, event: FeedEvent) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        state.control.push_back(event);
        let waiting = state.waiting > 0;
        drop(state);
        self.signal(waiting);
    }

    /// `waiting`: whether a consumer was blocked when the event went in, read under the lock
    /// that it waits with, so a consumer about to block sees the event instead of sleeping.
    fn signal(&self, waiting: bool) {
        match self.wakeup.get() {
            Some(wakeup) => wakeup.notify(),
            None if waiting => self.ready.notify_one(),
            None => {}
        }
    }

    /// Switches the consumer side to [`Wakeup`] (for an event loop) and returns it; created once.
    ///
    /// # Errors
    /// When the OS cannot create the socket pair.
    pub fn wakeup(&self) -> std::io::Result<&Wakeup> {
        if let Some(w) = self.wakeup.get() {
            return Ok(w);
        }
        let created = Wakeup::new()?;
        let w = self.wakeup.get_or_init(|| created);
        // Events pushed before the switch signalled the condvar only.
        w.notify();
        Ok(w)
    }

    /// Waits up to `timeout` for the first event, then takes everything queued up to `max_records`
    /// records without waiting further, so a quiet feed delivers each message at once and a busy
    /// one in batches.
    pub fn pop_batch(&self, max_records: usize, timeout: Duration) -> Popped {
        let mut state = self.lock();
        if state.is_empty() && !state.closed {
            state.waiting += 1;
            state = self
                .ready
                .wait_timeout_while(state, timeout, |s| s.is_empty() && !s.closed)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            state.waiting -= 1;
        }
        Self::take(&mut state, max_records)
    }

    /// Takes what is queued, up to `max_records` records, without waiting; the `bool` says
    /// whether to call again at once: more remain, or the queue was closed and the caller has yet
    /// to see [`Popped::Closed`] (no further wake-up announces it).
    pub fn try_pop(&self, max_records: usize) -> (Popped, bool) {
        let mut state = self.lock();
        let popped = Self::take(&mut state, max_records);
        let again = matches!(popped, Popped::Events(_)) && (state.closed || !state.is_empty());
        (popped, again)
    }

    fn take(state: &mut State, max_records: usize) -> Popped {
        if state.is_empty() {
            return if state.closed {
                Popped::Closed
            } else {
                Popped::Empty
            };
        }
        // Control events first, all of them: they are few and small.
        let mut out: Vec<FeedEvent> = state.control.drain(..).collect();
        let mut taken = 0;
        while let Some((front, _)) = state.events.front() {
            let n = front.records();
            if taken > 0 && taken + n > max_records {
                break;
            }
            taken += n;
            out.extend(state.events.pop_front().map(|(event, _)| event));
        }
        state.records -= taken;
        Popped::Events(out)
    }

    /// Marks the end of the stream: the consumer drains what is left, then sees [`Popped::Closed`].
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
        if let Some(w) = self.wakeup.get() {
            w.notify();
        }
    }

    /// Whether the stream ended ([`FeedQueue::close`]) and the consumer took everything queued
    /// before that, so nothing more will come.
    #[must_use]
    pub fn is_drained(&self) -> bool {
        let state = self.lock();
        state.closed && state.events.is_empty()
    }

    /// Records waiting now.
    #[must_use]
    pub fn depth(&self) -> usize {
        self.lock().records
    }

    /// How long the oldest waiting data record has waited by `now` (zero when none waits): how far
    /// behind the consumer is.
    #[must_use]
    pub fn oldest_wait(&self, now: Instant) -> Duration {
        self.lock()
            .events
            .front()
            .map_or(Duration::ZERO, |(_, arrived)| {
                now.saturating_duration_since(*arrived)
            })
    }

    /// The most records ever waiting at once.
    #[must_use]
    pub fn high_water(&self) -> usize {
        self.lock().high_water
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
            routes: smallvec::smallvec![0; n],
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
    fn oldest_wait_is_how_long_the_oldest_data_record_has_waited() {
        let q = FeedQueue::new(10);
        let t0 = Instant::now();
        assert_eq!(q.oldest_wait(t0), Duration::ZERO, "nothing waits");
        assert!(q.try_push(data(1), t0).unwrap());
        assert!(
            q.try_push(data(1), t0 + Duration::from_millis(300))
                .unwrap()
        );
        q.push_control(log());
        let now = t0 + Duration::from_millis(500);
        assert_eq!(q.oldest_wait(now), Duration::from_millis(500));
        let (Popped::Events(ev), _) = q.try_pop(1) else {
            panic!()
        };
        assert_eq!(ev.len(), 2, "the log and the oldest record");
        assert_eq!(
            q.oldest_wait(now),
            Duration::from_millis(200),
            "the next one's wait"
        );
        assert_eq!(q.oldest_wait(t0), Duration::ZERO, "never negative");
        let full = FeedQueue::new(1);
        assert!(full.try_push(data(1), t0).unwrap());
        assert!(
            full.try_push(data(1), t0).is_err(),
            "a full queue gives the event back"
        );
        assert_eq!(full.dropped(), 0, "and does not count it dropped");
    }

    #[test]
    fn bars_pass_a_full_queue_in_order_and_count_in_its_depth() {
        let q = FeedQueue::new(2);
        assert!(q.push(data(2)));
        assert!(!q.push(data(1)), "full for prints");
        assert!(q.push_beyond_capacity(data(3)), "not for bars");
        assert_eq!((q.depth(), q.dropped()), (5, 1));
        let (Popped::Events(ev), _) = q.try_pop(100) else {
            panic!()
        };
        let kinds: Vec<usize> = ev.iter().map(FeedEvent::records).collect();
        assert_eq!(kinds, vec![2, 3], "in the order they came");
        q.close();
        assert!(!q.push_beyond_capacity(data(1)), "closed");
    }

    #[test]
    fn control_events_overtake_the_data_backlog() {
        let q = FeedQueue::new(10);
        assert!(q.push(data(4)));
        assert!(q.push(data(4)));
        assert!(!q.push(data(4)), "full: dropped");
        q.push_control(log());
        q.push_control(log());
        assert_eq!(q.depth(), 8, "control events do not take data capacity");
        let (Popped::Events(ev), more) = q.try_pop(4) else {
            panic!()
        };
        assert!(more);
        let kinds: Vec<usize> = ev.iter().map(FeedEvent::records).collect();
        assert_eq!(
            kinds,
            vec![0, 0, 4],
            "the logs first, then one batch of data"
        );
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

    #[test]
    fn drained_only_once_closed_and_everything_taken() {
        let q = FeedQueue::new(10);
        assert!(!q.is_drained(), "an empty open queue may still get data");
        q.push(data(1));
        q.close();
        assert!(!q.is_drained(), "closed, but a record is still queued");
        assert!(matches!(q.try_pop(10).0, Popped::Events(_)));
        assert!(q.is_drained());
    }

    fn unread_bytes(w: &Wakeup) -> usize {
        let mut buf = [0_u8; 64];
        let mut n = 0;
        while let Ok(k) = (&w.reader).read(&mut buf) {
            if k == 0 {
                break;
            }
            n += k;
        }
        n
    }

    #[test]
    fn wakeup_signals_once_per_consumer_pass_and_never_loses_a_push() {
        let q = FeedQueue::new(100);
        assert!(q.push(data(1)));
        let w = q.wakeup().unwrap();
        // Events from before the switch are announced too.
        assert_eq!(unread_bytes(w), 1);
        w.clear();
        for _ in 0..3 {
            assert!(q.push(data(1)));
        }
        assert_eq!(unread_bytes(w), 1, "one wake-up for a burst");
        w.clear();
        let (Popped::Events(ev), more) = q.try_pop(100) else {
            panic!("events expected");
        };
        assert_eq!((ev.len(), more), (4, false));
        assert!(q.push(data(1)));
        assert_eq!(unread_bytes(w), 1, "re-armed after clear");
        w.clear();
        let (_, more) = q.try_pop(0);
        assert!(!more);
        assert!(q.push(data(1)));
        q.close();
        assert_eq!(unread_bytes(w), 1, "close wakes the consumer");
        w.clear();
        // The last events of a closed queue: call again to see the close.
        assert!(matches!(q.try_pop(10), (Popped::Events(_), true)));
        assert!(matches!(q.try_pop(10), (Popped::Closed, false)));
    }

    #[test]
    fn clear_takes_every_waiting_byte() {
        let q = FeedQueue::new(100);
        let w = q.wakeup().unwrap();
        for waiting in [1_usize, 2, 63, 64, 65, 128, 200] {
            (&w.writer).write_all(&vec![1; waiting]).unwrap();
            w.pending.store(true, Ordering::SeqCst);
            w.clear();
            assert_eq!(unread_bytes(w), 0, "{waiting} bytes waiting");
            assert!(!w.pending.load(Ordering::SeqCst), "re-armed");
        }
        // Re-armed: the next push announces itself again.
        assert!(q.push(data(1)));
        assert_eq!(unread_bytes(w), 1);
    }

    #[test]
    fn try_pop_reports_what_remains() {
        let q = FeedQueue::new(100);
        for _ in 0..3 {
            assert!(q.push(data(2)));
        }
        let (Popped::Events(ev), more) = q.try_pop(4) else {
            panic!("events expected");
        };
        assert_eq!((ev.len(), more), (2, true));
        assert!(matches!(q.try_pop(4), (Popped::Events(_), false)));
        assert!(matches!(q.try_pop(4), (Popped::Empty, false)));
    }

    /// Records when and on which thread it is dropped.
    struct DropWitness(Arc<Mutex<Vec<std::thread::ThreadId>>>);

    impl Drop for DropWitness {
        fn drop(&mut self) {
            self.0.lock().unwrap().push(std::thread::current().id());
        }
    }

    #[test]
    fn records_given_back_are_freed_by_the_producers_next_push() {
        let q = Arc::new(FeedQueue::new(100));
        let dropped = Arc::new(Mutex::new(Vec::new()));
        let mut spent: Vec<Spent> = (0..3)
            .map(|_| Box::new(DropWitness(dropped.clone())) as Spent)
            .collect();
        q.give_back(&mut spent);
        assert!(spent.is_empty(), "taken");
        let mut more: Vec<Spent> = vec![Box::new(DropWitness(dropped.clone()))];
        q.give_back(&mut more);
        assert_eq!(q.spent(), 4, "added to the ones waiting");
        assert!(
            dropped.lock().unwrap().is_empty(),
            "not freed by the consumer"
        );
        // Taking events frees nothing either: only the producer does.
        assert!(matches!(q.try_pop(10), (Popped::Empty, false)));
        assert!(dropped.lock().unwrap().is_empty());

        let producer = {
            let q = q.clone();
            std::thread::spawn(move || {
                assert!(q.push(data(1)));
                std::thread::current().id()
            })
        }
        .join()
        .unwrap();
        assert_eq!(
            *dropped.lock().unwrap(),
            vec![producer; 4],
            "freed on the producer's thread"
        );
        assert_eq!(q.spent(), 0);
        // The pushed event is there as ever.
        assert!(matches!(q.try_pop(10), (Popped::Events(ev), false) if ev.len() == 1));
    }

    #[test]
    fn a_producer_held_back_by_a_full_queue_frees_what_was_given_back() {
        let q = FeedQueue::new(2);
        assert!(q.push(data(2)));
        let dropped = Arc::new(Mutex::new(Vec::new()));
        q.give_back(&mut vec![Box::new(DropWitness(dropped.clone())) as Spent]);
        assert!(q.try_push(data(1), Instant::now()).is_err(), "full");
        assert_eq!(dropped.lock().unwrap().len(), 1);
    }

    #[test]
    fn records_given_back_to_a_dropped_queue_are_freed_with_it() {
        let q = FeedQueue::new(100);
        let dropped = Arc::new(Mutex::new(Vec::new()));
        q.give_back(&mut vec![Box::new(DropWitness(dropped.clone())) as Spent]);
        drop(q);
        assert_eq!(dropped.lock().unwrap().len(), 1);
    }
}
