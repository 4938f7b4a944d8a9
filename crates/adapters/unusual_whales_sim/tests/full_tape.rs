//! The full tape streamed from the simulator: decoded while it downloads, in batches, with the
//! decoder holding at most a partial row of the body at any time.

use std::time::Duration;

use unusual_whales_nt::common::credential::UwCredential;
use unusual_whales_nt::http::tape::{TapeDecoder, full_tape_request, stream_full_tape};
use unusual_whales_nt::http::{UwHttpClient, UwHttpConfig};
use unusual_whales_nt_sim::{SimConfig, UwSimulator};

async fn sim_and_client(token: &str) -> (UwSimulator, UwHttpClient) {
    let sim = UwSimulator::start(SimConfig {
        token: token.to_owned(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut c = UwHttpConfig::new(UwCredential::new(token).unwrap());
    c.base_url = sim.http_url();
    c.timeout = Duration::from_secs(20);
    (sim, UwHttpClient::new(c).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tape_arrives_in_batches_while_it_downloads() {
    let (_sim, client) = sim_and_client("tok-tape").await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    let request = full_tape_request("2025-07-25");
    let download =
        tokio::spawn(async move { stream_full_tape(&client, &request, 1_000, tx).await });
    let mut sizes = Vec::new();
    let mut ids = std::collections::HashSet::new();
    while let Some(batch) = rx.recv().await {
        let batch = batch.unwrap();
        assert!(
            batch
                .iter()
                .all(|p| p.underlying_symbol == "NVDA" && p.ts_event >= 1_753_450_200_000_000_000)
        );
        ids.extend(batch.iter().map(|p| p.id.clone()));
        sizes.push(batch.len());
    }
    download.await.unwrap();
    assert_eq!(sizes.len(), 20, "{sizes:?}");
    assert!(sizes.iter().all(|&n| n == 1_000));
    assert_eq!(ids.len(), 20_000, "every print once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_decoder_never_holds_the_body() {
    let (_sim, client) = sim_and_client("tok-tape-2").await;
    let mut response = client
        .get_stream(&full_tape_request("2025-07-25"))
        .await
        .unwrap();
    let mut decoder = TapeDecoder::new(1_000, client.config().ids.clone());
    let (mut body, mut first_batch_at, mut rows) = (0usize, None, 0usize);
    while let Some(chunk) = response.chunk().await.unwrap() {
        body += chunk.len();
        for batch in decoder.push(&chunk, 1).unwrap() {
            first_batch_at.get_or_insert(body);
            rows += batch.len();
        }
    }
    let peak = decoder.peak_buffered_bytes();
    rows += decoder.finish(1).unwrap().len();
    assert_eq!(rows, 20_000);
    // The first batch left long before the body was in; what stayed behind between chunks was a
    // partial row, never the body (hundreds of kilobytes deflated, megabytes inflated).
    assert!(
        first_batch_at.unwrap() < body / 4,
        "{first_batch_at:?} of {body}"
    );
    assert!(peak < 4_096, "peak {peak} of a {body}-byte body");
}
