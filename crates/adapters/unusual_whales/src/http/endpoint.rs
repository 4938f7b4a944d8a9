//! The REST endpoints this adapter decodes, their paths and response envelopes
//! (docs/uw-api.md#rest-endpoints, docs/uw-api.md#response-envelopes, docs/uw-api.md#paging).

use crate::common::error::UwParseError;
use crate::common::parse::parse_date_days;
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
    /// `GET /api/option-trades/flow-alerts/{id}` -> one UwFlowAlert (`alert`) then its UwOptionTrade prints (`trades`); cursor `older_than` while `has_more`.
    FlowAlertDetail,
    /// `GET /api/net-flow/expiry` -> UwExpiryTide; rows nested per `(tide_type, moneyness)` group.
    NetFlowExpiry,
    /// `GET /api/stock/{ticker}/greek-flow` -> UwGreekFlow; one day per `date`.
    GreekFlow,
    /// `GET /api/stock/{ticker}/greek-flow/{expiry}` -> UwGreekFlow of one expiry; one day per `date`.
    GreekFlowExpiry,
    /// `GET /api/stock/{ticker}/flow-per-strike` -> UwStrikeFlow; bare array, one day per `date`.
    FlowPerStrike,
    /// `GET /api/stock/{ticker}/flow-per-strike-intraday` -> UwStrikeFlow by minute; bare array.
    FlowPerStrikeIntraday,
    /// `GET /api/stock/{ticker}/option-contracts` -> UwOptionContract; `page` + `limit` <= 500.
    OptionContracts,
    /// `GET /api/stock/{ticker}/option-chains` -> UwOptionContract; `data` lists bare OCC symbols (objects with `greeks=true`).
    OptionChains,
    /// `GET /api/option-contract/{id}/historic` -> UwContractDay; rows under `chains`, `{id}` is the OCC symbol.
    OptionContractHistoric,
    /// `GET /api/stock/{ticker}/stock-state` -> UwStockState; `data` is one object.
    StockState,
    /// `GET /api/stock/{ticker}/quote` -> UwStockQuote; `data` is one nested object.
    StockQuote,
    /// `GET /api/stock/{ticker}/ohlc/{candle_size}` -> UwOhlcBar; `limit` <= 2500.
    Ohlc,
    /// `GET /api/stock/{ticker}/max-pain` -> UwMaxPain; the trading date is the top-level `date`.
    MaxPain,
    /// `GET /api/stock/{ticker}/iv-rank` -> UwIvRank; `timespan` (`1y`, `6m`, ...).
    IvRank,
    /// `GET /api/stock/{ticker}/interpolated-iv` -> UwHorizonIv; one day per `date`.
    InterpolatedIv,
    /// `GET /api/stock/{ticker}/volatility/term-structure` -> UwExpiryIv; one day per `date`.
    TermStructure,
    /// `GET /api/earnings/{ticker}` -> UwEarnings (history); `{"data":[]}` for tickers without earnings.
    EarningsTicker,
    /// `GET /api/earnings/premarket` -> UwEarnings; `date`, `page` (0-based) + `limit` <= 100.
    EarningsPremarket,
    /// `GET /api/earnings/afterhours` -> UwEarnings; `date`, `page` (0-based) + `limit` <= 100.
    EarningsAfterhours,
    /// `GET /api/congress/recent-trades` -> UwCongressTrade; `limit` <= 200.
    CongressRecentTrades,
    /// `GET /api/insider/transactions` -> UwInsiderTransaction; `page` + `limit` <= 500.
    InsiderTransactions,
}

impl UwEndpoint {
    /// Every endpoint.
    pub const ALL: [Self; 37] = [
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
        Self::FlowAlertDetail,
        Self::NetFlowExpiry,
        Self::GreekFlow,
        Self::GreekFlowExpiry,
        Self::FlowPerStrike,
        Self::FlowPerStrikeIntraday,
        Self::OptionContracts,
        Self::OptionChains,
        Self::OptionContractHistoric,
        Self::StockState,
        Self::StockQuote,
        Self::Ohlc,
        Self::MaxPain,
        Self::IvRank,
        Self::InterpolatedIv,
        Self::TermStructure,
        Self::EarningsTicker,
        Self::EarningsPremarket,
        Self::EarningsAfterhours,
        Self::CongressRecentTrades,
        Self::InsiderTransactions,
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
            Self::FlowAlertDetail => "flow_alert_detail",
            Self::NetFlowExpiry => "net_flow_expiry",
            Self::GreekFlow => "greek_flow",
            Self::GreekFlowExpiry => "greek_flow_expiry",
            Self::FlowPerStrike => "flow_per_strike",
            Self::FlowPerStrikeIntraday => "flow_per_strike_intraday",
            Self::OptionContracts => "option_contracts",
            Self::OptionChains => "option_chains",
            Self::OptionContractHistoric => "option_contract_historic",
            Self::StockState => "stock_state",
            Self::StockQuote => "stock_quote",
            Self::Ohlc => "ohlc",
            Self::MaxPain => "max_pain",
            Self::IvRank => "iv_rank",
            Self::InterpolatedIv => "interpolated_iv",
            Self::TermStructure => "term_structure",
            Self::EarningsTicker => "earnings_ticker",
            Self::EarningsPremarket => "earnings_premarket",
            Self::EarningsAfterhours => "earnings_afterhours",
            Self::CongressRecentTrades => "congress_recent_trades",
            Self::InsiderTransactions => "insider_transactions",
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
            Self::FlowAlertDetail => "/api/option-trades/flow-alerts/{id}",
            Self::NetFlowExpiry => "/api/net-flow/expiry",
            Self::GreekFlow => "/api/stock/{ticker}/greek-flow",
            Self::GreekFlowExpiry => "/api/stock/{ticker}/greek-flow/{expiry}",
            Self::FlowPerStrike => "/api/stock/{ticker}/flow-per-strike",
            Self::FlowPerStrikeIntraday => "/api/stock/{ticker}/flow-per-strike-intraday",
            Self::OptionContracts => "/api/stock/{ticker}/option-contracts",
            Self::OptionChains => "/api/stock/{ticker}/option-chains",
            Self::OptionContractHistoric => "/api/option-contract/{id}/historic",
            Self::StockState => "/api/stock/{ticker}/stock-state",
            Self::StockQuote => "/api/stock/{ticker}/quote",
            Self::Ohlc => "/api/stock/{ticker}/ohlc/{candle_size}",
            Self::MaxPain => "/api/stock/{ticker}/max-pain",
            Self::IvRank => "/api/stock/{ticker}/iv-rank",
            Self::InterpolatedIv => "/api/stock/{ticker}/interpolated-iv",
            Self::TermStructure => "/api/stock/{ticker}/volatility/term-structure",
            Self::EarningsTicker => "/api/earnings/{ticker}",
            Self::EarningsPremarket => "/api/earnings/premarket",
            Self::EarningsAfterhours => "/api/earnings/afterhours",
            Self::CongressRecentTrades => "/api/congress/recent-trades",
            Self::InsiderTransactions => "/api/insider/transactions",
        }
    }
}

/// The candle sizes `/api/stock/{ticker}/ohlc/{candle_size}` accepts.
pub const CANDLE_SIZES: [&str; 9] = ["1m", "5m", "10m", "15m", "30m", "1h", "4h", "1d", "1w"];

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
        "{expiry}" => parse_date_days(segment).is_ok(),
        "{candle_size}" => CANDLE_SIZES.contains(&segment),
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
        if let Some(endpoint) = UwEndpoint::ALL.into_iter().find(|e| e.name() == text) {
            return Ok(Self::of(endpoint));
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
                return Ok(Self::of(endpoint));
            }
        }
        'templates: for endpoint in UwEndpoint::ALL {
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
                if !segment_fits(t, s) {
                    continue 'templates;
                }
                let value = Some((*s).to_owned());
                match *t {
                    "{ticker}" => target.ticker = value,
                    "{id}" => target.id = value,
                    "{expiry}" => target.expiry = value,
                    _ => target.candle_size = value,
                }
            }
            return Ok(target);
        }
        Err(unknown())
    }

    const fn of(endpoint: UwEndpoint) -> Self {
        Self {
            endpoint,
            ticker: None,
            id: None,
            expiry: None,
            candle_size: None,
        }
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
