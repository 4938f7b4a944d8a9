//! REST bodies: UW's documented examples, envelopes, error shapes and bad input.

use proptest::prelude::*;
use rstest::rstest;
use unusual_whales_nt::common::error::UwParseError;
use unusual_whales_nt::common::symbol::InstrumentIdFormat;
use unusual_whales_nt::common::testing::fixture_lines;
use unusual_whales_nt::common::text::UwTextList;
use unusual_whales_nt::data::*;
use unusual_whales_nt::http::{UwEndpoint, parse_rest_body};

/// Decodes a body that yields one payload (every endpoint but `flow_alert_detail`).
fn parse(endpoint: &str, body: &str) -> Result<UwPayload, UwParseError> {
    parse_at(endpoint, body, 42)
}

fn parse_at(endpoint: &str, body: &str, ts_init: u64) -> Result<UwPayload, UwParseError> {
    parse_rest_body(
        endpoint,
        body.as_bytes(),
        ts_init,
        &InstrumentIdFormat::new("SMART", false),
    )
    .map(|mut payloads| {
        assert_eq!(payloads.len(), 1, "{endpoint}: expected one payload");
        payloads.remove(0)
    })
}

#[rstest]
#[case("flow_alerts", "http_get_flow_alerts.jsonl", "UwFlowAlert")]
#[case("option_trades", "http_get_option_trades.jsonl", "UwOptionTrade")]
#[case(
    "/api/darkpool/AAPL",
    "http_get_darkpool_ticker.jsonl",
    "UwDarkPoolTrade"
)]
#[case(
    "/api/stock/SPX/spot-exposures",
    "http_get_spot_exposures.jsonl",
    "UwSpotExposure"
)]
#[case("market_tide", "http_get_market_tide.jsonl", "UwMarketTide")]
#[case(
    "/api/stock/SPY/net-prem-ticks?date=2025-03-21",
    "http_get_net_prem_ticks.jsonl",
    "UwNetPremTick"
)]
#[case("news_headlines", "http_get_news_headlines.jsonl", "UwNewsHeadline")]
#[case(
    "/api/stock/SPY/greek-exposure",
    "http_get_greek_exposure.jsonl",
    "UwGreekExposure"
)]
#[case(
    "/api/stock/SPY/greek-exposure/expiry",
    "http_get_greek_exposure_expiry.jsonl",
    "UwExpiryGreekExposure"
)]
#[case(
    "/api/stock/SPY/greek-exposure/strike-expiry",
    "http_get_greek_exposure_strike_expiry.jsonl",
    "UwStrikeGreekExposure"
)]
#[case(
    "/api/stock/SPY/gex-levels",
    "http_get_gex_levels.jsonl",
    "UwGexLevels"
)]
#[case(
    "/api/stock/SPX/spot-exposures/strike",
    "http_get_spot_exposures_strike.jsonl",
    "UwStrikeSpotExposure"
)]
#[case("net_flow_expiry", "http_get_net_flow_expiry.jsonl", "UwExpiryTide")]
#[case(
    "/api/stock/SPY/greek-flow",
    "http_get_greek_flow.jsonl",
    "UwGreekFlow"
)]
#[case(
    "/api/stock/SPY/greek-flow/2024-10-28",
    "http_get_greek_flow_expiry.jsonl",
    "UwGreekFlow"
)]
#[case(
    "/api/stock/BABA/flow-per-strike",
    "http_get_flow_per_strike.jsonl",
    "UwStrikeFlow"
)]
#[case(
    "/api/stock/BABA/flow-per-strike-intraday",
    "http_get_flow_per_strike.jsonl",
    "UwStrikeFlow"
)]
#[case(
    "/api/stock/AAPL/option-contracts",
    "http_get_option_contracts.jsonl",
    "UwOptionContract"
)]
#[case(
    "/api/stock/AAPL/option-chains",
    "http_get_option_chains.jsonl",
    "UwOptionContract"
)]
#[case(
    "/api/option-contract/TSLA230526C00200000/historic",
    "http_get_option_contract_historic.jsonl",
    "UwContractDay"
)]
#[case(
    "/api/stock/AAPL/stock-state",
    "http_get_stock_state.jsonl",
    "UwStockState"
)]
#[case("/api/stock/AAPL/quote", "http_get_stock_quote.jsonl", "UwStockQuote")]
#[case("/api/stock/AAPL/ohlc/1m", "http_get_ohlc.jsonl", "UwOhlcBar")]
#[case("/api/stock/SPY/max-pain", "http_get_max_pain.jsonl", "UwMaxPain")]
#[case("/api/stock/AAPL/iv-rank", "http_get_iv_rank.jsonl", "UwIvRank")]
#[case(
    "/api/stock/AAPL/interpolated-iv",
    "http_get_interpolated_iv.jsonl",
    "UwHorizonIv"
)]
#[case(
    "/api/stock/AAPL/volatility/term-structure",
    "http_get_term_structure.jsonl",
    "UwExpiryIv"
)]
#[case("/api/earnings/AAPL", "http_get_earnings_ticker.jsonl", "UwEarnings")]
#[case(
    "earnings_premarket",
    "http_get_earnings_premarket.jsonl",
    "UwEarnings"
)]
#[case(
    "earnings_afterhours",
    "http_get_earnings_premarket.jsonl",
    "UwEarnings"
)]
#[case(
    "congress_recent_trades",
    "http_get_congress_recent_trades.jsonl",
    "UwCongressTrade"
)]
#[case(
    "insider_transactions",
    "http_get_insider_transactions.jsonl",
    "UwInsiderTransaction"
)]
#[case("/api/stock/SPY/nope?date=2024-10-28", "http_get_nope.jsonl", "UwNope")]
#[case(
    "/api/stock/BABA/flow-per-expiry",
    "http_get_flow_per_expiry.jsonl",
    "UwExpiryFlow"
)]
#[case("top_net_impact", "http_get_top_net_impact.jsonl", "UwNetImpact")]
#[case("/api/market/XLK/etf-tide", "http_get_etf_tide.jsonl", "UwEtfTide")]
#[case(
    "/api/group-flow/mag7/greek-flow",
    "http_get_group_greek_flow.jsonl",
    "UwGroupGreekFlow"
)]
#[case(
    "/api/group-flow/mag7/greek-flow/2024-10-28",
    "http_get_group_greek_flow_expiry.jsonl",
    "UwGroupGreekFlow"
)]
#[case(
    "/api/darkpool/AAPL/price-levels",
    "http_get_darkpool_price_levels.jsonl",
    "UwDarkPoolLevel"
)]
#[case(
    "multi_leg_trades",
    "http_get_multi_leg_trades.jsonl",
    "UwMultiLegTrade"
)]
#[case(
    "/api/option-trades/multi-leg/x/legs",
    "http_get_multi_leg_legs.jsonl",
    "UwMultiLegLeg"
)]
#[case(
    "screener_option_contracts",
    "http_get_screener_option_contracts.jsonl",
    "UwContractScreener"
)]
#[case(
    "/api/option-contract/AAPL240621C00190000/intraday",
    "http_get_option_contract_intraday.jsonl",
    "UwContractBar"
)]
fn every_documented_body_parses(
    #[case] endpoint: &str,
    #[case] fixture: &str,
    #[case] type_name: &str,
) {
    for body in fixture_lines(fixture) {
        let payload = parse(endpoint, &body).unwrap();
        assert_eq!(payload.type_name(), type_name);
        assert!(!payload.is_empty());
    }
}

#[test]
fn rest_flow_alert_uses_rest_names_and_string_money() {
    let UwPayload::FlowAlert(v) = parse(
        "flow_alerts",
        &fixture_lines("http_get_flow_alerts.jsonl")[0],
    )
    .unwrap() else {
        panic!()
    };
    let a = &v[0];
    assert_eq!(a.rule_name.as_deref(), Some("RepeatedHits")); // REST `alert_rule`
    assert_eq!(a.option_type.as_deref(), Some("call")); // REST `type`
    assert_eq!(a.total_premium, 143_920.0);
    assert_eq!(a.volume_oi_ratio, Some(32.486_333_647_502_4));
    assert_eq!(a.created_at, Some(1_761_164_821_354_429_000));
    assert_eq!(a.ts_event, 1_761_164_032_828 * 1_000_000); // end_time
    assert_eq!(a.marketcap, Some(385_698_577_500.0));
}

#[test]
fn rest_option_trade_iso_time_and_condition_code() {
    let UwPayload::OptionTrade(v) = parse(
        "option_trades",
        &fixture_lines("http_get_option_trades.jsonl")[0],
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(v[0].option_symbol, "NVDA250117C00124000"); // REST `option_chain_id`
    assert_eq!(v[0].trade_code, ["auto"]); // REST `upstream_condition_detail`
    assert_eq!(v[0].executed_at, 1_724_248_252_278_302_000);
    assert_eq!(v[0].canceled, Some(false));
    // UW's REST enrichment of the print's underlying, kept as a flow alert keeps it.
    assert_eq!(v[0].full_name.as_deref(), Some("NVIDIA CORP"));
    assert_eq!(v[0].sector.as_deref(), Some("Technology"));
    assert_eq!(v[0].industry_type.as_deref(), Some("Semiconductors"));
    assert_eq!(v[0].marketcap, Some(3_130_350_000_000.0));
    assert_eq!(v[0].next_earnings_date.as_deref(), Some("2024-08-28"));
    assert_eq!(v[0].er_time.as_deref(), Some("postmarket"));
    assert_eq!(
        (v[0].flow_alert_id.as_deref(), v[0].rule_id.as_deref()),
        (None, None)
    );
}

#[test]
fn rest_option_trade_names_its_alert_rule_and_aggregated_prints() {
    let body = r#"{"data":[{"id":"8ef90a2d-d881-41de-98c9-c1de4318dcb5","underlying_symbol":"NVDA","option_chain_id":"NVDA250117C00124000","executed_at":"2024-08-21T13:50:52.278302Z","price":"21.50","size":3,"flow_alert_id":"fda36fab-b0a8-4d12-9bd4-79b8880cc78f","rule_id":"e6b9f0b6-fcd9-44fe-9d1c-f53521c152c3","is_agg":true,"trade_ids":["c382f142-c826-4e4a-8ab1-b23d8b8f926c","dfa96f76-7311-4a78-9863-d56ad256781d"],"issue_type":"Common Stock"}]}"#;
    let UwPayload::OptionTrade(v) = parse("option_trades", body).unwrap() else {
        panic!()
    };
    assert_eq!(
        v[0].flow_alert_id.as_deref(),
        Some("fda36fab-b0a8-4d12-9bd4-79b8880cc78f")
    );
    assert_eq!(
        v[0].rule_id.as_deref(),
        Some("e6b9f0b6-fcd9-44fe-9d1c-f53521c152c3")
    );
    assert_eq!(v[0].is_agg, Some(true));
    assert_eq!(
        v[0].trade_ids,
        [
            "c382f142-c826-4e4a-8ab1-b23d8b8f926c",
            "dfa96f76-7311-4a78-9863-d56ad256781d"
        ]
    );
    assert_eq!(v[0].issue_type.as_deref(), Some("Common Stock"));
}

#[test]
fn path_ticker_fills_rows_and_new_york_offsets_convert() {
    let body = &fixture_lines("http_get_net_prem_ticks.jsonl")[0];
    let UwPayload::NetPremTick(v) = parse("/api/stock/SPY/net-prem-ticks", body).unwrap() else {
        panic!()
    };
    assert_eq!(v[0].instrument_id.as_deref(), Some("SPY.SMART"));
    assert_eq!(v[0].net_put_volume, Some(-137));
    let e = parse("net_prem_ticks", body).unwrap_err();
    assert!(
        matches!(e, UwParseError::InvalidField { ref field, .. } if field == "data[0].ticker"),
        "{e}"
    );
    let UwPayload::MarketTide(v) = parse(
        "market_tide",
        &fixture_lines("http_get_market_tide.jsonl")[0],
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(v[0].ts_event, 1_761_139_800 * 1_000_000_000); // 09:30 -04:00
    assert_eq!(v[1].net_volume, Some(-11_280));
}

#[rstest]
#[case(
    r#"{"error":{"code":"historical_data_not_supported","message":"latest day only"}}"#,
    "historical_data_not_supported: latest day only"
)]
#[case(
    r#"{"code":"historic_data_access_missing","message":"The earliest date is 2026-03-11"}"#,
    "historic_data_access_missing: The earliest date is 2026-03-11"
)]
#[case(r#"{"error":"Route not found"}"#, "Route not found")]
#[case(
    r#"{"msg":"Invalid path input: MSFT12","path":"/api/darkpool/MSFT12","query":"","url":"x"}"#,
    "Invalid path input: MSFT12"
)]
#[case("Something went wrong", "Something went wrong")]
fn uw_error_bodies_are_reported_with_code_and_message(#[case] body: &str, #[case] message: &str) {
    let e = parse("/api/darkpool/MSFT", body).unwrap_err();
    assert_eq!(
        e,
        UwParseError::ErrorBody {
            context: "darkpool_ticker".into(),
            message: message.into()
        }
    );
}

#[test]
fn envelopes_and_bad_bodies() {
    assert!(parse("market_tide", r#"{"data":[]}"#).unwrap().is_empty());
    let bare = r#"[{"timestamp":"2025-10-22T09:30:00-04:00","net_volume":1}]"#;
    assert_eq!(parse("market_tide", bare).unwrap().len(), 1);
    let object = r#"{"data":{"timestamp":"2025-10-22T09:30:00-04:00","net_volume":1}}"#;
    assert_eq!(parse("market_tide", object).unwrap().len(), 1);
    assert_eq!(
        parse(
            "market_tide",
            r#"{"data":[{"timestamp":"2025-10-22T09:30:00Z"},{"timestamp":"x"}]}"#
        )
        .unwrap_err()
        .to_string(),
        "market_tide: field `data[1].timestamp`: expected an RFC 3339 timestamp, found \"x\""
    );
    assert_eq!(
        parse("market_tide", r#"{"data":[{"timestamp":"#)
            .unwrap_err()
            .kind(),
        "malformed_json"
    );
    assert_eq!(
        parse("market_tide", r#"{"rows":[]}"#).unwrap_err().kind(),
        "unexpected_shape"
    );
    assert_eq!(
        parse("/api/options/flow", "{}").unwrap_err().kind(),
        "unknown_endpoint"
    );
}

// ---------------------------------------------------------------------------------------------
// Whole records: every field of every UW example of docs/uw-api.md#rest-flow-alerts and of the
// sections from docs/uw-api.md#rest-net-flow-by-expiry to docs/uw-api.md#rest-insider-transactions,
// spelled out so that a field added to a record type without a checked value here fails to
// compile.
// ---------------------------------------------------------------------------------------------

/// An arrival time after every example's date, so date-only rows keep their New York close.
const LATER: u64 = 1_900_000_000_000_000_000; // 2030-03-17T17:46:40Z
const MS: u64 = 1_000_000;
const SEC: u64 = 1_000_000_000;

fn s<T: for<'a> From<&'a str>>(text: &str) -> Option<T> {
    Some(T::from(text))
}

/// Decodes line 0 of `$file` for `$endpoint` at [`LATER`]; the payload must be `$variant`.
macro_rules! records {
    ($endpoint:expr, $file:literal, $variant:ident) => {
        match parse_at($endpoint, &fixture_lines($file)[0], LATER) {
            Ok(UwPayload::$variant(v)) => v,
            other => panic!(
                "{}: expected {} records, got {other:?}",
                $file,
                stringify!($variant)
            ),
        }
    };
}

#[test]
fn flow_alert_detail_yields_the_alert_then_its_prints() {
    let body = &fixture_lines("http_get_flow_alert_detail.jsonl")[0];
    let payloads = parse_rest_body(
        "/api/option-trades/flow-alerts/ae47f719-7131-4816-b9f5-8bd35de90ddc",
        body.as_bytes(),
        LATER,
        &InstrumentIdFormat::new("SMART", false),
    )
    .unwrap();
    let [UwPayload::FlowAlert(alerts), UwPayload::OptionTrade(trades)] = payloads.as_slice() else {
        panic!("expected [FlowAlert, OptionTrade], got {payloads:?}")
    };
    let alert = FlowAlert {
        id: s("ae47f719-7131-4816-b9f5-8bd35de90ddc"),
        ticker: "DINO".into(),
        option_chain: "DINO260417C00060000".into(),
        rule_name: None,
        rule_id: s("d9769fb4-003b-49e4-9181-c78c9cc101f5"),
        option_type: s("call"),
        strike: Some(60.0),
        expiry: s("2026-04-17"),
        underlying_price: Some(55.555),
        price: Some(2.0),
        bid: Some(1.85),
        ask: Some(2.1),
        total_premium: 474_200.0,
        total_ask_side_prem: Some(474_200.0),
        total_bid_side_prem: Some(0.0),
        total_size: Some(2_371),
        trade_count: Some(2),
        expiry_count: Some(1),
        volume: Some(2_505),
        open_interest: Some(5_452),
        volume_oi_ratio: Some(0.459_464_416_727_806),
        has_sweep: false,
        has_floor: true,
        has_singleleg: false,
        has_multileg: true,
        all_opening_trades: false,
        ask_vol: None,
        bid_vol: None,
        mid_vol: None,
        no_side_vol: None,
        multi_vol: None,
        stock_multi_vol: None,
        start_time: Some(1_773_242_266_346 * MS),
        end_time: Some(1_773_242_266_346 * MS),
        executed_at: None,
        created_at: Some(1_773_242_275_477_300_000), // 2026-03-11T15:17:55.477300Z
        iv_start: Some(0.520_552_934_579_374),
        iv_end: Some(0.520_552_934_579_374),
        issue_type: None,
        sector: None,
        marketcap: None,
        next_earnings_date: None,
        er_time: None,
        trade_ids: Vec::new(),
        upstream_condition_details: UwTextList::new(),
        exchanges: UwTextList::new(),
        url: None,
        ts_event: 1_773_242_266_346 * MS, // end_time
        ts_init: LATER,
        instrument_id: s("DINO260417C00060000.SMART"),
    };
    assert_eq!(alerts.as_slice(), [alert]);
    let first = OptionTrade {
        id: "c382f142-c826-4e4a-8ab1-b23d8b8f926c".into(),
        underlying_symbol: "DINO".into(),
        option_symbol: "DINO260417C00070000".into(),
        executed_at: 1_773_242_266_346_162_000, // 2026-03-11T15:17:46.346162Z
        created_at: None,
        price: 0.6,
        size: 2_371,
        premium: Some(142_260.0),
        option_type: s("call"),
        strike: Some(70.0),
        expiry: s("2026-04-17"),
        nbbo_bid: Some(0.4),
        nbbo_ask: Some(0.65),
        ewma_nbbo_bid: Some(0.4),
        ewma_nbbo_ask: Some(0.65),
        underlying_price: Some(55.555),
        open_interest: Some(2_533),
        volume: Some(2_500),
        implied_volatility: Some(0.585_444_300_420_791),
        delta: Some(0.125_969_209_344_443_7),
        gamma: Some(0.019_986_475_893_824_55),
        theta: Some(-0.028_997_210_999_056_04),
        vega: Some(0.036_608_081_518_311_55),
        rho: Some(0.006_485_866_266_570_72),
        theo: Some(0.599_999_999_999_996),
        trade_code: ["mlft"].into(),
        exchange: s("ARCO"),
        report_flags: ["futures_floor"].into(),
        tags: ["ask_side", "bullish"].into(),
        ask_vol: Some(2_481),
        bid_vol: Some(19),
        mid_vol: Some(0),
        no_side_vol: Some(0),
        multi_vol: Some(2_500),
        stock_multi_vol: Some(0),
        canceled: Some(false),
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
        ts_event: 1_773_242_266_346_162_000,
        ts_init: LATER,
        instrument_id: s("DINO260417C00070000.SMART"),
    };
    let second = OptionTrade {
        id: "dfa96f76-7311-4a78-9863-d56ad256781d".into(),
        underlying_symbol: "DINO".into(),
        option_symbol: "DINO260417C00060000".into(),
        executed_at: 1_773_242_266_346_147_000, // 2026-03-11T15:17:46.346147Z
        created_at: None,
        price: 2.0,
        size: 2_371,
        premium: Some(474_200.0),
        option_type: s("call"),
        strike: Some(60.0),
        expiry: s("2026-04-17"),
        nbbo_bid: Some(1.85),
        nbbo_ask: Some(2.1),
        ewma_nbbo_bid: Some(1.85),
        ewma_nbbo_ask: Some(2.1),
        underlying_price: Some(55.555),
        open_interest: Some(5_452),
        volume: Some(2_505),
        implied_volatility: Some(0.520_552_934_579_374),
        delta: Some(0.351_852_021_804_838_2),
        gamma: Some(0.040_304_898_769_118_14),
        theta: Some(-0.046_271_592_345_819_4),
        vega: Some(0.065_641_409_398_948),
        rho: Some(0.017_787_510_839_468_71),
        theo: Some(2.000_000_000_000_004),
        trade_code: ["mlft"].into(),
        exchange: s("ARCO"),
        report_flags: ["futures_floor"].into(),
        tags: ["ask_side", "bullish"].into(),
        ask_vol: Some(2_376),
        bid_vol: Some(129),
        mid_vol: Some(0),
        no_side_vol: Some(0),
        multi_vol: Some(2_501),
        stock_multi_vol: Some(0),
        canceled: Some(false),
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
        ts_event: 1_773_242_266_346_147_000,
        ts_init: LATER,
        instrument_id: s("DINO260417C00060000.SMART"),
    };
    assert_eq!(trades.as_slice(), [first, second]);
}

#[test]
fn flow_alert_detail_without_trades_still_names_both_types() {
    let body = r#"{"alert":{"ticker":"DINO","option_chain":"DINO260417C00060000","total_premium":"1"},"has_more":false}"#;
    let payloads = parse_rest_body(
        "flow_alert_detail",
        body.as_bytes(),
        42,
        &InstrumentIdFormat::new("SMART", false),
    )
    .unwrap();
    assert_eq!(
        payloads
            .iter()
            .map(|p| (p.type_name(), p.len()))
            .collect::<Vec<_>>(),
        [("UwFlowAlert", 1), ("UwOptionTrade", 0)]
    );
}

/// The net-flow expiry minute of the 2025-10-22 capture (docs/uw-api.md#rest-net-flow-by-expiry)
/// at `$ts` with the group keys `$keys`.
macro_rules! expiry_tide {
    ($ts:expr, $call:expr, $put:expr, $vol:expr, $px:expr, $tide:expr, $money:expr, $exp:expr) => {
        ExpiryTide {
            tide_type: $tide,
            moneyness: $money,
            expiration: $exp,
            timestamp: $ts,
            date: s("2025-10-22"),
            net_call_premium: Some($call),
            net_put_premium: Some($put),
            net_volume: Some($vol),
            underlying_price: Some($px),
            ts_event: $ts,
            ts_init: LATER,
            instrument_id: None,
        }
    };
}

#[test]
fn net_flow_expiry_capture_flattens_its_group() {
    let rows = records!(
        "net_flow_expiry",
        "http_get_net_flow_expiry.jsonl",
        ExpiryTide
    );
    // 2025-10-22T13:30:00Z and 13:31; UW's capture omits the group keys and the top level.
    let expected = [
        expiry_tide!(
            1_761_139_800 * SEC,
            155_067.4,
            247_552.0,
            -4_469.0,
            671.15,
            None,
            None,
            Vec::new()
        ),
        expiry_tide!(
            1_761_139_860 * SEC,
            -1_153_468.6,
            1_544_633.2,
            -12_673.0,
            670.99,
            None,
            None,
            Vec::new()
        ),
    ];
    assert_eq!(rows, expected);
}

#[test]
fn net_flow_expiry_rows_carry_their_group_and_the_top_level_filters() {
    let body = r#"{"data":[
        {"tide_type":"etf_only","moneyness":"all","data":[{"timestamp":"2025-10-22T13:30:00Z","net_call_premium":"155067.40","net_put_premium":"247552.00","net_volume":"-4469","underlying_price":"671.15"}]},
        {"tide_type":"index_only","moneyness":"otm","data":[{"timestamp":"2025-10-22T13:31:00Z","date":"2025-10-22","net_call_premium":-1153468.6,"net_put_premium":1544633.2,"net_volume":-12673,"underlying_price":670.99}]}
    ],"date":"2025-10-22","expiration":["zero_dte"],"moneyness":["all","otm"],"tide_type":["etf_only","index_only"]}"#;
    let Ok(UwPayload::ExpiryTide(rows)) =
        parse_at("/api/net-flow/expiry?expiration=zero_dte", body, LATER)
    else {
        panic!()
    };
    let zero_dte = || vec!["zero_dte".to_owned()];
    let expected = [
        expiry_tide!(
            1_761_139_800 * SEC,
            155_067.4,
            247_552.0,
            -4_469.0,
            671.15,
            s("etf_only"),
            s("all"),
            zero_dte()
        ),
        expiry_tide!(
            1_761_139_860 * SEC,
            -1_153_468.6,
            1_544_633.2,
            -12_673.0,
            670.99,
            s("index_only"),
            s("otm"),
            zero_dte()
        ),
    ];
    assert_eq!(rows, expected);
}

/// UW's example greek-flow minute (docs/uw-api.md#rest-greek-flow); `$expiry` is `None` on
/// `/greek-flow`.
macro_rules! greek_flow {
    ($expiry:expr) => {
        GreekFlow {
            ticker: s("SPY"),
            expiry: $expiry,
            timestamp: 1_730_141_160 * SEC, // 2024-10-28T18:46:00Z
            transactions: Some(1_188),
            volume: Some(12_348),
            dir_delta_flow: Some(-43_593.96),
            dir_vega_flow: Some(31_243.04),
            total_delta_flow: Some(-21_257.36),
            total_vega_flow: Some(350_944.58),
            otm_dir_delta_flow: Some(14_947.51),
            otm_dir_vega_flow: Some(11_421.03),
            otm_total_delta_flow: Some(-28_564.02),
            otm_total_vega_flow: Some(101_745.64),
            ts_event: 1_730_141_160 * SEC,
            ts_init: LATER,
            instrument_id: s("SPY.SMART"),
        }
    };
}

#[test]
fn greek_flow_example() {
    let rows = records!(
        "/api/stock/SPY/greek-flow",
        "http_get_greek_flow.jsonl",
        GreekFlow
    );
    assert_eq!(rows, [greek_flow!(None)]);
}

#[test]
fn greek_flow_expiry_example_and_expiry_from_the_path() {
    let rows = records!(
        "greek_flow_expiry",
        "http_get_greek_flow_expiry.jsonl",
        GreekFlow
    );
    assert_eq!(rows, [greek_flow!(s("2024-10-28"))]);
    // Rows of the all-expiry shape fetched through `/{expiry}` take it from the path.
    let rows = records!(
        "/api/stock/SPY/greek-flow/2024-10-28",
        "http_get_greek_flow.jsonl",
        GreekFlow
    );
    assert_eq!(rows, [greek_flow!(s("2024-10-28"))]);
}

#[rstest]
#[case("/api/stock/BABA/flow-per-strike?date=2024-01-22")]
#[case("/api/stock/BABA/flow-per-strike-intraday?filter=Volume")]
fn flow_per_strike_bare_array_example(#[case] endpoint: &str) {
    let rows = records!(endpoint, "http_get_flow_per_strike.jsonl", StrikeFlow);
    let expected = StrikeFlow {
        ticker: s("BABA"),
        strike: Some(70.0),
        date: s("2024-01-22"),
        timestamp: Some(1_694_093_400 * SEC), // 2023-09-07T09:30:00-04:00
        call_volume: Some(40_385),
        call_volume_ask_side: Some(20_145),
        call_volume_bid_side: Some(16_923),
        call_trades: Some(6_338),
        call_premium: Some(9_908_777.0),
        call_premium_ask_side: Some(5_037_703.0),
        call_premium_bid_side: Some(4_055_973.0),
        call_otm_volume: None,
        call_otm_trades: None,
        call_otm_premium: None,
        put_volume: Some(4_306),
        put_volume_ask_side: Some(1_398),
        put_volume_bid_side: Some(2_323),
        put_trades: Some(841),
        put_premium: Some(2_746_872.0),
        put_premium_ask_side: Some(799_873.0),
        put_premium_bid_side: Some(1_614_848.0),
        put_otm_volume: None,
        put_otm_trades: None,
        put_otm_premium: None,
        ts_event: 1_694_093_400 * SEC,
        ts_init: LATER,
        instrument_id: s("BABA.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn option_contracts_example_gets_its_terms_from_the_symbol() {
    let rows = records!(
        "/api/stock/AAPL/option-contracts",
        "http_get_option_contracts.jsonl",
        OptionContract
    );
    let expected = OptionContract {
        option_symbol: "AAPL240202P00185000".into(),
        option_type: s("put"),
        strike: Some(185.0),
        expiry: s("2024-02-02"),
        volume: Some(132_276),
        open_interest: Some(22_868),
        prev_oi: Some(20_217),
        ask_volume: Some(56_916),
        bid_volume: Some(68_967),
        mid_volume: Some(6_393),
        no_side_volume: Some(6_393),
        sweep_volume: Some(12_893),
        floor_volume: Some(1_815),
        cross_volume: None,
        multi_leg_volume: Some(9_871),
        stock_multi_leg_volume: Some(13),
        avg_price: Some(0.779_278_175_935_165_9),
        high_price: Some(5.75),
        low_price: Some(0.01),
        last_price: Some(0.01),
        nbbo_bid: Some(0.0),
        nbbo_ask: Some(0.01),
        implied_volatility: Some(0.542_805_337_797_143),
        total_premium: Some(10_307_980.0),
        delta: Some(-0.187),
        gamma: Some(0.021),
        theta: Some(-0.043),
        vega: Some(0.089),
        rho: Some(-0.015),
        last_tape_time: Some(1_706_821_198 * SEC), // 2024-02-01T20:59:58Z
        ts_event: 1_706_821_198 * SEC,
        ts_init: LATER,
        instrument_id: s("AAPL240202P00185000.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn option_chains_symbols_become_contracts_stamped_on_arrival() {
    let rows = records!(
        "/api/stock/AAPL/option-chains",
        "http_get_option_chains.jsonl",
        OptionContract
    );
    let expected = OptionContract {
        option_symbol: "AAPL230908C00175000".into(),
        option_type: s("call"),
        strike: Some(175.0),
        expiry: s("2023-09-08"),
        volume: None,
        open_interest: None,
        prev_oi: None,
        ask_volume: None,
        bid_volume: None,
        mid_volume: None,
        no_side_volume: None,
        sweep_volume: None,
        floor_volume: None,
        cross_volume: None,
        multi_leg_volume: None,
        stock_multi_leg_volume: None,
        avg_price: None,
        high_price: None,
        low_price: None,
        last_price: None,
        nbbo_bid: None,
        nbbo_ask: None,
        implied_volatility: None,
        total_premium: None,
        delta: None,
        gamma: None,
        theta: None,
        vega: None,
        rho: None,
        last_tape_time: None,
        ts_event: LATER,
        ts_init: LATER,
        instrument_id: s("AAPL230908C00175000.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn option_contract_historic_rows_sit_under_chains_and_take_the_path_symbol() {
    let rows = records!(
        "/api/option-contract/TSLA230526C00200000/historic",
        "http_get_option_contract_historic.jsonl",
        ContractDay
    );
    let expected = ContractDay {
        option_symbol: s("TSLA230526C00200000"),
        date: s("2023-05-26"),
        open_price: Some(0.02),
        high_price: Some(0.03),
        low_price: Some(0.01),
        last_price: Some(0.01),
        avg_price: Some(0.013_608_286_252_354_05),
        nbbo_bid: Some(0.3),
        nbbo_ask: Some(0.45),
        implied_volatility: Some(0.310_502_942_482_285),
        iv_high: Some(0.675_815_680_048_166),
        iv_low: Some(0.310_502_942_482_285),
        volume: Some(2_655),
        open_interest: Some(15_907),
        trades: Some(244),
        total_premium: Some(3_613.0),
        ask_volume: Some(1_766),
        bid_volume: Some(887),
        mid_volume: Some(0),
        no_side_volume: None,
        neutral_volume: Some(2),
        sweep_volume: Some(752),
        floor_volume: Some(0),
        cross_volume: Some(0),
        multi_leg_volume: Some(393),
        stock_multi_leg_volume: Some(0),
        total_ask_changes: Some(165),
        total_bid_changes: Some(28),
        last_tape_time: Some(1_685_136_629 * SEC), // 2023-05-26T21:30:29.000000Z
        ts_event: 1_685_131_200 * SEC,             // 2023-05-26T20:00:00Z, the New York close
        ts_init: LATER,
        instrument_id: s("TSLA230526C00200000.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn stock_state_example_is_one_object() {
    let rows = records!(
        "/api/stock/AAPL/stock-state",
        "http_get_stock_state.jsonl",
        StockState
    );
    let expected = StockState {
        ticker: s("AAPL"),
        market_time: s("postmarket"),
        tape_time: Some(1_694_117_460 * SEC), // 2023-09-07T20:11:00Z
        open: Some(56.79),
        high: Some(56.79),
        low: Some(56.79),
        close: Some(56.79),
        prev_close: Some(55.69),
        volume: Some(500_000),
        total_volume: Some(13_774_488),
        ts_event: 1_694_117_460 * SEC,
        ts_init: LATER,
        instrument_id: s("AAPL.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn stock_quote_example_is_flattened() {
    let rows = records!(
        "/api/stock/AAPL/quote",
        "http_get_stock_quote.jsonl",
        StockQuote
    );
    let expected = StockQuote {
        ticker: s("AAPL"),
        market_time: s("regular"),
        last_trade_price: Some(775.645),
        last_trade_time: Some(1_786_636_349_747 * MS),
        volume: Some(13_548_986),
        bid_price: Some(775.65),
        bid_size: Some(80),
        ask_price: Some(775.66),
        ask_size: Some(240),
        quote_time: Some(1_786_636_351_248 * MS),
        midpoint: Some(775.655),
        spread: Some(0.01),
        spread_bps: Some(0.128_923_297_084_282_38),
        size_imbalance: Some(0.523_809_523_809_523_8),
        size_weighted_midpoint: Some(775.657_619_047_619),
        quote_age_ms: Some(89),
        premarket_quote_changes: Some(105_322),
        premarket_midpoint_changes: Some(12_540),
        premarket_size_only_changes: Some(92_782),
        premarket_spread_tightened: Some(6_440),
        premarket_spread_unchanged: Some(92_782),
        premarket_spread_widened: Some(6_100),
        regular_quote_changes: Some(1_255_891),
        regular_midpoint_changes: Some(145_814),
        regular_size_only_changes: Some(1_110_077),
        regular_spread_tightened: Some(74_875),
        regular_spread_unchanged: Some(1_110_077),
        regular_spread_widened: Some(70_939),
        postmarket_quote_changes: Some(0),
        postmarket_midpoint_changes: Some(0),
        postmarket_size_only_changes: Some(0),
        postmarket_spread_tightened: Some(0),
        postmarket_spread_unchanged: Some(0),
        postmarket_spread_widened: Some(0),
        // The later of the quote and the last trade.
        ts_event: 1_786_636_351_248 * MS,
        ts_init: LATER,
        instrument_id: s("AAPL.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn stock_quote_with_null_sections_keeps_what_is_there() {
    let body = r#"{"data":{"last_trade":null,"market_time":"premarket","quote":null,"quote_statistics":{},"quote_values":null}}"#;
    let Ok(UwPayload::StockQuote(rows)) = parse("/api/stock/AAPL/quote", body) else {
        panic!()
    };
    assert_eq!(rows[0].market_time.as_deref(), Some("premarket"));
    assert_eq!(
        (rows[0].bid_price, rows[0].regular_quote_changes),
        (None, None)
    );
    assert_eq!(rows[0].ts_event, 42);
}

#[test]
fn ohlc_example_takes_ticker_and_candle_size_from_the_path() {
    let rows = records!(
        "/api/stock/AAPL/ohlc/1m?limit=1",
        "http_get_ohlc.jsonl",
        OhlcBar
    );
    let expected = OhlcBar {
        ticker: s("AAPL"),
        candle_size: s("1m"),
        market_time: s("po"),
        start_time: Some(1_694_117_400 * SEC), // 2023-09-07T20:10:00Z
        end_time: Some(1_694_117_460 * SEC),   // 2023-09-07T20:11:00Z
        date: None,
        open: Some(56.79),
        high: Some(56.79),
        low: Some(56.79),
        close: Some(56.79),
        volume: Some(29_812),
        total_volume: Some(13_774_488),
        ts_event: 1_694_117_460 * SEC, // the bar's end
        ts_init: LATER,
        instrument_id: s("AAPL.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[rstest]
#[case("1d", 1_705_957_200 * SEC)] // 2024-01-22 (a Monday) 16:00 New York
#[case("1w", 1_706_302_800 * SEC)] // that week's Friday close
fn daily_and_weekly_bars_are_stamped_when_complete(#[case] size: &str, #[case] ts_event: u64) {
    let body = r#"{"data":[{"close":"2","date":"2024-01-22","high":"3","low":"1","market_time":"r","open":"1.5","total_volume":10,"volume":10}]}"#;
    let Ok(UwPayload::OhlcBar(rows)) =
        parse_at(&format!("/api/stock/SPY/ohlc/{size}"), body, LATER)
    else {
        panic!()
    };
    assert_eq!(rows[0].ts_event, ts_event);
    // A bar of the current week fetched mid-week is stamped on arrival, never in the future.
    let Ok(UwPayload::OhlcBar(rows)) = parse_at(&format!("/api/stock/SPY/ohlc/{size}"), body, 42)
    else {
        panic!()
    };
    assert_eq!(rows[0].ts_event, 42);
}

#[test]
fn max_pain_rows_take_the_top_level_date() {
    let rows = records!(
        "/api/stock/SPY/max-pain",
        "http_get_max_pain.jsonl",
        MaxPain
    );
    let row = |expiry: &str, max_pain: f64| MaxPain {
        ticker: s("SPY"),
        date: s("2024-03-04"),
        expiry: s(expiry),
        max_pain: Some(max_pain),
        ts_event: 1_709_586_000 * SEC, // 2024-03-04T21:00:00Z, the New York close (EST)
        ts_init: LATER,
        instrument_id: s("SPY.SMART"),
    };
    assert_eq!(rows, [row("2024-03-04", 473.0), row("2024-03-05", 475.0)]);
}

#[test]
fn iv_rank_example_is_stamped_when_uw_updated_it() {
    let rows = records!(
        "/api/stock/AAPL/iv-rank?timespan=1y",
        "http_get_iv_rank.jsonl",
        IvRank
    );
    let expected = IvRank {
        ticker: s("AAPL"),
        date: s("2024-01-22"),
        close: Some(180.5),
        volatility: Some(0.25),
        iv_rank_1y: Some(0.65),
        updated_at: Some(1_705_941_352_168_490_000), // 2024-01-22T16:35:52.168490Z
        ts_event: 1_705_941_352_168_490_000,
        ts_init: LATER,
        instrument_id: s("AAPL.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn interpolated_iv_example() {
    let rows = records!(
        "/api/stock/AAPL/interpolated-iv",
        "http_get_interpolated_iv.jsonl",
        HorizonIv
    );
    let expected = HorizonIv {
        ticker: s("AAPL"),
        date: s("2025-05-30"),
        days: Some(1),
        volatility: Some(1.739),
        implied_move_perc: Some(0.003),
        percentile: Some(100.0),
        ts_event: 1_748_635_200 * SEC, // 2025-05-30T20:00:00Z, the New York close (EDT)
        ts_init: LATER,
        instrument_id: s("AAPL.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn term_structure_example() {
    let rows = records!(
        "/api/stock/AAPL/volatility/term-structure",
        "http_get_term_structure.jsonl",
        ExpiryIv
    );
    let expected = ExpiryIv {
        ticker: s("AAPL"),
        date: s("2023-09-08"),
        expiry: s("2023-09-08"),
        dte: Some(0),
        volatility: Some(0.231_9),
        implied_move: Some(3.102_5),
        implied_move_perc: Some(0.017_65),
        ts_event: 1_694_203_200 * SEC, // 2023-09-08T20:00:00Z
        ts_init: LATER,
        instrument_id: s("AAPL.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn date_only_rows_of_today_are_stamped_on_arrival() {
    let Ok(UwPayload::ExpiryIv(rows)) = parse(
        "/api/stock/AAPL/volatility/term-structure",
        &fixture_lines("http_get_term_structure.jsonl")[0],
    ) else {
        panic!()
    };
    assert_eq!(rows[0].ts_event, 42);
}

#[rstest]
#[case("earnings_premarket")]
#[case("/api/earnings/afterhours?date=2023-02-14")]
fn earnings_calendar_example(#[case] endpoint: &str) {
    let rows = records!(endpoint, "http_get_earnings_premarket.jsonl", Earnings);
    let expected = Earnings {
        symbol: s("IVT"),
        full_name: s("INVENTRUST PROPERTIES"),
        report_date: s("2023-02-14"),
        report_time: s("postmarket"),
        ending_fiscal_quarter: s("2022-12-31"),
        source: s("company"),
        actual_eps: Some(2.45),
        street_mean_est: Some(2.25),
        expected_move: Some(9.91),
        expected_move_perc: Some(0.035_9),
        reaction: Some(0.041),
        pre_earnings_date: s("2023-02-13"),
        pre_earnings_close: Some(143.23),
        post_earnings_date: s("2023-02-14"),
        post_earnings_close: Some(148.42),
        pre_earnings_move_1d: None,
        pre_earnings_move_3d: None,
        pre_earnings_move_1w: None,
        pre_earnings_move_2w: None,
        post_earnings_move_1d: None,
        post_earnings_move_3d: None,
        post_earnings_move_1w: None,
        post_earnings_move_2w: None,
        long_straddle_1d: None,
        long_straddle_1w: None,
        short_straddle_1d: None,
        short_straddle_1w: None,
        has_options: Some(true),
        is_s_p_500: Some(false),
        marketcap: Some(1_649_115_201.0),
        sector: s("Real Estate"),
        country_code: s("US"),
        country_name: s("UNITED STATES"),
        continent: s("North America"),
        ts_event: 1_676_408_400 * SEC, // 2023-02-14T21:00:00Z
        ts_init: LATER,
        instrument_id: s("IVT.SMART"),
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn earnings_history_example_takes_the_path_ticker() {
    let rows = records!(
        "/api/earnings/AAPL",
        "http_get_earnings_ticker.jsonl",
        Earnings
    );
    let expected = Earnings {
        symbol: s("AAPL"),
        full_name: None,
        report_date: s("2024-11-10"),
        report_time: s("postmarket"),
        ending_fiscal_quarter: s("2024-09-30"),
        source: s("company"),
        actual_eps: Some(2.45),
        street_mean_est: Some(2.25),
        expected_move: Some(9.91),
        expected_move_perc: Some(0.035_9),
        reaction: None,
        pre_earnings_date: None,
        pre_earnings_close: None,
        post_earnings_date: None,
        post_earnings_close: None,
        pre_earnings_move_1d: Some(0.072_4),
        pre_earnings_move_3d: Some(0.023_1),
        pre_earnings_move_1w: Some(0.132),
        pre_earnings_move_2w: Some(0.158_2),
        post_earnings_move_1d: Some(0.072_4),
        post_earnings_move_3d: Some(0.023_1),
        post_earnings_move_1w: Some(0.132),
        post_earnings_move_2w: Some(0.158_2),
        long_straddle_1d: Some(0.234_9),
        long_straddle_1w: Some(0.012_9),
        short_straddle_1d: Some(-0.583),
        short_straddle_1w: Some(-0.005),
        has_options: None,
        is_s_p_500: None,
        marketcap: None,
        sector: None,
        country_code: None,
        country_name: None,
        continent: None,
        ts_event: 1_731_272_400 * SEC, // 2024-11-10T21:00:00Z (EST)
        ts_init: LATER,
        instrument_id: s("AAPL.SMART"),
    };
    assert_eq!(rows, [expected]);
    let Ok(UwPayload::Earnings(rows)) = parse("/api/earnings/SPY", r#"{"data":[]}"#) else {
        panic!()
    };
    assert!(rows.is_empty());
}

#[test]
fn congress_trade_example_is_stamped_at_filing() {
    let rows = records!(
        "congress_recent_trades",
        "http_get_congress_recent_trades.jsonl",
        CongressTrade
    );
    let expected = CongressTrade {
        ticker: s("FHWVOX"),
        name: s("Stephen Cohen"),
        reporter: s("Stephen C."),
        politician_id: s("18f9fc95-4661-444e-99f5-99d3778e0c31"),
        member_type: s("house"),
        is_active: Some(true),
        txn_type: s("Buy"),
        amounts: s("$15,001 - $50,000"),
        issuer: s("not-disclosed"),
        notes: s(
            "Subholding Of: Stephens Advantage Account Description: FT UNIT 10479 PFD mutual-fund 32500",
        ),
        transaction_date: s("2023-02-06"),
        filed_at_date: s("2023-02-13"),
        ts_event: 1_676_322_000 * SEC, // 2023-02-13T21:00:00Z
        ts_init: LATER,
        instrument_id: None,
    };
    assert_eq!(rows, [expected]);
}

#[test]
fn congress_trades_without_ticker_or_with_the_spec_types_decode() {
    // docs/uw-api.md#rest-congress-trades: `ticker` is null for bonds; UW's spec types
    // `member_type` boolean, `is_active` text.
    let body = r#"{"data":[{"ticker":null,"member_type":true,"is_active":"false","filed_at_date":"2023-02-13"}]}"#;
    let Ok(UwPayload::CongressTrade(rows)) = parse_at("congress_recent_trades", body, LATER) else {
        panic!()
    };
    assert_eq!(
        (
            rows[0].ticker.as_deref(),
            rows[0].member_type.as_deref(),
            rows[0].is_active
        ),
        (None, Some("true"), Some(false))
    );
}

#[test]
fn insider_transaction_example_is_stamped_at_filing() {
    let rows = records!(
        "insider_transactions",
        "http_get_insider_transactions.jsonl",
        InsiderTransaction
    );
    let expected = InsiderTransaction {
        id: s("2662b73d-0ad6-4568-adb0-739b96c18090"),
        ids: vec!["26f2911d-8e40-4fd4-9b74-c450e203a0ad".into()],
        ticker: s("META"),
        owner_name: s("ZUCKERBERG MARK"),
        officer_title: s("COB and CEO"),
        is_director: Some(true),
        is_officer: Some(true),
        is_ten_percent_owner: Some(true),
        is_10b5_1: Some(true),
        formtype: s("144"),
        transaction_code: s("S"),
        transaction_date: s("2024-12-12"),
        filing_date: s("2024-12-12"),
        amount: Some(-35_921),
        price: Some(632.0),
        transactions: Some(1),
        shares_owned_before: None,
        shares_owned_after: None,
        natureofownership: None,
        director_indirect: None,
        security_title: None,
        security_ad_code: None,
        date_excercisable: None,
        price_excercisable: None,
        expiration_date: None,
        stock_price: None,
        marketcap: Some(1_375_122_749_418.0),
        is_s_p_500: Some(true),
        sector: s("Communication Services"),
        next_earnings_date: s("2025-02-06"),
        ts_event: 1_734_037_200 * SEC, // 2024-12-12T21:00:00Z
        ts_init: LATER,
        instrument_id: s("META.SMART"),
    };
    assert_eq!(rows, [expected]);
}

/// A missing or unusable field of each newer endpoint is reported where it sits in the body.
#[rstest]
#[case(
    "flow_alert_detail",
    r#"{"alert":{"ticker":"DINO","total_premium":"1"},"trades":[]}"#,
    "alert.option_chain"
)]
#[case(
    "flow_alert_detail",
    r#"{"alert":{"ticker":"DINO","option_chain":"DINO260417C00060000","total_premium":"1"},"trades":[{"id":"a","underlying_symbol":"DINO","option_chain_id":"DINO260417C00060000","executed_at":"2026-03-11T15:17:46Z","price":"2","size":1},{"id":"b","underlying_symbol":"DINO","option_chain_id":"DINO260417C00060000","executed_at":"2026-03-11T15:17:46Z","price":"two","size":1}]}"#,
    "trades[1].price"
)]
#[case(
    "net_flow_expiry",
    r#"{"data":[{"data":[{"timestamp":"2025-10-22T13:30:00Z"},{"timestamp":"13:31"}]}]}"#,
    "data[0].data[1].timestamp"
)]
#[case("net_flow_expiry", r#"{"data":[{"tide_type":"all"}]}"#, "data[0].data")]
#[case("net_flow_expiry", r#"{"data":[],"expiration":[1]}"#, "expiration[0]")]
#[case(
    "/api/stock/SPY/greek-flow",
    r#"{"data":[{"timestamp":"2024-10-28T18:46:00Z","volume":"many"}]}"#,
    "data[0].volume"
)]
#[case(
    "/api/stock/SPY/greek-flow",
    r#"{"data":[{"volume":1}]}"#,
    "data[0].timestamp"
)]
#[case(
    "/api/stock/BABA/flow-per-strike",
    r#"[{"strike":"70.0"},{"strike":"seventy"}]"#,
    "data[1].strike"
)]
#[case(
    "/api/stock/AAPL/option-contracts",
    r#"{"data":[{"volume":1}]}"#,
    "data[0].option_symbol"
)]
#[case(
    "/api/stock/AAPL/option-chains",
    r#"{"data":["AAPL230908C00175000","AAPL"]}"#,
    "data[1].option_symbol"
)]
#[case(
    "/api/option-contract/TSLA230526C00200000/historic",
    r#"{"chains":[{"iv_high":"high"}]}"#,
    "chains[0].iv_high"
)]
#[case(
    "option_contract_historic",
    r#"{"chains":[{"date":"2023-05-26"}]}"#,
    "chains[0].option_symbol"
)]
#[case(
    "/api/stock/AAPL/stock-state",
    r#"{"data":{"close":true}}"#,
    "data.close"
)]
#[case(
    "/api/stock/AAPL/quote",
    r#"{"data":{"quote":{"ask":{"price":"x","size":1}}}}"#,
    "data.quote.ask.price"
)]
#[case(
    "/api/stock/AAPL/ohlc/5m",
    r#"{"data":[{"start_time":"yesterday"}]}"#,
    "data[0].start_time"
)]
#[case(
    "/api/stock/SPY/max-pain",
    r#"{"data":[{"expiry":"2024-03-04"}],"date":"March"}"#,
    "date"
)]
#[case(
    "/api/stock/AAPL/iv-rank",
    r#"{"data":[{"iv_rank_1y":[0.6]}]}"#,
    "data[0].iv_rank_1y"
)]
#[case(
    "/api/stock/AAPL/interpolated-iv",
    r#"{"data":[{"days":1.5}]}"#,
    "data[0].days"
)]
#[case(
    "/api/stock/AAPL/volatility/term-structure",
    r#"{"data":[{"expiry":"2023-09-31"}]}"#,
    "data[0].expiry"
)]
#[case(
    "earnings_ticker",
    r#"{"data":[{"report_date":"2024-11-10"}]}"#,
    "data[0].symbol"
)]
#[case(
    "congress_recent_trades",
    r#"{"data":[{"member_type":["house"]}]}"#,
    "data[0].member_type"
)]
#[case(
    "insider_transactions",
    r#"{"data":[{"ticker":"META"},{"ticker":"META","amount":"-1.5"}]}"#,
    "data[1].amount"
)]
fn newer_endpoints_name_the_bad_field(
    #[case] endpoint: &str,
    #[case] body: &str,
    #[case] field: &str,
) {
    match parse_rest_body(
        endpoint,
        body.as_bytes(),
        42,
        &InstrumentIdFormat::new("SMART", false),
    ) {
        Err(UwParseError::InvalidField { field: f, .. }) => assert_eq!(f, field),
        other => panic!("{endpoint}: expected an error at {field}, got {other:?}"),
    }
}

#[test]
fn historic_without_chains_is_an_unexpected_shape() {
    let e = parse("option_contract_historic", r#"{"rows":[]}"#).unwrap_err();
    assert_eq!(e.kind(), "unexpected_shape");
    assert!(e.to_string().contains("`chains`"), "{e}");
}

/// Every endpoint of the registry with UW's example body of it: a request it answers (the path
/// with sample values) and the fixture file.
fn documented_examples() -> Vec<(String, String)> {
    UwEndpoint::ALL
        .iter()
        .filter(|e| !e.zipped())
        .map(|endpoint| {
            // Endpoints UW documents with another's schema and example (test_data/README.md).
            let fixture = match endpoint.name() {
                "flow_per_strike_intraday" => "flow_per_strike",
                "earnings_afterhours" => "earnings_premarket",
                "darkpool_recent" | "lit_flow_recent" | "lit_flow_ticker" => "darkpool_ticker",
                "greek_exposure_strike" => "greek_exposure_strike_expiry",
                "spot_exposures_expiry_strike" => "spot_exposures_strike",
                "oi_change_market" => "oi_change_ticker",
                name => name,
            };
            let path = endpoint
                .path_template()
                .replace("{ticker}", "SPY")
                .replace("{id}", "SPY250516C00590000")
                .replace("{expiry}", "2025-05-16")
                .replace("{candle_size}", "1m")
                .replace("{flow_group}", "mag7")
                .replace("{date}", "2025-05-16");
            (path, format!("http_get_{fixture}.jsonl"))
        })
        .collect()
}

proptest! {
    #[test]
    fn arbitrary_bodies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), which in 0usize..UwEndpoint::ALL.len()) {
        let endpoint = UwEndpoint::ALL[which].name();
        let _ = parse_rest_body(endpoint, &bytes, 0, &InstrumentIdFormat::new("SMART", false));
    }

    #[test]
    fn truncated_documented_bodies_never_panic(cut in any::<prop::sample::Index>(), which in any::<prop::sample::Index>()) {
        let examples = documented_examples();
        let (endpoint, fixture) = &examples[which.index(examples.len())];
        let body = &fixture_lines(fixture)[0];
        let end = cut.index(body.len());
        if body.is_char_boundary(end) {
            let _ = parse_rest_body(endpoint, &body.as_bytes()[..end], 0, &InstrumentIdFormat::new("SMART", false));
        }
    }
}

/// Every endpoint of the registry has UW's example as a fixture, and it decodes into the type the
/// registry names: an endpoint added without one fails here.
#[test]
fn every_registered_endpoint_has_an_example_of_its_record_type() {
    // The full tape is a zip UW gives no example of: the simulator makes one (sim tests/full_tape.rs).
    let bodies = UwEndpoint::ALL.iter().filter(|e| !e.zipped());
    for (&endpoint, (path, fixture)) in bodies.zip(documented_examples()) {
        for body in fixture_lines(&fixture) {
            let payloads = parse_rest_body(
                &path,
                body.as_bytes(),
                42,
                &InstrumentIdFormat::new("SMART", false),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", endpoint.name()));
            assert_eq!(
                payloads[0].type_name(),
                endpoint.record_type_name(),
                "{}",
                endpoint.name()
            );
        }
    }
}

#[test]
fn gex_levels_carry_the_2026_08_22_fields() {
    let body = fixture_lines("http_get_gex_levels.jsonl").remove(0);
    let UwPayload::GexLevels(rows) = parse("/api/stock/SPY/gex-levels?source=vol", &body).unwrap()
    else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(r.ticker.as_deref(), Some("SPY"));
    assert_eq!((r.call_wall, r.put_wall), (Some(600.0), Some(550.0)));
    assert_eq!((r.gamma_flip, r.gamma_magnet), (Some(560.0), Some(575.0)));
    assert_eq!(r.nearby_flips, vec![560.0, 561.5, 572.0]);
    assert_eq!(
        (r.date.as_deref(), r.source.as_deref()),
        (Some("2026-08-20"), Some("vol"))
    );
    // 2026-08-20 13:35:11.482 UTC, UW's calculation time, is the event time.
    assert_eq!(r.time, Some(1_787_232_911_482_000_000));
    assert_eq!(r.ts_event, 1_787_232_911_482_000_000);
}

#[test]
fn gex_levels_before_2026_08_22_keep_working_and_take_the_date_asked() {
    let body =
        r#"{"data":{"call_wall":"600","gamma_flip":"560","gamma_magnet":"575","put_wall":"550"}}"#;
    let UwPayload::GexLevels(rows) =
        parse_at("/api/stock/SPY/gex-levels?date=2025-05-14", body, u64::MAX).unwrap()
    else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(
        (r.date.as_deref(), r.time, r.source.as_deref()),
        (Some("2025-05-14"), None, None)
    );
    assert!(r.nearby_flips.is_empty());
    // No calculation time: the close of the date asked for (2025-05-14 16:00 New York).
    assert_eq!(r.ts_event, 1_747_252_800_000_000_000);
    // A flip that is not a number is an error naming it, not a silent gap.
    let bad = r#"{"data":{"nearby_flips":["560","abc"]}}"#;
    let err = parse("/api/stock/SPY/gex-levels", bad).unwrap_err();
    assert!(err.to_string().contains("nearby_flips"), "{err}");
}

#[test]
fn nope_example_is_one_minute_of_the_ticker_in_the_path() {
    let body = fixture_lines("http_get_nope.jsonl").remove(0);
    let UwPayload::Nope(rows) = parse("/api/stock/SPY/nope?date=2024-10-28", &body).unwrap() else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(r.ticker.as_deref(), Some("SPY"));
    assert_eq!(r.instrument_id.as_deref(), Some("SPY.SMART"));
    assert_eq!((r.nope, r.nope_fill), (Some(-0.000_648), Some(-0.000_434)));
    assert_eq!(
        (r.call_delta, r.put_delta),
        (Some(-21_257.36), Some(-43_593.96))
    );
    assert_eq!(
        (r.call_fill_delta, r.put_fill_delta),
        (Some(-28_564.02), Some(-14_947.51))
    );
    assert_eq!(
        (r.call_vol, r.put_vol, r.stock_vol),
        (Some(23_421), Some(23_421), Some(100_000))
    );
    // 2024-10-28 18:46:00 UTC.
    assert_eq!(r.ts_event, 1_730_141_160_000_000_000);
}

#[test]
fn rest_news_headline_keeps_its_tags_and_meta() {
    let body = r#"{"data":[{"meta":{"url":"https://example.com/a","n":[1,2]},"source":"Benzinga","created_at":"2025-10-22T21:24:29Z","tags":["earnings","guidance"],"headline":"TSLA misses","tickers":["TSLA"],"is_major":true,"sentiment":"negative"}]}"#;
    let UwPayload::NewsHeadline(v) = parse("news_headlines", body).unwrap() else {
        panic!()
    };
    assert_eq!(v[0].tags, ["earnings", "guidance"]);
    assert_eq!(v[0].sentiment.as_deref(), Some("negative"));
    // The free-form `meta` object, whole, as JSON text.
    assert_eq!(
        v[0].meta_json.as_deref(),
        Some(r#"{"url":"https://example.com/a","n":[1,2]}"#)
    );
}

/// The first example row of UW's flow alerts, as a JSON object.
fn flow_alert_row() -> serde_json::Value {
    let body = &fixture_lines("http_get_flow_alerts.jsonl")[0];
    let parsed: serde_json::Value = serde_json::from_str(body).unwrap();
    parsed["data"][0].clone()
}

fn page_of(rows: &[serde_json::Value]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "data": rows })).unwrap()
}

#[test]
fn a_page_keeps_its_readable_rows_and_names_each_skipped_one() {
    let good = flow_alert_row();
    let mut no_premium = good.clone();
    no_premium["total_premium"] = serde_json::Value::Null;
    let mut bad_chain = good.clone();
    bad_chain["option_chain"] = serde_json::json!("NOT_AN_OCC");
    let body = page_of(&[good.clone(), no_premium, good.clone(), bad_chain, good]);
    let request = unusual_whales_nt::http::UwRequest::parse("flow_alerts").unwrap();
    let ids = InstrumentIdFormat::new("SMART", false);

    let page = unusual_whales_nt::http::parse_rest_page(&request, &body, 1, &ids).unwrap();
    assert_eq!(page.payloads[0].len(), 3);
    assert_eq!(page.rows(), 5, "a full page stays full for the pager");
    let errors: Vec<String> = page.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2);
    assert!(errors[0].contains("data[1].total_premium"), "{errors:?}");
    assert!(
        errors[1].contains("data[3]") && errors[1].contains("NOT_AN_OCC"),
        "{errors:?}"
    );

    // The strict decoder fails the same body on its first bad row, naming it.
    let strict = unusual_whales_nt::http::parse_rest_response(&request, &body, 1, &ids);
    assert!(
        strict
            .unwrap_err()
            .to_string()
            .contains("data[1].total_premium")
    );
}

#[test]
fn a_page_none_of_whose_rows_reads_fails_whole() {
    let mut row = flow_alert_row();
    row["total_premium"] = serde_json::Value::Null;
    let body = page_of(&[row.clone(), row]);
    let request = unusual_whales_nt::http::UwRequest::parse("flow_alerts").unwrap();
    let err = unusual_whales_nt::http::parse_rest_page(
        &request,
        &body,
        1,
        &InstrumentIdFormat::new("SMART", false),
    )
    .unwrap_err();
    assert!(err.to_string().contains("data[0].total_premium"), "{err}");
}

proptest! {
    /// Whatever rows are broken, the readable ones are kept in order and every other one is
    /// reported, once.
    #[test]
    fn every_row_is_either_kept_or_reported(broken in proptest::collection::vec(any::<bool>(), 1..12)) {
        prop_assume!(broken.iter().any(|b| !b));
        let good = flow_alert_row();
        let rows: Vec<serde_json::Value> = broken
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                let mut row = good.clone();
                row["id"] = serde_json::json!(format!("00000000-0000-4000-8000-{i:012}"));
                if b {
                    row["total_premium"] = serde_json::json!("not a number");
                }
                row
            })
            .collect();
        let request = unusual_whales_nt::http::UwRequest::parse("flow_alerts").unwrap();
        let page = unusual_whales_nt::http::parse_rest_page(
            &request,
            &page_of(&rows),
            1,
            &InstrumentIdFormat::new("SMART", false),
        )
        .unwrap();
        let UwPayload::FlowAlert(alerts) = &page.payloads[0] else { panic!() };
        let kept: Vec<usize> = broken.iter().enumerate().filter(|(_, b)| !**b).map(|(i, _)| i).collect();
        let got: Vec<usize> = alerts
            .iter()
            .map(|a| a.id.as_deref().unwrap()[24..].parse().unwrap())
            .collect();
        prop_assert_eq!(got, kept);
        prop_assert_eq!(page.skipped.len(), broken.iter().filter(|b| **b).count());
        prop_assert_eq!(page.rows(), broken.len());
    }
}
