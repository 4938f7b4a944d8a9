//! `UwFlowBar`: the option prints of one underlying summed over one interval, built by the adapter
//! (`aggregate`) from UW's `option_trades`, so a strategy receives one object per interval instead
//! of every print.
//!
//! Not a UW payload: UW's nearest, `net_flow:<TICKER>`, is one cumulative number per ticker for all
//! expiries at UW's cadence. The field documentation below is the definition of every sum.

use crate::data::view::record_view;

crate::uw_record! {
    /// Option prints of one underlying summed over one interval (built by the adapter, not sent by UW).
    ///
    /// One bar covers the prints of `ticker` in one bucket (`expiry`, `option_type`, `moneyness`,
    /// `min_premium`) over one interval of UW event time (`executed_at`): `[start, ts_event)` for
    /// clock-aligned intervals (UNIX-epoch multiples, so `1d` is a UTC day), or `every N` counted
    /// prints. `instrument_id` is the underlying (`SPY.SMART`); `ts_event` is the interval's end
    /// (the last print's `executed_at` for `every N`); `ts_init` is when the bar was built: the
    /// arrival (`ts_init`) of the print that closed it, or the wall time of the grace flush, never
    /// earlier than `ts_event`.
    ///
    /// Aggressor side uses the print's own NBBO (`nbbo_bid`/`nbbo_ask` at the trade): at or above
    /// the ask is bought, else at or below the bid is sold, else mid (the ask wins on a locked or
    /// crossed NBBO). Premium is `size x price x multiplier` with UW's multipliers (100; `XSP` 10;
    /// `NANOS` 1), computed here rather than read from UW's `premium`, so a bar is the same from
    /// any source. A print whose event time falls before an interval already closed is late: it
    /// is counted in the open bar and in `late_prints`. Prints with unusable values contribute
    /// what they can and are counted per reason (the last six fields).
    ///
    /// Live: `subscribe_data(DataType(UwFlowBar, metadata={"ticker": "SPY", "interval": "1s",
    /// "expiry": "0dte"}), client_id=UW_CLIENT_ID)` joins `option_trades:SPY` and sums its prints
    /// in Rust before Python sees them. From stored prints: `_core.flow_bars(prints, metadata)`,
    /// `nautilus_trader_uw.bars.flow_bars_from_recording` (the bars the live feed delivered
    /// from the recorded frames) and `uw-nt bars`.
    pub struct FlowBar as UwFlowBar {
        event_time: |_r| None::<u64>,
        instrument: Ticker(ticker),
        fields {
            /// The underlying ticker (`underlying_symbol` of the prints), e.g. `SPY`.
            #[serde(default)]
            pub ticker: String,
            /// Bucket: `0dte` (expiring on the print's New York date), a date `YYYY-MM-DD`, or `all`.
            #[serde(default)]
            pub expiry: String,
            /// Bucket: `call`, `put` or `all`.
            #[serde(default)]
            pub option_type: String,
            /// The bar's length: a duration (`100ms`, `1s`, `5m`, `1h`, `1d`) or `every N` prints.
            #[serde(default)]
            pub interval: String,
            /// Bucket: only prints of at least this premium (dollars) are counted; 0 counts all.
            #[serde(default)]
            pub min_premium: f64,
            /// Bucket: `all`, `otm`, `itm` (strike against the print's underlying price), or a band
            /// such as `0.02`: prints with `|strike / underlying_price - 1| <= 0.02`.
            #[serde(default)]
            pub moneyness: String,
            /// Start of the interval, UNIX nanoseconds (`every N`: the earliest print's `executed_at`).
            #[serde(default)]
            pub start: u64,
            /// Call premium (dollars) traded at or above the ask.
            #[serde(default)]
            pub call_premium_bought: f64,
            /// Call premium traded at or below the bid.
            #[serde(default)]
            pub call_premium_sold: f64,
            /// Call premium traded between the bid and the ask.
            #[serde(default)]
            pub call_premium_mid: f64,
            /// Call premium of prints without a usable NBBO (side unknown).
            #[serde(default)]
            pub call_premium_no_side: f64,
            /// Put premium traded at or above the ask.
            #[serde(default)]
            pub put_premium_bought: f64,
            /// Put premium traded at or below the bid.
            #[serde(default)]
            pub put_premium_sold: f64,
            /// Put premium traded between the bid and the ask.
            #[serde(default)]
            pub put_premium_mid: f64,
            /// Put premium of prints without a usable NBBO (side unknown).
            #[serde(default)]
            pub put_premium_no_side: f64,
            /// `(call_premium_bought - call_premium_sold) - (put_premium_bought - put_premium_sold)`.
            #[serde(default)]
            pub net_premium: f64,
            /// Call contracts traded at or above the ask.
            #[serde(default)]
            pub call_contracts_bought: i64,
            /// Call contracts traded at or below the bid.
            #[serde(default)]
            pub call_contracts_sold: i64,
            /// Call contracts traded between the bid and the ask.
            #[serde(default)]
            pub call_contracts_mid: i64,
            /// Call contracts of prints without a usable NBBO.
            #[serde(default)]
            pub call_contracts_no_side: i64,
            /// Put contracts traded at or above the ask.
            #[serde(default)]
            pub put_contracts_bought: i64,
            /// Put contracts traded at or below the bid.
            #[serde(default)]
            pub put_contracts_sold: i64,
            /// Put contracts traded between the bid and the ask.
            #[serde(default)]
            pub put_contracts_mid: i64,
            /// Put contracts of prints without a usable NBBO.
            #[serde(default)]
            pub put_contracts_no_side: i64,
            /// Call prints at or above the ask.
            #[serde(default)]
            pub call_prints_bought: i64,
            /// Call prints at or below the bid.
            #[serde(default)]
            pub call_prints_sold: i64,
            /// Call prints between the bid and the ask.
            #[serde(default)]
            pub call_prints_mid: i64,
            /// Call prints without a usable NBBO or price (side unknown).
            #[serde(default)]
            pub call_prints_no_side: i64,
            /// Put prints at or above the ask.
            #[serde(default)]
            pub put_prints_bought: i64,
            /// Put prints at or below the bid.
            #[serde(default)]
            pub put_prints_sold: i64,
            /// Put prints between the bid and the ask.
            #[serde(default)]
            pub put_prints_mid: i64,
            /// Put prints without a usable NBBO or price (side unknown).
            #[serde(default)]
            pub put_prints_no_side: i64,
            /// Prints counted in the bar (the sum of the eight print counts); 0 for an empty bar.
            #[serde(default)]
            pub prints: i64,
            /// Prints marked as intermarket sweep orders: OPRA condition `isoi`, `slai` or `slci` in
            /// `trade_code`.
            #[serde(default)]
            pub sweeps: i64,
            /// Prints of at least 100 contracts that are not sweeps (the adapter's rule: UW does
            /// not define a block).
            #[serde(default)]
            pub blocks: i64,
            /// Prints that are one leg of a multi-leg or stock-option order: OPRA conditions
            /// `mlet`, `mlat`, `mlct`, `mlft`, `mesl`, `masl`, `mfsl`, `tlet`, `tlat`, `tlct`,
            /// `tlft`, `tesl`, `tasl`, `tfsl` or `cbmo` in `trade_code`.
            #[serde(default)]
            pub multi_leg: i64,
            /// Sum of `delta x size x multiplier x underlying_price` (dollars of underlying; puts
            /// negative), over prints with all four.
            #[serde(default)]
            pub delta_notional: f64,
            /// Premium of the largest print (ties: the earliest), `None` without a priced print.
            #[serde(default)]
            pub largest_premium: Option<f64>,
            /// OCC option symbol of the largest print.
            #[serde(default)]
            pub largest_option_symbol: Option<String>,
            /// Underlying price of the earliest print (by `executed_at`) that carries one.
            #[serde(default)]
            pub first_underlying_price: Option<f64>,
            /// Underlying price of the latest print (by `executed_at`) that carries one.
            #[serde(default)]
            pub last_underlying_price: Option<f64>,
            /// Prints counted here that belonged to an interval already closed when they arrived.
            #[serde(default)]
            pub late_prints: i64,
            /// Counted prints without a usable NBBO (bid missing or negative, ask missing or not
            /// positive): their premium, contracts and count go to `*_no_side`.
            #[serde(default)]
            pub missing_nbbo: i64,
            /// Counted prints whose price is negative or not a number: no premium, side unknown.
            /// With `min_premium` they are not counted, only noted here.
            #[serde(default)]
            pub bad_price: i64,
            /// Counted prints whose size is not positive: no contracts, premium or delta notional.
            /// With `min_premium` they are not counted, only noted here.
            #[serde(default)]
            pub bad_size: i64,
            /// Counted prints without a delta: not in `delta_notional`.
            #[serde(default)]
            pub missing_delta: i64,
            /// Prints without an underlying price (UW sends none for index options): not in
            /// `delta_notional` nor the first/last price. With a `moneyness` bucket they are not
            /// counted, only noted here.
            #[serde(default)]
            pub missing_underlying_price: i64,
            /// Prints of the ticker whose call/put (or, when the bucket needs them, expiry or
            /// strike) is neither in the print nor in its option symbol: not counted, only noted.
            #[serde(default)]
            pub unknown_contract: i64,
        }
    }
}

// Bars are chosen by their own metadata (`aggregate::FlowBarSpec`), not filtered after the fact.
record_view!(FlowBar, &[]);
