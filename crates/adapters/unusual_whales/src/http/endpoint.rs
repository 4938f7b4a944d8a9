//! The REST endpoints this adapter decodes, their paths and response envelopes
//! (docs/uw-api.md#rest-endpoints, docs/uw-api.md#response-envelopes, docs/uw-api.md#paging).

use crate::common::error::UwParseError;
use crate::common::symbol::validate_ticker;
use crate::common::time::parse_date;
use crate::data::record::UwRecord;
use crate::data::*;

/// How history covers a time range on an endpoint (docs/uw-api.md#paging).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Newest first by `older_than` (milliseconds, or RFC 3339), `page` rows a request, starting
    /// `lag_allowance_ms` past the range end; in windows of at most `max_span_ms` where UW answers
    /// no wider a query.
    Cursor {
        /// UW's largest `limit`.
        page: usize,
        /// How far past the range end the first cursor lies (see
        /// [`ALERT_CREATION_LAG_ALLOWANCE_MS`]).
        lag_allowance_ms: u64,
        /// The cursors are sent as RFC 3339 times, not milliseconds: the endpoint documents
        /// only ISO-8601 (`/api/option-trades/multi-leg`).
        iso: bool,
        /// The widest range one query may span: UW silently narrows a wider one to this much
        /// before `older_than` (see [`MULTI_LEG_MAX_SPAN_MS`]), so a longer range is walked one
        /// window at a time (`http::cursor`). `None`: one walk over the whole range.
        max_span_ms: Option<u64>,
    },
    /// One request per New York trading day (`date=`).
    Daily,
    /// One request per New York trading day (`date=`), and each day's page numbers from 0,
    /// `page` rows a request, until a short page.
    DailyPages {
        /// UW's largest `limit`.
        page: usize,
    },
    /// Page numbers from 0, `page` rows a request.
    Pages {
        /// UW's largest `limit`.
        page: usize,
    },
    /// One request.
    Once,
    /// One request for a daily series that ends at `date=` (UW's default: the last trading day):
    /// the range's last day, so that a past range gets that range's rows.
    Series,
}

/// UW's examples show flow alerts created 9 s and 13 min after their window ended
/// (docs/uw-api.md#rest-flow-alerts). Should `older_than` compare `created_at`, an alert that
/// ended before the range end but was created after it is found only by a first cursor this much
/// past the range end.
pub const ALERT_CREATION_LAG_ALLOWANCE_MS: u64 = 30 * 60 * 1000;

/// `/api/option-trades/multi-leg` answers at most 24 hours per query: of a wider one, UW keeps
/// the 24 hours before `older_than` and answers nothing older (docs/uw-api.md#rest-multi-leg-trades).
pub const MULTI_LEG_MAX_SPAN_MS: u64 = 24 * 60 * 60 * 1000;

/// Generates [`UwEndpoint`] and its facts from the registry's endpoint table.
macro_rules! endpoint_enum {
    ([] $(
        $(#[doc = $doc:literal])*
        $ep:ident {
            name: $name:literal, path: $path:literal,
            records: $rec:ident via $body:ident,
            paging: $paging:expr,
            $( ticker_query: $tq:literal, )?
            $( defaults: [ $( ($dk:literal, $dv:literal) ),* ], )?
            $( params: [ $( $pk:literal ),* ], )?
            $( required: [ $( $rk:literal ),* ], )?
        }
    )*) => {
        /// A UW REST endpoint with a typed decoder (one row of [`uw_endpoints!`](crate::uw_endpoints)).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum UwEndpoint {
            $( $(#[doc = $doc])* $ep, )*
        }

        impl UwEndpoint {
            /// Every endpoint, in the registry's order.
            pub const ALL: &[Self] = &[ $( Self::$ep, )* ];

            /// The short name accepted by `parse_rest_response`, e.g. `net_prem_ticks`.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $( Self::$ep => $name, )* }
            }

            /// The path template, `{ticker}` marking the ticker segment.
            #[must_use]
            pub const fn path_template(self) -> &'static str {
                match self { $( Self::$ep => $path, )* }
            }

            /// The Python type name of the records the endpoint answers with (the first, for
            /// the flow-alert detail, which answers the alert and then its prints).
            #[must_use]
            pub const fn record_type_name(self) -> &'static str {
                match self { $( Self::$ep => <$rec as UwRecord>::TYPE_NAME, )* }
            }

            /// How history covers a time range on this endpoint.
            #[must_use]
            pub const fn paging(self) -> Paging {
                match self { $( Self::$ep => $paging, )* }
            }

            /// The query parameter that takes a comma-separated list of tickers, if any.
            #[must_use]
            pub const fn ticker_query(self) -> Option<&'static str> {
                match self { $( Self::$ep => endpoint_enum!(@opt $($tq)?), )* }
            }

            /// Values sent when a request does not name them: `(parameter, value)`, the
            /// parameter a query key or a path placeholder's name.
            #[must_use]
            pub const fn defaults(self) -> &'static [(&'static str, &'static str)] {
                match self { $( Self::$ep => &[ $( $( ($dk, $dv), )* )? ], )* }
            }

            /// Whether UW answers with a zip of CSV (`via tape`) rather than JSON.
            #[must_use]
            pub const fn zipped(self) -> bool {
                match self { $( Self::$ep => endpoint_enum!(@zipped $body), )* }
            }

            /// Query parameters a history request passes on from its metadata when given.
            #[must_use]
            pub const fn params(self) -> &'static [&'static str] {
                match self { $( Self::$ep => &[ $( $( $pk, )* )? ], )* }
            }

            /// Query parameters UW refuses to answer without: a history request passes them on
            /// from its metadata, and is refused before any request when one is missing.
            #[must_use]
            pub const fn required(self) -> &'static [&'static str] {
                match self { $( Self::$ep => &[ $( $( $rk, )* )? ], )* }
            }
        }
    };
    (@opt $tq:literal) => { Some($tq) };
    (@opt) => { None };
    (@zipped tape) => { true };
    (@zipped $other:ident) => { false };
}

crate::uw_endpoints!(endpoint_enum);

impl UwEndpoint {
    /// Whether the path names a ticker (`/api/stock/{ticker}/...`).
    #[must_use]
    pub fn ticker_in_path(self) -> bool {
        self.path_template().contains("{ticker}")
    }
}

/// The candle sizes `/api/stock/{ticker}/ohlc/{candle_size}` accepts.
pub const CANDLE_SIZES: [&str; 9] = ["1m", "5m", "10m", "15m", "30m", "1h", "4h", "1d", "1w"];

/// The flow groups `/api/group-flow/{flow_group}/...` accepts (UW's `flow_group` enum).
pub const FLOW_GROUPS: [&str; 25] = [
    "airline",
    "bank",
    "basic materials",
    "china",
    "communication services",
    "consumer cyclical",
    "consumer defensive",
    "crypto",
    "cyber",
    "energy",
    "financial services",
    "gas",
    "gold",
    "healthcare",
    "industrials",
    "mag7",
    "oil",
    "real estate",
    "refiners",
    "reit",
    "semi",
    "silver",
    "technology",
    "uranium",
    "utilities",
];

/// An endpoint plus the values its path names, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UwRequestTarget {
    /// The endpoint.
    pub endpoint: UwEndpoint,
    /// The ticker from the path (`/api/stock/SPY/...`).
    pub ticker: Option<String>,
    /// The `{id}` segment: a flow-alert uuid or an OCC option symbol.
    pub id: Option<String>,
    /// The `{expiry}` segment, `YYYY-MM-DD` (`/greek-flow/{expiry}`).
    pub expiry: Option<String>,
    /// The `{candle_size}` segment (`/ohlc/1m`).
    pub candle_size: Option<String>,
    /// The `{flow_group}` segment (`/group-flow/mag7/...`), decoded (`basic materials`).
    pub flow_group: Option<String>,
    /// The `{date}` segment, `YYYY-MM-DD` (`/full-tape/2025-07-25`).
    pub date: Option<String>,
}

/// Whether `segment` is a usable value for the template placeholder `placeholder`.
fn segment_fits(placeholder: &str, segment: &str) -> bool {
    match placeholder {
        "{ticker}" => validate_ticker(segment).is_ok(),
        // Flow-alert uuids are 36 characters, OCC symbols at most 21.
        "{id}" => {
            !segment.is_empty()
                && segment.len() <= 64
                && segment.bytes().all(|c| c.is_ascii_graphic())
        }
        "{expiry}" | "{date}" => parse_date(segment).is_ok(),
        "{candle_size}" => CANDLE_SIZES.contains(&segment),
        "{flow_group}" => FLOW_GROUPS.contains(&segment),
        _ => false,
    }
}

impl UwRequestTarget {
    /// Parses a short name (`net_prem_ticks`), a path template, or a concrete path with query
    /// (`/api/stock/SPY/net-prem-ticks?date=2025-03-21`).
    ///
    /// # Errors
    /// [`UwParseError::UnknownEndpoint`] for anything else.
    pub fn parse(text: &str) -> Result<Self, UwParseError> {
        let unknown = || UwParseError::UnknownEndpoint {
            endpoint: text.to_owned(),
        };
        if let Some(endpoint) = UwEndpoint::ALL.iter().copied().find(|e| e.name() == text) {
            return Ok(Self::of(endpoint));
        }
        let path = text
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        let segments: Vec<&str> = path.split('/').collect();
        // Literal paths first: `/api/darkpool/recent` must not read as ticker `recent`.
        for &endpoint in UwEndpoint::ALL {
            if endpoint.path_template() == path {
                return Ok(Self::of(endpoint));
            }
        }
        'templates: for &endpoint in UwEndpoint::ALL {
            let template: Vec<&str> = endpoint.path_template().split('/').collect();
            if template.len() != segments.len() {
                continue;
            }
            let mut target = Self::of(endpoint);
            for (t, s) in template.iter().zip(&segments) {
                if !t.starts_with('{') {
                    if t != s {
                        continue 'templates;
                    }
                    continue;
                }
                // The placeholder itself (a template given as a path) names nothing.
                if t == s {
                    continue;
                }
                // A path as sent has its values percent-encoded (`basic%20materials`).
                let decoded = percent_decoded(s);
                if !segment_fits(t, &decoded) {
                    continue 'templates;
                }
                let value = Some(decoded);
                match *t {
                    "{ticker}" => target.ticker = value,
                    "{id}" => target.id = value,
                    "{expiry}" => target.expiry = value,
                    "{flow_group}" => target.flow_group = value,
                    "{date}" => target.date = value,
                    _ => target.candle_size = value,
                }
            }
            return Ok(target);
        }
        Err(unknown())
    }

    /// The endpoint without path values.
    #[must_use]
    pub const fn of(endpoint: UwEndpoint) -> Self {
        Self {
            endpoint,
            ticker: None,
            id: None,
            expiry: None,
            candle_size: None,
            flow_group: None,
            date: None,
        }
    }
}

/// `segment` with its percent-escapes decoded (a `+` stays a `+`: this is a path, not a form).
fn percent_decoded(segment: &str) -> String {
    if !segment.contains('%') {
        return segment.to_owned();
    }
    let escaped = segment.replace('+', "%2B");
    url::form_urlencoded::parse(format!("v={escaped}").as_bytes())
        .next()
        .map_or_else(|| segment.to_owned(), |(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("net_prem_ticks", UwEndpoint::NetPremTicks, None)]
    #[case(
        "/api/stock/SPY/net-prem-ticks?date=2025-03-21",
        UwEndpoint::NetPremTicks,
        Some("SPY")
    )]
    #[case("/api/stock/{ticker}/spot-exposures", UwEndpoint::SpotExposures, None)]
    #[case("/api/darkpool/recent", UwEndpoint::DarkPoolRecent, None)]
    #[case("/api/darkpool/AAPL", UwEndpoint::DarkPoolTicker, Some("AAPL"))]
    #[case(
        "/api/option-trades/flow-alerts?ticker_symbol=SPY",
        UwEndpoint::FlowAlerts,
        None
    )]
    fn parses_names_and_paths(
        #[case] text: &str,
        #[case] endpoint: UwEndpoint,
        #[case] ticker: Option<&str>,
    ) {
        let t = UwRequestTarget::parse(text).unwrap();
        assert_eq!((t.endpoint, t.ticker.as_deref()), (endpoint, ticker));
    }

    #[rstest]
    #[case("/api/earnings/premarket", UwEndpoint::EarningsPremarket, None)]
    #[case("/api/earnings/NVDA", UwEndpoint::EarningsTicker, Some("NVDA"))]
    #[case(
        "/api/net-flow/expiry?expiration=zero_dte",
        UwEndpoint::NetFlowExpiry,
        None
    )]
    #[case("/api/stock/SPY/greek-flow", UwEndpoint::GreekFlow, Some("SPY"))]
    #[case(
        "/api/stock/SPY/volatility/term-structure",
        UwEndpoint::TermStructure,
        Some("SPY")
    )]
    fn literal_segments_win_over_tickers(
        #[case] text: &str,
        #[case] endpoint: UwEndpoint,
        #[case] ticker: Option<&str>,
    ) {
        let t = UwRequestTarget::parse(text).unwrap();
        assert_eq!((t.endpoint, t.ticker.as_deref()), (endpoint, ticker));
    }

    #[test]
    fn path_values_beyond_the_ticker_are_kept() {
        let t =
            UwRequestTarget::parse("/api/stock/SPY/greek-flow/2024-10-28?date=2024-10-28").unwrap();
        assert_eq!(t.endpoint, UwEndpoint::GreekFlowExpiry);
        assert_eq!(
            (t.ticker.as_deref(), t.expiry.as_deref()),
            (Some("SPY"), Some("2024-10-28"))
        );
        let t = UwRequestTarget::parse("/api/stock/AAPL/ohlc/5m?limit=10").unwrap();
        assert_eq!(
            (t.endpoint, t.candle_size.as_deref()),
            (UwEndpoint::Ohlc, Some("5m"))
        );
        let t =
            UwRequestTarget::parse("/api/option-contract/AAPL240202P00185000/historic").unwrap();
        assert_eq!(t.id.as_deref(), Some("AAPL240202P00185000"));
        let t = UwRequestTarget::parse(
            "/api/option-trades/flow-alerts/ae47f719-7131-4816-b9f5-8bd35de90ddc",
        )
        .unwrap();
        assert_eq!(
            (t.endpoint, t.id.as_deref()),
            (
                UwEndpoint::FlowAlertDetail,
                Some("ae47f719-7131-4816-b9f5-8bd35de90ddc")
            )
        );
        let t = UwRequestTarget::parse("/api/stock/{ticker}/ohlc/{candle_size}").unwrap();
        assert_eq!((t.ticker, t.candle_size), (None, None));
    }

    #[rstest]
    #[case("/api/options/flow")]
    #[case("/api/v1/option-trades")]
    #[case("flow")]
    #[case("/api/stock/SPY/greek-flow/tomorrow")]
    #[case("/api/stock/SPY/ohlc/2m")]
    fn rejects_unknown_endpoints(#[case] text: &str) {
        assert_eq!(
            UwRequestTarget::parse(text).unwrap_err().kind(),
            "unknown_endpoint"
        );
    }
}
