//! History of any documented operation: the request from `DataType(UwApiResponse, metadata)`,
//! then the operation's own pagination (docs/uw-api.md#paging): one request per trading day where a `date`
//! picks the day, else `older_than` cursors, `page` numbers or `offset`s, and `has_more`, each
//! page arriving as one [`ApiResponse`].

use serde_json::Value;

use crate::common::time::parse_timestamp;
use crate::data::ApiResponse;
use crate::http::client::UwHttpClient;
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

/// The rows of a page: a bare array, or the `data` array.
fn rows(body: &Value) -> Option<&Vec<Value>> {
    match body {
        Value::Array(rows) => Some(rows),
        Value::Object(map) => map.get("data").and_then(Value::as_array),
        _ => None,
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
    let mut answers = Vec::new();
    if op.paging.daily && request.get_query("date").is_none() && query.start_ns.is_some() {
        let start = query.start_ns.unwrap_or(now_ns);
        for date in days(start, query.end_ns.unwrap_or(now_ns)) {
            request.set_query("date", date);
            answers.push(client.get_operation(&request, None).await?);
            if answers.len() >= max_answers {
                break;
            }
        }
        return Ok(answers);
    }
    let explicit_max_pages = query.metadata.iter().any(|(k, _)| k == "max_pages");
    let max_pages = match query.metadata.iter().find(|(k, _)| k == "max_pages") {
        Some((_, v)) => v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
            HistoryError::Invalid(format!(
                "metadata max_pages={v:?} is invalid: expected an integer >= 1"
            ))
        })?,
        None if query.start_ns.is_some() => MAX_PAGES_IN_RANGE,
        None => 1,
    }
    .min(max_answers);
    let style = op.paging.style;
    let ms = |ns: u64| ns / 1_000_000;
    if style == PagingStyle::Cursor {
        if let Some(end) = query
            .end_ns
            .filter(|_| request.get_query("older_than").is_none())
        {
            request.set_query("older_than", (ms(end) + 1).to_string());
        }
        let takes_newer_than =
            op.param("newer_than").is_some() && request.get_query("newer_than").is_none();
        if let Some(start) = query.start_ns.filter(|_| takes_newer_than) {
            request.set_query("newer_than", ms(start).saturating_sub(1).to_string());
        }
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
    let mut page: usize = request
        .get_query("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let mut offset: usize = request
        .get_query("offset")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    for n in 0..max_pages {
        match style {
            PagingStyle::Page => request.set_query("page", page.to_string()),
            PagingStyle::Offset if n > 0 || offset > 0 => {
                request.set_query("offset", offset.to_string());
            }
            _ => {}
        }
        let answer = client
            .get_operation(&request, Some(i64::try_from(n).unwrap_or(i64::MAX)))
            .await?;
        let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        answers.push(answer);
        let list = rows(&body);
        let count = list.map_or(0, Vec::len);
        let has_more = body.get("has_more").and_then(Value::as_bool) == Some(true);
        let full = page_size.is_some_and(|size| count >= size && count > 0);
        let oldest = list.and_then(|l| l.iter().filter_map(row_time).min());
        // A range is covered once a page reaches back to its start; pages of rows without times
        // are followed only as far as `max_pages` says.
        let in_range = match (query.start_ns, oldest) {
            (Some(start), Some(o)) => o > start,
            (Some(_), None) => explicit_max_pages,
            (None, _) => true,
        };
        if !(has_more || full && in_range) {
            break;
        }
        match style {
            PagingStyle::Page => page += 1,
            PagingStyle::Offset => offset += count,
            PagingStyle::Cursor => {
                let Some(oldest) = oldest.filter(|_| in_range) else {
                    break;
                };
                request.set_query("older_than", ms(oldest).to_string());
            }
            PagingStyle::None => break,
        }
    }
    Ok(answers)
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
        let e = operation_request(&md(&[("operation", "no_such_thing")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown UW operation \"no_such_thing\""), "{e}");
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
