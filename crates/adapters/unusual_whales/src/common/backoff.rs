//! Exponential backoff with jitter: the one schedule for WebSocket reconnects and REST retries.

use std::time::Duration;

use rand::{Rng, RngExt as _};

/// A delay that starts at `initial` and doubles per attempt up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExponentialBackoff {
    /// The delay before the first retry.
    pub initial: Duration,
    /// The largest delay.
    pub max: Duration,
}

impl ExponentialBackoff {
    /// A schedule from `initial` to `max`.
    #[must_use]
    pub const fn new(initial: Duration, max: Duration) -> Self {
        Self { initial, max }
    }

    /// The delay before attempt `attempt` (1-based; 0 counts as 1), jitter excluded.
    #[must_use]
    pub fn delay(&self, attempt: u32) -> Duration {
        // The exponent stops at 20 (a million times the first delay) so that the factor never
        // saturates: a later attempt must not wait less than an earlier one.
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// [`Self::delay`] plus a random extra of up to `jitter` times it (0.1 = up to +10 %), so
    /// that many clients dropped together do not come back in lockstep.
    #[must_use]
    pub fn jittered(&self, attempt: u32, jitter: f64, rng: &mut impl Rng) -> Duration {
        let base = self.delay(attempt);
        // A non-finite or negative jitter from a bad setting must never panic the caller.
        Duration::try_from_secs_f64(
            base.as_secs_f64() * (1.0 + jitter.max(0.0) * rng.random::<f64>()),
        )
        .unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng as _;
    use rand::rngs::SmallRng;

    use super::*;

    #[test]
    fn doubles_up_to_the_cap() {
        let b = ExponentialBackoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let secs: Vec<u64> = (1..=8).map(|a| b.delay(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(b.delay(0), Duration::from_secs(1));
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(60));
        let tiny = ExponentialBackoff::new(Duration::from_nanos(1), Duration::from_secs(3600));
        assert!(
            tiny.delay(40) >= tiny.delay(30),
            "never shorter for a later attempt"
        );
    }

    #[test]
    fn jitter_adds_at_most_its_fraction() {
        let b = ExponentialBackoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let mut rng = SmallRng::seed_from_u64(42);
        let secs: Vec<f64> = (0..10_000)
            .map(|_| b.jittered(3, 0.1, &mut rng).as_secs_f64())
            .collect();
        assert!(secs.iter().all(|s| (4.0..4.4).contains(s)));
        let mean = secs.iter().sum::<f64>() / secs.len() as f64;
        assert!((mean - 4.2).abs() < 0.01, "{mean}");
        assert_eq!(b.jittered(3, 0.0, &mut rng), Duration::from_secs(4));
        assert_eq!(b.jittered(3, -1.0, &mut rng), Duration::from_secs(4));
        assert_eq!(
            b.jittered(3, f64::INFINITY, &mut rng),
            Duration::from_secs(4)
        );
    }
}
