//! What one option print contributes to flow bars, worked out once per print however many bars
//! it feeds: its contract terms, aggressor side, premium, delta notional, kind (sweep, block,
//! multi-leg) and what it lacks; and whether a bar's bucket counts it.
//!
//! Nothing here allocates: a print's strings are only compared (the OCC symbol is parsed, which
//! allocates its root, only for a print that omits its contract terms).

use std::cell::Cell;

use jiff::civil::Date;

use crate::aggregate::spec::{ExpiryBucket, FlowBarSpec, Moneyness, TypeBucket};
use crate::common::symbol::{OccSymbol, OptionKind, contract_multiplier};
use crate::common::time::{ny_date, parse_date};
use crate::data::OptionTrade;

/// Contracts from which a print that is not a sweep counts as a block. UW does not define a
/// block; this is the adapter's rule, stated in `UwFlowBar.blocks`.
pub const BLOCK_MIN_CONTRACTS: i64 = 100;

/// OPRA sale conditions of an intermarket sweep order: `isoi`, and the ISO forms of the
/// single-leg auction and cross (docs/uw-api.md#channel-option_trades).
const SWEEP_CODES: [&str; 3] = ["isoi", "slai", "slci"];

/// OPRA sale conditions of one leg of a multi-leg order (`ml*`, `m?sl`), of a stock-option order
/// (`tl*`, `t?sl`) and of a multi-leg floor trade in proprietary products (`cbmo`).
const MULTI_LEG_CODES: [&str; 15] = [
    "mlet", "mlat", "mlct", "mlft", "mesl", "masl", "mfsl", "tlet", "tlat", "tlct", "tlft", "tesl",
    "tasl", "tfsl", "cbmo",
];

/// The aggressor side of a print against its own NBBO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// At or above the ask.
    Bought = 0,
    /// At or below the bid (and below the ask).
    Sold = 1,
    /// Strictly between the bid and the ask.
    Mid = 2,
    /// No usable NBBO or price.
    NoSide = 3,
}

impl Side {
    /// The side of a trade at `price` against `bid`/`ask`; `None` without a usable NBBO (a bid
    /// missing or negative, an ask missing or not positive) or price (negative or not a number).
    /// The ask is tested first, so a locked or crossed NBBO reads as bought.
    #[must_use]
    pub fn of(price: f64, bid: Option<f64>, ask: Option<f64>) -> Option<Self> {
        let bid = bid.filter(|b| b.is_finite() && *b >= 0.0)?;
        let ask = ask.filter(|a| a.is_finite() && *a > 0.0)?;
        if !price_ok(price) {
            return None;
        }
        Some(if price >= ask {
            Self::Bought
        } else if price <= bid {
            Self::Sold
        } else {
            Self::Mid
        })
    }
}

fn price_ok(price: f64) -> bool {
    price.is_finite() && price >= 0.0
}

/// Why a print could not contribute fully, one bit each (the order of `UwFlowBar`'s counters).
pub mod missing {
    /// No usable NBBO: side unknown.
    pub const NBBO: u8 = 1;
    /// Price negative or not a number.
    pub const PRICE: u8 = 1 << 1;
    /// Size not positive.
    pub const SIZE: u8 = 1 << 2;
    /// No delta.
    pub const DELTA: u8 = 1 << 3;
    /// No underlying price.
    pub const UNDERLYING: u8 = 1 << 4;
    /// Call/put, or a term the bucket needs, unknown.
    pub const CONTRACT: u8 = 1 << 5;
    /// How many reasons there are.
    pub const COUNT: usize = 6;
}

/// One print, classified.
#[derive(Debug)]
pub struct PrintFacts<'a> {
    /// UW event time, UNIX ns.
    pub executed_at: u64,
    /// Arrival time, UNIX ns.
    pub ts_init: u64,
    /// Call (`true`) or put, from `option_type` or else the OCC symbol.
    pub is_call: Option<bool>,
    /// Expiry, from `expiry` or else the OCC symbol.
    pub expiry: Option<Date>,
    /// Strike in dollars, from `strike` or else the OCC symbol.
    pub strike: Option<f64>,
    /// Aggressor side.
    pub side: Side,
    /// Contracts, when positive.
    pub size: Option<i64>,
    /// `size x price x multiplier`, when both are usable.
    pub premium: Option<f64>,
    /// Underlying price, when finite and positive.
    pub underlying_price: Option<f64>,
    /// `delta x size x multiplier x underlying_price`, when all are usable.
    pub delta_notional: Option<f64>,
    /// [`missing`] bits of the print's own values (contract terms aside).
    pub missing: u8,
    /// An intermarket sweep.
    pub sweep: bool,
    /// A block: not a sweep, at least [`BLOCK_MIN_CONTRACTS`].
    pub block: bool,
    /// One leg of a multi-leg or stock-option order.
    pub multi_leg: bool,
    /// The OCC option symbol.
    pub option_symbol: &'a str,
    /// The New York date of `executed_at`, once a 0DTE bucket asked.
    trade_date: Cell<Option<Date>>,
}

impl<'a> PrintFacts<'a> {
    /// Classifies `print`.
    #[must_use]
    pub fn of(print: &'a OptionTrade) -> Self {
        let mut is_call = print.option_type.as_deref().and_then(|t| {
            if t.eq_ignore_ascii_case("call") {
                Some(true)
            } else if t.eq_ignore_ascii_case("put") {
                Some(false)
            } else {
                None
            }
        });
        let mut expiry = print.expiry.as_deref().and_then(|e| parse_date(e).ok());
        let mut strike = print.strike.filter(|s| s.is_finite() && *s > 0.0);
        if (is_call.is_none() || expiry.is_none() || strike.is_none())
            && let Ok(occ) = OccSymbol::parse(&print.option_symbol)
        {
            is_call.get_or_insert(occ.kind == OptionKind::Call);
            if expiry.is_none() {
                expiry = occ.expiry_date();
            }
            strike.get_or_insert(occ.strike());
        }

        let multiplier = contract_multiplier(&print.underlying_symbol);
        let mut missing = 0;
        let side = Side::of(print.price, print.nbbo_bid, print.nbbo_ask);
        if !price_ok(print.price) {
            missing |= missing::PRICE;
        } else if side.is_none() {
            missing |= missing::NBBO;
        }
        let size = Some(print.size).filter(|s| *s > 0);
        if size.is_none() {
            missing |= missing::SIZE;
        }
        // Sizes are contract counts far below 2^53: the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let contracts = size.map(|s| s as f64);
        let premium = contracts
            .filter(|_| price_ok(print.price))
            .map(|c| c * print.price * multiplier);
        let underlying_price = print.underlying_price.filter(|u| u.is_finite() && *u > 0.0);
        if underlying_price.is_none() {
            missing |= missing::UNDERLYING;
        }
        let delta = print.delta.filter(|d| d.is_finite());
        if delta.is_none() {
            missing |= missing::DELTA;
        }
        let delta_notional = match (delta, contracts, underlying_price) {
            (Some(d), Some(c), Some(u)) => Some(d * c * multiplier * u),
            _ => None,
        };
        let has_code = |codes: &[&str]| {
            print
                .trade_code
                .iter()
                .any(|t| codes.iter().any(|c| t.eq_ignore_ascii_case(c)))
        };
        let sweep = has_code(&SWEEP_CODES);
        Self {
            executed_at: print.executed_at,
            ts_init: print.ts_init,
            is_call,
            expiry,
            strike,
            side: side.unwrap_or(Side::NoSide),
            size,
            premium,
            underlying_price,
            delta_notional,
            missing,
            sweep,
            block: !sweep && size.is_some_and(|s| s >= BLOCK_MIN_CONTRACTS),
            multi_leg: has_code(&MULTI_LEG_CODES),
            option_symbol: &print.option_symbol,
            trade_date: Cell::new(None),
        }
    }

    /// The New York date of `executed_at`: a 0DTE contract expires then.
    fn trade_date(&self) -> Date {
        if let Some(date) = self.trade_date.get() {
            return date;
        }
        let date = ny_date(self.executed_at);
        self.trade_date.set(Some(date));
        date
    }
}

/// What a bar's bucket does with a print of its ticker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Counted in the bar.
    Count,
    /// Another bucket's print.
    Ignore,
    /// Cannot be placed or measured against the bucket: noted in the bar under these
    /// [`missing`] bits, not counted.
    Note(u8),
}

/// Whether `spec`'s bucket counts the print.
#[must_use]
pub fn admit(spec: &FlowBarSpec, f: &PrintFacts<'_>) -> Admission {
    let Some(is_call) = f.is_call else {
        return Admission::Note(missing::CONTRACT);
    };
    match spec.option_type {
        TypeBucket::Call if !is_call => return Admission::Ignore,
        TypeBucket::Put if is_call => return Admission::Ignore,
        _ => {}
    }
    let wanted = match spec.expiry {
        ExpiryBucket::All => None,
        ExpiryBucket::ZeroDte => Some(f.trade_date()),
        ExpiryBucket::On(date) => Some(date),
    };
    if let Some(wanted) = wanted {
        match f.expiry {
            None => return Admission::Note(missing::CONTRACT),
            Some(day) if day != wanted => return Admission::Ignore,
            Some(_) => {}
        }
    }
    if spec.moneyness != Moneyness::All {
        let Some(strike) = f.strike else {
            return Admission::Note(missing::CONTRACT);
        };
        let Some(under) = f.underlying_price else {
            return Admission::Note(missing::UNDERLYING);
        };
        let inside = match spec.moneyness {
            Moneyness::All => true,
            Moneyness::Otm => (is_call && strike > under) || (!is_call && strike < under),
            Moneyness::Itm => (is_call && strike < under) || (!is_call && strike > under),
            Moneyness::Within(band) => (strike / under - 1.0).abs() <= band,
        };
        if !inside {
            return Admission::Ignore;
        }
    }
    if spec.min_premium > 0.0 {
        match f.premium {
            None => return Admission::Note(f.missing & (missing::PRICE | missing::SIZE)),
            Some(p) if p < spec.min_premium => return Admission::Ignore,
            Some(_) => {}
        }
    }
    Admission::Count
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::aggregate::spec::Window;
    use crate::aggregate::testing::option_trade;

    #[rstest]
    // At the edges: the ask is bought, the bid sold, strictly between is mid.
    #[case(1.10, Some(1.00), Some(1.10), Some(Side::Bought))]
    #[case(1.20, Some(1.00), Some(1.10), Some(Side::Bought))]
    #[case(1.00, Some(1.00), Some(1.10), Some(Side::Sold))]
    #[case(0.90, Some(1.00), Some(1.10), Some(Side::Sold))]
    #[case(1.05, Some(1.00), Some(1.10), Some(Side::Mid))]
    #[case(1.0999, Some(1.00), Some(1.10), Some(Side::Mid))]
    #[case(1.0001, Some(1.00), Some(1.10), Some(Side::Mid))]
    // A zero bid is a real quote (nobody bids for a worthless option).
    #[case(0.01, Some(0.0), Some(0.05), Some(Side::Mid))]
    #[case(0.0, Some(0.0), Some(0.05), Some(Side::Sold))]
    // Locked and crossed: the ask is tested first.
    #[case(1.00, Some(1.00), Some(1.00), Some(Side::Bought))]
    #[case(1.00, Some(1.05), Some(1.00), Some(Side::Bought))]
    #[case(0.99, Some(1.05), Some(1.00), Some(Side::Sold))]
    // Unusable NBBO or price.
    #[case(1.00, None, Some(1.10), None)]
    #[case(1.00, Some(1.00), None, None)]
    #[case(1.00, Some(1.00), Some(0.0), None)]
    #[case(1.00, Some(-0.01), Some(1.10), None)]
    #[case(1.00, Some(f64::NAN), Some(1.10), None)]
    #[case(f64::NAN, Some(1.00), Some(1.10), None)]
    #[case(-1.00, Some(1.00), Some(1.10), None)]
    fn side_at_the_nbbo_edges(
        #[case] price: f64,
        #[case] bid: Option<f64>,
        #[case] ask: Option<f64>,
        #[case] side: Option<Side>,
    ) {
        assert_eq!(Side::of(price, bid, ask), side);
    }

    #[test]
    fn sides_parsed_from_uw_decimal_strings_meet_exactly() {
        // UW sends "1.1" and "1.10" for the same quote; both parse to the same f64.
        let price: f64 = "1.10".parse().unwrap();
        let ask: f64 = "1.1".parse().unwrap();
        assert_eq!(Side::of(price, Some(1.0), Some(ask)), Some(Side::Bought));
    }

    #[rstest]
    #[case("SPY", 100.0)]
    #[case("XSP", 10.0)]
    #[case("xsp", 10.0)]
    #[case("NANOS", 1.0)]
    #[case("SPX", 100.0)]
    fn premium_and_delta_notional_use_uw_s_multipliers(#[case] ticker: &str, #[case] mult: f64) {
        let mut print = option_trade(ticker, 1_000);
        (print.price, print.size) = (2.5, 4);
        (print.delta, print.underlying_price) = (Some(0.5), Some(500.0));
        let f = PrintFacts::of(&print);
        assert_eq!(f.premium, Some(4.0 * 2.5 * mult));
        assert_eq!(f.delta_notional, Some(0.5 * 4.0 * mult * 500.0));
        assert_eq!(f.missing, 0);
    }

    #[test]
    fn missing_values_are_noted_and_contribute_what_they_can() {
        let mut print = option_trade("SPY", 1_000);
        (print.nbbo_bid, print.delta, print.underlying_price) = (None, None, None);
        let f = PrintFacts::of(&print);
        assert_eq!(f.side, Side::NoSide);
        assert_eq!(
            f.premium,
            Some(print.price * 100.0),
            "premium needs no NBBO"
        );
        assert_eq!(f.delta_notional, None);
        assert_eq!(
            f.missing,
            missing::NBBO | missing::DELTA | missing::UNDERLYING
        );

        let mut bad = option_trade("SPY", 1_000);
        (bad.price, bad.size) = (f64::NAN, 0);
        let f = PrintFacts::of(&bad);
        assert_eq!((f.premium, f.size, f.side), (None, None, Side::NoSide));
        assert_eq!(
            f.missing,
            missing::PRICE | missing::SIZE,
            "a bad price is not also a bad NBBO"
        );
    }

    #[test]
    fn contract_terms_fall_back_to_the_occ_symbol() {
        let mut print = option_trade("SPY", 1_000);
        (print.option_type, print.expiry, print.strike) = (None, None, None);
        print.option_symbol = "SPY250516P00590500".into();
        let f = PrintFacts::of(&print);
        assert_eq!(f.is_call, Some(false));
        assert_eq!(f.expiry, parse_date("2025-05-16").ok());
        assert_eq!(f.strike, Some(590.5));
        print.option_symbol = "garbage".into();
        let f = PrintFacts::of(&print);
        assert_eq!((f.is_call, f.expiry, f.strike), (None, None, None));
        let spec = FlowBarSpec::new("SPY", Window::Every(1));
        assert_eq!(admit(&spec, &f), Admission::Note(missing::CONTRACT));
    }

    #[rstest]
    #[case(&["auto"], false, false, false)]
    #[case(&["slan", "isoi"], true, false, false)]
    #[case(&["SLAI"], true, false, false)]
    #[case(&["slci"], true, false, false)]
    #[case(&["mlat"], false, false, true)]
    #[case(&["tesl"], false, false, true)]
    #[case(&["cbmo"], false, false, true)]
    #[case(&["opening_print"], false, false, false)]
    fn trade_codes_mark_sweeps_and_multi_leg_prints(
        #[case] codes: &[&str],
        #[case] sweep: bool,
        #[case] block: bool,
        #[case] multi_leg: bool,
    ) {
        let mut print = option_trade("SPY", 1_000);
        print.trade_code = codes.iter().collect();
        let f = PrintFacts::of(&print);
        assert_eq!((f.sweep, f.block, f.multi_leg), (sweep, block, multi_leg));
    }

    #[rstest]
    #[case(99, &[], false)]
    #[case(100, &[], true)]
    #[case(100, &["isoi"], false)]
    #[case(500, &["mlet"], true)]
    fn blocks_are_large_prints_that_are_not_sweeps(
        #[case] size: i64,
        #[case] codes: &[&str],
        #[case] block: bool,
    ) {
        let mut print = option_trade("SPY", 1_000);
        print.size = size;
        print.trade_code = codes.iter().collect();
        assert_eq!(PrintFacts::of(&print).block, block);
    }

    #[test]
    fn buckets_admit_by_type_expiry_moneyness_and_premium() {
        // 2025-05-16 14:00 New York.
        let t = 1_747_418_400_000_000_000;
        let mut print = option_trade("SPY", t);
        (print.option_type, print.expiry) = (Some("call".into()), Some("2025-05-16".into()));
        (print.strike, print.underlying_price) = (Some(600.0), Some(590.0));
        (print.price, print.size) = (1.0, 10); // premium 1000
        let f = PrintFacts::of(&print);
        let meta = |pairs: &[(&str, &str)]| {
            let mut all = vec![("ticker", "SPY"), ("every", "1")];
            all.extend_from_slice(pairs);
            admit(&FlowBarSpec::from_metadata(&all).unwrap(), &f)
        };
        assert_eq!(meta(&[]), Admission::Count);
        assert_eq!(meta(&[("expiry", "0dte")]), Admission::Count);
        assert_eq!(meta(&[("expiry", "2025-05-16")]), Admission::Count);
        assert_eq!(meta(&[("expiry", "2025-05-17")]), Admission::Ignore);
        assert_eq!(meta(&[("option_type", "put")]), Admission::Ignore);
        assert_eq!(meta(&[("moneyness", "otm")]), Admission::Count);
        assert_eq!(meta(&[("moneyness", "itm")]), Admission::Ignore);
        assert_eq!(meta(&[("moneyness", "0.02")]), Admission::Count);
        assert_eq!(meta(&[("moneyness", "0.01")]), Admission::Ignore);
        assert_eq!(meta(&[("min_premium", "1000")]), Admission::Count);
        assert_eq!(meta(&[("min_premium", "1000.01")]), Admission::Ignore);

        // The next day's prints are not 0DTE for a contract expiring today.
        let next_day = option_trade("SPY", t + 86_400_000_000_000);
        let mut next = next_day.clone();
        next.expiry = Some("2025-05-16".into());
        let f = PrintFacts::of(&next);
        let spec =
            FlowBarSpec::from_metadata(&[("ticker", "SPY"), ("every", "1"), ("expiry", "0dte")])
                .unwrap();
        assert_eq!(admit(&spec, &f), Admission::Ignore);

        // A bucket that needs a value the print lacks notes it.
        let mut blind = print.clone();
        (blind.underlying_price, blind.price) = (None, f64::NAN);
        let f = PrintFacts::of(&blind);
        let spec = |k, v| {
            FlowBarSpec::from_metadata(&[("ticker", "SPY"), ("every", "1"), (k, v)]).unwrap()
        };
        assert_eq!(
            admit(&spec("moneyness", "otm"), &f),
            Admission::Note(missing::UNDERLYING)
        );
        assert_eq!(
            admit(&spec("min_premium", "1"), &f),
            Admission::Note(missing::PRICE)
        );
    }
}
