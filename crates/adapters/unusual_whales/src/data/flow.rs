//! Options flow: flow alerts (`flow-alerts`, REST `/api/option-trades/flow-alerts`) and option
//! prints (`option_trades[:<TICKER>]`, REST `/api/option-trades`).
//!
//! The WebSocket and REST shapes of the same concept differ in names and types
//! (docs/uw-api.md#rest-flow-alerts, docs/uw-api.md#rest-option-trades); one record type accepts
//! both through serde aliases and lenient decoders, so a backtest on REST history sees the same
//! type a live strategy sees.

use crate::common::compact_json::{record_in_uw_order, string_list};
use crate::common::parse::{
    TextValue, de_bool_or_false, de_f64, de_i64, de_opt_date, de_opt_f64, de_opt_i64,
    de_opt_string, de_opt_timestamp, de_string, de_string_list, de_timestamp,
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
        in_uw_order: flow_alert_in_uw_order,
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
        in_uw_order: option_trade_in_uw_order,
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

// The firehose's frames in the key order UW sends them (the recorded session of
// ../shared/uw-api, UW's documented alert); any other frame takes the records' `Deserialize`.

record_in_uw_order! {
    /// A `flow-alerts` frame in UW's key order.
    fn flow_alert_in_uw_order() -> FlowAlert {
        "rule_id" => rule_id: de_opt_string,
        "rule_name" => rule_name: de_opt_string,
        "ticker" => ticker: de_string,
        "option_chain" => option_chain: de_string,
        "underlying_price" => underlying_price: de_opt_f64,
        "volume" => volume: de_opt_i64,
        "total_size" => total_size: de_opt_i64,
        "total_premium" => total_premium: de_f64,
        "total_ask_side_prem" => total_ask_side_prem: de_opt_f64,
        "total_bid_side_prem" => total_bid_side_prem: de_opt_f64,
        "start_time" => start_time: de_opt_timestamp,
        "end_time" => end_time: de_opt_timestamp,
        "url" => url: de_opt_string,
        "price" => price: de_opt_f64,
        "has_multileg" => has_multileg: de_bool_or_false,
        "has_sweep" => has_sweep: de_bool_or_false,
        "has_floor" => has_floor: de_bool_or_false,
        "open_interest" => open_interest: de_opt_i64,
        "all_opening_trades" => all_opening_trades: de_bool_or_false,
        "id" => id: de_opt_string,
        "has_singleleg" => has_singleleg: de_bool_or_false,
        "volume_oi_ratio" => volume_oi_ratio: de_opt_f64,
        "trade_ids" => trade_ids: string_list,
        "trade_count" => trade_count: de_opt_i64,
        "expiry_count" => expiry_count: de_opt_i64,
        "executed_at" => executed_at: de_opt_timestamp,
        "ask_vol" => ask_vol: de_opt_i64,
        "bid_vol" => bid_vol: de_opt_i64,
        "no_side_vol" => no_side_vol: de_opt_i64,
        "mid_vol" => mid_vol: de_opt_i64,
        "multi_vol" => multi_vol: de_opt_i64,
        "stock_multi_vol" => stock_multi_vol: de_opt_i64,
        "upstream_condition_details" => upstream_condition_details: string_list,
        "exchanges" => exchanges: string_list,
        "bid" => bid: de_opt_f64,
        "ask" => ask: de_opt_f64,
    }
    defaults {
        option_type, strike, expiry, created_at, iv_start, iv_end, issue_type, sector, marketcap,
        next_earnings_date, er_time,
    }
}

record_in_uw_order! {
    /// An `option_trades` frame in UW's key order.
    fn option_trade_in_uw_order() -> OptionTrade {
        "id" => id: de_string,
        "underlying_symbol" => underlying_symbol: de_string,
        "executed_at" => executed_at: de_timestamp,
        "nbbo_bid" => nbbo_bid: de_opt_f64,
        "nbbo_ask" => nbbo_ask: de_opt_f64,
        "size" => size: de_i64,
        "price" => price: de_f64,
        "option_symbol" => option_symbol: de_string,
        "created_at" => created_at: de_opt_timestamp,
        "report_flags" => report_flags: string_list,
        "tags" => tags: string_list,
        "expiry" => expiry: de_opt_date,
        "option_type" => option_type: de_opt_string,
        "open_interest" => open_interest: de_opt_i64,
        "strike" => strike: de_opt_f64,
        "premium" => premium: de_opt_f64,
        "volume" => volume: de_opt_i64,
        "underlying_price" => underlying_price: de_opt_f64,
        "ewma_nbbo_ask" => ewma_nbbo_ask: de_opt_f64,
        "ewma_nbbo_bid" => ewma_nbbo_bid: de_opt_f64,
        "implied_volatility" => implied_volatility: de_opt_f64,
        "delta" => delta: de_opt_f64,
        "theta" => theta: de_opt_f64,
        "gamma" => gamma: de_opt_f64,
        "vega" => vega: de_opt_f64,
        "rho" => rho: de_opt_f64,
        "theo" => theo: de_opt_f64,
        "trade_code" => trade_code: string_list,
        "exchange" => exchange: de_opt_string,
        "ask_vol" => ask_vol: de_opt_i64,
        "bid_vol" => bid_vol: de_opt_i64,
        "no_side_vol" => no_side_vol: de_opt_i64,
        "mid_vol" => mid_vol: de_opt_i64,
        "multi_vol" => multi_vol: de_opt_i64,
        "stock_multi_vol" => stock_multi_vol: de_opt_i64,
    }
    defaults {
        canceled, alert_score, aggregated_trade_id, trade_id, market_center_locate, flow_alert_id,
        rule_id, is_agg, trade_ids, full_name, issue_type, sector, industry_type, marketcap,
        next_earnings_date, er_time,
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::de::IgnoredAny;

    use super::*;
    use crate::common::compact_json::{Declined, push_compact_frame};
    use crate::common::testing::all_ws_frames;
    use crate::data::record::PushInOrder;

    /// A frame decoded the general way: serde_json's reading, which the compact lexer matches.
    fn by_serde_json<R: serde::de::DeserializeOwned>(frame: &str) -> Option<R> {
        serde_json::from_str::<(IgnoredAny, R)>(frame)
            .ok()
            .map(|(_, r)| r)
    }

    fn in_order<R>(push: PushInOrder<R>, frame: &str) -> Result<R, Declined> {
        let mut out = Vec::new();
        push(frame, &mut out)?;
        assert_eq!(out.len(), 1, "one record per frame: {frame}");
        Ok(out.pop().expect("one record"))
    }

    fn compact<R: serde::de::DeserializeOwned>(frame: &str) -> Result<R, Declined> {
        let mut out = Vec::new();
        push_compact_frame::<R>(frame, &mut out)?;
        Ok(out.pop().expect("one record"))
    }

    /// A payload's entries in the frame's order (a `serde_json::Map` sorts its keys).
    struct Entries(Vec<(String, serde_json::Value)>);

    impl<'de> serde::Deserialize<'de> for Entries {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Entries;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Entries, A::Error> {
                    let mut out = Vec::new();
                    while let Some(entry) = map.next_entry()? {
                        out.push(entry);
                    }
                    Ok(Entries(out))
                }
            }
            d.deserialize_map(Visit)
        }
    }

    /// The keys of a frame's payload, in order.
    fn keys(frame: &str) -> Vec<String> {
        entries(frame).1.into_iter().map(|(k, _)| k).collect()
    }

    fn payload_frames(channel: &str) -> Vec<String> {
        all_ws_frames()
            .into_iter()
            .filter(|f| f.starts_with(&format!("[\"{channel}")) && !f.contains("\"status\""))
            .collect()
    }

    /// Every fixture frame in UW's key order takes the ordered decoder with serde_json's record;
    /// the rest are declined, never misread. The recorded session's frames (UW's own order,
    /// with `", "` between entries) must be among the taken ones.
    fn fixtures_in_uw_order_take_the_ordered_decoder<R>(channel: &str, push: PushInOrder<R>)
    where
        R: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let frames = payload_frames(channel);
        let uw_order = frames
            .iter()
            .filter(|f| in_order(push, f).is_ok())
            .map(|f| keys(f))
            .next()
            .expect("a fixture frame in UW's order");
        let (mut taken, mut recorded) = (0, 0);
        for frame in &frames {
            match in_order(push, frame) {
                Ok(record) => {
                    assert_eq!(Some(&record), by_serde_json::<R>(frame).as_ref(), "{frame}");
                    taken += 1;
                    recorded += usize::from(frame.contains("\", \""));
                }
                Err(Declined) => assert_ne!(keys(frame), uw_order, "declined: {frame}"),
            }
        }
        assert!(
            taken >= 3 && recorded >= 1,
            "{channel}: {taken} taken, {recorded} recorded"
        );
    }

    #[test]
    fn option_prints_in_uw_order_take_the_ordered_decoder() {
        fixtures_in_uw_order_take_the_ordered_decoder::<OptionTrade>(
            "option_trades",
            option_trade_in_uw_order,
        );
    }

    #[test]
    fn flow_alerts_in_uw_order_take_the_ordered_decoder() {
        fixtures_in_uw_order_take_the_ordered_decoder::<FlowAlert>(
            "flow-alerts",
            flow_alert_in_uw_order,
        );
    }

    /// A frame in UW's order as a list of entries, to be damaged and written back.
    fn entries(frame: &str) -> (String, Vec<(String, serde_json::Value)>) {
        let (channel, Entries(payload)): (String, Entries) =
            serde_json::from_str(frame).expect("a data frame");
        (channel, payload)
    }

    fn written(channel: &str, entries: &[(String, serde_json::Value)]) -> String {
        written_spelled(channel, entries, Spelling::Compact)
    }

    /// How a frame's separators are written.
    #[derive(Clone, Copy, Debug)]
    enum Spelling {
        /// `{"a":1,"b":[1,2]}`, as the simulator writes.
        Compact,
        /// `{"a": 1, "b": [1, 2]}`, as UW writes (Python's `json.dumps`).
        Uw,
        /// `{"a" :  1 ,  "b" : [1 , 2]}`: spaces where neither of the others has them.
        Odd,
    }

    /// The separators between items and after a key.
    fn separators(spelling: Spelling) -> (&'static str, &'static str) {
        match spelling {
            Spelling::Compact => (",", ":"),
            Spelling::Uw => (", ", ": "),
            Spelling::Odd => (" ,  ", " :  "),
        }
    }

    fn spelled(value: &serde_json::Value, spelling: Spelling) -> String {
        use serde_json::Value;
        let (item, key) = separators(spelling);
        match value {
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(|v| spelled(v, spelling)).collect();
                format!("[{}]", items.join(item))
            }
            Value::Object(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        format!("{}{key}{}", Value::from(k.as_str()), spelled(v, spelling))
                    })
                    .collect();
                format!("{{{}}}", entries.join(item))
            }
            other => other.to_string(),
        }
    }

    /// The frame of `entries`, keys in their order (a map would sort them, or merge a repeat).
    fn written_spelled(
        channel: &str,
        entries: &[(String, serde_json::Value)],
        spelling: Spelling,
    ) -> String {
        let (item, key) = separators(spelling);
        let body: Vec<String> = entries
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}{key}{}",
                    serde_json::Value::from(k.as_str()),
                    spelled(v, spelling)
                )
            })
            .collect();
        format!(
            "[{}{item}{{{}}}]",
            serde_json::Value::from(channel),
            body.join(item)
        )
    }

    fn first_in_order<R>(channel: &str, push: PushInOrder<R>) -> String {
        payload_frames(channel)
            .into_iter()
            .find(|f| in_order(push, f).is_ok())
            .expect("a frame in UW's order")
    }

    /// Keys out of order, missing, repeated or unknown: declined, so the record's `Deserialize`
    /// decides (an unknown key is ignored there, a repeated one refused, a missing required
    /// one refused), at every position of both records.
    fn any_other_key_order_is_declined<R>(channel: &str, push: PushInOrder<R>)
    where
        R: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let (name, canonical) = entries(&first_in_order(channel, push));
        let record = in_order(push, &written(&name, &canonical)).expect("in UW's order");
        for spelling in [Spelling::Compact, Spelling::Uw, Spelling::Odd] {
            let frame = written_spelled(&name, &canonical, spelling);
            assert_eq!(in_order(push, &frame).as_ref(), Ok(&record), "{frame}");
            damaged_orders_are_declined(&name, &canonical, push, spelling);
        }
    }

    fn damaged_orders_are_declined<R>(
        name: &str,
        canonical: &[(String, serde_json::Value)],
        push: PushInOrder<R>,
        spelling: Spelling,
    ) where
        R: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        for i in 0..canonical.len() {
            let mut swapped = canonical.to_vec();
            swapped.swap(i, (i + 1) % canonical.len());
            let mut dropped = canonical.to_vec();
            dropped.remove(i);
            let mut repeated = canonical.to_vec();
            repeated.insert(i, canonical[i].clone());
            let mut unknown = canonical.to_vec();
            unknown.insert(i, ("uw_added_this".to_owned(), serde_json::Value::from(1)));
            let mut renamed = canonical.to_vec();
            renamed[i].0.push('x');
            for damaged in [swapped, dropped, repeated, unknown, renamed] {
                let frame = written_spelled(name, &damaged, spelling);
                assert_eq!(in_order(push, &frame), Err(Declined), "{frame}");
                // What the general path makes of it is unchanged by the ordered decoder.
                assert_eq!(
                    compact::<R>(&frame).ok(),
                    compact::<R>(&frame).ok().and(by_serde_json::<R>(&frame))
                );
            }
        }
    }

    #[test]
    fn option_prints_with_any_other_key_order_are_declined() {
        any_other_key_order_is_declined::<OptionTrade>("option_trades", option_trade_in_uw_order);
    }

    #[test]
    fn flow_alerts_with_any_other_key_order_are_declined() {
        any_other_key_order_is_declined::<FlowAlert>("flow-alerts", flow_alert_in_uw_order);
    }

    /// The value shapes UW's fields take across channels and endpoints, and wrong ones.
    fn value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::{Value, json};
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6..1e6f64).prop_map(Value::from),
            (0u64..1u64 << 53, 0u32..18).prop_map(|(m, k)| {
                let s = m.to_string();
                let k = (k as usize).min(s.len().saturating_sub(1));
                Value::from(format!("{}.{}", &s[..s.len() - k], &s[s.len() - k..]))
            }),
            "-?[0-9]{1,6}(\\.[0-9]{1,17})?(e-?[0-9])?".prop_map(Value::from),
            prop::sample::select(vec![
                "",
                " ",
                "1747419592926",
                "2025-05-16",
                "2025-05-16T13:19:52.926Z",
                "2025-05-16 13:19:52",
                "auto",
                " auto ",
                "auto, isoi,",
                "call",
                "put",
                "TSLA",
                "TSLA250516C00355000",
                "6be96098-1e54-4397-9166-46bf4a7636a3",
                "true",
                "NaN",
                "1e400",
            ])
            .prop_map(Value::from),
            prop::collection::vec("[a-z_]{0,8}", 0..4).prop_map(|v| json!(v)),
            Just(json!([1, null])),
            Just(json!(["auto", null])),
            Just(json!(["a\"b", "c"])),
            Just(json!([["auto"]])),
            Just(json!({"x": 1})),
        ]
    }

    fn spelling() -> impl Strategy<Value = Spelling> {
        prop_oneof![
            Just(Spelling::Compact),
            Just(Spelling::Uw),
            Just(Spelling::Odd)
        ]
    }

    /// Every field's value replaced by any of UW's shapes (or a wrong one), the frame written
    /// compact, as UW writes it, or with spaces where neither has them: whenever the keys are
    /// in UW's order, the ordered decoder accepts exactly what the compact lexer's
    /// `Deserialize` path accepts, with the same record, which is serde_json's. A field whose
    /// decoder here differs from the one its `#[serde(deserialize_with)]` names fails this.
    fn agrees_with_the_records_deserialize<R>(
        channel: &str,
        push: PushInOrder<R>,
        values: Vec<serde_json::Value>,
        keep: &[bool],
        spelling: Spelling,
    ) -> Result<(), TestCaseError>
    where
        R: serde::de::DeserializeOwned + PartialEq + Clone + std::fmt::Debug,
    {
        let (name, mut fields) = entries(&first_in_order(channel, push));
        // Most fields keep their fixture value (seven in eight), so that most frames decode at
        // all and each field is replaced in a hundred-odd decoded frames.
        for ((field, value), keep) in fields.iter_mut().zip(values).zip(keep) {
            if !keep {
                field.1 = value;
            }
        }
        let frame = written_spelled(&name, &fields, spelling);
        let general = compact::<R>(&frame);
        prop_assert_eq!(in_order(push, &frame), general.clone(), "{}", frame);
        if let Ok(record) = general {
            prop_assert_eq!(Some(record), by_serde_json::<R>(&frame), "{}", frame);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

        #[test]
        fn the_ordered_option_print_decoder_agrees_with_deserialize(
            values in prop::collection::vec(value(), 40),
            keep in prop::collection::vec(prop::bool::weighted(0.875), 40),
            spelling in spelling(),
        ) {
            agrees_with_the_records_deserialize::<OptionTrade>(
                "option_trades", option_trade_in_uw_order, values, &keep, spelling,
            )?;
        }

        #[test]
        fn the_ordered_flow_alert_decoder_agrees_with_deserialize(
            values in prop::collection::vec(value(), 40),
            keep in prop::collection::vec(prop::bool::weighted(0.875), 40),
            spelling in spelling(),
        ) {
            agrees_with_the_records_deserialize::<FlowAlert>(
                "flow-alerts", flow_alert_in_uw_order, values, &keep, spelling,
            )?;
        }
    }
}
