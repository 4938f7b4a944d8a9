//! Multi-leg strategies UW reconstructs from their legs' prints (REST `/api/option-trades/multi-leg`)
//! and the legs of one (`/api/option-trades/multi-leg/{id}/legs`)
//! (docs/uw-api.md#rest-multi-leg-trades).

use crate::common::parse::{
    de_f64_list, de_opt_bool, de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_string,
    de_string_list, de_timestamp,
};
use crate::data::view::{EXPIRY_KEYS, FilterKey, RecordView};
use crate::uw_record;

uw_record! {
    /// A multi-leg option strategy (vertical, iron condor, calendar, ...) as one row: its net
    /// price, premium and greeks across the legs (REST `/api/option-trades/multi-leg`).
    ///
    /// `instrument_id` is the underlying ticker; `ts_event` is the execution time. Pass `id` to
    /// `/api/option-trades/multi-leg/{id}/legs` for the contracts (`UwMultiLegLeg`).
    pub struct MultiLegTrade as UwMultiLegTrade {
        event_time: |r| r.executed_at,
        instrument: Ticker(ticker),
        fields {
            /// UW's strategy id (uuid).
            #[serde(deserialize_with = "de_string")]
            pub id: String,
            /// Underlying ticker.
            #[serde(deserialize_with = "de_string")]
            pub ticker: String,
            /// Execution time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub executed_at: u64,
            /// The detected strategy, e.g. `call_vertical_spread`, `iron_condor`, `other`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub strategy: Option<String>,
            /// Strategy direction, e.g. `long` / `short`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub direction: Option<String>,
            /// UW's internal classification code.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub code: Option<String>,
            /// Net aggressor side of the whole strategy against its net NBBO: `bid`, `ask` or `mid`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub net_side: Option<String>,
            /// Distinct legs.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub leg_count: Option<i64>,
            /// Contracts across all legs.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub size: Option<i64>,
            /// Underlying prints the legs were reconstructed from.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub txns: Option<i64>,
            /// Fill (net execution) price: debit positive, credit negative.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_price: Option<f64>,
            /// Net NBBO bid of the spread (buy legs at the bid, sell legs at the ask).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_bid: Option<f64>,
            /// Net NBBO ask of the spread (buy legs at the ask, sell legs at the bid).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_ask: Option<f64>,
            /// Aggregate bid/ask spread.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub bid_ask_spread: Option<f64>,
            /// Net premium, debit or credit ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_premium: Option<f64>,
            /// Gross premium across legs ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub total_premium: Option<f64>,
            /// Net delta across legs.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_delta: Option<f64>,
            /// Net theta across legs.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub net_theta: Option<f64>,
            /// Underlying price at execution.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub underlying_price: Option<f64>,
            /// Lowest leg strike.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub min_strike: Option<f64>,
            /// Highest leg strike.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub max_strike: Option<f64>,
            /// Every leg's strike.
            #[serde(default, deserialize_with = "de_f64_list")]
            pub strikes: Vec<f64>,
            /// Implied volatility per leg.
            #[serde(default, deserialize_with = "de_f64_list")]
            pub ivs: Vec<f64>,
            /// Fewest days to expiry across legs.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub min_dte: Option<i64>,
            /// Most days to expiry across legs.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub max_dte: Option<i64>,
            /// Breakeven prices at expiry.
            #[serde(default, deserialize_with = "de_f64_list")]
            pub breakevens: Vec<f64>,
            /// Largest theoretical profit ($); `None` when unbounded.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub max_profit: Option<f64>,
            /// Largest theoretical loss ($); `None` when unbounded.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub max_loss: Option<f64>,
            /// Every leg is out of the money.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub all_otm: Option<bool>,
            /// Every leg opens a position.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub all_opening_legs: Option<bool>,
            /// The legs span more than one expiry.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub diff_expirations: Option<bool>,
            /// The legs span more than one strike.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub diff_strikes: Option<bool>,
            /// The legs mix calls and puts.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub diff_types: Option<bool>,
            /// Exchanges the legs printed on.
            #[serde(default, deserialize_with = "de_string_list")]
            pub uniq_exchanges: Vec<String>,
        }
    }
}

uw_record! {
    /// One contract of a multi-leg strategy, its prints summed with size-weighted prices and
    /// greeks (REST `/api/option-trades/multi-leg/{id}/legs`).
    ///
    /// `instrument_id` is the option contract; `ts_event` is the arrival time (UW's legs carry
    /// no time: the strategy's `executed_at` is on its `UwMultiLegTrade`).
    pub struct MultiLegLeg as UwMultiLegLeg {
        event_time: |_r| None::<u64>,
        instrument: OptionSymbol(option_symbol),
        fields {
            /// The strategy's id (from the request path): `UwMultiLegTrade.id`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub strategy_id: Option<String>,
            /// OCC option symbol.
            #[serde(deserialize_with = "de_string")]
            pub option_symbol: String,
            /// UW's internal id of the option symbol.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub option_symbol_id: Option<i64>,
            /// `call` or `put` (UW: `type`).
            #[serde(default, alias = "type", deserialize_with = "de_opt_string")]
            pub option_type: Option<String>,
            /// Strike in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            /// Expiry `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Dominant aggressor side of the leg: `bid` or `ask`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub side: Option<String>,
            /// Contracts of this leg.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub size: Option<i64>,
            /// Size-weighted fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price: Option<f64>,
            /// Premium of this leg ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub premium: Option<f64>,
            /// Size-weighted NBBO bid.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_bid: Option<f64>,
            /// Size-weighted NBBO ask.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_ask: Option<f64>,
            /// Size-weighted delta.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub delta: Option<f64>,
            /// Size-weighted theta.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub theta: Option<f64>,
            /// The contract's open interest.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub open_interest: Option<i64>,
            /// The contract's volume of the day.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).

impl RecordView for MultiLegTrade {
    const KEYS: &'static [FilterKey] = &[
        FilterKey::Ticker,
        FilterKey::MinPremium,
        FilterKey::MinSize,
        FilterKey::InstrumentId,
    ];
    fn ticker(&self) -> Option<&str> {
        Some(&self.ticker)
    }
    fn premium(&self) -> Option<f64> {
        self.total_premium
    }
    fn size(&self) -> Option<i64> {
        self.size
    }
}

impl RecordView for MultiLegLeg {
    const KEYS: &'static [FilterKey] = EXPIRY_KEYS;
    fn ticker(&self) -> Option<&str> {
        crate::common::symbol::occ_underlying(&self.option_symbol)
    }
    fn expiry(&self) -> Option<&str> {
        self.expiry.as_deref()
    }
}
