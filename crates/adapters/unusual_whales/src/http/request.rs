//! Requests as typed values: an endpoint, the values its path names, and query parameters.
//!
//! Requests the adapter makes are built from these fields and turned into a URL once, at send
//! time, with the path values and the query percent-encoded (`Url`'s encoders). Nothing reads a
//! URL back: the response decoder and the error messages take the request itself. Text that a
//! user gives (`metadata={"path": ...}`, `UwRestClient.get`) is parsed into a request first.

use std::fmt;

use reqwest::Url;

use crate::common::error::UwParseError;
use crate::http::endpoint::{UwEndpoint, UwRequestTarget};

/// A UW REST request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UwRequest {
    /// The endpoint and the values its path names.
    pub target: UwRequestTarget,
    /// Query parameters, in the order they are sent (decoded text, not yet encoded).
    pub query: Vec<(String, String)>,
}

impl UwRequest {
    /// A request to `endpoint` without path values or parameters.
    #[must_use]
    pub const fn new(endpoint: UwEndpoint) -> Self {
        Self {
            target: UwRequestTarget::of(endpoint),
            query: Vec::new(),
        }
    }

    /// Sets the path's `{ticker}`.
    #[must_use]
    pub fn ticker(mut self, ticker: impl Into<String>) -> Self {
        self.target.ticker = Some(ticker.into());
        self
    }

    /// Sets query parameter `key`, replacing an earlier value.
    #[must_use]
    pub fn param(mut self, key: &str, value: impl Into<String>) -> Self {
        self.set_param(key, value);
        self
    }

    /// Sets query parameter `key`, replacing an earlier value.
    pub fn set_param(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.query.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.query.push((key.to_owned(), value)),
        }
    }

    /// Adds a value of query parameter `key` after those it has (UW's `name[]` lists).
    pub fn push_param(&mut self, key: &str, value: impl Into<String>) {
        self.query.push((key.to_owned(), value.into()));
    }

    /// The value of query parameter `key`, if set.
    #[must_use]
    pub fn get_param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Parses what a user gives: a short name (`net_prem_ticks`), or a path with an optional
    /// query (`/api/stock/SPY/net-prem-ticks?date=2025-03-21`, percent-escapes decoded).
    ///
    /// # Errors
    /// [`UwParseError::UnknownEndpoint`] when the text names no endpoint.
    pub fn parse(text: &str) -> Result<Self, UwParseError> {
        let target = UwRequestTarget::parse(text)?;
        let query = text
            .split_once('?')
            .map(|(_, q)| q.split_once('#').map_or(q, |(q, _)| q))
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self { target, query })
    }

    /// The path with its values filled in and encoded, or the first placeholder left without
    /// a value.
    fn path_segments(&self) -> Result<Vec<&str>, String> {
        let t = &self.target;
        self.target
            .endpoint
            .path_template()
            .trim_start_matches('/')
            .split('/')
            .map(|segment| {
                let value = match segment {
                    "{ticker}" => t.ticker.as_deref(),
                    "{id}" => t.id.as_deref(),
                    "{expiry}" => t.expiry.as_deref(),
                    "{candle_size}" => t.candle_size.as_deref(),
                    "{flow_group}" => t.flow_group.as_deref(),
                    "{date}" => t.date.as_deref(),
                    literal => Some(literal),
                };
                value.ok_or_else(|| {
                    format!(
                        "{} needs a value for {segment} in its path {}",
                        t.endpoint.name(),
                        t.endpoint.path_template()
                    )
                })
            })
            .collect()
    }

    /// The URL under `base_url` (scheme, host and an optional path prefix).
    ///
    /// # Errors
    /// A base URL that does not parse or cannot take a path, and a path value left unset.
    pub fn url(&self, base_url: &str) -> Result<Url, String> {
        url_of(base_url, self.path_segments()?, &self.query)
    }
}

/// `base_url` with `segments` appended (each encoded as one segment) and `query` encoded.
///
/// # Errors
/// A base URL that does not parse or cannot take a path.
pub(crate) fn url_of<'a>(
    base_url: &str,
    segments: impl IntoIterator<Item = &'a str>,
    query: &[(String, String)],
) -> Result<Url, String> {
    let mut url =
        Url::parse(base_url).map_err(|e| format!("base URL {base_url:?} is invalid: {e}"))?;
    url.path_segments_mut()
        .map_err(|()| format!("base URL {base_url:?} cannot take a path"))?
        .pop_if_empty()
        .extend(segments);
    // `Url` leaves a `^` of a value as it is (`/api/stock/^VIX/info`); UW is sent `%5EVIX`. Every
    // `^` in the path is a value's: the template and the base URL have none.
    if url.path().contains('^') {
        let path = url.path().replace('^', "%5E");
        url.set_path(&path);
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}

/// Writes the path and query of `url` (`/api/...?...`, encoded), or `fallback` when there is no
/// URL: what messages and logs show of a request.
pub(crate) fn show_request(
    f: &mut fmt::Formatter<'_>,
    url: Result<Url, String>,
    fallback: &str,
) -> fmt::Result {
    match url {
        Ok(url) => {
            f.write_str(url.path())?;
            url.query().map_or(Ok(()), |q| write!(f, "?{q}"))
        }
        Err(_) => f.write_str(fallback),
    }
}

/// `/api/...?...` as sent (encoded), for messages and logs.
impl fmt::Display for UwRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        show_request(
            f,
            self.url("http://uw"),
            self.target.endpoint.path_template(),
        )
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[test]
    fn values_are_encoded_into_the_url() {
        let request = UwRequest::new(UwEndpoint::NewsHeadlines)
            .param("ticker", "SPY,QQQ")
            .param("date", "2025-05-12&limit=1");
        let url = request.url("http://127.0.0.1:9/").unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/api/news/headlines?ticker=SPY%2CQQQ&date=2025-05-12%26limit%3D1"
        );
        // The injected `limit` stays inside the date's value.
        assert_eq!(url.query_pairs().count(), 2);
    }

    #[test]
    fn path_values_are_encoded_as_one_segment() {
        let mut request = UwRequest::new(UwEndpoint::OptionContractHistoric);
        request.target.id = Some("A/B?C".to_owned());
        let url = request.url("https://api.unusualwhales.com").unwrap();
        assert_eq!(url.path(), "/api/option-contract/A%2FB%3FC/historic");
    }

    #[test]
    fn path_values_are_encoded_once_and_a_caret_too() {
        // As given (decoded) or as sent (encoded): the same request goes out.
        for text in [
            "/api/stock/%5EVIX/ohlc/1m",
            "/api/stock/^VIX/ohlc/1m",
            "/api/stock/%5eVIX/ohlc/1m",
        ] {
            let request = UwRequest::parse(text).unwrap();
            assert_eq!(request.target.ticker.as_deref(), Some("^VIX"), "{text}");
            let url = request.url("http://127.0.0.1:9").unwrap();
            assert_eq!(url.path(), "/api/stock/%5EVIX/ohlc/1m", "{text}");
        }
        let mut request = UwRequest::new(UwEndpoint::OptionContractHistoric);
        request.target.id = Some("a b%c^".to_owned());
        let url = request.url("http://127.0.0.1:9").unwrap();
        assert_eq!(url.path(), "/api/option-contract/a%20b%25c%5E/historic");
    }

    #[test]
    fn a_path_value_left_unset_is_an_error_naming_it() {
        let err = UwRequest::new(UwEndpoint::NetPremTicks)
            .url("http://127.0.0.1:9")
            .unwrap_err();
        assert!(err.contains("{ticker}"), "{err}");
    }

    #[test]
    fn a_base_url_path_prefix_is_kept() {
        let url = UwRequest::new(UwEndpoint::MarketTide)
            .url("http://127.0.0.1:9/proxy/")
            .unwrap();
        assert_eq!(url.path(), "/proxy/api/market/market-tide");
    }

    #[rstest]
    #[case("/api/stock/SPY/net-prem-ticks?date=2025-03-21", &[("date", "2025-03-21")])]
    #[case("/api/news/headlines?ticker=SPY%2CQQQ&limit=5", &[("ticker", "SPY,QQQ"), ("limit", "5")])]
    #[case("net_prem_ticks", &[])]
    fn user_text_parses_into_a_request(#[case] text: &str, #[case] query: &[(&str, &str)]) {
        let request = UwRequest::parse(text).unwrap();
        let got: Vec<(&str, &str)> = request
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, query);
    }

    #[test]
    fn display_is_the_encoded_path_and_query() {
        let request = UwRequest::new(UwEndpoint::GexLevels)
            .ticker("SPY")
            .param("source", "oi");
        assert_eq!(request.to_string(), "/api/stock/SPY/gex-levels?source=oi");
    }
}
