//! Historical requests: a Data type, its `DataType.metadata` and a time range become the UW REST
//! requests that cover it, with each endpoint's pagination (docs/uw-api.md#paging):
//!
//! - time cursor, newest first (`older_than`): flow alerts, option trades, dark-pool prints of a
//!   ticker, multi-leg strategies; pages are followed back until the range start or a short page,
//!   in windows of 24 h for multi-leg strategies, which UW answers no wider a query for (a short
//!   page ends its window: the walk goes on with the next, older one);
//! - one request per New York trading day (`date=`): market tide, net-premium ticks, spot
//!   exposures, greek flow, per-strike flow and exposures, OHLC;
//! - page numbers: news headlines; within each trading day: spot exposure by expiry and strike;
//! - one request: everything else (`path` in the metadata requests any endpoint verbatim);
//! - `UwApiResponse`: any documented operation, with its own pagination (`http::operations`).
//!
//! Records outside `[start, end]` and records failing the metadata filter are dropped here. Every
//! request, whatever its plan and however many pages it took, delivers each record once, oldest
//! first by `ts_event`.

mod collect;
mod plan;

use crate::common::time::ny_date;
use crate::data::record::UwRecord;
use crate::data::*;
use crate::http::client::{UwHttpClient, UwHttpError};
use crate::http::cursor::{CursorWindows, cursor_value};
use crate::http::endpoint::Paging;
use crate::http::operations::fetch::{OperationQuery, fetch_operation};
use crate::subscription::metadata::UwFilter;
use collect::{Collected, PageTimes, TimeCursor, ms};
pub use plan::history_endpoints;
use plan::{Plan, REQUEST_KEYS, plan, trading_dates};

/// How far past the local clock a query without an end reaches: UW stamps rows with its own
/// clock, and a back-fill or a request "until now" must not lose the newest seconds to a local
/// clock that runs behind.
const OPEN_END_CLOCK_SKEW_MS: u64 = 60_000;

/// The most page numbers one query (or one day of it) follows: a bound should UW keep answering
/// full pages.
const MAX_PAGES: usize = 1001;

/// What a history request is wrong about.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HistoryError {
    /// The request cannot be built.
    #[error("{0}")]
    Invalid(String),
    /// UW or the network failed it.
    #[error(transparent)]
    Http(#[from] UwHttpError),
}

/// A history request.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// The Python type name (`UwFlowAlert`).
    pub type_name: String,
    /// `DataType.metadata` as text pairs.
    pub metadata: Vec<(String, String)>,
    /// Range start, UNIX ns (inclusive); `None` = as far as one page/day goes.
    pub start_ns: Option<u64>,
    /// Range end, UNIX ns (inclusive); `None` = now, rows stamped on their arrival included.
    pub end_ns: Option<u64>,
    /// Most records to return (0 = no limit).
    pub limit: usize,
}

/// The records found and how many requests it took.
#[derive(Debug, Default)]
pub struct HistoryResult {
    /// Decoded records, one payload per record type, each sorted oldest first by `ts_event`
    /// across all pages; records of equal `ts_event` keep the order they were fetched in.
    pub payloads: Vec<UwPayload>,
    /// Requests made.
    pub requests: u32,
    /// Rows UW sent that could not be read and were skipped.
    pub skipped: SkippedRows,
}

/// How many of the errors of skipped rows a result keeps: enough to show what is wrong, bounded
/// however many rows a changed format makes unreadable.
pub const SKIPPED_ERRORS_KEPT: usize = 20;

/// The rows of a request's answers that could not be read: each would otherwise have failed its
/// whole request, losing the rows around it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SkippedRows {
    /// How many.
    pub count: u64,
    /// The first [`SKIPPED_ERRORS_KEPT`] errors, each prefixed with its request
    /// (`/api/option-trades/flow-alerts?...: flow_alerts: field `data[55].total_premium`: ...`).
    pub errors: Vec<String>,
}

impl SkippedRows {
    fn note(
        &mut self,
        client: &UwHttpClient,
        request: &impl std::fmt::Display,
        skipped: Vec<crate::common::error::UwParseError>,
    ) {
        if skipped.is_empty() {
            return;
        }
        self.count += skipped.len() as u64;
        let room = SKIPPED_ERRORS_KEPT.saturating_sub(self.errors.len());
        let path = client.config().credential.scrub(&request.to_string());
        self.errors.extend(
            skipped
                .into_iter()
                .take(room)
                .map(|e| format!("{path}: {e}")),
        );
    }
}

impl HistoryResult {
    /// Number of records.
    #[must_use]
    pub fn len(&self) -> usize {
        self.payloads.iter().map(UwPayload::len).sum()
    }

    /// Whether nothing was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Runs `query` against UW: every record in range once (the latest revision of a record with a
/// UW id), oldest first by `ts_event` across all pages (see [`HistoryResult::payloads`]).
///
/// # Errors
/// [`HistoryError::Invalid`] for requests that cannot be built (bad metadata, no ticker where one
/// is needed), and the client's errors.
pub async fn fetch_history(
    client: &UwHttpClient,
    query: &HistoryQuery,
    now_ns: u64,
) -> Result<HistoryResult, HistoryError> {
    let type_name = query.type_name.as_str();
    if type_name == ApiResponse::TYPE_NAME {
        let query = OperationQuery {
            metadata: query.metadata.clone(),
            start_ns: query.start_ns,
            end_ns: query.end_ns,
            limit: query.limit,
        };
        let answers = fetch_operation(client, &query, now_ns).await?;
        return Ok(HistoryResult {
            requests: u32::try_from(answers.len()).unwrap_or(u32::MAX),
            payloads: vec![UwPayload::ApiResponse(answers)],
            skipped: SkippedRows::default(),
        });
    }
    let keys = crate::subscription::filter::history_filter_keys(type_name);
    let filter_md: Vec<&(String, String)> = query
        .metadata
        .iter()
        .filter(|(k, _)| !REQUEST_KEYS.contains(&k.as_str()))
        .collect();
    let filter_pairs: Vec<(String, String)> = filter_md.into_iter().cloned().collect();
    let filter = UwFilter::from_metadata(type_name, keys, &filter_pairs)
        .map_err(|e| HistoryError::Invalid(e.to_string()))?;
    let end = query.end_ns.unwrap_or(now_ns);
    let start = query.start_ns.unwrap_or(0);
    if start > end {
        return Err(HistoryError::Invalid("start is after end".to_owned()));
    }
    let limit = if query.limit == 0 {
        usize::MAX
    } else {
        query.limit
    };
    let mut requests = 0;
    let mut skipped = SkippedRows::default();
    let mut collected = Collected::default();
    // Without an end the range is open: rows UW's answer leaves undated are stamped on their
    // arrival, after `now_ns` (the calendar's events to come, today's open interest fetched before
    // the open), and belong to the answer all the same.
    let range = (start, query.end_ns.unwrap_or(u64::MAX));
    let Plan { request, paging } = plan(type_name, &filter, &query.metadata)?;
    let date_asked = query
        .metadata
        .iter()
        .find(|(k, _)| k == "date")
        .map(|(_, d)| d.clone());
    match paging {
        Paging::Once | Paging::Series => {
            let date = match date_asked {
                Some(d) => Some(d),
                None if paging == Paging::Series => {
                    query.end_ns.map(|end| ny_date(end).to_string())
                }
                None => None,
            };
            let mut request = request;
            if let Some(d) = date
                && request.get_param("date").is_none()
            {
                request.set_param("date", d);
            }
            requests += 1;
            let answer = client.get_page(&request).await?;
            skipped.note(client, &request, answer.skipped);
            let payloads = answer.payloads;
            // A `path` names any endpoint: keep what it answers of the requested type (a flow
            // alert's detail holds the alert and its prints), refuse an endpoint of another type.
            if let Some(other) = payloads
                .iter()
                .map(UwPayload::type_name)
                .find(|name| *name != type_name)
                .filter(|_| payloads.iter().all(|p| p.type_name() != type_name))
            {
                return Err(HistoryError::Invalid(format!(
                    "{request} answers {other}, not {type_name}; request it as DataType({other}, ...)"
                )));
            }
            for p in payloads.into_iter().filter(|p| p.type_name() == type_name) {
                collected.add(p, &filter, range, now_ns);
            }
        }
        Paging::Cursor {
            page,
            lag_allowance_ms,
            iso,
            max_span_ms,
        } => {
            // An open end is UW's now, which this machine's clock may run behind: rows stamped
            // a little after the local now belong to the answer (the range keeps them).
            let allowance = if query.end_ns.is_none() {
                lag_allowance_ms.max(OPEN_END_CLOCK_SKEW_MS)
            } else {
                lag_allowance_ms
            };
            let top = ms(end).saturating_add(1).saturating_add(allowance);
            // Without a start UW would page back for years: one page, as documented.
            let bottom = (start > 0).then(|| ms(start).saturating_sub(1));
            let mut cursor = TimeCursor::new(top);
            let mut request = request.param("limit", page.to_string());
            // Whether the records still unfetched, whose event times lie before `ms` whatever UW
            // compares, are all out of range or older than `limit` records already here.
            let nothing_below = |collected: &Collected, ms: u64| {
                let ns = ms.saturating_mul(1_000_000);
                ns <= start || (collected.len() >= limit && collected.count_from(ns) >= limit)
            };
            'windows: for window in CursorWindows::new(top, bottom, max_span_ms) {
                if nothing_below(&collected, window.older_than_ms) {
                    break;
                }
                cursor.restart(window.older_than_ms);
                loop {
                    request.set_param("older_than", cursor_value(cursor.older_than_ms, iso));
                    if let Some(newer_than) = window.newer_than_ms {
                        request.set_param("newer_than", cursor_value(newer_than, iso));
                    }
                    requests += 1;
                    let (times, rows) = fetch_page(
                        client,
                        &request,
                        &mut collected,
                        &mut skipped,
                        (&filter, range, now_ns),
                    )
                    .await?;
                    if start == 0 {
                        break 'windows;
                    }
                    // A short page is the last of its window, not of the range.
                    if rows < page {
                        break;
                    }
                    let Some(next) = cursor.advance(&times) else {
                        break;
                    };
                    if nothing_below(&collected, next) {
                        break 'windows;
                    }
                    if window.newer_than_ms.is_some_and(|newer| next <= newer) {
                        break;
                    }
                }
            }
        }
        Paging::Daily | Paging::DailyPages { .. } => {
            let dates = match date_asked {
                Some(d) => vec![d],
                None => trading_dates(query.start_ns.unwrap_or(end), end),
            };
            let page = match paging {
                Paging::DailyPages { page } => Some(page),
                _ => None,
            };
            let mut request = match page {
                Some(page) => request.param("limit", page.to_string()),
                None => request,
            };
            'days: for date in dates {
                request.set_param("date", date);
                for n in 0..MAX_PAGES {
                    if page.is_some() {
                        request.set_param("page", n.to_string());
                    }
                    requests += 1;
                    let (_, rows) = fetch_page(
                        client,
                        &request,
                        &mut collected,
                        &mut skipped,
                        (&filter, range, now_ns),
                    )
                    .await?;
                    if collected.len() >= limit {
                        break 'days;
                    }
                    // A short page is the day's last.
                    if page.is_none_or(|page| rows < page) {
                        break;
                    }
                }
            }
        }
        Paging::Pages { page } => {
            let mut request = request.param("limit", page.to_string());
            for n in 0.. {
                request.set_param("page", n.to_string());
                requests += 1;
                let (times, rows) = fetch_page(
                    client,
                    &request,
                    &mut collected,
                    &mut skipped,
                    (&filter, range, now_ns),
                )
                .await?;
                if rows < page
                    || start == 0
                    || times.oldest_event_ns.is_none_or(|o| o < start)
                    || collected.len() >= limit
                    || n + 1 >= MAX_PAGES
                {
                    break;
                }
            }
        }
    }
    let mut result = HistoryResult {
        payloads: collected.into_sorted(),
        requests,
        skipped,
    };
    if result.len() > limit {
        truncate_newest(&mut result, limit);
    }
    Ok(result)
}

/// GETs one page and collects its records; returns their times and the rows UW sent (read or
/// skipped: a full page with a bad row is still full).
async fn fetch_page(
    client: &UwHttpClient,
    request: &crate::http::request::UwRequest,
    collected: &mut Collected,
    skipped: &mut SkippedRows,
    (filter, range, now_ns): (&UwFilter, (u64, u64), u64),
) -> Result<(PageTimes, usize), UwHttpError> {
    let answer = client.get_page(request).await?;
    let rows = answer.rows();
    skipped.note(client, request, answer.skipped);
    let mut times = PageTimes::default();
    for p in answer.payloads {
        times = times.merge(collected.add(p, filter, range, now_ns));
    }
    Ok((times, rows))
}

/// Keeps the `limit` newest records.
fn truncate_newest(result: &mut HistoryResult, limit: usize) {
    let mut times: Vec<u64> = Vec::new();
    for p in &result.payloads {
        crate::data::for_each_payload!(p, |v| times.extend(v.iter().map(UwRecord::ts_event_nanos)));
    }
    times.sort_unstable_by(|a, b| b.cmp(a));
    let cutoff = times[limit - 1];
    let mut budget_at_cutoff = limit - times.iter().filter(|t| **t > cutoff).count();
    let payloads = std::mem::take(&mut result.payloads);
    for p in payloads {
        fn cut<R: UwRecord + PayloadItem>(
            mut v: Vec<R>,
            cutoff: u64,
            budget: &mut usize,
        ) -> UwPayload {
            v.retain(|r| {
                let t = r.ts_event_nanos();
                if t > cutoff {
                    true
                } else if t == cutoff && *budget > 0 {
                    *budget -= 1;
                    true
                } else {
                    false
                }
            });
            R::into_payload(v)
        }
        let p = crate::data::for_each_payload!(p, |v| cut(v, cutoff, &mut budget_at_cutoff));
        if !p.is_empty() {
            result.payloads.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::time::parse_timestamp;
    use crate::http::fake_uw::{self, DAY_MS, FakeUw, Strategy};

    /// Unix ms of an RFC 3339 time.
    fn at(text: &str) -> u64 {
        parse_timestamp(text).unwrap() / 1_000_000
    }

    /// Five days of AAPL strategies, 2026-07-13 to 2026-07-17, a session's worth each (the 15th
    /// busier than one page); with strategies exactly where the 24 h windows of a walk back from
    /// 2026-07-18T00:00Z meet, on the range's ends, and just outside them.
    fn week() -> Vec<Strategy> {
        let mut strategies = Vec::new();
        for (day, count) in [(13, 23), (14, 31), (15, 640), (16, 19), (17, 27)] {
            let open = at(&format!("2026-07-{day}T13:30:00Z"));
            for i in 0..count {
                strategies.push(Strategy {
                    id: format!("0197f3a2-{day}-{i:04}"),
                    executed_ms: open + i * 30_000,
                });
            }
        }
        for (id, time) in [
            ("before-start", "2026-07-12T23:59:59.999Z"),
            ("at-start", "2026-07-13T00:00:00Z"),
            ("window-edge-17", "2026-07-17T00:00:00Z"),
            ("window-edge-16", "2026-07-16T00:00:00.001Z"),
            ("at-end", "2026-07-17T23:59:59.999Z"),
            ("after-end", "2026-07-18T00:00:00Z"),
        ] {
            strategies.push(Strategy {
                id: id.to_owned(),
                executed_ms: at(time),
            });
        }
        strategies
    }

    fn ids(result: &HistoryResult) -> Vec<String> {
        result
            .payloads
            .iter()
            .flat_map(|p| match p {
                UwPayload::MultiLegTrade(v) => v.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    async fn multi_leg_history(
        limit: usize,
    ) -> (HistoryResult, Vec<fake_uw::Asked>, Vec<Strategy>) {
        let strategies = week();
        let served = strategies.clone();
        let now_ms = at("2026-07-18T01:00:00Z");
        let uw = FakeUw::start(move |_, query| fake_uw::multi_leg(&served, query, now_ms)).await;
        let query = HistoryQuery {
            type_name: "UwMultiLegTrade".to_owned(),
            metadata: vec![("ticker".to_owned(), "AAPL".to_owned())],
            start_ns: Some(at("2026-07-13T00:00:00Z") * 1_000_000),
            end_ns: Some(at("2026-07-17T23:59:59.999Z") * 1_000_000),
            limit,
        };
        let result = fetch_history(&uw.client(), &query, now_ms * 1_000_000)
            .await
            .unwrap();
        (result, uw.asked(), strategies)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn multi_leg_history_covers_every_day_of_a_range_longer_than_uw_answers() {
        let (result, asked, strategies) = multi_leg_history(0).await;
        // Every day of the five, whole: the sessions plus the strategies at midnight.
        let mut per_day: Vec<(String, usize)> = Vec::new();
        for p in &result.payloads {
            let UwPayload::MultiLegTrade(v) = p else {
                panic!("{p:?}")
            };
            for s in v {
                let day = jiff::Timestamp::from_nanosecond(i128::from(s.executed_at))
                    .unwrap()
                    .to_string()[..10]
                    .to_owned();
                match per_day.last_mut() {
                    Some((d, n)) if *d == day => *n += 1,
                    _ => per_day.push((day, 1)),
                }
            }
        }
        let days = |list: &[(&str, usize)]| -> Vec<(String, usize)> {
            list.iter().map(|(d, n)| ((*d).to_owned(), *n)).collect()
        };
        assert_eq!(
            per_day,
            days(&[
                ("2026-07-13", 23 + 1),
                ("2026-07-14", 31),
                ("2026-07-15", 640),
                ("2026-07-16", 19 + 1),
                ("2026-07-17", 27 + 2),
            ])
        );
        // Every strategy of the five days, once, oldest first; none from outside the range.
        let mut expected: Vec<&Strategy> = strategies
            .iter()
            .filter(|s| !s.id.ends_with("-start") || s.id == "at-start")
            .filter(|s| s.id != "after-end")
            .collect();
        expected.sort_by_key(|s| s.executed_ms);
        let expected: Vec<String> = expected.iter().map(|s| s.id.clone()).collect();
        assert_eq!(expected.len(), 23 + 31 + 640 + 19 + 27 + 4);
        assert_eq!(ids(&result), expected);
        // UW answered every request; none spans more than the 24 h UW answers.
        for a in &asked {
            assert_eq!(
                (a.path.as_str(), a.status),
                ("/api/option-trades/multi-leg", 200),
                "{a:?}"
            );
            assert_eq!(a.get("ticker_symbol"), Some("AAPL"));
            assert!(fake_uw::span_ms(a) <= DAY_MS, "{a:?}");
        }
        // A strategy where two windows meet came in both, and is delivered once.
        for edge in ["window-edge-17", "window-edge-16"] {
            let served = asked
                .iter()
                .flat_map(|a| fake_uw::ids(&a.body))
                .filter(|id| id == edge);
            assert_eq!(served.count(), 2, "{edge}");
        }
        // Six windows back to the start; the 15th's took a second page.
        assert_eq!((asked.len(), result.requests), (7, 7));
        assert_eq!(
            asked
                .iter()
                .filter(|a| fake_uw::ids(&a.body).len() == 500)
                .count(),
            1
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn multi_leg_history_with_a_limit_stops_at_the_newest_window_that_holds_it() {
        let (result, asked, _) = multi_leg_history(10).await;
        let got = ids(&result);
        assert_eq!(got.len(), 10);
        assert_eq!(got.last().map(String::as_str), Some("at-end"));
        assert_eq!(asked.len(), 1, "{asked:?}");
    }
}
