//! The aggregator's per-print path allocates nothing: a print that closes no bar costs no heap
//! allocation, however many subscriptions it feeds (bars allocate their strings once each).
//!
//! A file of its own: the counting allocator is the whole test binary's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use unusual_whales_nt::aggregate::testing::option_trade;
use unusual_whales_nt::aggregate::{Aggregator, FlowBarSet, FlowBarSpec};
use unusual_whales_nt::common::symbol::InstrumentIdFormat;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// 2025-05-16 14:00:00 New York.
const T0: u64 = 1_747_418_400_000_000_000;

#[test]
fn prints_that_close_no_bar_allocate_nothing() {
    let ids = InstrumentIdFormat::new("SMART", false);
    let mut set = FlowBarSet::new();
    for pairs in [
        &[("interval", "1m"), ("expiry", "0dte")][..],
        &[
            ("interval", "1m"),
            ("option_type", "put"),
            ("moneyness", "otm"),
        ][..],
        &[("interval", "1h"), ("min_premium", "10")][..],
        &[("every", "100000")][..],
    ] {
        let mut all = vec![("ticker", "SPY")];
        all.extend_from_slice(pairs);
        set.insert(Aggregator::new(
            FlowBarSpec::from_metadata(&all).unwrap(),
            &ids,
        ));
    }
    let prints: Vec<_> = (0..10_000u64)
        .map(|i| {
            let mut p = option_trade("SPY", T0 + i * 1_000_000);
            p.size = 1 + (i % 300) as i64;
            p.trade_code = [if i % 2 == 0 { "isoi" } else { "mlet" }].into();
            p.option_symbol = format!("SPY250516C{:08}", 580_000 + (i % 20) * 1_000).into();
            p
        })
        .collect();
    let mut out = Vec::with_capacity(16);
    // The first prints size the buffer of the largest print's symbol.
    for p in &prints[..10] {
        set.push(p, &mut out);
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for p in &prints[10..] {
        set.push(p, &mut out);
    }
    let allocated = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert!(out.is_empty(), "no bar closed within the minute");
    assert_eq!(allocated, 0, "allocations for {} prints", prints.len() - 10);
}
