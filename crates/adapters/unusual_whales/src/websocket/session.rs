//! One connected session: joins and leaves (acknowledged, retried, refused), heartbeat, staleness,
//! and every received frame parsed, routed to the subscriptions and queued for the consumer
//! without ever waiting for it.
//!
//! Liveness follows UW's own clients (docs/uw-api.md#liveness-and-reconnect): after
//! `heartbeat_after` of silence a WebSocket ping is sent, and the connection is declared dead when
//! no pong (or any frame) arrives within `pong_timeout`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::common::time::{in_regular_session, now_nanos};
use crate::data::UwPayload;
use crate::data::record::UwRecord;
use crate::data::status::state;
use crate::subscription::channel::{ChannelKind, ChannelMap, ChannelSet, UwChannel};
use crate::websocket::backfill::{drop_backfilled, note_joined, note_records, spawn_backfills};
use crate::websocket::connection::Socket;
use crate::websocket::messages::UwWsMessage;
use crate::websocket::parse::{parse_frame, parse_text_frame};
use crate::websocket::queue::{FeedEvent, LogLevel};
use crate::websocket::shared::{Command, Shared};

/// How a session ended.
pub(super) enum SessionEnd {
    Shutdown,
    Lost(String),
}

struct JoinState {
    sent_at: Instant,
    attempts: u32,
    acked_at: Option<Instant>,
    refused: bool,
    warned: bool,
}

fn join_message(channel: &UwChannel, msg_type: &str) -> Message {
    // Channel names are validated ([A-Za-z0-9._-:]), so no JSON escaping is needed.
    Message::text(format!(
        r#"{{"channel":"{channel}","msg_type":"{msg_type}"}}"#
    ))
}

/// Whether a channel normally carries data every few seconds during the session, so that
/// silence means trouble. Halts, alerts, news and snapshots are legitimately quiet.
const fn expected_busy(kind: ChannelKind) -> bool {
    matches!(
        kind,
        ChannelKind::OptionTrades
            | ChannelKind::FlowAlerts
            | ChannelKind::Price
            | ChannelKind::Gex
            | ChannelKind::GexStrike
            | ChannelKind::GexStrikeExpiry
            | ChannelKind::LitTrades
            | ChannelKind::OffLitTrades
            | ChannelKind::MarketTide
            | ChannelKind::NetFlow
    )
}

#[allow(clippy::too_many_lines)]
pub(super) async fn session(
    shared: &Arc<Shared>,
    socket: Socket,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    reconnect: bool,
    display_url: &str,
) -> SessionEnd {
    let config = &shared.config;
    let (mut sink, mut stream) = socket.split();
    let mut joins: ChannelMap<JoinState> = ChannelMap::default();
    let mut left: ChannelMap<Instant> = ChannelMap::default();
    let mut last_data: ChannelMap<Instant> = ChannelMap::default();
    let mut stale = ChannelSet::default();
    let mut last_rx = Instant::now();
    let mut ping_sent: Option<Instant> = None;
    let mut overflow_reported: (Option<Instant>, u64) = (None, shared.queue.dropped());

    let wanted: Vec<UwChannel> = shared.table().channels().cloned().collect();
    for ch in &wanted {
        if let Err(e) = sink.send(join_message(ch, "join")).await {
            return SessionEnd::Lost(format!("sending join for {ch} failed: {e}"));
        }
        joins.insert(
            ch.clone(),
            JoinState {
                sent_at: Instant::now(),
                attempts: 1,
                acked_at: None,
                refused: false,
                warned: false,
            },
        );
    }
    let joined = wanted
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let verb = if reconnect {
        "Reconnected to"
    } else {
        "Connected to"
    };
    shared.log(
        LogLevel::Info,
        format!("{verb} {display_url}; joining [{joined}]"),
    );
    shared.status(
        state::CONNECTED,
        None,
        Some(format!("joined [{joined}]")),
        None,
    );
    if reconnect {
        spawn_backfills(shared, &wanted);
    }

    let tick_every = config
        .heartbeat_after
        .min(config.pong_timeout)
        .min(Duration::from_secs(1))
        / 2;
    let mut tick = tokio::time::interval(tick_every.max(Duration::from_millis(10)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Quiet flow-bar intervals close on wall time (their grace period); this is their clock.
    let mut bar_tick = tokio::time::interval(BAR_FLUSH_EVERY);
    bar_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut bars = Vec::new();
    // A full queue first holds the reader back (see QUEUE_FULL_WAIT); this re-offers the held event.
    let mut held = HeldEvent::new(shared);
    let mut retry_tick = tokio::time::interval(QUEUE_RETRY_EVERY);
    retry_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    loop {
        tokio::select! {
            biased;
            cmd = commands.recv() => match cmd {
                None | Some(Command::Shutdown) => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(Message::Close(None))).await;
                    shared.log(LogLevel::Info, format!("Closed {display_url}"));
                    return SessionEnd::Shutdown;
                }
                Some(Command::Reconnect(reason)) => return SessionEnd::Lost(reason),
                Some(Command::Join(channels)) => {
                    for ch in channels {
                        left.remove(&ch);
                        if joins.contains_key(&ch) || !shared.table().has_channel(&ch) {
                            continue;
                        }
                        if let Err(e) = sink.send(join_message(&ch, "join")).await {
                            return SessionEnd::Lost(format!("sending join for {ch} failed: {e}"));
                        }
                        shared.log(LogLevel::Info, format!("Joining {ch}"));
                        joins.insert(ch, JoinState { sent_at: Instant::now(), attempts: 1, acked_at: None, refused: false, warned: false });
                    }
                }
                Some(Command::Leave(channels)) => {
                    for ch in channels {
                        // A subscription may have come back for it meanwhile.
                        if shared.table().has_channel(&ch) || joins.remove(&ch).is_none() {
                            continue;
                        }
                        if let Err(e) = sink.send(join_message(&ch, "leave")).await {
                            return SessionEnd::Lost(format!("sending leave for {ch} failed: {e}"));
                        }
                        shared.log(LogLevel::Info, format!("Leaving {ch}"));
                        stale.remove(&ch);
                        left.insert(ch, Instant::now());
                    }
                }
            },
            // Ahead of the frames, so that a busy socket never holds a quiet bar back.
            _ = bar_tick.tick(), if shared.bars_active.load(Ordering::Relaxed) => {
                flush_quiet_bars(shared, &mut bars);
            },
            _ = retry_tick.tick(), if held.is_holding() => {
                if !held.offer() {
                    report_overflow(shared, &mut overflow_reported);
                }
            },
            msg = stream.next(), if !held.is_holding() => {
                // One arrival time for the records and the recording, so that what is computed
                // from a recording (flow bars included) is what the live feed delivered.
                let ts_init = now_nanos();
                // Text stays text: the socket has checked its UTF-8 already.
                let frame = match msg {
                    Some(Ok(Message::Text(t))) => {
                        if let Some(recorder) = &shared.recorder {
                            recorder.record(t.as_str(), ts_init);
                        }
                        Ok(t)
                    }
                    Some(Ok(Message::Binary(b))) => Err(b),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                        last_rx = Instant::now();
                        ping_sent = None;
                        continue;
                    }
                    Some(Ok(Message::Close(frame))) => {
                        let why = frame.map_or_else(String::new, |f| format!(" ({} {})", f.code, f.reason));
                        return SessionEnd::Lost(format!("server closed the connection{why}"));
                    }
                    Some(Ok(Message::Frame(_))) => continue,
                    Some(Err(e)) => return SessionEnd::Lost(shared.scrub(&e.to_string())),
                    None => return SessionEnd::Lost("connection closed".to_owned()),
                };
                // One clock read per frame serves the heartbeat and the staleness check.
                let received = Instant::now();
                last_rx = received;
                ping_sent = None;
                let stats = &shared.stats;
                stats.frames.fetch_add(1, Ordering::Relaxed);
                let len = frame.as_ref().map_or_else(|b| b.len(), |t| t.len());
                stats.bytes.fetch_add(len as u64, Ordering::Relaxed);
                stats.last_message_ns.store(ts_init, Ordering::Relaxed);
                let parsed = match &frame {
                    Ok(text) => parse_text_frame(text.as_str(), ts_init, &config.ids),
                    Err(bytes) => parse_frame(bytes, ts_init, &config.ids),
                };
                match parsed {
                    Ok(UwWsMessage::JoinAck { channel }) => {
                        if let Some(ch) = UwChannel::parse(&channel)
                            && let Some(js) = joins.get_mut(&ch)
                            && js.acked_at.is_none() {
                                js.acked_at = Some(Instant::now());
                                stats.join_acks.fetch_add(1, Ordering::Relaxed);
                                note_joined(shared, &ch, ts_init);
                            }
                    }
                    Ok(UwWsMessage::JoinError { channel, reason }) => {
                        stats.join_errors.fetch_add(1, Ordering::Relaxed);
                        let parsed = UwChannel::parse(&channel);
                        if let Some(js) = parsed.as_ref().and_then(|ch| joins.get_mut(ch)) {
                            js.refused = true;
                        }
                        // Both texts come from the peer: quoted short, whatever their size.
                        let detail = format!(
                            "UW refused to join {}: {} (retried after the next reconnect)",
                            crate::common::error::quote(&channel),
                            crate::common::error::clip(&reason)
                        );
                        shared.report(LogLevel::Error, state::JOIN_REFUSED, parsed.as_ref(), detail, None);
                    }
                    Ok(UwWsMessage::Data { channel, mut payload }) => {
                        drop_backfilled(shared, &channel, &mut payload);
                        // Per frame: update in place; a key is cloned once per channel.
                        match last_data.get_mut(&channel) {
                            Some(at) => *at = received,
                            None => {
                                last_data.insert(channel.clone(), received);
                            }
                        }
                        if !stale.is_empty() && stale.remove(&channel) {
                            shared.log(LogLevel::Info, format!("{channel} delivers again"));
                            shared.status(state::RESUMED, Some(&channel), None, None);
                        }
                        note_records(shared, &channel, &payload);
                        let n = payload.len() as u64;
                        crate::data::for_each_payload!(&payload, |v| stats.record_channel(
                            &channel,
                            n,
                            v.iter().map(|r| ts_init.saturating_sub(r.ts_event_nanos())),
                        ));
                        if !shared.table().has_channel(&channel) {
                            if let Some(at) = left.get(&channel)
                                && at.elapsed() > config.leave_grace {
                                    return SessionEnd::Lost(format!(
                                        "UW kept sending {channel} {:.1}s after leave; re-connecting with the remaining channels",
                                        at.elapsed().as_secs_f64()
                                    ));
                                }
                            continue;
                        }
                        let (payload, routes) = {
                            let mut table = shared.table();
                            if let UwPayload::OptionTrade(prints) = &payload
                                && !table.flow_bars().is_empty()
                            {
                                // Bars first: the print that closes a bar comes after it.
                                table.flow_bars().push(&channel, prints, &mut bars);
                                shared.publish_bars(&mut table, std::mem::take(&mut bars));
                            }
                            table.route_payload(&channel, payload)
                        };
                        if routes.is_empty() {
                            continue;
                        }
                        if !held.push(FeedEvent::Data { payload, routes }, received) {
                            report_overflow(shared, &mut overflow_reported);
                        }
                    }
                    Err(e) => {
                        stats.record_error(e.kind());
                        let errors = stats.parse_errors.load(Ordering::Relaxed);
                        // Every error is counted; the log gets the first ten, then one in a thousand.
                        if errors <= 10 || errors.is_multiple_of(1000) {
                            shared.log(LogLevel::Warning, format!("Frame dropped ({} so far): {e}", errors));
                        }
                    }
                }
            },
            _ = tick.tick() => {
                if let Some(recorder) = &shared.recorder {
                    recorder.flush();
                }
                // Drops since the last report, once they have stopped: reports come at most once
                // a second, and the last drops of a burst would otherwise be told to no one.
                if shared.queue.dropped() > overflow_reported.1 {
                    report_overflow(shared, &mut overflow_reported);
                }
                if held.is_holding() {
                    // The reader is not reading (the queue is full), so the silence is ours: a
                    // pong would wait unread behind the frames, and UW is not to be blamed for it.
                    last_rx = Instant::now();
                    ping_sent = None;
                }
                if let Some(sent) = ping_sent {
                    if sent.elapsed() >= config.pong_timeout {
                        return SessionEnd::Lost(format!(
                            "no pong within {:.1}s of a ping after {:.1}s of silence",
                            config.pong_timeout.as_secs_f64(),
                            config.heartbeat_after.as_secs_f64()
                        ));
                    }
                } else if last_rx.elapsed() >= config.heartbeat_after {
                    if let Err(e) = sink.send(Message::Ping(Vec::new().into())).await {
                        return SessionEnd::Lost(format!("ping failed: {e}"));
                    }
                    shared.stats.pings.fetch_add(1, Ordering::Relaxed);
                    ping_sent = Some(Instant::now());
                }
                for (ch, js) in &mut joins {
                    if js.acked_at.is_some() || js.refused || js.sent_at.elapsed() < config.join_timeout {
                        continue;
                    }
                    if js.attempts < 3 {
                        if let Err(e) = sink.send(join_message(ch, "join")).await {
                            return SessionEnd::Lost(format!("sending join for {ch} failed: {e}"));
                        }
                        js.attempts += 1;
                        js.sent_at = Instant::now();
                    } else if !js.warned {
                        js.warned = true;
                        shared.log(LogLevel::Warning, format!("{ch}: no join acknowledgement after 3 attempts; data will still be delivered if it arrives"));
                    }
                }
                if let Some(stale_after) = config.stale_after
                    && (!config.stale_only_in_session || in_regular_session(now_nanos())) {
                        for (ch, js) in &joins {
                            let Some(acked) = js.acked_at else { continue };
                            let quiet_since = last_data.get(ch).copied().unwrap_or(acked);
                            if expected_busy(ch.kind) && quiet_since.elapsed() >= stale_after && !stale.contains(ch) {
                                stale.insert(ch.clone());
                                let detail = format!("no data for {:.0}s", quiet_since.elapsed().as_secs_f64());
                                shared.log(LogLevel::Warning, format!("{ch} is stale: {detail}"));
                                shared.status(state::STALE, Some(ch), Some(detail), None);
                            }
                        }
                    }
            }
        }
    }
}

/// How far behind the strategy may fall before records are dropped. While the queue is full the
/// reader stops taking frames off the socket (TCP holds UW back meanwhile, nothing is lost), so a
/// burst or a stall the strategy catches up on loses nothing, and a consumer that keeps pace with
/// a full queue (a sustained flood it drains as fast as it can) only slows the sender. Once the
/// oldest waiting record has waited this long, the strategy is behind: then what does not fit is
/// dropped, counted and reported, so it keeps getting data and no loss goes unseen on UW's side
/// (UW drops messages for a reader that stays behind). Far below any heartbeat timeout.
const QUEUE_FULL_WAIT: Duration = Duration::from_millis(500);
/// How often a held event is offered to the queue again.
const QUEUE_RETRY_EVERY: Duration = Duration::from_millis(1);

/// Whether an event of `records` the full queue did not take is held for room (true) or dropped:
/// `waited` is how long the oldest record, queued or held, has waited. An event larger than the
/// whole queue can never fit, so it is not held at all.
fn worth_holding(records: usize, capacity: usize, waited: Duration) -> bool {
    records <= capacity && waited < QUEUE_FULL_WAIT
}

/// The event the full queue did not take (with its frame's arrival), while the reader waits for
/// room.
struct HeldEvent<'a> {
    shared: &'a Shared,
    event: Option<(FeedEvent, Instant)>,
}

impl<'a> HeldEvent<'a> {
    const fn new(shared: &'a Shared) -> Self {
        Self {
            shared,
            event: None,
        }
    }

    const fn is_holding(&self) -> bool {
        self.event.is_some()
    }

    /// Queues `event` (its frame arrived at `arrived`), holds it when the queue is full, or drops
    /// it when the oldest waiting record has waited [`QUEUE_FULL_WAIT`] (false: dropped, counted).
    fn push(&mut self, event: FeedEvent, arrived: Instant) -> bool {
        let n = event.records() as u64;
        let queue = &self.shared.queue;
        match queue.try_push(event, arrived) {
            Ok(queued) => {
                if queued {
                    self.shared.stats.delivered.fetch_add(n, Ordering::Relaxed);
                }
                queued
            }
            Err(event) => {
                let now = Instant::now();
                let waited = queue
                    .oldest_wait(now)
                    .max(now.saturating_duration_since(arrived));
                if !worth_holding(event.records(), queue.capacity(), waited) {
                    // Room may have appeared meanwhile: then it is queued after all.
                    let queued = queue.push(event);
                    if queued {
                        self.shared.stats.delivered.fetch_add(n, Ordering::Relaxed);
                    }
                    return queued;
                }
                self.event = Some((event, arrived));
                true
            }
        }
    }

    /// Offers the held event again (false: the strategy fell too far behind, it was dropped).
    fn offer(&mut self) -> bool {
        match self.event.take() {
            Some((event, arrived)) => self.push(event, arrived),
            None => true,
        }
    }
}

impl Drop for HeldEvent<'_> {
    /// A session that ends while holding an event queues it if it fits, or counts it dropped.
    fn drop(&mut self) {
        if let Some((event, _)) = self.event.take() {
            let n = event.records() as u64;
            if self.shared.queue.push(event) {
                self.shared.stats.delivered.fetch_add(n, Ordering::Relaxed);
            }
        }
    }
}

/// How often quiet flow-bar intervals are checked against their grace period: the lateness a
/// grace-flushed bar can have beyond its grace.
const BAR_FLUSH_EVERY: Duration = Duration::from_millis(10);

/// Closes the flow bars whose interval ended a grace period ago without a later print.
fn flush_quiet_bars(shared: &Shared, bars: &mut Vec<(u64, crate::data::FlowBar)>) {
    let mut table = shared.table();
    table.flow_bars().flush_due(now_nanos(), bars);
    shared.publish_bars(&mut table, std::mem::take(bars));
}

fn report_overflow(shared: &Shared, reported: &mut (Option<Instant>, u64)) {
    let dropped = shared.queue.dropped();
    if reported
        .0
        .is_some_and(|at| at.elapsed() < Duration::from_secs(1))
    {
        return;
    }
    let new = dropped - reported.1;
    *reported = (Some(Instant::now()), dropped);
    let detail = format!(
        "the strategy is not keeping up: queue full at {} records; {new} new messages dropped ({dropped} in total)",
        shared.queue.capacity()
    );
    shared.report(
        LogLevel::Error,
        state::OVERFLOW,
        None,
        detail,
        Some(i64::try_from(dropped).unwrap_or(i64::MAX)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_holds_the_reader_until_a_record_has_waited_too_long() {
        let ms = Duration::from_millis;
        assert!(worth_holding(1, 100, ms(0)));
        assert!(
            worth_holding(100, 100, ms(499)),
            "a whole queue's worth still fits once drained"
        );
        assert!(
            !worth_holding(1, 100, QUEUE_FULL_WAIT),
            "the strategy is behind: drop"
        );
        // Held, it would wait forever: an empty queue never makes room for it.
        assert!(
            !worth_holding(101, 100, ms(0)),
            "larger than the queue: dropped at once"
        );
    }
}
