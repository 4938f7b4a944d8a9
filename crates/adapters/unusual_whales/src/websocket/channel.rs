//! UW channel names (docs/uw-api.md#channels): `flow-alerts`, `gex:SPY`, `option_trades:TSLA`, ...

use std::fmt;

use crate::common::symbol::validate_ticker;

/// The kinds of channel UW documents with a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelKind {
    /// `option_trades` / `option_trades:<TICKER>`.
    OptionTrades,
    /// `flow-alerts` (hyphen, unlike every other channel).
    FlowAlerts,
    /// `price` / `price:<TICKER>`.
    Price,
    /// `gex` / `gex:<TICKER>`.
    Gex,
    /// `gex_strike` / `gex_strike:<TICKER>`.
    GexStrike,
    /// `gex_strike_expiry` / `gex_strike_expiry:<TICKER>`.
    GexStrikeExpiry,
    /// `news`.
    News,
    /// `lit_trades`.
    LitTrades,
    /// `off_lit_trades` (dark pool / TRF prints).
    OffLitTrades,
    /// `market_tide`.
    MarketTide,
    /// `net_flow:<TICKER>`.
    NetFlow,
    /// `interval_flow`.
    IntervalFlow,
    /// `contract_screener`.
    ContractScreener,
    /// `trading_halts`.
    TradingHalts,
    /// `custom_alerts`.
    CustomAlerts,
    /// `periscope` / `periscope:<TICKER>`.
    Periscope,
    /// `interpolated_iv` / `interpolated_iv:<TICKER>`.
    InterpolatedIv,
    /// `iv_term_structure` / `iv_term_structure:<TICKER>`.
    IvTermStructure,
}

impl ChannelKind {
    /// Every kind, in documentation order.
    pub const ALL: [Self; 18] = [
        Self::OptionTrades,
        Self::FlowAlerts,
        Self::Price,
        Self::Gex,
        Self::GexStrike,
        Self::GexStrikeExpiry,
        Self::News,
        Self::LitTrades,
        Self::OffLitTrades,
        Self::MarketTide,
        Self::NetFlow,
        Self::IntervalFlow,
        Self::ContractScreener,
        Self::TradingHalts,
        Self::CustomAlerts,
        Self::Periscope,
        Self::InterpolatedIv,
        Self::IvTermStructure,
    ];

    /// The channel base name on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OptionTrades => "option_trades",
            Self::FlowAlerts => "flow-alerts",
            Self::Price => "price",
            Self::Gex => "gex",
            Self::GexStrike => "gex_strike",
            Self::GexStrikeExpiry => "gex_strike_expiry",
            Self::News => "news",
            Self::LitTrades => "lit_trades",
            Self::OffLitTrades => "off_lit_trades",
            Self::MarketTide => "market_tide",
            Self::NetFlow => "net_flow",
            Self::IntervalFlow => "interval_flow",
            Self::ContractScreener => "contract_screener",
            Self::TradingHalts => "trading_halts",
            Self::CustomAlerts => "custom_alerts",
            Self::Periscope => "periscope",
            Self::InterpolatedIv => "interpolated_iv",
            Self::IvTermStructure => "iv_term_structure",
        }
    }

    /// Parses a channel base name.
    #[must_use]
    pub fn from_base(base: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == base)
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A channel as joined: a kind plus an optional ticker scope (`gex:SPY`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UwChannel {
    /// The kind.
    pub kind: ChannelKind,
    /// The ticker scope, if any.
    pub ticker: Option<String>,
}

impl UwChannel {
    /// Parses `base` or `base:TICKER`. Returns `None` for names UW does not document.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let (base, ticker) = match text.split_once(':') {
            Some((base, ticker)) => (base, Some(ticker)),
            None => (text, None),
        };
        let kind = ChannelKind::from_base(base)?;
        match ticker {
            Some(t) if validate_ticker(t).is_ok() => Some(Self {
                kind,
                ticker: Some(t.to_owned()),
            }),
            Some(_) => None,
            None => Some(Self { kind, ticker: None }),
        }
    }
}

impl fmt::Display for UwChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ticker {
            Some(t) => write!(f, "{}:{t}", self.kind),
            None => f.write_str(self.kind.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("flow-alerts", ChannelKind::FlowAlerts, None)]
    #[case("gex:SPY", ChannelKind::Gex, Some("SPY"))]
    #[case("option_trades:TSLA", ChannelKind::OptionTrades, Some("TSLA"))]
    #[case("gex_strike_expiry:SPX", ChannelKind::GexStrikeExpiry, Some("SPX"))]
    fn parses_documented_channels(
        #[case] text: &str,
        #[case] kind: ChannelKind,
        #[case] ticker: Option<&str>,
    ) {
        let ch = UwChannel::parse(text).unwrap();
        assert_eq!(ch.kind, kind);
        assert_eq!(ch.ticker.as_deref(), ticker);
        assert_eq!(ch.to_string(), text);
    }

    #[rstest]
    #[case("flow_alerts")]
    #[case("dark_pool")]
    #[case("market-tide")]
    #[case("gex:")]
    #[case("gex:S P Y")]
    #[case("")]
    fn rejects_undocumented_names(#[case] text: &str) {
        assert_eq!(UwChannel::parse(text), None);
    }

    #[test]
    fn every_kind_round_trips_its_name() {
        for kind in ChannelKind::ALL {
            assert_eq!(ChannelKind::from_base(kind.as_str()), Some(kind));
        }
    }
}
