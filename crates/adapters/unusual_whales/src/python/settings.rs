//! The accepted range of every numeric setting of the live feed and the REST client.
//!
//! One table for both checks: the Python config validates against it when it is made (so a bad
//! value fails at config time, naming the field), and the clients check again when built from
//! Rust-facing arguments. Bounds keep every derived time computable: a `Duration` added to an
//! `Instant` must not overflow, and a jittered delay must stay finite.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// One setting's accepted values.
pub struct SettingRange {
    /// The argument name (`UwLiveFeed` / `UwRestClient`).
    pub name: &'static str,
    /// Smallest accepted value.
    pub min: f64,
    /// Whether `min` itself is refused (a zero timeout means nothing).
    pub min_exclusive: bool,
    /// Largest accepted value.
    pub max: f64,
}

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

const fn range(name: &'static str, min: f64, min_exclusive: bool, max: f64) -> SettingRange {
    SettingRange {
        name,
        min,
        min_exclusive,
        max,
    }
}

/// Every numeric setting with its range.
pub const SETTING_RANGES: &[SettingRange] = &[
    range("heartbeat_secs", 0.0, true, HOUR),
    range("pong_timeout_secs", 0.0, true, HOUR),
    range("connect_timeout_secs", 0.0, true, HOUR),
    range("reconnect_initial_secs", 0.0, false, HOUR),
    range("reconnect_max_secs", 0.0, false, DAY),
    range("reconnect_jitter", 0.0, false, 10.0),
    range("max_reconnect_attempts", 0.0, false, 1e9),
    range("join_timeout_secs", 0.0, true, HOUR),
    range("leave_grace_secs", 0.0, false, HOUR),
    range("stale_after_secs", 0.0, true, DAY),
    range("queue_capacity", 1.0, false, 100_000_000.0),
    range("max_batch", 1.0, false, 1_000_000.0),
    range("timeout_secs", 0.0, true, HOUR),
    range("max_retries", 0.0, false, 100.0),
    range("retry_initial_secs", 0.0, false, HOUR),
    range("retry_max_secs", 0.0, false, DAY),
    range("requests_per_minute", 1.0, false, 1e6),
    range("requests_per_day", 1.0, false, 1e12),
    range("max_concurrent", 1.0, false, 1000.0),
    range("max_rate_limit_waits", 0.0, false, 1000.0),
];

fn find(name: &str) -> Option<&'static SettingRange> {
    SETTING_RANGES.iter().find(|r| r.name == name)
}

/// The error text for `value` outside `name`'s range, or `None` when it is accepted.
#[must_use]
pub fn out_of_range(name: &str, value: f64) -> Option<String> {
    let r = find(name)?;
    let ok = value.is_finite()
        && (if r.min_exclusive {
            value > r.min
        } else {
            value >= r.min
        })
        && value <= r.max;
    (!ok).then(|| {
        let low = if r.min_exclusive { "(" } else { "[" };
        format!("{name} must be in {low}{}, {}], got {value}", r.min, r.max)
    })
}

/// Checks `value` against `name`'s range.
pub fn check(name: &str, value: f64) -> PyResult<f64> {
    match out_of_range(name, value) {
        Some(message) => Err(PyValueError::new_err(message)),
        None => Ok(value),
    }
}

/// `{name: (min, min_exclusive, max)}` for the Python config's validation.
#[pyfunction]
pub fn setting_ranges(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for r in SETTING_RANGES {
        d.set_item(r.name, (r.min, r.min_exclusive, r.max))?;
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_accept_the_defaults_and_refuse_what_breaks_the_clients() {
        assert!(out_of_range("reconnect_jitter", 0.1).is_none());
        assert!(out_of_range("heartbeat_secs", 30.0).is_none());
        assert!(out_of_range("queue_capacity", 1_000_000.0).is_none());
        let e = out_of_range("reconnect_jitter", 1e30).unwrap();
        assert_eq!(
            e,
            "reconnect_jitter must be in [0, 10], got 1000000000000000000000000000000"
        );
        assert!(
            out_of_range("heartbeat_secs", 0.0)
                .unwrap()
                .contains("(0, 3600]")
        );
        assert!(out_of_range("timeout_secs", f64::NAN).is_some());
        assert!(out_of_range("retry_max_secs", f64::INFINITY).is_some());
        assert!(out_of_range("queue_capacity", 0.0).is_some());
        assert!(out_of_range("not_a_setting", 1e300).is_none());
    }
}
