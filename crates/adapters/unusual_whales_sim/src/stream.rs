//! What the WebSocket side streams: frames generated from the [`Market`] at each channel's rate,
//! or a JSONL recording replayed at its own pace.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use unusual_whales_nt::common::time::now_nanos;
use unusual_whales_nt::common::time::parse_timestamp;
use unusual_whales_nt::subscription::channel::UwChannel;

use crate::generate::Market;
use crate::pool::{FramePool, frame_text};
use crate::{Outgoing, SimState, lock, now_ms};

/// Frames an unlimited-rate channel keeps queued for its slowest reader.
const MAX_BACKLOG: usize = 16_384;
/// Frames an unlimited-rate channel generates per 1 ms tick at most.
const MAX_PER_TICK: usize = 4_096;

/// How many generated flow alerts the REST side remembers.
const ALERT_HISTORY: usize = 200_000;

pub(crate) fn load_recording(path: &PathBuf) -> std::io::Result<Vec<(f64, String)>> {
    let text = std::fs::read_to_string(path)?;
    let mut frames = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |why: &str| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}:{}: {why}", path.display(), i + 1),
            )
        };
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
        let frame = v
            .get("frame")
            .and_then(|f| f.as_str())
            .ok_or_else(|| bad("no \"frame\" string"))?;
        let at = v.get("received_at").and_then(|t| t.as_str()).map_or(
            Ok(frames.len() as f64 * 0.1),
            |t| {
                parse_timestamp(t)
                    .map(|n| n as f64 / 1e9)
                    .map_err(|e| bad(&e))
            },
        )?;
        frames.push((at, frame.to_owned()));
    }
    Ok(frames)
}

fn frame_channel(frame: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(frame).ok()?;
    let arr = v.as_array()?;
    // Acks in a recording were UW's replies to that session's joins; the simulator acks its own.
    if arr.get(1)?.get("status").is_some() {
        return None;
    }
    arr.first()?.as_str().map(str::to_owned)
}

pub(crate) async fn replay_task(
    state: Arc<SimState>,
    frames: Vec<(f64, String)>,
    mut stop: watch::Receiver<bool>,
) {
    let speed = if state.config.replay_speed > 0.0 {
        state.config.replay_speed
    } else {
        1.0
    };
    // A recording starts when someone listens, so a client never misses its beginning.
    while lock(&state.joined).is_empty() {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(5)) => {}
            _ = stop.changed() => return,
        }
    }
    loop {
        let start = Instant::now();
        let t0 = frames.first().map_or(0.0, |f| f.0);
        for (at, frame) in &frames {
            let due = Duration::from_secs_f64(((at - t0) / speed).max(0.0));
            tokio::select! {
                () = tokio::time::sleep_until((start + due).into()) => {}
                _ = stop.changed() => return,
            }
            if let Some(channel) = frame_channel(frame) {
                let _ = state.frames.send(Arc::new(Outgoing {
                    channel,
                    text: frame.as_str().into(),
                }));
            }
        }
        if !state.config.replay_loop {
            return;
        }
    }
}

pub(crate) async fn generate_task(state: Arc<SimState>, mut stop: watch::Receiver<bool>) {
    let mut market = Market::new(state.config.seed, &state.config.tickers);
    let pregenerate = state.config.pregenerate;
    let mut pools: HashMap<String, FramePool> = HashMap::new();
    let mut owed: HashMap<String, f64> = HashMap::new();
    let mut sticky: HashSet<String> = HashSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let dt = last.elapsed().as_secs_f64();
        last = Instant::now();
        // The market does not stop when a client disconnects: flow alerts always, and option
        // prints once any client asked for them, keep coming, so REST can back-fill a gap.
        for name in lock(&state.joined).keys() {
            if name.starts_with("option_trades") {
                sticky.insert(name.clone());
            }
        }
        let mut channels: Vec<String> = lock(&state.joined).keys().cloned().collect();
        channels.extend(
            sticky
                .iter()
                .filter(|c| !channels.contains(c))
                .cloned()
                .collect::<Vec<_>>(),
        );
        if !channels.iter().any(|c| c == "flow-alerts") {
            channels.push("flow-alerts".to_owned());
        }
        let (rates, default_rate) = (lock(&state.rates).clone(), *lock(&state.default_rate));
        let now = now_ms();
        for name in channels {
            let Some(channel) = UwChannel::parse(&name) else {
                continue;
            };
            let rate = rates
                .get(channel.kind.as_str())
                .copied()
                .unwrap_or(default_rate);
            let due = owed.entry(name.clone()).or_insert(0.0);
            if rate.is_infinite() {
                // Keep the slowest reader's backlog topped up instead of outrunning it: its
                // drops would then measure the simulator, not the reader.
                let listening = lock(&state.joined).contains_key(&name);
                *due = if listening {
                    MAX_BACKLOG
                        .saturating_sub(state.frames.len())
                        .min(MAX_PER_TICK) as f64
                } else {
                    0.0
                };
            } else {
                *due += rate * dt;
            }
            while *due >= 1.0 {
                *due -= 1.0;
                let text = if pregenerate > 0 {
                    let pool = pools.entry(name.clone()).or_insert_with(|| {
                        FramePool::generate(&mut market, &channel, &name, pregenerate, now)
                    });
                    // Each frame's own send instant: its id carries it to 244 ns.
                    let Some(text) = pool.next_frame(now_nanos()) else {
                        break;
                    };
                    text
                } else {
                    let (payload, alert) = market.payload(&channel, now);
                    if let Some(alert) = alert {
                        let mut alerts = lock(&state.alerts);
                        if alerts.len() == ALERT_HISTORY {
                            alerts.pop_front();
                        }
                        alerts.push_back(alert);
                    }
                    frame_text(&name, &payload)
                };
                let _ = state.frames.send(Arc::new(Outgoing {
                    channel: name.clone(),
                    text: text.into(),
                }));
            }
        }
        owed.retain(|name, _| {
            lock(&state.joined).contains_key(name) || name == "flow-alerts" || sticky.contains(name)
        });
    }
}
