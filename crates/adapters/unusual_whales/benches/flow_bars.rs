//! Flow-bar aggregator throughput (criterion): prints/s of the aggregator alone on one core, one
//! subscription and eight sharing a pass, next to the option-print parse it follows on the live
//! path; a last line prints their ratio, both measured in this run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use unusual_whales_nt::aggregate::testing::option_trade;
use unusual_whales_nt::aggregate::{Aggregator, FlowBarSet, FlowBarSpec};
use unusual_whales_nt::common::symbol::InstrumentIdFormat;
use unusual_whales_nt::common::testing::{fixture_lines, recorded_frames};
use unusual_whales_nt::data::{FlowBar, OptionTrade};
use unusual_whales_nt::websocket::parse_frame;

const PRINTS: usize = 100_000;
/// 2025-05-16 14:00:00 New York.
const T0: u64 = 1_747_418_400_000_000_000;

fn ids() -> InstrumentIdFormat {
    InstrumentIdFormat::new("SMART", false)
}

/// A SPY burst at 50,000 prints/s: calls and puts, today's and next week's expiries, prints at
/// the ask, at the bid and between, sweeps and multi-leg codes, sizes 1 to 500.
fn burst() -> Vec<OptionTrade> {
    (0..PRINTS)
        .map(|i| {
            let mut p = option_trade("SPY", T0 + i as u64 * 20_000);
            let call = i % 2 == 0;
            let strike = 580 + (i % 21) as u32;
            let (expiry, yymmdd) = if i % 3 == 0 {
                ("2025-05-23", "250523")
            } else {
                ("2025-05-16", "250516")
            };
            p.option_symbol = format!(
                "SPY{yymmdd}{}{:08}",
                if call { 'C' } else { 'P' },
                strike * 1000
            )
            .into();
            p.option_type = Some(if call { "call" } else { "put" }.into());
            p.expiry = Some(expiry.into());
            p.strike = Some(f64::from(strike));
            p.price = [1.10, 1.00, 1.05, 1.12][i % 4];
            p.size = 1 + (i * 7 % 500) as i64;
            p.delta = Some(if call { 0.45 } else { -0.4 });
            p.trade_code = match i % 10 {
                0 => ["slan", "isoi"].into(),
                1 => ["mlat"].into(),
                _ => ["auto"].into(),
            };
            p
        })
        .collect()
}

fn spec(pairs: &[(&str, &str)]) -> FlowBarSpec {
    FlowBarSpec::from_metadata(pairs).expect("a valid spec")
}

/// Eight subscriptions of one ticker, as a strategy with several signals would have.
fn specs() -> Vec<FlowBarSpec> {
    [
        vec![("interval", "1s"), ("expiry", "0dte")],
        vec![
            ("interval", "1s"),
            ("expiry", "0dte"),
            ("option_type", "call"),
        ],
        vec![
            ("interval", "1s"),
            ("expiry", "0dte"),
            ("option_type", "put"),
        ],
        vec![("interval", "100ms"), ("empty", "emit")],
        vec![("interval", "1m"), ("min_premium", "50000")],
        vec![("interval", "5s"), ("moneyness", "otm")],
        vec![("interval", "1s"), ("moneyness", "0.01")],
        vec![("every", "500")],
    ]
    .into_iter()
    .map(|mut pairs| {
        pairs.push(("ticker", "SPY"));
        spec(&pairs)
    })
    .collect()
}

/// The option-print frames of the fixtures, repeated with varied sizes into a burst.
fn frames() -> Vec<String> {
    let templates: Vec<String> = fixture_lines("ws_option_trades.jsonl")
        .into_iter()
        .chain(recorded_frames())
        .filter(|f| f.starts_with("[\"option_trades") && f.contains("\"executed_at\""))
        .collect();
    (0..10_000)
        .map(|i| {
            let t = &templates[i % templates.len()];
            t.replacen("\"size\":1,", &format!("\"size\":{},", 1 + i % 500), 1)
        })
        .collect()
}

fn aggregate_one(prints: &[OptionTrade], spec: &FlowBarSpec, out: &mut Vec<FlowBar>) {
    let mut aggregator = Aggregator::new(spec.clone(), &ids());
    out.clear();
    for p in prints {
        aggregator.push(black_box(p), out);
    }
    black_box(out.len());
}

fn aggregate_set(prints: &[OptionTrade], specs: &[FlowBarSpec], out: &mut Vec<(u64, FlowBar)>) {
    let mut set = FlowBarSet::new();
    for s in specs {
        set.insert(Aggregator::new(s.clone(), &ids()));
    }
    out.clear();
    for p in prints {
        set.push(black_box(p), out);
    }
    black_box(out.len());
}

fn parse_all(frames: &[String]) {
    let ids = ids();
    for f in frames {
        black_box(parse_frame(black_box(f.as_bytes()), 1, &ids).ok());
    }
}

fn bench_aggregator(c: &mut Criterion) {
    let prints = burst();
    let one = spec(&[("ticker", "SPY"), ("interval", "1s"), ("expiry", "0dte")]);
    let all = specs();
    let mut group = c.benchmark_group("flow_bars/aggregator_100k_prints");
    group.throughput(Throughput::Elements(prints.len() as u64));
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    let mut out = Vec::new();
    group.bench_function("one_spec_1s_0dte", |b| {
        b.iter(|| aggregate_one(&prints, &one, &mut out));
    });
    let mut tagged = Vec::new();
    group.bench_function("eight_specs_one_pass", |b| {
        b.iter(|| aggregate_set(&prints, &all, &mut tagged));
    });
    group.finish();

    let frames = frames();
    let mut group = c.benchmark_group("flow_bars/option_print_parse_10k");
    group.throughput(Throughput::Elements(frames.len() as u64));
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("parse_frame", |b| b.iter(|| parse_all(&frames)));
    group.finish();
}

/// The best of `runs` timings of `f`, per item.
fn per_item(items: usize, runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("at least one run")
        / u32::try_from(items).expect("few items")
}

/// The ratio line: each workload timed here, best of 15 runs, so the three numbers come from one
/// run on one core.
fn ratio_summary() {
    let prints = burst();
    let frames = frames();
    let one = spec(&[("ticker", "SPY"), ("interval", "1s"), ("expiry", "0dte")]);
    let all = specs();
    let mut out = Vec::new();
    let mut tagged = Vec::new();
    let aggregate = per_item(prints.len(), 15, || aggregate_one(&prints, &one, &mut out));
    let shared = per_item(prints.len(), 15, || {
        aggregate_set(&prints, &all, &mut tagged)
    });
    let parse = per_item(frames.len(), 15, || parse_all(&frames));
    let rate = |d: Duration| 1e9 / d.as_nanos().max(1) as f64 / 1e6;
    println!(
        "\nflow bars, one core: aggregator {:.1} M prints/s (1 spec), {:.1} M prints/s (8 specs, one pass); \
         option-print parse {:.2} M prints/s; aggregator / parse = {:.1}x (1 spec), {:.1}x (8 specs); target >= 1 M prints/s: {}",
        rate(aggregate),
        rate(shared),
        rate(parse),
        parse.as_secs_f64() / aggregate.as_secs_f64(),
        parse.as_secs_f64() / shared.as_secs_f64(),
        if rate(aggregate) >= 1.0 {
            "met"
        } else {
            "MISSED"
        },
    );
}

criterion_group!(benches, bench_aggregator);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratio_summary();
}
