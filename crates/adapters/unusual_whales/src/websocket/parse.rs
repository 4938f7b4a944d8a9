//! Frame parsing: `[channel, payload]` -> [`UwWsMessage`], without building a JSON tree.
//!
//! The envelope is decoded into a borrowed channel name and a raw payload slice; only the payload
//! of a known channel is deserialized, straight into its record type.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::common::compact_json;
use crate::common::consts::MAX_FRAME_BYTES;
use crate::common::error::{UwParseError, deserialize_json, preview};
use crate::common::parse::{
    de_bool_or_false, de_date, de_f64, de_opt_f64, de_opt_i64, de_string, de_timestamp,
};
use crate::common::symbol::InstrumentIdFormat;
use crate::data::record::{UwRecord, finish_record};
use crate::data::*;
use crate::subscription::channel::{ChannelKind, UwChannel};
use crate::websocket::messages::UwWsMessage;

#[derive(Deserialize)]
struct Envelope<'a>(#[serde(borrow)] Cow<'a, str>, #[serde(borrow)] &'a RawValue);

#[derive(Deserialize)]
struct Reply {
    status: Option<String>,
    response: Option<serde_json::Value>,
}

/// Built once: building the searcher was half the cost of the probe.
static REPLY_KEY: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"\"status\""));

/// Acks are tiny; payloads longer than this are never probed for a reply shape.
const MAX_REPLY_BYTES: usize = 1024;

/// Decodes one server frame.
///
/// `ts_init` stamps every record (when the frame arrived); `ids` is how instrument ids are written.
///
/// # Errors
/// Every malformed input is an error value: oversized frames, bad JSON, a shape that is not
/// `[channel, payload]`, an unknown channel, and missing, mistyped or unusable fields (named).
pub fn parse_frame(
    frame: &[u8],
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<UwWsMessage, UwParseError> {
    if frame.len() <= MAX_FRAME_BYTES
        && let Ok(text) = std::str::from_utf8(frame)
    {
        return parse_text_frame(text, ts_init, ids);
    }
    parse_frame_in_two_passes(frame, ts_init, ids)
}

/// [`parse_frame`] for a WebSocket text message, which the socket has already checked to be
/// UTF-8 (checking a kilobyte again was 4% of the live path's per-frame cost).
///
/// # Errors
/// As [`parse_frame`].
pub fn parse_text_frame(
    text: &str,
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<UwWsMessage, UwParseError> {
    if text.len() <= MAX_FRAME_BYTES
        && let Some(message) = parse_data_frame_in_one_pass(text, ts_init, ids)
    {
        return Ok(message);
    }
    parse_frame_in_two_passes(text.as_bytes(), ts_init, ids)
}

/// The general path: the envelope (channel and raw payload), then the payload.
fn parse_frame_in_two_passes(
    frame: &[u8],
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<UwWsMessage, UwParseError> {
    if frame.len() > MAX_FRAME_BYTES {
        return Err(UwParseError::Oversized {
            len: frame.len(),
            max: MAX_FRAME_BYTES,
        });
    }
    let text = std::str::from_utf8(frame)
        .map_err(|e| UwParseError::MalformedJson(format!("frame is not UTF-8: {e}")))?;
    let Envelope(channel_name, payload) = serde_json::from_str::<Envelope>(text).map_err(|e| {
        // serde_json reports an extra array element as a syntax error; only invalid JSON is one.
        let is_json = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
        // Invalid JSON can fail as a type error first (`{not json` is "a map, expected an array").
        if !is_json {
            UwParseError::MalformedJson(strip_position(&e))
        } else {
            UwParseError::UnexpectedShape(format!(
                "expected [channel, payload], got {}",
                preview(text)
            ))
        }
    })?;
    let raw = payload.get();

    if let Some(reply) = as_reply(raw) {
        return Ok(reply_message(channel_name.into_owned(), reply));
    }

    let channel = UwChannel::parse(&channel_name).ok_or_else(|| UwParseError::UnknownChannel {
        channel: channel_name.clone().into_owned(),
    })?;
    if !raw.starts_with('{') {
        return Err(UwParseError::UnexpectedShape(format!(
            "{channel}: payload must be an object, got {}",
            preview(raw)
        )));
    }
    let payload = decode_payload(&channel, raw, ts_init, ids)?;
    Ok(UwWsMessage::Data { channel, payload })
}

/// `match` over the channel kinds of the registry: `$one!(Type)` for a channel whose frame is one
/// record of its type, `$custom!(Type)` for the others (the channel name fills a field, or a
/// frame carries many records). The one dispatch both parse paths use.
macro_rules! channel_dispatch {
    ([($kind_expr:expr, $one:ident, $custom:ident)]
     $( $rec:ident : $( live($kind:ident, $wire:literal, $scope:ident, $decode:ident) )? $( history $history:tt )? ),* $(,)?) => {
        match $kind_expr {
            $( $( ChannelKind::$kind => channel_dispatch!(@$decode $one $custom $rec), )? )*
        }
    };
    (@one $one:ident $custom:ident $rec:ident) => { $one!($rec) };
    (@custom $one:ident $custom:ident $rec:ident) => { $custom!($rec) };
}

/// The common case in one pass over the text: a well-formed data frame of a known channel.
///
/// `None` sends the frame through the general path (envelope first, then the payload), which
/// also recognises acks and produces every error; this path only ever accepts what that one
/// would accept, with the same result. It exists because the envelope's raw-payload pass
/// re-scanned every byte of the firehose's frames (a quarter of the parse time).
fn parse_data_frame_in_one_pass(
    text: &str,
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Option<UwWsMessage> {
    // `["<channel>",{`: a plain channel name (no escapes) followed by an object payload.
    let rest = text.strip_prefix("[\"")?;
    // Bytes, not chars: the quote is ASCII, and `str::find`'s char searcher and `str::trim`'s
    // Unicode whitespace were 4% of an option print's parse on their own. The quote and an
    // escape are found in the one scan (a second, `contains`, was 0.8% of a print's instructions).
    let end = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
    if rest.as_bytes()[end] != b'"' {
        return None;
    }
    let name = &rest[..end];
    // JSON's whitespace only: the general path would refuse any other before the payload.
    let payload = trim_json_space(trim_json_space(&rest[end + 1..]).strip_prefix(',')?);
    if !payload.starts_with('{') {
        return None;
    }
    let channel = UwChannel::parse(name)?;
    let ctx = channel.kind.as_str();
    // The compact lexer decodes what it can vouch for exactly as serde_json would, a third
    // faster, and declines possible replies itself; serde_json takes the rest (escapes, doubts).
    //
    // Each record is pushed straight into its one-element payload and finished in place there:
    // passed along by value, a record (most of a kilobyte) was copied once more at each step.
    fn one<R: UwRecord + serde::de::DeserializeOwned>(text: &str, payload: &str) -> Option<Vec<R>> {
        let mut records = Vec::with_capacity(1);
        if let Some(push_in_order) = R::PUSH_IN_UW_ORDER
            && push_in_order(text, &mut records).is_ok()
        {
            return Some(records);
        }
        if compact_json::push_compact_frame::<R>(text, &mut records).is_ok() {
            return Some(records);
        }
        // Replies (`{"status": .., "response": ..}`) are small; leave anything that might be
        // one to the general path (`payload` still ends with the envelope's `]`).
        if payload.len() <= MAX_REPLY_BYTES + 1 && REPLY_KEY.find(payload.as_bytes()).is_some() {
            return None;
        }
        records.push(
            serde_json::from_str::<(serde::de::IgnoredAny, R)>(text)
                .ok()
                .map(|(_, r)| r)?,
        );
        Some(records)
    }
    fn finished<R: UwRecord>(
        mut records: Vec<R>,
        ctx: &str,
        ts_init: u64,
        ids: &InstrumentIdFormat,
    ) -> Option<Vec<R>> {
        for r in &mut records {
            finish_record(r, ctx, ts_init, ids).ok()?;
        }
        Some(records)
    }
    macro_rules! one {
        ($variant:ident) => {
            UwPayload::$variant(finished(
                one::<$variant>(text, payload)?,
                ctx,
                ts_init,
                ids,
            )?)
        };
    }
    // Channels that fill in from the channel name or split a chunk: the general path handles them.
    macro_rules! custom {
        ($variant:ident) => {
            return None
        };
    }
    let payload = crate::uw_records!(channel_dispatch, (channel.kind, one, custom));
    Some(UwWsMessage::Data { channel, payload })
}

/// `text` without JSON's whitespace (space, tab, line feed, carriage return) at either end.
fn trim_json_space(text: &str) -> &str {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    // Both cuts sit next to ASCII bytes, so on char boundaries.
    &text[start..end.max(start)]
}

fn decode_payload(
    channel: &UwChannel,
    raw: &str,
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<UwPayload, UwParseError> {
    let ctx = channel.kind.as_str();
    macro_rules! one {
        ($variant:ident) => {
            UwPayload::$variant(vec![decode_one::<$variant>(raw, ctx, ts_init, ids)?])
        };
    }
    // Older `price` and `net_flow` payloads omit `ticker`: the channel suffix names it.
    macro_rules! custom {
        (Price) => {
            UwPayload::Price(vec![with_channel_ticker::<Price>(
                channel, raw, ts_init, ids,
            )?])
        };
        (NetFlow) => {
            UwPayload::NetFlow(vec![with_channel_ticker::<NetFlow>(
                channel, raw, ts_init, ids,
            )?])
        };
        (Periscope) => {
            UwPayload::Periscope(decode_periscope(raw, ctx, ts_init, ids)?)
        };
        // Channels UW documents no payload for: the payload whole, named by its channel.
        (ApiResponse) => {
            UwPayload::ApiResponse(vec![ApiResponse::of_frame(
                &channel.to_string(),
                raw,
                ts_init,
            )])
        };
    }
    Ok(crate::uw_records!(
        channel_dispatch,
        (channel.kind, one, custom)
    ))
}

/// A record whose `ticker` the channel suffix (`price:SPY`) supplies when the payload omits it.
trait ChannelTicker: UwRecord + serde::de::DeserializeOwned {
    fn ticker_slot(&mut self) -> &mut Option<String>;
}

impl ChannelTicker for Price {
    fn ticker_slot(&mut self) -> &mut Option<String> {
        &mut self.ticker
    }
}

impl ChannelTicker for NetFlow {
    fn ticker_slot(&mut self) -> &mut Option<String> {
        &mut self.ticker
    }
}

fn with_channel_ticker<R: ChannelTicker>(
    channel: &UwChannel,
    raw: &str,
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<R, UwParseError> {
    let ctx = channel.kind.as_str();
    let mut r: R = deserialize_json(raw, ctx)?;
    let slot = r.ticker_slot();
    if slot.is_none() {
        slot.clone_from(&channel.ticker);
    }
    finish_record(&mut r, ctx, ts_init, ids)?;
    Ok(r)
}

/// A periscope frame: one chunk of a snapshot, rows decoded in place (no JSON tree).
#[derive(Deserialize)]
struct PeriscopeChunk {
    #[serde(deserialize_with = "de_string")]
    ticker: String,
    #[serde(deserialize_with = "de_timestamp")]
    timestamp: u64,
    #[serde(default, deserialize_with = "de_opt_i64")]
    total_rows: Option<i64>,
    #[serde(default, deserialize_with = "de_bool_or_false")]
    has_more: bool,
    #[serde(default)]
    rows: Vec<PeriscopeRowWire>,
}

#[derive(Deserialize)]
struct PeriscopeRowWire {
    #[serde(deserialize_with = "de_f64")]
    strike: f64,
    #[serde(deserialize_with = "de_date")]
    expiry: String,
    #[serde(default, deserialize_with = "de_opt_f64")]
    gamma: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_f64")]
    charm: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_f64")]
    vanna: Option<f64>,
}

fn decode_periscope(
    raw: &str,
    ctx: &str,
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<Vec<Periscope>, UwParseError> {
    let chunk: PeriscopeChunk = deserialize_json(raw, ctx)?;
    let mut out = Vec::with_capacity(chunk.rows.len());
    for row in chunk.rows {
        let mut r = Periscope {
            ticker: chunk.ticker.clone(),
            timestamp: chunk.timestamp,
            total_rows: chunk.total_rows,
            has_more: chunk.has_more,
            strike: row.strike,
            expiry: row.expiry,
            gamma: row.gamma,
            charm: row.charm,
            vanna: row.vanna,
            ts_event: 0,
            ts_init: 0,
            instrument_id: None,
        };
        finish_record(&mut r, ctx, ts_init, ids)?;
        out.push(r);
    }
    Ok(out)
}

/// Deserializes one record and derives its timestamps and instrument id.
///
/// # Errors
/// As [`deserialize_json`], plus an unusable instrument symbol.
pub fn decode_one<R: UwRecord + serde::de::DeserializeOwned>(
    raw: &str,
    context: &str,
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<R, UwParseError> {
    let mut record: R = deserialize_json(raw, context)?;
    finish_record(&mut record, context, ts_init, ids)?;
    Ok(record)
}

fn as_reply(raw: &str) -> Option<Reply> {
    if raw.len() > MAX_REPLY_BYTES || !raw.contains("\"status\"") {
        return None;
    }
    let reply: Reply = serde_json::from_str(raw).ok()?;
    (reply.status.is_some() && reply.response.is_some()).then_some(reply)
}

fn reply_message(channel: String, reply: Reply) -> UwWsMessage {
    if reply.status.as_deref() == Some("ok") {
        return UwWsMessage::JoinAck { channel };
    }
    let response = reply.response.unwrap_or(serde_json::Value::Null);
    let reason = response
        .get("reason")
        .and_then(serde_json::Value::as_str)
        .map_or_else(|| response.to_string(), str::to_owned);
    UwWsMessage::JoinError { channel, reason }
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    s.split(" at line ").next().unwrap_or(&s).to_owned()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::common::testing::all_ws_frames;

    fn one_pass(frame: &str) -> Option<UwWsMessage> {
        parse_data_frame_in_one_pass(frame, 42, &InstrumentIdFormat::new("SMART", false))
    }

    fn two_passes(frame: &[u8]) -> Result<UwWsMessage, UwParseError> {
        parse_frame_in_two_passes(frame, 42, &InstrumentIdFormat::new("SMART", false))
    }

    #[test]
    fn data_frames_take_the_one_pass_path_with_the_same_result() {
        let mut taken = 0;
        for frame in all_ws_frames() {
            let general = two_passes(frame.as_bytes());
            match one_pass(&frame) {
                Some(fast) => {
                    assert_eq!(Ok(fast), general, "{frame}");
                    taken += 1;
                }
                None => {
                    // Only the channels that borrow from the channel name or split a chunk,
                    // acks, and frames the general path rejects go the long way.
                    let borrows = ["[\"price", "[\"net_flow", "[\"periscope"]
                        .iter()
                        .any(|p| frame.starts_with(p));
                    let data = matches!(general, Ok(UwWsMessage::Data { .. }));
                    assert!(
                        borrows || !data,
                        "a data frame missed the one-pass path: {frame}"
                    );
                }
            }
        }
        assert!(taken > 50, "{taken}");
    }

    // The speed of the hot channels rests on the compact lexer taking their frames; a decline
    // would be correct but silently slow.
    #[test]
    fn option_prints_and_flow_alerts_take_the_compact_lexer() {
        let mut taken = 0;
        for frame in all_ws_frames() {
            if frame.contains("\"status\"") {
                continue; // acks
            }
            let ok = if frame.starts_with("[\"option_trades") {
                compact_json::push_compact_frame::<OptionTrade>(&frame, &mut Vec::new()).is_ok()
            } else if frame.starts_with("[\"flow-alerts") {
                compact_json::push_compact_frame::<FlowAlert>(&frame, &mut Vec::new()).is_ok()
            } else {
                continue;
            };
            assert!(ok, "declined: {frame}");
            taken += 1;
        }
        assert!(taken > 20, "{taken}");
    }

    #[test]
    fn acks_and_look_alikes_go_the_general_way() {
        for frame in [
            r#"["option_trades",{"status":"ok","response":{}}]"#,
            r#"["flow-alerts",{"status":"error","response":{"reason":"no access"}}]"#,
            r#"["option_trades",[1,2,3]]"#,
            r#"["option_trades",{}, 1]"#,
            r#"["option_\u0074rades",{}]"#,
            r#"["nope",{}]"#,
        ] {
            assert_eq!(one_pass(frame), None, "{frame}");
        }
    }

    // JSON's four whitespace bytes around the payload take the fast path; any other space
    // (which `str::trim` would have cut) is the general path's to refuse.
    #[test]
    fn only_json_whitespace_surrounds_a_payload() {
        let frame = all_ws_frames()
            .into_iter()
            .find(|f| f.starts_with("[\"option_trades") && !f.contains("\"status\""))
            .expect("an option print");
        let (name, rest) = frame.split_once("\",").expect("an envelope");
        let head = format!("{name}\"");
        let payload = rest.trim().strip_suffix(']').expect("an envelope").trim();
        let expected = two_passes(frame.as_bytes()).expect("a data frame");
        for (before, after) in [(" ", " "), ("\t\n", "\r\n"), ("\r", "\t")] {
            let spaced = format!("{head}{before},{before}{payload}{after}]");
            assert_eq!(one_pass(&spaced).as_ref(), Some(&expected), "{spaced:?}");
        }
        for other in ["\u{a0}", "\u{2003}", "\u{c}"] {
            let spaced = format!("{head},{other}{payload}]");
            assert_eq!(one_pass(&spaced), None, "{spaced:?}");
            assert!(two_passes(spaced.as_bytes()).is_err(), "{spaced:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        // Whatever a damaged frame becomes, the one-pass path agrees with the general one or
        // leaves the frame to it.
        #[test]
        fn one_pass_agrees_with_two_passes_on_damaged_frames(
            pick in any::<prop::sample::Index>(),
            pos in any::<prop::sample::Index>(),
            byte in prop::sample::select(b"{}[],:\"\\ 0-.aeE".to_vec()),
            mode in 0u8..4,
        ) {
            let frames = all_ws_frames();
            let mut frame = frames[pick.index(frames.len())].clone().into_bytes();
            let i = pos.index(frame.len());
            match mode {
                0 => frame[i] = byte,
                1 => { frame.remove(i); }
                2 => frame.insert(i, byte),
                _ => frame.truncate(i),
            }
            if let Ok(text) = std::str::from_utf8(&frame)
                && let Some(fast) = one_pass(text)
            {
                prop_assert_eq!(Ok(fast), two_passes(&frame));
            }
        }
    }
}
