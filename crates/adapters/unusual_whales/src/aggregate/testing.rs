//! A complete, valid option print to vary in tests and benches of the aggregator.
//!
//! Public (but hidden from the docs) because `tests/` and `benches/` link the library as an
//! ordinary dependency.

use crate::common::text::UwTextList;
use crate::data::OptionTrade;

/// A SPY-shaped call print of `ticker` at `executed_at` (UNIX ns): one contract at 1.05 between
/// a 1.00 bid and a 1.10 ask, with greeks and an underlying price, arriving 50 ms later.
#[must_use]
pub fn option_trade(ticker: &str, executed_at: u64) -> OptionTrade {
    OptionTrade {
        id: format!("{ticker}-{executed_at}").into(),
        underlying_symbol: ticker.into(),
        option_symbol: format!("{ticker}250516C00590000").into(),
        executed_at,
        created_at: Some(executed_at + 50_000_000),
        price: 1.05,
        size: 1,
        premium: Some(105.0),
        option_type: Some("call".into()),
        strike: Some(590.0),
        expiry: Some("2025-05-16".into()),
        nbbo_bid: Some(1.00),
        nbbo_ask: Some(1.10),
        ewma_nbbo_bid: Some(1.00),
        ewma_nbbo_ask: Some(1.10),
        underlying_price: Some(589.5),
        open_interest: Some(1_000),
        volume: Some(10),
        implied_volatility: Some(0.2),
        delta: Some(0.45),
        gamma: Some(0.05),
        theta: Some(-0.3),
        vega: Some(0.1),
        rho: Some(0.01),
        theo: Some(1.05),
        trade_code: ["auto"].into(),
        exchange: Some("XCBO".into()),
        report_flags: UwTextList::new(),
        tags: ["mid_side", "neutral"].into(),
        ask_vol: None,
        bid_vol: None,
        mid_vol: None,
        no_side_vol: None,
        multi_vol: None,
        stock_multi_vol: None,
        canceled: None,
        alert_score: None,
        aggregated_trade_id: None,
        trade_id: None,
        market_center_locate: None,
        flow_alert_id: None,
        rule_id: None,
        is_agg: None,
        trade_ids: Vec::new(),
        full_name: None,
        issue_type: None,
        sector: None,
        industry_type: None,
        marketcap: None,
        next_earnings_date: None,
        er_time: None,
        ts_event: executed_at,
        ts_init: executed_at + 50_000_000,
        instrument_id: Some(format!("{ticker}250516C00590000.SMART").into()),
    }
}
