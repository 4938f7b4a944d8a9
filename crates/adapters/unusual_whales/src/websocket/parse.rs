//! Frame parsing: `[channel, payload]` -> [`UwWsMessage`], without building a JSON tree.
//!
//! The envelope is decoded into a borrowed channel name and a raw payload slice; only the payload
//! of a known channel is deserialized, straight into its record type.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::common::consts::MAX_FRAME_BYTES;
use crate::common::error::{UwParseError, deserialize_json};
use crate::common::parse::{
    de_bool_or_false, de_date, de_f64, de_opt_f64, de_opt_i64, de_string, de_timestamp,
};
use crate::data::record::UwRecord;
use crate::data::*;
use crate::websocket::channel::{ChannelKind, UwChannel};
use crate::websocket::messages::UwWsMessage;

#[derive(Deserialize)]
struct Envelope<'a>(#[serde(borrow)] Cow<'a, str>, #[serde(borrow)] &'a RawValue);

#[derive(Deserialize)]
struct Reply {
    status: Option<String>,
    response: Option<serde_json::Value>,
}

/// Acks are tiny; payloads longer than this are never probed for a reply shape.
const MAX_REPLY_BYTES: usize = 1024;

/// Decodes one server frame.
///
/// `ts_init` stamps every record (when the frame arrived); `venue` is the venue of instrument ids.
///
/// # Errors
/// Every malformed input is an error value: oversized frames, bad JSON, a shape that is not
/// `[channel, payload]`, an unknown channel, and missing, mistyped or unusable fields (named).
pub fn parse_frame(frame: &[u8], ts_init: u64, venue: &str) -> Result<UwWsMessage, UwParseError> {
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
    let payload = decode_payload(&channel, raw, ts_init, venue)?;
    Ok(UwWsMessage::Data { channel, payload })
}

fn decode_payload(
    channel: &UwChannel,
    raw: &str,
    ts_init: u64,
    venue: &str,
) -> Result<UwPayload, UwParseError> {
    let ctx = channel.kind.as_str();
    macro_rules! one {
        ($variant:ident) => {
            UwPayload::$variant(vec![decode_one::<$variant>(raw, ctx, ts_init, venue)?])
        };
    }
    Ok(match channel.kind {
        ChannelKind::FlowAlerts => one!(FlowAlert),
        ChannelKind::OptionTrades => one!(OptionTrade),
        ChannelKind::Gex => one!(TickerGex),
        ChannelKind::GexStrike => one!(StrikeGex),
        ChannelKind::GexStrikeExpiry => one!(ExpiryStrikeGex),
        ChannelKind::LitTrades => one!(LitTrade),
        ChannelKind::OffLitTrades => one!(DarkPoolTrade),
        ChannelKind::News => one!(NewsHeadline),
        ChannelKind::MarketTide => one!(MarketTide),
        ChannelKind::IntervalFlow => one!(IntervalFlow),
        ChannelKind::ContractScreener => one!(ContractScreener),
        ChannelKind::TradingHalts => one!(TradingHalt),
        ChannelKind::CustomAlerts => one!(CustomAlert),
        ChannelKind::InterpolatedIv => one!(InterpolatedIv),
        ChannelKind::IvTermStructure => one!(IvTermStructure),
        // Older `price` and `net_flow` payloads omit `ticker`: the channel suffix names it.
        ChannelKind::Price => {
            let mut r: Price = deserialize_json(raw, ctx)?;
            if r.ticker.is_none() {
                r.ticker.clone_from(&channel.ticker);
            }
            finish_record(&mut r, ctx, ts_init, venue)?;
            UwPayload::Price(vec![r])
        }
        ChannelKind::NetFlow => {
            let mut r: NetFlow = deserialize_json(raw, ctx)?;
            if r.ticker.is_none() {
                r.ticker.clone_from(&channel.ticker);
            }
            finish_record(&mut r, ctx, ts_init, venue)?;
            UwPayload::NetFlow(vec![r])
        }
        ChannelKind::Periscope => UwPayload::Periscope(decode_periscope(raw, ctx, ts_init, venue)?),
    })
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
    venue: &str,
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
        finish_record(&mut r, ctx, ts_init, venue)?;
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
    venue: &str,
) -> Result<R, UwParseError> {
    let mut record: R = deserialize_json(raw, context)?;
    finish_record(&mut record, context, ts_init, venue)?;
    Ok(record)
}

/// Derives `ts_event`, `ts_init` and the instrument id of a decoded record.
///
/// # Errors
/// [`UwParseError::InvalidField`] when the instrument symbol is unusable.
pub fn finish_record<R: UwRecord>(
    record: &mut R,
    context: &str,
    ts_init: u64,
    venue: &str,
) -> Result<(), UwParseError> {
    record
        .finish(ts_init, venue)
        .map_err(|(field, message)| UwParseError::InvalidField {
            context: context.to_owned(),
            field: field.to_owned(),
            message,
        })
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

/// The first characters of an input, for error messages that must stay short.
pub(crate) fn preview(text: &str) -> String {
    const MAX: usize = 80;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &text[..end], text.len())
}
