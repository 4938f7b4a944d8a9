//! The record decode of the live path with each JSON parser that has a serde path: the adapter's
//! compact lexer (`from_compact_str`, what the client runs), `serde_json`, `simd-json` and
//! `sonic-rs`, on the same 10k option prints and 10k flow alerts as `benches/parse.rs`' live
//! path. Every parser must give the very records the lexer gives before anything is timed. The
//! last lines print each parser's time per frame against the lexer's, all measured in this run,
//! interleaved, best of 40 each.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::de::{DeserializeOwned, IgnoredAny};
use unusual_whales_nt::common::compact_json::from_compact_str;
use unusual_whales_nt::common::testing::{burst, data_frames_by_channel};
use unusual_whales_nt::data::{FlowAlert, OptionTrade};

// The wheel's allocator: every parser here allocates the same record fields through it.
#[global_allocator]
static ALLOCATOR: unusual_whales_nt_alloc::UwAllocator = unusual_whales_nt_alloc::UwAllocator;

/// A JSON parser with a serde path.
#[derive(Clone, Copy)]
enum Parser {
    /// The adapter's: what the live client decodes UW's frames with.
    CompactLexer,
    SerdeJson,
    SimdJson,
    SonicRs,
}

impl Parser {
    const ALL: [Self; 4] = [
        Self::CompactLexer,
        Self::SerdeJson,
        Self::SimdJson,
        Self::SonicRs,
    ];

    const fn name(self) -> &'static str {
        match self {
            Self::CompactLexer => "compact_lexer",
            Self::SerdeJson => "serde_json",
            Self::SimdJson => "simd_json",
            Self::SonicRs => "sonic_rs",
        }
    }

    /// The record of one `[channel, record]` frame. simd-json parses in place: the client's
    /// frame is shared, immutable bytes, so the copy into a buffer it may scribble on is part of
    /// its cost.
    #[inline(always)]
    fn decode<R: DeserializeOwned>(self, frame: &str, scratch: &mut Vec<u8>) -> Option<R> {
        let (_, record) = match self {
            Self::CompactLexer => from_compact_str::<(IgnoredAny, R)>(frame, None).ok()?,
            Self::SerdeJson => serde_json::from_str::<(IgnoredAny, R)>(frame).ok()?,
            Self::SimdJson => {
                scratch.clear();
                scratch.extend_from_slice(frame.as_bytes());
                simd_json::serde::from_slice::<(IgnoredAny, R)>(scratch).ok()?
            }
            Self::SonicRs => sonic_rs::from_str::<(IgnoredAny, R)>(frame).ok()?,
        };
        Some(record)
    }
}

/// Every parser reads every frame, and into the lexer's record: a faster parser that reads
/// something else is no candidate.
fn assert_same_records<R: DeserializeOwned + PartialEq + std::fmt::Debug>(
    channel: &str,
    frames: &[String],
) {
    let mut scratch = Vec::new();
    for frame in frames {
        let expected: R = Parser::CompactLexer
            .decode(frame, &mut scratch)
            .unwrap_or_else(|| panic!("the compact lexer declined a {channel} frame"));
        for parser in &Parser::ALL[1..] {
            let got: R = parser.decode(frame, &mut scratch).unwrap_or_else(|| {
                panic!("{} failed on a {channel} frame: {frame}", parser.name())
            });
            assert_eq!(
                got,
                expected,
                "{} read a {channel} frame differently",
                parser.name()
            );
        }
    }
}

/// Rounds of the interleaved comparison.
const ROUNDS: usize = 40;

fn decode_all<R: DeserializeOwned>(
    parser: Parser,
    frames: &[String],
    scratch: &mut Vec<u8>,
) -> Duration {
    let start = Instant::now();
    for frame in frames {
        black_box(parser.decode::<R>(black_box(frame), scratch));
    }
    start.elapsed()
}

fn compare<R: DeserializeOwned + PartialEq + std::fmt::Debug>(c: &mut Criterion, channel: &str) {
    let frames = burst(&data_frames_by_channel()[channel]);
    assert_same_records::<R>(channel, &frames);
    let mut scratch = Vec::new();
    let mut group = c.benchmark_group(format!("parser_choice/{channel}_10k"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(frames.len() as u64));
    for parser in Parser::ALL {
        group.bench_function(parser.name(), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| decode_all::<R>(parser, &frames, &mut scratch))
                    .sum()
            });
        });
    }
    group.finish();

    // The ratio lines: the parsers take turns, forty rounds (seconds, as this VM's slow spells
    // last), so that a slow spell of a shared machine falls on all of them; the best round of
    // each counts.
    let mut best = [Duration::MAX; 4];
    for _ in 0..ROUNDS {
        for (parser, best) in Parser::ALL.into_iter().zip(&mut best) {
            *best = (*best).min(decode_all::<R>(parser, &frames, &mut scratch));
        }
    }
    let per_frame = |d: Duration| d.as_nanos() as f64 / frames.len() as f64;
    let lexer = per_frame(best[0]);
    println!(
        "parser choice, {channel}, record decode per frame (best of {ROUNDS}, interleaved): {} {lexer:.0} ns",
        Parser::CompactLexer.name()
    );
    for (parser, best) in Parser::ALL.into_iter().zip(best).skip(1) {
        let ns = per_frame(best);
        println!(
            "  {:<14} {ns:>6.0} ns, {:.2}x the compact lexer's time",
            parser.name(),
            ns / lexer
        );
    }
}

fn bench_parsers(c: &mut Criterion) {
    compare::<OptionTrade>(c, "option_trades");
    compare::<FlowAlert>(c, "flow-alerts");
}

criterion_group!(benches, bench_parsers);
criterion_main!(benches);
