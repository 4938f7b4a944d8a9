//! REST bodies: UW's documented examples, envelopes, error shapes and bad input.

use proptest::prelude::*;
use rstest::rstest;
use unusual_whales_nt::common::error::UwParseError;
use unusual_whales_nt::common::testing::fixture_lines;
use unusual_whales_nt::data::UwPayload;
use unusual_whales_nt::http::parse_rest_body;

fn parse(endpoint: &str, body: &str) -> Result<UwPayload, UwParseError> {
    parse_rest_body(endpoint, body.as_bytes(), 42, "SMART")
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

proptest! {
    #[test]
    fn arbitrary_bodies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), which in 0usize..16) {
        let endpoint = unusual_whales_nt::http::UwEndpoint::ALL[which].name();
        let _ = parse_rest_body(endpoint, &bytes, 0, "SMART");
    }

    #[test]
    fn truncated_documented_bodies_never_panic(cut in any::<prop::sample::Index>()) {
        let body = &fixture_lines("http_get_flow_alerts.jsonl")[0];
        let end = cut.index(body.len());
        if body.is_char_boundary(end) {
            let _ = parse("flow_alerts", &body[..end]);
        }
    }
}
