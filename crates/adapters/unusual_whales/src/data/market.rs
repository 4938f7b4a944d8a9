//! Market-wide and per-ticker flow aggregates: `market_tide`, `net_flow:<T>`, `interval_flow`
//! (docs/uw-api.md#channel-market_tide, docs/uw-api.md#channel-net_flow,
//! docs/uw-api.md#channel-interval_flow) and REST `/api/net-flow/expiry`
//! (docs/uw-api.md#rest-net-flow-by-expiry).

use crate::common::parse::{
    de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_string, de_string_list, de_timestamp,
};
use crate::data::view::{TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// Market-wide net premium, all and OTM-only (channel `market_tide`).
    ///
    /// No `instrument_id` (market-wide); `ts_event` is the snapshot time.
    pub struct MarketTide as UwMarketTide {
        event_time: |r| r.timestamp,
        instrument: None,
        fields {
            /// Snapshot time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// Net call volume minus net put volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub net_volume: Option<i64>,
            /// Ask-side minus bid-side call premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_call_premium: Option<f64>,
            /// Ask-side minus bid-side put premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_put_premium: Option<f64>,
            /// Net volume, OTM contracts only.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub otm_net_volume: Option<i64>,
            /// Net call premium, OTM only ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_net_call_premium: Option<f64>,
            /// Net put premium, OTM only ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_net_put_premium: Option<f64>,
        }
    }
}

uw_record! {
    /// Session-cumulative net premium and volume of one ticker (channel `net_flow:<TICKER>`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the last update.
    pub struct NetFlow as UwNetFlow {
        event_time: |r| r.time,
        instrument: Ticker(ticker),
        fields {
            /// Ticker; taken from the channel (`net_flow:SPY`) when the payload omits it.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Session net call premium, ask minus bid ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_call_prem: Option<f64>,
            /// Session net call volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub net_call_vol: Option<i64>,
            /// Session net put premium, ask minus bid ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_put_prem: Option<f64>,
            /// Session net put volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub net_put_vol: Option<i64>,
            /// Last update, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub time: u64,
        }
    }
}

uw_record! {
    /// Five-minute flow statistics of one ticker (channel `interval_flow`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the snapshot (tape) time.
    pub struct IntervalFlow as UwIntervalFlow {
        event_time: |r| r.tape_time,
        instrument: Ticker(ticker),
        fields {
            /// Underlying ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// `All` or `OtmOnly`.
            #[serde(deserialize_with = "de_string")]
            pub interval_type: String,
            /// Window start, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub start_time: u64,
            /// Snapshot time, UNIX nanoseconds (the window re-emits as it fills).
            #[serde(deserialize_with = "de_timestamp")]
            pub tape_time: u64,
            /// Call contracts traded in the window.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_vol: Option<i64>,
            /// Put contracts traded in the window.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_vol: Option<i64>,
            /// Option prints in the window.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub transactions: Option<i64>,
            /// Call contracts traded at the ask.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_vol_ask_side: Option<i64>,
            /// Call contracts traded at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_vol_bid_side: Option<i64>,
            /// Call contracts traded with no side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_vol_neutral_side: Option<i64>,
            /// Put contracts traded at the ask.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_vol_ask_side: Option<i64>,
            /// Put contracts traded at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_vol_bid_side: Option<i64>,
            /// Put contracts traded with no side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_vol_neutral_side: Option<i64>,
            /// Call contracts traded in sweeps.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_sweep_vol: Option<i64>,
            /// Put contracts traded in sweeps.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_sweep_vol: Option<i64>,
            /// Call contracts traded on an exchange floor.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_floor_vol: Option<i64>,
            /// Put contracts traded on an exchange floor.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_floor_vol: Option<i64>,
            /// Call contracts traded as crosses.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_cross_vol: Option<i64>,
            /// Put contracts traded as crosses.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_cross_vol: Option<i64>,
            /// Call contracts traded in multi-leg orders.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_multi_vol: Option<i64>,
            /// Put contracts traded in multi-leg orders.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_multi_vol: Option<i64>,
            /// Net call delta since the open (session-cumulative; UW gives no unit).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub cum_net_call_delta: Option<i64>,
            /// Net put delta since the open (session-cumulative; UW gives no unit).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub cum_net_put_delta: Option<i64>,
            /// Average days to expiry of the window's prints.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_dte: Option<f64>,
            /// Average out-of-the-money distance of the window's prints (UW gives no unit).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_otm: Option<f64>,
            /// Average print size, contracts.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_size: Option<f64>,
            /// Average premium per print ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_prem: Option<f64>,
            /// Window call premium, ask side minus bid side ($; an integer on this channel).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_call_prem: Option<f64>,
            /// Window put premium, ask side minus bid side ($; an integer on this channel).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_put_prem: Option<f64>,
            /// Underlying price at the window open.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub open: Option<f64>,
            /// Underlying price at the snapshot.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub close: Option<f64>,
            /// 30-day implied move at the window open, basis points (165 = 1.65 %).
            #[serde(default, rename = "implied_move_perc_30d_open", deserialize_with = "de_opt_i64")]
            pub implied_move_perc_30d_open_bps: Option<i64>,
            /// 30-day implied move at the snapshot, basis points.
            #[serde(default, rename = "implied_move_perc_30d_close", deserialize_with = "de_opt_i64")]
            pub implied_move_perc_30d_close_bps: Option<i64>,
            /// 30-day implied volatility at the window open, basis points (849 = 8.49 %).
            #[serde(default, rename = "volatility_30d_open", deserialize_with = "de_opt_i64")]
            pub volatility_30d_open_bps: Option<i64>,
            /// 30-day implied volatility at the snapshot, basis points.
            #[serde(default, rename = "volatility_30d_close", deserialize_with = "de_opt_i64")]
            pub volatility_30d_close_bps: Option<i64>,
            /// Delta flow in the window (UW gives no unit).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub delta_flow: Option<i64>,
            /// Gamma flow in the window (UW gives no unit).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub gamma_flow: Option<i64>,
            /// Vega flow in the window (UW gives no unit).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub vega_flow: Option<i64>,
            /// Directional (bid/ask classified) delta flow in the window (UW gives no unit).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub dir_delta_flow: Option<i64>,
            /// Directional (bid/ask classified) gamma flow in the window (UW gives no unit).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub dir_gamma_flow: Option<i64>,
            /// Directional (bid/ask classified) vega flow in the window (UW gives no unit).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub dir_vega_flow: Option<i64>,
        }
    }
}

uw_record! {
    /// Market-wide net premium of one expiry class by minute (REST `/api/net-flow/expiry`).
    ///
    /// No `instrument_id` (market-wide); `ts_event` is the minute. Each row carries its group's `tide_type` and
    /// `moneyness` and the `expiration` filter UW echoes.
    pub struct ExpiryTide as UwExpiryTide {
        event_time: |r| r.timestamp,
        instrument: None,
        fields {
            /// `all`, `equity_only`, `etf_only` or `index_only` (from the row's group).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub tide_type: Option<String>,
            /// `all`, `itm`, `otm` or `atm` (from the row's group).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub moneyness: Option<String>,
            /// Expiry classes the response covers, `weekly` and/or `zero_dte` (top-level echo).
            #[serde(default, deserialize_with = "de_string_list")]
            pub expiration: Vec<String>,
            /// Minute, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Net call premium, ask-side minus bid-side ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_call_premium: Option<f64>,
            /// Net put premium, ask-side minus bid-side ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_put_premium: Option<f64>,
            /// Net call volume minus net put volume (UW's spec types it as a float).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_volume: Option<f64>,
            /// Underlying price UW reports with the minute.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub underlying_price: Option<f64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(NetFlow, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(IntervalFlow, TICKER_KEYS, ticker: |r| Some(&r.ticker));
record_view!(ExpiryTide, &[]);
record_view!(MarketTide, &[]);
