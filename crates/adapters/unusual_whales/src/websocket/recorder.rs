//! The frame recorder: every received text frame with its arrival time, one JSON object per line
//! (`{"received_at": ..., "frame": ...}`, the format `uw-nt replay` and the simulator read).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use crate::common::time::format_utc;

/// An open recording, appended to.
pub(super) struct Recorder(Mutex<BufWriter<File>>);

impl Recorder {
    /// Opens `path` for appending; `None` when it cannot be opened (the feed runs unrecorded).
    pub(super) fn open(path: &Path) -> Option<Self> {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
            .map(|f| Self(Mutex::new(BufWriter::new(f))))
    }

    /// Appends `frame`, stamped with its arrival time (the `ts_init` of its records).
    pub(super) fn record(&self, frame: &str, received_at_ns: u64) {
        let line = serde_json::json!({
            "received_at": format_utc(received_at_ns, 9),
            "frame": frame,
        });
        let mut w = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writeln!(w, "{line}");
    }

    /// Writes out what is buffered (on every heartbeat tick, and when the task stops).
    pub(super) fn flush(&self) {
        let _ = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_frame_is_one_line_with_its_arrival_time() {
        let path = std::env::temp_dir().join(format!("uw-recorder-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let recorder = Recorder::open(&path).unwrap();
        recorder.record(r#"["flow-alerts",{"ticker":"SPY"}]"#, 1);
        // 2025-05-16T14:30:00.123456789Z: the stamp is the given arrival time, to the nanosecond.
        let arrival = 1_747_405_800_123_456_789;
        recorder.record("second", arrival);
        recorder.flush();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["frame"], r#"["flow-alerts",{"ticker":"SPY"}]"#);
        let at = lines[1]["received_at"].as_str().unwrap();
        assert_eq!(at, "2025-05-16T14:30:00.123456789Z");
        assert_eq!(crate::common::time::parse_timestamp(at), Ok(arrival));
    }
}
