//! News, screeners, halts, alerts, periscope and volatility channels (SPEC.md §4.6, §4.11-4.15).

use crate::common::parse::{
    de_date, de_f64, de_i64, de_opt_bool, de_opt_f64, de_opt_i64, de_opt_raw_json, de_opt_string,
    de_string, de_string_list, de_timestamp,
};
use crate::uw_record;

uw_record! {
    /// A news headline or Truth Social post (`news`; REST `/api/news/headlines`).
    pub struct NewsHeadline as "UwNewsHeadline" {
        event_time: |r| r.timestamp,
        instrument: None,
        fields {
            /// The headline (for social posts, the post body).
            #[serde(deserialize_with = "de_string")]
            pub headline: String,
            /// Publication time, UNIX nanoseconds.
            #[serde(alias = "created_at", deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// `social-media`, `aggregator` or the upstream source.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub source: Option<String>,
            /// Tickers the story names.
            #[serde(default, deserialize_with = "de_string_list")]
            pub tickers: Vec<String>,
            /// A @realDonaldTrump Truth Social post.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_trump_ts: Option<bool>,
            /// UW flags the story as major (REST).
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_major: Option<bool>,
            /// UW sentiment tag (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sentiment: Option<String>,
        }
    }
}

uw_record! {
    /// A hot-contract snapshot (`contract_screener`).
    pub struct ContractScreener as "UwContractScreener" {
        event_time: |r| r.tape_time,
        instrument: OptionSymbol(option_symbol),
        fields {
            /// OCC option symbol.
            #[serde(deserialize_with = "de_string")]
            pub option_symbol: String,
            /// Snapshot time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub tape_time: u64,
            /// Contracts traded today.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Open interest, contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub open_interest: Option<i64>,
            /// Open interest at the previous close, contracts.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub prev_oi: Option<i64>,
            /// Prints today.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub trades: Option<i64>,
            /// Contracts traded at the ask.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub ask_side_volume: Option<i64>,
            /// Contracts traded at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub bid_side_volume: Option<i64>,
            /// Contracts traded with no side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub neutral_volume: Option<i64>,
            /// Contracts traded at the mid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub mid_volume: Option<i64>,
            /// Contracts traded on an exchange floor.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub floor_volume: Option<i64>,
            /// Contracts traded in sweeps.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub sweep_volume: Option<i64>,
            /// Contracts traded as crosses.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub cross_volume: Option<i64>,
            /// Contracts traded in multi-leg orders.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub multileg_volume: Option<i64>,
            /// Contracts traded in stock-and-option combinations.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub stock_multi_leg_volume: Option<i64>,
            /// Days of open-interest increases, as UW counts them.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub days_of_oi_increases: Option<i64>,
            /// Days on which volume exceeded open interest, as UW counts them.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub days_of_vol_greater_than_oi: Option<i64>,
            /// Premium traded today ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub premium: Option<f64>,
            /// Session high of the contract price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub high: Option<f64>,
            /// Session low of the contract price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub low: Option<f64>,
            /// Session open of the contract price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub open: Option<f64>,
            /// Last contract price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub close: Option<f64>,
            /// Average price per contract: premium / volume / multiplier.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_price: Option<f64>,
            /// NBBO bid.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub bid: Option<f64>,
            /// NBBO ask.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub ask: Option<f64>,
            /// Implied volatility as a fraction (0.32 = 32 %).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv: Option<f64>,
            /// Delta.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub delta: Option<f64>,
            /// Gamma.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma: Option<f64>,
            /// Theta.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub theta: Option<f64>,
            /// Vega.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub vega: Option<f64>,
            /// Contract price at the previous close.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub chain_prev_close: Option<f64>,
            /// Share of the last 7 days' volume traded at the ask (fraction, 0.75 = 75 %).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub ask_side_perc_7_day: Option<f64>,
            /// Share of the last 7 days' volume traded at the bid (fraction).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub bid_side_perc_7_day: Option<f64>,
            /// The contract is new today.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_new: Option<bool>,
        }
    }
}

uw_record! {
    /// A trading halt, resume or pause (`trading_halts`).
    pub struct TradingHalt as "UwTradingHalt" {
        event_time: |r| r.time,
        instrument: Ticker(ticker),
        fields {
            /// Halted ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// `halted`, `resumed`, `paused` (passed through).
            #[serde(deserialize_with = "de_string")]
            pub state: String,
            /// Halt code, e.g. `LUDP`, `T1`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub reason: Option<String>,
            /// Event time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub time: u64,
        }
    }
}

uw_record! {
    /// One of the token owner's own UW alert notifications (`custom_alerts`).
    pub struct CustomAlert as "UwCustomAlert" {
        event_time: |r| r.tape_time,
        instrument: None,
        fields {
            /// Alert name as configured in UW.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub name: Option<String>,
            /// `flow_alerts`, `price_alert`, `news`, ...
            #[serde(default, deserialize_with = "de_opt_string")]
            pub noti_type: Option<String>,
            /// Alert configuration id (uuid).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub user_noti_config_id: Option<String>,
            /// Owner id (uuid).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub user_id: Option<String>,
            /// Ticker or option symbol, if any.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub symbol: Option<String>,
            /// `stock` or `option_chain`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub symbol_type: Option<String>,
            /// Alert time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub tape_time: u64,
            /// The alert's `meta` object as JSON text (its shape depends on `noti_type`).
            #[serde(default, rename = "meta", deserialize_with = "de_opt_raw_json")]
            pub meta_json: Option<String>,
        }
    }
}

uw_record! {
    /// One strike x expiry row of a market-maker exposure snapshot (`periscope[:<TICKER>]`); a frame carries up to 1024 rows, `has_more == false` closes the snapshot.
    pub struct Periscope as "UwPeriscope" {
        event_time: |r| r.timestamp,
        instrument: Ticker(ticker),
        fields {
            /// Index ticker: SPX, VIX, XSP, NANOS.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// Snapshot time shared by all its rows, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// Rows in the whole snapshot.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_rows: Option<i64>,
            /// More frames of this snapshot follow.
            #[serde(default, deserialize_with = "crate::common::parse::de_bool_or_false")]
            pub has_more: bool,
            /// Strike in dollars.
            #[serde(deserialize_with = "de_f64")]
            pub strike: f64,
            /// Expiry `YYYY-MM-DD`.
            #[serde(deserialize_with = "de_date")]
            pub expiry: String,
            /// Market-maker gamma exposure.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub gamma: Option<f64>,
            /// Market-maker charm exposure.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub charm: Option<f64>,
            /// Market-maker vanna exposure.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub vanna: Option<f64>,
        }
    }
}

uw_record! {
    /// Implied volatility and expected move at a fixed horizon (`interpolated_iv[:<TICKER>]`).
    pub struct InterpolatedIv as "UwInterpolatedIv" {
        event_time: |_r| None::<u64>,
        instrument: Ticker(ticker),
        fields {
            /// Ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// Trading date `YYYY-MM-DD`.
            #[serde(deserialize_with = "de_date")]
            pub date: String,
            /// Horizon in trading days (1, 5, 7, 14, 30, 60, 90, 180, 365).
            #[serde(deserialize_with = "de_i64")]
            pub days: i64,
            /// Implied volatility as a fraction (0.299 = 29.9 %).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub volatility: Option<f64>,
            /// Expected move in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move: Option<f64>,
            /// Expected move as a fraction of spot.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move_perc: Option<f64>,
            /// An expiry falls exactly on the horizon (no interpolation).
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_exact: Option<bool>,
        }
    }
}

uw_record! {
    /// At-the-money IV and expected move per listed expiry (`iv_term_structure[:<TICKER>]`).
    pub struct IvTermStructure as "UwIvTermStructure" {
        event_time: |_r| None::<u64>,
        instrument: Ticker(ticker),
        fields {
            /// Ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// Trading date `YYYY-MM-DD`.
            #[serde(deserialize_with = "de_date")]
            pub date: String,
            /// Expiry `YYYY-MM-DD`.
            #[serde(deserialize_with = "de_date")]
            pub expiry: String,
            /// Implied volatility as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub volatility: Option<f64>,
            /// Expected move to expiry in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move: Option<f64>,
            /// Expected move as a fraction of spot.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_move_perc: Option<f64>,
        }
    }
}
