//! The simulator's cost per option print (criterion): generated from the market when due, against
//! sent from a pre-generated pool (`pregenerate`), the load generator of the end-to-end benchmark;
//! a last line prints their ratio, both measured in this run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use unusual_whales_nt::subscription::channel::UwChannel;
use unusual_whales_nt_sim::generate::Market;
use unusual_whales_nt_sim::pool::{FramePool, frame_text};

const FRAMES: usize = 10_000;
/// 2025-05-16 18:19:52.926 UTC.
const T0: u64 = 1_747_419_592_926;

fn channel() -> UwChannel {
    UwChannel::parse("option_trades").expect("a documented channel")
}

fn generated(market: &mut Market, channel: &UwChannel) {
    for i in 0..FRAMES as u64 {
        let (payload, alert) = market.payload(channel, T0 + i);
        black_box((frame_text("option_trades", &payload), alert));
    }
}

fn pooled(pool: &mut FramePool) {
    for i in 0..FRAMES as u64 {
        black_box(pool.next_frame((T0 + i) * 1_000_000 + 123_456));
    }
}

fn tickers() -> Vec<String> {
    ["SPY", "QQQ", "IWM", "TSLA"].map(str::to_owned).to_vec()
}

fn bench_generate(c: &mut Criterion) {
    let channel = channel();
    let mut market = Market::new(42, &tickers());
    let mut pool = FramePool::generate(&mut market, &channel, "option_trades", 65_536, T0);
    let mut group = c.benchmark_group("sim/option_print_10k");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.bench_function("generated", |b| b.iter(|| generated(&mut market, &channel)));
    group.bench_function("pooled", |b| b.iter(|| pooled(&mut pool)));
    group.finish();

    let best = |mut run: Box<dyn FnMut() + '_>| -> Duration {
        (0..15)
            .map(|_| {
                let start = Instant::now();
                run();
                start.elapsed()
            })
            .min()
            .expect("runs")
            / u32::try_from(FRAMES).expect("few frames")
    };
    let generate = best(Box::new(|| generated(&mut market, &channel)));
    let replay = best(Box::new(|| pooled(&mut pool)));
    println!(
        "\nsimulator, one core, per option print: generated {} ns, pooled {} ns ({:.1}x less)",
        generate.as_nanos(),
        replay.as_nanos(),
        generate.as_secs_f64() / replay.as_secs_f64()
    );
}

criterion_group!(benches, bench_generate);
criterion_main!(benches);
