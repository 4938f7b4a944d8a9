//! Frame parsing against UW's documented and recorded frames, and against bad input.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use rstest::rstest;
use unusual_whales_nt::common::consts::MAX_FRAME_BYTES;
use unusual_whales_nt::common::credential::UwCredential;
use unusual_whales_nt::common::error::UwParseError;
use unusual_whales_nt::common::symbol::InstrumentIdFormat;
use unusual_whales_nt::common::testing::{
    all_ws_frames, fixture_lines, load_fixture, recorded_frames,
};
use unusual_whales_nt::common::text::{UwId, UwText, UwTextList};
use unusual_whales_nt::data::UwPayload;
use unusual_whales_nt::subscription::channel::ChannelKind;
use unusual_whales_nt::websocket::{UwWsMessage, parse_frame};

const TS_INIT: u64 = 42;
const MS: u64 = 1_000_000;

fn data(frame: &str) -> UwPayload {
    match parse_frame(
        frame.as_bytes(),
        TS_INIT,
        &InstrumentIdFormat::new("SMART", false),
    )
    .unwrap()
    {
        UwWsMessage::Data { payload, .. } => payload,
        other => panic!("expected data, got {other:?}"),
    }
}

fn err(frame: &[u8]) -> UwParseError {
    parse_frame(frame, TS_INIT, &InstrumentIdFormat::new("SMART", false)).unwrap_err()
}

#[test]
fn every_fixture_frame_parses_into_its_channel_type() {
    let expected = [
        ("ws_option_trades.jsonl", "UwOptionTrade"),
        ("ws_flow_alerts.jsonl", "UwFlowAlert"),
        ("ws_price.jsonl", "UwPrice"),
        ("ws_gex.jsonl", "UwTickerGex"),
        ("ws_gex_strike.jsonl", "UwStrikeGex"),
        ("ws_gex_strike_expiry.jsonl", "UwExpiryStrikeGex"),
        ("ws_news.jsonl", "UwNewsHeadline"),
        ("ws_lit_trades.jsonl", "UwLitTrade"),
        ("ws_off_lit_trades.jsonl", "UwDarkPoolTrade"),
        ("ws_market_tide.jsonl", "UwMarketTide"),
        ("ws_net_flow.jsonl", "UwNetFlow"),
        ("ws_interval_flow.jsonl", "UwIntervalFlow"),
        ("ws_contract_screener.jsonl", "UwContractScreener"),
        ("ws_trading_halts.jsonl", "UwTradingHalt"),
        ("ws_custom_alerts.jsonl", "UwCustomAlert"),
        ("ws_periscope.jsonl", "UwPeriscope"),
        ("ws_interpolated_iv.jsonl", "UwInterpolatedIv"),
        ("ws_iv_term_structure.jsonl", "UwIvTermStructure"),
    ];
    // UW documents no payload for `futures_trades` (its frames: `futures_frames_arrive_whole`).
    assert_eq!(
        expected.len(),
        ChannelKind::ALL.len() - 1,
        "one fixture per channel UW documents a payload for"
    );
    for (file, type_name) in expected {
        for frame in fixture_lines(file) {
            let payload = data(&frame);
            assert_eq!(payload.type_name(), type_name, "{file}");
            assert!(!payload.is_empty());
        }
    }
}

#[test]
fn every_recorded_frame_parses_and_acks_are_recognised() {
    let (mut acks, mut records) = (0, 0);
    for frame in recorded_frames() {
        match parse_frame(
            frame.as_bytes(),
            TS_INIT,
            &InstrumentIdFormat::new("SMART", false),
        )
        .unwrap()
        {
            UwWsMessage::JoinAck { .. } => acks += 1,
            UwWsMessage::Data { payload, .. } => records += payload.len(),
            UwWsMessage::JoinError { .. } => panic!("no join errors in the recording"),
        }
    }
    assert_eq!(acks, 5);
    assert_eq!(records, 55);
}

#[test]
fn flow_alert_fields_and_derived_contract_terms() {
    let UwPayload::FlowAlert(v) = data(&fixture_lines("ws_flow_alerts.jsonl")[0]) else {
        panic!()
    };
    let a = &v[0];
    assert_eq!(
        a.id.as_deref(),
        Some("29ed5829-e4ce-4934-876b-51985d2f9b70")
    );
    assert_eq!(a.rule_name.as_deref(), Some("RepeatedHitsDescendingFill"));
    assert_eq!(a.ticker, "DIA");
    assert!((a.underlying_price.unwrap() - 415.981).abs() < 1e-9);
    assert!((a.total_premium - 36466.0).abs() < 1e-9);
    assert_eq!(a.bid, Some(7.15)); // a numeric string where the other prices are numbers
    assert_eq!(a.trade_ids.len(), 7);
    assert_eq!(a.exchanges, ["XCBO", "MPRL"]);
    assert_eq!(a.upstream_condition_details, ["auto", "slan"]);
    assert_eq!(a.url, None); // UW sends ""
    assert!(a.has_singleleg && !a.has_sweep);
    assert_eq!(a.expiry.as_deref(), Some("2024-10-18"));
    assert_eq!(a.option_type.as_deref(), Some("call"));
    assert_eq!(a.strike, Some(415.0));
    assert_eq!(a.ts_event, 1_726_670_212_748 * MS);
    assert_eq!(a.ts_init, TS_INIT);
    assert_eq!(a.instrument_id.as_deref(), Some("DIA241018C00415000.SMART"));
}

#[test]
fn option_trade_keeps_index_underlying_empty_and_splits_codes() {
    let UwPayload::OptionTrade(v) = data(&fixture_lines("ws_option_trades.jsonl")[0]) else {
        panic!()
    };
    let t = &v[0];
    assert_eq!(t.price, 0.07);
    assert_eq!(t.size, 1);
    assert_eq!(t.premium, Some(7.0));
    assert_eq!(t.strike, Some(355.0));
    assert_eq!(t.tags, ["bid_side", "bearish"]);
    assert_eq!(t.trade_code, ["auto"]);
    assert_eq!(t.created_at, Some(1_747_419_592_968 * MS));
    assert_eq!(t.ts_event, 1_747_419_592_926 * MS);
    let index = r#"["option_trades",{"id":"x","underlying_symbol":"SPX","executed_at":1,"price":"1","size":1,"option_symbol":"SPXW250516C05000000","underlying_price":""}]"#;
    let UwPayload::OptionTrade(v) = data(index) else {
        panic!()
    };
    assert_eq!(v[0].underlying_price, None);
}

/// Every text a record holds: its required ones and the optional ones present.
fn texts<'a>(required: [&'a UwText; 2], optional: [&'a Option<UwText>; 3]) -> Vec<&'a UwText> {
    let mut out = required.to_vec();
    out.extend(optional.into_iter().flatten());
    out
}

/// The short text, the lists of short text, the uuids and the instrument ids of the two
/// high-rate records live in the record, so a strategy dropping a print or an alert frees no
/// heap block the reader thread allocated for it (common::text).
#[test]
fn short_text_and_ids_of_prints_and_alerts_own_no_heap_allocation() {
    let UwPayload::OptionTrade(prints) = data(&fixture_lines("ws_option_trades.jsonl")[0]) else {
        panic!()
    };
    let t = &prints[0];
    let print_texts = texts(
        [&t.underlying_symbol, &t.option_symbol],
        [&t.option_type, &t.expiry, &t.exchange],
    );
    assert_eq!(print_texts.len(), 5, "{t:?}");
    assert!(
        print_texts.iter().all(|text| text.is_inline()),
        "{print_texts:?}"
    );
    let print_lists = [&t.trade_code, &t.tags, &t.report_flags];
    assert_eq!(print_lists.map(UwTextList::len), [1, 2, 0], "{t:?}");
    assert!(print_lists.iter().all(|list| list.is_inline()), "{t:?}");
    assert_eq!(t.id.len(), 36, "a uuid: {t:?}");
    assert!(t.id.is_inline(), "{t:?}");
    // IB's padded form (the default), the longest the adapter writes for an option on SMART.
    let frame = &fixture_lines("ws_option_trades.jsonl")[0];
    let Ok(UwWsMessage::Data {
        payload: UwPayload::OptionTrade(padded),
        ..
    }) = parse_frame(frame.as_bytes(), TS_INIT, &InstrumentIdFormat::default())
    else {
        panic!("{frame}")
    };
    let instrument = padded[0]
        .instrument_id
        .as_ref()
        .expect("a print names its contract");
    assert_eq!(instrument, "TSLA  250516C00355000.SMART");
    assert!(instrument.is_inline(), "{padded:?}");

    let UwPayload::FlowAlert(alerts) = data(&fixture_lines("ws_flow_alerts.jsonl")[0]) else {
        panic!()
    };
    let a = &alerts[0];
    // The expiry and the option type are derived from the symbol on the WebSocket.
    let alert_texts = texts(
        [&a.ticker, &a.option_chain],
        [&a.rule_name, &a.option_type, &a.expiry],
    );
    assert_eq!(alert_texts.len(), 5, "{a:?}");
    let alert_lists = [&a.exchanges, &a.upstream_condition_details];
    assert_eq!(alert_lists.map(UwTextList::len), [2, 2], "{a:?}");
    assert!(alert_lists.iter().all(|list| list.is_inline()), "{a:?}");
    // `RepeatedHitsDescendingFill` is 26 bytes: longer text keeps a heap buffer, intact.
    let (inline, heap): (Vec<_>, Vec<_>) =
        alert_texts.into_iter().partition(|text| text.is_inline());
    assert_eq!(heap.len(), 1, "{heap:?}");
    assert_eq!(*heap[0], "RepeatedHitsDescendingFill");
    assert!(inline.iter().all(|text| text.len() <= 24), "{inline:?}");

    let ids: Vec<&UwId> = [&a.id, &a.rule_id]
        .into_iter()
        .flatten()
        .chain(&a.trade_ids)
        .collect();
    assert_eq!(ids.len(), 2 + 7, "{a:?}");
    assert!(
        ids.iter().all(|id| id.len() == 36 && id.is_inline()),
        "{ids:?}"
    );
    assert!(
        a.instrument_id.as_ref().is_some_and(UwId::is_inline),
        "{a:?}"
    );
}

#[test]
fn gex_empty_delta_strings_are_none_and_magnitudes_survive() {
    let frames = fixture_lines("ws_gex.jsonl");
    let UwPayload::TickerGex(v) = data(&frames[0]) else {
        panic!()
    };
    assert_eq!(v[0].delta_per_one_percent_move_oi, None);
    assert_eq!(v[0].price, Some(562.86));
    let UwPayload::TickerGex(v) = data(&frames[1]) else {
        panic!()
    };
    assert_eq!(
        v[0].charm_per_one_percent_move_vol,
        Some(-10_298_936_615_779.76)
    );
    assert_eq!(v[0].delta_per_one_percent_move_oi, Some(0.0));
    assert_eq!(v[0].instrument_id.as_deref(), Some("SPY.SMART"));
}

#[test]
fn strike_gex_with_and_without_delta_fields() {
    for frame in fixture_lines("ws_gex_strike.jsonl") {
        let UwPayload::StrikeGex(v) = data(&frame) else {
            panic!()
        };
        assert_eq!(v[0].strike, 290.0);
        assert_eq!(v[0].call_gamma_oi, Some(174_792.59));
        assert_eq!(v[0].put_vanna_bid_vol, Some(-321.27));
    }
    let UwPayload::ExpiryStrikeGex(v) = data(&fixture_lines("ws_gex_strike_expiry.jsonl")[0])
    else {
        panic!()
    };
    assert_eq!(v[0].expiry, "2025-01-24");
    assert_eq!(v[0].call_delta_oi, Some(0.4521));
}

#[test]
fn price_takes_the_ticker_from_the_channel_when_the_payload_omits_it() {
    for frame in fixture_lines("ws_price.jsonl") {
        let UwPayload::Price(v) = data(&frame) else {
            panic!()
        };
        assert_eq!(v[0].ticker.as_deref(), Some("SPY"));
        assert_eq!(v[0].close, 562.82);
        assert_eq!(v[0].vol, Some(6_015_555));
        assert_eq!(v[0].instrument_id.as_deref(), Some("SPY.SMART"));
    }
    let e = err(br#"["price",{"close":"1","time":1}]"#);
    assert!(
        matches!(e, UwParseError::InvalidField { ref field, .. } if field == "ticker"),
        "{e}"
    );
}

#[test]
fn equity_prints_accept_iso_times_and_keep_settlement_codes() {
    let UwPayload::DarkPoolTrade(v) = data(&fixture_lines("ws_off_lit_trades.jsonl")[0]) else {
        panic!()
    };
    let p = &v[0];
    assert_eq!(p.print_type.as_deref(), Some("off_lit"));
    assert_eq!(p.executed_at, 1_727_015_400 * 1_000_000_000);
    assert_eq!(p.trf_executed_at, Some(1_727_015_400_250 * MS));
    assert_eq!(p.marketcap, Some(2.4e12));
    assert_eq!(p.next_earnings_date.as_deref(), Some("2024-10-25"));
    let UwPayload::LitTrade(v) = data(&fixture_lines("ws_lit_trades.jsonl")[0]) else {
        panic!()
    };
    assert_eq!(v[0].trade_code.as_deref(), Some("opening_print"));
}

#[test]
fn market_and_flow_aggregates() {
    let UwPayload::MarketTide(v) = data(&fixture_lines("ws_market_tide.jsonl")[0]) else {
        panic!()
    };
    assert_eq!(v[0].net_put_premium, Some(-218_102.0));
    assert_eq!(v[0].instrument_id, None);
    let UwPayload::NetFlow(v) = data(&fixture_lines("ws_net_flow.jsonl")[0]) else {
        panic!()
    };
    assert_eq!(
        (v[0].net_call_vol, v[0].net_put_prem),
        (Some(6), Some(1990.0))
    );
    let UwPayload::IntervalFlow(v) = data(&fixture_lines("ws_interval_flow.jsonl")[0]) else {
        panic!()
    };
    let f = &v[0];
    assert_eq!(f.interval_type, "All");
    assert_eq!(f.net_put_prem, Some(-10_344.0));
    assert_eq!(f.volatility_30d_close_bps, Some(855));
    assert_eq!(f.ts_event, 1_777_300_074_391 * MS);
}

#[test]
fn periscope_frame_becomes_one_record_per_row() {
    let UwPayload::Periscope(rows) = data(&fixture_lines("ws_periscope.jsonl")[0]) else {
        panic!()
    };
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.has_more && r.total_rows == Some(11_987) && r.ticker == "SPX")
    );
    assert_eq!((rows[1].strike, rows[1].gamma), (5225.0, Some(987.6)));
    assert_eq!(rows[0].expiry, "2026-07-02");
}

#[test]
fn alerts_news_halts_screener_and_volatility() {
    let UwPayload::CustomAlert(v) = data(&fixture_lines("ws_custom_alerts.jsonl")[0]) else {
        panic!()
    };
    assert_eq!(v[0].meta_json.as_deref(), Some("{}"));
    let UwPayload::NewsHeadline(v) = data(&fixture_lines("ws_news.jsonl")[0]) else {
        panic!()
    };
    assert_eq!(v[0].source.as_deref(), Some("social-media"));
    assert!(v[0].tickers.is_empty());
    let UwPayload::TradingHalt(v) = data(&fixture_lines("ws_trading_halts.jsonl")[0]) else {
        panic!()
    };
    assert_eq!(
        (v[0].state.as_str(), v[0].reason.as_deref()),
        ("halted", Some("LUDP"))
    );
    let UwPayload::ContractScreener(v) = data(&fixture_lines("ws_contract_screener.jsonl")[0])
    else {
        panic!()
    };
    assert_eq!(v[0].is_new, Some(false));
    assert_eq!(
        v[0].instrument_id.as_deref(),
        Some("WMT260501P00126000.SMART")
    );
    let UwPayload::InterpolatedIv(v) = data(&fixture_lines("ws_interpolated_iv.jsonl")[0]) else {
        panic!()
    };
    assert_eq!((v[0].days, v[0].volatility), (30, Some(0.299)));
    assert_eq!(v[0].ts_event, TS_INIT); // UW sends only a date: the arrival time stands in
    let UwPayload::IvTermStructure(v) = data(&fixture_lines("ws_iv_term_structure.jsonl")[0])
    else {
        panic!()
    };
    assert_eq!(v[0].expiry, "2026-09-18");
}

#[rstest]
#[case(b"not json".as_slice(), "malformed_json")]
#[case(b"[\"flow-alerts\", {".as_slice(), "malformed_json")]
#[case(b"{\"channel\":\"x\"}".as_slice(), "unexpected_shape")]
#[case(b"[\"flow-alerts\"]".as_slice(), "unexpected_shape")]
#[case(b"[\"flow-alerts\", {}, 1]".as_slice(), "unexpected_shape")]
#[case(b"[\"news\", [1, 2]]".as_slice(), "unexpected_shape")]
#[case(b"[\"dark_pool\", {\"a\": 1}]".as_slice(), "unknown_channel")]
#[case(b"[\"gex:S P Y\", {\"a\": 1}]".as_slice(), "unknown_channel")]
#[case(b"[\"news\", {\"timestamp\": \"2025-06-11T21:40:56Z\"}]".as_slice(), "invalid_field")]
#[case(b"[\"trading_halts\", {\"ticker\":\"GME\",\"state\":\"halted\",\"time\":true}]".as_slice(), "invalid_field")]
#[case(b"\xff\xfe".as_slice(), "malformed_json")]
fn bad_frames_are_typed_errors(#[case] frame: &[u8], #[case] kind: &str) {
    assert_eq!(err(frame).kind(), kind);
}

/// Missing, mistyped and unusable fields on every newer channel: the error names the channel
/// kind and the field as it appears on the wire (or its path inside a periscope chunk).
#[rstest]
#[case::missing_headline(r#"["news",{"timestamp":"2025-06-11T21:40:56Z"}]"#, "news", "headline")]
#[case::halt_time_not_a_time(
    r#"["trading_halts",{"ticker":"GME","state":"halted","time":true}]"#,
    "trading_halts",
    "time"
)]
#[case::bad_price(r#"["price:SPY",{"close":"abc","time":1}]"#, "price", "close")]
#[case::no_ticker_anywhere(r#"["net_flow",{"net_call_prem":"1","time":1}]"#, "net_flow", "ticker")]
#[case::bad_ticker(r#"["gex:SPY",{"ticker":"S P Y","timestamp":1}]"#, "gex", "ticker")]
#[case::bad_expiry(r#"["gex_strike_expiry:SPY",{"ticker":"SPY","timestamp":1,"strike":"290","expiry":"2025-13-01"}]"#, "gex_strike_expiry", "expiry")]
#[case::bad_option_symbol(
    r#"["contract_screener",{"option_symbol":"WMT26X","tape_time":"2026-04-27T14:27:56Z"}]"#,
    "contract_screener",
    "option_symbol"
)]
#[case::print_time(
    r#"["off_lit_trades",{"symbol":"AAPL","price":"1","size":1,"executed_at":"yesterday"}]"#,
    "off_lit_trades",
    "executed_at"
)]
#[case::bps_not_an_int(r#"["interval_flow",{"ticker":"CVNA","interval_type":"All","start_time":1,"tape_time":1,"volatility_30d_open":"x"}]"#, "interval_flow", "volatility_30d_open")]
#[case::missing_alert_time(
    r#"["custom_alerts",{"name":"n","meta":{}}]"#,
    "custom_alerts",
    "tape_time"
)]
#[case::horizon_not_a_number(
    r#"["interpolated_iv:AAPL",{"ticker":"AAPL","date":"2026-08-20","days":"thirty"}]"#,
    "interpolated_iv",
    "days"
)]
#[case::periscope_row(r#"["periscope:SPX",{"ticker":"SPX","timestamp":1,"rows":[{"strike":"5200","expiry":"2026-07-02"},{"strike":"","expiry":"2026-07-02"}]}]"#, "periscope", "rows[1].strike")]
fn field_errors_on_every_channel(#[case] frame: &str, #[case] channel: &str, #[case] field: &str) {
    match err(frame.as_bytes()) {
        UwParseError::InvalidField {
            context, field: f, ..
        } => assert_eq!((context.as_str(), f.as_str()), (channel, field)),
        other => panic!("expected an invalid-field error, got {other:?}"),
    }
}

#[test]
fn field_errors_name_the_channel_and_the_field() {
    let e = err(br#"["flow-alerts",{"id":"a","ticker":"DIA","option_chain":"DIA241018C00415000","total_premium":"lots"}]"#);
    assert_eq!(
        e.to_string(),
        "flow-alerts: field `total_premium`: expected a number, found \"lots\""
    );
    let e = err(
        br#"["flow-alerts",{"id":"a","ticker":"DIA","option_chain":"DIA24X","total_premium":1}]"#,
    );
    assert!(
        matches!(e, UwParseError::InvalidField { ref field, .. } if field == "option_chain"),
        "{e}"
    );
    let e =
        err(br#"["flow-alerts",{"id":"a","option_chain":"DIA241018C00415000","total_premium":1}]"#);
    assert_eq!(
        e.to_string(),
        "flow-alerts: field `ticker`: missing field `ticker`"
    );
}

#[test]
fn extra_fields_are_ignored() {
    let frame = r#"["trading_halts",{"ticker":"GME","state":"halted","reason":"","time":"2026-04-27T14:31:02Z","new_field":{"x":[1]}}]"#;
    let UwPayload::TradingHalt(v) = data(frame) else {
        panic!()
    };
    assert_eq!(v[0].reason, None);
}

#[test]
fn join_replies() {
    let ack = parse_frame(
        br#"["dark_pool",{"response":{},"status":"ok"}]"#,
        0,
        &InstrumentIdFormat::new("SMART", false),
    )
    .unwrap();
    assert_eq!(
        ack,
        UwWsMessage::JoinAck {
            channel: "dark_pool".into()
        }
    );
    let refused = parse_frame(
        br#"["periscope",{"response":{"reason":"not entitled"},"status":"error"}]"#,
        0,
        &InstrumentIdFormat::new("SMART", false),
    );
    assert_eq!(
        refused.unwrap(),
        UwWsMessage::JoinError {
            channel: "periscope".into(),
            reason: "not entitled".into()
        }
    );
}

#[test]
fn oversized_frames_are_rejected_before_parsing() {
    let frame = vec![b' '; MAX_FRAME_BYTES + 1];
    assert_eq!(
        err(&frame),
        UwParseError::Oversized {
            len: MAX_FRAME_BYTES + 1,
            max: MAX_FRAME_BYTES
        }
    );
}

#[test]
fn venue_is_configurable() {
    let frame = &fixture_lines("ws_flow_alerts.jsonl")[0];
    let UwWsMessage::Data {
        payload: UwPayload::FlowAlert(v),
        ..
    } = parse_frame(frame.as_bytes(), 0, &InstrumentIdFormat::new("CBOE", false)).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        v[0].instrument_id.as_deref(),
        Some("DIA241018C00415000.CBOE")
    );
}

/// From NautilusTrader 1.223 the IB adapter keeps the OCC root padded to six characters.
#[test]
fn option_ids_follow_the_ib_adapters_padded_form() {
    let frame = &fixture_lines("ws_flow_alerts.jsonl")[0];
    let UwWsMessage::Data {
        payload: UwPayload::FlowAlert(v),
        ..
    } = parse_frame(frame.as_bytes(), 0, &InstrumentIdFormat::new("SMART", true)).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        v[0].instrument_id.as_deref(),
        Some("DIA   241018C00415000.SMART")
    );
}

/// A hostile multi-megabyte frame as the socket task treats it: parsed, then its error logged
/// through token redaction. Quoting the whole value made that quadratic: a 3.2 MB frame of
/// `&token=a` stalled the reader for over a minute.
#[rstest]
#[case::huge_channel(r#"["@", {}]"#)]
#[case::huge_channel_scope(r#"["gex:@", {}]"#)]
#[case::huge_number_field(r#"["price:SPY", {"close": "@", "time": 1}]"#)]
#[case::huge_timestamp(r#"["news", {"headline": "h", "timestamp": "@"}]"#)]
#[case::huge_value_serde_quotes(
    r#"["periscope:SPX", {"ticker": "SPX", "timestamp": 1, "rows": "@"}]"#
)]
#[case::huge_ticker(r#"["gex:SPY", {"ticker": "@", "timestamp": 1}]"#)]
fn hostile_frames_give_short_errors_quickly(#[case] template: &str) {
    let credential = UwCredential::new("sekret-token-123").unwrap();
    let hostile = "&token=a".repeat(400_000);
    let frame = template.replace('@', &hostile);
    assert!(frame.len() > 3_200_000);
    let start = Instant::now();
    let e = err(frame.as_bytes());
    let logged = credential.scrub(&format!("Frame dropped (1 so far): {e}"));
    let elapsed = start.elapsed();
    assert!(
        logged.len() < 1_000,
        "{} bytes: {}",
        logged.len(),
        &logged[..1_000]
    );
    // Every value here is 3.2 MB (3,200,0xx bytes with what surrounds it).
    assert!(
        logged.contains(" bytes") && logged.contains("3200"),
        "the full length is named: {logged}"
    );
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
}

#[test]
#[should_panic(expected = "ws_missing.jsonl")]
fn missing_fixture_is_a_test_setup_error() {
    let _ = load_fixture("ws_missing.jsonl");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_frame(&bytes, 0, &InstrumentIdFormat::new("SMART", false));
    }

    #[test]
    fn mutated_frames_never_panic(
        pick in any::<prop::sample::Index>(),
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
        mode in 0u8..3,
    ) {
        // Seeds: the documented frames and the recorded session.
        let frames = all_ws_frames();
        let mut frame = frames[pick.index(frames.len())].clone().into_bytes();
        match mode {
            0 => { let i = pos.index(frame.len()); frame[i] = byte; }
            1 => frame.truncate(cut.index(frame.len())),
            _ => {
                // Delete one `"key":value` pair's key, leaving the rest intact.
                let text = String::from_utf8_lossy(&frame).into_owned();
                let keys: Vec<usize> = text.match_indices("\":").map(|(i, _)| i).collect();
                if let Some(&end) = keys.get(pos.index(keys.len().max(1))) {
                    let start = text[..end].rfind('"').unwrap_or(0);
                    frame = format!("{}{}", &text[..start], &text[end + 1..]).into_bytes();
                }
            }
        }
        let _ = parse_frame(&frame, 0, &InstrumentIdFormat::new("SMART", false));
    }
}

#[test]
fn futures_frames_arrive_whole() {
    let payload = r#"{"sym":"ESZ5","price":"5910.25","size":2,"side":"buy","extra":{"x":[1]}}"#;
    for channel in ["futures:ESZ5", "futures_trades"] {
        let frame = format!(r#"["{channel}",{payload}]"#);
        let UwPayload::ApiResponse(records) = data(&frame) else {
            panic!("{channel}: not an ApiResponse");
        };
        let [record] = records.as_slice() else {
            panic!("{channel}: one record per frame");
        };
        assert_eq!(
            (record.operation.as_str(), record.body.as_str()),
            (channel, payload)
        );
        assert_eq!(record.operation_id, "websocket");
    }
}
