//! Live-client counters, readable at any time from any thread (Python's `client.stats()`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::subscription::channel::{ChannelMap, UwChannel};
use crate::subscription::flow_bars::LiveFlowBarStats;

/// How many recent lag samples the percentiles are computed over.
const LAG_WINDOW: usize = 8192;

/// Counters updated by the client task.
#[derive(Debug, Default)]
pub struct FeedStats {
    /// Text/binary frames received.
    pub frames: AtomicU64,
    /// Bytes of those frames.
    pub bytes: AtomicU64,
    /// Records decoded (before filtering).
    pub records: AtomicU64,
    /// Records that passed a subscription's filter and were queued.
    pub delivered: AtomicU64,
    /// Frames that failed to parse (all kinds, unknown channels included).
    pub parse_errors: AtomicU64,
    /// Successful (re)connections.
    pub connects: AtomicU64,
    /// Connections lost and re-established.
    pub reconnects: AtomicU64,
    /// Joins acknowledged.
    pub join_acks: AtomicU64,
    /// Joins refused by UW.
    pub join_errors: AtomicU64,
    /// WebSocket pings sent after a silence.
    pub pings: AtomicU64,
    /// Arrival time of the last frame, UNIX nanoseconds (0 = none yet).
    pub last_message_ns: AtomicU64,
    /// Whether the socket is up.
    pub connected: AtomicBool,
    detail: Mutex<Detail>,
}

#[derive(Debug, Default)]
struct Detail {
    // Keyed by the parsed channel: counting a frame must not format its name.
    per_channel: ChannelMap<u64>,
    errors_by_kind: BTreeMap<&'static str, u64>,
    lags: Vec<u64>,
    lag_next: usize,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatsSnapshot {
    /// See [`FeedStats::frames`].
    pub frames: u64,
    /// See [`FeedStats::bytes`].
    pub bytes: u64,
    /// See [`FeedStats::records`].
    pub records: u64,
    /// See [`FeedStats::delivered`].
    pub delivered: u64,
    /// See [`FeedStats::parse_errors`].
    pub parse_errors: u64,
    /// Parse errors by kind (`malformed_json`, `unknown_channel`, `invalid_field`, ...).
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Records received per channel (as UW named it).
    pub messages_per_channel: BTreeMap<String, u64>,
    /// See [`FeedStats::connects`].
    pub connects: u64,
    /// See [`FeedStats::reconnects`].
    pub reconnects: u64,
    /// See [`FeedStats::join_acks`].
    pub join_acks: u64,
    /// See [`FeedStats::join_errors`].
    pub join_errors: u64,
    /// See [`FeedStats::pings`].
    pub pings: u64,
    /// See [`FeedStats::last_message_ns`].
    pub last_message_ns: u64,
    /// See [`FeedStats::connected`].
    pub connected: bool,
    /// Records waiting for the consumer.
    pub queue_depth: usize,
    /// The most records ever waiting.
    pub queue_high_water: usize,
    /// The queue's capacity in records.
    pub queue_capacity: usize,
    /// Records dropped because the queue was full.
    pub dropped: u64,
    /// `ts_init - ts_event` percentiles (p50, p90, p99, max) in nanoseconds over recent records.
    pub lag_ns: Option<[u64; 4]>,
    /// The live flow bars' counters (late prints among them), summed over the subscriptions.
    pub flow_bars: LiveFlowBarStats,
}

impl FeedStats {
    fn detail(&self) -> std::sync::MutexGuard<'_, Detail> {
        self.detail.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts `n` records on `channel` and samples their lag.
    pub fn record_channel(&self, channel: &UwChannel, n: u64, lags: impl Iterator<Item = u64>) {
        self.records.fetch_add(n, Ordering::Relaxed);
        let mut d = self.detail();
        match d.per_channel.get_mut(channel) {
            Some(c) => *c += n,
            None => {
                d.per_channel.insert(channel.clone(), n);
            }
        }
        for lag in lags {
            if d.lags.len() < LAG_WINDOW {
                d.lags.push(lag);
            } else {
                let i = d.lag_next;
                d.lags[i] = lag;
            }
            d.lag_next = (d.lag_next + 1) % LAG_WINDOW;
        }
    }

    /// Counts a parse error of `kind`.
    pub fn record_error(&self, kind: &'static str) {
        self.parse_errors.fetch_add(1, Ordering::Relaxed);
        *self.detail().errors_by_kind.entry(kind).or_insert(0) += 1;
    }

    /// The counters now, with the queue's figures supplied by the caller.
    #[must_use]
    pub fn snapshot(
        &self,
        queue_depth: usize,
        queue_high_water: usize,
        queue_capacity: usize,
        dropped: u64,
    ) -> StatsSnapshot {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let d = self.detail();
        let lag_ns = (!d.lags.is_empty()).then(|| {
            let mut v = d.lags.clone();
            v.sort_unstable();
            let pct = |p: usize| v[(v.len() - 1) * p / 100];
            [pct(50), pct(90), pct(99), v[v.len() - 1]]
        });
        StatsSnapshot {
            frames: get(&self.frames),
            bytes: get(&self.bytes),
            records: get(&self.records),
            delivered: get(&self.delivered),
            parse_errors: get(&self.parse_errors),
            errors_by_kind: d
                .errors_by_kind
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect(),
            messages_per_channel: d
                .per_channel
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            connects: get(&self.connects),
            reconnects: get(&self.reconnects),
            join_acks: get(&self.join_acks),
            join_errors: get(&self.join_errors),
            pings: get(&self.pings),
            last_message_ns: get(&self.last_message_ns),
            connected: self.connected.load(Ordering::Relaxed),
            queue_depth,
            queue_high_water,
            queue_capacity,
            dropped,
            lag_ns,
            flow_bars: LiveFlowBarStats::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(name: &str) -> UwChannel {
        UwChannel::parse(name).unwrap()
    }

    #[test]
    fn lag_percentiles_cover_the_recent_window() {
        let s = FeedStats::default();
        s.record_channel(&ch("flow-alerts"), 100, (1..=100).map(|x| x * 1000));
        s.record_channel(&ch("gex:SPY"), 1, std::iter::once(5));
        let snap = s.snapshot(0, 0, 10, 0);
        assert_eq!(snap.records, 101);
        assert_eq!(snap.messages_per_channel["flow-alerts"], 100);
        let [p50, _, p99, max] = snap.lag_ns.unwrap();
        assert_eq!((p50, p99, max), (50_000, 99_000, 100_000));
    }

    #[test]
    fn the_window_keeps_only_the_latest_samples() {
        let s = FeedStats::default();
        s.record_channel(&ch("news"), 0, std::iter::repeat_n(1_000_000, LAG_WINDOW));
        s.record_channel(&ch("news"), 0, std::iter::repeat_n(7, LAG_WINDOW));
        assert_eq!(s.snapshot(0, 0, 1, 0).lag_ns.unwrap(), [7, 7, 7, 7]);
    }
}
