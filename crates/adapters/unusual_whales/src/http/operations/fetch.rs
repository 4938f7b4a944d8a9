//! History of any documented operation: the request from `DataType(UwApiResponse, metadata)`,
//! then the operation's own pagination (docs/uw-api.md#paging): one request per trading day where a `date`
//! picks the day, else `older_than` cursors (in the format the document gives, over windows no
//! wider than it says one query answers), `page` numbers or `offset`s, and `has_more`, each
//! page arriving as one [`ApiResponse`].

use std::collections::HashMap;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::common::time::parse_timestamp;
use crate::data::ApiResponse;
use crate::http::client::UwHttpClient;
use crate::http::cursor::{CursorWindow, CursorWindows, cursor_value};
use crate::http::history::HistoryError;
use crate::http::operations::{Operation, OperationRequest, PagingStyle};

/// Metadata keys that shape the request rather than name a parameter.
pub const REQUEST_KEYS: [&str; 3] = ["operation", "path", "max_pages"];

/// Pages fetched for one query when it names a time range and no `max_pages`.
const MAX_PAGES_IN_RANGE: usize = 100;

/// Row fields that tell when a row happened, in the order they are tried.
const ROW_TIME_FIELDS: [&str; 7] = [
    "executed_at",
    "created_at",
    "start_time",
    "tape_time",
    "timestamp",
    "time",
    "date",
];

/// A history query of any operation.
#[derive(Debug, Clone, Default)]
pub struct OperationQuery {
    /// `DataType.metadata`: `operation` (or `path`), `max_pages`, and the operation's parameters.
    pub metadata: Vec<(String, String)>,
    /// Range start, UNIX ns; `None` = one page.
    pub start_ns: Option<u64>,
    /// Range end, UNIX ns; `None` = now.
    pub end_ns: Option<u64>,
    /// Most answers (pages) to return, 0 = no limit.
    pub limit: usize,
}

/// The request a query names, checked against the document.
///
/// # Errors
/// [`HistoryError::Invalid`] naming what is missing or wrong.
pub fn operation_request(metadata: &[(String, String)]) -> Result<OperationRequest, HistoryError> {
    let invalid = |e: &dyn std::fmt::Display| HistoryError::Invalid(e.to_string());
    let get = |k: &str| metadata.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let params: Vec<(String, String)> = metadata
        .iter()
        .filter(|(k, _)| !REQUEST_KEYS.contains(&k.as_str()))
        .cloned()
        .collect();
    match (get("operation"), get("path")) {
        // A concrete path (`/api/stock/SPY/max-pain`) gives its values, as `path` does.
        (Some(name), _) if name.starts_with('/') => {
            OperationRequest::from_path(name, &params).map_err(|e| invalid(&e))
        }
        (Some(name), _) => {
            let op = Operation::find(name)
                .ok_or_else(|| invalid(&super::OperationError::Unknown(name.clone())))?;
            OperationRequest::new(op, &params).map_err(|e| invalid(&e))
        }
        (None, Some(path)) => OperationRequest::from_path(path, &params).map_err(|e| invalid(&e)),
        (None, None) => Err(HistoryError::Invalid(
            "UwApiResponse needs the operation: metadata={\"operation\": \"stock_ticker_max_pain\", \"ticker\": \"SPY\"} (or \"path\": \"/api/...\")".to_owned(),
        )),
    }
}

/// The rows of a page (a bare array, or the `data` array) as sent, and where that array lies in
/// `body`.
fn raw_rows(body: &str) -> Option<(std::ops::Range<usize>, Vec<&RawValue>)> {
    let array: &RawValue = if body.trim_start().starts_with('[') {
        serde_json::from_str(body).ok()?
    } else {
        let map: HashMap<String, &RawValue> = serde_json::from_str(body).ok()?;
        map.get("data").copied()?
    };
    let text = array.get();
    // The array is a slice of `body` (borrowed, never copied).
    let at = (text.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    let rows: Vec<&RawValue> = serde_json::from_str(text).ok()?;
    Some((at..at + text.len(), rows))
}

/// What tells a row from another: its id field where the operation's rows have one, else its
/// whole text.
fn row_key(row: &Value, raw: &RawValue, id_field: Option<&str>) -> String {
    match id_field.and_then(|f| row.get(f)).filter(|v| !v.is_null()) {
        Some(id) => format!("id:{id}"),
        None => format!("row:{}", raw.get()),
    }
}

/// A cursor value a user gave (`older_than`), Unix ms: seconds or milliseconds, or a time.
fn cursor_ms(text: &str) -> Option<u64> {
    match text.parse::<u64>() {
        Ok(n) if n < 100_000_000_000 => Some(n * 1000),
        Ok(n) => Some(n),
        Err(_) => parse_timestamp(text).ok().map(|ns| ns / 1_000_000),
    }
}

/// When a row happened, UNIX ns: its first time field that reads as a time (epoch seconds or
/// milliseconds, or text).
fn row_time(row: &Value) -> Option<u64> {
    ROW_TIME_FIELDS.iter().find_map(|key| match row.get(key)? {
        Value::Number(n) => {
            let n = n.as_u64()?;
            Some(if n < 100_000_000_000 {
                n * 1_000_000_000
            } else {
                n * 1_000_000
            })
        }
        Value::String(s) => parse_timestamp(s)
            .ok()
            .or_else(|| crate::common::time::ny_close_nanos(s).ok()),
        _ => None,
    })
}

/// The trading days (`YYYY-MM-DD`) a range covers, oldest first.
fn days(start_ns: u64, end_ns: u64) -> Vec<String> {
    use crate::common::time::{dates, is_weekday, ny_date};
    dates(ny_date(start_ns), ny_date(end_ns))
        .filter(|d| is_weekday(*d))
        .map(|d| d.to_string())
        .collect()
}

/// Runs `query`: every page it covers, oldest request first.
///
/// # Errors
/// [`HistoryError::Invalid`] for requests the document does not allow, and the client's errors.
pub async fn fetch_operation(
    client: &UwHttpClient,
    query: &OperationQuery,
    now_ns: u64,
) -> Result<Vec<ApiResponse>, HistoryError> {
    let mut request = operation_request(&query.metadata)?;
    let op = request.operation;
    let max_answers = if query.limit == 0 {
        usize::MAX
    } else {
        query.limit
    };
    let explicit_max_pages = query.metadata.iter().any(|(k, _)| k == "max_pages");
    let max_pages = match query.metadata.iter().find(|(k, _)| k == "max_pages") {
        Some((_, v)) => v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
            HistoryError::Invalid(format!(
                "metadata max_pages={v:?} is invalid: expected an integer >= 1"
            ))
        })?,
        None if query.start_ns.is_some() => MAX_PAGES_IN_RANGE,
        None => 1,
    };
    let mut answers = Vec::new();
    if op.paging.daily && request.get_query("date").is_none() && query.start_ns.is_some() {
        // One query per trading day, each paged as far as its pages go (`max_pages` a day): the
        // `date` bounds the rows, so only a time cursor reads the range's start.
        let start = query.start_ns.unwrap_or(now_ns);
        let walk = Walk {
            start_ns: query
                .start_ns
                .filter(|_| op.paging.style == PagingStyle::Cursor),
            end_ns: None,
            max_pages,
            explicit_max_pages,
            windows: false,
        };
        for date in days(start, query.end_ns.unwrap_or(now_ns)) {
            request.set_query("date", date);
            let left = max_answers - answers.len();
            walk_pages(
                client,
                request.clone(),
                Walk {
                    max_pages: max_pages.min(left),
                    ..walk
                },
                now_ns,
                &mut answers,
            )
            .await?;
            if answers.len() >= max_answers {
                break;
            }
        }
        return Ok(answers);
    }
    let walk = Walk {
        start_ns: query.start_ns,
        end_ns: query.end_ns,
        max_pages: max_pages.min(max_answers),
        explicit_max_pages,
        windows: true,
    };
    walk_pages(client, request, walk, now_ns, &mut answers).await?;
    Ok(answers)
}

/// How far one walk over an operation's pages goes.
#[derive(Debug, Clone, Copy)]
struct Walk {
    /// Range start, UNIX ns: pages are followed until one reaches back to it.
    start_ns: Option<u64>,
    /// Range end, UNIX ns: where a time cursor starts (`None`: UW's newest).
    end_ns: Option<u64>,
    /// Most pages.
    max_pages: usize,
    /// Whether the user named `max_pages` (pages of rows without times are then followed).
    explicit_max_pages: bool,
    /// Whether a time cursor is bounded by the range (`older_than` from its end, `newer_than`
    /// its start, in windows): not within one `date`.
    windows: bool,
}

/// The pages of `request`, appended to `answers`: followed by the operation's own paging while
/// a page says there are more, as far as `walk` allows.
async fn walk_pages(
    client: &UwHttpClient,
    mut request: OperationRequest,
    walk: Walk,
    now_ns: u64,
    answers: &mut Vec<ApiResponse>,
) -> Result<(), HistoryError> {
    let op = request.operation;
    let max_pages = walk.max_pages;
    let style = op.paging.style;
    let ms = |ns: u64| ns / 1_000_000;
    // Milliseconds, or RFC 3339 times where UW documents ISO-8601 only (a server holding to its
    // document answers milliseconds with 422).
    let cursor = |ms: u64| cursor_value(ms, op.paging.cursor_iso);
    // The `older_than` last sent, Unix ms: a next one must lie before it.
    let mut sent_older_than = request.get_query("older_than").and_then(cursor_ms);
    let bound = |request: &mut OperationRequest, window: CursorWindow| {
        request.set_query("older_than", cursor(window.older_than_ms));
        if let Some(newer_than) = window.newer_than_ms {
            request.set_query("newer_than", cursor(newer_than));
        }
        window.older_than_ms
    };
    // A time cursor walks back from the range's end to its start, in windows no wider than UW
    // answers one query (multi-leg: 24 h; wider, UW would answer only the newest 24 h).
    let mut windows = None;
    if style == PagingStyle::Cursor && walk.windows {
        let takes_newer_than =
            op.param("newer_than").is_some() && request.get_query("newer_than").is_none();
        let newer_than = walk
            .start_ns
            .filter(|_| takes_newer_than)
            .map(|start| ms(start).saturating_sub(1));
        // Windows are counted back from the end: from now when the range names none.
        let end = walk
            .end_ns
            .or_else(|| newer_than.and(op.paging.max_span_ms).map(|_| now_ns));
        match end.filter(|_| request.get_query("older_than").is_none()) {
            Some(end) => {
                windows = Some(CursorWindows::new(
                    ms(end) + 1,
                    newer_than,
                    op.paging.max_span_ms,
                ));
            }
            None => {
                if let Some(newer_than) = newer_than {
                    request.set_query("newer_than", cursor(newer_than));
                }
            }
        }
    }
    let mut window = windows.as_mut().and_then(Iterator::next);
    if let Some(window) = window {
        sent_older_than = Some(bound(&mut request, window));
    }
    // Following pages needs to know a full page when it sees one.
    let mut page_size = request
        .get_query("limit")
        .and_then(|l| l.parse::<usize>().ok());
    if max_pages > 1 && page_size.is_none() && style != PagingStyle::None {
        if let Some(max) = op.paging.limit_max {
            request.set_query("limit", max.to_string());
            page_size = usize::try_from(max).ok();
        } else {
            page_size = op
                .paging
                .limit_default
                .and_then(|d| usize::try_from(d).ok());
        }
    }
    let first_page = usize::try_from(op.paging.page_base).unwrap_or(0);
    let mut page: usize = request
        .get_query("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(first_page);
    let mut offset: usize = request
        .get_query("offset")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // Rows already delivered by this walk's cursor pages, by time (ms) and key, counted: pages
    // whose cursors include the instant of the previous page's oldest row overlap there.
    let mut delivered: HashMap<(Option<u64>, String), usize> = HashMap::new();
    for n in 0..max_pages {
        match style {
            PagingStyle::Page => request.set_query("page", page.to_string()),
            PagingStyle::Offset if n > 0 || offset > 0 => {
                request.set_query("offset", offset.to_string());
            }
            _ => {}
        }
        let mut answer = client
            .get_operation(&request, Some(i64::try_from(n).unwrap_or(i64::MAX)))
            .await?;
        let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        let has_more = body.get("has_more").and_then(Value::as_bool) == Some(true);
        let mut deduplicated = None;
        // Rows on the page, and those of them not delivered before.
        let (count, fresh, oldest) = match raw_rows(&answer.body) {
            Some((span, raw)) => {
                let list: Vec<Value> = raw
                    .iter()
                    .map(|r| serde_json::from_str(r.get()).unwrap_or(Value::Null))
                    .collect();
                let oldest = list.iter().filter_map(row_time).min();
                if style == PagingStyle::Cursor {
                    let id = op.paging.row_id.as_deref();
                    let mut repeated: HashMap<(Option<u64>, String), usize> = HashMap::new();
                    let mut kept = Vec::with_capacity(raw.len());
                    for (row, text) in list.iter().zip(&raw) {
                        let key = (row_time(row).map(ms), row_key(row, text, id));
                        let seen = repeated.entry(key.clone()).or_default();
                        if *seen < delivered.get(&key).copied().unwrap_or(0) {
                            *seen += 1;
                        } else {
                            kept.push((key, text.get()));
                        }
                    }
                    if kept.len() < raw.len() {
                        let rows: Vec<&str> = kept.iter().map(|(_, t)| *t).collect();
                        deduplicated = Some(format!(
                            "{}[{}]{}",
                            &answer.body[..span.start],
                            rows.join(","),
                            &answer.body[span.end..]
                        ));
                    }
                    let fresh = kept.len();
                    for (key, _) in kept {
                        *delivered.entry(key).or_default() += 1;
                    }
                    (raw.len(), fresh, oldest)
                } else {
                    (raw.len(), raw.len(), oldest)
                }
            }
            None => (0, 0, None),
        };
        if let Some(body) = deduplicated {
            answer.body = body;
        }
        answers.push(answer);
        // Without a known page size, a cursor page that brings new rows may not be the last.
        let full = match page_size {
            Some(size) => count >= size && count > 0,
            None => style == PagingStyle::Cursor && fresh > 0,
        };
        // A range (or the window of it being asked) is covered once a page reaches back to its
        // start; pages of rows without times are followed only as far as `max_pages` says.
        let window_start = window
            .and_then(|w| w.newer_than_ms)
            .map(|newer_than| newer_than.saturating_add(1).saturating_mul(1_000_000));
        let start = match (walk.start_ns, window_start) {
            (Some(start), Some(w)) => Some(start.max(w)),
            (start, w) => start.or(w),
        };
        let in_range = match (start, oldest) {
            (Some(start), Some(o)) => o > start,
            (Some(_), None) => walk.explicit_max_pages,
            (None, _) => true,
        };
        if has_more || full && in_range {
            match style {
                PagingStyle::Page => {
                    page += 1;
                    continue;
                }
                PagingStyle::Offset => {
                    offset += count;
                    continue;
                }
                PagingStyle::Cursor => {
                    // UW answers rows strictly before `older_than`: the next page starts a
                    // millisecond after the oldest row, so the rows of its instant the page had
                    // no room for come too (those already delivered are dropped). A page all of
                    // one instant moves on past it; a cursor that cannot move back ends the walk.
                    let next = oldest.filter(|_| in_range).and_then(|o| {
                        [ms(o) + 1, ms(o)]
                            .into_iter()
                            .find(|c| sent_older_than.is_none_or(|sent| *c < sent))
                    });
                    if let Some(next) = next {
                        request.set_query("older_than", cursor(next));
                        sent_older_than = Some(next);
                        continue;
                    }
                }
                PagingStyle::None => {}
            }
        }
        // This window is covered (a short page ends its window, not the range): the next, older
        // one, until the range's start.
        window = windows.as_mut().and_then(Iterator::next);
        let Some(next) = window else {
            break;
        };
        sent_older_than = Some(bound(&mut request, next));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn metadata_names_the_operation_and_its_parameters() {
        let r = operation_request(&md(&[
            ("operation", "stock_ticker_max_pain"),
            ("ticker", "SPY"),
        ]))
        .unwrap();
        assert_eq!(r.to_string(), "/api/stock/SPY/max-pain");
        let r = operation_request(&md(&[
            ("path", "/api/stock/SPY/max-pain"),
            ("date", "2025-05-16"),
        ]))
        .unwrap();
        assert_eq!(r.to_string(), "/api/stock/SPY/max-pain?date=2025-05-16");
        let e = operation_request(&md(&[("ticker", "SPY")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs the operation"), "{e}");
        let e = operation_request(&md(&[("operation", "stock_ticker_max_pain")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"ticker\" is required"), "{e}");
        // An operation named by a concrete path takes the path's values.
        let r = operation_request(&md(&[("operation", "/api/stock/SPY/max-pain")])).unwrap();
        assert_eq!(r.to_string(), "/api/stock/SPY/max-pain");
        let e = operation_request(&md(&[
            ("operation", "/api/stock/SPY/max-pain"),
            ("ticker", "QQQ"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(e.contains("names ticker \"SPY\""), "{e}");
        let e = operation_request(&md(&[("operation", "socket_gex")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("subscribe_data(DataType(UwTickerGex"), "{e}");
        let e = operation_request(&md(&[("operation", "no_such_thing")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown UW operation \"no_such_thing\""), "{e}");
    }

    mod against_uw {
        use super::*;
        use crate::http::fake_uw::{self, DAY_MS, FakeUw, Strategy};

        fn at(text: &str) -> u64 {
            parse_timestamp(text).unwrap() / 1_000_000
        }

        fn query(pairs: &[(&str, &str)], start: &str, end: &str) -> OperationQuery {
            OperationQuery {
                metadata: md(pairs),
                start_ns: Some(at(start) * 1_000_000),
                end_ns: Some(at(end) * 1_000_000),
                limit: 0,
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn multi_leg_is_asked_with_iso_cursors_24_hours_at_a_time() {
            // Three strategies a day over five days, one right where two windows meet.
            let mut strategies: Vec<Strategy> = (13..=17)
                .flat_map(|day| {
                    (0..3).map(move |i| Strategy {
                        id: format!("0197f3a2-{day}-{i}"),
                        executed_ms: at(&format!("2026-07-{day}T14:{i}0:00Z")),
                    })
                })
                .collect();
            strategies.push(Strategy {
                id: "window-edge".to_owned(),
                executed_ms: at("2026-07-17T00:00:00Z"),
            });
            let served = strategies.clone();
            let now_ms = at("2026-07-18T01:00:00Z");
            let uw = FakeUw::start(move |_, q| fake_uw::multi_leg(&served, q, now_ms)).await;
            let q = query(
                &[("operation", "option_trades_multi_leg"), ("limit", "500")],
                "2026-07-13T00:00:00Z",
                "2026-07-17T23:59:59.999Z",
            );
            let answers = fetch_operation(&uw.client(), &q, now_ms * 1_000_000)
                .await
                .unwrap();
            let asked = uw.asked();
            assert_eq!(answers.len(), asked.len());
            for a in &asked {
                assert_eq!(a.status, 200, "{a:?}");
                assert!(fake_uw::span_ms(a) <= DAY_MS, "{a:?}");
            }
            // Every strategy of the range is in some page.
            let mut seen: Vec<String> =
                answers.iter().flat_map(|a| fake_uw::ids(&a.body)).collect();
            seen.sort();
            seen.dedup();
            let mut expected: Vec<String> = strategies.into_iter().map(|s| s.id).collect();
            expected.sort();
            assert_eq!(seen, expected);
            // Newest window first; the last one reaches back to the start.
            assert_eq!(asked[0].get("older_than"), Some("2026-07-18T00:00:00.000Z"));
            assert_eq!(
                asked.last().unwrap().get("newer_than"),
                Some("2026-07-12T23:59:59.999Z")
            );
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn cursors_are_iso_times_where_uw_documents_only_those_and_milliseconds_elsewhere() {
            // Futures prints: cursors "before/after this ISO8601 timestamp", else 422.
            let uw = FakeUw::start(|path, q| {
                let iso = |k: &str| {
                    q.iter()
                        .filter(|(key, _)| key == k)
                        .all(|(_, v)| parse_timestamp(v).is_ok())
                };
                if path.starts_with("/api/futures/") && !(iso("older_than") && iso("newer_than")) {
                    return (
                        422,
                        format!(r#"{{"msg":"Invalid query input(s)","path":"{path}"}}"#),
                    );
                }
                (
                    200,
                    r#"{"data":[{"executed_at":"2026-07-17T14:31:02.120Z","price":"6312.25","size":2,"side":"buy","trade_id":91827,"nbbo_bid":"6312.00","nbbo_ask":"6312.25","crossed":false}]}"#
                        .to_owned(),
                )
            })
            .await;
            let client = uw.client();
            let (start, end) = ("2026-07-17T13:30:00Z", "2026-07-17T20:00:00Z");
            for params in [
                &[("operation", "futures_flow")][..],
                &[
                    ("operation", "futures_contract_trades"),
                    ("contract", "ESU6"),
                ],
                &[("path", "/api/futures/ESU6/trades")],
            ] {
                let answers = fetch_operation(&client, &query(params, start, end), 0)
                    .await
                    .unwrap_or_else(|e| panic!("{params:?}: {e}"));
                // UW documents no page size in the schema: the walk asks on, one past the
                // print's instant, and the same print again brings nothing new.
                assert_eq!(answers.len(), 2);
            }
            // Flow alerts document Unix milliseconds or seconds (or ISO): milliseconds, as ever.
            fetch_operation(
                &client,
                &query(&[("operation", "option_trades_flow_alerts")], start, end),
                0,
            )
            .await
            .unwrap();
            let asked = uw.asked();
            let cursors: Vec<(&str, Option<&str>, Option<&str>)> = asked
                .iter()
                .map(|a| (a.path.as_str(), a.get("older_than"), a.get("newer_than")))
                .collect();
            let (older, newer) = (
                Some("2026-07-17T20:00:00.001Z"),
                Some("2026-07-17T13:29:59.999Z"),
            );
            let next = Some("2026-07-17T14:31:02.121Z");
            assert_eq!(
                cursors,
                [
                    ("/api/futures/flow", older, newer),
                    ("/api/futures/flow", next, newer),
                    ("/api/futures/ESU6/trades", older, newer),
                    ("/api/futures/ESU6/trades", next, newer),
                    ("/api/futures/ESU6/trades", older, newer),
                    ("/api/futures/ESU6/trades", next, newer),
                    (
                        "/api/option-trades/flow-alerts",
                        Some("1784318400001"),
                        Some("1784294999999")
                    ),
                ]
            );
        }
    }

    #[test]
    fn row_times_read_uw_s_encodings() {
        let row = serde_json::json!({"executed_at": "2025-05-16T14:30:00Z"});
        assert_eq!(row_time(&row), parse_timestamp("2025-05-16T14:30:00Z").ok());
        let row = serde_json::json!({"start_time": 1_726_670_212_648_u64});
        assert_eq!(row_time(&row), Some(1_726_670_212_648_000_000));
        assert_eq!(row_time(&serde_json::json!({"ticker": "SPY"})), None);
    }
}
