//! Corporate, political and economic events from REST: earnings, congress trades, insider
//! transactions, the economic calendar (docs/uw-api.md#rest-earnings,
//! docs/uw-api.md#rest-congress-trades, docs/uw-api.md#rest-insider-transactions,
//! docs/uw-api.md#rest-economic-calendar). Each is stamped when it became public, never later
//! than its arrival.

use serde::{Deserialize, Deserializer, de};

use crate::common::parse::{
    de_opt_bool, de_opt_date, de_opt_f64, de_opt_i64, de_opt_string, de_opt_timestamp,
    de_string_list,
};
use crate::common::time::close_or_arrival;
use crate::data::view::{TICKER_KEYS, record_view};
use crate::uw_record;

/// UW's spec types congress `member_type` as a boolean but sends text (`"house"`); either is kept
/// as text so that a fix on UW's side does not break decoding.
fn de_opt_text_or_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(serde_json::Value::String(s)) => Ok(Some(s).filter(|s| !s.is_empty())),
        Some(other) => Err(de::Error::custom(format!(
            "expected a string or a boolean, found {other}"
        ))),
    }
}

uw_record! {
    /// One earnings report: estimates, result, expected and realised moves (REST `/api/earnings/...`).
    ///
    /// From `/api/earnings/{ticker}` (history) and `/premarket`, `/afterhours` (calendar). `instrument_id` is
    /// the ticker; `ts_event` is the New York close of `report_date` (the arrival time if earlier). The
    /// history's post-earnings moves and straddle returns become known up to two weeks after `ts_event`.
    pub struct Earnings as UwEarnings {
        event_time: |r| close_or_arrival(r.report_date.as_deref(), r.ts_init),
        instrument: Ticker(symbol),
        fields {
            /// Ticker (the calendar's `symbol`; from the request path for the history).
            #[serde(default, alias = "ticker", deserialize_with = "de_opt_string")]
            pub symbol: Option<String>,
            /// Company name.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub full_name: Option<String>,
            /// Report date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub report_date: Option<String>,
            /// `premarket`, `postmarket`, ...
            #[serde(default, deserialize_with = "de_opt_string")]
            pub report_time: Option<String>,
            /// Last day of the fiscal quarter reported, `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub ending_fiscal_quarter: Option<String>,
            /// Where UW got the date (`company`, ...).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub source: Option<String>,
            /// Reported EPS (`None` until reported).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub actual_eps: Option<f64>,
            /// Consensus EPS estimate.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub street_mean_est: Option<f64>,
            /// Options-implied move in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub expected_move: Option<f64>,
            /// Options-implied move as a fraction of spot.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub expected_move_perc: Option<f64>,
            /// Price reaction to the report as UW computes it, a fraction (calendar).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub reaction: Option<f64>,
            /// Last session before the report, `YYYY-MM-DD` (calendar).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub pre_earnings_date: Option<String>,
            /// Close of that session (calendar).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub pre_earnings_close: Option<f64>,
            /// First session after the report, `YYYY-MM-DD` (calendar).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub post_earnings_date: Option<String>,
            /// Close of that session (calendar).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub post_earnings_close: Option<f64>,
            /// Move over the day before the report, as a fraction (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub pre_earnings_move_1d: Option<f64>,
            /// Move over the three days before (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub pre_earnings_move_3d: Option<f64>,
            /// Move over the week before (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub pre_earnings_move_1w: Option<f64>,
            /// Move over the two weeks before (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub pre_earnings_move_2w: Option<f64>,
            /// Move over the day after the report, as a fraction (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub post_earnings_move_1d: Option<f64>,
            /// Move over the three days after (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub post_earnings_move_3d: Option<f64>,
            /// Move over the week after (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub post_earnings_move_1w: Option<f64>,
            /// Move over the two weeks after (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub post_earnings_move_2w: Option<f64>,
            /// Return of a long straddle held one day over the report (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub long_straddle_1d: Option<f64>,
            /// Return of a long straddle held one week (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub long_straddle_1w: Option<f64>,
            /// Return of a short straddle held one day (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub short_straddle_1d: Option<f64>,
            /// Return of a short straddle held one week (history).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub short_straddle_1w: Option<f64>,
            /// The ticker has listed options (calendar).
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub has_options: Option<bool>,
            /// Member of the S&P 500 (calendar).
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_s_p_500: Option<bool>,
            /// Market capitalisation in dollars (calendar).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub marketcap: Option<f64>,
            /// Sector (calendar).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sector: Option<String>,
            /// ISO country code (calendar).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub country_code: Option<String>,
            /// Country name (calendar).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub country_name: Option<String>,
            /// Continent (calendar).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub continent: Option<String>,
        }
    }
}

uw_record! {
    /// A trade disclosed by a member of the US Congress (REST `/api/congress/recent-trades`).
    ///
    /// No `instrument_id`: `ticker` is `None` for bonds and funds. `ts_event` is the New York close of
    /// `filed_at_date`, when the trade became public (the arrival time if earlier).
    pub struct CongressTrade as UwCongressTrade {
        event_time: |r| close_or_arrival(r.filed_at_date.as_deref(), r.ts_init),
        instrument: None,
        fields {
            /// Traded ticker, when the asset has one.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Member's name.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub name: Option<String>,
            /// Name as written on the filing.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub reporter: Option<String>,
            /// UW's id of the member (uuid).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub politician_id: Option<String>,
            /// `house` or `senate`.
            #[serde(default, deserialize_with = "de_opt_text_or_bool")]
            pub member_type: Option<String>,
            /// The member is in office.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_active: Option<bool>,
            /// `Buy`, `Sell`, `Sale (Partial)`, `Exchange`, ...
            #[serde(default, deserialize_with = "de_opt_string")]
            pub txn_type: Option<String>,
            /// Disclosed value range, e.g. `$15,001 - $50,000`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub amounts: Option<String>,
            /// Issuer as filed (`not-disclosed` when absent).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub issuer: Option<String>,
            /// Free-text notes of the filing.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub notes: Option<String>,
            /// Trade date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub transaction_date: Option<String>,
            /// Filing date `YYYY-MM-DD` (when the trade became public).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub filed_at_date: Option<String>,
        }
    }
}

uw_record! {
    /// Insider transactions of one person, day and code from SEC filings (REST `/api/insider/transactions`).
    ///
    /// `instrument_id` is the ticker; `ts_event` is the New York close of `filing_date`, when the transactions
    /// became public (the arrival time if earlier).
    pub struct InsiderTransaction as UwInsiderTransaction {
        event_time: |r| close_or_arrival(r.filing_date.as_deref(), r.ts_init),
        instrument: Ticker(ticker),
        fields {
            /// UW's id of the aggregate (uuid).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub id: Option<String>,
            /// Ids of the aggregated transactions.
            #[serde(default, deserialize_with = "de_string_list")]
            pub ids: Vec<String>,
            /// Ticker.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub ticker: Option<String>,
            /// Insider's name as filed.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub owner_name: Option<String>,
            /// Officer title, e.g. `COB and CEO`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub officer_title: Option<String>,
            /// The insider is a director.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_director: Option<bool>,
            /// The insider is an officer.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_officer: Option<bool>,
            /// The insider owns 10 % or more.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_ten_percent_owner: Option<bool>,
            /// Traded under a Rule 10b5-1 plan.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_10b5_1: Option<bool>,
            /// SEC form, e.g. `4`, `144`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub formtype: Option<String>,
            /// SEC transaction code, e.g. `S` (sale), `P` (purchase).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub transaction_code: Option<String>,
            /// Transaction date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub transaction_date: Option<String>,
            /// Filing date `YYYY-MM-DD` (when the transaction became public).
            #[serde(default, deserialize_with = "de_opt_date")]
            pub filing_date: Option<String>,
            /// Shares, negative when disposed of.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub amount: Option<i64>,
            /// Price per share.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price: Option<f64>,
            /// Transactions in the aggregate.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub transactions: Option<i64>,
            /// Shares held before.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub shares_owned_before: Option<i64>,
            /// Shares held after.
            #[serde(default, deserialize_with = "de_opt_i64")]
            pub shares_owned_after: Option<i64>,
            /// Direct or indirect ownership, as filed.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub natureofownership: Option<String>,
            /// Indirect holder of a director, as filed.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub director_indirect: Option<String>,
            /// Title of the security.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub security_title: Option<String>,
            /// Acquired/disposed code of the security, as filed.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub security_ad_code: Option<String>,
            /// Exercise date of a derivative (UW's spelling), `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub date_excercisable: Option<String>,
            /// Exercise price of a derivative (UW's spelling).
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub price_excercisable: Option<f64>,
            /// Expiration of a derivative, `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub expiration_date: Option<String>,
            /// Stock price UW attaches to the row.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub stock_price: Option<f64>,
            /// Market capitalisation in dollars.
            #[serde(default, deserialize_with = "de_opt_f64")]
            pub marketcap: Option<f64>,
            /// Member of the S&P 500.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_s_p_500: Option<bool>,
            /// Sector.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sector: Option<String>,
            /// Next earnings date `YYYY-MM-DD`.
            #[serde(default, deserialize_with = "de_opt_date")]
            pub next_earnings_date: Option<String>,
        }
    }
}

uw_record! {
    /// One entry of the economic calendar: a report, an FOMC meeting or a Fed speaker (REST
    /// `/api/market/economic-calendar`).
    ///
    /// `forecast` and `prev` are UW's text (`"69.4"`, `"0.0%"`): units vary by report. No
    /// `instrument_id` (market-wide); `ts_event` is `time`, or the arrival time for an event still to
    /// come, whose entry is known before it happens.
    pub struct EconomicEvent as UwEconomicEvent {
        event_time: |r| r.time.map(|t| t.min(r.ts_init)),
        instrument: None,
        fields {
            /// What happens: the report or indicator (`PCE index`), or the speaker.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub event: Option<String>,
            /// `report`, `fomc` or `fed-speaker`.
            #[serde(default, rename = "type", deserialize_with = "de_opt_string")]
            pub event_type: Option<String>,
            /// When it starts, UNIX nanoseconds.
            #[serde(default, deserialize_with = "de_opt_timestamp")]
            pub time: Option<u64>,
            /// The period a report covers (`December`).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub reported_period: Option<String>,
            /// The forecast of a report, as UW writes it.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub forecast: Option<String>,
            /// The report's value for the preceding period, as UW writes it.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub prev: Option<String>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(Earnings, TICKER_KEYS, ticker: |r| r.symbol.as_deref());
record_view!(CongressTrade, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(InsiderTransaction, TICKER_KEYS, ticker: |r| r.ticker.as_deref());
record_view!(EconomicEvent, &[]);
