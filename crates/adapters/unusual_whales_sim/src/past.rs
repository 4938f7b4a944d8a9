//! Deterministic history for the days before the simulator started.
//!
//! UW serves years of flow alerts and option prints from REST; a simulator that only remembered
//! what it streamed since it started would answer a download of last week with nothing. Each past
//! trading day (Monday to Friday) gets its own regular session of flow alerts and prints per
//! ticker, generated from the seed, the day, the kind and the ticker alone: the same request gives
//! the same rows in every run and on every machine, whenever the simulator was started.
//!
//! The live stream takes over at the start time: past rows are those created before it, live rows
//! are generated after it, so the two never overlap and every cursor sees one ordered history.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use jiff::civil::{Date, date};
use rand::{Rng, SeedableRng};
use rand_xoshiro::SplitMix64;
use unusual_whales_nt::common::time::{
    NANOS_PER_MILLI, add_days, dates, days_between, is_weekday, ny_date, ny_session_nanos,
};
use unusual_whales_nt::subscription::channel::{ChannelKind, UwChannel};

use crate::generate::{GeneratedAlert, Market};
use crate::lock;

/// Mean seconds between two generated flow alerts of one ticker (about 1,170 a session).
const ALERT_SPACING_S: u64 = 20;
/// Mean milliseconds between two generated option prints of one ticker (about 5,850 a session).
const PRINT_SPACING_MS: u64 = 4_000;
/// Generated days kept for the next request (a download asks for one day many times over pages).
const CACHED_DAYS: usize = 16;
/// The first day served: history before it is empty, as a plan's history depth would be.
const FIRST_DAY: Date = date(2016, 1, 4);

type DayKey = (Date, ChannelKind, String);

/// The generated past, one session per (day, kind, ticker), built when first asked for.
pub(super) struct PastDays {
    seed: u64,
    /// Rows created at or after this instant (epoch ms) belong to the live stream.
    pub(super) started_ms: u64,
    cache: Mutex<VecDeque<(DayKey, Arc<[GeneratedAlert]>)>>,
}

/// 09:30 and 16:00 New York on `day`, in epoch milliseconds.
fn session_ms(day: Date) -> (u64, u64) {
    let (open, close) = ny_session_nanos(day);
    (open / NANOS_PER_MILLI, close / NANOS_PER_MILLI)
}

/// The New York date of an epoch-ms instant.
pub(super) fn ny_day(ms: u64) -> Date {
    ny_date(ms.saturating_mul(NANOS_PER_MILLI))
}

/// A stable 64-bit mix of the seed and a day's identity (FNV-1a over the ticker, then SplitMix).
fn day_seed(seed: u64, day: Date, kind: ChannelKind, ticker: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in ticker.bytes().chain(kind.as_str().bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    // The day enters as its count since 1970-01-01, so a seed gives the history it always gave.
    let day_number = days_between(date(1970, 1, 1), day);
    #[allow(clippy::cast_sign_loss)]
    let mut mix = SplitMix64::seed_from_u64(
        seed ^ h ^ (day_number as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    mix.next_u64()
}

impl PastDays {
    pub(super) fn new(seed: u64, started_ms: u64) -> Self {
        Self {
            seed,
            started_ms,
            cache: Mutex::new(VecDeque::with_capacity(CACHED_DAYS)),
        }
    }

    /// The first and last days with past rows.
    pub(super) fn days(&self) -> (Date, Date) {
        (FIRST_DAY, ny_day(self.started_ms))
    }

    /// One ticker's flow alerts or option prints of `day`, in event-time order, only those created
    /// before the simulator started (empty on weekends and outside [`Self::days`]).
    pub(super) fn day(&self, day: Date, kind: ChannelKind, ticker: &str) -> Arc<[GeneratedAlert]> {
        let (first, last) = self.days();
        if !is_weekday(day) || day < first || day > last {
            return Arc::from(Vec::new());
        }
        let key: DayKey = (day, kind, ticker.to_owned());
        if let Some((_, rows)) = lock(&self.cache).iter().find(|(k, _)| *k == key) {
            return Arc::clone(rows);
        }
        // Built outside the lock: two requests racing for one day build the same rows twice.
        let rows: Arc<[GeneratedAlert]> = self.generate(day, kind, ticker).into();
        let mut cache = lock(&self.cache);
        if cache.len() == CACHED_DAYS {
            cache.pop_front();
        }
        cache.push_back((key, Arc::clone(&rows)));
        rows
    }

    fn generate(&self, day: Date, kind: ChannelKind, ticker: &str) -> Vec<GeneratedAlert> {
        let seed = day_seed(self.seed, day, kind, ticker);
        let mut market = Market::new(seed, &[ticker.to_owned()]);
        let mut gaps = SplitMix64::seed_from_u64(seed.rotate_left(17));
        let channel = UwChannel {
            kind,
            ticker: Some(ticker.to_owned()),
        };
        let (open, close) = session_ms(day);
        let mut rows = Vec::new();
        let mut at = open;
        loop {
            // Uniform gaps around the mean spacing: bursts and lulls, never two rows at one instant.
            at += match kind {
                ChannelKind::FlowAlerts => {
                    1_000 * (gaps.next_u64() % (2 * ALERT_SPACING_S - 1))
                        + 1
                        + gaps.next_u64() % 1_000
                }
                _ => 1 + gaps.next_u64() % (2 * PRINT_SPACING_MS - 1),
            };
            if at >= close {
                break;
            }
            let (_, row) = market.payload(&channel, at);
            let Some(mut row) = row else { break };
            if row.created_ms >= self.started_ms {
                break;
            }
            // Only the REST shape is served from the past; the WebSocket text would double the memory.
            row.ws_payload = Arc::from("");
            rows.push(row);
        }
        rows
    }

    /// Past rows of `kind` for `tickers`, newest first by `cursor_time`, with cursor times in
    /// `(newer, older)` (exclusive bounds, epoch ms), at most `limit`.
    pub(super) fn newest_first(
        &self,
        kind: ChannelKind,
        tickers: &[String],
        newer: Option<u64>,
        older: Option<u64>,
        limit: usize,
        cursor_time: impl Fn(&GeneratedAlert) -> u64,
    ) -> Vec<GeneratedAlert> {
        let (first, last) = self.days();
        let top = older.map_or(last, |o| ny_day(o.saturating_sub(1)).min(last));
        // A row is created at most a few seconds after its event, so the day before `newer`'s day
        // can still hold rows whose cursor time is past `newer`.
        let bottom = newer
            .and_then(|n| add_days(ny_day(n), -1))
            .map_or(first, |d| d.max(first));
        let mut out = Vec::new();
        for day in dates(bottom, top).rev() {
            let mut rows: Vec<&GeneratedAlert> = Vec::new();
            let days: Vec<Arc<[GeneratedAlert]>> =
                tickers.iter().map(|t| self.day(day, kind, t)).collect();
            for day_rows in &days {
                rows.extend(day_rows.iter().filter(|a| {
                    let t = cursor_time(a);
                    newer.is_none_or(|n| t > n) && older.is_none_or(|o| t < o)
                }));
            }
            rows.sort_by_key(|a| std::cmp::Reverse(cursor_time(a)));
            out.extend(rows.into_iter().take(limit - out.len()).cloned());
            if out.len() >= limit {
                break;
            }
        }
        out
    }

    /// Ids of `ticker`'s past rows of `kind` with event times in `[start_ms, end_ms]`, oldest first.
    pub(super) fn ids_between(
        &self,
        kind: ChannelKind,
        ticker: &str,
        start_ms: u64,
        end_ms: u64,
    ) -> Vec<String> {
        let (first, last) = self.days();
        let (from, to) = (ny_day(start_ms).max(first), ny_day(end_ms).min(last));
        dates(from, to)
            .flat_map(|day| {
                self.day(day, kind, ticker)
                    .iter()
                    .filter(|a| (start_ms..=end_ms).contains(&a.time_ms))
                    .map(|a| a.id.clone())
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use unusual_whales_nt::common::time::parse_timestamp;

    use super::*;

    fn ms(s: &str) -> u64 {
        parse_timestamp(s).unwrap() / NANOS_PER_MILLI
    }

    // Started on Friday 2025-05-16 at 12:00 New York (16:00 UTC).
    fn past() -> PastDays {
        PastDays::new(42, ms("2025-05-16T16:00:00Z"))
    }

    #[test]
    fn a_past_weekday_has_a_full_regular_session_of_alerts() {
        let p = past();
        let day = ny_day(ms("2025-05-12T15:00:00Z"));
        let rows = p.day(day, ChannelKind::FlowAlerts, "SPY");
        assert!(
            (1_000..1_400).contains(&rows.len()),
            "{} alerts",
            rows.len()
        );
        // 09:30-16:00 EDT is 13:30-20:00 UTC.
        assert!(rows[0].time_ms >= ms("2025-05-12T13:30:00Z"));
        assert!(rows.last().unwrap().time_ms < ms("2025-05-12T20:00:00Z"));
        assert!(rows.windows(2).all(|w| w[0].time_ms < w[1].time_ms));
        assert!(rows.iter().all(|a| a.ticker == "SPY"));
        let zero_dte = rows
            .iter()
            .filter(|a| a.rest_payload.contains("\"SPY250512"))
            .count();
        assert!(
            zero_dte * 10 > rows.len() * 7,
            "mostly 0DTE: {zero_dte} of {}",
            rows.len()
        );
    }

    #[test]
    fn the_past_is_the_same_whenever_the_simulator_started() {
        let day = ny_day(ms("2025-05-13T15:00:00Z"));
        let a = past().day(day, ChannelKind::OptionTrades, "QQQ");
        let b = PastDays::new(42, ms("2026-11-30T15:00:00Z")).day(
            day,
            ChannelKind::OptionTrades,
            "QQQ",
        );
        assert!(a.len() > 4_000);
        assert_eq!(
            a.iter().map(|r| &r.rest_payload).collect::<Vec<_>>(),
            b.iter().map(|r| &r.rest_payload).collect::<Vec<_>>()
        );
        let other_seed =
            PastDays::new(7, ms("2026-11-30T15:00:00Z")).day(day, ChannelKind::OptionTrades, "QQQ");
        assert_ne!(a[0].id, other_seed[0].id);
    }

    // The same rows on every machine and in every release, as the module promises: pinned values,
    // not two runs compared, so that an update of the generator's crates cannot move them unseen.
    #[test]
    fn the_past_is_the_same_in_every_release() {
        let day = ny_day(ms("2025-05-12T15:00:00Z"));
        let first = |kind| {
            let rows = past().day(day, kind, "SPY");
            (rows.len(), rows[0].id.clone(), rows[0].time_ms)
        };
        assert_eq!(
            first(ChannelKind::FlowAlerts),
            (
                1_200,
                "5aabbc71-2af7-41be-ad5e-7025386fdc61".to_owned(),
                ms("2025-05-12T13:30:29.885Z")
            )
        );
        assert_eq!(
            first(ChannelKind::OptionTrades),
            (
                5_806,
                "fcf86977-ff64-46f2-98ef-cfa0965816d7".to_owned(),
                ms("2025-05-12T13:30:00.581Z")
            )
        );
    }

    #[test]
    fn weekends_and_the_time_after_the_start_are_empty() {
        let p = past();
        assert!(
            p.day(
                ny_day(ms("2025-05-17T15:00:00Z")),
                ChannelKind::FlowAlerts,
                "SPY"
            )
            .is_empty()
        );
        let start_day = p.day(
            ny_day(ms("2025-05-16T15:00:00Z")),
            ChannelKind::FlowAlerts,
            "SPY",
        );
        assert!(!start_day.is_empty() && start_day.iter().all(|a| a.created_ms < p.started_ms));
        assert!(
            p.day(
                ny_day(ms("2025-05-19T15:00:00Z")),
                ChannelKind::FlowAlerts,
                "SPY"
            )
            .is_empty()
        );
    }

    #[test]
    fn pages_newest_first_cover_a_range_once() {
        let p = past();
        let (start, end) = (ms("2025-05-13T04:00:00Z"), ms("2025-05-15T04:00:00Z"));
        let tickers = ["SPY".to_owned(), "QQQ".to_owned()];
        let mut older = Some(end);
        let mut seen = Vec::new();
        loop {
            let page = p.newest_first(
                ChannelKind::FlowAlerts,
                &tickers,
                Some(start),
                older,
                500,
                |a| a.time_ms,
            );
            assert!(page.windows(2).all(|w| w[0].time_ms >= w[1].time_ms));
            seen.extend(page.iter().map(|a| a.id.clone()));
            if page.len() < 500 {
                break;
            }
            older = Some(page.last().unwrap().time_ms);
        }
        let mut expected = p.ids_between(ChannelKind::FlowAlerts, "SPY", start, end);
        expected.extend(p.ids_between(ChannelKind::FlowAlerts, "QQQ", start, end));
        assert!(expected.len() > 4_000);
        seen.sort();
        expected.sort();
        assert_eq!(seen, expected);
    }
}
