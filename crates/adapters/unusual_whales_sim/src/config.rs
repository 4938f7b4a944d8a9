//! What a simulator is started with.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// How the simulator behaves. [`SimConfig::default`] is a quiet market on ephemeral ports.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to bind (loopback).
    pub host: String,
    /// WebSocket port (0 = any free port).
    pub ws_port: u16,
    /// REST port (0 = any free port).
    pub http_port: u16,
    /// The token clients must present.
    pub token: String,
    /// Seed of the generated market.
    pub seed: u64,
    /// Tickers of all-tickers channels (`flow-alerts`, `option_trades`, ...).
    pub tickers: Vec<String>,
    /// Frames per second on each joined channel; `f64::INFINITY` streams as fast as the slowest
    /// reader takes them (backpressure instead of drops: for measuring a consumer's maximum).
    pub default_rate: f64,
    /// Per-channel-kind rates (`"flow-alerts" -> 20.0`), overriding `default_rate`.
    pub rates: HashMap<String, f64>,
    /// Frames of each generated channel built once at the start and sent in turn, their times set
    /// to the send time (0: each frame generated when due). A load generator for benchmarks: a
    /// copy per frame instead of a generated print, on the cores the measured client needs. The
    /// REST side does not see pooled frames (no flow-alert or print history).
    pub pregenerate: usize,
    /// Replay this JSONL recording (`{"received_at", "frame"}` per line) instead of generating.
    pub replay: Option<PathBuf>,
    /// Replay speed multiplier (2.0 = twice as fast as recorded).
    pub replay_speed: f64,
    /// Start the recording again at its end.
    pub replay_loop: bool,
    /// REST requests allowed per minute (UW's plans: 120).
    pub http_per_minute: u32,
    /// REST requests allowed per day.
    pub http_per_day: u64,
    /// Length of the per-minute window (60 s at UW; shorter in tests).
    pub http_window: Duration,
    /// `older_than`/`newer_than` of flow alerts and option prints compare `created_at` (and pages
    /// run newest `created_at` first) instead of the event time: UW does not document which it
    /// compares, and a client must page completely under either.
    pub cursor_on_created_at: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            ws_port: 0,
            http_port: 0,
            token: "sim-token".to_owned(),
            seed: 42,
            tickers: vec!["SPY".to_owned(), "QQQ".to_owned()],
            default_rate: 5.0,
            rates: HashMap::new(),
            pregenerate: 0,
            replay: None,
            replay_speed: 1.0,
            replay_loop: false,
            http_per_minute: 120,
            http_per_day: 40_000,
            http_window: Duration::from_secs(60),
            cursor_on_created_at: false,
        }
    }
}
