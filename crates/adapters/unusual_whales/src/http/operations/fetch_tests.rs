//! How history of any operation pages against a server that holds to UW's document
//! (`http::fake_uw`): pages within a day, cursor boundaries, page sizes the document gives only in
//! prose, cursors that do not move, and pages counted from 1.

use std::collections::HashMap;

use crate::common::time::parse_timestamp;
use crate::http::fake_uw::{self, Asked, FakeUw, Print};
use crate::http::operations::fetch::{OperationQuery, fetch_operation};

fn at(text: &str) -> u64 {
    parse_timestamp(text).unwrap() / 1_000_000
}

fn query(pairs: &[(&str, &str)], start: &str, end: &str) -> OperationQuery {
    OperationQuery {
        metadata: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        start_ns: Some(at(start) * 1_000_000),
        end_ns: Some(at(end) * 1_000_000),
        limit: 0,
    }
}

/// How many times each id was delivered.
fn delivered(answers: &[crate::data::ApiResponse]) -> HashMap<String, usize> {
    let mut count = HashMap::new();
    for a in answers {
        for id in fake_uw::ids(&a.body) {
            *count.entry(id).or_default() += 1;
        }
    }
    count
}

fn each_once(count: &HashMap<String, usize>, expected: usize) {
    assert_eq!(count.len(), expected, "distinct rows delivered");
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
}

fn sent(asked: &[Asked], keys: &[&str]) -> Vec<Vec<String>> {
    asked
        .iter()
        .map(|a| {
            keys.iter()
                .map(|k| a.get(k).unwrap_or("-").to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_s_full_pages_are_followed_within_the_day() {
    // 12 strikes a day; pages of 5: three pages each day.
    let uw = FakeUw::start(|_, q| {
        let date = q.iter().find(|(k, _)| k == "date").map(|(_, v)| v.clone());
        let rows: Vec<String> = (0..12)
            .map(|i| format!("{}-{i}", date.as_deref().unwrap_or("?")))
            .collect();
        fake_uw::paged(&rows, q, 0, 500)
    })
    .await;
    let (start, end) = ("2025-05-15T13:30:00Z", "2025-05-16T20:00:00Z");
    let params = [
        ("operation", "stock_ticker_spot_exposures_strike"),
        ("ticker", "SPY"),
        ("limit", "5"),
    ];
    let answers = fetch_operation(&uw.client(), &query(&params, start, end), 0)
        .await
        .unwrap();
    each_once(&delivered(&answers), 24);
    let pages: Vec<Vec<String>> = [("2025-05-15", 0), ("2025-05-15", 1), ("2025-05-15", 2)]
        .into_iter()
        .chain([("2025-05-16", 0), ("2025-05-16", 1), ("2025-05-16", 2)])
        .map(|(d, p)| vec![d.to_owned(), p.to_string()])
        .collect();
    assert_eq!(sent(&uw.asked(), &["date", "page"]), pages);
    // `max_pages` caps the pages of each day.
    let uw2 = FakeUw::start(|_, q| {
        let rows: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        fake_uw::paged(&rows, q, 0, 500)
    })
    .await;
    let mut capped = params.to_vec();
    capped.push(("max_pages", "2"));
    let answers = fetch_operation(&uw2.client(), &query(&capped, start, end), 0)
        .await
        .unwrap();
    assert_eq!(answers.len(), 4);
    assert_eq!(
        sent(&uw2.asked(), &["date", "page"]),
        [
            ["2025-05-15", "0"],
            ["2025-05-15", "1"],
            ["2025-05-16", "0"],
            ["2025-05-16", "1"]
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_s_cursor_pages_are_followed_within_the_day() {
    // Dark-pool prints: 1,200 on the 16th (more than two pages of UW's 500), 3 on the 15th.
    let mut prints: Vec<Print> = (0..1200)
        .map(|i| Print {
            id: format!("16-{i}"),
            ms: at("2025-05-16T15:00:00Z") + i * 1000,
        })
        .collect();
    prints.extend((0..3).map(|i| Print {
        id: format!("15-{i}"),
        ms: at("2025-05-15T15:00:00Z") + i * 1000,
    }));
    let uw =
        FakeUw::start(move |_, q| fake_uw::strict_cursor(&prints, q, "executed_at", 500, false))
            .await;
    let q = query(
        &[("operation", "darkpool_ticker"), ("ticker", "SPY")],
        "2025-05-15T13:30:00Z",
        "2025-05-16T20:00:00Z",
    );
    let answers = fetch_operation(&uw.client(), &q, 0).await.unwrap();
    each_once(&delivered(&answers), 1203);
    let asked = uw.asked();
    let days: Vec<&str> = asked.iter().map(|a| a.get("date").unwrap()).collect();
    assert_eq!(
        days,
        ["2025-05-15", "2025-05-16", "2025-05-16", "2025-05-16"]
    );
    assert!(asked.iter().all(|a| a.get("limit") == Some("500")));
}

/// 150 rows newest first from `base_ms`, rows 95..104 in one millisecond.
fn sweep(base_ms: u64) -> Vec<Print> {
    (0..150u64)
        .map(|i| Print {
            id: i.to_string(),
            ms: base_ms - if (95..105).contains(&i) { 95 } else { i },
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_sharing_the_oldest_instant_of_a_full_page_all_arrive_once() {
    let prints = sweep(at("2025-05-16T19:00:00Z"));
    let served = prints.clone();
    let uw = FakeUw::start(move |path, q| {
        if path == "/api/alerts" {
            fake_uw::strict_cursor(&served, q, "created_at", 50, false)
        } else {
            fake_uw::strict_cursor(&served, q, "executed_at", 100, true)
        }
    })
    .await;
    let (start, end) = ("2025-05-16T13:30:00Z", "2025-05-16T20:00:00Z");
    for params in [
        &[
            ("operation", "futures_contract_trades"),
            ("contract", "ESM5"),
            ("limit", "100"),
        ][..],
        &[("operation", "alerts"), ("limit", "100")],
    ] {
        let before = uw.asked().len();
        let answers = fetch_operation(&uw.client(), &query(params, start, end), 0)
            .await
            .unwrap();
        each_once(&delivered(&answers), 150);
        let asked = &uw.asked()[before..];
        assert!(asked.iter().all(|a| a.status == 200), "{asked:?}");
        // The first page is UW's body byte for byte; the second starts at the sweep's
        // millisecond again (one past it, as `older_than` is strict).
        assert_eq!(answers[0].body, asked[0].body);
        let sweep_ms = at("2025-05-16T19:00:00Z") - 95;
        let second = asked[1].get("older_than").unwrap();
        assert_eq!(
            parse_timestamp(second)
                .map(|ns| ns / 1_000_000)
                .or_else(|_| second.parse::<u64>().map_err(|e| e.to_string())),
            Ok(sweep_ms + 1),
            "{params:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_walk_without_a_known_page_size_goes_on_while_pages_bring_rows() {
    // Futures flow: "default 100" in prose only; 250 prints a second apart.
    let prints: Vec<Print> = (0..250)
        .map(|i| Print {
            id: i.to_string(),
            ms: at("2025-05-16T19:59:00Z") - i * 1000,
        })
        .collect();
    let uw =
        FakeUw::start(move |_, q| fake_uw::strict_cursor(&prints, q, "executed_at", 100, true))
            .await;
    let q = query(
        &[("operation", "futures_flow")],
        "2025-05-16T13:30:00Z",
        "2025-05-16T20:00:00Z",
    );
    let answers = fetch_operation(&uw.client(), &q, 0).await.unwrap();
    each_once(&delivered(&answers), 250);
    let asked = uw.asked();
    assert!(asked.iter().all(|a| a.get("limit").is_none()));
    // Three pages of rows, and one that brings none new.
    assert_eq!(asked.len(), 4, "{asked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_that_does_not_move_ends_the_walk() {
    // A server that answers the same full page whatever the cursor.
    let t = at("2025-05-16T19:00:00Z");
    let prints: Vec<Print> = (0..100)
        .map(|i| Print {
            id: i.to_string(),
            ms: t,
        })
        .collect();
    let uw = FakeUw::start(move |_, q| {
        let q: Vec<(String, String)> = q.iter().filter(|(k, _)| k == "limit").cloned().collect();
        fake_uw::strict_cursor(&prints, &q, "executed_at", 100, true)
    })
    .await;
    let q = query(
        &[
            ("operation", "futures_contract_trades"),
            ("contract", "ESM5"),
            ("limit", "100"),
        ],
        "2025-05-16T13:30:00Z",
        "2025-05-16T20:00:00Z",
    );
    let answers = fetch_operation(&uw.client(), &q, 0).await.unwrap();
    each_once(&delivered(&answers), 100);
    let cursors: Vec<Vec<String>> = sent(&uw.asked(), &["older_than"]);
    // From the end; one past the page's instant; the instant itself; then no cursor moves back.
    assert_eq!(
        cursors,
        [
            ["2025-05-16T20:00:00.001Z"],
            ["2025-05-16T19:00:00.001Z"],
            ["2025-05-16T19:00:00.000Z"]
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_documented_from_1_are_asked_from_1() {
    let rows: Vec<String> = (0..5).map(|i| i.to_string()).collect();
    let uw = FakeUw::start(move |_, q| fake_uw::paged(&rows, q, 1, 100)).await;
    let mut q = query(
        &[
            ("operation", "congress_unusual_trades"),
            ("limit", "2"),
            ("max_pages", "5"),
        ],
        "2025-05-16T13:30:00Z",
        "2025-05-16T20:00:00Z",
    );
    q.start_ns = None;
    let answers = fetch_operation(&uw.client(), &q, 0).await.unwrap();
    each_once(&delivered(&answers), 5);
    assert_eq!(sent(&uw.asked(), &["page"]), [["1"], ["2"], ["3"]]);
    // A single request asks page 1 too.
    q.metadata.retain(|(k, _)| k != "max_pages");
    let before = uw.asked().len();
    fetch_operation(&uw.client(), &q, 0).await.unwrap();
    assert_eq!(uw.asked()[before].status, 200);
}
