//! Every GET operation of UW's OpenAPI document, from a table generated out of the document
//! (`scripts/gen_operations.py` writes `operations.json`; a test holds it to the document).
//!
//! The registry's typed endpoints cover a few of them; the rest are reached generically: a
//! request names the operation and its parameters, is validated against what the document
//! declares (required, type, enum, limits), and its answer arrives whole as one
//! [`ApiResponse`](crate::data::ApiResponse). An operation links to a typed endpoint when their
//! path templates match, so an endpoint added to the registry later links by itself.

mod answer;
pub mod fetch;
#[cfg(test)]
mod fetch_tests;
mod request;

use std::sync::LazyLock;

use serde::Deserialize;

use crate::http::endpoint::UwEndpoint;
use crate::subscription::channel::ChannelKind;
pub use answer::{answer_of, base64, parse_answer};
pub use request::{OperationError, OperationRequest};

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamIn {
    /// A `{name}` segment of the path.
    Path,
    /// A query parameter.
    Query,
}

/// One parameter of an operation, as the document declares it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Param {
    /// The name on the wire (`issue_types[]` for repeated keys).
    pub name: String,
    /// Path segment or query parameter.
    #[serde(rename = "in")]
    pub location: ParamIn,
    /// Whether a request must name it.
    pub required: bool,
    /// JSON-schema type: `string`, `integer`, `number`, `boolean`, `array` (or UW's `date`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The type of an array's items.
    #[serde(default)]
    pub items: Option<String>,
    /// The values accepted, when the document lists them.
    #[serde(default, rename = "enum")]
    pub allowed: Vec<String>,
    /// Smallest value of a number.
    #[serde(default)]
    pub minimum: Option<f64>,
    /// Largest value of a number.
    #[serde(default)]
    pub maximum: Option<f64>,
    /// UW's value when the request does not name one.
    #[serde(default)]
    pub default: Option<String>,
    /// `date`, `date-time`, `uuid`, ...
    #[serde(default)]
    pub format: Option<String>,
    /// A regular expression the value matches (shown in errors, not enforced).
    #[serde(default)]
    pub pattern: Option<String>,
}

/// How an operation pages, from its parameters and response (docs/uw-api.md#paging).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PagingStyle {
    /// `older_than` moves back in time, newest first.
    Cursor,
    /// `page` numbers, from the operation's [`OpPaging::page_base`].
    Page,
    /// `offset` rows skipped.
    Offset,
    /// One request answers it.
    None,
}

/// An operation's pagination.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OpPaging {
    /// How pages follow.
    pub style: PagingStyle,
    /// Whether a `date` parameter picks the trading day (history asks day by day).
    pub daily: bool,
    /// Whether the answer says `has_more`.
    pub has_more: bool,
    /// The largest `limit` (count cap), when documented.
    #[serde(default)]
    pub limit_max: Option<u64>,
    /// UW's `limit` when none is sent, when documented.
    #[serde(default)]
    pub limit_default: Option<u64>,
    /// Whether the time cursors take ISO-8601 times only (the document says so of both
    /// `newer_than` and `older_than`): they are sent as RFC 3339 UTC times, not milliseconds.
    #[serde(default)]
    pub cursor_iso: bool,
    /// The widest range one query may span, where the document says UW narrows a wider one at
    /// `older_than` (multi-leg: 24 h): a longer range is asked one window at a time.
    #[serde(default)]
    pub max_span_ms: Option<u64>,
    /// The number of the first page: 1 where the document says pages count from 1 ("Page
    /// number (1-indexed)", `minimum: 1`, "default 1"), else 0.
    #[serde(default)]
    pub page_base: u64,
    /// The field that identifies a row of a cursor page (`id`, `trade_id`), where the document's
    /// rows have one: two pages that overlap at a cursor's instant deliver such a row once.
    #[serde(default)]
    pub row_id: Option<String>,
}

/// What a successful answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseKind {
    /// A JSON body.
    Json,
    /// A ZIP file (the full tape).
    Zip,
    /// The document shows no body (the WebSocket pages).
    None,
}

/// One GET operation of UW's document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Operation {
    /// UW's `operationId` (`PublicApi.TickerController.max_pain`).
    pub id: String,
    /// The adapter's short name, from the path (`stock_ticker_max_pain`).
    pub name: String,
    /// UW's path template (`/api/stock/{ticker}/max-pain`).
    pub path: String,
    /// UW's first tag (`stock`, `market`, `websocket`, ...).
    pub tag: String,
    /// UW's summary.
    pub summary: String,
    /// What the answer is.
    pub response: ResponseKind,
    /// The WebSocket channel a `/api/socket/<channel>` page documents.
    pub channel: Option<String>,
    /// What plan or add-on the document says the operation needs.
    pub plan: Option<String>,
    /// How it pages.
    pub paging: OpPaging,
    /// Its parameters, path ones included.
    pub params: Vec<Param>,
}

/// The generated table: where it came from, and the operations.
#[derive(Debug, Deserialize)]
struct Table {
    meta: TableMeta,
    operations: Vec<Operation>,
}

/// The provenance of the table.
#[derive(Debug, Clone, Deserialize)]
pub struct TableMeta {
    /// SHA-256 of the OpenAPI document the table was generated from.
    pub source_sha256: String,
    /// The document's `info.version`.
    pub info_version: String,
    /// The channel forms of the document's channel table (`option_trades:TICKER`, ...).
    pub channel_forms: Vec<String>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    // Checked in and held to the document by tests: a table that does not decode is a build bug.
    serde_json::from_str(include_str!("operations.json"))
        .unwrap_or_else(|e| unreachable!("operations.json does not decode: {e}"))
});

/// Every GET operation of UW's document, in the document's order.
#[must_use]
pub fn operations() -> &'static [Operation] {
    &TABLE.operations
}

/// Where the table came from.
#[must_use]
pub fn table_meta() -> &'static TableMeta {
    &TABLE.meta
}

/// A path template with its placeholders' names dropped (`/api/stock/{}/max-pain`): UW and the
/// registry name the same segment differently (`{id}`, `{contract}`).
fn template_shape(template: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

impl Operation {
    /// The registry's typed endpoint with the same path, if any.
    #[must_use]
    pub fn typed_endpoint(&self) -> Option<UwEndpoint> {
        let shape = template_shape(&self.path);
        UwEndpoint::ALL
            .iter()
            .copied()
            .find(|e| template_shape(e.path_template()) == shape)
    }

    /// The record type a request of this operation yields: the typed endpoint's, else
    /// `UwApiResponse`.
    #[must_use]
    pub fn record_type_name(&self) -> &'static str {
        use crate::data::record::UwRecord;
        self.typed_endpoint().map_or(
            crate::data::ApiResponse::TYPE_NAME,
            UwEndpoint::record_type_name,
        )
    }

    /// The adapter's channel for a `/api/socket/<channel>` page.
    #[must_use]
    pub fn channel_kind(&self) -> Option<ChannelKind> {
        let wire = self.channel.as_deref()?;
        ChannelKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == wire)
    }

    /// The parameter `name`.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Whether a path with these segments is this operation's (placeholders take any value).
    fn matches(&self, segments: &[&str]) -> bool {
        let template: Vec<&str> = self.path.split('/').collect();
        template.len() == segments.len()
            && template
                .iter()
                .zip(segments)
                .all(|(t, s)| t.starts_with('{') && !s.is_empty() || t == s)
    }

    /// Literal segments: `/api/darkpool/recent` is a better match than `/api/darkpool/{ticker}`.
    fn literal_segments(&self) -> usize {
        self.path.split('/').filter(|s| !s.starts_with('{')).count()
    }

    /// Finds an operation by its short name, UW's operation id, its path template or a concrete
    /// path (`/api/stock/SPY/max-pain?date=2025-05-16`: the query is ignored here).
    #[must_use]
    pub fn find(text: &str) -> Option<&'static Self> {
        let ops = operations();
        if let Some(op) = ops.iter().find(|o| o.name == text || o.id == text) {
            return Some(op);
        }
        let path = text.split(['?', '#']).next().unwrap_or("");
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if let Some(op) = ops.iter().find(|o| o.path == path) {
            return Some(op);
        }
        let segments: Vec<&str> = path.split('/').collect();
        ops.iter()
            .filter(|o| o.matches(&segments))
            .max_by_key(|o| o.literal_segments())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_every_get_operation_of_the_document() {
        let ops = operations();
        assert_eq!(ops.len(), 214);
        let websocket = ops.iter().filter(|o| o.tag == "websocket").count();
        assert_eq!((ops.len() - websocket, websocket), (197, 17));
        assert_eq!(table_meta().channel_forms.len(), 28);
    }

    #[test]
    fn operations_are_found_by_name_id_template_and_path() {
        let by_name = Operation::find("stock_ticker_max_pain").unwrap();
        assert_eq!(by_name.path, "/api/stock/{ticker}/max-pain");
        assert_eq!(
            Operation::find("PublicApi.TickerController.max_pain"),
            Some(by_name)
        );
        assert_eq!(
            Operation::find("/api/stock/{ticker}/max-pain"),
            Some(by_name)
        );
        assert_eq!(
            Operation::find("/api/stock/SPY/max-pain?date=2025-05-16"),
            Some(by_name)
        );
        assert_eq!(
            Operation::find("/api/darkpool/recent").unwrap().name,
            "darkpool_recent"
        );
        assert_eq!(
            Operation::find("/api/darkpool/AAPL").unwrap().name,
            "darkpool_ticker"
        );
        assert_eq!(Operation::find("/api/nothing/here"), None);
    }

    #[test]
    fn operations_link_to_typed_endpoints_by_path_template() {
        let linked: Vec<UwEndpoint> = operations()
            .iter()
            .filter_map(Operation::typed_endpoint)
            .collect();
        // Every registry endpoint is one of UW's documented operations.
        for endpoint in UwEndpoint::ALL {
            assert!(
                linked.contains(endpoint),
                "{endpoint:?} links to no operation"
            );
        }
        let op = Operation::find("stock_ticker_max_pain").unwrap();
        assert_eq!(op.record_type_name(), "UwMaxPain");
        let op = Operation::find("market_sector_etfs").unwrap();
        assert_eq!(op.record_type_name(), "UwApiResponse");
    }

    #[test]
    fn cursor_formats_and_spans_are_the_document_s() {
        use crate::http::endpoint::{MULTI_LEG_MAX_SPAN_MS, Paging};
        let facts = |op: &Operation| (op.paging.cursor_iso, op.paging.max_span_ms);
        let named = |name: &str| facts(Operation::find(name).unwrap());
        // "at/after this UTC timestamp (ISO-8601)"; "`newer_than` is clamped to 24 hours before
        // `older_than`".
        assert_eq!(
            named("option_trades_multi_leg"),
            (true, Some(MULTI_LEG_MAX_SPAN_MS))
        );
        // "Cursor: return trades executed before this ISO8601 timestamp."
        assert_eq!(named("futures_flow"), (true, None));
        assert_eq!(named("futures_contract_trades"), (true, None));
        // "The unix time in milliseconds or seconds ... Also accepts an ISO date or RFC 3339".
        assert_eq!(named("option_trades"), (false, None));
        // "unix seconds or milliseconds or a string in ISO format"; "adjusted to 14 days from the
        // `older_than` timestamp".
        assert_eq!(named("alerts"), (false, Some(14 * 24 * 3_600_000)));
        // A typed endpoint pages its cursor as the document says.
        for op in operations() {
            if let Some(endpoint) = op.typed_endpoint()
                && let Paging::Cursor {
                    iso, max_span_ms, ..
                } = endpoint.paging()
            {
                assert_eq!((iso, max_span_ms), facts(op), "{endpoint:?}");
            }
        }
    }

    #[test]
    fn websocket_pages_name_the_adapter_s_channels() {
        for op in operations().iter().filter(|o| o.tag == "websocket") {
            match &op.channel {
                Some(wire) => assert!(op.channel_kind().is_some(), "{wire} is not a channel"),
                None => assert_eq!(op.path, "/api/socket"),
            }
        }
    }
}
