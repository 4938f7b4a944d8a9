//! UW's example payloads compiled into the simulator: what it serves where it generates nothing.
//!
//! Verbatim from `test_data/` (provenance in its README), the same files every crate's tests read.

use unusual_whales_nt::http::endpoint::UwEndpoint;

/// Every example frame of UW's channel docs (docs/uw-api.md#channel-payloads), one per line: every
/// `test_data/ws_*.jsonl` (collected by build.rs). Channels the generator synthesises ignore theirs.
pub(crate) const EXAMPLE_FRAMES: &str = include!(concat!(env!("OUT_DIR"), "/ws_examples.rs"));

/// UW's example body of `endpoint`, served (moved to the day asked for) where nothing is generated.
/// A `match`, so that an endpoint the parser learns cannot go unanswered here.
pub(crate) const fn example_body(endpoint: UwEndpoint) -> &'static str {
    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../test_data/http_get_", $name, ".jsonl"))
        };
    }
    match endpoint {
        UwEndpoint::FlowAlerts => fixture!("flow_alerts"),
        UwEndpoint::Nope => fixture!("nope"),
        UwEndpoint::OptionTrades => fixture!("option_trades"),
        // UW documents one print shape for dark-pool and lit prints.
        UwEndpoint::DarkPoolRecent
        | UwEndpoint::DarkPoolTicker
        | UwEndpoint::LitFlowRecent
        | UwEndpoint::LitFlowTicker => fixture!("darkpool_ticker"),
        UwEndpoint::MarketTide => fixture!("market_tide"),
        UwEndpoint::NetPremTicks => fixture!("net_prem_ticks"),
        UwEndpoint::SpotExposures => fixture!("spot_exposures"),
        UwEndpoint::NewsHeadlines => fixture!("news_headlines"),
        UwEndpoint::GreekExposure => fixture!("greek_exposure"),
        UwEndpoint::GreekExposureStrike | UwEndpoint::GreekExposureStrikeExpiry => {
            fixture!("greek_exposure_strike_expiry")
        }
        UwEndpoint::GreekExposureExpiry => fixture!("greek_exposure_expiry"),
        UwEndpoint::GexLevels => fixture!("gex_levels"),
        UwEndpoint::SpotExposuresStrike => fixture!("spot_exposures_strike"),
        UwEndpoint::FlowAlertDetail => fixture!("flow_alert_detail"),
        UwEndpoint::NetFlowExpiry => fixture!("net_flow_expiry"),
        UwEndpoint::GreekFlow => fixture!("greek_flow"),
        UwEndpoint::GreekFlowExpiry => fixture!("greek_flow_expiry"),
        UwEndpoint::FlowPerStrike | UwEndpoint::FlowPerStrikeIntraday => {
            fixture!("flow_per_strike")
        }
        UwEndpoint::OptionContracts => fixture!("option_contracts"),
        UwEndpoint::OptionChains => fixture!("option_chains"),
        UwEndpoint::OptionContractHistoric => fixture!("option_contract_historic"),
        UwEndpoint::StockState => fixture!("stock_state"),
        UwEndpoint::StockQuote => fixture!("stock_quote"),
        UwEndpoint::Ohlc => fixture!("ohlc"),
        UwEndpoint::MaxPain => fixture!("max_pain"),
        UwEndpoint::IvRank => fixture!("iv_rank"),
        UwEndpoint::InterpolatedIv => fixture!("interpolated_iv"),
        UwEndpoint::TermStructure => fixture!("term_structure"),
        UwEndpoint::EarningsTicker => fixture!("earnings_ticker"),
        UwEndpoint::EarningsPremarket | UwEndpoint::EarningsAfterhours => {
            fixture!("earnings_premarket")
        }
        UwEndpoint::CongressRecentTrades => fixture!("congress_recent_trades"),
        UwEndpoint::InsiderTransactions => fixture!("insider_transactions"),
        // UW documents `/spot-exposures/expiry-strike` with `/spot-exposures/strike`'s schema and example.
        UwEndpoint::SpotExposuresExpiryStrike => fixture!("spot_exposures_strike"),
        UwEndpoint::Greeks => fixture!("greeks"),
        UwEndpoint::OiPerStrike => fixture!("oi_per_strike"),
        UwEndpoint::OiPerExpiry => fixture!("oi_per_expiry"),
        UwEndpoint::OiChangeTicker | UwEndpoint::OiChangeMarket => fixture!("oi_change_ticker"),
        UwEndpoint::RiskReversalSkew => fixture!("risk_reversal_skew"),
        UwEndpoint::VolatilityStats => fixture!("volatility_stats"),
        UwEndpoint::RealizedVolatility => fixture!("realized_volatility"),
        UwEndpoint::AtmChains => fixture!("atm_chains"),
        UwEndpoint::EconomicCalendar => fixture!("economic_calendar"),
        // What an options-flow strategy reads beside the prints (#16).
        UwEndpoint::FlowPerExpiry => fixture!("flow_per_expiry"),
        UwEndpoint::TopNetImpact => fixture!("top_net_impact"),
        UwEndpoint::EtfTide => fixture!("etf_tide"),
        UwEndpoint::GroupGreekFlow => fixture!("group_greek_flow"),
        UwEndpoint::GroupGreekFlowExpiry => fixture!("group_greek_flow_expiry"),
        UwEndpoint::DarkPoolPriceLevels => fixture!("darkpool_price_levels"),
        UwEndpoint::MultiLegTrades => fixture!("multi_leg_trades"),
        UwEndpoint::MultiLegLegs => fixture!("multi_leg_legs"),
        UwEndpoint::ScreenerOptionContracts => fixture!("screener_option_contracts"),
        UwEndpoint::OptionContractIntraday => fixture!("option_contract_intraday"),
        // A zip, not JSON; UW documents no example of it: the simulator makes one (src/tape.rs).
        UwEndpoint::FullTape => "",
    }
}
