//! The REST endpoints this adapter decodes, their paths and response envelopes (SPEC.md §5, §7).

use crate::common::error::UwParseError;
use crate::common::symbol::validate_ticker;

/// A UW REST endpoint with a typed decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UwEndpoint {
    /// `GET /api/option-trades/flow-alerts` -> `UwFlowAlert`; cursor `newer_than`/`older_than`.
    FlowAlerts,
    /// `GET /api/option-trades` (latest trading day) -> `UwOptionTrade`; cursor `newer_than`/`older_than`.
    OptionTrades,
    /// `GET /api/darkpool/recent` -> `UwDarkPoolTrade`.
    DarkPoolRecent,
    /// `GET /api/darkpool/{ticker}` -> `UwDarkPoolTrade`; cursor `older_than` (page/offset are ignored).
    DarkPoolTicker,
    /// `GET /api/lit-flow/recent` -> `UwLitTrade`.
    LitFlowRecent,
    /// `GET /api/lit-flow/{ticker}` -> `UwLitTrade`.
    LitFlowTicker,
    /// `GET /api/market/market-tide` -> `UwMarketTide`; one day per `date`.
    MarketTide,
    /// `GET /api/stock/{ticker}/net-prem-ticks` -> `UwNetPremTick`; one day per `date`.
    NetPremTicks,
    /// `GET /api/stock/{ticker}/spot-exposures` -> `UwSpotExposure`; one day per `date`.
    SpotExposures,
    /// `GET /api/news/headlines` -> `UwNewsHeadline`; `page` (0-based) + `limit`.
    NewsHeadlines,
    /// `GET /api/stock/{ticker}/greek-exposure` -> UwGreekExposure; one row per day (`timeframe`, `date`).
    GreekExposure,
    /// `GET /api/stock/{ticker}/greek-exposure/strike` -> UwStrikeGreekExposure; one day per `date`.
    GreekExposureStrike,
    /// `GET /api/stock/{ticker}/greek-exposure/expiry` -> UwExpiryGreekExposure; one day per `date`.
    GreekExposureExpiry,
    /// `GET /api/stock/{ticker}/greek-exposure/strike-expiry` -> UwStrikeGreekExposure; `expiry` required.
    GreekExposureStrikeExpiry,
    /// `GET /api/stock/{ticker}/gex-levels` -> UwGexLevels; `data` is one object.
    GexLevels,
    /// `GET /api/stock/{ticker}/spot-exposures/strike` -> UwStrikeSpotExposure; `page` (0-based) + `limit` <= 500.
    SpotExposuresStrike,
}

impl UwEndpoint {
    /// Every endpoint.
    pub const ALL: [Self; 16] = [
        Self::FlowAlerts,
        Self::OptionTrades,
        Self::DarkPoolRecent,
        Self::DarkPoolTicker,
        Self::LitFlowRecent,
        Self::LitFlowTicker,
        Self::MarketTide,
        Self::NetPremTicks,
        Self::SpotExposures,
        Self::NewsHeadlines,
        Self::GreekExposure,
        Self::GreekExposureStrike,
        Self::GreekExposureExpiry,
        Self::GreekExposureStrikeExpiry,
        Self::GexLevels,
        Self::SpotExposuresStrike,
    ];

    /// The short name accepted by `parse_rest_response`, e.g. `net_prem_ticks`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::FlowAlerts => "flow_alerts",
            Self::OptionTrades => "option_trades",
            Self::DarkPoolRecent => "darkpool_recent",
            Self::DarkPoolTicker => "darkpool_ticker",
            Self::LitFlowRecent => "lit_flow_recent",
            Self::LitFlowTicker => "lit_flow_ticker",
            Self::MarketTide => "market_tide",
            Self::NetPremTicks => "net_prem_ticks",
            Self::SpotExposures => "spot_exposures",
            Self::NewsHeadlines => "news_headlines",
            Self::GreekExposure => "greek_exposure",
            Self::GreekExposureStrike => "greek_exposure_strike",
            Self::GreekExposureExpiry => "greek_exposure_expiry",
            Self::GreekExposureStrikeExpiry => "greek_exposure_strike_expiry",
            Self::GexLevels => "gex_levels",
            Self::SpotExposuresStrike => "spot_exposures_strike",
        }
    }

    /// The path template, `{ticker}` marking the ticker segment.
    #[must_use]
    pub const fn path_template(self) -> &'static str {
        match self {
            Self::FlowAlerts => "/api/option-trades/flow-alerts",
            Self::OptionTrades => "/api/option-trades",
            Self::DarkPoolRecent => "/api/darkpool/recent",
            Self::DarkPoolTicker => "/api/darkpool/{ticker}",
            Self::LitFlowRecent => "/api/lit-flow/recent",
            Self::LitFlowTicker => "/api/lit-flow/{ticker}",
            Self::MarketTide => "/api/market/market-tide",
            Self::NetPremTicks => "/api/stock/{ticker}/net-prem-ticks",
            Self::SpotExposures => "/api/stock/{ticker}/spot-exposures",
            Self::NewsHeadlines => "/api/news/headlines",
            Self::GreekExposure => "/api/stock/{ticker}/greek-exposure",
            Self::GreekExposureStrike => "/api/stock/{ticker}/greek-exposure/strike",
            Self::GreekExposureExpiry => "/api/stock/{ticker}/greek-exposure/expiry",
            Self::GreekExposureStrikeExpiry => "/api/stock/{ticker}/greek-exposure/strike-expiry",
            Self::GexLevels => "/api/stock/{ticker}/gex-levels",
            Self::SpotExposuresStrike => "/api/stock/{ticker}/spot-exposures/strike",
        }
    }
}

/// An endpoint plus the ticker its path names, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UwRequestTarget {
    /// The endpoint.
    pub endpoint: UwEndpoint,
    /// The ticker from the path (`/api/stock/SPY/...`).
    pub ticker: Option<String>,
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
        if let Some(endpoint) = UwEndpoint::ALL.into_iter().find(|e| e.name() == text) {
            return Ok(Self {
                endpoint,
                ticker: None,
            });
        }
        let path = text
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        let segments: Vec<&str> = path.split('/').collect();
        // Literal paths first: `/api/darkpool/recent` must not read as ticker `recent`.
        for endpoint in UwEndpoint::ALL {
            if endpoint.path_template() == path {
                return Ok(Self {
                    endpoint,
                    ticker: None,
                });
            }
        }
        for endpoint in UwEndpoint::ALL {
            let template: Vec<&str> = endpoint.path_template().split('/').collect();
            if template.len() != segments.len() {
                continue;
            }
            let mut ticker = None;
            let matches = template.iter().zip(&segments).all(|(t, s)| {
                if *t == "{ticker}" {
                    ticker = Some((*s).to_owned());
                    validate_ticker(s).is_ok()
                } else {
                    t == s
                }
            });
            if matches {
                return Ok(Self {
                    endpoint,
                    ticker: ticker.filter(|t| t != "{ticker}"),
                });
            }
        }
        Err(unknown())
    }
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
    #[case("/api/options/flow")]
    #[case("/api/v1/option-trades")]
    #[case("flow")]
    fn rejects_unknown_endpoints(#[case] text: &str) {
        assert_eq!(
            UwRequestTarget::parse(text).unwrap_err().kind(),
            "unknown_endpoint"
        );
    }
}
