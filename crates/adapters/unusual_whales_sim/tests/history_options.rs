//! History of the options-flow records (#16) against the simulator: each day's pages of spot
//! exposure by expiry and strike, the parameters UW requires, and rows stamped on their arrival.

use std::time::Duration;

use unusual_whales_nt::common::credential::UwCredential;
use unusual_whales_nt::common::time::{format_utc, now_nanos, parse_timestamp};
use unusual_whales_nt::data::UwPayload;
use unusual_whales_nt::http::history::{HistoryError, HistoryQuery, HistoryResult, fetch_history};
use unusual_whales_nt::http::{UwHttpClient, UwHttpConfig};
use unusual_whales_nt_sim::{SimConfig, UwSimulator};

async fn sim_and_client(token: &str) -> (UwSimulator, UwHttpClient) {
    let sim = UwSimulator::start(SimConfig {
        token: token.to_owned(),
        default_rate: 0.0,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut c = UwHttpConfig::new(UwCredential::new(token).unwrap());
    c.base_url = sim.http_url();
    c.timeout = Duration::from_secs(5);
    (sim, UwHttpClient::new(c).unwrap())
}

fn metadata(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `count` strikes from `first`, one row each, at 10:00 New York on 2024-06-14.
fn strike_rows(first: u32, count: u32) -> String {
    let rows: Vec<String> = (first..first + count)
        .map(|k| {
            format!(r#"{{"strike":"{k}","price":"540.1","time":"2024-06-14T14:00:00Z","call_gamma_oi":"1.5"}}"#)
        })
        .collect();
    format!(r#"{{"data":[{}]}}"#, rows.join(","))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spot_exposure_by_expiry_and_strike_follows_each_days_pages() {
    let (sim, client) = sim_and_client("tok-pages").await;
    // A full page of 500 strikes, then the day's last 3.
    sim.inject_http_body(&strike_rows(0, 500));
    sim.inject_http_body(&strike_rows(500, 3));
    let query = HistoryQuery {
        type_name: "UwExpiryStrikeSpotExposure".to_owned(),
        metadata: metadata(&[
            ("ticker", "SPY"),
            ("date", "2024-06-14"),
            ("expirations", "2024-06-21"),
        ]),
        start_ns: Some(parse_timestamp("2024-06-14T00:00:00Z").unwrap()),
        ..HistoryQuery::default()
    };
    let result = fetch_history(&client, &query, now_nanos()).await.unwrap();
    assert_eq!(result.requests, 2, "page 0, then the short page 1");
    let UwPayload::ExpiryStrikeSpotExposure(rows) = &result.payloads[0] else {
        panic!("{:?}", result.payloads)
    };
    assert_eq!(rows.len(), 503);
    assert!(
        rows.iter()
            .all(|r| r.expiry.as_deref() == Some("2024-06-21"))
    );
    assert_eq!(sim.stats().http_requests, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_what_uw_requires_sends_nothing() {
    let (sim, client) = sim_and_client("tok-required").await;
    let query = HistoryQuery {
        type_name: "UwStrikeGreeks".to_owned(),
        metadata: metadata(&[("ticker", "SPY")]),
        ..HistoryQuery::default()
    };
    let err = fetch_history(&client, &query, now_nanos())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, HistoryError::Invalid(m) if m.starts_with("UwStrikeGreeks history needs expiry")),
        "{err}"
    );
    assert_eq!(sim.stats().http_requests, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_range_keeps_the_events_to_come() {
    let (sim, client) = sim_and_client("tok-calendar").await;
    let soon = format_utc(now_nanos() + 3 * 86_400 * 1_000_000_000, 0);
    let body = format!(
        r#"{{"data":[{{"event":"CPI","type":"report","time":"{soon}"}},{{"event":"PCE index","type":"report","time":"2020-01-02T13:30:00Z"}}]}}"#
    );
    let events = |result: &HistoryResult| -> Vec<String> {
        let mut names = Vec::new();
        for payload in &result.payloads {
            let UwPayload::EconomicEvent(v) = payload else {
                panic!("{payload:?}")
            };
            names.extend(v.iter().map(|e| e.event.clone().unwrap()));
        }
        names
    };
    let start = parse_timestamp("2019-01-01T00:00:00Z").unwrap();
    let mut query = HistoryQuery {
        type_name: "UwEconomicEvent".to_owned(),
        start_ns: Some(start),
        ..HistoryQuery::default()
    };
    sim.inject_http_body(&body);
    let open = fetch_history(&client, &query, now_nanos()).await.unwrap();
    assert_eq!(events(&open), ["PCE index", "CPI"]);
    // Up to a time already past: the event to come, stamped on arrival, is after it.
    query.end_ns = Some(now_nanos());
    sim.inject_http_body(&body);
    let closed = fetch_history(&client, &query, now_nanos()).await.unwrap();
    assert_eq!(events(&closed), ["PCE index"]);
}
