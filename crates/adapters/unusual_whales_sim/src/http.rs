//! The simulator's REST side: a small HTTP/1.1 server (keep-alive, GET only) with UW's bearer
//! auth, `x-uw-*` rate-limit headers, 429s and injected faults.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use unusual_whales_nt::common::time::{
    NANOS_PER_MILLI, add_days, is_weekday, parse_date, parse_timestamp,
};
use unusual_whales_nt::http::endpoint::{UwEndpoint, UwRequestTarget};
use unusual_whales_nt::subscription::channel::ChannelKind;

use crate::fixtures::example_body;
use crate::generate::GeneratedAlert;
use crate::operations::Answer;
use crate::past::ny_day;
use crate::retime::{daily_series, period_days, retime};
use crate::{SimState, accept_until_stopped, lock};

const MAX_HEAD_BYTES: usize = 16 * 1024;

pub(crate) async fn serve(
    state: Arc<SimState>,
    listener: TcpListener,
    stop: watch::Receiver<bool>,
) {
    let connections_stop = stop.clone();
    accept_until_stopped(listener, stop, |stream| {
        let state = Arc::clone(&state);
        let mut stop = connections_stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = connection(&state, stream) => {}
                _ = stop.changed() => {}
            }
        });
    })
    .await;
}

struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: body.into().into_bytes(),
        }
    }
}

async fn connection(state: &SimState, stream: TcpStream) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let mut headers: HashMap<String, String> = HashMap::new();
        let mut head_bytes = line.len();
        loop {
            let mut h = String::new();
            match reader.read_line(&mut h).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head_bytes += n,
            }
            if head_bytes > MAX_HEAD_BYTES {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let body_len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if body_len > 0 {
            let mut sink = vec![0; body_len.min(1 << 20)];
            if reader.read_exact(&mut sink).await.is_err() {
                return;
            }
        }
        let delay = *lock(&state.http_delay);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let reply = handle(
            state,
            &method,
            &target,
            headers.get("authorization").map(String::as_str),
        );
        let mut out = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: keep-alive\r\n",
            reply.status,
            reason(reply.status),
            reply.content_type,
            reply.body.len()
        );
        for (k, v) in &reply.headers {
            let _ = write!(out, "{k}: {v}\r\n");
        }
        out.push_str("\r\n");
        if write.write_all(out.as_bytes()).await.is_err()
            || write.write_all(&reply.body).await.is_err()
        {
            return;
        }
    }
}

const fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn minute_headers(count: u32, limit: u32, reset: Duration) -> Vec<(&'static str, String)> {
    vec![
        ("x-uw-minute-req-counter", count.to_string()),
        (
            "x-uw-req-per-minute-remaining",
            limit.saturating_sub(count).to_string(),
        ),
        ("x-uw-req-per-minute-reset", reset.as_millis().to_string()),
    ]
}

/// The request's credential as a careless gateway writes it back into an error, which a client
/// must scrub before showing the error to anyone.
fn echoed(auth: Option<&str>) -> String {
    auth.map_or_else(String::new, |a| format!(" (got Authorization: {a})"))
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn handle(state: &SimState, method: &str, target: &str, auth: Option<&str>) -> Reply {
    let c = &state.counters;
    c.http_requests.fetch_add(1, Ordering::Relaxed);
    let config = &state.config;

    if let Some(status) = lock(&state.http_faults).pop_front() {
        if status == 429 {
            c.http_429.fetch_add(1, Ordering::Relaxed);
        }
        let mut reply = match status {
            500 => Reply {
                status,
                content_type: "text/plain",
                headers: Vec::new(),
                body: b"Something went wrong".to_vec(),
            },
            _ => Reply::json(
                status,
                format!(
                    r#"{{"error":{{"code":"simulated_fault","message":{}}}}}"#,
                    json_string(&format!("simulated HTTP {status}{}", echoed(auth)))
                ),
            ),
        };
        if status == 429 {
            reply.headers = minute_headers(
                config.http_per_minute,
                config.http_per_minute,
                Duration::from_millis(1_000),
            );
        }
        return reply;
    }
    // 401s carry no x-uw-* headers (docs/uw-api.md#rate-limit-headers).
    let expected = format!("Bearer {}", state.accepted_token());
    if auth != Some(expected.as_str()) {
        if auth.is_some() {
            return Reply::json(
                401,
                format!(
                    r#"{{"message":{}}}"#,
                    json_string(&format!("Invalid token{}", echoed(auth)))
                ),
            );
        }
        return Reply::json(
            401,
            r#"{"message":"No token reached us. Send Authorization: Bearer <token>."}"#,
        );
    }
    if method != "GET" {
        return Reply::json(405, r#"{"error":"Method not allowed"}"#);
    }

    // UW counts only successful requests against the budget (docs/uw-api.md#rate-limit-headers).
    let reset = {
        let mut window = lock(&state.rate_window);
        if window.0.elapsed() >= config.http_window {
            *window = (Instant::now(), 0, window.2);
        }
        let reset = config.http_window.saturating_sub(window.0.elapsed());
        let limited = if window.2 >= config.http_per_day {
            Some(r#"{"message":"Daily request limit reached. Usage resets at 8PM Eastern."}"#)
        } else if window.1 >= config.http_per_minute {
            Some(r#"{"message":"Too many requests. Slow down."}"#)
        } else {
            None
        };
        if let Some(body) = limited {
            c.http_429.fetch_add(1, Ordering::Relaxed);
            let mut reply = Reply::json(429, body);
            reply.headers = minute_headers(window.1, config.http_per_minute, reset);
            return reply;
        }
        reset
    };

    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let injected = lock(&state.http_bodies).pop_front();
    // Decoded as UW's server decodes them: a client sends `SPY,QQQ` as `SPY%2CQQQ`.
    let decoded: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let params: HashMap<&str, &str> = decoded
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut reply = if let Some(body) = injected {
        Reply::json(200, body)
    } else if path == "/api/option-trades/flow-alerts" {
        generated(state, &params, ChannelKind::FlowAlerts, path, 200)
    } else if path == "/api/option-trades" {
        generated(state, &params, ChannelKind::OptionTrades, path, 500)
    } else if let Some(day) = UwRequestTarget::parse(path)
        .ok()
        .filter(|t| t.endpoint == UwEndpoint::FullTape)
        .and_then(|t| t.date)
        .and_then(|d| parse_date(&d).ok())
    {
        Reply {
            status: 200,
            content_type: "application/zip",
            headers: Vec::new(),
            body: crate::tape::full_tape(day),
        }
    } else {
        match UwRequestTarget::parse(path) {
            Ok(t) => example_body(t.endpoint).lines().next().map_or_else(
                || Reply::json(404, r#"{"error":"Route not found"}"#),
                |b| {
                    let day = requested_day(&params);
                    let ticker = t.ticker.as_deref();
                    Reply::json(
                        200,
                        match t.endpoint {
                            // Daily series up to `date`, over `timeframe` / `timespan`.
                            UwEndpoint::GreekExposure
                            | UwEndpoint::IvRank
                            | UwEndpoint::RiskReversalSkew
                            | UwEndpoint::RealizedVolatility => {
                                let period = params.get("timeframe").or(params.get("timespan"));
                                daily_series(b, day, period_days(period.copied(), day), ticker)
                            }
                            _ => retime(b, day, ticker),
                        },
                    )
                },
            ),
            // Every other documented operation: UW's example, varied by the request.
            Err(_) => match crate::operations::answer(path, &params, config.seed) {
                Some(Answer::Ok(content_type, body)) => Reply {
                    status: 200,
                    content_type,
                    headers: Vec::new(),
                    body: body.into_bytes(),
                },
                Some(Answer::Invalid(body)) => Reply::json(422, body),
                None => Reply::json(404, r#"{"error":"Route not found"}"#),
            },
        }
    };
    if reply.status == 200 {
        let (count, day_count) = {
            let mut window = lock(&state.rate_window);
            window.1 += 1;
            window.2 += 1;
            (window.1, window.2)
        };
        reply
            .headers
            .extend(minute_headers(count, config.http_per_minute, reset));
        reply
            .headers
            .push(("x-uw-daily-req-count", day_count.to_string()));
        reply
            .headers
            .push(("x-uw-token-req-limit", config.http_per_day.to_string()));
        reply
            .headers
            .push(("x-request-id", format!("sim-{day_count}")));
    }
    reply
}

/// The New York day a request is about: its `date=`, else the day before its `older_than`
/// cursor, else the last weekday before today (today's session may not have happened yet, and a
/// row must not come from the future).
fn requested_day(params: &HashMap<&str, &str>) -> Date {
    params
        .get("date")
        .and_then(|d| parse_date(d).ok())
        .or_else(|| {
            let older = params.get("older_than").and_then(|v| cursor_ms(v))?;
            Some(ny_day(older.saturating_sub(1)))
        })
        .unwrap_or_else(|| {
            let today = ny_day(crate::now_ms());
            (1..=3)
                .filter_map(|back| add_days(today, -back))
                .find(|d| is_weekday(*d))
                .unwrap_or(today)
        })
}

/// `newer_than` / `older_than`: epoch seconds or milliseconds, or an RFC 3339 time
/// (docs/uw-api.md#time-cursors).
fn cursor_ms(value: &str) -> Option<u64> {
    let value = value.replace("%3A", ":").replace("%2B", "+");
    if let Ok(n) = value.parse::<u64>() {
        return Some(if n < 100_000_000_000 { n * 1000 } else { n });
    }
    parse_timestamp(&value).ok().map(|n| n / NANOS_PER_MILLI)
}

/// Flow alerts or option prints from what the simulator streamed, newest first, with UW's cursors.
fn generated(
    state: &SimState,
    params: &HashMap<&str, &str>,
    kind: ChannelKind,
    path: &str,
    max: usize,
) -> Reply {
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100);
    if limit == 0 || limit > max {
        return Reply::json(
            422,
            format!(
                r#"{{"msg":"Invalid query input(s): limit={limit} (valid example: limit=100)","path":"{path}"}}"#
            ),
        );
    }
    let newer = params.get("newer_than").and_then(|v| cursor_ms(v));
    let older = params.get("older_than").and_then(|v| cursor_ms(v));
    let tickers: Option<Vec<String>> = params.get("ticker_symbol").map(|t| {
        t.split(',')
            .map(|s| s.trim().to_ascii_uppercase())
            .collect()
    });
    let on_created_at = state.cursor_on_created_at.load(Ordering::Relaxed);
    let cursor_time = |a: &GeneratedAlert| {
        if on_created_at {
            a.created_ms
        } else {
            a.time_ms
        }
    };
    let alerts = lock(&state.alerts);
    let live = alerts
        .iter()
        .rev()
        .filter(|a| a.kind == kind)
        .filter(|a| newer.is_none_or(|n| cursor_time(a) > n))
        .filter(|a| older.is_none_or(|o| cursor_time(a) < o))
        .filter(|a| tickers.as_ref().is_none_or(|t| t.contains(&a.ticker)));
    // Newest first by the time the cursor compares, as UW returns them. Alerts are generated in
    // event-time order, so only creation order needs sorting (stable: ties stay newest first).
    let mut rows: Vec<Arc<str>> = if on_created_at {
        let mut by_created: Vec<&GeneratedAlert> = live.collect();
        by_created.sort_by_key(|a| std::cmp::Reverse(a.created_ms));
        by_created
            .into_iter()
            .take(limit)
            .map(|a| Arc::clone(&a.rest_payload))
            .collect()
    } else {
        live.take(limit)
            .map(|a| Arc::clone(&a.rest_payload))
            .collect()
    };
    drop(alerts);
    // Every live row is newer than every past one: the past continues a page the live rows began.
    if rows.len() < limit {
        let tickers = tickers.unwrap_or_else(|| state.config.tickers.clone());
        let past = state.past.newest_first(
            kind,
            &tickers,
            newer,
            older,
            limit - rows.len(),
            cursor_time,
        );
        rows.extend(past.into_iter().map(|a| a.rest_payload));
    }
    Reply::json(200, format!(r#"{{"data":[{}]}}"#, rows.join(",")))
}
