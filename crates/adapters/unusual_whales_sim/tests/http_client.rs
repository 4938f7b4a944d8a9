//! The REST client and history pagination against the simulator: budget headers, 429 storms,
//! retried 5xx and timeouts, final 401s and daily quotas, bad bodies, and complete paging.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use unusual_whales_nt::common::credential::UwCredential;
use unusual_whales_nt::common::time::now_nanos;
use unusual_whales_nt::data::UwPayload;
use unusual_whales_nt::http::history::{HistoryQuery, HistoryResult, fetch_history};
use unusual_whales_nt::http::ratelimit::RateLimitConfig;
use unusual_whales_nt::http::{UwHttpClient, UwHttpConfig, UwHttpError, UwRequest};
use unusual_whales_nt_sim::{SimConfig, UwSimulator};

/// The request a user would write as text.
fn req(text: &str) -> UwRequest {
    UwRequest::parse(text).unwrap()
}

/// A client of its own budget (each test uses a distinct token so budgets are not shared).
fn client(sim: &UwSimulator, token: &str, tweak: impl FnOnce(&mut UwHttpConfig)) -> UwHttpClient {
    let mut c = UwHttpConfig::new(UwCredential::new(token).unwrap());
    c.base_url = sim.http_url();
    c.retry_initial = Duration::from_millis(20);
    c.retry_max = Duration::from_millis(100);
    c.timeout = Duration::from_secs(5);
    tweak(&mut c);
    UwHttpClient::new(c).unwrap()
}

async fn sim_with(token: &str, tweak: impl FnOnce(&mut SimConfig)) -> UwSimulator {
    let mut c = SimConfig {
        token: token.to_owned(),
        default_rate: 100.0,
        ..SimConfig::default()
    };
    tweak(&mut c);
    UwSimulator::start(c).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_records_and_the_budget_from_uw_headers() {
    let sim = sim_with("tok-a", |_| {}).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let c = client(&sim, "tok-a", |_| {});
    let payloads = c
        .get(&req("/api/option-trades/flow-alerts?limit=10"))
        .await
        .unwrap();
    let UwPayload::FlowAlert(alerts) = &payloads[0] else {
        panic!("{payloads:?}")
    };
    assert_eq!(alerts.len(), 10);
    let budget = c.budget();
    assert_eq!(
        (
            budget.minute_remaining,
            budget.daily_count,
            budget.daily_limit
        ),
        (119, 1, Some(40_000))
    );
    let payloads = c
        .get(&req("/api/stock/SPY/net-prem-ticks?date=2025-03-21"))
        .await
        .unwrap();
    assert!(matches!(&payloads[0], UwPayload::NetPremTick(v) if !v.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_is_waited_out_and_nothing_is_lost() {
    // The plan allows 4 per 1-second window, the client believes 120/min: UW's 429s must hold it.
    // Timed from before the simulator starts, as its first window does.
    let start = Instant::now();
    let sim = sim_with("tok-b", |c| {
        c.http_per_minute = 4;
        c.http_window = Duration::from_secs(1);
    })
    .await;
    let c = client(&sim, "tok-b", |c| {
        c.limits = RateLimitConfig {
            concurrency: 8,
            ..RateLimitConfig::default()
        }
    });
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.get(&req("/api/stock/SPY/gex-levels")).await
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap().is_ok());
    }
    let sim_stats = sim.stats();
    assert!(sim_stats.http_429 > 0, "the storm hit the limit");
    assert_eq!(
        sim_stats.http_requests,
        16 + sim_stats.http_429,
        "every 429 was retried exactly once per wait"
    );
    assert!(
        start.elapsed() >= Duration::from_secs(3),
        "16 requests at 4/s take 3+ windows"
    );
    assert_eq!(
        c.stats()
            .rate_limited
            .load(std::sync::atomic::Ordering::Relaxed),
        sim_stats.http_429
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_timeouts_are_retried_then_reported() {
    let sim = sim_with("tok-c", |_| {}).await;
    let c = client(&sim, "tok-c", |c| c.max_retries = 2);
    sim.fail_http(503, 2);
    assert!(
        c.get(&req("/api/stock/SPY/gex-levels")).await.is_ok(),
        "two 503s, then success"
    );

    sim.fail_http(500, 5);
    let err = c.get(&req("/api/stock/SPY/gex-levels")).await.unwrap_err();
    assert!(
        matches!(&err, UwHttpError::Server { status: 500, attempts: 3, message, .. } if message == "Something went wrong"),
        "{err}"
    );
    assert!(err.to_string().contains("after 3 attempts"));

    let slow = client(&sim, "tok-c2", |c| {
        c.timeout = Duration::from_millis(300);
        c.max_retries = 1;
    });
    sim.set_http_delay(Duration::from_millis(800));
    let err = slow
        .get(&req("/api/stock/SPY/gex-levels"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, UwHttpError::Transport { attempts: 2, message, .. } if message.contains("timed out")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorized_and_daily_quota_are_final() {
    let sim = sim_with("tok-d", |c| c.http_per_day = 2).await;
    let wrong = client(&sim, "not-the-token", |_| {});
    let err = wrong
        .get(&req("/api/stock/SPY/gex-levels"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UwHttpError::Unauthorized { status: 401, .. }),
        "{err}"
    );
    assert!(!err.to_string().contains("not-the-token"));
    assert_eq!(sim.stats().http_requests, 1, "a 401 is not retried");

    let c = client(&sim, "tok-d", |_| {});
    c.get(&req("/api/stock/SPY/gex-levels")).await.unwrap();
    c.get(&req("/api/stock/SPY/gex-levels")).await.unwrap();
    let err = c.get(&req("/api/stock/SPY/gex-levels")).await.unwrap_err();
    assert_eq!(err.kind(), "daily_quota", "{err}");
    let before = sim.stats().http_requests;
    let again = c.get(&req("/api/stock/SPY/gex-levels")).await.unwrap_err();
    assert_eq!(again.kind(), "daily_quota");
    assert_eq!(
        sim.stats().http_requests,
        before,
        "nothing is sent until the 20:00 New York reset"
    );
    assert!(c.budget().daily_exhausted_until_ns.unwrap() > now_nanos());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_and_rejected_requests_give_clear_errors() {
    let sim = sim_with("tok-e", |_| {}).await;
    let c = client(&sim, "tok-e", |_| {});
    sim.inject_http_body(
        r#"{"data":[{"tape_time":"2025-03-21T09:30:00-04:00","net_call_premium":"abc"}]}"#,
    );
    let err = c
        .get(&req("/api/stock/SPY/net-prem-ticks?date=2025-03-21"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "parse");
    assert!(
        err.to_string().contains("data[0].net_call_premium"),
        "{err}"
    );
    sim.inject_http_body("<html>bad gateway</html>");
    let err = c.get(&req("/api/stock/SPY/gex-levels")).await.unwrap_err();
    assert_eq!(err.kind(), "parse", "{err}");
    let err = c
        .get(&req("/api/option-trades/flow-alerts?limit=999"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, UwHttpError::Rejected { status: 422, message, .. } if message.contains("limit=999")),
        "{err}"
    );
}

/// Pages back through a second of simulated flow alerts and checks the result is exactly the
/// simulator's own record of them, oldest first, with the simulator's `older_than` comparing
/// `end_time` or `created_at` (UW does not say which; its alerts are created later, by varying
/// amounts).
async fn paged_history_is_every_alert_once_oldest_first(token: &str, cursor_on_created_at: bool) {
    let sim = sim_with(token, |c| {
        c.rates.insert("flow-alerts".to_owned(), 800.0);
        c.cursor_on_created_at = cursor_on_created_at;
    })
    .await;
    let start = now_nanos();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let end = now_nanos();
    let c = Arc::new(client(&sim, token, |_| {}));
    let query = HistoryQuery {
        type_name: "UwFlowAlert".to_owned(),
        metadata: vec![("ticker".to_owned(), "SPY".to_owned())],
        start_ns: Some(start),
        end_ns: Some(end),
        limit: 0,
    };
    let result = fetch_history(&c, &query, now_nanos()).await.unwrap();
    let mut got = Vec::new();
    for p in &result.payloads {
        let UwPayload::FlowAlert(v) = p else { panic!() };
        got.extend(
            v.iter()
                .map(|a| (a.id.clone().unwrap(), a.ticker.clone(), a.ts_event)),
        );
    }
    assert!(
        got.iter()
            .all(|(_, t, ts)| t == "SPY" && (start..=end).contains(ts))
    );
    assert!(
        got.windows(2).all(|w| w[0].2 <= w[1].2),
        "oldest first across pages"
    );
    let ids: Vec<String> = got.into_iter().map(|(id, _, _)| id.into()).collect();
    // Every SPY alert the simulator generated in the range (by its own record) came back, once.
    let expected = sim.flow_alerts_between("SPY", start, end);
    assert_eq!(ids.len(), expected.len(), "none lost or repeated");
    assert_eq!(
        ids.into_iter().collect::<HashSet<_>>(),
        expected.into_iter().collect::<HashSet<_>>()
    );
    assert!(
        result.requests >= 3,
        "several pages of 200: {}",
        result.requests
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_pages_back_through_every_alert_in_the_range_exactly_once() {
    paged_history_is_every_alert_once_oldest_first("tok-f", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_loses_no_alert_when_uw_pages_by_created_at() {
    paged_history_is_every_alert_once_oldest_first("tok-g", true).await;
}

/// A REST flow-alert body; rows are (id, end_time ms, created_at ms, trade_count).
fn alert_body(rows: &[(String, u64, u64, u32)]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|(id, end, created, trades)| {
            format!(
                r#"{{"id":"{id}","ticker":"SPY","option_chain":"SPY251121C00590000","type":"call","total_premium":"1000","end_time":{end},"created_at":{created},"trade_count":{trades}}}"#
            )
        })
        .collect();
    format!(r#"{{"data":[{}]}}"#, rows.join(","))
}

fn flow_alert_summary(result: &HistoryResult) -> Vec<(String, u64, i64)> {
    result
        .payloads
        .iter()
        .flat_map(|p| match p {
            UwPayload::FlowAlert(v) => v.clone(),
            other => panic!("{other:?}"),
        })
        .map(|a| (a.id.unwrap().into(), a.ts_event, a.trade_count.unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_of_four_pages_is_one_run_oldest_first() {
    let sim = sim_with("tok-h", |c| c.default_rate = 0.0).await;
    let c = client(&sim, "tok-h", |_| {});
    let base_ms = now_nanos() / 1_000_000 - 3_600_000;
    // 705 alerts, newest first as UW pages them: 200 + 200 + 200 + 105.
    let newest_first: Vec<(String, u64, u64, u32)> = (0..705u64)
        .rev()
        .map(|i| {
            let end = base_ms + i * 10;
            (format!("a{i:03}"), end, end + 300 + i * 37 % 2_000, 1)
        })
        .collect();
    for page in newest_first.chunks(200) {
        sim.inject_http_body(&alert_body(page));
    }
    // A start: without one, history is the newest page only.
    let query = HistoryQuery {
        type_name: "UwFlowAlert".to_owned(),
        start_ns: Some((base_ms - 60_000) * 1_000_000),
        ..HistoryQuery::default()
    };
    let result = fetch_history(&c, &query, now_nanos()).await.unwrap();
    assert_eq!(result.requests, 4);
    assert_eq!(result.payloads.len(), 1, "one run, not one per page");
    let ids: Vec<String> = flow_alert_summary(&result)
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    let oldest_first: Vec<String> = (0..705).map(|i| format!("a{i:03}")).collect();
    assert_eq!(ids, oldest_first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_delivers_an_alert_sent_twice_once_in_its_latest_revision() {
    let sim = sim_with("tok-i", |c| c.default_rate = 0.0).await;
    let c = client(&sim, "tok-i", |_| {});
    let base_ms = now_nanos() / 1_000_000 - 3_600_000;
    let row = |id: &str, end: u64, created: u64, trades: u32| {
        (id.to_owned(), base_ms + end, base_ms + created, trades)
    };
    // `x` closes the first page; the second page repeats it, revised with more trades.
    let mut first: Vec<_> = (0..199u64)
        .rev()
        .map(|i| row(&format!("p{i:03}"), 1_000 + i, 1_500 + i, 1))
        .collect();
    first.push(row("x", 900, 950, 3));
    let mut second = vec![row("x", 900, 2_950, 9)];
    second.extend(
        (0..50u64)
            .rev()
            .map(|i| row(&format!("q{i:02}"), 800 + i, 850 + i, 1)),
    );
    sim.inject_http_body(&alert_body(&first));
    sim.inject_http_body(&alert_body(&second));
    // A start: without one, history is the newest page only.
    let query = HistoryQuery {
        type_name: "UwFlowAlert".to_owned(),
        start_ns: Some((base_ms - 60_000) * 1_000_000),
        ..HistoryQuery::default()
    };
    let result = fetch_history(&c, &query, now_nanos()).await.unwrap();
    assert_eq!(result.requests, 2);
    let got = flow_alert_summary(&result);
    assert_eq!(got.len(), 250, "x once");
    assert_eq!(
        got.iter()
            .filter(|(id, _, _)| id == "x")
            .collect::<Vec<_>>(),
        [&("x".to_owned(), (base_ms + 900) * 1_000_000, 9)]
    );

    // Both revisions in one response (a `path` request), the older one last.
    sim.inject_http_body(&alert_body(&[
        row("x", 900, 2_950, 9),
        row("x", 900, 950, 3),
    ]));
    let query = HistoryQuery {
        type_name: "UwFlowAlert".to_owned(),
        metadata: vec![(
            "path".to_owned(),
            "/api/option-trades/flow-alerts?limit=200".to_owned(),
        )],
        ..HistoryQuery::default()
    };
    let result = fetch_history(&c, &query, now_nanos()).await.unwrap();
    assert_eq!(
        flow_alert_summary(&result),
        [("x".to_owned(), (base_ms + 900) * 1_000_000, 9)]
    );
}

/// New York midnight of `date` to the next midnight, UNIX ns (May is daylight saving time: UTC-4).
fn edt_day(date: &str) -> (u64, u64) {
    let start =
        unusual_whales_nt::common::time::parse_timestamp(&format!("{date}T04:00:00Z")).unwrap();
    (start, start + 86_400 * 1_000_000_000 - 1)
}

/// The README's download (SPY flow alerts, 2025-05-12 .. 16) and every other history type give a
/// trading week of records from the simulator, whenever it was started: each past weekday has its
/// own deterministic session, and every example-backed endpoint answers for the day asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_past_week_has_history_for_every_type_with_a_rest_source() {
    let sim = sim_with("tok-past", |c| {
        c.default_rate = 0.0;
        c.http_per_minute = 100_000;
    })
    .await;
    let c = client(&sim, "tok-past", |c| c.limits.per_minute = 10_000);
    let (start, _) = edt_day("2025-05-12");
    let (_, end) = edt_day("2025-05-16");
    let spy = || vec![("ticker".to_owned(), "SPY".to_owned())];
    let types: [(&str, Vec<(String, String)>); 19] = [
        ("UwFlowAlert", spy()),
        ("UwOptionTrade", spy()),
        ("UwDarkPoolTrade", spy()),
        ("UwLitTrade", spy()),
        ("UwMarketTide", vec![]),
        ("UwNetPremTick", spy()),
        ("UwSpotExposure", spy()),
        ("UwGreekFlow", spy()),
        ("UwStrikeFlow", spy()),
        ("UwStrikeGreekExposure", spy()),
        ("UwExpiryGreekExposure", spy()),
        ("UwStrikeSpotExposure", spy()),
        ("UwOhlcBar", spy()),
        ("UwExpiryTide", vec![]),
        ("UwGreekExposure", spy()),
        ("UwIvRank", spy()),
        ("UwMaxPain", spy()),
        ("UwExpiryIv", spy()),
        ("UwHorizonIv", spy()),
    ];
    for (type_name, metadata) in types {
        let query = HistoryQuery {
            type_name: type_name.to_owned(),
            metadata,
            start_ns: Some(start),
            end_ns: Some(end),
            limit: 0,
        };
        let result = fetch_history(&c, &query, now_nanos())
            .await
            .unwrap_or_else(|e| panic!("{type_name}: {e}"));
        assert!(
            !result.is_empty(),
            "{type_name}: no records for 2025-05-12 .. 16"
        );
    }

    // One day of flow alerts: every SPY alert of that session (by the simulator's own record), once.
    let (day_start, day_end) = edt_day("2025-05-13");
    let query = HistoryQuery {
        type_name: "UwFlowAlert".to_owned(),
        metadata: spy(),
        start_ns: Some(day_start),
        end_ns: Some(day_end),
        limit: 0,
    };
    let result = fetch_history(&c, &query, now_nanos()).await.unwrap();
    let mut ids = Vec::new();
    for p in &result.payloads {
        let UwPayload::FlowAlert(v) = p else { panic!() };
        assert!(
            v.iter()
                .all(|a| (day_start..=day_end).contains(&a.ts_event))
        );
        ids.extend(v.iter().map(|a| a.id.clone().unwrap()));
    }
    let expected = sim.flow_alerts_between("SPY", day_start, day_end);
    assert!(expected.len() > 1_000, "a full session: {}", expected.len());
    assert_eq!(ids, expected, "every alert once, oldest first");
}

/// UW holds years of flow alerts: history without a start is the newest page, not all of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_without_a_start_is_the_newest_page() {
    let sim = sim_with("tok-p", |c| c.default_rate = 0.0).await;
    let c = client(&sim, "tok-p", |_| {});
    let base_ms = now_nanos() / 1_000_000 - 3_600_000;
    let newest_first: Vec<(String, u64, u64, u32)> = (0..400u64)
        .rev()
        .map(|i| (format!("a{i:03}"), base_ms + i, base_ms + i + 500, 1))
        .collect();
    for page in newest_first.chunks(200) {
        sim.inject_http_body(&alert_body(page));
    }
    let query = HistoryQuery {
        type_name: "UwFlowAlert".to_owned(),
        ..HistoryQuery::default()
    };
    let result = fetch_history(&c, &query, now_nanos()).await.unwrap();
    assert_eq!(result.requests, 1);
    let ids: Vec<String> = flow_alert_summary(&result)
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    let newest_page: Vec<String> = (200..400).map(|i| format!("a{i:03}")).collect();
    assert_eq!(ids, newest_page);
}

/// `metadata={"path": ...}` reaches any endpoint, but answers only with the requested type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_answers_with_the_requested_type_or_says_which_type_it_holds() {
    let sim = sim_with("tok-q", |c| c.default_rate = 0.0).await;
    let c = client(&sim, "tok-q", |_| {});
    let query = |type_name: &str, path: &str| HistoryQuery {
        type_name: type_name.to_owned(),
        metadata: vec![("path".to_owned(), path.to_owned())],
        ..HistoryQuery::default()
    };
    let err = fetch_history(
        &c,
        &query("UwFlowAlert", "/api/stock/SPY/gex-levels"),
        now_nanos(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("answers UwGexLevels, not UwFlowAlert"),
        "{err}"
    );

    // A flow alert's detail holds the alert and its prints: each type gets its own.
    let detail = "/api/option-trades/flow-alerts/ae47f719-7131-4816-b9f5-8bd35de90ddc";
    for type_name in ["UwFlowAlert", "UwOptionTrade"] {
        let result = fetch_history(&c, &query(type_name, detail), now_nanos())
            .await
            .unwrap();
        assert!(!result.is_empty(), "{type_name}");
        assert!(
            result.payloads.iter().all(|p| p.type_name() == type_name),
            "{type_name}: {:?}",
            result
                .payloads
                .iter()
                .map(UwPayload::type_name)
                .collect::<Vec<_>>()
        );
    }
}
