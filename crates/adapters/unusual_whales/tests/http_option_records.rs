//! What an options-flow strategy reads beside the flow (#16): UW's documented example of each
//! endpoint decodes into the values it shows, stamped when a strategy could have known them.

use unusual_whales_nt::common::error::UwParseError;
use unusual_whales_nt::common::symbol::InstrumentIdFormat;
use unusual_whales_nt::common::testing::fixture_lines;
use unusual_whales_nt::data::*;
use unusual_whales_nt::http::parse_rest_body;

/// Decodes UW's example body `fixture` as the answer to `request`, arriving at `ts_init`.
fn parse_at(request: &str, fixture: &str, ts_init: u64) -> Result<UwPayload, UwParseError> {
    let body = fixture_lines(fixture).remove(0);
    let mut payloads = parse_rest_body(
        request,
        body.as_bytes(),
        ts_init,
        &InstrumentIdFormat::new("SMART", false),
    )?;
    assert_eq!(payloads.len(), 1, "{request}: expected one payload");
    Ok(payloads.remove(0))
}

/// As [`parse_at`], arriving long after every date in UW's examples.
fn parse(request: &str, fixture: &str) -> UwPayload {
    parse_at(request, fixture, u64::MAX).unwrap()
}

#[test]
fn spot_exposure_rows_belong_to_the_one_expiry_requested() {
    let fixture = "http_get_spot_exposures_strike.jsonl";
    let UwPayload::ExpiryStrikeSpotExposure(rows) = parse(
        "/api/stock/SPX/spot-exposures/expiry-strike?expirations[]=2023-12-15&date=2023-12-13",
        fixture,
    ) else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(r.ticker.as_deref(), Some("SPX"));
    assert_eq!(r.instrument_id.as_deref(), Some("SPX.SMART"));
    assert_eq!(r.expiry.as_deref(), Some("2023-12-15"));
    assert_eq!(r.price, Some(4650.0));
    assert_eq!(
        (r.call_gamma_oi, r.put_gamma_oi),
        (Some(5_124_108_502_049.17), Some(320_909_908_341.10))
    );
    assert_eq!(
        (r.call_delta_ask, r.put_delta_oi),
        (Some(23_452_351.20), Some(-191_893_077.719_3))
    );
    assert_eq!(r.put_vanna_bid, Some(26_934_630.34));
    // UW's calculation time, 2023-12-13 05:00:41.481 UTC.
    assert_eq!(r.ts_event, 1_702_443_641_481_000_000);

    // Several expiries: the rows do not say whose they are.
    let UwPayload::ExpiryStrikeSpotExposure(rows) = parse(
        "/api/stock/SPX/spot-exposures/expiry-strike?expirations%5B%5D=2023-12-15&expirations%5B%5D=2023-12-22",
        fixture,
    ) else {
        panic!()
    };
    assert_eq!(rows[0].expiry, None);
}

#[test]
fn greeks_name_both_contracts_of_a_strike() {
    let UwPayload::StrikeGreeks(rows) = parse(
        "/api/stock/SPY/greeks?expiry=2024-01-05",
        "http_get_greeks.jsonl",
    ) else {
        panic!()
    };
    assert_eq!(rows.len(), 2);
    let r = &rows[0];
    assert_eq!(r.instrument_id.as_deref(), Some("SPY.SMART"));
    assert_eq!(
        (r.date.as_deref(), r.expiry.as_deref(), r.strike),
        (Some("2024-01-01"), Some("2024-01-05"), Some(480.0))
    );
    assert_eq!(
        (
            r.call_option_symbol.as_deref(),
            r.put_option_symbol.as_deref()
        ),
        (Some("SPY240105C00480000"), Some("SPY240105P00480000"))
    );
    assert_eq!((r.call_delta, r.put_delta), (Some(0.5), Some(-0.51)));
    assert_eq!((r.call_gamma, r.put_gamma), (Some(0.0051), Some(0.005)));
    assert_eq!(
        (r.call_volatility, r.put_volatility),
        (Some(0.3), Some(0.29))
    );
    assert_eq!((r.call_rho, r.put_rho), (Some(0.0321), Some(-0.022)));
    assert_eq!(
        (r.call_theta, r.call_vega, r.call_charm, r.call_vanna),
        (Some(-0.62), Some(0.15), Some(9.32), Some(-0.91))
    );
    assert_eq!(rows[1].strike, Some(490.0));
    // 16:00 New York on 2024-01-01.
    assert_eq!(r.ts_event, 1_704_142_800_000_000_000);
}

#[test]
fn open_interest_is_stamped_at_the_open_of_its_date() {
    let UwPayload::StrikeOpenInterest(rows) = parse(
        "/api/stock/SPY/oi-per-strike",
        "http_get_oi_per_strike.jsonl",
    ) else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(r.instrument_id.as_deref(), Some("SPY.SMART"));
    assert_eq!(
        (r.strike, r.call_oi, r.put_oi),
        (Some(420.0), Some(1123), Some(24_443))
    );
    // 09:30 New York on 2024-12-02: UW updates open interest in the premarket.
    assert_eq!(r.ts_event, 1_733_149_800_000_000_000);

    let UwPayload::ExpiryOpenInterest(rows) = parse(
        "/api/stock/SPY/oi-per-expiry",
        "http_get_oi_per_expiry.jsonl",
    ) else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(r.ticker.as_deref(), Some("SPY"));
    assert_eq!(
        (r.date.as_deref(), r.expiry.as_deref()),
        (Some("2024-12-02"), Some("2024-12-06"))
    );
    assert_eq!((r.call_oi, r.put_oi), (Some(1123), Some(24_443)));
    assert_eq!(r.ts_event, 1_733_149_800_000_000_000);
    // Fetched before that open: stamped on arrival, never later.
    let UwPayload::ExpiryOpenInterest(rows) = parse_at(
        "/api/stock/SPY/oi-per-expiry",
        "http_get_oi_per_expiry.jsonl",
        1_733_140_000_000_000_000,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(rows[0].ts_event, 1_733_140_000_000_000_000);
}

#[test]
fn oi_change_rows_are_contracts_of_the_ticker_or_the_market() {
    for request in ["/api/stock/MSFT/oi-change", "/api/market/oi-change"] {
        let UwPayload::OpenInterestChange(rows) = parse(request, "http_get_oi_change_ticker.jsonl")
        else {
            panic!()
        };
        assert_eq!(rows.len(), 2);
        let r = &rows[0];
        assert_eq!(
            r.instrument_id.as_deref(),
            Some("MSFT240315C00350000.SMART")
        );
        assert_eq!(r.underlying_symbol.as_deref(), Some("MSFT"));
        assert_eq!(
            (r.last_date.as_deref(), r.curr_date.as_deref()),
            (Some("2024-01-08"), Some("2024-01-09"))
        );
        assert_eq!((r.last_oi, r.curr_oi), (Some(2119), Some(35_207)));
        assert_eq!(r.oi_diff_plain, Some(35_207 - 2119));
        assert_eq!(r.oi_change, Some(15.614_912_694_667_296));
        assert_eq!(
            (r.rnk, r.percentage_of_total),
            (Some(74), Some(0.088_793_788_690_213_33))
        );
        assert_eq!(
            (r.last_fill, r.last_bid, r.last_ask),
            (Some(33.5), Some(32.9), Some(34.0))
        );
        assert_eq!(r.avg_price, Some(30.054_373_813_183_832));
        assert_eq!(
            (r.volume, r.trades, r.prev_total_premium),
            (Some(33_177), Some(187), Some(99_711_396.0))
        );
        assert_eq!(
            (
                r.prev_ask_volume,
                r.prev_bid_volume,
                r.prev_mid_volume,
                r.prev_neutral_volume
            ),
            (Some(32_861), Some(235), Some(81), Some(81))
        );
        assert_eq!(
            (r.prev_multi_leg_volume, r.prev_stock_multi_leg_volume),
            (Some(32_762), Some(0))
        );
        // 09:30 New York on 2024-01-09, the day the new open interest is valid for.
        assert_eq!(r.ts_event, 1_704_810_600_000_000_000);
        assert_eq!(
            rows[1].instrument_id.as_deref(),
            Some("MSFT240119C00400000.SMART")
        );
    }
}

#[test]
fn risk_reversal_rows_take_the_expiry_asked_for() {
    let UwPayload::RiskReversalSkew(rows) = parse(
        "/api/stock/SPY/historical-risk-reversal-skew?expiry=2024-01-19&delta=10",
        "http_get_risk_reversal_skew.jsonl",
    ) else {
        panic!()
    };
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.date.as_deref().unwrap(), r.risk_reversal.unwrap()))
        .collect();
    assert_eq!(got, [("2024-01-01", 0.014), ("2024-01-02", 0.009)]);
    let r = &rows[0];
    assert_eq!(
        (r.ticker.as_deref(), r.instrument_id.as_deref()),
        (Some("SPY"), Some("SPY.SMART"))
    );
    assert_eq!(
        (r.expiry.as_deref(), r.delta),
        (Some("2024-01-19"), Some(10))
    );
    assert_eq!(r.ts_event, 1_704_142_800_000_000_000);
}

#[test]
fn volatility_stats_are_one_object_per_date() {
    let UwPayload::VolatilityStats(rows) = parse(
        "/api/stock/AAPL/volatility/stats?date=2024-01-22",
        "http_get_volatility_stats.jsonl",
    ) else {
        panic!()
    };
    let [r] = rows.as_slice() else { panic!() };
    assert_eq!(r.instrument_id.as_deref(), Some("AAPL.SMART"));
    assert_eq!(
        (r.iv, r.iv_high, r.iv_low, r.iv_rank),
        (Some(0.23), Some(0.35), Some(0.18), Some(0.45))
    );
    assert_eq!(
        (r.rv, r.rv_high, r.rv_low),
        (Some(0.21), Some(0.34), Some(0.16))
    );
    assert_eq!(r.ts_event, 1_705_957_200_000_000_000);
}

#[test]
fn realized_volatility_waits_for_the_prices_behind_it() {
    let UwPayload::RealizedVolatility(rows) = parse(
        "/api/stock/AAPL/volatility/realized",
        "http_get_realized_volatility.jsonl",
    ) else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(r.instrument_id.as_deref(), Some("AAPL.SMART"));
    assert_eq!(
        (r.date.as_deref(), r.unshifted_rv_date.as_deref()),
        (Some("2023-04-11"), Some("2024-05-02"))
    );
    assert_eq!(
        (r.price, r.implied_volatility, r.realized_volatility),
        (Some(150.15), Some(0.23), Some(0.19))
    );
    // The close of 2024-05-02, the last price in `realized_volatility`, not of 2023-04-11.
    assert_eq!(r.ts_event, 1_714_680_000_000_000_000);
    assert_eq!(rows[1].ts_event, 1_714_766_400_000_000_000);
    // A row whose realized volatility is still to come is stamped at its own date.
    let body = r#"{"data":[{"date":"2023-04-11","implied_volatility":"0.23","price":"150.15","realized_volatility":null,"unshifted_rv_date":null}]}"#;
    let payloads = parse_rest_body(
        "/api/stock/AAPL/volatility/realized",
        body.as_bytes(),
        u64::MAX,
        &InstrumentIdFormat::default(),
    )
    .unwrap();
    let UwPayload::RealizedVolatility(rows) = &payloads[0] else {
        panic!()
    };
    assert_eq!(rows[0].ts_event, 1_681_243_200_000_000_000);
}

#[test]
fn atm_chain_rows_are_contracts_with_their_session() {
    let UwPayload::ScreenedContract(rows) = parse(
        "/api/stock/TSLA/atm-chains?expirations[]=2023-09-08",
        "http_get_atm_chains.jsonl",
    ) else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(
        r.instrument_id.as_deref(),
        Some("TSLA230908C00255000.SMART")
    );
    assert_eq!(
        (r.option_type.as_deref(), r.strike, r.expiry.as_deref()),
        (Some("call"), Some(255.0), Some("2023-09-08"))
    );
    assert_eq!(
        (r.open, r.high, r.low, r.close, r.chain_prev_close),
        (Some(0.92), Some(2.95), Some(0.02), Some(0.03), Some(1.29))
    );
    assert_eq!(
        (r.volume, r.trades, r.open_interest, r.premium),
        (
            Some(264_899),
            Some(39_690),
            Some(18_680),
            Some(27_723_806.0)
        )
    );
    assert_eq!(
        (
            r.ask_side_volume,
            r.bid_side_volume,
            r.mid_volume,
            r.no_side_volume
        ),
        (Some(119_403), Some(122_789), Some(22_707), Some(0))
    );
    assert_eq!(
        (
            r.sweep_volume,
            r.floor_volume,
            r.cross_volume,
            r.multileg_volume,
            r.stock_multi_leg_volume
        ),
        (Some(18_260), Some(142), Some(0), Some(7486), Some(52))
    );
    assert_eq!(
        (r.total_ask_changes, r.total_bid_changes),
        (Some(44_343), Some(43_939))
    );
    assert_eq!(
        (r.stock_price, r.ticker_vol),
        (Some(247.94), Some(2_546_773))
    );
    assert_eq!(
        (
            r.sector.as_deref(),
            r.next_earnings_date.as_deref(),
            r.er_time.as_deref()
        ),
        (
            Some("Consumer Cyclical"),
            Some("2023-10-18"),
            Some("unknown")
        )
    );
    assert_eq!(r.avg_price, Some(1.046_580_243_791_029_8));
    // The last print, 2023-09-08 17:45:32 UTC.
    assert_eq!(r.last_fill, Some(1_694_195_132_000_000_000));
    assert_eq!(r.ts_event, 1_694_195_132_000_000_000);
}

#[test]
fn calendar_events_are_stamped_when_known() {
    let request = "/api/market/economic-calendar";
    let fixture = "http_get_economic_calendar.jsonl";
    let UwPayload::EconomicEvent(rows) = parse(request, fixture) else {
        panic!()
    };
    let r = &rows[0];
    assert_eq!(r.instrument_id, None);
    assert_eq!(
        (r.event.as_deref(), r.event_type.as_deref()),
        (Some("Consumer sentiment (final)"), Some("report"))
    );
    assert_eq!(
        (
            r.reported_period.as_deref(),
            r.forecast.as_deref(),
            r.prev.as_deref()
        ),
        (Some("December"), Some("69.4"), Some("69.4"))
    );
    assert_eq!(r.time, Some(1_703_257_200_000_000_000));
    assert_eq!(r.ts_event, 1_703_257_200_000_000_000);
    // UW's `null` forecast and a value that is not a plain number stay as UW wrote them.
    assert_eq!(
        (rows[1].forecast.as_deref(), rows[1].prev.as_deref()),
        (None, Some("0.0%"))
    );
    // Fetched before the event: stamped on arrival, its time kept.
    let before = 1_703_200_000_000_000_000;
    let UwPayload::EconomicEvent(rows) = parse_at(request, fixture, before).unwrap() else {
        panic!()
    };
    assert_eq!(
        (rows[0].ts_event, rows[0].time),
        (before, Some(1_703_257_200_000_000_000))
    );
}

#[test]
fn a_bad_value_names_its_row_and_field() {
    let body = r#"{"data":[{"call_oi":1,"strike":"420"},{"call_oi":"many","strike":"430"}]}"#;
    let err = parse_rest_body(
        "/api/stock/SPY/oi-per-strike",
        body.as_bytes(),
        0,
        &InstrumentIdFormat::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), "invalid_field");
    assert!(err.to_string().contains("data[1].call_oi"), "{err}");
    let body = r#"{"data":[{"option_symbol":"MSFT-not-occ","curr_date":"2024-01-09"}]}"#;
    let err = parse_rest_body(
        "/api/market/oi-change",
        body.as_bytes(),
        0,
        &InstrumentIdFormat::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("data[0].option_symbol"), "{err}");
}
