//! Option-chain snapshots from REST: contracts of a ticker with their session statistics, one
//! contract's daily history and minute bars, and max pain per expiry
//! (docs/uw-api.md#rest-option-contracts, docs/uw-api.md#rest-contract-intraday,
//! docs/uw-api.md#rest-max-pain).

use crate::common::parse::{
    de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_opt_timestamp, de_string, de_timestamp,
};
use crate::common::symbol::occ_underlying;
use crate::common::time::{NANOS_PER_SECOND, close_or_arrival};
use crate::data::flow::fill_contract_terms;
use crate::data::view::{EXPIRY_KEYS, FilterKey, RecordView, record_view};
use crate::uw_record;

uw_record! {
    /// One option contract: session volume split, prices, IV and greeks (REST `/api/stock/{ticker}/option-contracts`).
    ///
    /// Also `/option-chains`, which lists bare symbols: those records carry only the symbol and its terms.
    /// `instrument_id` is the option contract; `ts_event` is `last_tape_time`, else the arrival time.
    pub struct OptionContract as UwOptionContract {
        event_time: |r| r.last_tape_time,
        instrument: OptionSymbol(option_symbol),
        normalize: |r| {
            fill_contract_terms(&r.option_symbol, &mut r.expiry, &mut r.option_type, &mut r.strike);
        },
        fields {
            /// OCC option symbol, e.g. `AAPL240202P00185000`.
            #[serde(deserialize_with = "de_string")]
            pub option_symbol: String,
            /// `call` or `put` (derived from the symbol when UW omits it).
            #[serde(default, alias = "type", deserialize_with = "de_opt_string")]
            pub option_type: Option<String>,
            /// Strike in dollars (derived from the symbol when UW omits it).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            /// Expiry `YYYY-MM-DD` (derived from the symbol when UW omits it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Session volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Open interest at the previous close.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub open_interest: Option<i64>,
            /// Open interest one session earlier.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub prev_oi: Option<i64>,
            /// Volume traded at the ask.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub ask_volume: Option<i64>,
            /// Volume traded at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub bid_volume: Option<i64>,
            /// Volume traded at the mid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub mid_volume: Option<i64>,
            /// Volume with no side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub no_side_volume: Option<i64>,
            /// Volume in sweeps.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub sweep_volume: Option<i64>,
            /// Volume in floor trades.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub floor_volume: Option<i64>,
            /// Volume in cross trades.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub cross_volume: Option<i64>,
            /// Volume in multi-leg trades.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub multi_leg_volume: Option<i64>,
            /// Volume in stock-option combos.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub stock_multi_leg_volume: Option<i64>,
            /// Volume-weighted average fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_price: Option<f64>,
            /// Session high.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub high_price: Option<f64>,
            /// Session low.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub low_price: Option<f64>,
            /// Last fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub last_price: Option<f64>,
            /// NBBO bid.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_bid: Option<f64>,
            /// NBBO ask.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_ask: Option<f64>,
            /// Implied volatility.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_volatility: Option<f64>,
            /// Session premium ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub total_premium: Option<f64>,
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
            /// Rho.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub rho: Option<f64>,
            /// Last print on the tape, UNIX nanoseconds.
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub last_tape_time: Option<u64>,
        }
    }
}

uw_record! {
    /// One trading day of one option contract (REST `/api/option-contract/{id}/historic`).
    ///
    /// `instrument_id` is the option contract named by the request path; `ts_event` is the New York close of
    /// `date` (the arrival time if earlier).
    pub struct ContractDay as UwContractDay {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init).or(r.last_tape_time),
        instrument: OptionSymbol(option_symbol),
        fields {
            /// OCC option symbol (from the request path).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub option_symbol: Option<String>,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// First fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub open_price: Option<f64>,
            /// High.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub high_price: Option<f64>,
            /// Low.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub low_price: Option<f64>,
            /// Last fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub last_price: Option<f64>,
            /// Volume-weighted average fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_price: Option<f64>,
            /// NBBO bid at the end of the day.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_bid: Option<f64>,
            /// NBBO ask at the end of the day.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_ask: Option<f64>,
            /// Implied volatility.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_volatility: Option<f64>,
            /// Highest implied volatility of the day.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_high: Option<f64>,
            /// Lowest implied volatility of the day.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_low: Option<f64>,
            /// Contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Open interest.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub open_interest: Option<i64>,
            /// Prints.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub trades: Option<i64>,
            /// Premium traded ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub total_premium: Option<f64>,
            /// Volume traded at the ask.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub ask_volume: Option<i64>,
            /// Volume traded at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub bid_volume: Option<i64>,
            /// Volume traded at the mid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub mid_volume: Option<i64>,
            /// Volume with no side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub no_side_volume: Option<i64>,
            /// Volume UW classes as neutral.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub neutral_volume: Option<i64>,
            /// Volume in sweeps.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub sweep_volume: Option<i64>,
            /// Volume in floor trades.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub floor_volume: Option<i64>,
            /// Volume in cross trades.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub cross_volume: Option<i64>,
            /// Volume in multi-leg trades.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub multi_leg_volume: Option<i64>,
            /// Volume in stock-option combos.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub stock_multi_leg_volume: Option<i64>,
            /// Changes of the NBBO ask during the day.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_ask_changes: Option<i64>,
            /// Changes of the NBBO bid during the day.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_bid_changes: Option<i64>,
            /// Last print on the tape, UNIX nanoseconds.
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub last_tape_time: Option<u64>,
        }
    }
}

uw_record! {
    /// The max-pain strike of one expiry (REST `/api/stock/{ticker}/max-pain`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the New York close of `date` (the response's top-level
    /// date), or the arrival time if earlier.
    pub struct MaxPain as UwMaxPain {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD` (top-level `date` when the row omits it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Expiry `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Strike at which open option holders lose the most.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub max_pain: Option<f64>,
        }
    }
}

uw_record! {
    /// One minute of one option contract: OHLC of its fills, the IV range, and volume and
    /// premium split by side (REST `/api/option-contract/{id}/intraday`).
    ///
    /// `instrument_id` is the contract; `ts_event` is the end of the minute, when the bar is
    /// complete (`start_time` + 60 s).
    pub struct ContractBar as UwContractBar {
        event_time: |r| r.start_time.checked_add(60 * NANOS_PER_SECOND),
        instrument: OptionSymbol(option_symbol),
        fields {
            /// OCC option symbol (from the request path when the row omits it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub option_symbol: Option<String>,
            /// Start of the minute, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub start_time: u64,
            /// Expiry `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// First fill of the minute.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub open: Option<f64>,
            /// Highest fill.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub high: Option<f64>,
            /// Lowest fill.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub low: Option<f64>,
            /// Last fill.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub close: Option<f64>,
            /// Volume-weighted average fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_price: Option<f64>,
            /// Highest implied volatility a print had.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_high: Option<f64>,
            /// Lowest implied volatility a print had.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_low: Option<f64>,
            /// Contracts traded on the ask side (fill above the mid).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume_ask_side: Option<i64>,
            /// Contracts traded on the bid side (fill below the mid).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume_bid_side: Option<i64>,
            /// Contracts traded at the mid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume_mid_side: Option<i64>,
            /// Contracts traded with no identifiable side (late, out of sequence, crosses).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume_no_side: Option<i64>,
            /// Contracts traded as a leg of a multi-leg order.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume_multi: Option<i64>,
            /// Contracts traded with stock (covered calls and the like).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume_stock_multi: Option<i64>,
            /// Premium traded on the ask side ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub premium_ask_side: Option<f64>,
            /// Premium traded on the bid side ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub premium_bid_side: Option<f64>,
            /// Premium traded at the mid ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub premium_mid_side: Option<f64>,
            /// Premium traded with no identifiable side ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub premium_no_side: Option<f64>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(ContractBar, EXPIRY_KEYS, ticker: |r| r.option_symbol.as_deref().and_then(occ_underlying), expiry: |r| r.expiry.as_deref());
record_view!(MaxPain, EXPIRY_KEYS, ticker: |r| r.ticker.as_deref(), expiry: |r| r.expiry.as_deref());
record_view!(ContractDay, &[FilterKey::InstrumentId]);

impl RecordView for OptionContract {
    const KEYS: &'static [FilterKey] = &[
        FilterKey::Ticker,
        FilterKey::OptionType,
        FilterKey::Expiry,
        FilterKey::InstrumentId,
    ];
    fn ticker(&self) -> Option<&str> {
        occ_underlying(&self.option_symbol)
    }
    fn option_type(&self) -> Option<&str> {
        self.option_type.as_deref()
    }
    fn expiry(&self) -> Option<&str> {
        self.expiry.as_deref()
    }
}
