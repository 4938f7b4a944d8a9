//! Parse throughput per channel (criterion): messages/s and bytes/s on UW's documented frames,
//! the recorded session, and a generated burst of option prints.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use unusual_whales_nt::common::symbol::InstrumentIdFormat;
use unusual_whales_nt::common::testing::{fixture_lines, recorded_frames, test_data_path};
use unusual_whales_nt::websocket::parse_frame;

fn frames_by_channel() -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |frame: String| {
        let v: serde_json::Value = serde_json::from_str(&frame).expect("fixture is JSON");
        let is_ack = v[1].get("status").is_some() && v[1].get("response").is_some();
        if !is_ack {
            let channel = v[0]
                .as_str()
                .unwrap_or("?")
                .split(':')
                .next()
                .unwrap_or("?")
                .to_owned();
            out.entry(channel).or_default().push(frame);
        }
    };
    // Only WebSocket fixtures: the `http_get_*` REST bodies are not frames.
    for entry in std::fs::read_dir(test_data_path("")).expect("test_data") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("UTF-8 name");
        if name.starts_with("ws_") && name.ends_with(".jsonl") {
            fixture_lines(&name).into_iter().for_each(&mut add);
        }
    }
    recorded_frames().into_iter().for_each(add);
    out
}

fn bench_channels(c: &mut Criterion) {
    for (channel, frames) in frames_by_channel() {
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
    let by_channel = frames_by_channel();
    let templates = &by_channel["option_trades"];
    let burst: Vec<String> = (0..10_000)
        .map(|i| {
            let t = &templates[i % templates.len()];
            t.replacen("\"size\":1,", &format!("\"size\":{},", 1 + i % 500), 1)
        })
        .collect();
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

criterion_group!(benches, bench_channels, bench_burst);
criterion_main!(benches);
