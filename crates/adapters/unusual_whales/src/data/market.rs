//! Market-wide and per-ticker flow aggregates: `market_tide`, `net_flow:<T>`, `interval_flow`
//! (SPEC.md §4.8-4.10).

use crate::common::parse::{de_opt_f64, de_opt_i64, de_opt_string, de_string, de_timestamp};
use crate::uw_record;

uw_record! {
    /// Market-wide net premium, all and OTM-only (`market_tide`; REST `/api/market/market-tide`).
    pub struct MarketTide as "UwMarketTide" {
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
    /// Session-cumulative net call/put premium and volume of one ticker (`net_flow:<TICKER>`).
    pub struct NetFlow as "UwNetFlow" {
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
    /// Five-minute flow statistics of one ticker (`interval_flow`); keep the latest per `(ticker, interval_type, start_time)`.
    pub struct IntervalFlow as "UwIntervalFlow" {
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
            /// `call_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_vol: Option<i64>,
            /// `put_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_vol: Option<i64>,
            /// `transactions` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub transactions: Option<i64>,
            /// `call_vol_ask_side` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_vol_ask_side: Option<i64>,
            /// `call_vol_bid_side` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_vol_bid_side: Option<i64>,
            /// `call_vol_neutral_side` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_vol_neutral_side: Option<i64>,
            /// `put_vol_ask_side` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_vol_ask_side: Option<i64>,
            /// `put_vol_bid_side` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_vol_bid_side: Option<i64>,
            /// `put_vol_neutral_side` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_vol_neutral_side: Option<i64>,
            /// `call_sweep_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_sweep_vol: Option<i64>,
            /// `put_sweep_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_sweep_vol: Option<i64>,
            /// `call_floor_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_floor_vol: Option<i64>,
            /// `put_floor_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_floor_vol: Option<i64>,
            /// `call_cross_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_cross_vol: Option<i64>,
            /// `put_cross_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_cross_vol: Option<i64>,
            /// `call_multi_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_multi_vol: Option<i64>,
            /// `put_multi_vol` in contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_multi_vol: Option<i64>,
            /// `cum_net_call_delta` in contracts (session-cumulative delta).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub cum_net_call_delta: Option<i64>,
            /// `cum_net_put_delta` in contracts (session-cumulative delta).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub cum_net_put_delta: Option<i64>,
            /// Average days to expiry.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_dte: Option<f64>,
            /// Average out-of-the-money distance.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_otm: Option<f64>,
            /// Average print size.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_size: Option<f64>,
            /// Average premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_prem: Option<f64>,
            /// Window net call premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_call_prem: Option<f64>,
            /// Window net put premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_put_prem: Option<f64>,
            /// Underlying price at the window open.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub open: Option<f64>,
            /// Underlying price at the snapshot.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub close: Option<f64>,
            /// 30-day implied move at the open, basis points.
            #[serde(default, rename = "implied_move_perc_30d_open", deserialize_with = "de_opt_i64")]
            pub implied_move_perc_30d_open_bps: Option<i64>,
            /// 30-day implied move at the snapshot, basis points.
            #[serde(default, rename = "implied_move_perc_30d_close", deserialize_with = "de_opt_i64")]
            pub implied_move_perc_30d_close_bps: Option<i64>,
            /// 30-day volatility at the open, basis points.
            #[serde(default, rename = "volatility_30d_open", deserialize_with = "de_opt_i64")]
            pub volatility_30d_open_bps: Option<i64>,
            /// 30-day volatility at the snapshot, basis points.
            #[serde(default, rename = "volatility_30d_close", deserialize_with = "de_opt_i64")]
            pub volatility_30d_close_bps: Option<i64>,
            /// Delta flow.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub delta_flow: Option<i64>,
            /// Gamma flow.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub gamma_flow: Option<i64>,
            /// Vega flow.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub vega_flow: Option<i64>,
            /// Directional delta flow.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub dir_delta_flow: Option<i64>,
            /// Directional gamma flow.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub dir_gamma_flow: Option<i64>,
            /// Directional vega flow.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub dir_vega_flow: Option<i64>,
        }
    }
}
