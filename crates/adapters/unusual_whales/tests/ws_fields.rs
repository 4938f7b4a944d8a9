//! Every documented field of every channel, decoded from UW's own example frames
//! (docs/uw-api.md#channel-payloads).
//!
//! Each test spells out the whole expected record as a struct literal, so a field added to a
//! record type without a checked value here fails to compile rather than going untested.

use rstest::rstest;
use unusual_whales_nt::common::symbol::InstrumentIdFormat;
use unusual_whales_nt::common::testing::fixture_lines;
use unusual_whales_nt::data::*;
use unusual_whales_nt::websocket::{UwWsMessage, parse_frame};

const TS_INIT: u64 = 42;
const MS: u64 = 1_000_000;

/// Decodes frame `$index` of fixture `$file`, which must hold exactly one `$variant` record.
macro_rules! single {
    ($file:literal, $index:expr, $variant:ident) => {
        match decode(&fixture_lines($file)[$index]) {
            UwPayload::$variant(mut v) if v.len() == 1 => v.remove(0),
            other => panic!(
                "{}: expected one {} record, got {other:?}",
                $file,
                stringify!($variant)
            ),
        }
    };
}

fn decode(frame: &str) -> UwPayload {
    match parse_frame(
        frame.as_bytes(),
        TS_INIT,
        &InstrumentIdFormat::new("SMART", false),
    ) {
        Ok(UwWsMessage::Data { payload, .. }) => payload,
        other => panic!("expected a data frame, got {other:?}"),
    }
}

fn s<T: for<'a> From<&'a str>>(text: &str) -> Option<T> {
    Some(T::from(text))
}

#[test]
fn gex_official_example_keeps_empty_delta_exposures_as_none() {
    let expected = TickerGex {
        ticker: "SPY".into(),
        timestamp: 1_726_670_396_000 * MS,
        price: Some(562.86),
        gamma_per_one_percent_move_oi: Some(-262_444_980.31),
        gamma_per_one_percent_move_vol: Some(-934_307_209.58),
        gamma_per_one_percent_move_dir: Some(-9_372_185.61),
        delta_per_one_percent_move_oi: None,
        delta_per_one_percent_move_vol: None,
        charm_per_one_percent_move_oi: Some(-1_677_926_539_943.05),
        charm_per_one_percent_move_vol: Some(-556_207_588_704.10),
        charm_per_one_percent_move_dir: Some(-2_055_997_560.50),
        vanna_per_one_percent_move_oi: Some(2_842_602_508.57),
        vanna_per_one_percent_move_vol: Some(128_814_703.59),
        vanna_per_one_percent_move_dir: Some(-6_220_855.09),
        ts_event: 1_726_670_396_000 * MS,
        ts_init: TS_INIT,
        instrument_id: s("SPY.SMART"),
    };
    assert_eq!(single!("ws_gex.jsonl", 0, TickerGex), expected);
}

#[test]
fn gex_real_capture_keeps_full_precision_and_zero_deltas() {
    let expected = TickerGex {
        ticker: "SPY".into(),
        timestamp: 1_747_419_602_000 * MS,
        price: Some(593.06),
        gamma_per_one_percent_move_oi: Some(6_933_079_028.423_63),
        gamma_per_one_percent_move_vol: Some(54_225_020_324.861_9),
        gamma_per_one_percent_move_dir: Some(-3_968_091_604.196_186),
        delta_per_one_percent_move_oi: Some(0.0),
        delta_per_one_percent_move_vol: Some(0.0),
        charm_per_one_percent_move_oi: Some(-8_957_974_017_052.59),
        charm_per_one_percent_move_vol: Some(-10_298_936_615_779.76),
        charm_per_one_percent_move_dir: Some(723_342_088_342.801),
        vanna_per_one_percent_move_oi: Some(2_640_209_529.690_219),
        vanna_per_one_percent_move_vol: Some(973_726_525.324_245),
        vanna_per_one_percent_move_dir: Some(-23_378_268.902_570_67),
        ts_event: 1_747_419_602_000 * MS,
        ts_init: TS_INIT,
        instrument_id: s("SPY.SMART"),
    };
    assert_eq!(single!("ws_gex.jsonl", 1, TickerGex), expected);
}

/// The expected per-strike record of UW's examples (docs/uw-api.md#channel-gex_strike);
/// `gex_strike` and `gex_strike_expiry` share every value but `expiry`, and the 2025-10 example
/// lacks the four delta fields.
macro_rules! strike_gex_example {
    ($ty:ident { $($extra:tt)* } deltas: [$cdo:expr, $pdo:expr, $cdv:expr, $pdv:expr]) => {
        $ty {
            ticker: "SPY".into(),
            timestamp: 1_726_670_426_000 * MS,
            strike: 290.0,
            $($extra)*
            price: Some(562.96),
            call_gamma_oi: Some(174_792.59),
            call_gamma_vol: Some(15_596.81),
            call_delta_oi: $cdo,
            call_delta_vol: $cdv,
            call_charm_oi: Some(85_658_181.72),
            call_charm_vol: Some(-326_871.58),
            call_vanna_oi: Some(-6_103.51),
            call_vanna_vol: Some(2_063.13),
            put_gamma_oi: Some(-1_172_037.66),
            put_gamma_vol: Some(-236.69),
            put_delta_oi: $pdo,
            put_delta_vol: $pdv,
            put_charm_oi: Some(-315_259_003.37),
            put_charm_vol: Some(-68_457.78),
            put_vanna_oi: Some(1_337_727.64),
            put_vanna_vol: Some(845.06),
            call_gamma_ask_vol: Some(-4_064.62),
            call_gamma_bid_vol: Some(11_532.18),
            call_charm_ask_vol: Some(85_184.72),
            call_charm_bid_vol: Some(-241_686.87),
            call_vanna_ask_vol: Some(-537.66),
            call_vanna_bid_vol: Some(1_525.46),
            put_gamma_ask_vol: Some(-140.95),
            put_gamma_bid_vol: Some(95.73),
            put_charm_ask_vol: Some(-59_412.37),
            put_charm_bid_vol: Some(9_045.42),
            put_vanna_ask_vol: Some(523.79),
            put_vanna_bid_vol: Some(-321.27),
            ts_event: 1_726_670_426_000 * MS,
            ts_init: TS_INIT,
            instrument_id: s("SPY.SMART"),
        }
    };
}

#[test]
fn gex_strike_newest_example_with_delta_exposures() {
    let expected = strike_gex_example!(StrikeGex {}
        deltas: [Some(0.4521), Some(-0.3812), Some(0.0413), Some(-0.0288)]);
    assert_eq!(single!("ws_gex_strike.jsonl", 0, StrikeGex), expected);
}

#[test]
fn gex_strike_older_example_without_delta_exposures() {
    let expected = strike_gex_example!(StrikeGex {} deltas: [None, None, None, None]);
    assert_eq!(single!("ws_gex_strike.jsonl", 1, StrikeGex), expected);
}

#[test]
fn gex_strike_expiry_example() {
    let expected = strike_gex_example!(ExpiryStrikeGex { expiry: "2025-01-24".into(), }
        deltas: [Some(0.4521), Some(-0.3812), Some(0.0413), Some(-0.0288)]);
    assert_eq!(
        single!("ws_gex_strike_expiry.jsonl", 0, ExpiryStrikeGex),
        expected
    );
}

/// The old `price:SPY` frame without `ticker`, the new one with it, and the all-tickers channel
/// decode to the same record: the channel suffix stands in for the missing ticker.
#[rstest]
#[case::older_without_ticker(0)]
#[case::newer_with_ticker(1)]
#[case::all_tickers_channel(2)]
fn price_examples(#[case] index: usize) {
    let expected = Price {
        ticker: s("SPY"),
        close: 562.82,
        time: 1_726_670_327_692 * MS,
        vol: Some(6_015_555),
        ts_event: 1_726_670_327_692 * MS,
        ts_init: TS_INIT,
        instrument_id: s("SPY.SMART"),
    };
    assert_eq!(single!("ws_price.jsonl", index, Price), expected);
}

#[test]
fn news_example() {
    let expected = NewsHeadline {
        headline: "US Energy Secretary foresees many more LNG export deals signed".into(),
        timestamp: 1_749_678_056_000 * MS,
        source: s("social-media"),
        tickers: vec![],
        is_trump_ts: Some(false),
        is_major: None,
        sentiment: None,
        tags: vec![],
        meta_json: None,
        ts_event: 1_749_678_056_000 * MS,
        ts_init: TS_INIT,
        instrument_id: None,
    };
    assert_eq!(single!("ws_news.jsonl", 0, NewsHeadline), expected);
}

/// Lit and off-lit prints share one schema (docs/uw-api.md#channel-off_lit_trades); these are the
/// values both of UW's examples share.
macro_rules! equity_print_example {
    ($ty:ident { $($differs:tt)* }) => {
        $ty {
            symbol: "AAPL".into(),
            price: 150.25,
            size: 100,
            executed_at: 1_727_015_400_000 * MS,
            volume: Some(1000),
            premium: None,
            nbbo_bid: Some(150.20),
            nbbo_ask: Some(150.25),
            nbbo_bid_quantity: Some(500),
            nbbo_ask_quantity: Some(800),
            trade_settlement: s("regular"),
            market_center: None,
            canceled: None,
            tracking_id: None,
            sector: s("Technology"),
            issue_type: s("Common Stock"),
            next_earnings_date: s("2024-10-25"),
            avg30_volume: Some(75_000_000.0),
            marketcap: Some(2_400_000_000_000.0),
            ts_event: 1_727_015_400_000 * MS,
            ts_init: TS_INIT,
            instrument_id: s("AAPL.SMART"),
            $($differs)*
        }
    };
}

#[test]
fn lit_trades_example() {
    let expected = equity_print_example!(LitTrade {
        print_type: s("lit"),
        trade_code: s("opening_print"),
        ext_hour_sold_codes: None,
        sale_cond_codes: s("cross_trade"),
        trf_executed_at: None,
    });
    assert_eq!(single!("ws_lit_trades.jsonl", 0, LitTrade), expected);
}

#[test]
fn off_lit_trades_example() {
    let expected = equity_print_example!(DarkPoolTrade {
        print_type: s("off_lit"),
        trade_code: None,
        ext_hour_sold_codes: s("extended_hours_trade"),
        sale_cond_codes: None,
        trf_executed_at: Some(1_727_015_400_250 * MS),
    });
    assert_eq!(
        single!("ws_off_lit_trades.jsonl", 0, DarkPoolTrade),
        expected
    );
}

#[test]
fn market_tide_example() {
    let expected = MarketTide {
        timestamp: 1_777_300_074_000 * MS,
        net_volume: Some(991),
        net_call_premium: Some(488_078.0),
        net_put_premium: Some(-218_102.0),
        otm_net_volume: Some(1345),
        otm_net_call_premium: Some(272_395.0),
        otm_net_put_premium: Some(-190_694.0),
        ts_event: 1_777_300_074_000 * MS,
        ts_init: TS_INIT,
        instrument_id: None,
    };
    assert_eq!(single!("ws_market_tide.jsonl", 0, MarketTide), expected);
}

#[test]
fn net_flow_example() {
    let expected = NetFlow {
        ticker: s("SPY"),
        net_call_prem: Some(1716.0),
        net_call_vol: Some(6),
        net_put_prem: Some(1990.0),
        net_put_vol: Some(17),
        time: 1_777_300_076_003 * MS,
        ts_event: 1_777_300_076_003 * MS,
        ts_init: TS_INIT,
        instrument_id: s("SPY.SMART"),
    };
    assert_eq!(single!("ws_net_flow.jsonl", 0, NetFlow), expected);
}

#[test]
fn interval_flow_example() {
    let expected = IntervalFlow {
        ticker: "CVNA".into(),
        interval_type: "All".into(),
        start_time: 1_777_299_900_000 * MS,
        tape_time: 1_777_300_074_391 * MS,
        call_vol: Some(76),
        put_vol: Some(155),
        transactions: Some(73),
        call_vol_ask_side: Some(38),
        call_vol_bid_side: Some(37),
        call_vol_neutral_side: Some(1),
        put_vol_ask_side: Some(28),
        put_vol_bid_side: Some(107),
        put_vol_neutral_side: Some(20),
        call_sweep_vol: Some(0),
        put_sweep_vol: Some(0),
        call_floor_vol: Some(0),
        put_floor_vol: Some(0),
        call_cross_vol: Some(0),
        put_cross_vol: Some(0),
        call_multi_vol: Some(22),
        put_multi_vol: Some(12),
        cum_net_call_delta: Some(200),
        cum_net_put_delta: Some(-149),
        avg_dte: Some(4.0),
        avg_otm: Some(0.697_458),
        avg_size: Some(1.0),
        avg_prem: Some(54.0),
        net_call_prem: Some(16_424.0),
        net_put_prem: Some(-10_344.0),
        open: Some(407.0),
        close: Some(406.322),
        implied_move_perc_30d_open_bps: Some(165),
        implied_move_perc_30d_close_bps: Some(165),
        volatility_30d_open_bps: Some(849),
        volatility_30d_close_bps: Some(855),
        delta_flow: Some(1243),
        gamma_flow: Some(11),
        vega_flow: Some(6780),
        dir_delta_flow: Some(8),
        dir_gamma_flow: Some(-38),
        dir_vega_flow: Some(-892),
        ts_event: 1_777_300_074_391 * MS,
        ts_init: TS_INIT,
        instrument_id: s("CVNA.SMART"),
    };
    assert_eq!(single!("ws_interval_flow.jsonl", 0, IntervalFlow), expected);
}

#[test]
fn contract_screener_example() {
    let expected = ContractScreener {
        option_symbol: "WMT260501P00126000".into(),
        tape_time: Some(1_777_300_076_000 * MS),
        last_fill: None,
        volume: Some(498),
        open_interest: Some(536),
        prev_oi: Some(349),
        trades: Some(143),
        ask_side_volume: Some(231),
        bid_side_volume: Some(190),
        neutral_volume: Some(0),
        mid_volume: Some(77),
        floor_volume: Some(50),
        sweep_volume: Some(2),
        cross_volume: Some(0),
        multileg_volume: Some(10),
        stock_multi_leg_volume: Some(0),
        days_of_oi_increases: Some(3),
        days_of_vol_greater_than_oi: Some(0),
        premium: Some(32_830.0),
        high: Some(0.76),
        low: Some(0.51),
        open: Some(0.53),
        close: Some(0.75),
        avg_price: Some(0.659_236_947_791_164_7),
        bid: Some(0.73),
        ask: Some(0.75),
        iv: Some(0.322_261_163_068_570_8),
        delta: Some(-0.275_914_579_207_071_3),
        gamma: Some(0.077_108_440_418_112_8),
        theta: Some(-0.180_959_140_636_331),
        vega: Some(0.044_951_901_987_515_09),
        chain_prev_close: Some(0.55),
        ask_side_perc_7_day: Some(0.75),
        bid_side_perc_7_day: Some(0.25),
        is_new: Some(false),
        option_type: None,
        strike: None,
        expiry: None,
        stock_price: None,
        ticker_vol: None,
        total_ask_changes: None,
        total_bid_changes: None,
        sector: None,
        next_earnings_date: None,
        er_time: None,
        ts_event: 1_777_300_076_000 * MS,
        ts_init: TS_INIT,
        instrument_id: s("WMT260501P00126000.SMART"),
    };
    assert_eq!(
        single!("ws_contract_screener.jsonl", 0, ContractScreener),
        expected
    );
}

#[test]
fn trading_halts_example() {
    let expected = TradingHalt {
        ticker: "GME".into(),
        state: "halted".into(),
        reason: s("LUDP"),
        time: 1_777_300_262_000 * MS,
        ts_event: 1_777_300_262_000 * MS,
        ts_init: TS_INIT,
        instrument_id: s("GME.SMART"),
    };
    assert_eq!(single!("ws_trading_halts.jsonl", 0, TradingHalt), expected);
}

#[test]
fn custom_alerts_example_keeps_meta_as_json_text() {
    let expected = CustomAlert {
        name: s("Aggressive ask-side flow on AAPL"),
        noti_type: s("flow_alerts"),
        user_noti_config_id: s("f80a7f23-2cf6-4bc2-b7cd-2cb13e7a9a80"),
        user_id: s("0d5b0a13-b9d8-4f3b-8a4f-7c6c9a9a1b40"),
        symbol: s("AAPL"),
        symbol_type: s("stock"),
        tape_time: 1_777_300_331_000 * MS,
        meta_json: s("{}"),
        ts_event: 1_777_300_331_000 * MS,
        ts_init: TS_INIT,
        instrument_id: None,
    };
    assert_eq!(single!("ws_custom_alerts.jsonl", 0, CustomAlert), expected);
}

#[test]
fn custom_alerts_meta_keeps_nested_objects_verbatim() {
    // UW's example shows only `{}` (docs/uw-api.md#channel-custom_alerts); the shape of a real
    // `meta` depends on `noti_type`, so any JSON value must come through as its exact text.
    let frame = r#"["custom_alerts",{"name":"n","tape_time":"2026-04-27T14:32:11Z","meta":{"a":[1,{"b":null}],"c":"\u00e9"}}]"#;
    let UwPayload::CustomAlert(v) = decode(frame) else {
        panic!("expected a custom alert")
    };
    assert_eq!(
        v[0].meta_json.as_deref(),
        Some(r#"{"a":[1,{"b":null}],"c":"\u00e9"}"#)
    );
    let frame = r#"["custom_alerts",{"tape_time":"2026-04-27T14:32:11Z","meta":null}]"#;
    let UwPayload::CustomAlert(v) = decode(frame) else {
        panic!("expected a custom alert")
    };
    assert_eq!(
        (v[0].name.as_deref(), v[0].meta_json.as_deref()),
        (None, None)
    );
}

#[test]
fn periscope_example_becomes_one_record_per_row() {
    let row = |strike: f64, gamma: f64, charm: f64, vanna: f64| Periscope {
        ticker: "SPX".into(),
        timestamp: 1_726_670_396_000 * MS,
        total_rows: Some(11_987),
        has_more: true,
        strike,
        expiry: "2026-07-02".into(),
        gamma: Some(gamma),
        charm: Some(charm),
        vanna: Some(vanna),
        ts_event: 1_726_670_396_000 * MS,
        ts_init: TS_INIT,
        instrument_id: s("SPX.SMART"),
    };
    let UwPayload::Periscope(rows) = decode(&fixture_lines("ws_periscope.jsonl")[0]) else {
        panic!("expected periscope rows")
    };
    assert_eq!(
        rows,
        [
            row(5200.0, 1234.5, -12.3, 4.5),
            row(5225.0, 987.6, -10.1, 3.2)
        ]
    );
}

#[test]
fn interpolated_iv_example_is_stamped_on_arrival() {
    let expected = InterpolatedIv {
        ticker: "AAPL".into(),
        date: "2026-08-20".into(),
        days: 30,
        volatility: Some(0.299),
        implied_move: Some(12.345),
        implied_move_perc: Some(0.058),
        is_exact: Some(false),
        // UW sends only a trading date, no time: the arrival time stands in.
        ts_event: TS_INIT,
        ts_init: TS_INIT,
        instrument_id: s("AAPL.SMART"),
    };
    assert_eq!(
        single!("ws_interpolated_iv.jsonl", 0, InterpolatedIv),
        expected
    );
}

#[test]
fn iv_term_structure_example_is_stamped_on_arrival() {
    let expected = IvTermStructure {
        ticker: "AAPL".into(),
        date: "2026-08-20".into(),
        expiry: "2026-09-18".into(),
        volatility: Some(0.299),
        implied_move: Some(12.345),
        implied_move_perc: Some(0.058),
        ts_event: TS_INIT,
        ts_init: TS_INIT,
        instrument_id: s("AAPL.SMART"),
    };
    assert_eq!(
        single!("ws_iv_term_structure.jsonl", 0, IvTermStructure),
        expected
    );
}

#[test]
#[should_panic(expected = "expected one FlowAlert record")]
fn a_fixture_decoding_to_another_type_fails_the_test() {
    let _ = single!("ws_gex.jsonl", 0, FlowAlert);
}
