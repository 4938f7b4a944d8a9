//! A subscription's `DataType.metadata` as a typed filter: the keys UW types can be filtered on,
//! their parsing, and the errors a strategy author sees for a wrong subscription.

use crate::common::symbol::{OccSymbol, root_underlying, validate_ticker};
use crate::common::time::parse_date;
use crate::data::record::InstrumentSource;
use crate::data::view::FilterKey;

/// What a subscription is wrong about, in words a strategy author can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The type has no live source.
    #[error("{type_name} is not streamed by UW's WebSocket; request it with request_data instead")]
    NotStreamed {
        /// The Python type name.
        type_name: String,
    },
    /// The type is not a UW type at all.
    #[error("unknown UW data type {type_name:?}")]
    UnknownType {
        /// The name given.
        type_name: String,
    },
    /// A metadata key the type cannot be filtered on (or a typo).
    #[error("{type_name} cannot be filtered by {key:?}; supported metadata keys: {supported}")]
    UnsupportedKey {
        /// The Python type name.
        type_name: String,
        /// The key given.
        key: String,
        /// The keys that type supports.
        supported: String,
    },
    /// A metadata value that does not parse.
    #[error("{type_name}: metadata {key}={value:?} is invalid: {reason}")]
    InvalidValue {
        /// The Python type name.
        type_name: String,
        /// The key.
        key: String,
        /// The value given.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A `UwFlowBar` subscription's metadata that is not a flow-bar spec.
    #[error(transparent)]
    FlowBar(#[from] crate::aggregate::FlowBarSpecError),
    /// The channel exists only per ticker.
    #[error(
        "{type_name} needs a ticker: UW's {channel} channel exists only per ticker (metadata={{\"ticker\": \"SPY\"}})"
    )]
    TickerRequired {
        /// The Python type name.
        type_name: String,
        /// The channel base name.
        channel: &'static str,
    },
}

/// Which expiry a subscription wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpiryFilter {
    /// One date, `YYYY-MM-DD`.
    On(String),
    /// Contracts expiring on the New York date of the record's event time.
    ZeroDte,
}

/// A subscription's filter, built from its `DataType.metadata`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UwFilter {
    /// Upper-case tickers; `None` = all.
    pub tickers: Option<Vec<String>>,
    /// Minimum premium in dollars.
    pub min_premium: Option<f64>,
    /// Minimum size.
    pub min_size: Option<i64>,
    /// `true` = calls, `false` = puts.
    pub calls: Option<bool>,
    /// Expiry.
    pub expiry: Option<ExpiryFilter>,
    /// Exact instrument id (`SPY241220C00500000.SMART`).
    pub instrument_id: Option<String>,
}

/// Whether `value` can name an instrument of `type_name`'s records: `SYMBOL.VENUE`, an option
/// (either OCC form) for types whose records are option contracts, an underlying for the others.
/// An id of the other kind would pass no record, and the subscription would be silent.
fn check_instrument_id(type_name: &str, value: &str, by_ticker: bool) -> Result<(), String> {
    let Some((symbol, venue)) = value
        .rsplit_once('.')
        .filter(|(s, v)| !s.trim().is_empty() && !v.is_empty() && !v.contains(' '))
    else {
        return Err("expected SYMBOL.VENUE, e.g. SPY241220C00500000.SMART or SPY.SMART".to_owned());
    };
    let is_option = OccSymbol::parse(&symbol.replace(' ', "")).is_ok();
    match crate::subscription::filter::instrument_source(type_name) {
        Some(InstrumentSource::OptionSymbol) if !is_option => Err(format!(
            "{type_name} records are option contracts: expected an option id such as \
             {symbol}241220C00500000.{venue}{}",
            if by_ticker {
                format!(" (ticker={symbol} selects all of {symbol}'s)")
            } else {
                String::new()
            }
        )),
        Some(InstrumentSource::Ticker) if is_option => Err(format!(
            "{type_name} records name an underlying, not an option: expected an id such as SPY.{venue}"
        )),
        _ => Ok(()),
    }
}

impl UwFilter {
    /// Builds the filter for `type_name` from metadata `(key, value)` pairs (values as text).
    ///
    /// # Errors
    /// Unknown or unsupported keys and unparsable values, naming the key.
    pub fn from_metadata<K: AsRef<str>, V: AsRef<str>>(
        type_name: &str,
        supported: &[FilterKey],
        metadata: &[(K, V)],
    ) -> Result<Self, RouteError> {
        let mut filter = Self::default();
        for (key, value) in metadata {
            let (key, value) = (key.as_ref(), value.as_ref().trim());
            let invalid = |reason: String| RouteError::InvalidValue {
                type_name: type_name.to_owned(),
                key: key.to_owned(),
                value: value.to_owned(),
                reason,
            };
            let parsed = FilterKey::parse(key)
                .filter(|k| supported.contains(k))
                .ok_or_else(|| RouteError::UnsupportedKey {
                    type_name: type_name.to_owned(),
                    key: key.to_owned(),
                    supported: if supported.is_empty() {
                        "none (it has no filters)".to_owned()
                    } else {
                        supported
                            .iter()
                            .map(|k| k.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                })?;
            match parsed {
                FilterKey::Ticker => {
                    let mut tickers = Vec::new();
                    for t in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                        let t = t.to_ascii_uppercase();
                        validate_ticker(&t).map_err(|e| invalid(e.to_string()))?;
                        if !tickers.contains(&t) {
                            tickers.push(t);
                        }
                    }
                    if tickers.is_empty() {
                        return Err(invalid("no ticker given".to_owned()));
                    }
                    filter.tickers = Some(tickers);
                }
                FilterKey::MinPremium => {
                    let v: f64 = value
                        .parse()
                        .map_err(|_| invalid("not a number".to_owned()))?;
                    if !v.is_finite() {
                        return Err(invalid("not a finite number".to_owned()));
                    }
                    filter.min_premium = Some(v);
                }
                FilterKey::MinSize => {
                    let v = value
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && v.fract() == 0.0)
                        .ok_or_else(|| invalid("not a whole number".to_owned()))?;
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        filter.min_size = Some(v as i64);
                    }
                }
                FilterKey::OptionType => {
                    filter.calls = match value.to_ascii_lowercase().as_str() {
                        "call" | "calls" | "c" => Some(true),
                        "put" | "puts" | "p" => Some(false),
                        _ => return Err(invalid("expected call or put".to_owned())),
                    };
                }
                FilterKey::Expiry => {
                    filter.expiry = Some(if value.eq_ignore_ascii_case("0dte") {
                        ExpiryFilter::ZeroDte
                    } else {
                        parse_date(value).map_err(invalid)?;
                        ExpiryFilter::On(value.to_owned())
                    });
                }
                FilterKey::InstrumentId => {
                    check_instrument_id(type_name, value, supported.contains(&FilterKey::Ticker))
                        .map_err(invalid)?;
                    filter.instrument_id = Some(value.to_owned());
                }
            }
        }
        Ok(filter)
    }

    /// The tickers that choose per-ticker channels: the `ticker` filter, or the underlying of an
    /// `instrument_id` filter.
    #[must_use]
    pub fn channel_tickers(&self) -> Option<Vec<String>> {
        if let Some(t) = &self.tickers {
            return Some(t.clone());
        }
        let id = self.instrument_id.as_deref()?;
        let symbol = id.rsplit_once('.').map_or(id, |(s, _)| s);
        // Underlyings are named as IB names them (`BRK-B`); UW's channels use `BRK.B`. An option's
        // channel is its underlying's (`option_trades:SPX` carries the `SPXW` weeklies).
        let ticker = OccSymbol::parse(symbol).map_or_else(
            |_| symbol.replace('-', "."),
            |o| root_underlying(&o.root).to_owned(),
        );
        validate_ticker(&ticker).ok().map(|()| vec![ticker])
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use crate::subscription::testing::filter;

    #[rstest]
    #[case("UwFlowAlert", &[("tickr", "SPY")], "cannot be filtered by \"tickr\"")]
    #[case("UwMarketTide", &[("ticker", "SPY")], "by \"ticker\"; supported metadata keys: none")]
    #[case("UwFlowAlert", &[("min_premium", "lots")], "min_premium=\"lots\" is invalid")]
    #[case("UwFlowAlert", &[("option_type", "straddle")], "expected call or put")]
    #[case("UwFlowAlert", &[("expiry", "2024-13-01")], "expiry=\"2024-13-01\" is invalid")]
    #[case("UwFlowAlert", &[("ticker", " , ")], "no ticker given")]
    #[case("UwNetPremTick", &[], "not streamed by UW's WebSocket")]
    #[case("QuoteTick", &[], "unknown UW data type")]
    #[case("UwOptionTrade", &[("instrument_id", "bad")], "instrument_id=\"bad\" is invalid: expected SYMBOL.VENUE")]
    #[case("UwOptionTrade", &[("instrument_id", "SPY.")], "expected SYMBOL.VENUE")]
    #[case("UwOptionTrade", &[("instrument_id", ".SMART")], "expected SYMBOL.VENUE")]
    #[case("UwOptionTrade", &[("instrument_id", "SPY.SMART")], "UwOptionTrade records are option contracts")]
    #[case("UwFlowAlert", &[("instrument_id", "SPY.SMART")], "ticker=SPY selects all of SPY's")]
    #[case("UwNetFlow", &[("instrument_id", "SPY241220C00500000.SMART")], "records name an underlying, not an option")]
    fn bad_metadata_is_a_clear_error(
        #[case] type_name: &str,
        #[case] md: &[(&str, &str)],
        #[case] message: &str,
    ) {
        let err = filter(type_name, md).unwrap_err().to_string();
        assert!(err.contains(message), "{err}");
    }

    #[rstest]
    #[case("UwOptionTrade", "SPY241220C00500000.SMART")]
    #[case("UwOptionTrade", "SPY   241220C00500000.SMART")]
    #[case("UwFlowAlert", "SPXW250516C05900000.CBOE")]
    #[case("UwNetFlow", "SPY.SMART")]
    #[case("UwPrice", "BRK-B.SMART")]
    fn an_instrument_id_of_the_records_kind_is_accepted(#[case] type_name: &str, #[case] id: &str) {
        let f = filter(type_name, &[("instrument_id", id)]).unwrap();
        assert_eq!(f.instrument_id.as_deref(), Some(id));
    }
}
