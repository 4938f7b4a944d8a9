//! A request of any documented operation: parameters checked against what UW's document
//! declares before anything is sent, each error naming the parameter.

use std::fmt;

use reqwest::Url;

use crate::common::time::parse_date;
use crate::http::operations::{Operation, Param, ParamIn};
use crate::http::request::{show_request, url_of};

/// Why a request of an operation cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperationError {
    /// No operation has this name, id or path.
    #[error(
        "unknown UW operation {0:?}: name one by its short name (stock_ticker_max_pain), UW's operation id or its path (/api/stock/SPY/max-pain)"
    )]
    Unknown(String),
    /// A parameter the operation requires is missing.
    #[error("{operation}: parameter {param:?} is required{hint}")]
    Missing {
        /// The operation's short name.
        operation: String,
        /// The parameter.
        param: String,
        /// Its documented values, if listed.
        hint: String,
    },
    /// The operation has no such parameter.
    #[error("{operation}: unknown parameter {param:?}; it takes {accepted}")]
    UnknownParam {
        /// The operation's short name.
        operation: String,
        /// The parameter.
        param: String,
        /// The parameters it takes.
        accepted: String,
    },
    /// A WebSocket page of the document: its records stream, no REST request answers them.
    #[error("{operation}: {path} documents UW's WebSocket {what}, not a REST request: {how}")]
    WebSocket {
        /// The operation's short name.
        operation: String,
        /// Its path.
        path: String,
        /// The channel (`channel gex`), or the channel table.
        what: String,
        /// How to receive it.
        how: String,
    },
    /// A value the document does not allow.
    #[error("{operation}: parameter {param}={value:?} is invalid: {reason}")]
    Invalid {
        /// The operation's short name.
        operation: String,
        /// The parameter.
        param: String,
        /// The value given.
        value: String,
        /// What the document allows.
        reason: String,
    },
}

/// A validated request of one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationRequest {
    /// The operation.
    pub operation: &'static Operation,
    /// Path values by placeholder name.
    pub path_values: Vec<(String, String)>,
    /// Query parameters in the order given (array parameters once per value).
    pub query: Vec<(String, String)>,
}

/// The value `value` of parameter `param`, checked; `Err` holds why it is not allowed.
fn check_value(param: &Param, value: &str) -> Result<(), String> {
    let kind = if param.kind == "array" {
        param.items.as_deref().unwrap_or("string")
    } else {
        param.kind.as_str()
    };
    if !param.allowed.is_empty() && !param.allowed.iter().any(|a| a == value) {
        return Err(format!("expected one of {}", param.allowed.join(", ")));
    }
    match kind {
        "integer" | "number" => {
            // An integer is digits with an optional `-` (UW reads `1e2`, `10.0`, `+5` as no
            // integer).
            let digits = value.strip_prefix('-').unwrap_or(value);
            let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
            let number: f64 = value
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && (kind == "number" || integer))
                .ok_or_else(|| {
                    format!(
                        "expected {}",
                        if kind == "integer" {
                            "an integer"
                        } else {
                            "a number"
                        }
                    )
                })?;
            if let Some(min) = param.minimum.filter(|m| number < *m) {
                return Err(format!("the smallest value is {min}"));
            }
            if let Some(max) = param.maximum.filter(|m| number > *m) {
                return Err(format!("the largest value is {max}"));
            }
        }
        "boolean" if value != "true" && value != "false" => {
            return Err("expected true or false".to_owned());
        }
        _ if param.format.as_deref() == Some("date") || kind == "date" => {
            parse_date(value).map_err(|_| "expected a date YYYY-MM-DD".to_owned())?;
        }
        _ if value.is_empty() => return Err("expected a value".to_owned()),
        _ => {}
    }
    Ok(())
}

impl OperationRequest {
    /// A request of `operation` with `params` (path values and query parameters by the
    /// document's names; an array parameter takes a comma-separated list or a JSON array of
    /// strings (`["a, b", "c"]`: items with commas), may be named with or without its `[]`, and
    /// named again adds its values; another parameter named again takes the last value).
    ///
    /// # Errors
    /// [`OperationError`] naming the parameter that is missing, unknown or invalid.
    pub fn new(
        operation: &'static Operation,
        params: &[(String, String)],
    ) -> Result<Self, OperationError> {
        let name = || operation.name.clone();
        if operation.tag == "websocket" {
            return Err(websocket(operation));
        }
        let mut path_values = Vec::new();
        let mut query = Vec::new();
        for (key, value) in params {
            // Array parameters are named with or without their `[]`, as UW declares either.
            let param = operation
                .param(key)
                .or_else(|| operation.param(&format!("{key}[]")))
                .or_else(|| operation.param(key.trim_end_matches("[]")))
                .ok_or_else(|| OperationError::UnknownParam {
                    operation: name(),
                    param: key.clone(),
                    accepted: accepted(operation),
                })?;
            let invalid = |value: &str, reason: String| OperationError::Invalid {
                operation: name(),
                param: param.name.clone(),
                value: value.to_owned(),
                reason,
            };
            let values: Vec<String> = if param.kind == "array" {
                array_items(value).map_err(|reason| invalid(value, reason))?
            } else {
                vec![value.clone()]
            };
            for v in &values {
                check_value(param, v).map_err(|reason| invalid(v, reason))?;
            }
            match param.location {
                ParamIn::Path => {
                    path_values.retain(|(k, _): &(String, String)| *k != param.name);
                    path_values.push((param.name.clone(), value.clone()));
                }
                // An array parameter named again adds its values; another takes the last.
                ParamIn::Query => {
                    if param.kind != "array" {
                        query.retain(|(k, _): &(String, String)| *k != param.name);
                    }
                    query.extend(values.into_iter().map(|v| (param.name.clone(), v)));
                }
            }
        }
        for param in operation.params.iter().filter(|p| p.required) {
            let given = match param.location {
                ParamIn::Path => path_values.iter().any(|(k, _)| *k == param.name),
                ParamIn::Query => query.iter().any(|(k, _)| *k == param.name),
            };
            if !given {
                let hint = if param.allowed.is_empty() {
                    String::new()
                } else {
                    format!(" (one of {})", param.allowed.join(", "))
                };
                return Err(OperationError::Missing {
                    operation: name(),
                    param: param.name.clone(),
                    hint,
                });
            }
        }
        Ok(Self {
            operation,
            path_values,
            query,
        })
    }

    /// A request from a concrete path with its query (`/api/market/sector-etfs?date=...`).
    ///
    /// # Errors
    /// [`OperationError::Unknown`] when no operation has that path, and the parameter errors of
    /// [`OperationRequest::new`].
    pub fn parse(text: &str) -> Result<Self, OperationError> {
        Self::from_path(text, &[])
    }

    /// A request from a concrete path with its query, plus `extra` parameters (which replace the
    /// query's of the same name; one that names a path value the path gives otherwise is an
    /// error).
    ///
    /// # Errors
    /// As [`OperationRequest::parse`], and [`OperationError::Invalid`] for a conflicting path
    /// value.
    pub fn from_path(text: &str, extra: &[(String, String)]) -> Result<Self, OperationError> {
        let operation =
            Operation::find(text).ok_or_else(|| OperationError::Unknown(text.to_owned()))?;
        if operation.tag == "websocket" {
            return Err(websocket(operation));
        }
        let path = text.split(['?', '#']).next().unwrap_or("");
        let mut params: Vec<(String, String)> = operation
            .path
            .split('/')
            .zip(path.trim_end_matches('/').split('/'))
            .filter(|(t, s)| t.starts_with('{') && t != s)
            // A path as sent has its values percent-encoded (`VANGUARD%20GROUP%20INC`): they
            // are taken decoded, and encoded once when sent.
            .map(|(t, s)| (t.trim_matches(['{', '}']).to_owned(), percent_decoded(s)))
            .collect();
        if let Some((_, q)) = text.split_once('?') {
            let q = q.split_once('#').map_or(q, |(q, _)| q);
            let mut pairs: Vec<(String, String)> = Vec::new();
            for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
                // Repeated keys (`issue_types[]=a&issue_types[]=b`) are one list.
                match pairs.iter_mut().find(|(key, _)| *key == k) {
                    Some((_, value)) => {
                        value.push(',');
                        value.push_str(&v);
                    }
                    None => pairs.push((k.into_owned(), v.into_owned())),
                }
            }
            params.extend(pairs);
        }
        for (name, value) in &params {
            let conflict = extra.iter().find(|(k, v)| {
                k == name
                    && v != value
                    && operation.param(k).map(|p| p.location) == Some(ParamIn::Path)
            });
            if let Some((k, v)) = conflict {
                return Err(OperationError::Invalid {
                    operation: operation.name.clone(),
                    param: k.clone(),
                    value: v.clone(),
                    reason: format!("the path {path} names {k} {value:?}"),
                });
            }
        }
        params.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        params.extend(extra.iter().cloned());
        Self::new(operation, &params)
    }

    /// Sets query parameter `key` (a pager's `page`, `offset`, `older_than`), replacing it.
    pub fn set_query(&mut self, key: &str, value: impl Into<String>) {
        self.query.retain(|(k, _)| k != key);
        self.query.push((key.to_owned(), value.into()));
    }

    /// The value of query parameter `key`, if set.
    #[must_use]
    pub fn get_query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The parameters as a JSON object (`{"ticker":"SPY","issue_types[]":["a","b"]}`), what an
    /// [`ApiResponse`](crate::data::ApiResponse) keeps of its request.
    #[must_use]
    pub fn params_json(&self) -> String {
        let mut map = serde_json::Map::new();
        for (k, v) in &self.path_values {
            map.insert(k.clone(), v.clone().into());
        }
        for (k, v) in &self.query {
            let repeated = self.query.iter().filter(|(key, _)| key == k).count() > 1;
            match map.get_mut(k) {
                Some(serde_json::Value::Array(list)) => list.push(v.clone().into()),
                _ if repeated => {
                    map.insert(k.clone(), vec![serde_json::Value::from(v.clone())].into());
                }
                _ => {
                    map.insert(k.clone(), v.clone().into());
                }
            }
        }
        serde_json::Value::Object(map).to_string()
    }

    /// The URL under `base_url`, path values and query encoded.
    ///
    /// # Errors
    /// A base URL that does not parse or cannot take a path.
    pub fn url(&self, base_url: &str) -> Result<Url, String> {
        let segments = self
            .operation
            .path
            .trim_start_matches('/')
            .split('/')
            .map(|s| {
                let name = s.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
                name.and_then(|name| self.path_values.iter().find(|(k, _)| k == name))
                    .map_or(s, |(_, v)| v.as_str())
            });
        url_of(base_url, segments, &self.query)
    }
}

/// The items of an array parameter's value: a JSON array (`["a", "b"]`, so an item may hold a
/// comma), else a comma-separated list; `Err` says why neither.
fn array_items(value: &str) -> Result<Vec<String>, String> {
    let text = value.trim();
    if !(text.starts_with('[') && text.ends_with(']')) {
        return Ok(value.split(',').map(|v| v.trim().to_owned()).collect());
    }
    let expected = || {
        "expected a comma-separated list (a,b) or a JSON array of strings ([\"a\", \"b\"])"
            .to_owned()
    };
    let items: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|_| expected())?;
    items
        .into_iter()
        .map(|item| match item {
            serde_json::Value::String(s) => Ok(s),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            serde_json::Value::Bool(b) => Ok(b.to_string()),
            _ => Err(expected()),
        })
        .collect()
}

/// A path segment with its percent-escapes decoded (`%20` is a space, `%5E` a `^`; a `+` stays a
/// `+`: this is a path, not a form). Bytes that are not UTF-8 are replaced.
fn percent_decoded(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(Some(hi)), Some(Some(lo))) = (
                bytes.get(i + 1).map(|b| hex(*b)),
                bytes.get(i + 2).map(|b| hex(*b)),
            )
        {
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The refusal of a WebSocket page, naming how its records are received.
fn websocket(operation: &Operation) -> OperationError {
    let (what, how) = match (operation.channel.as_deref(), operation.channel_kind()) {
        (Some(wire), Some(kind)) => (
            format!("channel `{wire}`"),
            format!(
                "subscribe with subscribe_data(DataType({}, metadata={{...}}), client_id=UW_CLIENT_ID)",
                kind.record_type_name()
            ),
        ),
        (Some(wire), None) => (
            format!("channel `{wire}`"),
            "its records stream over the WebSocket (subscribe_data)".to_owned(),
        ),
        (None, _) => (
            "channel table".to_owned(),
            "each channel is subscribed with subscribe_data(DataType(<its record type>, metadata={...}), client_id=UW_CLIENT_ID)".to_owned(),
        ),
    };
    OperationError::WebSocket {
        operation: operation.name.clone(),
        path: operation.path.clone(),
        what,
        how,
    }
}

/// The parameters `operation` takes, for an error message.
fn accepted(operation: &Operation) -> String {
    if operation.params.is_empty() {
        return "no parameters".to_owned();
    }
    operation
        .params
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `/api/...?...` as sent (encoded), for messages and logs.
impl fmt::Display for OperationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        show_request(f, self.url("http://uw"), &self.operation.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn op(name: &str) -> &'static Operation {
        Operation::find(name).unwrap()
    }

    #[test]
    fn a_valid_request_becomes_its_url() {
        let r = OperationRequest::new(
            op("stock_ticker_max_pain"),
            &pairs(&[("ticker", "SPY"), ("date", "2025-05-16")]),
        )
        .unwrap();
        assert_eq!(r.to_string(), "/api/stock/SPY/max-pain?date=2025-05-16");
        assert_eq!(r.params_json(), r#"{"date":"2025-05-16","ticker":"SPY"}"#);
    }

    #[test]
    fn errors_name_the_parameter() {
        let err = |name: &str, list: &[(&str, &str)]| {
            OperationRequest::new(op(name), &pairs(list))
                .unwrap_err()
                .to_string()
        };
        let e = err("stock_ticker_max_pain", &[]);
        assert!(e.contains("parameter \"ticker\" is required"), "{e}");
        let e = err(
            "stock_ticker_max_pain",
            &[("ticker", "SPY"), ("colour", "red")],
        );
        assert!(
            e.contains("unknown parameter \"colour\"") && e.contains("ticker, date"),
            "{e}"
        );
        let e = err(
            "stock_ticker_max_pain",
            &[("ticker", "SPY"), ("date", "2025-13-01")],
        );
        assert!(
            e.contains("date=\"2025-13-01\" is invalid: expected a date"),
            "{e}"
        );
        let e = err("darkpool_recent", &[("limit", "201")]);
        assert!(
            e.contains("limit=\"201\" is invalid: the largest value is 200"),
            "{e}"
        );
        let e = err("darkpool_recent", &[("limit", "ten")]);
        assert!(e.contains("expected an integer"), "{e}");
        for v in ["1e2", "10.0", "+5", "2.5e3", "", "-", " 5"] {
            let e = err("darkpool_recent", &[("limit", v)]);
            assert!(
                e.contains(&format!(
                    "darkpool_recent: parameter limit={v:?} is invalid: expected an integer"
                )),
                "{v}: {e}"
            );
        }
        OperationRequest::new(op("darkpool_recent"), &pairs(&[("limit", "100")])).unwrap();
        // A number may have a fraction or an exponent.
        OperationRequest::new(op("option_trades"), &pairs(&[("min_ask_perc", "5e-1")])).unwrap();
    }

    #[test]
    fn an_array_parameter_takes_lists_json_arrays_and_repeats() {
        let sent = |list: &[(&str, &str)]| {
            OperationRequest::new(op("alerts"), &pairs(list)).map(|r| {
                r.query
                    .into_iter()
                    .filter(|(k, _)| k == "config_ids[]")
                    .map(|(_, v)| v)
                    .collect::<Vec<_>>()
            })
        };
        let both = Ok(vec!["a1".to_owned(), "b2".to_owned()]);
        assert_eq!(sent(&[("config_ids[]", "a1,b2")]), both);
        assert_eq!(
            sent(&[("config_ids[]", "a1"), ("config_ids[]", "b2")]),
            both
        );
        assert_eq!(sent(&[("config_ids", "a1"), ("config_ids[]", "b2")]), both);
        assert_eq!(sent(&[("config_ids[]", r#"["a1", "b2"]"#)]), both);
        assert_eq!(
            sent(&[("config_ids[]", r#"["Furnishings, Fixtures & Appliances"]"#)]),
            Ok(vec!["Furnishings, Fixtures & Appliances".to_owned()])
        );
        // A Python list's repr is not a list UW reads: refused, not sent as "['a1'".
        let e = sent(&[("config_ids[]", "['a1', 'b2']")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("alerts: parameter config_ids[]=") && e.contains("JSON array"),
            "{e}"
        );
        // Another parameter named twice takes the last value.
        let r = OperationRequest::new(op("alerts"), &pairs(&[("limit", "5"), ("limit", "7")]));
        assert_eq!(r.unwrap().query, pairs(&[("limit", "7")]));
    }

    #[test]
    fn enums_and_arrays_follow_the_document() {
        let op = operations_with_enum();
        let param = op.params.iter().find(|p| !p.allowed.is_empty()).unwrap();
        let required: Vec<(String, String)> = op
            .params
            .iter()
            .filter(|p| p.required && p.name != param.name)
            .map(|p| {
                (
                    p.name.clone(),
                    p.allowed.first().cloned().unwrap_or_else(|| sample(p)),
                )
            })
            .collect();
        let mut bad = required.clone();
        bad.push((param.name.clone(), "not-a-listed-value".to_owned()));
        let e = OperationRequest::new(op, &bad).unwrap_err().to_string();
        assert!(e.contains("expected one of"), "{e}");
        let mut good = required;
        good.push((param.name.clone(), param.allowed[0].clone()));
        OperationRequest::new(op, &good).unwrap();
    }

    fn operations_with_enum() -> &'static Operation {
        crate::http::operations::operations()
            .iter()
            .find(|o| {
                o.params
                    .iter()
                    .any(|p| !p.allowed.is_empty() && p.kind != "array")
            })
            .unwrap()
    }

    fn sample(p: &Param) -> String {
        match p.kind.as_str() {
            "integer" | "number" => p.minimum.unwrap_or(1.0).to_string(),
            "boolean" => "true".to_owned(),
            _ if p.format.as_deref() == Some("date") => "2025-05-16".to_owned(),
            _ => "SPY".to_owned(),
        }
    }

    #[test]
    fn websocket_pages_are_refused_with_the_channel_s_record_type() {
        let e = OperationRequest::new(op("socket_gex"), &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("socket_gex: /api/socket/gex documents UW's WebSocket channel `gex`")
                && e.contains("subscribe_data(DataType(UwTickerGex, metadata="),
            "{e}"
        );
        let e = OperationRequest::parse("/api/socket/gex")
            .unwrap_err()
            .to_string();
        assert!(e.contains("DataType(UwTickerGex"), "{e}");
        let e = OperationRequest::new(op("socket"), &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("channel table") && e.contains("subscribe_data"),
            "{e}"
        );
        // Every page: none is requested.
        for o in crate::http::operations::operations()
            .iter()
            .filter(|o| o.tag == "websocket")
        {
            assert!(matches!(
                OperationRequest::new(o, &[]),
                Err(OperationError::WebSocket { .. })
            ));
        }
    }

    #[test]
    fn a_concrete_path_gives_its_values_and_a_conflicting_one_is_an_error() {
        let r = OperationRequest::from_path(
            "/api/stock/SPY/max-pain",
            &pairs(&[("ticker", "SPY"), ("date", "2025-05-16")]),
        )
        .unwrap();
        assert_eq!(r.to_string(), "/api/stock/SPY/max-pain?date=2025-05-16");
        let e =
            OperationRequest::from_path("/api/stock/SPY/max-pain", &pairs(&[("ticker", "QQQ")]))
                .unwrap_err()
                .to_string();
        assert!(
            e.contains("parameter ticker=\"QQQ\" is invalid: the path /api/stock/SPY/max-pain names ticker \"SPY\""),
            "{e}"
        );
        // A template names no value: the parameter gives it.
        let r = OperationRequest::from_path(
            "/api/stock/{ticker}/max-pain",
            &pairs(&[("ticker", "QQQ")]),
        )
        .unwrap();
        assert_eq!(r.to_string(), "/api/stock/QQQ/max-pain");
    }

    #[test]
    fn a_concrete_path_parses_into_a_request() {
        let r = OperationRequest::parse(
            "/api/option-trades/multi-leg?issue_types[]=ETF&issue_types[]=Common%20Stock",
        );
        // multi-leg's `issue_types` is declared without brackets: either spelling is accepted.
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.operation.name, "option_trades_multi_leg");
        let r = OperationRequest::parse("/api/stock/AAPL/max-pain").unwrap();
        assert_eq!(r.path_values, pairs(&[("ticker", "AAPL")]));
        // Values of a path as sent are decoded, and encoded once when sent.
        for text in [
            "/api/institution/VANGUARD%20GROUP%20INC/holdings",
            "/api/institution/VANGUARD GROUP INC/holdings",
        ] {
            let r = OperationRequest::parse(text).unwrap();
            assert_eq!(r.path_values, pairs(&[("name", "VANGUARD GROUP INC")]));
            assert_eq!(
                r.to_string(),
                "/api/institution/VANGUARD%20GROUP%20INC/holdings"
            );
        }
        for text in ["/api/stock/%5EVIX/max-pain", "/api/stock/^VIX/max-pain"] {
            let r = OperationRequest::parse(text).unwrap();
            assert_eq!(r.path_values, pairs(&[("ticker", "^VIX")]));
            assert_eq!(r.to_string(), "/api/stock/%5EVIX/max-pain");
        }
        let r = OperationRequest::parse("/api/institution/A%2FB+C%25/holdings").unwrap();
        assert_eq!(r.path_values, pairs(&[("name", "A/B+C%")]));
        assert_eq!(r.to_string(), "/api/institution/A%2FB+C%25/holdings");
        assert!(matches!(
            OperationRequest::parse("/api/nowhere"),
            Err(OperationError::Unknown(_))
        ));
    }
}
