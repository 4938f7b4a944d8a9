//! The sums of one open bar, and the `UwFlowBar` they become when it closes.
//!
//! The open bar is reused from one interval to the next: adding a print touches only numbers,
//! and the largest print's symbol is copied into a buffer that keeps its capacity. Strings are
//! made once per bar, when it is built.

use crate::aggregate::print::{PrintFacts, Side, missing};
use crate::aggregate::spec::FlowBarSpec;
use crate::common::symbol::InstrumentIdFormat;
use crate::data::FlowBar;

/// The texts every bar of one spec carries, made once.
#[derive(Debug, Clone)]
pub struct BarLabels {
    ticker: String,
    expiry: String,
    option_type: &'static str,
    interval: String,
    min_premium: f64,
    moneyness: String,
    instrument_id: String,
}

impl BarLabels {
    /// The labels of `spec`'s bars, with the instrument id in `ids`' form.
    #[must_use]
    pub fn new(spec: &FlowBarSpec, ids: &InstrumentIdFormat) -> Self {
        Self {
            ticker: spec.ticker.clone(),
            expiry: spec.expiry_label(),
            option_type: spec.option_type_label(),
            interval: spec.interval_label(),
            min_premium: spec.min_premium,
            moneyness: spec.moneyness_label(),
            instrument_id: ids.ticker_id(&spec.ticker),
        }
    }
}

/// Index of a call/put and side pair in the per-side arrays: calls first, sides in [`Side`] order.
const fn slot(is_call: bool, side: Side) -> usize {
    (if is_call { 0 } else { 4 }) + side as usize
}

/// The running sums of one bar.
#[derive(Debug, Clone, Default)]
pub struct OpenBar {
    /// The earliest counted `executed_at`: the start of a count bar (valid when `count > 0`).
    pub first_event: u64,
    /// The latest counted `executed_at`: the end of a count bar (valid when `count > 0`).
    pub last_event: u64,
    premium: [f64; 8],
    contracts: [i64; 8],
    prints: [i64; 8],
    /// Prints counted.
    pub count: i64,
    sweeps: i64,
    blocks: i64,
    multi_leg: i64,
    delta_notional: f64,
    /// `(premium, executed_at)` of the largest print so far.
    largest: Option<(f64, u64)>,
    largest_symbol: String,
    first_underlying: Option<(u64, f64)>,
    last_underlying: Option<(u64, f64)>,
    late: i64,
    reasons: [i64; missing::COUNT],
    noted: bool,
}

impl OpenBar {
    /// Empties the sums for the next bar, keeping the symbol buffer's capacity.
    pub fn reset(&mut self) {
        let mut symbol = std::mem::take(&mut self.largest_symbol);
        symbol.clear();
        *self = Self {
            largest_symbol: symbol,
            ..Self::default()
        };
    }

    /// Whether any print was counted or noted: a bar no print touched is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.count == 0 && !self.noted
    }

    /// Counts a print the bucket admitted (so its call/put is known); `late` when its interval
    /// had already closed.
    pub fn add(&mut self, f: &PrintFacts<'_>, late: bool) {
        let i = slot(f.is_call == Some(true), f.side);
        self.prints[i] += 1;
        if self.count == 0 {
            (self.first_event, self.last_event) = (f.executed_at, f.executed_at);
        }
        self.count += 1;
        if let Some(size) = f.size {
            self.contracts[i] += size;
        }
        if let Some(premium) = f.premium {
            self.premium[i] += premium;
            let larger = self
                .largest
                .is_none_or(|(best, at)| premium > best || (premium == best && f.executed_at < at));
            if larger {
                self.largest = Some((premium, f.executed_at));
                self.largest_symbol.clear();
                self.largest_symbol.push_str(f.option_symbol);
            }
        }
        if let Some(d) = f.delta_notional {
            self.delta_notional += d;
        }
        self.sweeps += i64::from(f.sweep);
        self.blocks += i64::from(f.block);
        self.multi_leg += i64::from(f.multi_leg);
        if let Some(u) = f.underlying_price {
            let t = f.executed_at;
            if self.first_underlying.is_none_or(|(at, _)| t < at) {
                self.first_underlying = Some((t, u));
            }
            if self.last_underlying.is_none_or(|(at, _)| t >= at) {
                self.last_underlying = Some((t, u));
            }
        }
        self.first_event = self.first_event.min(f.executed_at);
        self.last_event = self.last_event.max(f.executed_at);
        self.late += i64::from(late);
        self.note(f.missing);
    }

    /// Counts a print under each of `reasons` ([`missing`] bits).
    pub fn note(&mut self, reasons: u8) {
        for (bit, counter) in self.reasons.iter_mut().enumerate() {
            *counter += i64::from(reasons >> bit & 1);
        }
        self.noted |= reasons != 0;
    }

    /// The `UwFlowBar` of these sums over `[start, end)`, built at `ts_init` (raised to `end`).
    #[must_use]
    pub fn build(&self, labels: &BarLabels, start: u64, end: u64, ts_init: u64) -> FlowBar {
        let [cb, cs, cm, cn, pb, ps, pm, pn] = self.premium;
        let [cbc, csc, cmc, cnc, pbc, psc, pmc, pnc] = self.contracts;
        let [cbp, csp, cmp, cnp, pbp, psp, pmp, pnp] = self.prints;
        let [nbbo, price, size, delta, underlying, contract] = self.reasons;
        FlowBar {
            ticker: labels.ticker.clone(),
            expiry: labels.expiry.clone(),
            option_type: labels.option_type.to_owned(),
            interval: labels.interval.clone(),
            min_premium: labels.min_premium,
            moneyness: labels.moneyness.clone(),
            start,
            call_premium_bought: cb,
            call_premium_sold: cs,
            call_premium_mid: cm,
            call_premium_no_side: cn,
            put_premium_bought: pb,
            put_premium_sold: ps,
            put_premium_mid: pm,
            put_premium_no_side: pn,
            net_premium: (cb - cs) - (pb - ps),
            call_contracts_bought: cbc,
            call_contracts_sold: csc,
            call_contracts_mid: cmc,
            call_contracts_no_side: cnc,
            put_contracts_bought: pbc,
            put_contracts_sold: psc,
            put_contracts_mid: pmc,
            put_contracts_no_side: pnc,
            call_prints_bought: cbp,
            call_prints_sold: csp,
            call_prints_mid: cmp,
            call_prints_no_side: cnp,
            put_prints_bought: pbp,
            put_prints_sold: psp,
            put_prints_mid: pmp,
            put_prints_no_side: pnp,
            prints: self.count,
            sweeps: self.sweeps,
            blocks: self.blocks,
            multi_leg: self.multi_leg,
            delta_notional: self.delta_notional,
            largest_premium: self.largest.map(|(p, _)| p),
            largest_option_symbol: self.largest.map(|_| self.largest_symbol.clone()),
            first_underlying_price: self.first_underlying.map(|(_, u)| u),
            last_underlying_price: self.last_underlying.map(|(_, u)| u),
            late_prints: self.late,
            missing_nbbo: nbbo,
            bad_price: price,
            bad_size: size,
            missing_delta: delta,
            missing_underlying_price: underlying,
            unknown_contract: contract,
            ts_event: end,
            ts_init: ts_init.max(end),
            instrument_id: Some(labels.instrument_id.as_str().into()),
        }
    }
}
