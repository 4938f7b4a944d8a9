//! REST back-fill after a reconnect: UW's WebSocket has no replay
//! (docs/uw-api.md#dropped-messages-and-no-replay), so the flow alerts and option prints a gap
//! missed are fetched from REST and the ones not already delivered are published.

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use crate::common::time::now_nanos;
use crate::data::record::UwRecord;
use crate::data::status::state;
use crate::data::view::RecordView;
use crate::data::{FlowAlert, OptionTrade, PayloadItem, UwPayload};
use crate::http::client::UwHttpClient;
use crate::http::history::{HistoryQuery, fetch_history};
use crate::subscription::channel::{ChannelKind, UwChannel};
use crate::websocket::dedup::BackfilledIds;
use crate::websocket::queue::{FeedEvent, LogLevel};
use crate::websocket::shared::Shared;

/// Records of the kinds UW's REST can back-fill, with their UW ids.
trait BackfillRecord: RecordView + PayloadItem {
    const REST_TYPE_NAME: &'static str;
    /// Whether records older than the first one the channel delivered can still be missed by a
    /// gap. Option prints arrive in event-time order within UW's ingest delay, so older ones came
    /// before the channel was joined (not ours to back-fill); flow alerts are created with a lag
    /// and can arrive after younger ones.
    const OLDER_THAN_FIRST_CAN_BE_MISSED: bool;
    fn uw_id(&self) -> Option<&str>;
    fn from_payload(payload: UwPayload) -> Vec<Self>;
    /// The records as option prints, for the flow bars of their ticker (none for other kinds).
    fn as_option_prints(_records: &[Self]) -> &[OptionTrade] {
        &[]
    }
}

impl BackfillRecord for FlowAlert {
    const REST_TYPE_NAME: &'static str = "UwFlowAlert";
    const OLDER_THAN_FIRST_CAN_BE_MISSED: bool = true;
    fn uw_id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn from_payload(payload: UwPayload) -> Vec<Self> {
        match payload {
            UwPayload::FlowAlert(v) => v,
            _ => Vec::new(),
        }
    }
}

impl BackfillRecord for OptionTrade {
    const REST_TYPE_NAME: &'static str = "UwOptionTrade";
    const OLDER_THAN_FIRST_CAN_BE_MISSED: bool = false;
    fn uw_id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn from_payload(payload: UwPayload) -> Vec<Self> {
        match payload {
            UwPayload::OptionTrade(v) => v,
            _ => Vec::new(),
        }
    }
    fn as_option_prints(records: &[Self]) -> &[OptionTrade] {
        records
    }
}

/// Keeps the ids of what a back-fill of `channel` published, for [`drop_backfilled`].
fn remember_published<R: BackfillRecord>(shared: &Shared, channel: &UwChannel, published: &[R]) {
    if published.is_empty() {
        return;
    }
    let mut map = shared
        .backfilled
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let ids = map.entry(channel.clone()).or_default();
    for id in published.iter().filter_map(BackfillRecord::uw_id) {
        ids.insert(id);
    }
    shared.backfilled_any.store(true, Ordering::Release);
}

fn drop_published<R: BackfillRecord>(ids: &mut BackfilledIds, records: &mut Vec<R>) {
    records.retain(|r| r.uw_id().is_none_or(|id| !ids.take(id)));
}

/// Drops the live records of `channel` that its back-fill has already published: REST can answer
/// with a record whose frame is still on its way, and a strategy (and the flow bars) must see each
/// record once. Cheap when no back-fill published anything in the last half minute.
pub(super) fn drop_backfilled(shared: &Shared, channel: &UwChannel, payload: &mut UwPayload) {
    if !shared.backfilled_any.load(Ordering::Acquire) {
        return;
    }
    let mut map = shared
        .backfilled
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(ids) = map.get_mut(channel) {
        match payload {
            UwPayload::FlowAlert(v) => drop_published(ids, v),
            UwPayload::OptionTrade(v) => drop_published(ids, v),
            _ => {}
        }
    }
    map.retain(|_, ids| !ids.expire());
    if map.is_empty() {
        shared.backfilled_any.store(false, Ordering::Release);
    }
}

/// Ends the flow-bar hold of `channel` (see `spawn_backfills`) with the prints the back-fill
/// found, and queues the bars they close.
fn release_bars(shared: &Shared, channel: &UwChannel, prints: &[OptionTrade]) {
    let mut table = shared.table();
    let mut bars = Vec::new();
    table.flow_bars().release(channel, prints, &mut bars);
    shared.publish_bars(&mut table, bars);
}

fn note<R: BackfillRecord>(shared: &Shared, channel: &UwChannel, records: &[R]) {
    let Some(newest) = records.iter().map(UwRecord::ts_event_nanos).max() else {
        return;
    };
    let oldest = records
        .iter()
        .map(UwRecord::ts_event_nanos)
        .min()
        .unwrap_or(newest);
    {
        let mut dedup = shared.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let (seen, keep_since) = dedup.ids::<R>();
        for r in records {
            if let Some(id) = r.uw_id() {
                seen.remember(id, r.ts_event_nanos(), keep_since);
            }
        }
    }
    let mut last = shared
        .last_event_ns
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match last.get_mut(channel) {
        Some(span) => span.last = span.last.max(newest),
        None => {
            last.insert(
                channel.clone(),
                EventSpan {
                    first: oldest,
                    last: newest,
                },
            );
        }
    }
}

/// The event times a channel's live records covered: the first one delivered, and the newest
/// (where a gap starts).
#[derive(Debug, Clone, Copy)]
pub(super) struct EventSpan {
    first: u64,
    last: u64,
}

/// Remembers the ids and the newest event time of live records, so that a back-fill after the next
/// reconnect knows where the gap starts and what it already delivered.
pub(super) fn note_records(shared: &Shared, channel: &UwChannel, payload: &UwPayload) {
    match payload {
        UwPayload::FlowAlert(v) => note(shared, channel, v),
        UwPayload::OptionTrade(v) => note(shared, channel, v),
        _ => {}
    }
}

/// Notes that UW acknowledged `channel`'s join at `acked_ns`: the channel is live from there, so a
/// connection lost before its first record leaves a gap that starts there (without this, such a
/// gap was back-filled from nowhere, i.e. not at all). A channel that delivered keeps its span: its
/// gap starts at its newest record.
pub(super) fn note_joined(shared: &Shared, channel: &UwChannel, acked_ns: u64) {
    if !matches!(
        channel.kind,
        ChannelKind::FlowAlerts | ChannelKind::OptionTrades
    ) {
        return;
    }
    shared
        .last_event_ns
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(channel.clone())
        .or_insert(EventSpan {
            first: acked_ns,
            last: acked_ns,
        });
}

/// How far before the last record seen a back-fill starts: records are published a little after
/// their event time, so the newest ones before the gap may not have arrived yet.
const BACKFILL_OVERLAP: Duration = Duration::from_secs(5);

/// The REST client a back-fill fetches with: the token in use now (after a rotation the one the
/// client was configured with may be revoked). `None` without back-fills configured.
fn backfill_http(shared: &Shared) -> Option<UwHttpClient> {
    let http = shared.config.backfill.as_ref()?;
    let credential = shared.credential();
    Some(if http.config().credential == credential {
        http.clone()
    } else {
        http.with_credential(credential)
    })
}

/// Where the back-fill of a gap after `span` starts, for the channels REST can back-fill.
fn gap_start(kind: ChannelKind, span: EventSpan) -> Option<u64> {
    let older_can_be_missed = match kind {
        ChannelKind::FlowAlerts => FlowAlert::OLDER_THAN_FIRST_CAN_BE_MISSED,
        ChannelKind::OptionTrades => OptionTrade::OLDER_THAN_FIRST_CAN_BE_MISSED,
        _ => return None,
    };
    let since = span
        .last
        .saturating_sub(u64::try_from(BACKFILL_OVERLAP.as_nanos()).unwrap_or(0));
    Some(if older_can_be_missed {
        since
    } else {
        since.max(span.first)
    })
}

/// After a reconnect, starts a back-fill of every joined channel that delivered before the gap
/// (when a REST client is configured).
///
/// At most one back-fill per channel runs. A reconnect while it runs (connections dropping faster
/// than the REST budget fetches) leaves one follow-up, from the earliest of the gaps found
/// meanwhile up to when it starts: the gaps are all covered, and churn adds no request beyond
/// that one (a back-fill per reconnect piled up waiting for the budget, the strategy's own
/// requests behind them).
pub(super) fn spawn_backfills(shared: &Arc<Shared>, channels: &[UwChannel]) {
    if shared.config.backfill.is_none() {
        return;
    }
    let last = shared
        .last_event_ns
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    for ch in channels {
        let Some(since) = last.get(ch).and_then(|&span| gap_start(ch.kind, span)) else {
            continue;
        };
        let start_now = {
            let mut runs = shared
                .backfill_runs
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match runs.get_mut(ch) {
                Some(pending) => {
                    let first_follow_up = pending.is_none();
                    *pending = Some(pending.map_or(since, |p| p.min(since)));
                    if !first_follow_up {
                        continue; // its flow-bar hold is taken already
                    }
                    false
                }
                None => {
                    runs.insert(ch.clone(), None);
                    true
                }
            }
        };
        // Before the first live print of this session: the flow bars of the channel's ticker
        // wait for the gap's prints (released once per run in `backfill_running`, success or
        // not), so one hold per run, the follow-up's included.
        shared.table().flow_bars().hold(ch, now_nanos());
        if start_now {
            let task = tokio::spawn(backfill(Arc::clone(shared), ch.clone(), since));
            shared.track_backfill(task.abort_handle());
        }
    }
}

/// Clears the channel's run when its task ends without doing so (aborted by a stopping client,
/// or a panic), so that a later reconnect starts a back-fill again.
struct RunGuard<'a> {
    shared: &'a Shared,
    channel: &'a UwChannel,
    done: bool,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.shared
                .backfill_runs
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(self.channel);
        }
    }
}

async fn backfill(shared: Arc<Shared>, channel: UwChannel, mut since: u64) {
    let mut guard = RunGuard {
        shared: &shared,
        channel: &channel,
        done: false,
    };
    loop {
        if let Some(http) = backfill_http(&shared) {
            match channel.kind {
                ChannelKind::FlowAlerts => {
                    backfill_kind::<FlowAlert>(&shared, http, &channel, since).await;
                }
                ChannelKind::OptionTrades => {
                    backfill_kind::<OptionTrade>(&shared, http, &channel, since).await;
                }
                _ => {}
            }
        }
        // The follow-up is taken, or the run ended, in one step with the reconnects' updates.
        let mut runs = shared
            .backfill_runs
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match runs.get_mut(&channel).and_then(Option::take) {
            Some(next) => since = next,
            None => {
                runs.remove(&channel);
                guard.done = true;
                return;
            }
        }
    }
}

async fn backfill_kind<R: BackfillRecord>(
    shared: &Arc<Shared>,
    http: UwHttpClient,
    channel: &UwChannel,
    since: u64,
) {
    shared
        .seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .start(since);
    backfill_running::<R>(shared, http, channel, since).await;
    shared
        .seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .end(since);
}

async fn backfill_running<R: BackfillRecord>(
    shared: &Arc<Shared>,
    http: UwHttpClient,
    channel: &UwChannel,
    since: u64,
) {
    let channel = channel.clone();
    shared.status(
        state::BACKFILLING,
        Some(&channel),
        Some(format!("fetching what {channel} missed while disconnected")),
        None,
    );
    let query = HistoryQuery {
        type_name: R::REST_TYPE_NAME.to_owned(),
        metadata: channel
            .ticker
            .iter()
            .map(|t| ("ticker".to_owned(), t.clone()))
            .collect(),
        start_ns: Some(since),
        ..HistoryQuery::default()
    };
    match fetch_history(&http, &query, now_nanos()).await {
        Ok(result) => {
            let fetched = result.len();
            let mut missed: Vec<R> = result
                .payloads
                .into_iter()
                .flat_map(R::from_payload)
                .collect();
            missed.sort_by_key(UwRecord::ts_event_nanos);
            {
                let mut dedup = shared.seen.lock().unwrap_or_else(PoisonError::into_inner);
                let (seen, keep_since) = dedup.ids::<R>();
                missed.retain(|r| {
                    r.uw_id()
                        .is_none_or(|id| seen.insert(id, r.ts_event_nanos(), keep_since))
                });
            }
            let published = missed.len();
            remember_published(shared, &channel, &missed);
            release_bars(shared, &channel, R::as_option_prints(&missed));
            let (kept, routes) = shared.table().route(&channel, missed);
            let mut delivered = routes.len();
            // Past the queue's capacity if need be: these records are what the gap cost, fetched
            // already and bounded by the REST budget, and their ids are marked delivered, so a
            // batch dropped for a full queue would be lost for good. The reader holds off the
            // socket until the strategy has made room again.
            if !routes.is_empty() {
                if shared.queue.push_beyond_capacity(FeedEvent::Data {
                    payload: R::into_payload(kept),
                    routes,
                }) {
                    shared
                        .stats
                        .delivered
                        .fetch_add(delivered as u64, Ordering::Relaxed);
                } else {
                    // Only a closed queue refuses them: the client is stopping.
                    delivered = 0;
                }
            }
            let mut detail = format!(
                "{channel}: back-filled {published} records missed during the gap ({fetched} fetched from REST, {} already seen, {delivered} matched a subscription)",
                fetched - published
            );
            let level = if result.skipped.count == 0 {
                LogLevel::Info
            } else {
                detail.push_str(&format!(
                    "; {} unreadable rows of UW's answers skipped, the first: {}",
                    result.skipped.count,
                    result.skipped.errors.first().map_or("", String::as_str)
                ));
                LogLevel::Warning
            };
            shared.report(
                level,
                state::BACKFILLING,
                Some(&channel),
                detail,
                Some(i64::try_from(published).unwrap_or(i64::MAX)),
            );
        }
        Err(e) => {
            release_bars(shared, &channel, &[]);
            let detail = format!("back-fill of {channel} failed: {e}");
            shared.report(
                LogLevel::Error,
                state::BACKFILLING,
                Some(&channel),
                detail,
                None,
            );
        }
    }
}
