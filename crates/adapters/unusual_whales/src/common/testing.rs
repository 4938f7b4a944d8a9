//! Fixture loading for this crate's unit tests, integration tests and benches, and the
//! simulator's tests.
//!
//! Public (but hidden from the docs) because `tests/` and `benches/` link the library as an
//! ordinary dependency and would otherwise each carry their own copy of these helpers.
//!
//! The fixtures live in the simulator's crate, which compiles UW's examples into the answers it
//! serves (a crate may embed only files of its own package); this crate only reads them, at test
//! time, and embeds none.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The UW WebSocket session recorded on 2025-05-16 (`{"received_at", "frame"}` per line).
pub const RECORDED_SESSION: &str = "recorded_ws_2025-05-16.jsonl";

/// The absolute path of a file under the simulator crate's `test_data/`.
#[must_use]
pub fn test_data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../unusual_whales_sim/test_data")
        .join(name)
}

/// Reads a fixture as text.
///
/// # Panics
/// When the fixture is missing: a test setup error, not a runtime condition.
#[must_use]
pub fn load_fixture(name: &str) -> String {
    let path = test_data_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// The non-blank lines of a `.jsonl` fixture: one frame or body each.
///
/// # Panics
/// When the fixture is missing or holds no line, so that "every frame parses" cannot pass on an
/// empty file.
#[must_use]
pub fn fixture_lines(name: &str) -> Vec<String> {
    let lines: Vec<String> = load_fixture(name)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    assert!(!lines.is_empty(), "fixture {name} holds no line");
    lines
}

/// The raw text frames of the recorded session, in arrival order.
///
/// # Panics
/// When a line is not `{"frame": "<text>", ...}`: the recording itself is damaged.
#[must_use]
pub fn recorded_frames() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Line {
        frame: String,
    }
    fixture_lines(RECORDED_SESSION)
        .iter()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str::<Line>(line)
                .unwrap_or_else(|e| panic!("{RECORDED_SESSION} line {}: {e}", i + 1))
                .frame
        })
        .collect()
}

/// The frames of each `ws_*.jsonl` fixture (the `http_get_*` REST bodies are not frames).
fn ws_fixture_frames() -> Vec<String> {
    let mut frames = Vec::new();
    for entry in std::fs::read_dir(test_data_path("")).expect("test_data is readable") {
        let name = entry
            .expect("test_data entry")
            .file_name()
            .into_string()
            .unwrap_or_default();
        if name.starts_with("ws_") && name.ends_with(".jsonl") {
            frames.extend(fixture_lines(&name));
        }
    }
    frames
}

/// Every WebSocket frame the fixtures hold: the recorded session and each `ws_*.jsonl` file.
///
/// # Panics
/// When the fixture directory cannot be read.
#[must_use]
pub fn all_ws_frames() -> Vec<String> {
    let mut frames = recorded_frames();
    frames.extend(ws_fixture_frames());
    frames
}

/// The data frames of the WebSocket fixtures (each `ws_*.jsonl` file, then the recorded session),
/// by channel base name (`option_trades`, `flow-alerts`, ...); join acks left out.
///
/// # Panics
/// When a fixture is not JSON or the fixture directory cannot be read.
#[must_use]
pub fn data_frames_by_channel() -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for frame in ws_fixture_frames().into_iter().chain(recorded_frames()) {
        let v: serde_json::Value = serde_json::from_str(&frame).expect("fixture is JSON");
        let is_ack = v[1].get("status").is_some() && v[1].get("response").is_some();
        if !is_ack {
            let channel = v[0].as_str().unwrap_or("?");
            let base = channel.split(':').next().unwrap_or("?").to_owned();
            out.entry(base).or_default().push(frame);
        }
    }
    out
}

/// Ten thousand frames cycled from `templates` (a burst, as the benches replay it), a print's
/// `"size":1` made `1..=500` so that the burst is not the same few texts over and over.
#[must_use]
pub fn burst(templates: &[String]) -> Vec<String> {
    (0..10_000)
        .map(|i| {
            let t = &templates[i % templates.len()];
            t.replacen("\"size\":1,", &format!("\"size\":{},", 1 + i % 500), 1)
        })
        .collect()
}
