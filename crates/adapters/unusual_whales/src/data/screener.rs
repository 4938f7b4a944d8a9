//! The `contract_screener` channel: hot-contract snapshots
//! (docs/uw-api.md#channel-contract_screener), and their REST history
//! `/api/screener/option-contracts` (docs/uw-api.md#rest-contract-screener).

use crate::common::parse::{
    de_opt_bool, de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_opt_timestamp, de_string,
};
use crate::common::symbol::occ_underlying;
use crate::data::view::{FilterKey, RecordView};
use crate::uw_record;

uw_record! {
    /// A hot-contract snapshot (channel `contract_screener`, REST `/api/screener/option-contracts`).
    ///
    /// The channel and the REST screener share most fields; the channel adds the greeks, NBBO and
    /// `tape_time`, REST the contract's terms, the underlying's context and `last_fill`.
    /// `instrument_id` is the option contract; `ts_event` is the snapshot time (`tape_time`), for
    /// REST rows the contract's last fill.
    pub struct ContractScreener as UwContractScreener {
        event_time: |r| r.tape_time.or(r.last_fill),
        instrument: OptionSymbol(option_symbol),
        fields {
            /// OCC option symbol.
            #[serde(deserialize_with = "de_string")]
            pub option_symbol: String,
            /// Snapshot time, UNIX nanoseconds (channel only).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub tape_time: Option<u64>,
            /// Time of the contract's last fill, UNIX nanoseconds (REST only).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub last_fill: Option<u64>,
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
            /// Contracts traded with no side (REST: `no_side_volume`).
            #[serde(default, alias = "no_side_volume", deserialize_with = "de_opt_i64")]
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
            /// `call` or `put` (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub option_type: Option<String>,
            /// Strike in dollars (REST).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            /// Expiry `YYYY-MM-DD` (REST).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Close of the underlying (REST).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub stock_price: Option<f64>,
            /// Options volume of the whole ticker (REST).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub ticker_vol: Option<i64>,
            /// Changes of the NBBO ask during the session (REST).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_ask_changes: Option<i64>,
            /// Changes of the NBBO bid during the session (REST).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_bid_changes: Option<i64>,
            /// The underlying's sector; empty for ETFs and indices (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sector: Option<String>,
            /// The underlying's next earnings date `YYYY-MM-DD` (REST).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub next_earnings_date: Option<String>,
            /// When earnings are released: `premarket`, `afterhours` or `unknown` (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub er_time: Option<String>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).

impl RecordView for ContractScreener {
    const KEYS: &'static [FilterKey] = &[
        FilterKey::Ticker,
        FilterKey::MinPremium,
        FilterKey::InstrumentId,
    ];
    fn ticker(&self) -> Option<&str> {
        occ_underlying(&self.option_symbol)
    }
    fn premium(&self) -> Option<f64> {
        self.premium
    }
    fn option_type(&self) -> Option<&str> {
        self.option_type.as_deref()
    }
    fn expiry(&self) -> Option<&str> {
        self.expiry.as_deref()
    }
}
