//! Flow bars against a brute-force sum over the same prints (random prints, random subscriptions,
//! arrival order shuffled within a bounded lateness), field for field; and the live aggregator
//! against the stored-prints function.
//!
//! The reference below is written from `UwFlowBar`'s field documentation, not from the
//! aggregator: each bar is the set of prints assigned to it, summed in arrival order. A print is
//! assigned to the interval of the latest event time seen so far (its own, unless it is late), so
//! the open interval never moves back.

use std::collections::BTreeSet;

use proptest::prelude::*;
use unusual_whales_nt::aggregate::spec::{
    EmptyBars, ExpiryBucket, FlowBarSpec, Moneyness, TypeBucket, Window,
};
use unusual_whales_nt::aggregate::testing::option_trade;
use unusual_whales_nt::aggregate::{Aggregator, FlowBarSet, flow_bars};
use unusual_whales_nt::common::symbol::{InstrumentIdFormat, OccSymbol, OptionKind};
use unusual_whales_nt::common::time::ny_date;
use unusual_whales_nt::data::{FlowBar, OptionTrade};

/// 2025-05-16 14:00:00 New York.
const T0: u64 = 1_747_418_400_000_000_000;
const MS: u64 = 1_000_000;
const TICKERS: [&str; 4] = ["SPY", "XSP", "NANOS", "QQQ"];
const CODES: [&str; 7] = ["auto", "slan", "isoi", "slai", "mlet", "tesl", "cbmo"];

fn ids() -> InstrumentIdFormat {
    InstrumentIdFormat::new("SMART", false)
}

// ---------------------------------------------------------------------------------------------
// The reference
// ---------------------------------------------------------------------------------------------

/// One print as the field documentation describes it.
struct Reading {
    is_call: Option<bool>,
    expiry: Option<String>,
    strike: Option<f64>,
    /// 0 bought, 1 sold, 2 mid, 3 no side.
    side: usize,
    contracts: Option<i64>,
    premium: Option<f64>,
    underlying: Option<f64>,
    delta_notional: Option<f64>,
    sweep: bool,
    block: bool,
    multi_leg: bool,
    /// nbbo, price, size, delta, underlying.
    lacks: [bool; 5],
}

fn read(p: &OptionTrade) -> Reading {
    let occ = OccSymbol::parse(&p.option_symbol).ok();
    let is_call = match p.option_type.as_deref() {
        Some("call") => Some(true),
        Some("put") => Some(false),
        _ => occ.as_ref().map(|o| o.kind == OptionKind::Call),
    };
    let expiry = p
        .expiry
        .clone()
        .map(String::from)
        .or_else(|| occ.as_ref().map(OccSymbol::expiry));
    let strike = p.strike.or_else(|| occ.as_ref().map(OccSymbol::strike));
    let multiplier = match p.underlying_symbol.as_str() {
        "XSP" => 10.0,
        "NANOS" => 1.0,
        _ => 100.0,
    };
    let price_ok = p.price.is_finite() && p.price >= 0.0;
    let bid_ok = p.nbbo_bid.is_some_and(|b| b.is_finite() && b >= 0.0);
    let ask_ok = p.nbbo_ask.is_some_and(|a| a.is_finite() && a > 0.0);
    let side = if !price_ok || !bid_ok || !ask_ok {
        3
    } else if p.price >= p.nbbo_ask.unwrap() {
        0
    } else if p.price <= p.nbbo_bid.unwrap() {
        1
    } else {
        2
    };
    let contracts = (p.size > 0).then_some(p.size);
    let premium = contracts
        .filter(|_| price_ok)
        .map(|c| c as f64 * p.price * multiplier);
    let underlying = p.underlying_price.filter(|u| u.is_finite() && *u > 0.0);
    let delta = p.delta.filter(|d| d.is_finite());
    let delta_notional = match (delta, contracts, underlying) {
        (Some(d), Some(c), Some(u)) => Some(d * c as f64 * multiplier * u),
        _ => None,
    };
    let has = |codes: &[&str]| p.trade_code.iter().any(|c| codes.contains(&c));
    let sweep = has(&["isoi", "slai", "slci"]);
    Reading {
        is_call,
        expiry,
        strike,
        side,
        contracts,
        premium,
        underlying,
        delta_notional,
        sweep,
        block: !sweep && p.size >= 100,
        multi_leg: has(&["mlet", "tesl", "cbmo"]),
        lacks: [
            price_ok && !(bid_ok && ask_ok),
            !price_ok,
            contracts.is_none(),
            delta.is_none(),
            underlying.is_none(),
        ],
    }
}

enum Verdict {
    Count,
    Skip,
    /// Noted under reason index 1 (price), 2 (size), 4 (underlying) or 5 (contract).
    Note(Vec<usize>),
}

fn verdict(spec: &FlowBarSpec, p: &OptionTrade, r: &Reading) -> Verdict {
    let Some(is_call) = r.is_call else {
        return Verdict::Note(vec![5]);
    };
    if (spec.option_type == TypeBucket::Call && !is_call)
        || (spec.option_type == TypeBucket::Put && is_call)
    {
        return Verdict::Skip;
    }
    let wanted = match &spec.expiry {
        ExpiryBucket::All => None,
        ExpiryBucket::ZeroDte => Some(ny_date(p.executed_at).to_string()),
        ExpiryBucket::On(date) => Some(date.to_string()),
    };
    if let Some(wanted) = wanted {
        match &r.expiry {
            None => return Verdict::Note(vec![5]),
            Some(e) if *e != wanted => return Verdict::Skip,
            Some(_) => {}
        }
    }
    if spec.moneyness != Moneyness::All {
        let Some(k) = r.strike else {
            return Verdict::Note(vec![5]);
        };
        let Some(u) = r.underlying else {
            return Verdict::Note(vec![4]);
        };
        let ok = match spec.moneyness {
            Moneyness::Otm => (is_call && k > u) || (!is_call && k < u),
            Moneyness::Itm => (is_call && k < u) || (!is_call && k > u),
            Moneyness::Within(band) => (k / u - 1.0).abs() <= band,
            Moneyness::All => true,
        };
        if !ok {
            return Verdict::Skip;
        }
    }
    if spec.min_premium > 0.0 {
        match r.premium {
            None => {
                let mut why = Vec::new();
                if r.lacks[1] {
                    why.push(1);
                }
                if r.lacks[2] {
                    why.push(2);
                }
                return Verdict::Note(why);
            }
            Some(v) if v < spec.min_premium => return Verdict::Skip,
            Some(_) => {}
        }
    }
    Verdict::Count
}

/// The prints one bar holds, in arrival order.
#[derive(Default)]
struct Members<'a> {
    counted: Vec<(&'a OptionTrade, Reading, bool)>,
    noted: [i64; 6],
}

impl<'a> Members<'a> {
    fn is_touched(&self) -> bool {
        !self.counted.is_empty() || self.noted.iter().any(|n| *n > 0)
    }

    fn take(&mut self, spec: &FlowBarSpec, p: &'a OptionTrade, late: bool) -> bool {
        let r = read(p);
        match verdict(spec, p, &r) {
            Verdict::Count => {
                self.counted.push((p, r, late));
                true
            }
            Verdict::Note(why) => {
                for i in why {
                    self.noted[i] += 1;
                }
                false
            }
            Verdict::Skip => false,
        }
    }

    fn bar(&self, spec: &FlowBarSpec, start: u64, end: u64, ts_init: u64) -> FlowBar {
        let sum_f = |is_call: bool, side: usize| {
            self.counted
                .iter()
                .filter(|(_, r, _)| r.is_call == Some(is_call) && r.side == side)
                .filter_map(|(_, r, _)| r.premium)
                .fold(0.0, |a, b| a + b)
        };
        let sum_c = |is_call: bool, side: usize| {
            self.counted
                .iter()
                .filter(|(_, r, _)| r.is_call == Some(is_call) && r.side == side)
                .filter_map(|(_, r, _)| r.contracts)
                .sum::<i64>()
        };
        let n = |is_call: bool, side: usize| {
            self.counted
                .iter()
                .filter(|(_, r, _)| r.is_call == Some(is_call) && r.side == side)
                .count() as i64
        };
        let count = |f: &dyn Fn(&Reading) -> bool| {
            self.counted.iter().filter(|(_, r, _)| f(r)).count() as i64
        };
        let mut largest: Option<(f64, u64, &str)> = None;
        let mut first: Option<(u64, f64)> = None;
        let mut last: Option<(u64, f64)> = None;
        for (p, r, _) in &self.counted {
            let t = p.executed_at;
            if let Some(v) = r.premium
                && largest.is_none_or(|(b, at, _)| v > b || (v == b && t < at))
            {
                largest = Some((v, t, &p.option_symbol));
            }
            if let Some(u) = r.underlying {
                if first.is_none_or(|(at, _)| t < at) {
                    first = Some((t, u));
                }
                if last.is_none_or(|(at, _)| t >= at) {
                    last = Some((t, u));
                }
            }
        }
        let lacking = |i: usize| count(&|r: &Reading| r.lacks[i]) + self.noted[i];
        let (cb, cs, pb, ps) = (
            sum_f(true, 0),
            sum_f(true, 1),
            sum_f(false, 0),
            sum_f(false, 1),
        );
        FlowBar {
            ticker: spec.ticker.clone(),
            expiry: spec.expiry_label().to_owned(),
            option_type: spec.option_type_label().to_owned(),
            interval: spec.interval_label(),
            min_premium: spec.min_premium,
            moneyness: spec.moneyness_label(),
            start,
            call_premium_bought: cb,
            call_premium_sold: cs,
            call_premium_mid: sum_f(true, 2),
            call_premium_no_side: sum_f(true, 3),
            put_premium_bought: pb,
            put_premium_sold: ps,
            put_premium_mid: sum_f(false, 2),
            put_premium_no_side: sum_f(false, 3),
            net_premium: (cb - cs) - (pb - ps),
            call_contracts_bought: sum_c(true, 0),
            call_contracts_sold: sum_c(true, 1),
            call_contracts_mid: sum_c(true, 2),
            call_contracts_no_side: sum_c(true, 3),
            put_contracts_bought: sum_c(false, 0),
            put_contracts_sold: sum_c(false, 1),
            put_contracts_mid: sum_c(false, 2),
            put_contracts_no_side: sum_c(false, 3),
            call_prints_bought: n(true, 0),
            call_prints_sold: n(true, 1),
            call_prints_mid: n(true, 2),
            call_prints_no_side: n(true, 3),
            put_prints_bought: n(false, 0),
            put_prints_sold: n(false, 1),
            put_prints_mid: n(false, 2),
            put_prints_no_side: n(false, 3),
            prints: self.counted.len() as i64,
            sweeps: count(&|r: &Reading| r.sweep),
            blocks: count(&|r: &Reading| r.block),
            multi_leg: count(&|r: &Reading| r.multi_leg),
            delta_notional: self
                .counted
                .iter()
                .filter_map(|(_, r, _)| r.delta_notional)
                .fold(0.0, |a, b| a + b),
            largest_premium: largest.map(|(v, _, _)| v),
            largest_option_symbol: largest.map(|(_, _, s)| s.to_owned()),
            first_underlying_price: first.map(|(_, u)| u),
            last_underlying_price: last.map(|(_, u)| u),
            late_prints: self.counted.iter().filter(|(_, _, late)| *late).count() as i64,
            missing_nbbo: lacking(0),
            bad_price: lacking(1),
            bad_size: lacking(2),
            missing_delta: lacking(3),
            missing_underlying_price: lacking(4),
            unknown_contract: self.noted[5],
            ts_event: end,
            ts_init: ts_init.max(end),
            instrument_id: Some(ids().ticker_id(&spec.ticker).into()),
        }
    }
}

/// The bars of `spec` over `arrivals` (in arrival order), then the end of the data.
fn reference(arrivals: &[OptionTrade], spec: &FlowBarSpec) -> Vec<FlowBar> {
    let mine: Vec<&OptionTrade> = arrivals
        .iter()
        .filter(|p| p.underlying_symbol == spec.ticker)
        .collect();
    let mut bars = Vec::new();
    match spec.window {
        Window::Interval(len) => {
            let Some(first) = mine.first() else {
                return bars;
            };
            let bucket = |t: u64| t - t % len;
            let mut latest = 0;
            let assigned: Vec<(u64, bool)> = mine
                .iter()
                .map(|p| {
                    latest = latest.max(p.executed_at);
                    (bucket(latest), bucket(p.executed_at) < bucket(latest))
                })
                .collect();
            let last_ts_init = mine.iter().map(|p| p.ts_init).max().unwrap();
            let mut start = bucket(first.executed_at);
            while start <= bucket(latest) {
                let mut members = Members::default();
                for (p, (at, late)) in mine.iter().zip(&assigned) {
                    if *at == start {
                        members.take(spec, p, *late);
                    }
                }
                // Built when the first print of a later interval arrived, or at the end.
                let built = mine
                    .iter()
                    .zip(&assigned)
                    .find(|(_, (at, _))| *at > start)
                    .map_or(last_ts_init, |(p, _)| p.ts_init);
                if members.is_touched() || spec.empty == EmptyBars::Emit {
                    bars.push(members.bar(spec, start, start + len, built));
                }
                start += len;
            }
        }
        Window::Every(n) => {
            let mut members = Members::default();
            let mut closed_end: Option<u64> = None;
            for p in mine {
                let late = closed_end.is_some_and(|e| p.executed_at < e);
                if members.take(spec, p, late) && members.counted.len() == n as usize {
                    let times = members.counted.iter().map(|(q, _, _)| q.executed_at);
                    let (start, end) = (times.clone().min().unwrap(), times.max().unwrap());
                    bars.push(members.bar(spec, start, end, p.ts_init));
                    closed_end = Some(closed_end.map_or(end, |e| e.max(end)));
                    members = Members::default();
                }
            }
        }
    }
    bars
}

// ---------------------------------------------------------------------------------------------
// Random prints and subscriptions
// ---------------------------------------------------------------------------------------------

prop_compose! {
    fn arb_print()(
        ticker in prop::sample::select(&TICKERS[..]),
        // 50 ms steps: many prints share an event time, which exercises every tie-break.
        at_step in 0u64..60,
        lateness_ms in 0u64..1_500,
        call in any::<bool>(),
        typed in prop::sample::select(&[true, true, true, false][..]),
        expiry in prop::sample::select(&[Some("2025-05-16"), Some("2025-05-16"), Some("2025-05-23"), None][..]),
        symbol_ok in prop::sample::select(&[true, true, true, false][..]),
        strike in prop::sample::select(&[Some(585.0), Some(590.0), Some(595.0), None][..]),
        bid in prop::sample::select(&[Some(0.0), Some(1.0), Some(2.5), None, Some(-0.1)][..]),
        spread in prop::sample::select(&[0.0, 0.05, 0.1, -0.05][..]),
        ask_ok in prop::sample::select(&[true, true, true, true, false][..]),
        price_at in 0usize..7,
        size in prop::sample::select(&[1i64, 1, 3, 10, 100, 250, 0, -2][..]),
        delta in prop::sample::select(&[Some(0.45), Some(-0.3), Some(f64::NAN), None][..]),
        underlying in prop::sample::select(&[Some(590.0), Some(589.5), Some(591.0), None, Some(0.0)][..]),
        symbol_strike in prop::sample::select(&["00585000", "00590000", "00595000"][..]),
        codes in prop::sample::subsequence(&CODES[..], 0..3),
    ) -> (OptionTrade, u64) {
        let t = T0 + at_step * 50 * MS;
        let mut p = option_trade(ticker, t);
        let bid_v = bid.unwrap_or(1.0);
        let ask_v = bid_v + spread;
        p.nbbo_bid = bid;
        p.nbbo_ask = ask_ok.then_some(ask_v);
        p.price = [bid_v, ask_v, bid_v + 0.02, bid_v - 0.01, ask_v + 0.3, f64::NAN, -1.0][price_at];
        p.size = size;
        p.delta = delta;
        p.underlying_price = underlying;
        p.strike = strike;
        p.expiry = expiry.map(Into::into);
        let cp = if call { "C" } else { "P" };
        p.option_symbol = if symbol_ok {
            format!("{ticker}250516{cp}{symbol_strike}").into()
        } else {
            "BAD".into()
        };
        p.option_type = typed.then(|| if call { "call" } else { "put" }.into());
        p.trade_code = codes.into_iter().collect();
        p.ts_init = t + (lateness_ms + 40) * MS;
        (p, t + lateness_ms * MS)
    }
}

prop_compose! {
    fn arb_spec()(
        ticker in prop::sample::select(&TICKERS[..3]),
        window in prop::sample::select(&[
            ("interval", "100ms"), ("interval", "250ms"), ("interval", "1s"), ("interval", "5s"),
            ("every", "1"), ("every", "3"), ("every", "10"),
        ][..]),
        expiry in prop::sample::select(&["all", "0dte", "2025-05-23"][..]),
        option_type in prop::sample::select(&["all", "call", "put"][..]),
        min_premium in prop::sample::select(&["0", "100", "5000"][..]),
        moneyness in prop::sample::select(&["all", "otm", "itm", "0.005"][..]),
        emit in any::<bool>(),
    ) -> FlowBarSpec {
        let mut pairs = vec![
            ("ticker", ticker), window, ("expiry", expiry), ("option_type", option_type),
            ("min_premium", min_premium), ("moneyness", moneyness),
        ];
        if window.0 == "interval" {
            pairs.push(("empty", if emit { "emit" } else { "skip" }));
        }
        FlowBarSpec::from_metadata(&pairs).unwrap()
    }
}

/// Prints in arrival order: by event time plus each print's lateness (ties in generation order).
fn arrival_order(mut prints: Vec<(OptionTrade, u64)>) -> Vec<OptionTrade> {
    prints.sort_by_key(|(_, arrival)| *arrival);
    prints.into_iter().map(|(p, _)| p).collect()
}

fn stream(spec: &FlowBarSpec, arrivals: &[OptionTrade]) -> Vec<FlowBar> {
    let mut aggregator = Aggregator::new(spec.clone(), &ids());
    let mut out = Vec::new();
    for p in arrivals {
        aggregator.push(p, &mut out);
    }
    aggregator.finish(&mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    #[test]
    fn aggregator_bars_equal_a_brute_force_sum(
        prints in prop::collection::vec(arb_print(), 0..60),
        spec in arb_spec(),
    ) {
        let arrivals = arrival_order(prints);
        prop_assert_eq!(stream(&spec, &arrivals), reference(&arrivals, &spec));
    }

    #[test]
    fn one_shared_pass_gives_each_subscription_its_own_bars(
        prints in prop::collection::vec(arb_print(), 0..60),
        specs in prop::collection::vec(arb_spec(), 1..5),
    ) {
        let arrivals = arrival_order(prints);
        let mut set = FlowBarSet::new();
        let members: Vec<u64> = specs
            .iter()
            .map(|s| set.insert(Aggregator::new(s.clone(), &ids())))
            .collect();
        let mut out = Vec::new();
        for p in &arrivals {
            set.push(p, &mut out);
        }
        set.finish(&mut out);
        for (id, spec) in members.iter().zip(&specs) {
            let mine: Vec<FlowBar> =
                out.iter().filter(|(m, _)| m == id).map(|(_, b)| b.clone()).collect();
            prop_assert_eq!(mine, stream(spec, &arrivals));
        }
    }

    #[test]
    fn live_and_stored_prints_give_identical_bars_in_event_time_order(
        prints in prop::collection::vec(arb_print(), 0..60),
        spec in arb_spec(),
        seed in any::<u64>(),
    ) {
        // Distinct event times, so that the stored function's order does not depend on the order
        // it is given the prints in.
        let prints: Vec<OptionTrade> = prints
            .into_iter()
            .enumerate()
            .map(|(i, (mut p, _))| {
                p.executed_at += i as u64;
                p
            })
            .collect();
        let mut in_order = prints.clone();
        in_order.sort_by_key(|p| p.executed_at);
        let mut shuffled = prints;
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i as u64) >> 33) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        let live = stream(&spec, &in_order);
        prop_assert_eq!(&live, &flow_bars(&shuffled, &spec, &ids()));
        prop_assert!(live.iter().all(|b| b.late_prints == 0));
        let starts: BTreeSet<u64> = live.iter().map(|b| b.start).collect();
        prop_assert_eq!(starts.len(), live.len(), "one bar per interval");
    }
}
