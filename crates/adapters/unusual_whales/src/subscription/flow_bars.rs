//! Live flow bars: the aggregators of the client's `UwFlowBar` subscriptions, fed the option
//! prints of their tickers' channels as the frames are parsed, before anything reaches Python.
//!
//! A subscription joins its ticker's `option_trades:<TICKER>` channel and counts only the prints
//! that arrive there: a print of the all-tickers channel is the same print again (when both are
//! joined), so counting it too would count it twice. All subscriptions of a ticker share one pass
//! over each frame's prints ([`FlowBarSet`]).
//!
//! After a reconnect the prints the gap missed come from REST while live prints already flow
//! again. So that the aggregator still sees prints in event-time order, a ticker whose channel is
//! being back-filled is *held*: its live prints wait here (and its quiet intervals are not flushed)
//! until the back-fill ends, then the two are merged by event time and fed. A hold that grows past
//! [`MAX_HELD_PRINTS`], or lasts [`MAX_HOLD_NS`] (a back-fill waiting out 429s or a hung request),
//! is released early; what the back-fill brings later is then counted late, never dropped.

use std::collections::HashMap;

use crate::aggregate::{Aggregator, FlowBarSet, FlowBarStats};
use crate::data::{FlowBar, OptionTrade};
use crate::subscription::channel::{ChannelKind, UwChannel};
use crate::subscription::table::SubscriptionId;

/// The most live prints held for one ticker during a back-fill: at UW's busiest (a few thousand
/// prints a second for SPY) several minutes of them, far more than a back-fill takes.
pub const MAX_HELD_PRINTS: usize = 500_000;

/// The longest a ticker's bars wait for its back-fill, in wall-clock nanoseconds: a back-fill
/// takes a second or two; one that waits out rate limits or a hung request must not stop the
/// ticker's bars for minutes.
pub const MAX_HOLD_NS: u64 = 5_000_000_000;

/// A ticker's prints waiting for its back-fill(s).
#[derive(Debug, Default)]
struct Hold {
    /// Back-fills still running for the ticker.
    pending: usize,
    prints: Vec<OptionTrade>,
    /// When the hold began (UNIX ns, wall clock).
    since_ns: u64,
}

/// The live flow-bar aggregators and the tickers held for a back-fill.
#[derive(Debug, Default)]
pub struct LiveFlowBars {
    set: FlowBarSet,
    holds: HashMap<String, Hold>,
    /// Live prints fed later than they arrived because of a hold (for `stats()`).
    held_total: u64,
}

/// What the live aggregators have done, summed over the subscriptions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveFlowBarStats {
    /// `UwFlowBar` subscriptions.
    pub subscriptions: u64,
    /// Sums of the aggregators' counters.
    pub totals: FlowBarStats,
    /// Live prints that waited for a back-fill before they were counted.
    pub held_prints: u64,
}

impl LiveFlowBars {
    /// Adds the aggregator of subscription `id`.
    pub fn insert(&mut self, id: SubscriptionId, aggregator: Aggregator) {
        self.set.insert_as(id, aggregator);
    }

    /// Removes the aggregator of subscription `id` (its open bar is not emitted).
    pub fn remove(&mut self, id: SubscriptionId) {
        self.set.remove(id);
        let set = &self.set;
        self.holds.retain(|ticker, _| set.has_ticker(ticker));
    }

    /// Whether there is no flow-bar subscription.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The ticker whose aggregators count the prints of `channel`, if any.
    fn ticker_of<'c>(&self, channel: &'c UwChannel) -> Option<&'c str> {
        let ticker = channel.ticker.as_deref()?;
        (channel.kind == ChannelKind::OptionTrades && self.set.has_ticker(ticker)).then_some(ticker)
    }

    /// Feeds the prints of one frame of `channel`, or holds them while the ticker is back-filled;
    /// appends the bars they close.
    pub fn push(
        &mut self,
        channel: &UwChannel,
        prints: &[OptionTrade],
        out: &mut Vec<(SubscriptionId, FlowBar)>,
    ) {
        let Some(ticker) = self.ticker_of(channel) else {
            return;
        };
        if let Some(hold) = self.holds.get_mut(ticker) {
            hold.prints.extend_from_slice(prints);
            self.held_total += prints.len() as u64;
            if hold.prints.len() > MAX_HELD_PRINTS {
                let ticker = ticker.to_owned();
                self.feed_hold(&ticker, out);
            }
            return;
        }
        for print in prints {
            self.set.push(print, out);
        }
    }

    /// Holds `channel`'s ticker until [`LiveFlowBars::release`] for a back-fill about to start;
    /// returns whether it did (only per-ticker option-print channels with flow bars are held).
    pub fn hold(&mut self, channel: &UwChannel, now_wall_ns: u64) -> bool {
        let Some(ticker) = self.ticker_of(channel) else {
            return false;
        };
        let hold = self.holds.entry(ticker.to_owned()).or_insert_with(|| Hold {
            since_ns: now_wall_ns,
            ..Hold::default()
        });
        hold.pending += 1;
        true
    }

    /// Ends one back-fill of `channel`'s ticker with the prints it found (not yet delivered): once
    /// no back-fill of the ticker runs, they and the held live prints are fed in event-time order.
    pub fn release(
        &mut self,
        channel: &UwChannel,
        backfilled: &[OptionTrade],
        out: &mut Vec<(SubscriptionId, FlowBar)>,
    ) {
        let Some(ticker) = channel.ticker.as_deref() else {
            return;
        };
        match self.holds.get_mut(ticker) {
            Some(hold) => {
                hold.prints.extend_from_slice(backfilled);
                hold.pending = hold.pending.saturating_sub(1);
                if hold.pending == 0 {
                    let ticker = ticker.to_owned();
                    self.feed_hold(&ticker, out);
                }
            }
            // Released early (too many held prints) or never held: count them now, late.
            None => {
                if self.ticker_of(channel).is_some() {
                    let mut sorted: Vec<&OptionTrade> = backfilled.iter().collect();
                    sorted.sort_by_key(|p| p.executed_at);
                    for print in sorted {
                        self.set.push(print, out);
                    }
                }
            }
        }
    }

    /// Feeds a ticker's held prints by event time (equal times keep their order) and ends its hold.
    fn feed_hold(&mut self, ticker: &str, out: &mut Vec<(SubscriptionId, FlowBar)>) {
        let Some(mut hold) = self.holds.remove(ticker) else {
            return;
        };
        hold.prints.sort_by_key(|p| p.executed_at);
        for print in &hold.prints {
            self.set.push(print, out);
        }
    }

    /// Closes the quiet intervals whose grace period has passed at `now_wall_ns`, except those of
    /// held tickers.
    pub fn flush_due(&mut self, now_wall_ns: u64, out: &mut Vec<(SubscriptionId, FlowBar)>) {
        let overdue: Vec<String> = self
            .holds
            .iter()
            .filter(|(_, h)| now_wall_ns.saturating_sub(h.since_ns) >= MAX_HOLD_NS)
            .map(|(t, _)| t.clone())
            .collect();
        for ticker in overdue {
            self.feed_hold(&ticker, out);
        }
        let holds = &self.holds;
        self.set
            .flush_due_except(now_wall_ns, |t| holds.contains_key(t), out);
    }

    /// The counters, summed.
    #[must_use]
    pub fn stats(&self) -> LiveFlowBarStats {
        let mut out = LiveFlowBarStats {
            held_prints: self.held_total,
            ..LiveFlowBarStats::default()
        };
        for (_, aggregator) in self.set.iter() {
            let s = aggregator.stats();
            out.subscriptions += 1;
            out.totals.prints += s.prints;
            out.totals.late += s.late;
            out.totals.bars += s.bars;
            out.totals.empty_bars += s.empty_bars;
            out.totals.empty_bars_dropped += s.empty_bars_dropped;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::FlowBarSpec;
    use crate::aggregate::testing::option_trade;
    use crate::common::symbol::InstrumentIdFormat;

    const T0: u64 = 1_747_418_400_000_000_000;
    const SEC: u64 = 1_000_000_000;

    fn live(pairs: &[(&str, &str)]) -> LiveFlowBars {
        let mut bars = LiveFlowBars::default();
        bars.insert(
            7,
            Aggregator::new(
                FlowBarSpec::from_metadata(pairs).unwrap(),
                &InstrumentIdFormat::new("SMART", false),
            ),
        );
        bars
    }

    fn channel(name: &str) -> UwChannel {
        UwChannel::parse(name).unwrap()
    }

    #[test]
    fn only_the_tickers_own_channel_is_counted() {
        let mut bars = live(&[("ticker", "SPY"), ("interval", "1s")]);
        let mut out = Vec::new();
        let print = option_trade("SPY", T0 + 1);
        // The same print on the all-tickers channel must not be counted a second time.
        bars.push(
            &channel("option_trades"),
            std::slice::from_ref(&print),
            &mut out,
        );
        bars.push(&channel("option_trades:SPY"), &[print], &mut out);
        bars.push(
            &channel("option_trades:QQQ"),
            &[option_trade("QQQ", T0 + 2)],
            &mut out,
        );
        bars.push(
            &channel("option_trades:SPY"),
            &[option_trade("SPY", T0 + SEC)],
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, 7);
        assert_eq!(out[0].1.prints, 1);
    }

    #[test]
    fn a_back_filled_gap_is_counted_in_event_time_order_not_late() {
        let spy = channel("option_trades:SPY");
        let pairs = [("ticker", "SPY"), ("interval", "1s")];
        // Without a hold: the live print of the next second closes the gap's bar first, and the
        // back-filled print of that second is late.
        let mut unheld = live(&pairs);
        let mut out = Vec::new();
        unheld.push(&spy, &[option_trade("SPY", T0 + 1)], &mut out);
        unheld.push(&spy, &[option_trade("SPY", T0 + 2 * SEC)], &mut out);
        unheld.release(&spy, &[option_trade("SPY", T0 + SEC + 5)], &mut out);
        assert_eq!(unheld.stats().totals.late, 1);

        let mut held = live(&pairs);
        let mut out = Vec::new();
        held.push(&spy, &[option_trade("SPY", T0 + 1)], &mut out);
        assert!(held.hold(&spy, T0 + 2 * SEC));
        held.push(&spy, &[option_trade("SPY", T0 + 2 * SEC)], &mut out);
        // Nothing is flushed on time while the ticker waits for its gap.
        held.flush_due(T0 + 2 * SEC + MAX_HOLD_NS - 1, &mut out);
        assert!(out.is_empty());
        held.release(&spy, &[option_trade("SPY", T0 + SEC + 5)], &mut out);
        let s = held.stats();
        assert_eq!((s.totals.late, s.totals.prints, s.held_prints), (0, 3, 1));
        let ends: Vec<u64> = out.iter().map(|(_, b)| b.ts_event).collect();
        assert_eq!(ends, vec![T0 + SEC, T0 + 2 * SEC]);
    }

    #[test]
    fn overlapping_back_fills_release_the_ticker_once_both_ended() {
        let spy = channel("option_trades:SPY");
        let mut bars = live(&[("ticker", "SPY"), ("interval", "1s")]);
        let mut out = Vec::new();
        assert!(bars.hold(&spy, T0) && bars.hold(&spy, T0));
        bars.push(&spy, &[option_trade("SPY", T0 + 3 * SEC)], &mut out);
        bars.release(&spy, &[option_trade("SPY", T0 + SEC)], &mut out);
        assert_eq!(bars.stats().totals.prints, 0, "one back-fill still runs");
        bars.release(&spy, &[option_trade("SPY", T0 + 2 * SEC)], &mut out);
        assert_eq!(bars.stats().totals.prints, 3);
        assert_eq!(bars.stats().totals.late, 0);
    }

    #[test]
    fn a_hold_that_outgrows_its_bound_is_fed_and_nothing_is_lost() {
        let spy = channel("option_trades:SPY");
        let mut bars = live(&[("ticker", "SPY"), ("every", "1000000")]);
        let mut out = Vec::new();
        assert!(bars.hold(&spy, T0));
        let batch: Vec<OptionTrade> = (0..1000).map(|i| option_trade("SPY", T0 + i)).collect();
        for _ in 0..=MAX_HELD_PRINTS / 1000 {
            bars.push(&spy, &batch, &mut out);
        }
        let fed = bars.stats().totals.prints;
        assert!(fed > MAX_HELD_PRINTS as u64, "{fed}");
        bars.release(&spy, &batch[..10], &mut out);
        assert_eq!(bars.stats().totals.prints, fed + 10);
    }

    #[test]
    fn a_hold_that_outlasts_its_bound_is_fed_on_time_and_the_late_gap_counted() {
        let spy = channel("option_trades:SPY");
        let mut bars = live(&[("ticker", "SPY"), ("interval", "1s")]);
        let mut out = Vec::new();
        let wall = T0 + 3 * SEC;
        assert!(bars.hold(&spy, wall));
        bars.push(&spy, &[option_trade("SPY", T0 + 3 * SEC)], &mut out);
        bars.push(&spy, &[option_trade("SPY", T0 + 4 * SEC)], &mut out);
        // The back-fill hangs: past the bound the held prints are fed, and bars flow again.
        bars.flush_due(wall + MAX_HOLD_NS, &mut out);
        let s = bars.stats();
        assert_eq!((s.totals.prints, s.held_prints), (2, 2));
        assert!(!out.is_empty(), "the held bar closed");
        // What the back-fill brings at last is counted, late, not lost.
        bars.release(&spy, &[option_trade("SPY", T0 + SEC)], &mut out);
        let s = bars.stats();
        assert_eq!((s.totals.prints, s.totals.late), (3, 1));
    }

    #[test]
    fn channels_without_flow_bars_are_not_held() {
        let mut bars = live(&[("ticker", "SPY"), ("interval", "1s")]);
        assert!(!bars.hold(&channel("option_trades"), T0));
        assert!(!bars.hold(&channel("option_trades:QQQ"), T0));
        assert!(!bars.hold(&channel("flow-alerts"), T0));
        bars.remove(7);
        assert!(!bars.hold(&channel("option_trades:SPY"), T0));
    }
}
