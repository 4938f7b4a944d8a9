//! The back-fill's de-duplication: ids of recent records, so that a back-fill after a reconnect
//! publishes only what the gap missed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::BuildHasherDefault;
use std::time::{Duration, Instant};

use crate::data::OptionTrade;
use crate::data::record::UwRecord;
use crate::subscription::channel::ChannelHasher;

/// Recent ids of one record kind, for the back-fill's de-duplication.
///
/// Bounded by count, except that an id is kept while a back-fill that may fetch it is still
/// running: a back-fill slowed by UW's rate limit (a 5k prints/s gap takes many pages) can end
/// long after the live stream went on, and evicting the ids it needs re-delivered them (measured:
/// 33k duplicate prints over a 5-minute soak with a drop every 5 s). A hard cap still holds if a
/// back-fill never ends.
///
/// The live stream only appends to a queue ([`SeenIds::remember`]); the index that answers "seen?"
/// is built when a back-fill first asks and dropped when none runs. Kept up to date for every
/// record, the index (a few hundred thousand entries, a cache miss to add one and another to
/// evict one) was 6% of the live client's CPU at full rate, for a question asked only after a
/// reconnect.
pub(super) struct SeenIds {
    // 64-bit keyed hashes, not the ids: no allocation per record on the hot path. A false "seen"
    // needs a collision among a few hundred thousand hashes (~1e-14 per lookup).
    hasher: std::collections::hash_map::RandomState,
    /// (event time, key), in insertion order; a key can appear twice only if UW sent an id twice
    /// while no index was kept.
    order: BlockFifo<(u64, u64)>,
    /// How often each key is in `order`, while a back-fill needs it. The keys are keyed hashes
    /// already: the cheap hasher of the channel maps suffices.
    index: Option<IdCounts>,
}

impl Default for SeenIds {
    fn default() -> Self {
        Self {
            hasher: std::collections::hash_map::RandomState::new(),
            order: BlockFifo::with_blocks(Self::CAPACITY.div_ceil(FIFO_BLOCK) + 1),
            index: None,
        }
    }
}

impl SeenIds {
    const CAPACITY: usize = 200_000;
    const HARD_CAP: usize = 8 * Self::CAPACITY;

    fn key(&self, id: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(id)
    }

    /// A live record's `id` (event time `ts`): remembered for back-fills to come. Ids with an
    /// event time at or after `keep_since` (the start of the oldest running back-fill) outlive
    /// the capacity.
    pub(super) fn remember(&mut self, id: &str, ts: u64, keep_since: Option<u64>) {
        let key = self.key(id);
        if let Some(index) = &mut self.index {
            let count = index.count(key);
            if *count > 0 {
                return;
            }
            *count = 1;
        }
        self.make_room(keep_since);
        self.order.push_back((ts, key));
    }

    /// Records `id` (event time `ts`); false when it was already there (a back-fill's record the
    /// live stream delivered). As [`SeenIds::remember`] otherwise.
    pub(super) fn insert(&mut self, id: &str, ts: u64, keep_since: Option<u64>) -> bool {
        let key = self.key(id);
        let order = &self.order;
        let index = self.index.get_or_insert_with(|| {
            let mut index = IdCounts::with_capacity(order.len());
            for &(_, key) in order.iter() {
                *index.count(key) += 1;
            }
            index
        });
        let count = index.count(key);
        if *count > 0 {
            return false;
        }
        *count = 1;
        self.make_room(keep_since);
        self.order.push_back((ts, key));
        true
    }

    /// Makes room for a push: evicts the oldest id once the capacity is reached, unless a running
    /// back-fill pins it.
    ///
    /// Before the push, not after: pushed onto a full queue, the id grew it (a 200k-place queue
    /// doubled to 400k places, 6.4 MB allocated and the 3.2 MB copied, page faults and all)
    /// before the eviction that followed would have made room, once per kind, on the reader
    /// thread: at 10k prints/s, every record read in the 7-13 ms it took waited that long, 20 s
    /// into each run (the p99.9 of a 20-second window at 10k msgs/s is its 200th worst sample).
    ///
    /// At most two evictions per push: a queue that a back-fill grew past the capacity (up to
    /// eight times it) shrinks back one id per push once it ends, where evicting the excess at
    /// once held the lock the live reader takes for hundreds of thousands of evictions.
    fn make_room(&mut self, keep_since: Option<u64>) {
        for _ in 0..2 {
            if self.order.len() < Self::CAPACITY {
                break;
            }
            let Some(&(oldest_ts, oldest)) = self.order.front() else {
                break;
            };
            let pinned = keep_since.is_some_and(|since| oldest_ts >= since);
            if pinned && self.order.len() < Self::HARD_CAP {
                break;
            }
            self.order.pop_front();
            if let Some(index) = &mut self.index {
                index.forget_one(oldest);
            }
        }
    }

    /// No back-fill runs any more: the index goes until the next one asks.
    fn drop_index(&mut self) {
        self.index = None;
    }
}

/// Shards of an [`IdCounts`]: a key's top six bits pick its map.
const ID_COUNT_SHARDS: usize = 64;

/// How often each key is in a [`SeenIds`] queue, in [`ID_COUNT_SHARDS`] maps by the key's top
/// bits.
///
/// A hash map grows by rehashing everything it holds at once: one map of the ids a long
/// back-fill pins grew from 917k to 1.8M places in 17 ms, with the live reader waiting on the
/// same lock. A shard holds a sixty-fourth of the keys (they are keyed hashes, spread evenly),
/// so its growth is a sixty-fourth of that pause.
struct IdCounts {
    shards: Vec<HashMap<u64, u32, BuildHasherDefault<ChannelHasher>>>,
}

impl IdCounts {
    fn with_capacity(keys: usize) -> Self {
        Self {
            shards: (0..ID_COUNT_SHARDS)
                .map(|_| {
                    HashMap::with_capacity_and_hasher(
                        keys / ID_COUNT_SHARDS + 1,
                        BuildHasherDefault::default(),
                    )
                })
                .collect(),
        }
    }

    fn shard(&mut self, key: u64) -> &mut HashMap<u64, u32, BuildHasherDefault<ChannelHasher>> {
        // The top six bits: a shard index below ID_COUNT_SHARDS, so the index is in bounds.
        &mut self.shards[(key >> 58) as usize]
    }

    /// The count of `key`, 0 for a new key.
    fn count(&mut self, key: u64) -> &mut u32 {
        self.shard(key).entry(key).or_insert(0)
    }

    /// One copy of `key` left the queue.
    fn forget_one(&mut self, key: u64) {
        let shard = self.shard(key);
        if let Some(count) = shard.get_mut(&key) {
            *count -= 1;
            if *count == 0 {
                shard.remove(&key);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards.iter().map(HashMap::len).sum()
    }
}

/// Entries per block of a [`BlockFifo`]: 64 KB of ids, so that the 200k ids of a kind take 49
/// blocks and a block's first touch is a few pages.
const FIFO_BLOCK: usize = 4096;

/// A first-in first-out queue kept in blocks of [`FIFO_BLOCK`] entries.
///
/// Growing it never moves what it holds. A `VecDeque` past its capacity reallocates and copies
/// every entry, on whichever thread pushed: the remembered ids grow past their capacity while a
/// long back-fill pins them (up to eight times the capacity), and each doubling of 200k, 400k,
/// 800k entries was a 3-13 MB copy with the live reader waiting on the same lock. A block emptied
/// at the front is kept for the next one needed at the back, so the steady state allocates
/// nothing.
///
/// The blocks of the usual size are allocated up front, as the `VecDeque` was: allocated one by
/// one as the ids came in, they put the allocator's growth (fresh memory from the system, which
/// cost 0.3-5 ms per step on these VMs) on the reader thread during the first 200k records of
/// a stream, where one A/B round of six 10k msgs/s runs each measured the p99.9 at 497-579 µs
/// against 453-516 before the change.
struct BlockFifo<T> {
    /// Every block but the last is full.
    blocks: VecDeque<Vec<T>>,
    /// Entries already taken from the front block.
    head: usize,
    len: usize,
    /// Empty blocks, at most `kept` of them.
    spare: Vec<Vec<T>>,
    kept: usize,
}

impl<T> BlockFifo<T> {
    /// An empty queue with `blocks` blocks allocated, and as many kept once emptied (blocks
    /// beyond them, grown while ids are pinned, are freed as they empty).
    fn with_blocks(blocks: usize) -> Self {
        Self {
            blocks: VecDeque::with_capacity(blocks),
            head: 0,
            len: 0,
            spare: (0..blocks)
                .map(|_| Vec::with_capacity(FIFO_BLOCK))
                .collect(),
            kept: blocks,
        }
    }
}

impl<T: Copy> BlockFifo<T> {
    fn len(&self) -> usize {
        self.len
    }

    fn push_back(&mut self, value: T) {
        match self.blocks.back_mut() {
            Some(block) if block.len() < FIFO_BLOCK => block.push(value),
            _ => {
                let mut block = self
                    .spare
                    .pop()
                    .unwrap_or_else(|| Vec::with_capacity(FIFO_BLOCK));
                block.push(value);
                self.blocks.push_back(block);
            }
        }
        self.len += 1;
    }

    fn front(&self) -> Option<&T> {
        self.blocks.front()?.get(self.head)
    }

    fn pop_front(&mut self) -> Option<T> {
        let block = self.blocks.front_mut()?;
        let value = *block.get(self.head)?;
        self.head += 1;
        self.len -= 1;
        if self.head == block.len() {
            self.head = 0;
            if block.len() < FIFO_BLOCK {
                // The last block, not full: the queue is empty, and its next push goes here.
                block.clear();
            } else if let Some(mut emptied) = self.blocks.pop_front()
                && self.spare.len() < self.kept.max(1)
            {
                emptied.clear();
                self.spare.push(emptied);
            }
        }
        Some(value)
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        let head = self.head;
        self.blocks
            .iter()
            .enumerate()
            .flat_map(move |(i, block)| block[if i == 0 { head } else { 0 }..].iter())
    }

    /// Entries the allocated blocks can hold.
    #[cfg(test)]
    fn allocated(&self) -> usize {
        (self.blocks.len() + self.spare.len()) * FIFO_BLOCK
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
        if self.running.is_empty() {
            self.alerts.drop_index();
            self.prints.drop_index();
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
    fn ids_the_live_stream_remembered_are_seen_by_a_back_fill() {
        let mut dedup = BackfillDedup::default();
        let (seen, _) = dedup.ids::<OptionTrade>();
        seen.remember("live-1", 1, None);
        seen.remember("live-1", 1, None); // UW sent it twice
        seen.remember("live-2", 2, None);
        dedup.start(0);
        let (seen, keep_since) = dedup.ids::<OptionTrade>();
        assert!(!seen.insert("live-1", 1, keep_since), "seen live");
        assert!(seen.insert("rest-1", 1, keep_since), "only REST had it");
        assert!(!seen.insert("rest-1", 1, keep_since), "once");
        // While the index is kept, live records go into it too.
        seen.remember("live-3", 3, keep_since);
        assert!(!seen.insert("live-3", 3, keep_since));
        dedup.end(0);
        // The next back-fill builds the index again from what was remembered meanwhile.
        let (seen, _) = dedup.ids::<OptionTrade>();
        seen.remember("live-4", 4, None);
        dedup.start(0);
        let (seen, keep_since) = dedup.ids::<OptionTrade>();
        for id in ["live-1", "live-2", "live-3", "live-4", "rest-1"] {
            assert!(!seen.insert(id, 1, keep_since), "{id}");
        }
    }

    #[test]
    fn eviction_keeps_the_index_true_with_twice_remembered_ids() {
        let mut seen = SeenIds::default();
        seen.remember("twice", 0, None);
        seen.remember("twice", 0, None);
        for i in 0..SeenIds::CAPACITY as u64 - 1 {
            seen.remember(&format!("id-{i}"), 1 + i, None);
        }
        // One copy of "twice" was evicted, the other is still in the queue: still seen.
        assert!(!seen.insert("twice", 0, None));
        seen.remember("push-out", u64::MAX, None);
        assert!(seen.insert("twice", 0, None), "both copies evicted");
    }

    #[test]
    fn the_live_stream_never_grows_the_remembered_ids() {
        let mut seen = SeenIds::default();
        // Allocated up front, off the reader's hot path.
        let allocated = seen.order.allocated();
        assert!(allocated >= SeenIds::CAPACITY);
        assert!(allocated <= SeenIds::CAPACITY + 2 * FIFO_BLOCK);
        for i in 0..3 * SeenIds::CAPACITY as u64 {
            seen.remember(&format!("id-{i}"), i, None);
        }
        assert_eq!(seen.order.len(), SeenIds::CAPACITY);
        assert!(
            seen.order.allocated() <= allocated + FIFO_BLOCK,
            "a full queue kept allocating ({} places for {})",
            seen.order.allocated(),
            SeenIds::CAPACITY
        );
        // The newest are the ones kept.
        seen.insert("probe", u64::MAX, None);
        assert!(!seen.insert(&format!("id-{}", 3 * SeenIds::CAPACITY - 1), 0, None));
        assert!(seen.insert(&format!("id-{}", 2 * SeenIds::CAPACITY), 0, None));
    }

    #[test]
    fn ids_pinned_by_a_back_fill_grow_the_queue_without_moving_it() {
        let mut seen = SeenIds::default();
        seen.remember("first", 10, Some(10));
        let first_block = seen.order.blocks[0].as_ptr();
        for i in 0..3 * SeenIds::CAPACITY as u64 {
            seen.remember(&format!("id-{i}"), 11 + i, Some(10));
        }
        assert_eq!(seen.order.len(), 3 * SeenIds::CAPACITY + 1, "all pinned");
        assert_eq!(
            seen.order.blocks[0].as_ptr(),
            first_block,
            "the oldest ids were moved (copied to a larger allocation)"
        );
        assert!(!seen.insert("first", 10, Some(10)), "still seen");
        // The back-fill over, the queue shrinks back one id per push, oldest first.
        let before = seen.order.len();
        for i in 0..1_000 {
            seen.remember(&format!("after-{i}"), u64::MAX, None);
        }
        assert_eq!(seen.order.len(), before - 1_000);
        assert!(seen.insert("first", 10, None), "the oldest went first");
        assert!(
            !seen.insert("id-5000", 0, None),
            "newer ids stay until their turn"
        );
    }

    #[test]
    fn the_id_counts_spread_over_their_shards_and_count_true() {
        let seen = SeenIds::default();
        let mut counts = IdCounts::with_capacity(0);
        let keys: Vec<u64> = (0..128_000).map(|i| seen.key(&format!("id-{i}"))).collect();
        for &key in &keys {
            *counts.count(key) += 1;
        }
        *counts.count(keys[0]) += 1;
        assert_eq!(counts.len(), keys.len());
        // Each shard grows (and rehashes) alone: none holds more than twice its share.
        let largest = counts.shards.iter().map(HashMap::len).max().unwrap_or(0);
        assert!(
            largest <= 2 * keys.len() / ID_COUNT_SHARDS,
            "a shard of {largest}"
        );
        counts.forget_one(keys[0]);
        assert_eq!(*counts.count(keys[0]), 1, "one copy left");
        for &key in &keys {
            counts.forget_one(key);
        }
        assert_eq!(counts.len(), 0, "every key forgotten");
    }

    #[test]
    fn the_block_queue_is_first_in_first_out() {
        let mut fifo = BlockFifo::with_blocks(0);
        let mut model = VecDeque::new();
        // Pushes and pops in runs across block boundaries, emptying it now and then.
        let mut next = 0u32;
        for round in 0..40usize {
            for _ in 0..(round * 997) % 9_000 {
                fifo.push_back(next);
                model.push_back(next);
                next += 1;
            }
            for _ in 0..(round * 1_409) % 10_000 {
                assert_eq!(fifo.pop_front(), model.pop_front());
            }
            assert_eq!(fifo.len(), model.len());
            assert_eq!(fifo.front(), model.front());
            assert!(fifo.iter().copied().eq(model.iter().copied()));
        }
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
