//! Options flow: flow alerts (`flow-alerts`, REST `/api/option-trades/flow-alerts`) and option
//! prints (`option_trades[:<TICKER>]`, REST `/api/option-trades`).
//!
//! The WebSocket and REST shapes of the same concept differ in names and types
//! (docs/uw-api.md#rest-flow-alerts, docs/uw-api.md#rest-option-trades); one record type accepts
//! both through serde aliases and lenient decoders, so a backtest on REST history sees the same
//! type a live strategy sees.

use crate::common::parse::{
    TextValue, de_bool_or_false, de_f64, de_opt_date, de_opt_f64, de_opt_i64, de_opt_string,
    de_opt_timestamp, de_string, de_string_list,
};
use crate::common::symbol::{OccSymbol, OptionKind, contract_multiplier};
use crate::common::text::{UwId, UwText, UwTextList};
use crate::data::view::{FilterKey, OPTION_KEYS, RecordView};
use crate::uw_record;

/// Fills `expiry`/`option_type`/`strike` from the OCC symbol when the payload omits them (the
/// WebSocket alert and UW's option-chain symbol lists do; REST alerts and contracts send them).
pub(crate) fn fill_contract_terms<S: TextValue>(
    symbol: &str,
    expiry: &mut Option<S>,
    option_type: &mut Option<S>,
    strike: &mut Option<f64>,
) {
    if let Ok(occ) = OccSymbol::parse(symbol) {
        if expiry.is_none() {
            *expiry = Some(S::from(occ.expiry()));
        }
        if option_type.is_none() {
            *option_type = Some(S::from(match occ.kind {
                OptionKind::Call => "call",
                OptionKind::Put => "put",
            }));
        }
        if strike.is_none() {
            *strike = Some(occ.strike());
        }
    }
}

uw_record! {
    /// A UW flow alert (channel `flow-alerts`, REST `/api/option-trades/flow-alerts`).
    ///
    /// `instrument_id` is the option contract as the installed IB adapter names it
    /// (`SPY   241220C00500000.SMART` from NautilusTrader 1.223, `SPY241220C00500000.SMART` on
    /// 1.221); `ts_event` is the end of the alert window.
    pub struct FlowAlert as UwFlowAlert {
        event_time: |r| r.end_time.or(r.executed_at).or(r.created_at),
        instrument: OptionSymbol(option_chain),
        normalize: |r| {
            fill_contract_terms(&r.option_chain, &mut r.expiry, &mut r.option_type, &mut r.strike);
        },
        fields {
            /// UW's alert id (uuid); the key for de-duplication. UW's sparse REST example omits it.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub id: Option<UwId>,
            /// The underlying ticker, e.g. `SPY`.
            #[serde(deserialize_with = "de_string")]
            pub ticker: UwText,
            /// The OCC option symbol, e.g. `SPY241220C00500000`.
            #[serde(deserialize_with = "de_string")]
            pub option_chain: UwText,
            /// Rule that fired (`RepeatedHits`, ...); REST calls it `alert_rule`.
            #[serde(default, alias = "alert_rule", deserialize_with = "de_opt_string")]
            pub rule_name: Option<UwText>,
            /// Rule id (uuid).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub rule_id: Option<UwId>,
            /// `call` or `put` (REST `type`; derived from the symbol on the WebSocket).
            #[serde(default, alias = "type", deserialize_with = "de_opt_string")]
            pub option_type: Option<UwText>,
            /// Strike in dollars (REST; derived from the symbol on the WebSocket).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            /// Expiry `YYYY-MM-DD` (REST; derived from the symbol on the WebSocket).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<UwText>,
            /// Underlying price at the alert.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub underlying_price: Option<f64>,
            /// Last option price in the alert window.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price: Option<f64>,
            /// NBBO bid at the end of the window.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub bid: Option<f64>,
            /// NBBO ask at the end of the window.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub ask: Option<f64>,
            /// Total premium in dollars.
            #[serde(deserialize_with = "de_f64")]
            pub total_premium: f64,
            /// Premium traded at the ask.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub total_ask_side_prem: Option<f64>,
            /// Premium traded at the bid.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub total_bid_side_prem: Option<f64>,
            /// Contracts in the alert.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub total_size: Option<i64>,
            /// Number of prints in the alert.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub trade_count: Option<i64>,
            /// Number of distinct expiries (multi-leg alerts).
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub expiry_count: Option<i64>,
            /// Contract session volume at the end of the window.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Prior-close open interest.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub open_interest: Option<i64>,
            /// `volume / open_interest` (UW sends 0 when OI is 0).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub volume_oi_ratio: Option<f64>,
            /// Contains a sweep.
            #[serde(default, deserialize_with = "de_bool_or_false")]
            pub has_sweep: bool,
            /// Contains a floor trade.
            #[serde(default, deserialize_with = "de_bool_or_false")]
            pub has_floor: bool,
            /// Contains single-leg prints.
            #[serde(default, deserialize_with = "de_bool_or_false")]
            pub has_singleleg: bool,
            /// Contains multi-leg prints.
            #[serde(default, deserialize_with = "de_bool_or_false")]
            pub has_multileg: bool,
            /// Every print was opening.
            #[serde(default, deserialize_with = "de_bool_or_false")]
            pub all_opening_trades: bool,
            /// Session volume at the ask on this contract.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub ask_vol: Option<i64>,
            /// Session volume at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub bid_vol: Option<i64>,
            /// Session volume at the mid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub mid_vol: Option<i64>,
            /// Session volume with no side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub no_side_vol: Option<i64>,
            /// Session multi-leg volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub multi_vol: Option<i64>,
            /// Session stock-combo volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub stock_multi_vol: Option<i64>,
            /// Window start, UNIX nanoseconds.
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub start_time: Option<u64>,
            /// Window end, UNIX nanoseconds (the event time).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub end_time: Option<u64>,
            /// Same as `end_time` on the WebSocket (kept by UW for compatibility).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub executed_at: Option<u64>,
            /// When UW created the alert (REST).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub created_at: Option<u64>,
            /// Implied volatility at the window start (REST).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_start: Option<f64>,
            /// Implied volatility at the window end (REST).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub iv_end: Option<f64>,
            /// `Common Stock`, `ETF`, `Index`, `ADR` (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub issue_type: Option<UwText>,
            /// Sector (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sector: Option<UwText>,
            /// Market capitalisation in dollars (REST).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub marketcap: Option<f64>,
            /// Next earnings date (REST).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub next_earnings_date: Option<UwText>,
            /// `premarket` / `postmarket` earnings timing (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub er_time: Option<UwText>,
            /// Ids of the option prints in the alert (WebSocket).
            #[serde(default, deserialize_with = "de_string_list")]
            pub trade_ids: Vec<UwId>,
            /// Upstream condition codes, e.g. `auto`, `slan`.
            #[serde(default, deserialize_with = "de_string_list")]
            pub upstream_condition_details: UwTextList,
            /// Exchanges the prints hit.
            #[serde(default, deserialize_with = "de_string_list")]
            pub exchanges: UwTextList,
            /// UW link (often empty).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub url: Option<String>,
        }
    }
}

uw_record! {
    /// One option print (channel `option_trades[:<TICKER>]`, REST `/api/option-trades`, the
    /// full tape of a day `/api/option-trades/full-tape/{date}`).
    ///
    /// `instrument_id` is the option contract; `ts_event` is the execution time.
    pub struct OptionTrade as UwOptionTrade {
        event_time: |r| r.executed_at,
        instrument: OptionSymbol(option_symbol),
        fields {
            /// UW's trade id (uuid); matches `UwFlowAlert.trade_ids`.
            #[serde(deserialize_with = "de_string")]
            pub id: UwId,
            /// Underlying ticker.
            #[serde(deserialize_with = "de_string")]
            pub underlying_symbol: UwText,
            /// OCC option symbol (REST calls it `option_chain_id`).
            #[serde(alias = "option_chain_id", deserialize_with = "de_string")]
            pub option_symbol: UwText,
            /// Execution time, UNIX nanoseconds.
            #[serde(deserialize_with = "crate::common::parse::de_timestamp")]
            pub executed_at: u64,
            /// UW ingest time (WebSocket only).
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub created_at: Option<u64>,
            /// Price per contract.
            #[serde(deserialize_with = "de_f64")]
            pub price: f64,
            /// Contracts.
            #[serde(deserialize_with = "crate::common::parse::de_i64")]
            pub size: i64,
            /// `size * price * multiplier`.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub premium: Option<f64>,
            /// `call` or `put`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub option_type: Option<UwText>,
            /// Strike in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub strike: Option<f64>,
            /// Expiry `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiry: Option<UwText>,
            /// NBBO bid at the trade.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_bid: Option<f64>,
            /// NBBO ask at the trade.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub nbbo_ask: Option<f64>,
            /// EWMA of the NBBO bid.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub ewma_nbbo_bid: Option<f64>,
            /// EWMA of the NBBO ask.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub ewma_nbbo_ask: Option<f64>,
            /// Underlying price (`None` for index options, where UW sends `""`).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub underlying_price: Option<f64>,
            /// Prior-close open interest.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub open_interest: Option<i64>,
            /// Cumulative session volume on the contract, this print included.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub volume: Option<i64>,
            /// Implied volatility.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub implied_volatility: Option<f64>,
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
            /// Theoretical value.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub theo: Option<f64>,
            /// Upstream condition codes (REST `upstream_condition_detail`), e.g. `auto`, `slan`.
            #[serde(default, alias = "upstream_condition_detail", deserialize_with = "de_string_list")]
            pub trade_code: UwTextList,
            /// Exchange code, e.g. `XCBO`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub exchange: Option<UwText>,
            /// Report flags, e.g. `cross_trade`.
            #[serde(default, deserialize_with = "de_string_list")]
            pub report_flags: UwTextList,
            /// Side/sentiment/class tags: `ask_side`, `bullish`, `etf`, ...
            #[serde(default, deserialize_with = "de_string_list")]
            pub tags: UwTextList,
            /// Session volume at the ask on this contract.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub ask_vol: Option<i64>,
            /// Session volume at the bid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub bid_vol: Option<i64>,
            /// Session volume at the mid.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub mid_vol: Option<i64>,
            /// Session volume with no side.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub no_side_vol: Option<i64>,
            /// Session multi-leg volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub multi_vol: Option<i64>,
            /// Session stock-combo volume.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub stock_multi_vol: Option<i64>,
            /// The print was canceled (REST).
            #[serde(default, deserialize_with = "crate::common::parse::de_opt_bool")]
            pub canceled: Option<bool>,
            /// UW's score of the print for its alert rules (full tape).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub alert_score: Option<f64>,
            /// Id of the aggregated print this one was rolled into (full tape).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub aggregated_trade_id: Option<UwId>,
            /// The exchange's own trade id (full tape).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub trade_id: Option<UwId>,
            /// Market-center locate code of the reporting venue (full tape).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub market_center_locate: Option<UwText>,
            /// Id of the flow alert UW links the print to (REST; `None` when none).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub flow_alert_id: Option<UwId>,
            /// Id of the alert rule UW links the print to (REST), as in `UwFlowAlert.rule_id`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub rule_id: Option<UwId>,
            /// The print aggregates several (REST); `trade_ids` then names them.
            #[serde(default, deserialize_with = "crate::common::parse::de_opt_bool")]
            pub is_agg: Option<bool>,
            /// Ids of the prints an aggregated print is made of (REST).
            #[serde(default, deserialize_with = "de_string_list")]
            pub trade_ids: Vec<UwId>,
            /// The underlying's issuer, e.g. `NVIDIA CORP` (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub full_name: Option<UwText>,
            /// `Common Stock`, `ETF`, `Index`, `ADR` (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub issue_type: Option<UwText>,
            /// The underlying's sector (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sector: Option<UwText>,
            /// The underlying's industry, e.g. `Semiconductors` (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub industry_type: Option<UwText>,
            /// The underlying's market capitalisation in dollars (REST).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub marketcap: Option<f64>,
            /// The underlying's next earnings date `YYYY-MM-DD` (REST).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub next_earnings_date: Option<UwText>,
            /// The underlying's earnings timing, e.g. `premarket`, `postmarket` (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub er_time: Option<UwText>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).

impl RecordView for FlowAlert {
    const KEYS: &'static [FilterKey] = OPTION_KEYS;
    fn ticker(&self) -> Option<&str> {
        Some(&self.ticker)
    }
    fn premium(&self) -> Option<f64> {
        Some(self.total_premium)
    }
    fn size(&self) -> Option<i64> {
        self.total_size
    }
    fn option_type(&self) -> Option<&str> {
        self.option_type.as_deref()
    }
    fn expiry(&self) -> Option<&str> {
        self.expiry.as_deref()
    }
}

impl RecordView for OptionTrade {
    const KEYS: &'static [FilterKey] = OPTION_KEYS;
    fn ticker(&self) -> Option<&str> {
        Some(&self.underlying_symbol)
    }
    fn premium(&self) -> Option<f64> {
        // Without UW's premium, the one UW would have sent: an XSP contract is 10 units, not 100.
        #[allow(clippy::cast_precision_loss)]
        self.premium.or_else(|| {
            Some(self.price * self.size as f64 * contract_multiplier(&self.underlying_symbol))
        })
    }
    fn size(&self) -> Option<i64> {
        Some(self.size)
    }
    fn option_type(&self) -> Option<&str> {
        self.option_type.as_deref()
    }
    fn expiry(&self) -> Option<&str> {
        self.expiry.as_deref()
    }
}
