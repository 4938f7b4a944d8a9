//! Parse throughput per channel (criterion): messages/s and bytes/s on UW's documented frames,
//! the recorded session, and a generated burst of option prints; then the live client's per-frame
//! work (parse, route to the subscriptions, queue for the consumer) on bursts of option prints and
//! flow alerts, next to a `serde_json::Value` tree of the same frames, with a last line that prints
//! their ratio, both measured in this run.
//!
//! The live path is timed in two regimes, because on a two-core VM their difference is memory,
//! not code: a strategy that is behind (10k records queued, each frame read from memory) and one
//! that keeps pace (the consumer takes every `MAX_BATCH` records, and each frame is as fresh in
//! the cache as the socket leaves it).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use unusual_whales_nt::common::compact_json::from_compact_str;
use unusual_whales_nt::common::settings::defaults::MAX_BATCH;
use unusual_whales_nt::common::symbol::InstrumentIdFormat;
use unusual_whales_nt::common::testing::{burst, data_frames_by_channel};
use unusual_whales_nt::data::record::UwRecord;
use unusual_whales_nt::data::{FlowAlert, OptionTrade};
use unusual_whales_nt::subscription::{StreamSource, Subscription, SubscriptionTable, UwFilter};
use unusual_whales_nt::websocket::UwWsMessage;
use unusual_whales_nt::websocket::queue::{FeedEvent, FeedQueue, Popped};
use unusual_whales_nt::websocket::{parse_frame, parse_text_frame};

// The wheel's allocator (crates/pyo3): records are allocated per field, so the allocator is part
// of the per-frame cost measured here.
#[global_allocator]
static ALLOCATOR: unusual_whales_nt_alloc::UwAllocator = unusual_whales_nt_alloc::UwAllocator;

fn bench_channels(c: &mut Criterion) {
    for (channel, frames) in data_frames_by_channel() {
        let bytes: usize = frames.iter().map(String::len).sum();
        let mut group = c.benchmark_group(format!("parse_frame/{channel}"));
        group.throughput(Throughput::Elements(frames.len() as u64));
        group.bench_function("msgs", |b| {
            b.iter(|| {
                for f in &frames {
                    black_box(
                        parse_frame(
                            black_box(f.as_bytes()),
                            1,
                            &InstrumentIdFormat::new("SMART", false),
                        )
                        .ok(),
                    );
                }
            });
        });
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("bytes", |b| {
            b.iter(|| {
                for f in &frames {
                    black_box(
                        parse_frame(
                            black_box(f.as_bytes()),
                            1,
                            &InstrumentIdFormat::new("SMART", false),
                        )
                        .ok(),
                    );
                }
            });
        });
        group.finish();
    }
}

fn bench_burst(c: &mut Criterion) {
    let burst = burst(&data_frames_by_channel()["option_trades"]);
    let bytes: usize = burst.iter().map(String::len).sum();
    let mut group = c.benchmark_group("burst/option_trades_10k");
    group.sample_size(20);
    group.throughput(Throughput::Elements(burst.len() as u64));
    group.bench_function("msgs", |b| {
        b.iter(|| {
            for f in &burst {
                black_box(
                    parse_frame(f.as_bytes(), 1, &InstrumentIdFormat::new("SMART", false)).ok(),
                );
            }
        });
    });
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("bytes", |b| {
        b.iter(|| {
            for f in &burst {
                black_box(
                    parse_frame(f.as_bytes(), 1, &InstrumentIdFormat::new("SMART", false)).ok(),
                );
            }
        });
    });
    group.finish();
}

/// What the live client does with each frame it reads (websocket/session.rs): parse it, route its
/// records to the subscriptions that want them, queue them for the consumer.
struct LivePath {
    table: SubscriptionTable,
    queue: FeedQueue,
    ids: InstrumentIdFormat,
}

impl LivePath {
    /// One unfiltered subscription on every channel of `frames`.
    fn subscribed_to(frames: &[String]) -> Self {
        let ids = InstrumentIdFormat::new("SMART", false);
        let mut table = SubscriptionTable::default();
        let mut channels: Vec<_> = frames
            .iter()
            .filter_map(|f| match parse_frame(f.as_bytes(), 1, &ids) {
                Ok(UwWsMessage::Data { channel, .. }) => Some(channel),
                _ => None,
            })
            .collect();
        channels.sort();
        channels.dedup();
        for (id, channel) in channels.into_iter().enumerate() {
            table.add(Subscription {
                id: id as u64,
                source: StreamSource::Channel(channel.kind),
                filter: UwFilter::default(),
                channels: vec![channel],
            });
        }
        Self {
            table,
            queue: FeedQueue::new(usize::MAX),
            ids,
        }
    }

    fn receive_all<F: AsRef<str>>(&mut self, frames: &[F]) {
        // The reader reads the clock per frame for its heartbeat anyway; the queue reuses it.
        let arrived = Instant::now();
        for f in frames {
            // A text message, as UW sends them: the socket has checked its UTF-8.
            if let Ok(UwWsMessage::Data { channel, payload }) =
                parse_text_frame(black_box(f.as_ref()), 1, &self.ids)
            {
                let (payload, routes) = self.table.route_payload(&channel, payload);
                if !routes.is_empty() {
                    let queued = self
                        .queue
                        .try_push(FeedEvent::Data { payload, routes }, arrived);
                    assert!(matches!(queued, Ok(true)), "the queue is unbounded");
                }
            }
        }
    }

    /// What the consumer takes (not timed: its side is the Python benches' business).
    fn drain(&self) -> usize {
        let mut records = 0;
        loop {
            match self.queue.try_pop(usize::MAX) {
                (Popped::Events(events), again) => {
                    records += events.len();
                    drop(events);
                    if !again {
                        return records;
                    }
                }
                _ => return records,
            }
        }
    }

    /// The receive time of `frames`, the consumer's drain left out.
    fn time<F: AsRef<str>>(&mut self, frames: &[F]) -> Duration {
        let start = Instant::now();
        self.receive_all(frames);
        let spent = start.elapsed();
        assert_eq!(self.drain(), frames.len(), "every frame delivered");
        spent
    }

    /// As [`Self::time`], with the consumer keeping pace: it takes the queue's records after
    /// every `MAX_BATCH` frames (its batch per event-loop wake-up), untimed.
    fn time_keeping_pace<F: AsRef<str>>(&mut self, frames: &[F]) -> Duration {
        let mut spent = Duration::ZERO;
        for batch in frames.chunks(MAX_BATCH) {
            let start = Instant::now();
            self.receive_all(batch);
            spent += start.elapsed();
            assert_eq!(self.drain(), batch.len(), "every frame delivered");
        }
        spent
    }
}

/// Distinct frames a burst replays when each frame should be in the cache, as the socket leaves
/// a frame it has just written: 500 frames (every `size` of the burst; 0.45 MB of prints, 0.86 MB
/// of alerts) fit in a core's L2 beside 64 records, where 10k frames (9 and 17 MB) are read from
/// memory.
const CACHED_FRAMES: usize = 500;

/// `frames` as a replay of its first [`CACHED_FRAMES`], cycled: the same number of frames, each
/// one of those texts.
fn replayed_from_cache(frames: &[String]) -> Vec<&str> {
    let pool = &frames[..CACHED_FRAMES.min(frames.len())];
    (0..frames.len())
        .map(|i| pool[i % pool.len()].as_str())
        .collect()
}

fn value_trees<F: AsRef<str>>(frames: &[F]) {
    for f in frames {
        let f = f.as_ref();
        black_box(serde_json::from_slice::<serde_json::Value>(black_box(f.as_bytes())).ok());
    }
}

/// The best of 15 runs, per frame.
fn per_frame(frames: usize, mut run: impl FnMut() -> Duration) -> Duration {
    (0..15).map(|_| run()).min().expect("runs") / u32::try_from(frames).expect("few frames")
}

/// Decodes each frame's record alone, as the live path decodes it (UW's key order directly, any
/// other order through the compact lexer into the record's `Deserialize`), and nothing else: the
/// floor under the live path as long as records own their 47 to 51 fields.
fn records_alone<R: UwRecord + serde::de::DeserializeOwned>(frames: &[&str]) {
    let mut out = Vec::with_capacity(1);
    for f in frames {
        match R::PUSH_IN_UW_ORDER {
            Some(push_in_order) if push_in_order(black_box(f), &mut out).is_ok() => {}
            _ => out.push(
                from_compact_str::<(serde::de::IgnoredAny, R)>(black_box(f), None)
                    .expect("compact frames")
                    .1,
            ),
        }
        black_box(out.pop());
    }
}

/// Channel, the target in frames/s of the live path on one core (issue #17), and its records
/// deserialized alone.
type LiveTarget = (&'static str, f64, fn(&[&str]));

const LIVE_TARGETS: [LiveTarget; 2] = [
    ("option_trades", 1e6, records_alone::<OptionTrade>),
    ("flow-alerts", 5e5, records_alone::<FlowAlert>),
];

fn bench_live_path(c: &mut Criterion) {
    let by_channel = data_frames_by_channel();
    for (channel, _, _) in LIVE_TARGETS {
        let frames = burst(&by_channel[channel]);
        let mut live = LivePath::subscribed_to(&frames);
        let mut group = c.benchmark_group(format!("live_path/{channel}_10k"));
        group.sample_size(20);
        group.throughput(Throughput::Elements(frames.len() as u64));
        group.bench_function("parse_route_enqueue", |b| {
            b.iter_custom(|iters| (0..iters).map(|_| live.time(&frames)).sum());
        });
        group.bench_function("serde_json_value_baseline", |b| {
            b.iter(|| value_trees(&frames));
        });
        let cached = replayed_from_cache(&frames);
        group.bench_function("parse_route_enqueue_keeping_pace", |b| {
            b.iter_custom(|iters| (0..iters).map(|_| live.time_keeping_pace(&cached)).sum());
        });
        group.finish();
    }
    if let Ok(ch) = std::env::var("PROF") {
        let frames = burst(&by_channel[&ch]);
        let mut live = LivePath::subscribed_to(&frames);
        let t = Instant::now();
        while t.elapsed().as_secs() < 8 {
            live.time(&frames);
        }
        return;
    }
    // The ratio lines: each regime's adapter and baselines timed here, interleaved, so a loaded
    // machine slows them alike.
    println!();
    for (channel, target, deserialize) in LIVE_TARGETS {
        let burst = burst(&by_channel[channel]);
        let mut live = LivePath::subscribed_to(&burst);
        let from_memory: Vec<&str> = burst.iter().map(String::as_str).collect();
        let from_cache = replayed_from_cache(&burst);
        type Timing = fn(&mut LivePath, &[&str]) -> Duration;
        let regimes: [(String, &[&str], Timing); 2] = [
            (
                format!(
                    "strategy behind: {} queued, frames from memory",
                    burst.len()
                ),
                &from_memory,
                |live, frames| live.time(frames),
            ),
            (
                format!("strategy keeping pace: taken every {MAX_BATCH}, frames in cache"),
                &from_cache,
                |live, frames| live.time_keeping_pace(frames),
            ),
        ];
        for (regime, frames, timing) in regimes {
            let adapter = per_frame(frames.len(), || timing(&mut live, frames));
            let baseline = per_frame(frames.len(), || {
                let start = Instant::now();
                value_trees(frames);
                start.elapsed()
            });
            let floor = per_frame(frames.len(), || {
                let start = Instant::now();
                deserialize(frames);
                start.elapsed()
            });
            let rate = 1e9 / adapter.as_nanos().max(1) as f64;
            println!(
                "live path, one core, {channel} ({regime}): parse + route + enqueue {} ns/frame \
                 ({:.0}k frames/s), of which {} ns deserialize the record alone; \
                 serde_json::Value alone {} ns/frame: {:.2}x the Value baseline; \
                 target >= {:.0}k/s: {}",
                adapter.as_nanos(),
                rate / 1e3,
                floor.as_nanos(),
                baseline.as_nanos(),
                baseline.as_secs_f64() / adapter.as_secs_f64(),
                target / 1e3,
                if rate >= target { "met" } else { "NOT met" }
            );
        }
    }
}

criterion_group!(benches, bench_channels, bench_burst, bench_live_path);
criterion_main!(benches);
