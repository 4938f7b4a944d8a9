//! REST flow aggregates an options-flow strategy reads beside the prints: flow per expiry of a
//! ticker, the tickers with the largest net premium, the ETF tide and the greek flow of a flow
//! group (docs/uw-api.md#rest-flow-per-expiry, docs/uw-api.md#rest-top-net-impact,
//! docs/uw-api.md#rest-etf-tide, docs/uw-api.md#rest-group-greek-flow).

use crate::common::parse::{de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_timestamp};
use crate::common::time::close_or_arrival;
use crate::data::view::{EXPIRY_KEYS, TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// Call and put flow of one expiry over a trading day (REST `/api/stock/{ticker}/flow-per-expiry`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the 16:00 New York close of `date` (the
    /// arrival time while that day is still trading).
    pub struct ExpiryFlow as UwExpiryFlow {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path when the row omits it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD` (the response's top-level `date` when the row omits it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Contract expiry `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Call prints.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_trades: Option<i64>,
            /// Call contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_volume: Option<i64>,
            /// Call contracts traded on the ask side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_volume_ask_side: Option<i64>,
            /// Call contracts traded on the bid side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_volume_bid_side: Option<i64>,
            /// Call premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_premium: Option<f64>,
            /// Call premium on the ask side ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_premium_ask_side: Option<f64>,
            /// Call premium on the bid side ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_premium_bid_side: Option<f64>,
            /// Out-of-the-money call prints.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_otm_trades: Option<i64>,
            /// Out-of-the-money call contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub call_otm_volume: Option<i64>,
            /// Out-of-the-money call premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_otm_premium: Option<f64>,
            /// Put prints.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_trades: Option<i64>,
            /// Put contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_volume: Option<i64>,
            /// Put contracts traded on the ask side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_volume_ask_side: Option<i64>,
            /// Put contracts traded on the bid side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_volume_bid_side: Option<i64>,
            /// Put premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_premium: Option<f64>,
            /// Put premium on the ask side ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_premium_ask_side: Option<f64>,
            /// Put premium on the bid side ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_premium_bid_side: Option<f64>,
            /// Out-of-the-money put prints.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_otm_trades: Option<i64>,
            /// Out-of-the-money put contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub put_otm_volume: Option<i64>,
            /// Out-of-the-money put premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_otm_premium: Option<f64>,
        }
    }
}

uw_record! {
    /// One of the tickers with the largest net premium of a day, bullish or bearish
    /// (REST `/api/market/top-net-impact`): the tickers that moved the market tide most.
    ///
    /// `instrument_id` is the ticker; `ts_event` is the New York close of `date` (the day asked
    /// for), else the arrival time.
    pub struct NetImpact as UwNetImpact {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD` (the request's `date`; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Net call premium minus net put premium ($): positive is bullish.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_premium: Option<f64>,
        }
    }
}

uw_record! {
    /// One minute of the options flow in the holdings of an ETF (REST `/api/market/{ticker}/etf-tide`):
    /// the market tide restricted to that ETF.
    ///
    /// `instrument_id` is the ETF (from the request path); `ts_event` is the minute.
    pub struct EtfTide as UwEtfTide {
        event_time: |r| r.timestamp,
        instrument: Ticker(ticker),
        fields {
            /// ETF ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Start of the minute, UNIX nanoseconds (UW writes it with a New York offset).
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// Ask-side minus bid-side call premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_call_premium: Option<f64>,
            /// Ask-side minus bid-side put premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_put_premium: Option<f64>,
            /// Net call volume (ask minus bid) minus net put volume (ask minus bid).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub net_volume: Option<i64>,
        }
    }
}

uw_record! {
    /// One minute of the greek flow of every ticker of a flow group (REST
    /// `/api/group-flow/{flow_group}/greek-flow[/{expiry}]`), e.g. `mag7`, `semi`, `bank`.
    ///
    /// No `instrument_id` (a group of tickers); `ts_event` is the minute. `expiry` is set on the
    /// per-expiry variant.
    pub struct GroupGreekFlow as UwGroupGreekFlow {
        event_time: |r| r.timestamp,
        instrument: None,
        fields {
            /// The flow group (from the request path when the row omits it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub flow_group: Option<String>,
            /// Expiry `YYYY-MM-DD` (the `/{expiry}` variant; from the path when the row omits it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Start of the minute, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// Option prints in the minute.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub transactions: Option<i64>,
            /// Contracts traded in the minute.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Ask-side minus bid-side call premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_call_premium: Option<f64>,
            /// Ask-side minus bid-side call contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub net_call_volume: Option<i64>,
            /// Ask-side minus bid-side put premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_put_premium: Option<f64>,
            /// Ask-side minus bid-side put contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub net_put_volume: Option<i64>,
            /// Directional delta flow.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub dir_delta_flow: Option<f64>,
            /// Directional vega flow.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub dir_vega_flow: Option<f64>,
            /// Total delta traded.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub total_delta_flow: Option<f64>,
            /// Total vega traded.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub total_vega_flow: Option<f64>,
            /// Directional delta flow, OTM contracts only.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_dir_delta_flow: Option<f64>,
            /// Directional vega flow, OTM contracts only.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_dir_vega_flow: Option<f64>,
            /// Total delta traded, OTM contracts only.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_total_delta_flow: Option<f64>,
            /// Total vega traded, OTM contracts only.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub otm_total_vega_flow: Option<f64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(ExpiryFlow, EXPIRY_KEYS, ticker: |r| r.ticker.as_deref(), expiry: |r| r.expiry.as_deref());
record_view!(NetImpact, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(EtfTide, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(GroupGreekFlow, &[]);
