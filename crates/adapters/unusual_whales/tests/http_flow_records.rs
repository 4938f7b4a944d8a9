//! The options-flow REST records of #16 against UW's own examples (test_data/README.md): every
//! field spelled out, so that a field added without a checked value fails to compile.

use unusual_whales_nt::common::error::UwParseError;
use unusual_whales_nt::common::symbol::InstrumentIdFormat;
use unusual_whales_nt::common::testing::fixture_lines;
use unusual_whales_nt::data::*;
use unusual_whales_nt::http::parse_rest_body;

/// An arrival time after every example's date, so date-only rows keep their New York close.
const LATER: u64 = 1_900_000_000_000_000_000; // 2030-03-17T17:46:40Z
const SEC: u64 = 1_000_000_000;

fn s<T: for<'a> From<&'a str>>(text: &str) -> Option<T> {
    Some(T::from(text))
}

fn parse(endpoint: &str, body: &str) -> Result<UwPayload, UwParseError> {
    let mut payloads = parse_rest_body(
        endpoint,
        body.as_bytes(),
        LATER,
        &InstrumentIdFormat::new("SMART", false),
    )?;
    assert_eq!(payloads.len(), 1, "{endpoint}: expected one payload");
    Ok(payloads.remove(0))
}

/// Decodes line `$line` of `$file` for `$endpoint`; the payload must be `$variant`.
macro_rules! records {
    ($endpoint:expr, $file:literal, $variant:ident) => {
        records!($endpoint, $file, $variant, 0)
    };
    ($endpoint:expr, $file:literal, $variant:ident, $line:expr) => {
        match parse($endpoint, &fixture_lines($file)[$line]) {
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
fn flow_per_expiry_rows_are_stamped_at_the_close_of_their_day() {
    let rows = records!(
        "/api/stock/BABA/flow-per-expiry",
        "http_get_flow_per_expiry.jsonl",
        ExpiryFlow
    );
    assert_eq!(rows.len(), 2);
    let close = 1_705_957_200 * SEC; // 2024-01-22 16:00 New York
    assert_eq!(
        rows[0],
        ExpiryFlow {
            ticker: s("BABA"),
            date: s("2024-01-22"),
            expiry: s("2024-01-26"),
            call_trades: Some(11_383),
            call_volume: Some(89_177),
            call_volume_ask_side: Some(43_669),
            call_volume_bid_side: Some(40_164),
            call_premium: Some(5_839_180.0),
            call_premium_ask_side: Some(2_615_356.0),
            call_premium_bid_side: Some(2_722_619.0),
            call_otm_trades: Some(10_213),
            call_otm_volume: Some(81_598),
            call_otm_premium: Some(3_885_339.0),
            put_trades: Some(2_744),
            put_volume: Some(20_101),
            put_volume_ask_side: Some(7_396),
            put_volume_bid_side: Some(8_113),
            put_premium: Some(4_802_145.0),
            put_premium_ask_side: Some(3_593_584.0),
            put_premium_bid_side: Some(690_572.0),
            put_otm_trades: Some(2_077),
            put_otm_volume: Some(12_164),
            put_otm_premium: Some(632_247.0),
            ts_event: close,
            ts_init: LATER,
            instrument_id: s("BABA.SMART"),
        }
    );
    assert_eq!(rows[1].expiry.as_deref(), Some("2024-02-02"));
    assert_eq!(rows[1].put_premium_bid_side, Some(354_687.0));
    // UW has also answered with a bare array of rows without ticker or date (docs/uw-api.md).
    let bare = r#"[{"expiry":"2024-01-26","call_volume":"12"}]"#;
    let Ok(UwPayload::ExpiryFlow(rows)) = parse("/api/stock/SPY/flow-per-expiry", bare) else {
        panic!()
    };
    assert_eq!(
        (
            rows[0].ticker.as_deref(),
            rows[0].call_volume,
            rows[0].ts_event
        ),
        (Some("SPY"), Some(12), LATER)
    );
}

#[test]
fn dark_pool_levels_take_ticker_and_date_from_the_request_and_the_envelope() {
    let rows = records!(
        "/api/darkpool/AAPL/price-levels",
        "http_get_darkpool_price_levels.jsonl",
        DarkPoolLevel
    );
    assert_eq!(
        rows,
        [DarkPoolLevel {
            ticker: s("AAPL"),
            date: s("2026-08-03"),
            price: Some(123.25),
            dark_pool_volume: Some(12_000),
            regular_volume: Some(35_000),
            ts_event: 1_785_787_200 * SEC, // 2026-08-03 16:00 New York (EDT)
            ts_init: LATER,
            instrument_id: s("AAPL.SMART"),
        }]
    );
}

#[test]
fn top_net_impact_reads_exponent_strings_and_numbers() {
    let net_impact =
        |ticker: &str, net_premium: f64, date: Option<String>, ts_event: u64| NetImpact {
            ticker: s(ticker),
            date,
            net_premium: Some(net_premium),
            ts_event,
            ts_init: LATER,
            instrument_id: s(&format!("{ticker}.SMART")),
        };
    // UW's schema example writes the premium as exponent strings; no date asked: arrival time.
    let rows = records!("top_net_impact", "http_get_top_net_impact.jsonl", NetImpact);
    assert_eq!(
        rows,
        [
            net_impact("AAPL", 2.5e6, None, LATER),
            net_impact("MSFT", 1.2e6, None, LATER),
            net_impact("TSLA", -1.8e6, None, LATER),
            net_impact("QQQ", -9.0e5, None, LATER),
        ]
    );
    // The 2025-10-22 capture sends JSON numbers; the day asked for stamps its close.
    let close = 1_761_163_200 * SEC;
    let rows = records!(
        "/api/market/top-net-impact?date=2025-10-22",
        "http_get_top_net_impact.jsonl",
        NetImpact,
        1
    );
    assert_eq!(
        rows,
        [
            net_impact("CRWV", 16_550_771.0, s("2025-10-22"), close),
            net_impact("TSLA", -47_051_475.0, s("2025-10-22"), close),
        ]
    );
}

#[test]
fn etf_tide_minutes_are_the_etf_of_the_path() {
    let rows = records!(
        "/api/market/XLK/etf-tide",
        "http_get_etf_tide.jsonl",
        EtfTide
    );
    let minute = |t: u64, call: f64, put: f64, vol: i64| EtfTide {
        ticker: s("XLK"),
        date: s("2023-09-08"),
        timestamp: t * SEC,
        net_call_premium: Some(call),
        net_put_premium: Some(put),
        net_volume: Some(vol),
        ts_event: t * SEC,
        ts_init: LATER,
        instrument_id: s("XLK.SMART"),
    };
    assert_eq!(
        rows,
        [
            minute(1_694_179_800, 660_338.0, -547_564.0, 23_558), // 09:30 New York
            minute(1_694_179_860, 4_907_138.0, -1_709_539.0, 64_312),
            minute(1_694_179_920, 4_839_265.0, -2_731_793.0, 80_029),
        ]
    );
}

/// UW's example group greek-flow minute; `$expiry` is `None` on `/greek-flow`.
fn group_flow(expiry: Option<String>) -> GroupGreekFlow {
    GroupGreekFlow {
        flow_group: s("airline"),
        expiry,
        timestamp: 1_730_141_160 * SEC, // 2024-10-28T18:46:00Z
        transactions: Some(1_188),
        volume: Some(12_348),
        net_call_premium: Some(-1_095_135.0),
        net_call_volume: Some(1_049),
        net_put_premium: Some(135_732.0),
        net_put_volume: Some(415),
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
        instrument_id: None,
    }
}

#[test]
fn group_greek_flow_examples_and_values_from_the_path() {
    let rows = records!(
        "/api/group-flow/airline/greek-flow",
        "http_get_group_greek_flow.jsonl",
        GroupGreekFlow
    );
    assert_eq!(rows, [group_flow(None)]);
    let rows = records!(
        "/api/group-flow/airline/greek-flow/2024-10-28",
        "http_get_group_greek_flow_expiry.jsonl",
        GroupGreekFlow
    );
    assert_eq!(rows, [group_flow(s("2024-10-28"))]);
    // A row without its group or expiry takes them from the path; a path's spaces are escaped.
    let body = r#"{"data":[{"timestamp":"2024-10-28 18:46:00+00:00","volume":3}]}"#;
    let Ok(UwPayload::GroupGreekFlow(rows)) = parse(
        "/api/group-flow/basic%20materials/greek-flow/2024-11-01",
        body,
    ) else {
        panic!()
    };
    assert_eq!(
        (rows[0].flow_group.as_deref(), rows[0].expiry.as_deref()),
        (Some("basic materials"), Some("2024-11-01"))
    );
    let err = parse("/api/group-flow/moon/greek-flow", body).unwrap_err();
    assert_eq!(err.kind(), "unknown_endpoint");
}

#[test]
fn rest_screener_rows_are_contract_screener_snapshots_at_their_last_fill() {
    let rows = records!(
        "/api/screener/option-contracts?date=2023-09-08",
        "http_get_screener_option_contracts.jsonl",
        ContractScreener
    );
    let last_fill = 1_694_195_132 * SEC; // 2023-09-08T17:45:32Z
    assert_eq!(
        rows,
        [ContractScreener {
            option_symbol: "TSLA230908C00255000".to_owned(),
            tape_time: None,
            last_fill: Some(last_fill),
            volume: Some(264_899),
            open_interest: Some(18_680),
            prev_oi: None,
            trades: Some(39_690),
            ask_side_volume: Some(119_403),
            bid_side_volume: Some(122_789),
            neutral_volume: Some(0),
            mid_volume: Some(22_707),
            floor_volume: Some(142),
            sweep_volume: Some(18_260),
            cross_volume: Some(0),
            multileg_volume: Some(7_486),
            stock_multi_leg_volume: Some(52),
            days_of_oi_increases: None,
            days_of_vol_greater_than_oi: None,
            premium: Some(27_723_806.0),
            high: Some(2.95),
            low: Some(0.02),
            open: Some(0.92),
            close: Some(0.03),
            avg_price: Some(1.046_580_243_791_029_8),
            bid: None,
            ask: None,
            iv: None,
            delta: None,
            gamma: None,
            theta: None,
            vega: None,
            chain_prev_close: Some(1.29),
            ask_side_perc_7_day: None,
            bid_side_perc_7_day: None,
            is_new: None,
            option_type: s("call"),
            strike: Some(255.0),
            expiry: s("2023-09-08"),
            stock_price: Some(247.94),
            ticker_vol: Some(2_546_773),
            total_ask_changes: Some(44_343),
            total_bid_changes: Some(43_939),
            sector: s("Consumer Cyclical"),
            next_earnings_date: s("2023-10-18"),
            er_time: s("unknown"),
            ts_event: last_fill,
            ts_init: LATER,
            instrument_id: s("TSLA230908C00255000.SMART"),
        }]
    );
}

#[test]
fn contract_minutes_are_stamped_when_the_minute_is_complete() {
    let rows = records!(
        "/api/option-contract/AAPL240621C00190000/intraday",
        "http_get_option_contract_intraday.jsonl",
        ContractBar
    );
    assert_eq!(rows.len(), 2);
    let start = 1_716_906_600 * SEC; // 2024-05-28T14:30:00Z
    assert_eq!(
        rows[0],
        ContractBar {
            option_symbol: s("AAPL240621C00190000"),
            start_time: start,
            expiry: s("2024-06-21"),
            open: Some(30.15),
            high: Some(30.25),
            low: Some(30.05),
            close: Some(30.22),
            avg_price: Some(30.186_415_094_339_623),
            iv_high: Some(0.254_783_45),
            iv_low: Some(0.249_672_45),
            volume_ask_side: Some(104),
            volume_bid_side: Some(47),
            volume_mid_side: Some(2),
            volume_no_side: Some(0),
            volume_multi: Some(15),
            volume_stock_multi: Some(0),
            premium_ask_side: Some(3_138.0),
            premium_bid_side: Some(1_403.92),
            premium_mid_side: Some(60.5),
            premium_no_side: Some(0.0),
            ts_event: start + 60 * SEC,
            ts_init: LATER,
            instrument_id: s("AAPL240621C00190000.SMART"),
        }
    );
    assert_eq!(rows[1].ts_event, start + 120 * SEC);
    // A minute without its symbol is the contract of the path.
    let body = r#"{"data":[{"start_time":"2024-05-28 14:30:00+00:00","close":"1"}]}"#;
    let Ok(UwPayload::ContractBar(rows)) =
        parse("/api/option-contract/SPY250516C00590000/intraday", body)
    else {
        panic!()
    };
    assert_eq!(
        rows[0].instrument_id.as_deref(),
        Some("SPY250516C00590000.SMART")
    );
}

#[test]
fn multi_leg_trade_example_fields() {
    let rows = records!(
        "multi_leg_trades",
        "http_get_multi_leg_trades.jsonl",
        MultiLegTrade
    );
    let executed = 1_784_298_662 * SEC; // 2026-07-17T14:31:02Z
    assert_eq!(
        rows,
        [MultiLegTrade {
            id: "0197f...c3".to_owned(),
            ticker: "AAPL".to_owned(),
            executed_at: executed,
            strategy: s("vertical"),
            direction: None,
            code: None,
            net_side: None,
            leg_count: None,
            size: None,
            txns: None,
            net_price: None,
            net_bid: None,
            net_ask: None,
            bid_ask_spread: None,
            net_premium: None,
            total_premium: None,
            net_delta: None,
            net_theta: None,
            underlying_price: None,
            min_strike: None,
            max_strike: None,
            strikes: Vec::new(),
            ivs: Vec::new(),
            min_dte: None,
            max_dte: None,
            breakevens: Vec::new(),
            max_profit: None,
            max_loss: None,
            all_otm: None,
            all_opening_legs: None,
            diff_expirations: None,
            diff_strikes: None,
            diff_types: None,
            uniq_exchanges: Vec::new(),
            ts_event: executed,
            ts_init: LATER,
            instrument_id: s("AAPL.SMART"),
        }]
    );
    // UW documents decimals as strings, lists of them too.
    let body = r#"{"data":[{"id":"x","ticker":"SPY","executed_at":"2026-07-17 14:31:02+00:00","strikes":["765","766"],"ivs":["0.1204",0.116],"net_price":"-0.35","all_otm":true,"uniq_exchanges":["XCBO"]}]}"#;
    let Ok(UwPayload::MultiLegTrade(rows)) = parse("multi_leg_trades", body) else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(
        (r.strikes.as_slice(), r.ivs.as_slice()),
        (&[765.0, 766.0][..], &[0.1204, 0.116][..])
    );
    assert_eq!(
        (r.net_price, r.all_otm, r.uniq_exchanges.as_slice()),
        (Some(-0.35), Some(true), &["XCBO".to_owned()][..])
    );
}

#[test]
fn multi_leg_legs_are_contracts_of_the_strategy_in_the_path() {
    let rows = records!(
        "/api/option-trades/multi-leg/0197f-c3/legs",
        "http_get_multi_leg_legs.jsonl",
        MultiLegLeg
    );
    assert_eq!(
        rows,
        [MultiLegLeg {
            strategy_id: s("0197f-c3"),
            option_symbol: "AAPL260918C00250000".to_owned(),
            option_symbol_id: None,
            option_type: None,
            strike: None,
            expiry: None,
            side: None,
            size: None,
            price: None,
            premium: None,
            nbbo_bid: None,
            nbbo_ask: None,
            delta: None,
            theta: None,
            open_interest: None,
            volume: None,
            ts_event: LATER,
            ts_init: LATER,
            instrument_id: s("AAPL260918C00250000.SMART"),
        }]
    );
    let body = r#"{"data":[{"option_symbol":"AAPL260918C00250000","type":"call","strike":"250","side":"ask","size":10,"price":"1.25"}]}"#;
    let Ok(UwPayload::MultiLegLeg(rows)) = parse("/api/option-trades/multi-leg/x/legs", body)
    else {
        panic!()
    };
    assert_eq!(
        (rows[0].option_type.as_deref(), rows[0].strike, rows[0].size),
        (Some("call"), Some(250.0), Some(10))
    );
}

#[test]
fn bad_values_name_their_row_and_field() {
    for (endpoint, body, field) in [
        (
            "/api/option-contract/AAPL240621C00190000/intraday",
            r#"{"data":[{"start_time":"soon"}]}"#,
            "data[0].start_time",
        ),
        (
            "/api/option-trades/multi-leg/x/legs",
            r#"{"data":[{"option_symbol":"NOT AN OCC"}]}"#,
            "data[0].option_symbol",
        ),
        (
            "multi_leg_trades",
            r#"{"data":[{"id":"x","ticker":"SPY"}]}"#,
            "data[0].executed_at",
        ),
        (
            "top_net_impact",
            r#"{"data":[{"ticker":"SPY","net_premium":"lots"}]}"#,
            "data[0].net_premium",
        ),
        (
            "/api/darkpool/SPY/price-levels",
            r#"{"data":[],"date":"2026-13-01"}"#,
            "date",
        ),
    ] {
        match parse(endpoint, body) {
            Err(UwParseError::InvalidField { field: f, .. }) => assert_eq!(f, field, "{endpoint}"),
            other => panic!("{endpoint}: expected an error at {field}, got {other:?}"),
        }
    }
}
