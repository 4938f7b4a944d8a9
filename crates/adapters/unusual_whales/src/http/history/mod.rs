//! Historical requests: a Data type, its `DataType.metadata` and a time range become the UW REST
//! requests that cover it, with each endpoint's pagination (docs/uw-api.md#paging):
//!
//! - time cursor, newest first (`older_than`): flow alerts, option trades, dark-pool prints of a
//!   ticker; pages are followed back until the range start or a short page;
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
use crate::http::endpoint::Paging;
use crate::http::operations::fetch::{OperationQuery, fetch_operation};
use crate::subscription::metadata::UwFilter;
use collect::{Collected, PageTimes, TimeCursor, ms};
pub use plan::history_endpoints;
use plan::{Plan, REQUEST_KEYS, plan, trading_dates};

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
            let payloads = client.get(&request).await?;
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
        } => {
            let mut cursor =
                TimeCursor::new(ms(end).saturating_add(1).saturating_add(lag_allowance_ms));
            let mut request = request.param("limit", page.to_string());
            let text = |ms: u64| if iso { iso_millis(ms) } else { ms.to_string() };
            loop {
                request.set_param("older_than", text(cursor.older_than_ms));
                if start > 0 {
                    request.set_param("newer_than", text(ms(start).saturating_sub(1)));
                }
                requests += 1;
                let mut times = PageTimes::default();
                for p in client.get(&request).await? {
                    times = times.merge(collected.add(p, &filter, range, now_ns));
                }
                // Without a start UW would page back for years: one page, as documented.
                if times.rows < page || start == 0 {
                    break;
                }
                let Some(next) = cursor.advance(&times) else {
                    break;
                };
                // Whatever UW compares, the records still unfetched have event times before
                // `next`: none of them is in range, or newer than `limit` records already here.
                let next_ns = next.saturating_mul(1_000_000);
                if next_ns <= start
                    || (collected.len() >= limit && collected.count_from(next_ns) >= limit)
                {
                    break;
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
                    let mut times = PageTimes::default();
                    for p in client.get(&request).await? {
                        times = times.merge(collected.add(p, &filter, range, now_ns));
                    }
                    if collected.len() >= limit {
                        break 'days;
                    }
                    // A short page is the day's last.
                    if page.is_none_or(|page| times.rows < page) {
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
                let mut times = PageTimes::default();
                for p in client.get(&request).await? {
                    times = times.merge(collected.add(p, &filter, range, now_ns));
                }
                if times.rows < page
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
    };
    if result.len() > limit {
        truncate_newest(&mut result, limit);
    }
    Ok(result)
}

/// `ms` as an RFC 3339 UTC time with milliseconds (`2026-07-17T14:31:02.123Z`).
fn iso_millis(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or_else(|| ms.to_string(), |t| format!("{t:.3}"))
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
    #[test]
    fn iso_cursors_are_utc_times_with_milliseconds() {
        assert_eq!(
            super::iso_millis(1_784_298_662_123),
            "2026-07-17T14:31:02.123Z"
        );
        assert_eq!(
            super::iso_millis(1_784_298_662_000),
            "2026-07-17T14:31:02.000Z"
        );
    }
}
