//! REST response bodies -> records: envelopes (`data` list or object, bare arrays) and UW's
//! three error shapes (SPEC.md §5, §7.3).

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::common::error::{UwParseError, deserialize_json};
use crate::data::record::UwRecord;
use crate::data::*;
use crate::http::endpoint::{UwEndpoint, UwRequestTarget};
use crate::websocket::parse::{finish_record, preview};

#[derive(Deserialize)]
struct DataEnvelope<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    // UW's error shapes: {"error":{"code","message"}} / {"error":"..."}, {"code","message"}, {"msg",...}.
    #[serde(borrow)]
    error: Option<&'a RawValue>,
    code: Option<String>,
    message: Option<String>,
    msg: Option<String>,
}

/// A record whose rows may omit the ticker that the request path names.
trait PathTicker {
    fn fill_ticker(&mut self, _ticker: Option<&String>) {}
}

macro_rules! path_ticker {
    ($($t:ty),*) => { $(impl PathTicker for $t {})* };
}
path_ticker!(
    FlowAlert,
    OptionTrade,
    DarkPoolTrade,
    LitTrade,
    MarketTide,
    NewsHeadline
);

macro_rules! path_ticker_fills {
    ($($t:ty),*) => {$(
        impl PathTicker for $t {
            fn fill_ticker(&mut self, ticker: Option<&String>) {
                if self.ticker.is_none() {
                    self.ticker = ticker.cloned();
                }
            }
        }
    )*};
}
path_ticker_fills!(
    NetPremTick,
    SpotExposure,
    GreekExposure,
    StrikeGreekExposure,
    ExpiryGreekExposure,
    GexLevels,
    StrikeSpotExposure
);

/// Decodes a REST response body for `endpoint` (a short name or a request path).
///
/// # Errors
/// [`UwParseError::UnknownEndpoint`], [`UwParseError::ErrorBody`] when UW answered with an error,
/// `MalformedJson`/`UnexpectedShape` for bodies that are not UW data, and `InvalidField` naming
/// `data[i].field`.
pub fn parse_rest_body(
    endpoint: &str,
    body: &[u8],
    ts_init: u64,
    venue: &str,
) -> Result<UwPayload, UwParseError> {
    let target = UwRequestTarget::parse(endpoint)?;
    let ctx = target.endpoint.name();
    let text = std::str::from_utf8(body)
        .map_err(|e| UwParseError::MalformedJson(format!("body is not UTF-8: {e}")))?;
    let trimmed = text.trim_start();
    let rows: &RawValue = if trimmed.starts_with('[') {
        serde_json::from_str(text).map_err(|e| UwParseError::MalformedJson(e.to_string()))?
    } else if trimmed.starts_with('{') {
        let env: DataEnvelope =
            serde_json::from_str(text).map_err(|e| UwParseError::MalformedJson(e.to_string()))?;
        if let Some(message) = error_message(&env) {
            return Err(UwParseError::ErrorBody {
                context: ctx.to_owned(),
                message,
            });
        }
        env.data.ok_or_else(|| {
            UwParseError::UnexpectedShape(format!(
                "{ctx}: expected a `data` field, got {}",
                preview(text)
            ))
        })?
    } else {
        // UW's 500 is `text/plain` "Something went wrong"; proxies answer with HTML.
        return Err(UwParseError::ErrorBody {
            context: ctx.to_owned(),
            message: preview(text.trim()),
        });
    };
    let ticker = target.ticker.as_ref();
    Ok(match target.endpoint {
        UwEndpoint::FlowAlerts => {
            UwPayload::FlowAlert(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::OptionTrades => {
            UwPayload::OptionTrade(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::DarkPoolRecent | UwEndpoint::DarkPoolTicker => {
            UwPayload::DarkPoolTrade(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::LitFlowRecent | UwEndpoint::LitFlowTicker => {
            UwPayload::LitTrade(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::MarketTide => {
            UwPayload::MarketTide(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::NetPremTicks => {
            UwPayload::NetPremTick(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::SpotExposures => {
            UwPayload::SpotExposure(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::NewsHeadlines => {
            UwPayload::NewsHeadline(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::GreekExposure => {
            UwPayload::GreekExposure(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::GreekExposureStrike | UwEndpoint::GreekExposureStrikeExpiry => {
            UwPayload::StrikeGreekExposure(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::GreekExposureExpiry => {
            UwPayload::ExpiryGreekExposure(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::GexLevels => {
            UwPayload::GexLevels(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
        UwEndpoint::SpotExposuresStrike => {
            UwPayload::StrikeSpotExposure(decode_rows(rows, ctx, ticker, ts_init, venue)?)
        }
    })
}

fn error_message(env: &DataEnvelope) -> Option<String> {
    if let Some(err) = env.error {
        #[derive(Deserialize)]
        struct Nested {
            code: Option<String>,
            message: Option<String>,
        }
        return Some(match serde_json::from_str::<Nested>(err.get()) {
            Ok(Nested { code, message }) => join(code, message),
            Err(_) => {
                serde_json::from_str::<String>(err.get()).unwrap_or_else(|_| err.get().to_owned())
            }
        });
    }
    if env.data.is_none() && (env.code.is_some() || env.message.is_some()) {
        return Some(join(env.code.clone(), env.message.clone()));
    }
    env.msg.clone().filter(|_| env.data.is_none())
}

fn join(code: Option<String>, message: Option<String>) -> String {
    match (code, message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(s), None) | (None, Some(s)) => s,
        (None, None) => "unknown error".to_owned(),
    }
}

fn decode_rows<R: UwRecord + PathTicker + DeserializeOwned>(
    rows: &RawValue,
    ctx: &str,
    ticker: Option<&String>,
    ts_init: u64,
    venue: &str,
) -> Result<Vec<R>, UwParseError> {
    let raw = rows.get();
    let items: Vec<&RawValue> = if raw.starts_with('[') {
        serde_json::from_str(raw).map_err(|e| UwParseError::MalformedJson(e.to_string()))?
    } else if raw.starts_with('{') {
        vec![rows]
    } else {
        return Err(UwParseError::UnexpectedShape(format!(
            "{ctx}: `data` is {}",
            preview(raw)
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let mut record: R = deserialize_json(item.get(), ctx).map_err(|e| in_row(e, i))?;
        record.fill_ticker(ticker);
        finish_record(&mut record, ctx, ts_init, venue).map_err(|e| in_row(e, i))?;
        out.push(record);
    }
    Ok(out)
}

fn in_row(err: UwParseError, i: usize) -> UwParseError {
    match err {
        UwParseError::InvalidField {
            context,
            field,
            message,
        } => UwParseError::InvalidField {
            context,
            field: format!("data[{i}].{field}"),
            message,
        },
        other => other,
    }
}
