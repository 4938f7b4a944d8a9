//! When bars close: the aggregator of one subscription, the set that shares one pass over the
//! prints between subscriptions, and the same aggregator over stored prints.
//!
//! Time is UW's event time (`executed_at`). An interval closes when a print of the ticker with
//! an event time at or past its end arrives, or when [`Aggregator::flush_due`] finds its end plus
//! the grace period passed in wall time, so a quiet contract never holds a bar back. A print
//! whose event time falls before the open interval (its own already closed) is late: it is counted
//! in the open bar and in [`FlowBarStats::late`], never dropped and never in two bars.

use crate::aggregate::bar::{BarLabels, OpenBar};
use crate::aggregate::print::{Admission, PrintFacts, admit};
use crate::aggregate::spec::{EmptyBars, FlowBarSpec, Window};
use crate::common::symbol::InstrumentIdFormat;
use crate::data::{FlowBar, OptionTrade};

/// The most empty bars emitted for one gap between prints (`empty=emit`); the rest are counted
/// in [`FlowBarStats::empty_bars_dropped`]. A night of 100 ms bars would otherwise be 600,000
/// objects at the first print of the morning, and a print stamped 1970 billions.
pub const MAX_EMPTY_RUN: u64 = 100_000;

/// What an aggregator has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlowBarStats {
    /// Prints counted in bars.
    pub prints: u64,
    /// Counted prints that were late (their interval had closed).
    pub late: u64,
    /// Bars returned, empty ones included.
    pub bars: u64,
    /// Empty bars returned (`empty=emit`).
    pub empty_bars: u64,
    /// Empty bars not returned because a gap held more than [`MAX_EMPTY_RUN`].
    pub empty_bars_dropped: u64,
}

/// The flow bars of one subscription, fed its prints in arrival order.
#[derive(Debug, Clone)]
pub struct Aggregator {
    spec: FlowBarSpec,
    labels: BarLabels,
    bar: OpenBar,
    /// Time bars: the start of the open interval, every earlier one being closed; `None` before
    /// the first print.
    open_start: Option<u64>,
    /// Count bars: the end of the last closed bar.
    closed_end: Option<u64>,
    latest_ts_init: u64,
    stats: FlowBarStats,
}

impl Aggregator {
    /// An aggregator for `spec`, naming the underlying in `ids`' form.
    #[must_use]
    pub fn new(spec: FlowBarSpec, ids: &InstrumentIdFormat) -> Self {
        Self {
            labels: BarLabels::new(&spec, ids),
            spec,
            bar: OpenBar::default(),
            open_start: None,
            closed_end: None,
            latest_ts_init: 0,
            stats: FlowBarStats::default(),
        }
    }

    /// The subscription.
    #[must_use]
    pub const fn spec(&self) -> &FlowBarSpec {
        &self.spec
    }

    /// Counters since creation.
    #[must_use]
    pub const fn stats(&self) -> FlowBarStats {
        self.stats
    }

    /// Whether `print` is of this aggregator's ticker (other tickers' prints are not its time).
    #[must_use]
    pub fn wants(&self, print: &OptionTrade) -> bool {
        print
            .underlying_symbol
            .eq_ignore_ascii_case(&self.spec.ticker)
    }

    /// Takes the next print in arrival order; appends the bars it closes to `out`.
    pub fn push(&mut self, print: &OptionTrade, out: &mut Vec<FlowBar>) {
        if self.wants(print) {
            self.push_facts(&PrintFacts::of(print), &mut |bar| out.push(bar));
        }
    }

    /// Closes the intervals whose end plus the grace period is at or before `now_wall_ns`
    /// (and, with `empty=emit`, returns the empty ones); count bars never close on time.
    pub fn flush_due(&mut self, now_wall_ns: u64, out: &mut Vec<FlowBar>) {
        self.flush_due_into(now_wall_ns, &mut |bar| out.push(bar));
    }

    /// Closes the open time bar as at the end of the data, built at the latest arrival seen: the
    /// last bar of stored prints. An unfinished count bar stays open (live, it would not have
    /// been emitted either).
    pub fn finish(&mut self, out: &mut Vec<FlowBar>) {
        self.finish_into(&mut |bar| out.push(bar));
    }

    /// [`Aggregator::push`] of a print of this ticker, classified already.
    pub fn push_facts<F: FnMut(FlowBar)>(&mut self, f: &PrintFacts<'_>, emit: &mut F) {
        self.latest_ts_init = self.latest_ts_init.max(f.ts_init);
        let t = f.executed_at;
        let late = match (self.spec.window, self.open_start) {
            (Window::Interval(len), None) => {
                self.open_start = Some(t - t % len);
                false
            }
            (Window::Interval(len), Some(open)) => {
                if t >= open.saturating_add(len) {
                    self.close_until(t - t % len, f.ts_init, emit);
                }
                t < open
            }
            (Window::Every(_), _) => self.closed_end.is_some_and(|end| t < end),
        };
        match admit(&self.spec, f) {
            Admission::Count => {
                self.bar.add(f, late);
                self.stats.prints += 1;
                self.stats.late += u64::from(late);
                if let Window::Every(n) = self.spec.window
                    && self.bar.count >= i64::from(n)
                {
                    let (start, end) = (self.bar.first_event, self.bar.last_event);
                    self.emit_open(start, end, f.ts_init, emit);
                    self.closed_end = Some(self.closed_end.map_or(end, |e| e.max(end)));
                }
            }
            Admission::Note(reasons) => self.bar.note(reasons),
            Admission::Ignore => {}
        }
    }

    /// [`Aggregator::flush_due`] into a sink.
    pub fn flush_due_into<F: FnMut(FlowBar)>(&mut self, now_wall_ns: u64, emit: &mut F) {
        let (Window::Interval(len), Some(open)) = (self.spec.window, self.open_start) else {
            return;
        };
        let horizon = now_wall_ns.saturating_sub(self.spec.grace_ns);
        if open.saturating_add(len) <= horizon {
            self.close_until(horizon - horizon % len, now_wall_ns, emit);
        }
    }

    /// [`Aggregator::finish`] into a sink.
    pub fn finish_into<F: FnMut(FlowBar)>(&mut self, emit: &mut F) {
        if let (Window::Interval(len), Some(open)) = (self.spec.window, self.open_start) {
            let end = open.saturating_add(len);
            self.close_until(end, self.latest_ts_init, emit);
        }
    }

    /// Replaying arrivals: closes what the live client's flush of quiet intervals had closed by
    /// `arrival_ns`, each interval whose end plus the grace period came at or before it, built at
    /// the first instant the live flush could have (its grace run out, and its last print
    /// arrived; live, the flush runs every 10 ms, so it built it up to that much later). A run
    /// of empty intervals past [`MAX_EMPTY_RUN`], or of skipped ones, is closed at once.
    pub fn replay_flush_into<F: FnMut(FlowBar)>(&mut self, arrival_ns: u64, emit: &mut F) {
        let Window::Interval(len) = self.spec.window else {
            return;
        };
        let mut run = 0;
        while let Some(open) = self.open_start {
            let end = open.saturating_add(len);
            let due = end.saturating_add(self.spec.grace_ns);
            if due > arrival_ns {
                return;
            }
            if self.bar.is_empty() && (self.spec.empty == EmptyBars::Skip || run >= MAX_EMPTY_RUN) {
                self.flush_due_into(arrival_ns, emit);
                return;
            }
            self.close_until(end, due.max(self.latest_ts_init), emit);
            run += 1;
        }
    }

    /// Closes the open interval and every interval before `next_start` (a later interval start),
    /// which opens.
    fn close_until<F: FnMut(FlowBar)>(&mut self, next_start: u64, ts_init: u64, emit: &mut F) {
        let (Window::Interval(len), Some(open)) = (self.spec.window, self.open_start) else {
            return;
        };
        let end = open.saturating_add(len);
        if !self.bar.is_empty() || self.spec.empty == EmptyBars::Emit {
            self.emit_open(open, end, ts_init, emit);
        } else {
            self.bar.reset();
        }
        if self.spec.empty == EmptyBars::Emit && next_start > end {
            let gap = (next_start - end) / len;
            let emitted = gap.min(MAX_EMPTY_RUN);
            for k in 0..emitted {
                let start = end + k * len;
                self.emit_open(start, start + len, ts_init, emit);
            }
            self.stats.empty_bars_dropped += gap - emitted;
        }
        self.open_start = Some(next_start);
    }

    /// Emits the open bar over `[start, end)` and empties it.
    fn emit_open<F: FnMut(FlowBar)>(&mut self, start: u64, end: u64, ts_init: u64, emit: &mut F) {
        self.stats.bars += 1;
        self.stats.empty_bars += u64::from(self.bar.is_empty());
        emit(self.bar.build(&self.labels, start, end, ts_init));
        self.bar.reset();
    }
}

/// Several subscriptions sharing one pass over the prints: each print is classified once and
/// fed to every aggregator of its ticker.
#[derive(Debug, Clone, Default)]
pub struct FlowBarSet {
    members: Vec<(u64, Aggregator)>,
    next_id: u64,
}

impl FlowBarSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an aggregator; its bars come out tagged with the returned id.
    pub fn insert(&mut self, aggregator: Aggregator) -> u64 {
        let id = self.next_id;
        self.insert_as(id, aggregator);
        id
    }

    /// Adds an aggregator whose bars come out tagged with `id` (the live client uses its
    /// subscription ids); a member already under `id` is replaced.
    pub fn insert_as(&mut self, id: u64, aggregator: Aggregator) {
        self.remove(id);
        self.next_id = self.next_id.max(id.saturating_add(1));
        self.members.push((id, aggregator));
    }

    /// Every member with its id.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &Aggregator)> {
        self.members.iter().map(|(id, a)| (*id, a))
    }

    /// Whether some member counts the prints of `ticker`.
    #[must_use]
    pub fn has_ticker(&self, ticker: &str) -> bool {
        self.members
            .iter()
            .any(|(_, a)| a.spec().ticker.eq_ignore_ascii_case(ticker))
    }

    /// Removes and returns the aggregator `id`.
    pub fn remove(&mut self, id: u64) -> Option<Aggregator> {
        let at = self.members.iter().position(|(m, _)| *m == id)?;
        Some(self.members.remove(at).1)
    }

    /// The aggregator `id`.
    #[must_use]
    pub fn get(&self, id: u64) -> Option<&Aggregator> {
        self.members.iter().find(|(m, _)| *m == id).map(|(_, a)| a)
    }

    /// Whether the set holds no aggregator.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Feeds `print` to every aggregator of its ticker; appends the closed bars to `out`.
    pub fn push(&mut self, print: &OptionTrade, out: &mut Vec<(u64, FlowBar)>) {
        let mut facts = None;
        for (id, aggregator) in &mut self.members {
            if aggregator.wants(print) {
                let f = facts.get_or_insert_with(|| PrintFacts::of(print));
                aggregator.push_facts(f, &mut |bar| out.push((*id, bar)));
            }
        }
    }

    /// [`Aggregator::flush_due`] of every member.
    pub fn flush_due(&mut self, now_wall_ns: u64, out: &mut Vec<(u64, FlowBar)>) {
        self.flush_due_except(now_wall_ns, |_| false, out);
    }

    /// [`Aggregator::flush_due`] of every member whose ticker `held` does not name (prints of a
    /// held ticker are still on their way, so its quiet intervals are not over).
    pub fn flush_due_except(
        &mut self,
        now_wall_ns: u64,
        held: impl Fn(&str) -> bool,
        out: &mut Vec<(u64, FlowBar)>,
    ) {
        for (id, aggregator) in &mut self.members {
            if !held(&aggregator.spec().ticker) {
                aggregator.flush_due_into(now_wall_ns, &mut |bar| out.push((*id, bar)));
            }
        }
    }

    /// [`Aggregator::finish`] of every member.
    pub fn finish(&mut self, out: &mut Vec<(u64, FlowBar)>) {
        for (id, aggregator) in &mut self.members {
            aggregator.finish_into(&mut |bar| out.push((*id, bar)));
        }
    }
}

/// The bars `spec` gives over stored prints (a catalog, a REST download): the prints of its
/// ticker sorted by event time, fed to an [`Aggregator`], and its last time bar closed. The live
/// aggregator fed the same prints in that order returns the same bars.
///
/// Prints executed in the same millisecond are common on a busy ticker, and a catalog returns its
/// rows in no set order, yet the first and last print of a bar decide its
/// `first_underlying_price`, `last_underlying_price` and `largest_option_symbol`. So equal times
/// are taken in arrival order (`ts_init`), which in a catalog of `uw-nt record` is the order the
/// live feed saw, then by UW's trade id: the same prints give the same bars in any given order.
#[must_use]
pub fn flow_bars<'a>(
    prints: impl IntoIterator<Item = &'a OptionTrade>,
    spec: &FlowBarSpec,
    ids: &InstrumentIdFormat,
) -> Vec<FlowBar> {
    let mut sorted: Vec<&OptionTrade> = prints
        .into_iter()
        .filter(|p| p.underlying_symbol.eq_ignore_ascii_case(&spec.ticker))
        .collect();
    sorted.sort_by(|a, b| {
        (a.executed_at, a.ts_init, a.id.as_str()).cmp(&(b.executed_at, b.ts_init, b.id.as_str()))
    });
    let mut aggregator = Aggregator::new(spec.clone(), ids);
    let mut out = Vec::new();
    for print in sorted {
        aggregator.push(print, &mut out);
    }
    aggregator.finish(&mut out);
    out
}

/// The bars `spec` gives over prints in the order they arrived (a recording of the live feed,
/// every ticker's prints, `ts_init` their arrival): the bars the live feed delivered from them,
/// late prints included, plus the last time bar closed at the end (built at the latest arrival).
///
/// Live, a quiet interval closes once its grace period has passed in wall time, and a print of
/// it arriving later is late, in the next bar. Each arrival replays that: before it, every
/// interval whose grace ran out by then is closed, built at the instant it ran out (live, the
/// flush runs every 10 ms, so the live bar's `ts_init` is at most that much later).
#[must_use]
pub fn flow_bars_as_arrived<'a>(
    prints: impl IntoIterator<Item = &'a OptionTrade>,
    spec: &FlowBarSpec,
    ids: &InstrumentIdFormat,
) -> Vec<FlowBar> {
    let mut aggregator = Aggregator::new(spec.clone(), ids);
    let mut out = Vec::new();
    let mut last_arrival = None;
    for print in prints {
        // The prints of one frame share its arrival, and live no flush runs between them.
        if last_arrival != Some(print.ts_init) {
            aggregator.replay_flush_into(print.ts_init, &mut |bar| out.push(bar));
            last_arrival = Some(print.ts_init);
        }
        aggregator.push(print, &mut out);
    }
    aggregator.finish(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::testing::option_trade;

    /// 2025-05-16 14:00:00 New York, a whole second (and minute).
    const T0: u64 = 1_747_418_400_000_000_000;
    const MS: u64 = 1_000_000;
    const SEC: u64 = 1_000 * MS;

    fn aggregator(pairs: &[(&str, &str)]) -> Aggregator {
        let mut all = vec![("ticker", "SPY")];
        all.extend_from_slice(pairs);
        Aggregator::new(
            FlowBarSpec::from_metadata(&all).unwrap(),
            &InstrumentIdFormat::new("SMART", false),
        )
    }

    /// A one-contract call bought at the 1.10 ask, arriving 50 ms after `at`.
    fn print(at: u64) -> OptionTrade {
        let mut p = option_trade("SPY", at);
        p.price = 1.10;
        p
    }

    fn feed(agg: &mut Aggregator, times: &[u64]) -> Vec<FlowBar> {
        let mut out = Vec::new();
        for &t in times {
            agg.push(&print(t), &mut out);
        }
        out
    }

    #[test]
    fn a_bar_closes_when_a_later_print_passes_its_end() {
        let mut agg = aggregator(&[("interval", "1s")]);
        assert!(feed(&mut agg, &[T0 + 100 * MS, T0 + 999 * MS]).is_empty());
        let bars = feed(&mut agg, &[T0 + SEC]);
        assert_eq!(bars.len(), 1);
        let bar = &bars[0];
        assert_eq!((bar.start, bar.ts_event), (T0, T0 + SEC));
        assert_eq!(
            bar.ts_init,
            T0 + SEC + 50 * MS,
            "built when the closing print arrived"
        );
        assert_eq!(
            (
                bar.prints,
                bar.call_prints_bought,
                bar.call_contracts_bought
            ),
            (2, 2, 2)
        );
        let premium = 1.10 * 100.0;
        assert_eq!(bar.call_premium_bought, premium + premium);
        assert_eq!(bar.net_premium, premium + premium);
        assert_eq!(bar.instrument_id.as_deref(), Some("SPY.SMART"));
        assert_eq!((bar.interval.as_str(), bar.expiry.as_str()), ("1s", "all"));
    }

    #[test]
    fn late_prints_count_in_the_next_bar_and_in_stats() {
        let mut agg = aggregator(&[("interval", "1s")]);
        let closed = feed(&mut agg, &[T0 + 500 * MS, T0 + SEC + 10 * MS]);
        assert_eq!(closed[0].prints, 1);
        // Belongs to [T0, T0+1s), which has closed: counted in [T0+1s, T0+2s).
        assert!(feed(&mut agg, &[T0 + 900 * MS]).is_empty());
        let bars = feed(&mut agg, &[T0 + 2 * SEC]);
        assert_eq!(
            (bars[0].start, bars[0].prints, bars[0].late_prints),
            (T0 + SEC, 2, 1)
        );
        assert_eq!(agg.stats().late, 1);
        assert_eq!(agg.stats().prints, 4);
    }

    #[test]
    fn empty_intervals_are_skipped_or_emitted() {
        let times = [T0 + 100 * MS, T0 + 3 * SEC + 100 * MS];
        let bars = feed(&mut aggregator(&[("interval", "1s")]), &times);
        assert_eq!(bars.iter().map(|b| b.start).collect::<Vec<_>>(), [T0]);

        let mut agg = aggregator(&[("interval", "1s"), ("empty", "emit")]);
        let bars = feed(&mut agg, &times);
        assert_eq!(
            bars.iter().map(|b| (b.start, b.prints)).collect::<Vec<_>>(),
            [(T0, 1), (T0 + SEC, 0), (T0 + 2 * SEC, 0)]
        );
        let empty = &bars[1];
        assert_eq!(
            (
                empty.ts_event,
                empty.largest_premium,
                empty.first_underlying_price
            ),
            (T0 + 2 * SEC, None, None)
        );
        assert_eq!(agg.stats().empty_bars, 2);
    }

    #[test]
    fn a_gap_emits_at_most_max_empty_run_bars() {
        let mut agg = aggregator(&[("interval", "100ms"), ("empty", "emit")]);
        let gap = MAX_EMPTY_RUN + 5;
        let bars = feed(&mut agg, &[T0, T0 + (gap + 1) * 100 * MS]);
        assert_eq!(bars.len() as u64, 1 + MAX_EMPTY_RUN);
        assert_eq!(agg.stats().empty_bars_dropped, 5);
    }

    #[test]
    fn a_quiet_bar_closes_after_its_grace_in_wall_time() {
        let mut agg = aggregator(&[("interval", "1s"), ("grace_ms", "200")]);
        feed(&mut agg, &[T0 + 300 * MS]);
        let mut out = Vec::new();
        agg.flush_due(T0 + SEC + 199 * MS, &mut out);
        assert!(out.is_empty(), "the grace has not passed");
        agg.flush_due(T0 + SEC + 200 * MS, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].ts_event, out[0].ts_init),
            (T0 + SEC, T0 + SEC + 200 * MS)
        );
        // Its interval is closed: a print of it now is late, in the next bar.
        feed(&mut agg, &[T0 + 800 * MS]);
        assert_eq!(agg.stats().late, 1);
        let mut out = Vec::new();
        agg.flush_due(T0 + 2 * SEC + 200 * MS, &mut out);
        assert_eq!((out[0].start, out[0].late_prints), (T0 + SEC, 1));
    }

    #[test]
    fn a_flush_emits_the_due_empty_intervals_and_moves_the_open_one_on() {
        let mut agg = aggregator(&[("interval", "1s"), ("empty", "emit"), ("grace_ms", "0")]);
        feed(&mut agg, &[T0]);
        let mut out = Vec::new();
        agg.flush_due(T0 + 3 * SEC + 500 * MS, &mut out);
        assert_eq!(
            out.iter().map(|b| (b.start, b.prints)).collect::<Vec<_>>(),
            [(T0, 1), (T0 + SEC, 0), (T0 + 2 * SEC, 0)]
        );
        // [T0+3s, T0+4s) is open: a print in it is on time.
        feed(&mut agg, &[T0 + 3 * SEC + 600 * MS]);
        assert_eq!(agg.stats().late, 0);
        // Skipping empties moves the open interval all the same.
        let mut skip = aggregator(&[("interval", "1s"), ("grace_ms", "0")]);
        feed(&mut skip, &[T0]);
        let mut out = Vec::new();
        skip.flush_due(T0 + 3 * SEC + 500 * MS, &mut out);
        assert_eq!(out.len(), 1);
        feed(&mut skip, &[T0 + 2 * SEC]);
        assert_eq!(skip.stats().late, 1);
    }

    /// The live client's handling of `arrivals` (print, arrival ns, in arrival order): the
    /// flush of quiet intervals on a 10 ms tick, each print pushed as it arrives, and the
    /// last bar closed at the end.
    fn live_bars(spec: &FlowBarSpec, arrivals: &[OptionTrade]) -> Vec<FlowBar> {
        let mut agg = Aggregator::new(spec.clone(), &InstrumentIdFormat::new("SMART", false));
        let mut out = Vec::new();
        let mut tick = T0;
        for print in arrivals {
            while tick <= print.ts_init {
                agg.flush_due(tick, &mut out);
                tick += 10 * MS;
            }
            agg.push(print, &mut out);
        }
        agg.finish(&mut out);
        out
    }

    fn replayed_bars(spec: &FlowBarSpec, arrivals: &[OptionTrade]) -> Vec<FlowBar> {
        flow_bars_as_arrived(arrivals, spec, &InstrumentIdFormat::new("SMART", false))
    }

    #[test]
    fn a_replay_closes_a_quiet_interval_as_the_live_flush_did() {
        // A print, 2.5 s of quiet (the first interval's grace runs out at T0+2s), then a print
        // of that first interval arriving late, and one of the third interval.
        let spec = FlowBarSpec::from_metadata(&[("ticker", "SPY"), ("interval", "1s")]).unwrap();
        let first = print(T0 + 10 * MS);
        let mut straggler = print(T0 + 500 * MS);
        straggler.ts_init = T0 + 2_550 * MS;
        let third = print(T0 + 2_600 * MS);
        let arrivals = [first, straggler, third];
        let bars = replayed_bars(&spec, &arrivals);
        assert_eq!(
            bars.iter()
                .map(|b| (b.start, b.prints, b.late_prints))
                .collect::<Vec<_>>(),
            [(T0, 1, 0), (T0 + SEC, 1, 1), (T0 + 2 * SEC, 1, 0)],
            "the straggler is late, in the open bar, as live"
        );
        assert_eq!(
            bars[0].ts_init,
            T0 + 2 * SEC,
            "built when its grace ran out"
        );
        assert_eq!(bars, live_bars(&spec, &arrivals));
        // Two prints of one frame, the first long overdue: live, both land in the bar the first
        // opens, no flush running between them.
        let mut early = print(T0 + 100 * MS);
        let mut later = print(T0 + 200 * MS);
        (early.ts_init, later.ts_init) = (T0 + 2_500 * MS, T0 + 2_500 * MS);
        let frame = [early, later];
        let grace0 =
            FlowBarSpec::from_metadata(&[("ticker", "SPY"), ("interval", "1s"), ("grace_ms", "0")])
                .unwrap();
        let one_frame = replayed_bars(&grace0, &frame);
        assert_eq!((one_frame[0].prints, one_frame[0].late_prints), (2, 0));
        assert_eq!(one_frame, live_bars(&grace0, &frame));
        // Sorted by event time instead, the straggler is on time in the first bar.
        let sorted = flow_bars(&arrivals, &spec, &InstrumentIdFormat::new("SMART", false));
        assert_eq!((sorted[0].prints, sorted[0].late_prints), (2, 0));
    }

    proptest::proptest! {
        #[test]
        fn a_replay_of_arrivals_gives_the_live_bars(
            prints in proptest::collection::vec((0u64..6_000, 0u64..2_500), 1..40),
            grace_ms in proptest::sample::select(vec![0u64, 200, 1_000]),
            emit in proptest::bool::ANY,
        ) {
            let grace = grace_ms.to_string();
            let mut pairs = vec![("ticker", "SPY"), ("interval", "1s"), ("grace_ms", grace.as_str())];
            if emit {
                pairs.push(("empty", "emit"));
            }
            let spec = FlowBarSpec::from_metadata(&pairs).unwrap();
            // Arrivals on the flush's 10 ms grid, one per instant: the live outcome does not
            // then depend on where between two flushes a print came.
            let mut arrivals: Vec<OptionTrade> = Vec::new();
            let mut last_arrival = 0;
            let mut by_arrival: Vec<(u64, u64)> = prints
                .iter()
                .map(|&(at_ms, delay_ms)| (at_ms + delay_ms, at_ms))
                .collect();
            by_arrival.sort_unstable();
            for (arrival_ms, at_ms) in by_arrival {
                let arrival_ms = (arrival_ms / 10 * 10).max(last_arrival + 10);
                last_arrival = arrival_ms;
                let mut p = print(T0 + at_ms * MS);
                p.ts_init = T0 + arrival_ms * MS;
                arrivals.push(p);
            }
            let (mut replayed, mut live) = (replayed_bars(&spec, &arrivals), live_bars(&spec, &arrivals));
            proptest::prop_assert_eq!(replayed.len(), live.len());
            for (r, l) in replayed.iter_mut().zip(live.iter_mut()) {
                proptest::prop_assert!(
                    r.ts_init <= l.ts_init && l.ts_init - r.ts_init <= 10 * MS,
                    "built at {} replayed, {} live", r.ts_init, l.ts_init
                );
                (r.ts_init, l.ts_init) = (0, 0);
            }
            proptest::prop_assert_eq!(replayed, live);
        }
    }

    #[test]
    fn every_n_closes_on_the_nth_counted_print() {
        let mut agg = aggregator(&[("every", "3"), ("option_type", "call")]);
        let mut put = print(T0 + 2 * MS);
        put.option_type = Some("put".into());
        let mut out = Vec::new();
        agg.push(&print(T0 + 5 * MS), &mut out);
        agg.push(&put, &mut out);
        agg.push(&print(T0 + MS), &mut out);
        assert!(out.is_empty(), "the put is another bucket's");
        agg.push(&print(T0 + 9 * MS), &mut out);
        assert_eq!(out.len(), 1);
        let bar = &out[0];
        assert_eq!(
            (bar.prints, bar.start, bar.ts_event),
            (3, T0 + MS, T0 + 9 * MS)
        );
        assert_eq!(bar.interval, "every 3");
        agg.push(&print(T0 + 8 * MS), &mut out);
        assert_eq!(agg.stats().late, 1, "before the last bar's end");
        let mut last = Vec::new();
        agg.flush_due(u64::MAX, &mut last);
        agg.finish(&mut last);
        assert!(last.is_empty(), "an unfinished count bar is never emitted");
    }

    #[test]
    fn the_largest_print_is_the_earliest_of_equal_premiums() {
        let largest = |prints: &[(u64, &str, i64)]| {
            let mut agg = aggregator(&[("interval", "1s")]);
            let mut out = Vec::new();
            for &(at, symbol, size) in prints {
                let mut p = print(T0 + at * MS);
                (p.option_symbol, p.size) = (symbol.into(), size);
                agg.push(&p, &mut out);
            }
            agg.finish(&mut out);
            (out[0].largest_premium, out[0].largest_option_symbol.clone())
        };
        let two = Some(2.0 * 1.10 * 100.0);
        let (a, b, c) = (
            "SPY250516C00591000",
            "SPY250516C00592000",
            "SPY250516C00593000",
        );
        // Equal premium and time: the first to arrive.
        assert_eq!(
            largest(&[(300, a, 2), (300, b, 2), (400, c, 1)]),
            (two, Some(a.into()))
        );
        // Equal premium: the earlier event time, though it arrived later.
        assert_eq!(largest(&[(300, a, 2), (200, b, 2)]), (two, Some(b.into())));
        assert_eq!(largest(&[(300, a, 1), (400, c, 2)]), (two, Some(c.into())));
    }

    #[test]
    fn a_bar_only_noted_in_is_not_empty() {
        let mut agg = aggregator(&[("interval", "1s"), ("expiry", "0dte")]);
        let mut unknown = print(T0);
        (unknown.expiry, unknown.option_symbol) = (None, "?".into());
        let mut out = Vec::new();
        agg.push(&unknown, &mut out);
        agg.finish(&mut out);
        assert_eq!(
            (out.len(), out[0].prints, out[0].unknown_contract),
            (1, 0, 1)
        );
    }

    #[test]
    fn a_set_feeds_one_classified_print_to_every_spec_of_its_ticker() {
        let mut set = FlowBarSet::new();
        let one = set.insert(aggregator(&[("interval", "1s")]));
        let calls = set.insert(aggregator(&[("interval", "1s"), ("option_type", "call")]));
        let puts = set.insert(aggregator(&[("interval", "1s"), ("option_type", "put")]));
        let count = set.insert(aggregator(&[("every", "2")]));
        let mut out = Vec::new();
        for t in [T0, T0 + 10 * MS, T0 + SEC] {
            set.push(&print(t), &mut out);
        }
        set.push(&option_trade("QQQ", T0 + 5 * SEC), &mut out);
        let ids: Vec<u64> = out.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [count, one, calls]);
        assert_eq!(set.get(puts).unwrap().stats().prints, 0);
        assert!(set.remove(puts).is_some() && set.get(puts).is_none());
        let mut rest = Vec::new();
        set.finish(&mut rest);
        assert_eq!(
            rest.iter()
                .map(|(id, b)| (*id, b.start))
                .collect::<Vec<_>>(),
            [(one, T0 + SEC), (calls, T0 + SEC)]
        );
    }

    #[test]
    fn stored_prints_are_sorted_by_event_time_and_the_last_bar_closed() {
        let spec = FlowBarSpec::from_metadata(&[("ticker", "SPY"), ("interval", "1s")]).unwrap();
        let ids = InstrumentIdFormat::new("SMART", false);
        let prints = [
            print(T0 + 1_500 * MS),
            print(T0 + 200 * MS),
            option_trade("QQQ", T0),
            print(T0 + 900 * MS),
        ];
        let bars = flow_bars(&prints, &spec, &ids);
        assert_eq!(
            bars.iter()
                .map(|b| (b.start, b.prints, b.late_prints))
                .collect::<Vec<_>>(),
            [(T0, 2, 0), (T0 + SEC, 1, 0)]
        );
        assert_eq!(
            bars[1].ts_init,
            T0 + 2 * SEC,
            "the latest arrival, raised to the end"
        );
    }

    #[test]
    fn stored_prints_of_one_millisecond_give_the_same_bars_in_any_given_order() {
        let spec = FlowBarSpec::from_metadata(&[("ticker", "SPY"), ("interval", "1s")]).unwrap();
        let ids = InstrumentIdFormat::new("SMART", false);
        let at = T0 + 400 * MS;
        let mut first = print(at);
        first.underlying_price = Some(589.10);
        let mut second = print(at);
        second.id = "SPY-second".into();
        second.ts_init = first.ts_init + 3;
        second.underlying_price = Some(589.40);
        let mut twin = print(at);
        twin.id = "SPY-twin".into();
        twin.ts_init = second.ts_init;
        twin.underlying_price = Some(589.70);
        let arrived = [first.clone(), second.clone(), twin.clone()];
        let live = flow_bars_as_arrived(&arrived, &spec, &ids);
        assert_eq!(
            (
                live[0].first_underlying_price,
                live[0].last_underlying_price
            ),
            (Some(589.10), Some(589.70))
        );
        for order in [
            [&twin, &second, &first],
            [&second, &first, &twin],
            [&first, &twin, &second],
        ] {
            let stored = flow_bars(order, &spec, &ids);
            assert_eq!(
                stored, live,
                "a catalog's row order must not change the bars"
            );
        }
    }
}
