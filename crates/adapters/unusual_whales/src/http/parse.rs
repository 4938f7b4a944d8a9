//! REST response bodies -> records: envelopes (`data` list or object, bare arrays, `chains`, the
//! flow-alert detail's `alert` + `trades`, net-flow's nested groups) and UW's three error shapes
//! (docs/uw-api.md#response-envelopes, docs/uw-api.md#error-responses).

use std::cell::RefCell;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::common::error::{UwParseError, deserialize_json, preview};
use crate::common::parse::{de_opt_date, de_opt_string, de_string_list};
use crate::common::symbol::InstrumentIdFormat;
use crate::common::time::parse_date;
use crate::data::record::{UwRecord, finish_record};
use crate::data::*;
use crate::http::endpoint::{UwEndpoint, UwRequestTarget};
use crate::http::request::UwRequest;
use crate::http::tape::decode_tape;

#[derive(Deserialize, Default)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    // `/api/option-contract/{id}/historic` lists its rows under `chains`.
    #[serde(borrow)]
    chains: Option<&'a RawValue>,
    // `/api/option-trades/flow-alerts/{id}`: the alert and its prints (`has_more` is not kept:
    // page with `older_than` until no trades come back).
    #[serde(borrow)]
    alert: Option<&'a RawValue>,
    #[serde(borrow)]
    trades: Option<&'a RawValue>,
    // Top-level values some rows omit: the trading date (`/max-pain`, `/flow-per-expiry`,
    // `/darkpool/{ticker}/price-levels`) and the `expiration`
    // filter echo (`/net-flow/expiry`). Kept raw so a bad value is reported by name.
    #[serde(borrow)]
    date: Option<&'a RawValue>,
    #[serde(borrow)]
    expiration: Option<&'a RawValue>,
    // UW's error shapes: {"error":{"code","message"}} / {"error":"..."}, {"code","message"}, {"msg",...}.
    #[serde(borrow)]
    error: Option<&'a RawValue>,
    code: Option<String>,
    message: Option<String>,
    msg: Option<String>,
}

impl Envelope<'_> {
    const fn has_rows(&self) -> bool {
        self.data.is_some() || self.chains.is_some() || self.alert.is_some()
    }
}

/// What rows may omit and the request path or the response envelope supplies.
#[derive(Clone)]
struct RowContext<'a> {
    target: &'a UwRequestTarget,
    /// The response's top-level `date`, else the request's.
    date: Option<String>,
    /// The one expiry the request asks for (`expiry=`, or a single `expirations[]=`).
    expiry: Option<String>,
    /// The response's top-level `expiration` list.
    expiration: Vec<String>,
    /// The `(tide_type, moneyness)` of the net-flow group a row sits in.
    tide_type: Option<String>,
    moneyness: Option<String>,
}

/// Sets `slot` from `value` when the row left it empty.
fn fill(slot: &mut Option<String>, value: Option<&String>) {
    if slot.is_none() {
        *slot = value.cloned();
    }
}

/// A record whose rows may omit what the request path or the envelope names.
trait FromContext {
    /// A field that a bare JSON string row stands for (`/option-chains` lists symbols only).
    const BARE_STRING_FIELD: Option<&'static str> = None;

    fn fill_from(&mut self, _ctx: &RowContext<'_>) {}
}

macro_rules! self_contained {
    ($($t:ty),*) => { $(impl FromContext for $t {})* };
}
self_contained!(
    FlowAlert,
    OptionTrade,
    DarkPoolTrade,
    LitTrade,
    MarketTide,
    NewsHeadline,
    CongressTrade,
    InsiderTransaction,
    OpenInterestChange,
    ScreenedContract,
    EconomicEvent,
    ContractScreener,
    MultiLegTrade
);

macro_rules! path_ticker_fills {
    ($($t:ty),*) => {$(
        impl FromContext for $t {
            fn fill_from(&mut self, ctx: &RowContext<'_>) {
                fill(&mut self.ticker, ctx.target.ticker.as_ref());
            }
        }
    )*};
}
path_ticker_fills!(
    SpotExposure,
    StrikeSpotExposure,
    StockState,
    StockQuote,
    Nope
);

// Rows answering `?date=2025-05-12` describe that day even when they do not repeat it, so that
// their time is that day's close rather than the moment they were downloaded.
macro_rules! path_ticker_and_date_fills {
    ($($t:ty),*) => {$(
        impl FromContext for $t {
            fn fill_from(&mut self, ctx: &RowContext<'_>) {
                fill(&mut self.ticker, ctx.target.ticker.as_ref());
                fill(&mut self.date, ctx.date.as_ref());
            }
        }
    )*};
}
path_ticker_and_date_fills!(
    NetPremTick,
    GexLevels,
    GreekExposure,
    StrikeGreekExposure,
    ExpiryGreekExposure,
    StrikeFlow,
    IvRank,
    HorizonIv,
    ExpiryIv,
    StrikeOpenInterest,
    ExpiryOpenInterest,
    VolatilityStats,
    RealizedVolatility,
    ExpiryFlow,
    NetImpact,
    EtfTide,
    DarkPoolLevel
);

// Rows of a request for one expiry (`/greeks`, `/historical-risk-reversal-skew`,
// `/spot-exposures/expiry-strike` with one `expirations[]`) belong to it whether they say so or not.
macro_rules! path_ticker_and_expiry_fills {
    ($($t:ty),*) => {$(
        impl FromContext for $t {
            fn fill_from(&mut self, ctx: &RowContext<'_>) {
                fill(&mut self.ticker, ctx.target.ticker.as_ref());
                fill(&mut self.expiry, ctx.expiry.as_ref());
            }
        }
    )*};
}
path_ticker_and_expiry_fills!(ExpiryStrikeSpotExposure, RiskReversalSkew);

impl FromContext for StrikeGreeks {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.ticker, ctx.target.ticker.as_ref());
        fill(&mut self.expiry, ctx.expiry.as_ref());
        fill(&mut self.date, ctx.date.as_ref());
    }
}

impl FromContext for GreekFlow {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.ticker, ctx.target.ticker.as_ref());
        fill(&mut self.expiry, ctx.target.expiry.as_ref());
    }
}

impl FromContext for OhlcBar {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.ticker, ctx.target.ticker.as_ref());
        fill(&mut self.candle_size, ctx.target.candle_size.as_ref());
    }
}

impl FromContext for MaxPain {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.ticker, ctx.target.ticker.as_ref());
        fill(&mut self.date, ctx.date.as_ref());
    }
}

impl FromContext for ExpiryTide {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.tide_type, ctx.tide_type.as_ref());
        fill(&mut self.moneyness, ctx.moneyness.as_ref());
        fill(&mut self.date, ctx.date.as_ref());
        if self.expiration.is_empty() {
            self.expiration.clone_from(&ctx.expiration);
        }
    }
}

impl FromContext for OptionContract {
    const BARE_STRING_FIELD: Option<&'static str> = Some("option_symbol");
}

impl FromContext for ContractDay {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.option_symbol, ctx.target.id.as_ref());
    }
}

impl FromContext for GroupGreekFlow {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.flow_group, ctx.target.flow_group.as_ref());
        fill(&mut self.expiry, ctx.target.expiry.as_ref());
    }
}

impl FromContext for MultiLegLeg {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.strategy_id, ctx.target.id.as_ref());
    }
}

impl FromContext for ContractBar {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.option_symbol, ctx.target.id.as_ref());
    }
}

impl FromContext for Earnings {
    fn fill_from(&mut self, ctx: &RowContext<'_>) {
        fill(&mut self.symbol, ctx.target.ticker.as_ref());
    }
}

/// One `(tide_type, moneyness)` group of `/api/net-flow/expiry`.
#[derive(Deserialize)]
struct TideGroup {
    #[serde(default, deserialize_with = "de_opt_string")]
    tide_type: Option<String>,
    #[serde(default, deserialize_with = "de_opt_string")]
    moneyness: Option<String>,
    data: Box<RawValue>,
}

/// Decodes a REST response body for `endpoint`: a short name (`net_prem_ticks`) or a request
/// path with its query (`/api/stock/SPY/net-prem-ticks?date=2025-03-21`), as a user gives it.
///
/// # Errors
/// As [`parse_rest_response`], and [`UwParseError::UnknownEndpoint`] for text that names no
/// endpoint.
pub fn parse_rest_body(
    endpoint: &str,
    body: &[u8],
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<Vec<UwPayload>, UwParseError> {
    parse_rest_response(&UwRequest::parse(endpoint)?, body, ts_init, ids)
}

/// Decodes the body UW answered `request` with.
///
/// Every endpoint but one yields one payload (possibly empty); `flow_alert_detail` yields the
/// alert and then its prints. Rows that omit what the request names (the ticker in the path, the
/// `date` asked for) get it from the request.
///
/// # Errors
/// [`UwParseError::ErrorBody`] when UW answered with an error, `MalformedJson`/`UnexpectedShape`
/// for bodies that are not UW data, and `InvalidField` naming the row and field (`data[i].field`,
/// `chains[i].field`, `alert.field`, ...).
pub fn parse_rest_response(
    request: &UwRequest,
    body: &[u8],
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<Vec<UwPayload>, UwParseError> {
    parse_body(request, body, ts_init, ids, false).map(|page| page.payloads)
}

/// A page of UW's answer: its records, and the rows of it that could not be read.
#[derive(Debug, Default)]
pub struct RestPage {
    /// The records of the rows that could be read.
    pub payloads: Vec<UwPayload>,
    /// One error per row that could not be read, naming the row and the field
    /// (`data[55].total_premium`).
    pub skipped: Vec<UwParseError>,
}

impl RestPage {
    /// The rows UW sent: those read and those skipped (what a pager compares with its page size).
    #[must_use]
    pub fn rows(&self) -> usize {
        self.payloads.iter().map(UwPayload::len).sum::<usize>() + self.skipped.len()
    }
}

/// As [`parse_rest_response`], except that a row of a list that cannot be read is skipped and
/// reported in [`RestPage::skipped`], so that one bad row does not cost its page the others.
///
/// # Errors
/// As [`parse_rest_response`] for the body as a whole (an error body, no JSON, the wrong shape),
/// and for a list none of whose rows can be read (UW's format, not a row, is then at fault).
pub fn parse_rest_page(
    request: &UwRequest,
    body: &[u8],
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<RestPage, UwParseError> {
    parse_body(request, body, ts_init, ids, true)
}

fn parse_body(
    request: &UwRequest,
    body: &[u8],
    ts_init: u64,
    ids: &InstrumentIdFormat,
    skip_bad_rows: bool,
) -> Result<RestPage, UwParseError> {
    let target = &request.target;
    let name = target.endpoint.name();
    // The full tape is a zip of CSV (docs/uw-api.md#rest-full-tape), the one body that is not JSON.
    if target.endpoint.zipped() {
        return Ok(RestPage {
            payloads: vec![UwPayload::OptionTrade(decode_tape(body, ts_init, ids)?)],
            skipped: Vec::new(),
        });
    }
    let text = std::str::from_utf8(body)
        .map_err(|e| UwParseError::MalformedJson(format!("body is not UTF-8: {e}")))?;
    let trimmed = text.trim_start();
    let env: Envelope = if trimmed.starts_with('[') {
        let rows: &RawValue =
            serde_json::from_str(text).map_err(|e| UwParseError::MalformedJson(e.to_string()))?;
        Envelope {
            data: Some(rows),
            ..Envelope::default()
        }
    } else if trimmed.starts_with('{') {
        let env: Envelope =
            serde_json::from_str(text).map_err(|e| UwParseError::MalformedJson(e.to_string()))?;
        if let Some(message) = error_message(&env) {
            return Err(UwParseError::ErrorBody {
                context: name.to_owned(),
                message,
            });
        }
        env
    } else {
        // UW's 500 is `text/plain` "Something went wrong"; proxies answer with HTML.
        return Err(UwParseError::ErrorBody {
            context: name.to_owned(),
            message: preview(text.trim()),
        });
    };
    // Only the endpoints that use them decode the top-level values, so that an odd `date` on
    // another endpoint cannot fail its rows.
    let top = match target.endpoint {
        UwEndpoint::MaxPain
        | UwEndpoint::NetFlowExpiry
        | UwEndpoint::FlowPerExpiry
        | UwEndpoint::DarkPoolPriceLevels => top_level(&env, name)?,
        _ => TopLevel::default(),
    };
    let ctx = RowContext {
        target,
        date: top.date.or_else(|| {
            request
                .get_param("date")
                .filter(|d| parse_date(d).is_ok())
                .map(str::to_owned)
        }),
        expiry: requested_expiry(request),
        expiration: top.expiration,
        tide_type: None,
        moneyness: None,
    };
    let dec = Decoder {
        name,
        ts_init,
        ids,
        skipped: skip_bad_rows.then(|| RefCell::new(Vec::new())),
    };
    let data = || required(env.data, "data", name, text);
    // Where each endpoint's rows sit, from its row of the registry.
    macro_rules! body {
        (data, $rec:ident) => {
            UwPayload::$rec(dec.rows(data()?, "data", &ctx)?)
        };
        (chains, $rec:ident) => {{
            // UW documents `chains`; accept `data` should it align the envelope with the rest.
            let (rows, key) = match (env.chains, env.data) {
                (Some(c), _) => (c, "chains"),
                (None, Some(d)) => (d, "data"),
                (None, None) => return Err(missing("chains", name, text)),
            };
            UwPayload::$rec(dec.rows(rows, key, &ctx)?)
        }};
        (detail, $rec:ident) => {{
            let alert = required(env.alert, "alert", name, text)?;
            let alerts = UwPayload::$rec(dec.rows(alert, "alert", &ctx)?);
            // An alert without prints (or a page past the last) may omit `trades`.
            let trades = match env.trades {
                Some(t) => dec.rows(t, "trades", &ctx)?,
                None => Vec::new(),
            };
            return Ok(dec.page(vec![alerts, UwPayload::OptionTrade(trades)]));
        }};
        (tide, $rec:ident) => {
            UwPayload::$rec(dec.tide(data()?, &ctx)?)
        };
        (tape, $rec:ident) => {
            UwPayload::$rec(decode_tape(body, ts_init, ids)?)
        };
    }
    macro_rules! dispatch {
        ([] $(
            $(#[doc = $doc:literal])*
            $ep:ident { name: $name:literal, path: $path:literal, records: $rec:ident via $body:ident, $($rest:tt)* }
        )*) => {
            match request.target.endpoint {
                $( UwEndpoint::$ep => body!($body, $rec), )*
            }
        };
    }
    let payload = crate::uw_endpoints!(dispatch);
    Ok(dec.page(vec![payload]))
}

/// The expiry a request names, when it names exactly one valid date: rows that omit theirs belong
/// to it.
fn requested_expiry(request: &UwRequest) -> Option<String> {
    let mut listed = request
        .query
        .iter()
        .filter(|(k, _)| k == "expirations[]")
        .map(|(_, v)| v.as_str());
    let one = match (request.get_param("expiry"), listed.next(), listed.next()) {
        (Some(e), _, _) | (None, Some(e), None) => e,
        _ => return None,
    };
    parse_date(one).is_ok().then(|| one.to_owned())
}

/// UW's message when `body` is one of its error shapes (or not JSON at all: UW's 500 is
/// `text/plain`), `None` for a body that may hold data.
#[must_use]
pub fn error_text(body: &str) -> Option<String> {
    let trimmed = body.trim_start();
    if trimmed.starts_with('[') {
        return None;
    }
    if trimmed.starts_with('{') {
        return serde_json::from_str::<Envelope>(body)
            .ok()
            .and_then(|env| error_message(&env));
    }
    Some(preview(body.trim()))
}

/// The envelope member `key`, or an error quoting the body that lacks it.
fn required<'a>(
    value: Option<&'a RawValue>,
    key: &str,
    name: &str,
    body: &str,
) -> Result<&'a RawValue, UwParseError> {
    value.ok_or_else(|| missing(key, name, body))
}

fn missing(key: &str, name: &str, body: &str) -> UwParseError {
    UwParseError::UnexpectedShape(format!(
        "{name}: expected a `{key}` field, got {}",
        preview(body)
    ))
}

/// The envelope values some rows omit.
#[derive(Deserialize, Default)]
struct TopLevel {
    #[serde(default, deserialize_with = "de_opt_date")]
    date: Option<String>,
    #[serde(default, deserialize_with = "de_string_list")]
    expiration: Vec<String>,
}

/// Decodes the envelope's `date` and `expiration`, naming either on error.
fn top_level(env: &Envelope, name: &str) -> Result<TopLevel, UwParseError> {
    if env.date.is_none() && env.expiration.is_none() {
        return Ok(TopLevel::default());
    }
    let json = format!(
        "{{\"date\":{},\"expiration\":{}}}",
        env.date.map_or("null", RawValue::get),
        env.expiration.map_or("null", RawValue::get)
    );
    deserialize_json(&json, name)
}

fn error_message(env: &Envelope) -> Option<String> {
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
    if !env.has_rows() && (env.code.is_some() || env.message.is_some()) {
        return Some(join(env.code.clone(), env.message.clone()));
    }
    env.msg.clone().filter(|_| !env.has_rows())
}

fn join(code: Option<String>, message: Option<String>) -> String {
    match (code, message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(s), None) | (None, Some(s)) => s,
        (None, None) => "unknown error".to_owned(),
    }
}

/// Decodes rows of one response into finished records.
struct Decoder<'a> {
    name: &'a str,
    ts_init: u64,
    ids: &'a InstrumentIdFormat,
    /// Where the errors of the rows skipped go; `None` fails the response on its first bad row.
    skipped: Option<RefCell<Vec<UwParseError>>>,
}

impl Decoder<'_> {
    fn page(self, payloads: Vec<UwPayload>) -> RestPage {
        RestPage {
            payloads,
            skipped: self.skipped.map(RefCell::into_inner).unwrap_or_default(),
        }
    }

    /// Decodes `rows` (a list, or one object) found at `path` (`data`, `chains`, `alert`, ...).
    fn rows<R: UwRecord + FromContext + DeserializeOwned>(
        &self,
        rows: &RawValue,
        path: &str,
        ctx: &RowContext<'_>,
    ) -> Result<Vec<R>, UwParseError> {
        let raw = rows.get();
        if raw.starts_with('{') {
            return Ok(vec![self.one(raw, ctx).map_err(|e| at(e, path))?]);
        }
        let items: Vec<&RawValue> = if raw.starts_with('[') {
            serde_json::from_str(raw).map_err(|e| UwParseError::MalformedJson(e.to_string()))?
        } else {
            return Err(UwParseError::UnexpectedShape(format!(
                "{}: `{path}` is {}",
                self.name,
                preview(raw)
            )));
        };
        let mut out = Vec::with_capacity(items.len());
        let mut bad = Vec::new();
        let count = items.len();
        for (i, item) in items.into_iter().enumerate() {
            let text = item.get();
            let record = match R::BARE_STRING_FIELD {
                // The string is already a JSON literal: wrapping it makes the object it stands for.
                Some(key) if text.starts_with('"') => {
                    self.one(&format!("{{\"{key}\":{text}}}"), ctx)
                }
                _ => self.one(text, ctx),
            };
            match (record, &self.skipped) {
                (Ok(record), _) => out.push(record),
                (Err(e), Some(_)) => bad.push(at(e, &format!("{path}[{i}]"))),
                (Err(e), None) => return Err(at(e, &format!("{path}[{i}]"))),
            }
        }
        if let Some(skipped) = &self.skipped
            && !bad.is_empty()
        {
            // Not one row readable: UW's format changed, or the endpoint answers another type.
            if bad.len() == count {
                return Err(bad.swap_remove(0));
            }
            skipped.borrow_mut().extend(bad);
        }
        Ok(out)
    }

    fn one<R: UwRecord + FromContext + DeserializeOwned>(
        &self,
        json: &str,
        ctx: &RowContext<'_>,
    ) -> Result<R, UwParseError> {
        let mut record: R = deserialize_json(json, self.name)?;
        record.fill_from(ctx);
        finish_record(&mut record, self.name, self.ts_init, self.ids)?;
        Ok(record)
    }

    /// `/api/net-flow/expiry`: `data` holds one group per `(tide_type, moneyness)`, each with its
    /// minutes under its own `data`.
    fn tide(
        &self,
        groups: &RawValue,
        ctx: &RowContext<'_>,
    ) -> Result<Vec<ExpiryTide>, UwParseError> {
        let raw = groups.get();
        let groups: Vec<&RawValue> = if raw.starts_with('[') {
            serde_json::from_str(raw).map_err(|e| UwParseError::MalformedJson(e.to_string()))?
        } else {
            return Err(UwParseError::UnexpectedShape(format!(
                "{}: `data` is {}",
                self.name,
                preview(raw)
            )));
        };
        let mut out = Vec::new();
        for (i, group) in groups.into_iter().enumerate() {
            let path = format!("data[{i}]");
            let g: TideGroup =
                deserialize_json(group.get(), self.name).map_err(|e| at(e, &path))?;
            let group_ctx = RowContext {
                tide_type: g.tide_type,
                moneyness: g.moneyness,
                ..ctx.clone()
            };
            out.extend(self.rows::<ExpiryTide>(&g.data, &format!("{path}.data"), &group_ctx)?);
        }
        Ok(out)
    }
}

/// Prefixes the field of an `InvalidField` error with where the row sits in the body.
fn at(err: UwParseError, path: &str) -> UwParseError {
    match err {
        UwParseError::InvalidField {
            context,
            field,
            message,
        } => UwParseError::InvalidField {
            context,
            field: format!("{path}.{field}"),
            message,
        },
        other => other,
    }
}
