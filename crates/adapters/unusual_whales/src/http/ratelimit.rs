//! UW's request budget, shared by every REST client in the process that uses the same token.
//!
//! Three limits (docs/uw-api.md#rate-limits): requests per minute (120 on the documented plans),
//! requests per day (resets at 20:00 New York time, docs/uw-api.md#daily-reset; unlimited on some
//! plans) and concurrent requests. The limiter enforces a *sliding* 60-second window locally, which
//! is stricter than UW's fixed per-minute counter, so a burst of requests never exceeds the plan
//! even before UW's headers have been seen. Every response's `x-uw-*` headers then correct it (any
//! of them may be missing): a lower `x-uw-req-per-minute-remaining` than the local count uses up
//! local budget, `0` blocks until `x-uw-req-per-minute-reset` milliseconds pass, and a daily count
//! at the daily limit stops everything until the next 20:00 New York reset.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

use jiff::civil::Time;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::common::time::{add_days, now_nanos, ny_datetime, ny_nanos};

const WINDOW: Duration = Duration::from_secs(60);

/// Sizes of the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Requests per rolling minute.
    pub per_minute: u32,
    /// Requests per day (`None` = unlimited or unknown; UW's headers may supply it).
    pub per_day: Option<u64>,
    /// Requests in flight at once.
    pub concurrency: usize,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            per_minute: crate::common::settings::defaults::REQUESTS_PER_MINUTE,
            per_day: None,
            concurrency: crate::common::settings::defaults::MAX_CONCURRENT,
        }
    }
}

/// UW's rate-limit headers of one response; every one is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateHeaders {
    /// `x-uw-daily-req-count`
    pub daily_count: Option<u64>,
    /// `x-uw-token-req-limit`
    pub daily_limit: Option<u64>,
    /// `x-uw-minute-req-counter`
    pub minute_count: Option<u32>,
    /// `x-uw-req-per-minute-remaining`
    pub minute_remaining: Option<u32>,
    /// `x-uw-req-per-minute-reset` (milliseconds)
    pub minute_reset_ms: Option<u64>,
    /// The standard `Retry-After` in seconds (its HTTP-date form is not read), in milliseconds:
    /// how long a 429 without UW's own reset header asks to wait.
    pub retry_after_ms: Option<u64>,
}

impl RateHeaders {
    /// Reads the headers through `get(name) -> value`.
    pub fn from_lookup<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let num = |name: &str| get(name).and_then(|v| v.trim().parse::<u64>().ok());
        Self {
            daily_count: num("x-uw-daily-req-count"),
            daily_limit: num("x-uw-token-req-limit"),
            minute_count: num("x-uw-minute-req-counter").and_then(|v| u32::try_from(v).ok()),
            minute_remaining: num("x-uw-req-per-minute-remaining")
                .and_then(|v| u32::try_from(v).ok()),
            // Milliseconds to the end of a one-minute window: more is not UW's to ask (a
            // value in seconds or a broken proxy would otherwise stop every request for days).
            minute_reset_ms: num("x-uw-req-per-minute-reset").map(|ms| ms.min(60_000)),
            retry_after_ms: get("retry-after")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|secs| secs.is_finite() && *secs >= 0.0)
                // At most a minute: UW's per-minute window; a longer ask is waited out again.
                .map(|secs| {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let ms = (secs.min(60.0) * 1_000.0).round() as u64;
                    ms
                }),
        }
    }

    /// How long a per-minute 429 asks to wait: UW's reset header, else `Retry-After`, else the
    /// rest of a minute.
    #[must_use]
    pub fn rate_limit_wait(&self) -> std::time::Duration {
        std::time::Duration::from_millis(
            self.minute_reset_ms
                .or(self.retry_after_ms)
                .unwrap_or(60_000)
                .max(50),
        )
    }
}

/// The daily quota is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "UW daily request quota exhausted; it resets at 20:00 New York time ({})",
    crate::common::time::format_utc(*resets_at_ns, 0)
)]
pub struct DailyQuotaExhausted {
    /// When the quota resets, UNIX nanoseconds.
    pub resets_at_ns: u64,
}

/// The budget as last known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BudgetSnapshot {
    /// Requests left in the rolling minute (local view, corrected by UW).
    pub minute_remaining: u32,
    /// The per-minute limit in force.
    pub per_minute: u32,
    /// Requests made today as UW counts them (or locally when UW sends no count).
    pub daily_count: u64,
    /// The daily limit, when known.
    pub daily_limit: Option<u64>,
    /// Blocked until the daily reset (UNIX ns), if the quota is spent.
    pub daily_exhausted_until_ns: Option<u64>,
    /// Requests currently waiting for budget.
    pub waiting: usize,
}

struct State {
    window: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    daily_count: u64,
    daily_limit: Option<u64>,
    daily_resets_at_ns: u64,
    exhausted_until_ns: Option<u64>,
    waiting: usize,
}

impl State {
    /// Forgets requests older than the window.
    fn prune(&mut self, now: Instant) {
        while self
            .window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            self.window.pop_front();
        }
    }
}

/// The shared budget. Get one with [`RateLimiter::shared_for_token`].
pub struct RateLimiter {
    config: RateLimitConfig,
    state: Mutex<State>,
    in_flight: Arc<Semaphore>,
}

/// What the budget says to a request now.
#[derive(Debug)]
enum Take {
    Granted,
    Wait(Duration),
    Exhausted(DailyQuotaExhausted),
}

/// Held while a request is in flight.
pub struct RequestPermit {
    _permit: OwnedSemaphorePermit,
}

/// The next 20:00 New York time after `now_ns` (UW's daily reset), UNIX nanoseconds.
#[must_use]
pub fn next_daily_reset_ns(now_ns: u64) -> u64 {
    const RESET: Time = Time::constant(20, 0, 0, 0);
    let now = ny_datetime(now_ns);
    let day = if now.time() < RESET {
        Some(now.date())
    } else {
        add_days(now.date(), 1)
    };
    day.and_then(|d| ny_nanos(d.to_datetime(RESET)))
        .unwrap_or(0)
}

impl RateLimiter {
    /// A limiter of its own (tests; normally use [`RateLimiter::shared_for_token`]).
    #[must_use]
    pub fn new(config: RateLimitConfig) -> Self {
        Self {
            state: Mutex::new(State {
                window: VecDeque::new(),
                blocked_until: None,
                daily_count: 0,
                daily_limit: config.per_day,
                daily_resets_at_ns: next_daily_reset_ns(now_nanos()),
                exhausted_until_ns: None,
                waiting: 0,
            }),
            in_flight: Arc::new(Semaphore::new(config.concurrency.max(1))),
            config,
        }
    }

    /// The one limiter of every client in this process that uses `token` (the budget is UW's per
    /// token, not per client). The first client's sizes apply.
    #[must_use]
    pub fn shared_for_token(token: &str, config: RateLimitConfig) -> Arc<Self> {
        static REGISTRY: OnceLock<Mutex<HashMap<u64, Weak<RateLimiter>>>> = OnceLock::new();
        let mut hasher = DefaultHasher::new();
        token.hash(&mut hasher);
        let key = hasher.finish();
        let mut registry = REGISTRY
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        registry.retain(|_, weak| weak.strong_count() > 0);
        if let Some(existing) = registry.get(&key).and_then(Weak::upgrade) {
            return existing;
        }
        let limiter = Arc::new(Self::new(config));
        registry.insert(key, Arc::downgrade(&limiter));
        limiter
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a request may start without exceeding any limit, and holds a concurrency slot.
    ///
    /// # Errors
    /// [`DailyQuotaExhausted`] at once when the daily quota is spent (waiting hours is the
    /// caller's decision, not the limiter's).
    pub async fn acquire(&self) -> Result<RequestPermit, DailyQuotaExhausted> {
        /// Counts a waiter until it is granted, refused or dropped (a closed client drops it).
        struct Waiting<'a>(&'a RateLimiter);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.lock().waiting -= 1;
            }
        }
        self.lock().waiting += 1;
        let _waiting = Waiting(self);
        self.acquire_inner().await
    }

    async fn acquire_inner(&self) -> Result<RequestPermit, DailyQuotaExhausted> {
        let permit = Arc::clone(&self.in_flight)
            .acquire_owned()
            .await
            .expect("the limiter never closes its semaphore");
        loop {
            match self.try_take(Instant::now(), now_nanos()) {
                Take::Granted => return Ok(RequestPermit { _permit: permit }),
                Take::Wait(wait) => tokio::time::sleep(wait).await,
                Take::Exhausted(e) => return Err(e),
            }
        }
    }

    /// Takes one request from the budget at `now` (`now_wall_ns`: the same instant as UNIX
    /// nanoseconds, for the daily reset), or says how long to wait. The whole policy, free of
    /// clocks and sleeping, so that tests can walk minutes of budget in microseconds.
    fn try_take(&self, now: Instant, now_wall_ns: u64) -> Take {
        let mut s = self.lock();
        if now_wall_ns >= s.daily_resets_at_ns {
            s.daily_count = 0;
            s.exhausted_until_ns = None;
            s.daily_resets_at_ns = next_daily_reset_ns(now_wall_ns);
        }
        if let Some(until) = s.exhausted_until_ns {
            return Take::Exhausted(DailyQuotaExhausted {
                resets_at_ns: until,
            });
        }
        if s.daily_limit.is_some_and(|limit| s.daily_count >= limit) {
            let resets_at_ns = s.daily_resets_at_ns;
            s.exhausted_until_ns = Some(resets_at_ns);
            return Take::Exhausted(DailyQuotaExhausted { resets_at_ns });
        }
        s.prune(now);
        match s.blocked_until {
            Some(until) if until > now => Take::Wait(until - now),
            _ if s.window.len() >= self.config.per_minute as usize => {
                let oldest = s.window[s.window.len() - self.config.per_minute as usize];
                Take::Wait(
                    (oldest + WINDOW)
                        .saturating_duration_since(now)
                        .max(Duration::from_millis(1)),
                )
            }
            _ => {
                s.blocked_until = None;
                s.window.push_back(now);
                s.daily_count += 1;
                Take::Granted
            }
        }
    }

    /// Corrects the budget from a response's headers.
    pub fn observe(&self, headers: &RateHeaders) {
        self.observe_at(headers, Instant::now());
    }

    fn observe_at(&self, headers: &RateHeaders, now: Instant) {
        let mut s = self.lock();
        if let Some(limit) = headers.daily_limit {
            s.daily_limit = Some(self.config.per_day.map_or(limit, |own| own.min(limit)));
        }
        if let Some(count) = headers.daily_count {
            s.daily_count = s.daily_count.max(count);
        }
        if let Some(remaining) = headers.minute_remaining {
            let local_remaining = (self.config.per_minute as usize).saturating_sub(s.window.len());
            if (remaining as usize) < local_remaining {
                // UW has counted requests we did not make (another process with the same token):
                // use up the difference locally until UW's window resets.
                let reset =
                    Duration::from_millis(headers.minute_reset_ms.unwrap_or(60_000)).min(WINDOW);
                let stamp = now.checked_sub(WINDOW - reset).unwrap_or(now);
                let at = s.window.partition_point(|t| *t <= stamp);
                for _ in 0..local_remaining - remaining as usize {
                    s.window.insert(at, stamp);
                }
            }
            if remaining == 0 {
                let reset = Duration::from_millis(headers.minute_reset_ms.unwrap_or(60_000));
                s.blocked_until = Some(s.blocked_until.map_or(now + reset, |b| b.max(now + reset)));
            }
        }
    }

    /// Gives back the daily count a granted request took when UW did not answer it with a 2xx:
    /// UW counts only successful requests against the daily quota.
    pub fn refund_daily(&self) {
        let mut s = self.lock();
        s.daily_count = s.daily_count.saturating_sub(1);
    }

    /// After a per-minute 429: nobody sends until `wait` has passed.
    pub fn block_for(&self, wait: Duration) {
        let mut s = self.lock();
        let until = Instant::now() + wait;
        s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
    }

    /// After a daily-quota 429: nothing is sent until the 20:00 New York reset.
    pub fn exhaust_daily(&self) -> DailyQuotaExhausted {
        let mut s = self.lock();
        let resets_at_ns = s.daily_resets_at_ns;
        s.exhausted_until_ns = Some(resets_at_ns);
        DailyQuotaExhausted { resets_at_ns }
    }

    /// The budget now.
    #[must_use]
    pub fn snapshot(&self) -> BudgetSnapshot {
        self.snapshot_at(Instant::now())
    }

    fn snapshot_at(&self, now: Instant) -> BudgetSnapshot {
        let mut s = self.lock();
        s.prune(now);
        let blocked = s.blocked_until.is_some_and(|b| b > now);
        BudgetSnapshot {
            minute_remaining: if blocked {
                0
            } else {
                u32::try_from((self.config.per_minute as usize).saturating_sub(s.window.len()))
                    .unwrap_or(0)
            },
            per_minute: self.config.per_minute,
            daily_count: s.daily_count,
            daily_limit: s.daily_limit,
            daily_exhausted_until_ns: s.exhausted_until_ns,
            waiting: s.waiting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::time::parse_timestamp;

    #[test]
    fn daily_reset_is_the_next_8pm_in_new_york() {
        let at = |s: &str| parse_timestamp(s).unwrap();
        // 15:00 EDT -> 20:00 EDT the same day (00:00 UTC next day).
        assert_eq!(
            next_daily_reset_ns(at("2025-07-03T19:00:00Z")),
            at("2025-07-04T00:00:00Z")
        );
        // 21:00 EST -> 20:00 EST the next day (01:00 UTC).
        assert_eq!(
            next_daily_reset_ns(at("2025-12-02T02:00:00Z")),
            at("2025-12-03T01:00:00Z")
        );
    }

    #[test]
    fn the_daily_quota_error_names_the_reset_as_a_time_a_reader_can_read() {
        let e = DailyQuotaExhausted {
            resets_at_ns: parse_timestamp("2025-12-03T01:00:00Z").unwrap(),
        };
        assert_eq!(
            e.to_string(),
            "UW daily request quota exhausted; it resets at 20:00 New York time (2025-12-03T01:00:00Z)"
        );
    }

    /// When a request that arrives at `arrival` is granted, walking virtual time through the waits
    /// the limiter asks for.
    fn granted_at(limiter: &RateLimiter, arrival: Instant) -> Instant {
        let mut now = arrival;
        loop {
            match limiter.try_take(now, now_nanos()) {
                Take::Granted => return now,
                Take::Wait(wait) => now += wait,
                Take::Exhausted(e) => panic!("unexpected {e:?}"),
            }
        }
    }

    #[test]
    fn a_burst_never_exceeds_the_per_minute_limit() {
        let limiter = RateLimiter::new(RateLimitConfig {
            per_minute: 5,
            per_day: None,
            concurrency: 50,
        });
        let start = Instant::now();
        // Twelve requests at once, each waking when the limiter said; time never runs backwards, so
        // a request still waiting checks again no earlier than the last grant.
        let mut clock = start;
        let starts: Vec<Duration> = (0..12)
            .map(|_| {
                clock = granted_at(&limiter, clock);
                clock.duration_since(start)
            })
            .collect();
        // 5 at once, 5 a minute later, 2 two minutes later.
        assert!(starts[4] < Duration::from_secs(1));
        assert!(starts[5] >= Duration::from_secs(60) && starts[9] < Duration::from_secs(61));
        assert!(starts[10] >= Duration::from_secs(120));
        for (i, s) in starts.iter().enumerate() {
            let in_window = starts
                .iter()
                .filter(|t| **t <= *s && *s - **t < WINDOW)
                .count();
            assert!(
                in_window <= 5,
                "request {i} at {s:?} saw {in_window} in its window"
            );
        }
    }

    #[test]
    fn headers_correct_the_local_budget() {
        let limiter = RateLimiter::new(RateLimitConfig::default());
        let start = Instant::now();
        assert_eq!(granted_at(&limiter, start), start);
        assert_eq!(limiter.snapshot_at(start).minute_remaining, 119);
        let minute_remaining = |remaining, reset_ms| RateHeaders {
            minute_remaining: Some(remaining),
            minute_reset_ms: reset_ms,
            ..RateHeaders::default()
        };
        limiter.observe_at(&minute_remaining(10, None), start);
        assert_eq!(limiter.snapshot_at(start).minute_remaining, 10);
        limiter.observe_at(&minute_remaining(0, Some(1500)), start);
        assert_eq!(limiter.snapshot_at(start).minute_remaining, 0);
        let granted = granted_at(&limiter, start);
        assert!(
            granted.duration_since(start) >= Duration::from_millis(1500),
            "waited for UW's reset"
        );
        assert!(granted.duration_since(start) < Duration::from_millis(1600));
    }

    #[test]
    fn a_429_waits_for_uws_reset_else_retry_after_else_a_minute() {
        let headers = |pairs: &'static [(&'static str, &'static str)]| {
            RateHeaders::from_lookup(|name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v))
        };
        let ms = |h: RateHeaders| h.rate_limit_wait().as_millis();
        assert_eq!(
            ms(headers(&[
                ("x-uw-req-per-minute-reset", "2000"),
                ("retry-after", "7")
            ])),
            2_000
        );
        assert_eq!(ms(headers(&[("retry-after", "1")])), 1_000);
        assert_eq!(ms(headers(&[("retry-after", "0.5")])), 500);
        assert_eq!(
            ms(headers(&[("retry-after", "3600")])),
            60_000,
            "at most a minute per wait"
        );
        assert_eq!(
            ms(headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")])),
            60_000
        );
        assert_eq!(ms(headers(&[("retry-after", "-3")])), 60_000);
        assert_eq!(ms(headers(&[])), 60_000);
        assert_eq!(
            ms(headers(&[("retry-after", "0")])),
            50,
            "never a busy loop"
        );
        assert_eq!(
            ms(headers(&[("x-uw-req-per-minute-reset", "1000000000")])),
            60_000,
            "a reset past the minute is not UW's to ask"
        );
    }

    #[test]
    fn a_reset_header_past_the_minute_blocks_for_a_minute_at_most() {
        let limiter = RateLimiter::new(RateLimitConfig::default());
        let start = Instant::now();
        let headers = RateHeaders::from_lookup(|name| match name {
            "x-uw-req-per-minute-remaining" => Some("0"),
            "x-uw-req-per-minute-reset" => Some("1000000000"),
            _ => None,
        });
        limiter.observe_at(&headers, start);
        let granted = granted_at(&limiter, start);
        assert!(
            granted.duration_since(start) <= WINDOW,
            "{:?}",
            granted.duration_since(start)
        );
    }

    #[test]
    fn only_answered_requests_count_against_the_daily_quota() {
        let limiter = RateLimiter::new(RateLimitConfig {
            per_day: Some(3),
            ..RateLimitConfig::default()
        });
        let start = Instant::now();
        // Four attempts UW answered with a 5xx (or never answered), then three successes.
        for _ in 0..4 {
            granted_at(&limiter, start);
            limiter.refund_daily();
        }
        for _ in 0..3 {
            granted_at(&limiter, start);
        }
        assert_eq!(limiter.snapshot_at(start).daily_count, 3);
        assert!(matches!(
            limiter.try_take(start, now_nanos()),
            Take::Exhausted(_)
        ));
    }

    #[tokio::test]
    async fn a_spent_daily_quota_fails_at_once_until_the_reset() {
        let limiter = RateLimiter::new(RateLimitConfig::default());
        limiter.observe(&RateHeaders {
            daily_count: Some(40_000),
            daily_limit: Some(40_000),
            ..RateHeaders::default()
        });
        let err = limiter.acquire().await.err().unwrap();
        assert!(err.resets_at_ns > now_nanos());
        assert_eq!(
            limiter.snapshot().daily_exhausted_until_ns,
            Some(err.resets_at_ns)
        );
        // The day after the reset, the budget is back.
        assert!(matches!(
            limiter.try_take(Instant::now(), err.resets_at_ns + 1),
            Take::Granted
        ));
    }

    #[tokio::test]
    async fn clients_with_the_same_token_share_one_budget() {
        let a = RateLimiter::shared_for_token("tok-1", RateLimitConfig::default());
        let b = RateLimiter::shared_for_token(
            "tok-1",
            RateLimitConfig {
                per_minute: 7,
                ..RateLimitConfig::default()
            },
        );
        let c = RateLimiter::shared_for_token("tok-2", RateLimitConfig::default());
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        drop(a.acquire().await.unwrap());
        assert_eq!(b.snapshot().minute_remaining, 119);
    }
}
