//! Every numeric setting of the live feed and the REST client: its default and accepted range.
//!
//! The one place these live. The Rust configs (`UwWsConfig::new`, `UwHttpConfig::new`,
//! `RateLimitConfig::default`), the pyo3 constructors' signature defaults and the Python
//! `UnusualWhalesDataClientConfig` (through `_core.setting_defaults()` and
//! `_core.setting_ranges()`) all read them from here. Bounds keep every derived time computable:
//! a `Duration` added to an `Instant` must not overflow, and a jittered delay must stay finite.

/// The defaults, by setting name (UW's own clients' values where UW publishes them).
pub mod defaults {
    /// Silence after which the live feed pings (UW's clients: 30 s).
    pub const HEARTBEAT_SECS: f64 = 30.0;
    /// How long to wait for the pong (UW's clients: 10 s).
    pub const PONG_TIMEOUT_SECS: f64 = 10.0;
    /// TCP + TLS + WebSocket upgrade.
    pub const CONNECT_TIMEOUT_SECS: f64 = 10.0;
    /// First reconnect delay, doubled per failed attempt.
    pub const RECONNECT_INITIAL_SECS: f64 = 1.0;
    /// Largest reconnect delay.
    pub const RECONNECT_MAX_SECS: f64 = 60.0;
    /// Random extra delay as a fraction of the reconnect delay.
    pub const RECONNECT_JITTER: f64 = 0.1;
    /// How long a join may go unanswered before it counts as refused.
    pub const JOIN_TIMEOUT_SECS: f64 = 10.0;
    /// How long data may keep arriving after a leave before the feed reconnects without it.
    pub const LEAVE_GRACE_SECS: f64 = 5.0;
    /// Silence on a busy channel after which it is reported stale.
    pub const STALE_AFTER_SECS: f64 = 120.0;
    /// Whether staleness is only judged during the regular session.
    pub const STALE_ONLY_IN_SESSION: bool = true;
    /// Messages the queue toward the strategy holds (about 210 MB at most: a few seconds of UW's
    /// busiest firehose behind a stalled strategy).
    pub const QUEUE_CAPACITY: usize = 100_000;
    /// Messages handed to Python per event-loop callback (measured: larger batches delay other
    /// timers on the loop by more than they save).
    pub const MAX_BATCH: usize = 64;
    /// REST request timeout.
    pub const TIMEOUT_SECS: f64 = 30.0;
    /// REST retries after a 5xx, a timeout or a dropped connection.
    pub const MAX_RETRIES: u32 = 3;
    /// First REST retry delay, doubled per retry.
    pub const RETRY_INITIAL_SECS: f64 = 1.0;
    /// Largest REST retry delay.
    pub const RETRY_MAX_SECS: f64 = 30.0;
    /// UW's documented per-minute limit (docs/uw-api.md#limits-per-plan).
    pub const REQUESTS_PER_MINUTE: u32 = 120;
    /// Requests in flight at once.
    pub const MAX_CONCURRENT: usize = 3;
    /// Per-minute 429s waited out in a row before a request fails.
    pub const MAX_RATE_LIMIT_WAITS: u32 = 10;
}

/// One numeric setting: its default and accepted values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// The argument name (`UwLiveFeed` / `UwRestClient`).
    pub name: &'static str,
    /// The default; `None` when absent means "no limit" (`max_reconnect_attempts`,
    /// `requests_per_day`).
    pub default: Option<f64>,
    /// Smallest accepted value.
    pub min: f64,
    /// Whether `min` itself is refused (a zero timeout means nothing).
    pub min_exclusive: bool,
    /// Largest accepted value.
    pub max: f64,
}

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

const fn setting(
    name: &'static str,
    default: Option<f64>,
    min: f64,
    min_exclusive: bool,
    max: f64,
) -> Setting {
    Setting {
        name,
        default,
        min,
        min_exclusive,
        max,
    }
}

#[allow(clippy::cast_precision_loss)]
const fn count(n: usize) -> Option<f64> {
    Some(n as f64)
}

/// Every numeric setting.
pub const SETTINGS: &[Setting] = {
    use defaults as d;
    &[
        setting("heartbeat_secs", Some(d::HEARTBEAT_SECS), 0.0, true, HOUR),
        setting(
            "pong_timeout_secs",
            Some(d::PONG_TIMEOUT_SECS),
            0.0,
            true,
            HOUR,
        ),
        setting(
            "connect_timeout_secs",
            Some(d::CONNECT_TIMEOUT_SECS),
            0.0,
            true,
            HOUR,
        ),
        setting(
            "reconnect_initial_secs",
            Some(d::RECONNECT_INITIAL_SECS),
            0.0,
            false,
            HOUR,
        ),
        setting(
            "reconnect_max_secs",
            Some(d::RECONNECT_MAX_SECS),
            0.0,
            false,
            DAY,
        ),
        setting(
            "reconnect_jitter",
            Some(d::RECONNECT_JITTER),
            0.0,
            false,
            10.0,
        ),
        setting("max_reconnect_attempts", None, 0.0, false, 1e9),
        setting(
            "join_timeout_secs",
            Some(d::JOIN_TIMEOUT_SECS),
            0.0,
            true,
            HOUR,
        ),
        setting(
            "leave_grace_secs",
            Some(d::LEAVE_GRACE_SECS),
            0.0,
            false,
            HOUR,
        ),
        setting(
            "stale_after_secs",
            Some(d::STALE_AFTER_SECS),
            0.0,
            true,
            DAY,
        ),
        setting(
            "queue_capacity",
            count(d::QUEUE_CAPACITY),
            1.0,
            false,
            100_000_000.0,
        ),
        setting("max_batch", count(d::MAX_BATCH), 1.0, false, 1_000_000.0),
        setting("timeout_secs", Some(d::TIMEOUT_SECS), 0.0, true, HOUR),
        setting(
            "max_retries",
            Some(d::MAX_RETRIES as f64),
            0.0,
            false,
            100.0,
        ),
        setting(
            "retry_initial_secs",
            Some(d::RETRY_INITIAL_SECS),
            0.0,
            false,
            HOUR,
        ),
        setting("retry_max_secs", Some(d::RETRY_MAX_SECS), 0.0, false, DAY),
        setting(
            "requests_per_minute",
            Some(d::REQUESTS_PER_MINUTE as f64),
            1.0,
            false,
            1e6,
        ),
        setting("requests_per_day", None, 1.0, false, 1e12),
        setting(
            "max_concurrent",
            count(d::MAX_CONCURRENT),
            1.0,
            false,
            1000.0,
        ),
        setting(
            "max_rate_limit_waits",
            Some(d::MAX_RATE_LIMIT_WAITS as f64),
            0.0,
            false,
            1000.0,
        ),
    ]
};

/// The setting called `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The error text for `value` outside `name`'s range, or `None` when it is accepted.
#[must_use]
pub fn out_of_range(name: &str, value: f64) -> Option<String> {
    let s = find(name)?;
    let ok = value.is_finite()
        && (if s.min_exclusive {
            value > s.min
        } else {
            value >= s.min
        })
        && value <= s.max;
    (!ok).then(|| {
        let low = if s.min_exclusive { "(" } else { "[" };
        format!("{name} must be in {low}{}, {}], got {value}", s.min, s.max)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_in_its_range() {
        for s in SETTINGS {
            if let Some(d) = s.default {
                assert_eq!(out_of_range(s.name, d), None, "{}", s.name);
            }
        }
    }

    #[test]
    fn ranges_refuse_what_breaks_the_clients() {
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
