//! The requests that cover a history query: the endpoint the registry names for the type, its
//! path values and parameters from the metadata, and how its pages follow (docs/uw-api.md#paging).

use crate::common::symbol::OccSymbol;
use crate::common::time::{dates, is_weekday, ny_date};
use crate::data::record::UwRecord;
use crate::data::*;
use crate::http::endpoint::{CANDLE_SIZES, FLOW_GROUPS, Paging, UwEndpoint};
use crate::http::history::HistoryError;
use crate::http::request::UwRequest;
use crate::subscription::metadata::UwFilter;

/// Metadata keys that shape the request rather than filter records. An endpoint receives the
/// ones it declares (its `defaults` and `params` in the registry), `path` and `date` always.
pub(super) const REQUEST_KEYS: [&str; 9] = [
    "path",
    "date",
    "candle_size",
    "timeframe",
    "source",
    "expirations",
    "delta",
    "order",
    "flow_group",
];

/// Generates [`history_endpoints`] from the `history(...)` of the registry's rows.
macro_rules! history_endpoints_of {
    ([] $( $rec:ident : $( live $live:tt )? $( history( $($ep:ident),+ ) )? ),* $(,)?) => {
        /// The endpoints the history of `type_name` comes from, in the order they are tried
        /// (empty for types without REST history).
        #[must_use]
        pub fn history_endpoints(type_name: &str) -> &'static [UwEndpoint] {
            $(
                if type_name == <$rec as UwRecord>::TYPE_NAME {
                    return &[ $( $( UwEndpoint::$ep, )+ )? ];
                }
            )*
            &[]
        }
    };
}

crate::uw_records!(history_endpoints_of);

/// The first request of a history query and how its pages follow.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) request: UwRequest,
    pub(super) paging: Paging,
}

/// New York dates (`YYYY-MM-DD`) from `start` to `end`, weekdays only, oldest first.
pub(super) fn trading_dates(start_ns: u64, end_ns: u64) -> Vec<String> {
    dates(ny_date(start_ns), ny_date(end_ns))
        .filter(|d| is_weekday(*d))
        .map(|d| d.to_string())
        .collect()
}

fn one_ticker(type_name: &str, filter: &UwFilter) -> Result<String, HistoryError> {
    match filter.channel_tickers().as_deref() {
        Some([t]) => Ok(t.clone()),
        Some(_) => Err(HistoryError::Invalid(format!(
            "{type_name} history is per ticker: request one ticker at a time"
        ))),
        None => Err(HistoryError::Invalid(format!(
            "{type_name} history needs a ticker (metadata={{\"ticker\": \"SPY\"}})"
        ))),
    }
}

fn one_contract(type_name: &str, filter: &UwFilter) -> Result<String, HistoryError> {
    let symbol = filter
        .instrument_id
        .as_deref()
        .map(|id| id.rsplit_once('.').map_or(id, |(s, _)| s));
    // UW's path takes the unpadded symbol; Nautilus's IB ids may pad the root.
    match symbol.and_then(|s| OccSymbol::parse(s).ok()) {
        Some(occ) => Ok(occ.to_string()),
        None => Err(HistoryError::Invalid(format!(
            "{type_name} history is per option contract: request it with instrument_id=<OCC symbol>.<venue>"
        ))),
    }
}

pub(super) fn plan(
    type_name: &str,
    filter: &UwFilter,
    md: &[(String, String)],
) -> Result<Plan, HistoryError> {
    let get = |k: &str| md.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    if let Some(path) = get("path") {
        if !path.starts_with("/api/") {
            return Err(HistoryError::Invalid(format!(
                "path must start with /api/, got {path:?}"
            )));
        }
        let request = UwRequest::parse(&path).map_err(|e| {
            // A documented operation without a typed decoder answers as UwApiResponse.
            match crate::http::operations::Operation::find(&path) {
                Some(op) => HistoryError::Invalid(format!(
                    "{path} ({}) has no typed record: request it as DataType(UwApiResponse, metadata={{\"path\": \"{path}\"}})",
                    op.name
                )),
                None => HistoryError::Invalid(e.to_string()),
            }
        })?;
        return Ok(Plan {
            request,
            paging: Paging::Once,
        });
    }
    let endpoints = history_endpoints(type_name);
    let tickers = filter.channel_tickers();
    // The first endpoint that fits: one naming a ticker in its path needs a ticker.
    let Some(&endpoint) = endpoints
        .iter()
        .find(|e| !e.ticker_in_path() || tickers.is_some())
        .or(endpoints.first())
    else {
        return Err(HistoryError::Invalid(format!(
            "{type_name} has no REST history in this adapter; pass metadata={{\"path\": \"/api/...\"}} to request an endpoint directly"
        )));
    };
    let mut request = UwRequest::new(endpoint);
    if endpoint.ticker_in_path() {
        request = request.ticker(one_ticker(type_name, filter)?);
    } else if let (Some(key), Some(tickers)) = (endpoint.ticker_query(), tickers) {
        request.set_param(key, tickers.join(","));
    }
    for &(key, default) in endpoint.defaults() {
        let value = get(key).unwrap_or_else(|| default.to_owned());
        if key == "candle_size" {
            if !CANDLE_SIZES.contains(&value.as_str()) {
                return Err(HistoryError::Invalid(format!(
                    "{type_name}: metadata candle_size={value:?} is invalid: expected one of {}",
                    CANDLE_SIZES.join(", ")
                )));
            }
            request.target.candle_size = Some(value);
        } else {
            request.set_param(key, value);
        }
    }
    for &key in endpoint.required() {
        let name = key.trim_end_matches("[]");
        if get(name).is_none_or(|v| v.trim().is_empty()) {
            return Err(HistoryError::Invalid(format!(
                "{type_name} history needs {name} (metadata={{\"{name}\": ...}}): UW requires it for {}",
                endpoint.path_template()
            )));
        }
    }
    for &key in endpoint.required().iter().chain(endpoint.params()) {
        if key == "flow_group" {
            match get(key) {
                Some(group) if FLOW_GROUPS.contains(&group.as_str()) => {
                    request.target.flow_group = Some(group);
                }
                value => {
                    let given = value.map_or_else(
                        || "is missing".to_owned(),
                        |v| format!("={} is invalid", crate::common::error::quote(&v)),
                    );
                    return Err(HistoryError::Invalid(format!(
                        "{type_name} history is per flow group: metadata flow_group{given}: expected one of {}",
                        FLOW_GROUPS.join(", ")
                    )));
                }
            }
        } else if let Some(list) = key.strip_suffix("[]") {
            for value in get(list).iter().flat_map(|v| v.split(',')).map(str::trim) {
                if !value.is_empty() {
                    request.push_param(key, value);
                }
            }
        } else if let Some(value) = get(key) {
            request.set_param(key, value);
        }
    }
    // `/api/option-contract/{id}/...`: the contract a strategy names with `instrument_id=`.
    if endpoint.path_template().contains("/option-contract/{id}/") {
        request.target.id = Some(one_contract(type_name, filter)?);
    }
    Ok(Plan {
        request,
        paging: endpoint.paging(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::time::parse_timestamp;
    use crate::data::view::FilterKey;

    #[test]
    fn trading_dates_skip_weekends_in_new_york_time() {
        let s = parse_timestamp("2025-05-16T03:00:00Z").unwrap(); // Thu 23:00 New York
        let e = parse_timestamp("2025-05-20T15:00:00Z").unwrap();
        assert_eq!(
            trading_dates(s, e),
            ["2025-05-15", "2025-05-16", "2025-05-19", "2025-05-20"]
        );
    }

    #[test]
    fn plans_name_uw_paths() {
        let f = |md: &[(&str, &str)]| {
            UwFilter::from_metadata("UwFlowAlert", &[FilterKey::Ticker], md).unwrap()
        };
        let md = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        let shown = |p: &Plan| (p.request.to_string(), p.paging);
        assert_eq!(
            shown(&plan("UwFlowAlert", &f(&[("ticker", "SPY,QQQ")]), &[]).unwrap()),
            (
                "/api/option-trades/flow-alerts?ticker_symbol=SPY%2CQQQ".to_owned(),
                Paging::Cursor {
                    page: 200,
                    lag_allowance_ms: crate::http::endpoint::ALERT_CREATION_LAG_ALLOWANCE_MS,
                    iso: false,
                    max_span_ms: None,
                }
            )
        );
        assert_eq!(
            shown(&plan("UwNetPremTick", &f(&[("ticker", "SPY")]), &[]).unwrap()),
            ("/api/stock/SPY/net-prem-ticks".to_owned(), Paging::Daily)
        );
        assert_eq!(
            shown(
                &plan(
                    "UwMaxPain",
                    &f(&[]),
                    &md(&[("path", "/api/stock/SPX/max-pain")]),
                )
                .unwrap()
            ),
            ("/api/stock/SPX/max-pain".to_owned(), Paging::Once)
        );
        // The first endpoint that fits: a ticker's prints, else the newest of all tickers.
        assert_eq!(
            shown(&plan("UwDarkPoolTrade", &f(&[("ticker", "SPY")]), &[]).unwrap()).0,
            "/api/darkpool/SPY"
        );
        assert_eq!(
            shown(&plan("UwDarkPoolTrade", &f(&[]), &[]).unwrap()),
            ("/api/darkpool/recent?limit=200".to_owned(), Paging::Once)
        );
        // Defaults and the parameters an endpoint declares; a user's value is sent encoded.
        assert_eq!(
            shown(
                &plan(
                    "UwOhlcBar",
                    &f(&[("ticker", "SPY")]),
                    &md(&[("candle_size", "5m")])
                )
                .unwrap()
            )
            .0,
            "/api/stock/SPY/ohlc/5m"
        );
        let err = plan(
            "UwOhlcBar",
            &f(&[("ticker", "SPY")]),
            &md(&[("candle_size", "7m")]),
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().contains("candle_size=\"7m\" is invalid"),
            "{err}"
        );
        assert_eq!(
            shown(
                &plan(
                    "UwGexLevels",
                    &f(&[("ticker", "SPY")]),
                    &md(&[("source", "oi")])
                )
                .unwrap()
            )
            .0,
            "/api/stock/SPY/gex-levels?source=oi"
        );
        assert_eq!(
            shown(
                &plan(
                    "UwGreekExposure",
                    &f(&[("ticker", "SPY")]),
                    &md(&[("source", "oi")])
                )
                .unwrap()
            )
            .0,
            "/api/stock/SPY/greek-exposure?timeframe=1y"
        );
        // A list parameter: one `name[]` per value.
        assert_eq!(
            shown(
                &plan(
                    "UwScreenedContract",
                    &f(&[("ticker", "TSLA")]),
                    &md(&[("expirations", "2023-09-08, 2023-09-15")])
                )
                .unwrap()
            ),
            (
                "/api/stock/TSLA/atm-chains?expirations%5B%5D=2023-09-08&expirations%5B%5D=2023-09-15"
                    .to_owned(),
                Paging::Once
            )
        );
        assert_eq!(
            shown(
                &plan(
                    "UwRiskReversalSkew",
                    &f(&[("ticker", "SPY")]),
                    &md(&[("expiry", "2024-01-19"), ("delta", "25")])
                )
                .unwrap()
            ),
            (
                "/api/stock/SPY/historical-risk-reversal-skew?timeframe=1y&expiry=2024-01-19&delta=25"
                    .to_owned(),
                Paging::Series
            )
        );
        // What UW requires is asked for before anything is sent.
        let err = plan(
            "UwRiskReversalSkew",
            &f(&[("ticker", "SPY")]),
            &md(&[("expiry", "2024-01-19")]),
        )
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "UwRiskReversalSkew history needs delta (metadata={\"delta\": ...}): UW requires it for /api/stock/{ticker}/historical-risk-reversal-skew"
        );
        let err = plan("UwScreenedContract", &f(&[("ticker", "SPY")]), &[])
            .err()
            .unwrap();
        assert!(err.to_string().contains("needs expirations"), "{err}");
        // Without a ticker, the market-wide list.
        assert_eq!(
            shown(&plan("UwOpenInterestChange", &f(&[]), &[]).unwrap()),
            ("/api/market/oi-change?limit=200".to_owned(), Paging::Daily)
        );
        let err = plan("UwNetPremTick", &f(&[]), &[]).err().unwrap();
        assert!(err.to_string().contains("needs a ticker"), "{err}");
        let err = plan("UwPeriscope", &f(&[]), &[]).err().unwrap();
        assert!(err.to_string().contains("no REST history"), "{err}");
    }

    #[test]
    fn path_values_come_from_the_metadata_and_the_instrument() {
        let md = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
        let none =
            UwFilter::from_metadata("UwGroupGreekFlow", &[], &[] as &[(&str, &str)]).unwrap();
        let group = plan(
            "UwGroupGreekFlow",
            &none,
            &md("flow_group", "basic materials"),
        )
        .unwrap();
        assert_eq!(
            group.request.to_string(),
            "/api/group-flow/basic%20materials/greek-flow"
        );
        let err = plan("UwGroupGreekFlow", &none, &md("flow_group", "moon"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("expected one of airline"), "{err}");
        let err = plan("UwGroupGreekFlow", &none, &[]).err().unwrap();
        assert!(err.to_string().contains("needs flow_group"), "{err}");
        // IB's padded root names the same contract as UW's unpadded one.
        let contract = |id: &str| {
            UwFilter::from_metadata(
                "UwContractBar",
                &[FilterKey::InstrumentId],
                &[("instrument_id", id)],
            )
            .unwrap()
        };
        for id in ["AAPL240621C00190000.SMART", "AAPL  240621C00190000.SMART"] {
            let p = plan("UwContractBar", &contract(id), &[]).unwrap();
            assert_eq!(
                (p.request.to_string(), p.paging),
                (
                    "/api/option-contract/AAPL240621C00190000/intraday".to_owned(),
                    Paging::Daily
                )
            );
        }
        // An underlying's id names no contract: refused with the metadata, naming the key.
        let err = UwFilter::from_metadata(
            "UwContractBar",
            &[FilterKey::InstrumentId],
            &[("instrument_id", "AAPL.SMART")],
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("instrument_id=\"AAPL.SMART\" is invalid")
                && err.to_string().contains("records are option contracts")
                && !err.to_string().contains("ticker="),
            "{err}"
        );
        let err = plan("UwContractBar", &UwFilter::default(), &[])
            .err()
            .unwrap();
        assert!(err.to_string().contains("per option contract"), "{err}");
    }
}
