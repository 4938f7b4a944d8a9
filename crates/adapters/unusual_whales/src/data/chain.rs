//! Snapshots of a ticker's option chain from REST: the greeks of each strike of one expiry, and the
//! at-the-money contracts of chosen expiries with their session statistics
//! (docs/uw-api.md#rest-greeks, docs/uw-api.md#rest-atm-chains).

use crate::common::parse::{
    de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_opt_timestamp, de_string,
};
use crate::common::symbol::occ_underlying;
use crate::common::time::close_or_arrival;
use crate::data::flow::fill_contract_terms;
use crate::data::view::{EXPIRY_KEYS, FilterKey, RecordView, record_view};
use crate::uw_record;

uw_record! {
    /// Greeks and implied volatility of the call and the put at one strike of one expiry (REST
    /// `/api/stock/{ticker}/greeks`).
    ///
    /// The expiry is the request's (`metadata={"expiry": "2024-01-05"}`, required by UW). The row names two
    /// contracts, so `instrument_id` is the ticker (from the request path) and the contracts are
    /// `call_option_symbol` and `put_option_symbol`; `ts_event` is the New York close of `date` (the
    /// arrival time if earlier).
    pub struct StrikeGreeks as UwStrikeGreeks {
        event_time: |r| close_or_arrival(r.date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// Ticker (from the request path; UW's rows omit it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Trading date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date: Option<String>,
            /// Expiry `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Strike in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            /// OCC symbol of the call at this strike.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub call_option_symbol: Option<String>,
            /// OCC symbol of the put at this strike.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub put_option_symbol: Option<String>,
            /// Call implied volatility as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_volatility: Option<f64>,
            /// Call delta.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_delta: Option<f64>,
            /// Call gamma.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_gamma: Option<f64>,
            /// Call theta.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_theta: Option<f64>,
            /// Call vega.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vega: Option<f64>,
            /// Call rho.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_rho: Option<f64>,
            /// Call charm (delta's change per day).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_charm: Option<f64>,
            /// Call vanna (delta's change per unit of volatility).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub call_vanna: Option<f64>,
            /// Put implied volatility as a fraction.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_volatility: Option<f64>,
            /// Put delta.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_delta: Option<f64>,
            /// Put gamma.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_gamma: Option<f64>,
            /// Put theta.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_theta: Option<f64>,
            /// Put vega.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vega: Option<f64>,
            /// Put rho.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_rho: Option<f64>,
            /// Put charm.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_charm: Option<f64>,
            /// Put vanna.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub put_vanna: Option<f64>,
        }
    }
}

uw_record! {
    /// One option contract's session so far with its underlying's context, as UW's contract screener
    /// reports it (REST `/api/stock/{ticker}/atm-chains`).
    ///
    /// `atm-chains` answers the at-the-money contracts of the expiries requested
    /// (`metadata={"expirations": "2024-02-02,2024-02-09"}`, required by UW). `instrument_id` is the
    /// option contract; `ts_event` is `last_fill`, its last print, else the arrival time.
    pub struct ScreenedContract as UwScreenedContract {
        event_time: |r| r.last_fill,
        instrument: OptionSymbol(option_symbol),
        normalize: |r| {
            fill_contract_terms(&r.option_symbol, &mut r.expiry, &mut r.option_type, &mut r.strike);
        },
        fields {
            /// OCC option symbol, e.g. `TSLA230908C00255000`.
            #[serde(deserialize_with = "de_string")]
            pub option_symbol: String,
            /// `call` or `put` (derived from the symbol when UW omits it).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub option_type: Option<String>,
            /// Strike in dollars (derived from the symbol when UW omits it).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            /// Expiry `YYYY-MM-DD` (derived from the symbol when UW omits it).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<String>,
            /// Time of the last print, UNIX nanoseconds.
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub last_fill: Option<u64>,
            /// First fill price of the session.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub open: Option<f64>,
            /// Highest fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub high: Option<f64>,
            /// Lowest fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub low: Option<f64>,
            /// Last fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub close: Option<f64>,
            /// The contract's price at the previous close.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub chain_prev_close: Option<f64>,
            /// Volume-weighted average fill price.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub avg_price: Option<f64>,
            /// Premium traded ($).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub premium: Option<f64>,
            /// Contracts traded.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Prints.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub trades: Option<i64>,
            /// Open interest.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub open_interest: Option<i64>,
            /// Contracts filled above the mid of the NBBO (at the ask side).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub ask_side_volume: Option<i64>,
            /// Contracts filled below the mid (at the bid side).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub bid_side_volume: Option<i64>,
            /// Contracts filled at the mid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub mid_volume: Option<i64>,
            /// Contracts with no side UW can tell (late, out of sequence, crosses).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub no_side_volume: Option<i64>,
            /// Contracts traded in sweeps.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub sweep_volume: Option<i64>,
            /// Contracts traded on an exchange floor.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub floor_volume: Option<i64>,
            /// Contracts traded as crosses.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub cross_volume: Option<i64>,
            /// Contracts traded in multi-leg orders with other contracts (spreads, rolls, ...).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub multileg_volume: Option<i64>,
            /// Contracts traded together with stock (covered calls, ...).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub stock_multi_leg_volume: Option<i64>,
            /// Changes of the NBBO ask during the session.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_ask_changes: Option<i64>,
            /// Changes of the NBBO bid during the session.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_bid_changes: Option<i64>,
            /// Underlying price at the last close.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub stock_price: Option<f64>,
            /// Option contracts traded on the whole underlying.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub ticker_vol: Option<i64>,
            /// The underlying's sector (`Technology`, ...); `None` for ETFs and indices.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sector: Option<String>,
            /// The underlying's next earnings date `YYYY-MM-DD`; `None` when unknown or for ETFs.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub next_earnings_date: Option<String>,
            /// When those earnings come: `premarket`, `afterhours` or `unknown`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub er_time: Option<String>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(StrikeGreeks, EXPIRY_KEYS, ticker: |r| r.ticker.as_deref(), expiry: |r| r.expiry.as_deref());

impl RecordView for ScreenedContract {
    const KEYS: &'static [FilterKey] = &[
        FilterKey::Ticker,
        FilterKey::MinPremium,
        FilterKey::OptionType,
        FilterKey::Expiry,
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
