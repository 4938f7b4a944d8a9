//! The back-fill's de-duplication: ids of recent records, so that a back-fill after a reconnect
//! publishes only what the gap missed.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use crate::data::OptionTrade;
use crate::data::record::UwRecord;

/// Recent ids of one record kind, for the back-fill's de-duplication.
///
/// Bounded by count, except that an id is kept while a back-fill that may fetch it is still
/// running: a back-fill slowed by UW's rate limit (a 5k prints/s gap takes many pages) can end
/// long after the live stream went on, and evicting the ids it needs re-delivered them (measured:
/// 33k duplicate prints over a 5-minute soak with a drop every 5 s). A hard cap still holds if a
/// back-fill never ends.
pub(super) struct SeenIds {
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
    pub(super) fn insert(&mut self, id: &str, ts: u64, keep_since: Option<u64>) -> bool {
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
pub(super) struct BackfillDedup {
    alerts: SeenIds,
    prints: SeenIds,
    /// `since` of each running back-fill.
    running: Vec<u64>,
}

impl BackfillDedup {
    /// The seen ids of `R`'s kind, and the start of the oldest running back-fill.
    pub(super) fn ids<R: UwRecord>(&mut self) -> (&mut SeenIds, Option<u64>) {
        let keep_since = self.running.iter().copied().min();
        let ids = if R::TYPE_NAME == <OptionTrade as UwRecord>::TYPE_NAME {
            &mut self.prints
        } else {
            &mut self.alerts
        };
        (ids, keep_since)
    }

    /// A back-fill from `since` starts: the ids it may fetch are kept until it ends.
    pub(super) fn start(&mut self, since: u64) {
        self.running.push(since);
    }

    /// The back-fill started with `since` has ended.
    pub(super) fn end(&mut self, since: u64) {
        if let Some(i) = self.running.iter().position(|s| *s == since) {
            self.running.swap_remove(i);
        }
    }
}

/// How long the ids of back-filled records wait for a live copy: UW's REST can answer with a print
/// whose WebSocket frame is still on its way (sent, not yet read), which arrives moments later.
const BACKFILLED_KEPT: Duration = Duration::from_secs(30);

/// Ids a back-fill published on one channel, so that their live copies arriving afterwards are not
/// delivered (nor summed into flow bars) a second time.
#[derive(Default)]
pub(super) struct BackfilledIds {
    hasher: std::collections::hash_map::RandomState,
    set: HashSet<u64>,
    order: VecDeque<(Instant, u64)>,
}

impl BackfilledIds {
    fn key(&self, id: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(id)
    }

    /// Remembers a published id.
    pub(super) fn insert(&mut self, id: &str) {
        let key = self.key(id);
        if self.set.insert(key) {
            self.order.push_back((Instant::now(), key));
        }
    }

    /// Whether `id` was published by the back-fill (once: a second live copy is the channel's).
    pub(super) fn take(&mut self, id: &str) -> bool {
        let key = self.key(id);
        self.set.remove(&key)
    }

    /// Forgets ids older than [`BACKFILLED_KEPT`]; true when none is left.
    pub(super) fn expire(&mut self) -> bool {
        while let Some(&(at, key)) = self.order.front() {
            if at.elapsed() < BACKFILLED_KEPT {
                break;
            }
            self.order.pop_front();
            self.set.remove(&key);
        }
        if self.set.is_empty() {
            self.order.clear();
        }
        self.set.is_empty()
    }
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

    #[test]
    fn a_back_filled_id_suppresses_one_live_copy() {
        let mut ids = BackfilledIds::default();
        ids.insert("p1");
        assert!(!ids.take("p2"));
        assert!(ids.take("p1"));
        assert!(!ids.take("p1"), "a later copy is the channel's own");
        assert!(ids.expire());
    }
}
