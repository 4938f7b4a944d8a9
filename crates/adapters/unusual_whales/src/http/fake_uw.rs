//! A stand-in for UW's REST server in unit tests: a loopback HTTP server that answers each GET
//! with what a handler makes of it, keeping every request and answer for the test to inspect; and
//! UW's multi-leg endpoint as its document describes it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::common::credential::UwCredential;
use crate::common::time::parse_timestamp;
use crate::http::client::{UwHttpClient, UwHttpConfig};

/// One request the server answered, and its answer.
#[derive(Debug, Clone)]
pub(crate) struct Asked {
    pub(crate) path: String,
    /// The query, decoded.
    pub(crate) query: Vec<(String, String)>,
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Asked {
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&str, &[(String, String)]) -> (u16, String) + Send + Sync;

/// The server; it stops with the test's runtime.
pub(crate) struct FakeUw {
    url: String,
    asked: Arc<Mutex<Vec<Asked>>>,
}

impl FakeUw {
    /// Serves `handler(path, query) -> (status, JSON body)` on a loopback port.
    pub(crate) async fn start(
        handler: impl Fn(&str, &[(String, String)]) -> (u16, String) + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let asked = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&asked);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head);
                let target = head.split(' ').nth(1).unwrap_or("/");
                let url = url::Url::parse(&format!("http://uw{target}")).unwrap();
                let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
                let (status, body) = handler(url.path(), &query);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                log.lock().unwrap().push(Asked {
                    path: url.path().to_owned(),
                    query,
                    status,
                    body,
                });
                let _ = socket.write_all(reply.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        Self { url, asked }
    }

    /// A client of this server, on a budget of its own.
    pub(crate) fn client(&self) -> UwHttpClient {
        let mut config =
            UwHttpConfig::new(UwCredential::new(format!("fake-{}", self.url)).unwrap());
        config.base_url.clone_from(&self.url);
        config.timeout = Duration::from_secs(5);
        config.max_retries = 0;
        UwHttpClient::new(config).unwrap()
    }

    /// Every request so far, in the order they came.
    pub(crate) fn asked(&self) -> Vec<Asked> {
        self.asked.lock().unwrap().clone()
    }
}

/// 24 hours, in milliseconds.
pub(crate) const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// A multi-leg strategy UW detected: its id and when it executed (Unix ms).
#[derive(Debug, Clone)]
pub(crate) struct Strategy {
    pub(crate) id: String,
    pub(crate) executed_ms: u64,
}

impl Strategy {
    /// The row as UW sends it (docs/uw-api.md#rest-multi-leg-trades).
    fn row(&self) -> String {
        let t =
            jiff::Timestamp::from_millisecond(i64::try_from(self.executed_ms).unwrap()).unwrap();
        // UW's spelling: `2026-07-17 14:31:02+00:00`, here with milliseconds.
        let t = format!("{t:.3}").replace('T', " ").replace('Z', "+00:00");
        format!(
            r#"{{"id":"{}","ticker":"AAPL","executed_at":"{t}","strategy":"call_vertical_spread","direction":"long","code":"CVS","net_side":"ask","leg_count":2,"size":10,"txns":2,"net_price":"1.25","net_bid":"1.20","net_ask":"1.30","bid_ask_spread":"0.10","net_premium":"1250.00","total_premium":"5250.00","net_delta":"0.31","net_theta":"-0.02","underlying_price":"212.40","min_strike":"215","max_strike":"220","strikes":["215","220"],"ivs":["0.29","0.27"],"min_dte":9,"max_dte":9,"breakevens":["216.25"],"max_profit":"375.00","max_loss":"125.00","all_otm":true,"all_opening_legs":true,"diff_expirations":false,"diff_strikes":true,"diff_types":false,"uniq_exchanges":["CBOE","PHLX"]}}"#,
            self.id
        )
    }
}

/// UW's answer to `GET /api/option-trades/multi-leg` over `strategies`, as its document says:
/// newest first; `newer_than`/`older_than` ISO-8601 only (anything else is refused with 422),
/// "at/after" and "at/before"; a range wider than 24 hours has `newer_than` clamped to 24 hours
/// before `older_than`; `limit` 50 by default, at most 500.
pub(crate) fn multi_leg(
    strategies: &[Strategy],
    query: &[(String, String)],
    now_ms: u64,
) -> (u16, String) {
    let get = |k: &str| query.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let bound = |k: &str| -> Result<Option<u64>, (u16, String)> {
        get(k)
            .map(|v| {
                parse_timestamp(v).map(|ns| ns / 1_000_000).map_err(|_| {
                    (
                        422,
                        format!(
                            r#"{{"msg":"Invalid query input(s): {k}={v} (valid example: {k}=2026-07-17T14:31:02Z)","path":"/api/option-trades/multi-leg"}}"#
                        ),
                    )
                })
            })
            .transpose()
    };
    let older = match bound("older_than") {
        Ok(v) => v.unwrap_or(now_ms),
        Err(e) => return e,
    };
    let newer = match bound("newer_than") {
        Ok(v) => v.unwrap_or(0).max(older.saturating_sub(DAY_MS)),
        Err(e) => return e,
    };
    let limit = get("limit").map_or(Ok(50), |l| l.parse::<usize>());
    let Ok(limit @ 1..=500) = limit else {
        return (
            422,
            r#"{"msg":"Invalid query input(s): limit","path":"/api/option-trades/multi-leg"}"#
                .to_owned(),
        );
    };
    let mut rows: Vec<&Strategy> = strategies
        .iter()
        .filter(|s| (newer..=older).contains(&s.executed_ms))
        .collect();
    rows.sort_by_key(|s| std::cmp::Reverse(s.executed_ms));
    let rows: Vec<String> = rows.into_iter().take(limit).map(Strategy::row).collect();
    (200, format!(r#"{{"data":[{}]}}"#, rows.join(",")))
}

/// The ids of the rows of an answer body.
pub(crate) fn ids(body: &str) -> Vec<String> {
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    body["data"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The span of a request's `newer_than`..`older_than`, ms (both RFC 3339).
pub(crate) fn span_ms(asked: &Asked) -> u64 {
    let ms = |k: &str| parse_timestamp(asked.get(k).unwrap()).unwrap() / 1_000_000;
    ms("older_than") - ms("newer_than")
}

/// A row of a time-cursor operation: its id and when it happened (Unix ms).
#[derive(Debug, Clone)]
pub(crate) struct Print {
    pub(crate) id: String,
    pub(crate) ms: u64,
}

/// The value of `key` in `query`.
fn query_value<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A cursor value as UW reads it, Unix ms: seconds or milliseconds, or an ISO time.
fn cursor_ms(value: &str) -> Option<u64> {
    match value.parse::<u64>() {
        Ok(n) if n < 100_000_000_000 => Some(n * 1000),
        Ok(n) => Some(n),
        Err(_) => parse_timestamp(value).ok().map(|ns| ns / 1_000_000),
    }
}

/// UW's answer to a time-cursor operation whose document says "before"/"after this timestamp"
/// (`/api/futures/{contract}/trades`, `/api/alerts`, `/api/darkpool/{ticker}`): `prints` newest
/// first, each `{"id", <time_field>}`; `older_than` and `newer_than` strict, in Unix seconds or
/// milliseconds or ISO (`iso_only`: ISO only, else 422); a `date` keeps that New York day's;
/// `limit` rows, `default_limit` when none is sent.
pub(crate) fn strict_cursor(
    prints: &[Print],
    query: &[(String, String)],
    time_field: &str,
    default_limit: usize,
    iso_only: bool,
) -> (u16, String) {
    let bound = |k: &str| -> Result<Option<u64>, (u16, String)> {
        let Some(v) = query_value(query, k) else {
            return Ok(None);
        };
        let parsed = if iso_only {
            parse_timestamp(v).ok().map(|ns| ns / 1_000_000)
        } else {
            cursor_ms(v)
        };
        parsed.map(Some).ok_or_else(|| {
            (
                422,
                format!(r#"{{"msg":"Invalid query input(s): {k}={v}"}}"#),
            )
        })
    };
    let (older, newer) = match (bound("older_than"), bound("newer_than")) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let Ok(limit) = query_value(query, "limit").map_or(Ok(default_limit), str::parse::<usize>)
    else {
        return (422, r#"{"msg":"Invalid query input(s): limit"}"#.to_owned());
    };
    let date = query_value(query, "date");
    let mut rows: Vec<&Print> = prints
        .iter()
        .filter(|p| older.is_none_or(|o| p.ms < o) && newer.is_none_or(|n| p.ms > n))
        .filter(|p| {
            date.is_none_or(|d| crate::common::time::ny_date(p.ms * 1_000_000).to_string() == d)
        })
        .collect();
    rows.sort_by_key(|p| std::cmp::Reverse(p.ms));
    let rows: Vec<String> = rows
        .into_iter()
        .take(limit)
        .map(|p| {
            let t = jiff::Timestamp::from_millisecond(i64::try_from(p.ms).unwrap()).unwrap();
            format!(r#"{{"id":"{}","{time_field}":"{t:.3}","size":1}}"#, p.id)
        })
        .collect();
    (200, format!(r#"{{"data":[{}]}}"#, rows.join(",")))
}

/// UW's answer to a `page`d operation over `rows` (ids): page `page` of `limit` rows (pages
/// counted from `base`; a page below it is refused with 422, as the document's `minimum` says).
pub(crate) fn paged(
    rows: &[String],
    query: &[(String, String)],
    base: usize,
    default_limit: usize,
) -> (u16, String) {
    let page = query_value(query, "page").map_or(Ok(base), str::parse::<usize>);
    let limit = query_value(query, "limit").map_or(Ok(default_limit), str::parse::<usize>);
    let (Ok(page), Ok(limit)) = (page, limit) else {
        return (422, r#"{"msg":"Invalid query input(s)"}"#.to_owned());
    };
    if page < base {
        return (
            422,
            format!(r#"{{"msg":"Invalid query input(s): page must be >= {base}"}}"#),
        );
    }
    let rows: Vec<String> = rows
        .iter()
        .skip((page - base) * limit)
        .take(limit)
        .map(|id| format!(r#"{{"id":"{id}"}}"#))
        .collect();
    (200, format!(r#"{{"data":[{}]}}"#, rows.join(",")))
}
