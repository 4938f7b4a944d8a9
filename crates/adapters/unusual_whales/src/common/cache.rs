//! A bounded map whose eviction never stalls its caller.
//!
//! The loop thread's caches (an `InstrumentId` per contract, a bus topic per type and contract)
//! must stay bounded: a full-market option feed names a few hundred thousand contracts a day.
//! Emptied whole when full, a cache of 100k `InstrumentId`s froze the event loop for 5-8 ms while
//! it released them (measured: the five slowest `instrument_id` reads of 300k distinct contracts
//! took 5.0-7.9 ms), the execution client's callbacks waiting behind it, and every contract still
//! trading then paid a rebuild. [`GenerationalMap`] instead keeps two generations, moves an entry
//! still in use to the young one, and releases the generation before a few entries per call.

use std::borrow::Borrow;
use std::collections::{HashMap, hash_map};
use std::hash::{BuildHasher, Hash};

use smallvec::SmallVec;

/// Most retired entries one call of [`GenerationalMap`] hands back to be released (an
/// insertion that replaces a value hands that entry back too).
///
/// Two per call empties a retired generation (at most half the capacity) within half the calls
/// that fill the next one, so retired generations never pile up.
pub const RELEASED_PER_CALL: usize = 2;

/// Entries a call took out of the map, for the caller to drop where it chooses: outside its
/// lock, when dropping one can run code (a Python object's deallocation can).
pub type Released<K, V> = SmallVec<[(K, V); RELEASED_PER_CALL]>;

/// A map of at most `capacity` reachable entries, least recently inserted or promoted first out,
/// whose every call does a bounded amount of work.
///
/// Entries live in a young and an old generation of `capacity / 2` each. A lookup that finds
/// its key in the old generation moves it to the young one, so a key in use survives any number
/// of generations. When the young generation is full, the old one is retired (unreachable from
/// then on) and the young one becomes old; each later insertion or promotion hands back up to
/// [`RELEASED_PER_CALL`] of the retired entries. Memory holds at most `1.5 * capacity` entries.
pub struct GenerationalMap<K, V, S = hash_map::RandomState> {
    young: HashMap<K, V, S>,
    old: HashMap<K, V, S>,
    /// Retired generations, released from the last; one at most while the pace above holds.
    retiring: Vec<hash_map::IntoIter<K, V>>,
    generation: usize,
}

impl<K: Hash + Eq, V, S: BuildHasher + Clone + Default> GenerationalMap<K, V, S> {
    /// An empty map of at most `capacity` reachable entries (at least 2).
    ///
    /// Both generations are allocated at their full size when first needed, so that no insertion
    /// rehashes a growing table (a pause proportional to its size).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        let generation = (capacity / 2).max(1);
        Self {
            young: HashMap::with_hasher(S::default()),
            old: HashMap::with_hasher(S::default()),
            retiring: Vec::new(),
            generation,
        }
    }

    /// Reachable entries (retired ones not yet released excluded).
    #[must_use]
    pub fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    /// Whether no entry is reachable.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Retired entries not yet handed back.
    #[must_use]
    pub fn retired_len(&self) -> usize {
        self.retiring.iter().map(ExactSizeIterator::len).sum()
    }

    /// `read` of the value of `key`, which moves to the young generation if it was in the old
    /// one; and what that move released.
    ///
    /// `read` returns something owned (a new reference, a copy): a borrow returned from here on
    /// one path while the other path moves entries is what the borrow checker cannot yet accept,
    /// and the one-lookup hit path is the reason for this method.
    #[must_use = "the released entries are the caller's to drop, outside its lock"]
    pub fn get_with<Q, R>(
        &mut self,
        key: &Q,
        read: impl FnOnce(&V) -> R,
    ) -> (Option<R>, Released<K, V>)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(value) = self.young.get(key) {
            return (Some(read(value)), Released::new());
        }
        let Some((key, value)) = self.old.remove_entry(key) else {
            return (None, Released::new());
        };
        let read = read(&value);
        let released = self.admit(key, value);
        (Some(read), released)
    }

    /// Inserts `value` under `key` (replacing any value it had) and hands back what the call
    /// released: retired entries, and the replaced entry if any.
    #[must_use = "the released entries are the caller's to drop, outside its lock"]
    pub fn insert(&mut self, key: K, value: V) -> Released<K, V> {
        let replaced = self
            .young
            .remove_entry(&key)
            .or_else(|| self.old.remove_entry(&key));
        let mut released = self.admit(key, value);
        released.extend(replaced);
        released
    }

    /// Puts an entry (not in either generation) in the young one, retiring the old generation
    /// first when the young one is full.
    fn admit(&mut self, key: K, value: V) -> Released<K, V> {
        let mut released = Released::new();
        while released.len() < RELEASED_PER_CALL {
            let Some(retiring) = self.retiring.last_mut() else {
                break;
            };
            match retiring.next() {
                Some(entry) => released.push(entry),
                None => {
                    self.retiring.pop();
                }
            }
        }
        if self.young.len() >= self.generation {
            let fresh =
                HashMap::with_capacity_and_hasher(self.generation, self.young.hasher().clone());
            let young = std::mem::replace(&mut self.young, fresh);
            let old = std::mem::replace(&mut self.old, young);
            self.retiring.push(old.into_iter());
        } else if self.young.capacity() == 0 {
            self.young.reserve(self.generation);
        }
        self.young.insert(key, value);
        released
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use proptest::prelude::*;

    use super::*;

    type Map<V> = GenerationalMap<u32, V>;

    #[test]
    fn a_key_in_use_survives_any_number_of_generations() {
        let mut map: Map<u32> = GenerationalMap::new(100);
        drop(map.insert(0, 7));
        for key in 1..10_000 {
            drop(map.insert(key, key));
            // The hot key is read now and then, as a contract that keeps trading.
            if key % 40 == 0 {
                assert_eq!(map.get_with(&0, |v| *v).0, Some(7), "after {key} others");
            }
        }
        assert_eq!(map.get_with(&0, |v| *v).0, Some(7));
    }

    #[test]
    fn keys_not_used_for_a_full_capacity_are_dropped() {
        let mut map: Map<u32> = GenerationalMap::new(100);
        for key in 0..1_000 {
            drop(map.insert(key, key));
        }
        assert!(map.len() <= 100);
        assert_eq!(map.get_with(&0, |v| *v).0, None);
        assert_eq!(map.get_with(&999, |v| *v).0, Some(999));
        // The newest half of the capacity is always reachable.
        for key in 950..1_000 {
            assert_eq!(map.get_with(&key, |v| *v).0, Some(key));
        }
    }

    #[test]
    fn replacing_a_value_hands_the_old_one_back() {
        let mut map: Map<&str> = GenerationalMap::new(10);
        drop(map.insert(1, "a"));
        let released = map.insert(1, "b");
        assert_eq!(released.as_slice(), &[(1, "a")]);
        assert_eq!(map.get_with(&1, |v| *v).0, Some("b"));
        assert_eq!(map.len(), 1);
    }

    /// Counts the values alive, to see what the map drops and when.
    struct Tracked(Rc<Cell<usize>>);

    impl Tracked {
        fn new(alive: &Rc<Cell<usize>>) -> Self {
            alive.set(alive.get() + 1);
            Self(Rc::clone(alive))
        }
    }

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.set(self.0.get() - 1);
        }
    }

    #[test]
    fn no_call_drops_more_than_two_entries_and_memory_stays_bounded() {
        let alive = Rc::new(Cell::new(0));
        let mut map: Map<Tracked> = GenerationalMap::new(1_000);
        for key in 0..50_000u32 {
            let before = alive.get();
            let released = map.insert(key, Tracked::new(&alive));
            assert!(released.len() <= RELEASED_PER_CALL);
            // Nothing was dropped inside the call: what left the map is in `released`.
            assert_eq!(alive.get(), before + 1);
            drop(released);
            assert!(map.len() <= 1_000, "reachable {}", map.len());
            assert!(alive.get() <= 1_500, "held {} after {key}", alive.get());
            assert!(map.retiring.len() <= 1, "retired generations piled up");
        }
    }

    #[test]
    fn promotions_alone_keep_the_pace_of_release() {
        // A working set a little larger than a generation, read over and over: every lookup of
        // an old key is a promotion, which fills the young generation without an insertion.
        let mut map: Map<u32> = GenerationalMap::new(200);
        for key in 0..300 {
            drop(map.insert(key, key));
        }
        for round in 0..50 {
            for key in 0..300 {
                let (value, released) = map.get_with(&key, |v| *v);
                assert!(released.len() <= RELEASED_PER_CALL);
                if value.is_none() {
                    drop(map.insert(key, key));
                }
                assert!(map.retiring.len() <= 1, "round {round}");
                assert!(map.len() + map.retired_len() <= 300, "round {round}");
            }
        }
    }

    proptest! {
        /// Against a model: a lookup never returns a value other than the last inserted for
        /// its key, and the newest `capacity / 2` keys inserted or read are always found.
        #[test]
        fn agrees_with_a_model(ops in proptest::collection::vec((any::<bool>(), 0u8..40), 1..400)) {
            let mut map: GenerationalMap<u8, u32> = GenerationalMap::new(16);
            let mut last: std::collections::HashMap<u8, u32> = std::collections::HashMap::new();
            let mut recent: Vec<u8> = Vec::new();
            for (i, (is_insert, key)) in ops.into_iter().enumerate() {
                let value = u32::try_from(i).unwrap();
                if is_insert {
                    drop(map.insert(key, value));
                    last.insert(key, value);
                    recent.retain(|k| *k != key);
                    recent.push(key);
                } else if let Some(found) = map.get_with(&key, |v| *v).0 {
                    prop_assert_eq!(Some(&found), last.get(&key));
                    recent.retain(|k| *k != key);
                    recent.push(key);
                }
                for k in recent.iter().rev().take(8) {
                    prop_assert_eq!(map.get_with(k, |v| *v).0, last.get(k).copied());
                }
                prop_assert!(map.len() <= 16);
            }
        }
    }
}
