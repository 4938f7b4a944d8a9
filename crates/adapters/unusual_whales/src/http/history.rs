//! Historical requests: a Data type, its `DataType.metadata` and a time range become the UW REST
//! requests that cover it, with each endpoint's pagination (SPEC.md §7.1):
//!
//! - time cursor, newest first (`older_than`): flow alerts, option trades, dark-pool prints of a
//!   ticker; pages are followed back until the range start or a short page;
//! - one request per New York trading day (`date=`): market tide, net-premium ticks, spot
//!   exposures, greek flow, per-strike flow and exposures, OHLC;
//! - page numbers: news headlines;
//! - one request: everything else (`path` in the metadata requests any endpoint verbatim).
//!
//! Records outside `[start, end]` and records failing the metadata filter are dropped here.

use std::collections::HashSet;

use crate::common::parse::{civil_from_days, ny_local};
use crate::data::record::UwRecord;
use crate::data::{PayloadItem, UwPayload};
use crate::http::client::{UwHttpClient, UwHttpError};
use crate::websocket::route::{RecordView, UwFilter};

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
    /// Range end, UNIX ns (inclusive); `None` = now.
    pub end_ns: Option<u64>,
    /// Most records to return (0 = no limit).
    pub limit: usize,
}

/// The records found and how many requests it took.
#[derive(Debug, Default)]
pub struct HistoryResult {
    /// Decoded records, oldest page last as UW returns them (callers sort by `ts_event`).
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

/// Metadata keys that shape the request rather than filter records.
const REQUEST_KEYS: [&str; 4] = ["path", "date", "candle_size", "timeframe"];

enum Plan {
    Cursor { path: String, page: usize },
    Daily { path: String },
    Pages { path: String, page: usize },
    Once { path: String },
}

fn ms(ns: u64) -> u64 {
    ns / 1_000_000
}

/// New York dates (`YYYY-MM-DD`) from `start` to `end`, weekdays only, oldest first.
fn trading_dates(start_ns: u64, end_ns: u64) -> Vec<String> {
    let (first, _, _) = ny_local(start_ns);
    let (last, _, _) = ny_local(end_ns);
    (first..=last)
        .filter(|d| (1..=5).contains(&(d + 4).rem_euclid(7)))
        .map(|d| {
            let (y, m, day) = civil_from_days(d);
            format!("{y:04}-{m:02}-{day:02}")
        })
        .collect()
}

fn one_ticker(type_name: &str, filter: &UwFilter) -> Result<String, HistoryError> {
    match filter.channel_tickers().as_deref() {
        Some([t]) => Ok(t.clone()),
        Some(_) => Err(HistoryError::Invalid(format!(
            "{type_name} history is per ticker: request one ticker at a time"
        ))),
        None => Err(HistoryError::Invalid(format!(
            "{type_name} history needs a ticker (metadata={{\"ticker\": \"SPY\"}})"
        ))),
    }
}

fn plan(type_name: &str, filter: &UwFilter, md: &[(String, String)]) -> Result<Plan, HistoryError> {
    let get = |k: &str| md.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    if let Some(path) = get("path") {
        if !path.starts_with("/api/") {
            return Err(HistoryError::Invalid(format!(
                "path must start with /api/, got {path:?}"
            )));
        }
        return Ok(Plan::Once { path });
    }
    let tickers = filter.channel_tickers().map(|t| t.join(","));
    let ticker = || one_ticker(type_name, filter);
    Ok(match type_name {
        "UwFlowAlert" => Plan::Cursor {
            path: match tickers {
                Some(t) => format!("/api/option-trades/flow-alerts?ticker_symbol={t}"),
                None => "/api/option-trades/flow-alerts".to_owned(),
            },
            page: 200,
        },
        "UwOptionTrade" => Plan::Cursor {
            path: match tickers {
                Some(t) => format!("/api/option-trades?ticker_symbol={t}"),
                None => "/api/option-trades".to_owned(),
            },
            page: 500,
        },
        "UwDarkPoolTrade" => match tickers {
            Some(_) => Plan::Cursor {
                path: format!("/api/darkpool/{}", ticker()?),
                page: 500,
            },
            None => Plan::Once {
                path: "/api/darkpool/recent?limit=200".to_owned(),
            },
        },
        "UwLitTrade" => match tickers {
            Some(_) => Plan::Cursor {
                path: format!("/api/lit-flow/{}", ticker()?),
                page: 500,
            },
            None => Plan::Once {
                path: "/api/lit-flow/recent?limit=200".to_owned(),
            },
        },
        "UwMarketTide" => Plan::Daily {
            path: "/api/market/market-tide".to_owned(),
        },
        "UwNetPremTick" => Plan::Daily {
            path: format!("/api/stock/{}/net-prem-ticks", ticker()?),
        },
        "UwSpotExposure" => Plan::Daily {
            path: format!("/api/stock/{}/spot-exposures", ticker()?),
        },
        "UwGreekFlow" => Plan::Daily {
            path: format!("/api/stock/{}/greek-flow", ticker()?),
        },
        "UwStrikeFlow" => Plan::Daily {
            path: format!("/api/stock/{}/flow-per-strike", ticker()?),
        },
        "UwStrikeGreekExposure" => Plan::Daily {
            path: format!("/api/stock/{}/greek-exposure/strike", ticker()?),
        },
        "UwExpiryGreekExposure" => Plan::Daily {
            path: format!("/api/stock/{}/greek-exposure/expiry", ticker()?),
        },
        "UwStrikeSpotExposure" => Plan::Daily {
            path: format!("/api/stock/{}/spot-exposures/strike", ticker()?),
        },
        "UwOhlcBar" => Plan::Daily {
            path: format!(
                "/api/stock/{}/ohlc/{}",
                ticker()?,
                get("candle_size").unwrap_or_else(|| "1m".to_owned())
            ),
        },
        "UwNewsHeadline" => Plan::Pages {
            path: match tickers {
                Some(t) => format!("/api/news/headlines?ticker={t}"),
                None => "/api/news/headlines".to_owned(),
            },
            page: 100,
        },
        "UwGreekExposure" => Plan::Once {
            path: format!(
                "/api/stock/{}/greek-exposure?timeframe={}",
                ticker()?,
                get("timeframe").unwrap_or_else(|| "1y".to_owned())
            ),
        },
        "UwGexLevels" => Plan::Once {
            path: format!("/api/stock/{}/gex-levels", ticker()?),
        },
        "UwOptionContract" => Plan::Once {
            path: format!("/api/stock/{}/option-contracts", ticker()?),
        },
        "UwStockState" => Plan::Once {
            path: format!("/api/stock/{}/stock-state", ticker()?),
        },
        "UwStockQuote" => Plan::Once {
            path: format!("/api/stock/{}/quote", ticker()?),
        },
        "UwMaxPain" => Plan::Once {
            path: format!("/api/stock/{}/max-pain", ticker()?),
        },
        "UwIvRank" => Plan::Once {
            path: format!("/api/stock/{}/iv-rank", ticker()?),
        },
        "UwHorizonIv" => Plan::Once {
            path: format!("/api/stock/{}/interpolated-iv", ticker()?),
        },
        "UwExpiryIv" => Plan::Once {
            path: format!("/api/stock/{}/volatility/term-structure", ticker()?),
        },
        "UwEarnings" => Plan::Once {
            path: format!("/api/earnings/{}", ticker()?),
        },
        "UwCongressTrade" => Plan::Once {
            path: "/api/congress/recent-trades".to_owned(),
        },
        "UwInsiderTransaction" => Plan::Once {
            path: "/api/insider/transactions".to_owned(),
        },
        "UwExpiryTide" => Plan::Daily {
            path: "/api/net-flow/expiry".to_owned(),
        },
        other => {
            return Err(HistoryError::Invalid(format!(
                "{other} has no REST history in this adapter; pass metadata={{\"path\": \"/api/...\"}} to request an endpoint directly"
            )));
        }
    })
}

fn with_param(path: &str, key: &str, value: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{key}={value}")
}

/// Keeps the records in range that pass the filter; returns them and their oldest event time.
fn keep(payload: UwPayload, filter: &UwFilter, start: u64, end: u64) -> (UwPayload, Option<u64>) {
    fn retain<R: RecordView + PayloadItem>(
        mut v: Vec<R>,
        filter: &UwFilter,
        start: u64,
        end: u64,
    ) -> (UwPayload, Option<u64>) {
        let oldest = v.iter().map(UwRecord::ts_event_nanos).min();
        v.retain(|r| (start..=end).contains(&r.ts_event_nanos()) && filter.matches(r));
        (R::into_payload(v), oldest)
    }
    crate::for_each_payload!(payload, |v| retain(v, filter, start, end))
}

/// Drops records already returned by an earlier page (pages overlap by one millisecond), after
/// stamping every record with the one arrival time of the whole request.
fn dedup(payload: UwPayload, seen: &mut HashSet<String>, ts_init: u64) -> UwPayload {
    fn go<R: std::fmt::Debug + UwRecord + PayloadItem>(
        mut v: Vec<R>,
        seen: &mut HashSet<String>,
        ts_init: u64,
    ) -> UwPayload {
        v.retain_mut(|r| {
            r.set_ts_init(ts_init);
            seen.insert(format!("{r:?}"))
        });
        R::into_payload(v)
    }
    crate::for_each_payload!(payload, |v| go(v, seen, ts_init))
}

/// Runs `query` against UW.
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
    let keys = crate::websocket::route::history_filter_keys(type_name);
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
    let mut result = HistoryResult::default();
    let mut seen = HashSet::new();
    let mut push = |result: &mut HistoryResult, payload: UwPayload| {
        let payload = dedup(payload, &mut seen, now_ns);
        if !payload.is_empty() {
            result.payloads.push(payload);
        }
    };
    match plan(type_name, &filter, &query.metadata)? {
        Plan::Once { path } => {
            let path = match query.metadata.iter().find(|(k, _)| k == "date") {
                Some((_, d)) if !path.contains("date=") => with_param(&path, "date", d),
                _ => path,
            };
            result.requests += 1;
            for p in client.get(&path).await? {
                push(&mut result, keep(p, &filter, start, end).0);
            }
        }
        Plan::Cursor { path, page } => {
            let mut older_than = ms(end).saturating_add(1);
            loop {
                let mut request = with_param(&path, "limit", &page.to_string());
                request = with_param(&request, "older_than", &older_than.to_string());
                if start > 0 {
                    request = with_param(
                        &request,
                        "newer_than",
                        &ms(start).saturating_sub(1).to_string(),
                    );
                }
                result.requests += 1;
                let mut rows = 0;
                let mut oldest: Option<u64> = None;
                for p in client.get(&request).await? {
                    rows += p.len();
                    let (kept, o) = keep(p, &filter, start, end);
                    oldest = oldest.min(o).or(o);
                    push(&mut result, kept);
                }
                let Some(oldest) = oldest else { break };
                // Equal timestamps may straddle a page boundary: ask again from the oldest
                // millisecond inclusive and let the de-duplication drop the repeats.
                let next = ms(oldest).saturating_add(1);
                if rows < page || oldest <= start || next >= older_than || result.len() >= limit {
                    break;
                }
                older_than = next;
            }
        }
        Plan::Daily { path } => {
            let dates = match query.metadata.iter().find(|(k, _)| k == "date") {
                Some((_, d)) => vec![d.clone()],
                None => trading_dates(query.start_ns.unwrap_or(end), end),
            };
            for date in dates {
                result.requests += 1;
                for p in client.get(&with_param(&path, "date", &date)).await? {
                    push(&mut result, keep(p, &filter, start, end).0);
                }
                if result.len() >= limit {
                    break;
                }
            }
        }
        Plan::Pages { path, page } => {
            for n in 0.. {
                let request = with_param(
                    &with_param(&path, "limit", &page.to_string()),
                    "page",
                    &n.to_string(),
                );
                result.requests += 1;
                let mut rows = 0;
                let mut oldest: Option<u64> = None;
                for p in client.get(&request).await? {
                    rows += p.len();
                    let (kept, o) = keep(p, &filter, start, end);
                    oldest = oldest.min(o).or(o);
                    push(&mut result, kept);
                }
                if rows < page
                    || oldest.is_none_or(|o| o < start)
                    || result.len() >= limit
                    || n >= 1000
                {
                    break;
                }
            }
        }
    }
    if result.len() > limit {
        truncate_newest(&mut result, limit);
    }
    Ok(result)
}

/// Keeps the `limit` newest records.
fn truncate_newest(result: &mut HistoryResult, limit: usize) {
    let mut times: Vec<u64> = Vec::new();
    for p in &result.payloads {
        crate::for_each_payload!(p, |v| times.extend(v.iter().map(UwRecord::ts_event_nanos)));
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
        let p = crate::for_each_payload!(p, |v| cut(v, cutoff, &mut budget_at_cutoff));
        if !p.is_empty() {
            result.payloads.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::parse::parse_rfc3339_nanos;
    use crate::websocket::route::FilterKey;

    #[test]
    fn trading_dates_skip_weekends_in_new_york_time() {
        let s = parse_rfc3339_nanos("2025-05-16T03:00:00Z").unwrap(); // Thu 23:00 New York
        let e = parse_rfc3339_nanos("2025-05-20T15:00:00Z").unwrap();
        assert_eq!(
            trading_dates(s, e),
            ["2025-05-15", "2025-05-16", "2025-05-19", "2025-05-20"]
        );
    }

    #[test]
    fn plans_name_uw_paths() {
        let f = |md: &[(&str, &str)]| {
            UwFilter::from_metadata("UwFlowAlert", &[FilterKey::Ticker], md).unwrap()
        };
        let md = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        let Plan::Cursor { path, page } =
            plan("UwFlowAlert", &f(&[("ticker", "SPY,QQQ")]), &[]).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (path.as_str(), page),
            ("/api/option-trades/flow-alerts?ticker_symbol=SPY,QQQ", 200)
        );
        let Plan::Daily { path } = plan("UwNetPremTick", &f(&[("ticker", "SPY")]), &[]).unwrap()
        else {
            panic!()
        };
        assert_eq!(path, "/api/stock/SPY/net-prem-ticks");
        let Plan::Once { path } = plan(
            "UwMaxPain",
            &f(&[]),
            &md(&[("path", "/api/stock/SPX/max-pain")]),
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(path, "/api/stock/SPX/max-pain");
        let err = plan("UwNetPremTick", &f(&[]), &[]).err().unwrap();
        assert!(err.to_string().contains("needs a ticker"), "{err}");
        let err = plan("UwPeriscope", &f(&[]), &[]).err().unwrap();
        assert!(err.to_string().contains("no REST history"), "{err}");
    }
}
