//! The simulator speaks UW's protocol: token check, join acks, replay of a recording, and REST
//! with UW's rate-limit headers, 401, 429 and injected faults.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use unusual_whales_nt::common::symbol::InstrumentIdFormat;
use unusual_whales_nt::common::testing::test_data_path;
use unusual_whales_nt::websocket::{UwWsMessage, parse_frame};
use unusual_whales_nt_sim::{SimConfig, UwSimulator};

/// One HTTP/1.1 GET on a fresh connection: (status, lower-case headers, body).
async fn get(base: &str, path: &str, token: Option<&str>) -> (u16, Vec<(String, String)>, String) {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    // The simulator keeps connections alive; read until the declared body length is in.
    let mut buf = [0u8; 65536];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw);
        if let Some(end) = text.find("\r\n\r\n") {
            let len: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap();
            if raw.len() >= end + 4 + len || n == 0 {
                let head = &text[..end];
                let status = head[9..12].parse().unwrap();
                let headers = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(": "))
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
                    .collect();
                return (status, headers, text[end + 4..].to_string());
            }
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_answers_with_uw_headers_and_limits() {
    let sim = UwSimulator::start(SimConfig {
        http_per_minute: 3,
        default_rate: 50.0,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await; // some alerts to serve

    let (status, _, body) = get(
        &sim.http_url(),
        "/api/option-trades/flow-alerts?limit=5",
        None,
    )
    .await;
    assert_eq!(status, 401);
    assert!(body.contains("No token"));

    let (status, headers, body) = get(
        &sim.http_url(),
        "/api/option-trades/flow-alerts?limit=5",
        Some(sim.token()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(header(&headers, "x-uw-req-per-minute-remaining"), Some("2"));
    assert_eq!(header(&headers, "x-uw-minute-req-counter"), Some("1"));
    assert_eq!(header(&headers, "x-uw-token-req-limit"), Some("40000"));
    let reset: u64 = header(&headers, "x-uw-req-per-minute-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > 50_000 && reset <= 60_000, "{reset}");
    assert_eq!(flow_alerts(&body).len(), 5);

    let (status, _, body) = get(
        &sim.http_url(),
        "/api/stock/SPY/greek-exposure",
        Some(sim.token()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = get(&sim.http_url(), "/api/no/such/route", Some(sim.token())).await;
    assert_eq!(
        (status, body.as_str()),
        (404, r#"{"error":"Route not found"}"#)
    );
    let (status, headers, _) = get(
        &sim.http_url(),
        "/api/stock/SPY/gex-levels",
        Some(sim.token()),
    )
    .await;
    assert_eq!(status, 200, "a 404 does not use the budget");
    assert_eq!(header(&headers, "x-uw-req-per-minute-remaining"), Some("0"));
    let (status, headers, body) = get(
        &sim.http_url(),
        "/api/stock/SPY/gex-levels",
        Some(sim.token()),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (429, r#"{"message":"Too many requests. Slow down."}"#)
    );
    assert_eq!(header(&headers, "x-uw-req-per-minute-remaining"), Some("0"));
    assert!(header(&headers, "x-uw-req-per-minute-reset").is_some());
    assert_eq!(sim.stats().http_429, 1);

    sim.fail_http(503, 1);
    let (status, _, _) = get(
        &sim.http_url(),
        "/api/option-trades/flow-alerts",
        Some(sim.token()),
    )
    .await;
    assert_eq!(status, 503);
    sim.fail_http(500, 1);
    let (status, headers, body) = get(
        &sim.http_url(),
        "/api/option-trades/flow-alerts",
        Some(sim.token()),
    )
    .await;
    assert_eq!((status, body.as_str()), (500, "Something went wrong"));
    assert_eq!(header(&headers, "content-type"), Some("text/plain"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_alert_cursors_select_by_time_and_ticker() {
    let sim = UwSimulator::start(SimConfig {
        default_rate: 200.0,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, _, body) = get(
        &sim.http_url(),
        "/api/option-trades/flow-alerts?limit=200&ticker_symbol=QQQ",
        Some(sim.token()),
    )
    .await;
    let alerts = flow_alerts(&body);
    assert!(alerts.len() > 20 && alerts.iter().all(|a| a.ticker == "QQQ"));
    assert!(
        alerts.windows(2).all(|w| w[0].ts_event >= w[1].ts_event),
        "newest first"
    );
    let middle_ms = alerts[alerts.len() / 2].ts_event / 1_000_000;
    let path = format!(
        "/api/option-trades/flow-alerts?limit=200&ticker_symbol=QQQ&newer_than={middle_ms}"
    );
    let (_, _, body) = get(&sim.http_url(), &path, Some(sim.token())).await;
    let newer = flow_alerts(&body);
    assert!(newer.len() < alerts.len() && !newer.is_empty());
    let (status, _, _) = get(
        &sim.http_url(),
        "/api/option-trades/flow-alerts?limit=500",
        Some(sim.token()),
    )
    .await;
    assert_eq!(status, 422, "UW caps flow-alerts at 200 per page");
}

/// The flow alerts of a `/api/option-trades/flow-alerts` body.
fn flow_alerts(body: &str) -> Vec<unusual_whales_nt::data::FlowAlert> {
    let mut payloads = unusual_whales_nt::http::parse_rest_body(
        "flow_alerts",
        body.as_bytes(),
        1,
        &InstrumentIdFormat::new("SMART", false),
    )
    .unwrap();
    let Some(unusual_whales_nt::data::UwPayload::FlowAlert(alerts)) = payloads.pop() else {
        panic!("not flow alerts: {body}")
    };
    alerts
}

/// Flow alerts from the simulator's REST: (end_time, created_at) in ms, in the order served.
async fn alert_times(sim: &UwSimulator, query: &str) -> Vec<(u64, u64)> {
    let path = format!("/api/option-trades/flow-alerts?limit=200&ticker_symbol=QQQ{query}");
    let (status, _, body) = get(&sim.http_url(), &path, Some(sim.token())).await;
    assert_eq!(status, 200, "{body}");
    let alerts = flow_alerts(&body);
    alerts
        .iter()
        .map(|a| {
            (
                a.end_time.unwrap() / 1_000_000,
                a.created_at.unwrap() / 1_000_000,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_alert_cursors_compare_end_time_or_created_at_as_configured() {
    let sim = UwSimulator::start(SimConfig {
        default_rate: 200.0,
        cursor_on_created_at: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let by_created = alert_times(&sim, "").await;
    assert!(by_created.len() > 100, "{}", by_created.len());
    assert!(
        by_created.iter().all(|(end, created)| created > end),
        "alerts are created after their window ends"
    );
    assert!(
        by_created.windows(2).all(|w| w[0].1 >= w[1].1),
        "newest created first"
    );
    assert!(
        by_created.windows(2).any(|w| w[0].0 < w[1].0),
        "creation order is not end-time order"
    );
    let cursor = by_created[by_created.len() / 2].1;
    let older = alert_times(&sim, &format!("&older_than={cursor}")).await;
    assert!(!older.is_empty() && older.iter().all(|(_, created)| *created < cursor));
    let newer = alert_times(&sim, &format!("&newer_than={cursor}")).await;
    assert!(!newer.is_empty() && newer.iter().all(|(_, created)| *created > cursor));

    sim.set_cursor_on_created_at(false);
    let by_end = alert_times(&sim, &format!("&older_than={cursor}")).await;
    assert!(
        by_end.windows(2).all(|w| w[0].0 >= w[1].0),
        "newest end first"
    );
    assert!(by_end.iter().all(|(end, _)| *end < cursor));
    assert!(
        by_end.iter().any(|(_, created)| *created >= cursor),
        "end-time paging returns alerts created after the cursor"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_is_replayed_to_the_channels_joined() {
    let sim = UwSimulator::start(SimConfig {
        replay: Some(test_data_path("recorded_ws_2025-05-16.jsonl")),
        replay_speed: 50.0,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let url = format!("{}?token={}", sim.ws_url(), sim.token());
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    ws.send(Message::text(
        r#"{"channel":"flow-alerts","msg_type":"join"}"#,
    ))
    .await
    .unwrap();
    let mut acks = 0;
    let mut alerts = 0;
    let mut other = 0;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(2), ws.next()).await {
        let Message::Text(text) = msg else { continue };
        match parse_frame(text.as_bytes(), 1, &InstrumentIdFormat::new("SMART", false)).unwrap() {
            UwWsMessage::JoinAck { channel } => {
                assert_eq!(channel, "flow-alerts");
                acks += 1;
            }
            UwWsMessage::Data { channel, .. } if channel.to_string() == "flow-alerts" => {
                alerts += 1
            }
            UwWsMessage::Data { .. } | UwWsMessage::JoinError { .. } => other += 1,
        }
    }
    assert_eq!(
        (acks, alerts, other),
        (1, 17, 0),
        "only the joined channel's 17 recorded alerts"
    );

    let bad = format!("{}?token=nope", sim.ws_url());
    let err = tokio_tungstenite::connect_async(bad).await.unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}
