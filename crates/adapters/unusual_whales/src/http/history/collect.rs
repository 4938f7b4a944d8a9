//! The records of one history query as its pages arrive: the paging cursor, the range and filter,
//! and each record delivered once (the latest revision of a record with a UW id), oldest first.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::data::record::UwRecord;
use crate::data::view::RecordView;
use crate::data::*;
use crate::subscription::metadata::UwFilter;

/// Milliseconds of a UNIX-nanosecond time (UW's cursors are in milliseconds).
pub(super) fn ms(ns: u64) -> u64 {
    ns / 1_000_000
}

/// Takes one record type's records back out of a payload.
trait FromPayload: Sized {
    /// The records, or the payload back when it holds another type.
    fn from_payload(payload: UwPayload) -> Result<Vec<Self>, UwPayload>;
}

macro_rules! from_payload_impls {
    ($($variant:ident),* $(,)?) => {$(
        impl FromPayload for crate::data::$variant {
            fn from_payload(payload: UwPayload) -> Result<Vec<Self>, UwPayload> {
                match payload {
                    UwPayload::$variant(records) => Ok(records),
                    other => Err(other),
                }
            }
        }
    )*};
}

crate::data::with_record_types!(from_payload_impls);

/// How history tells the deliveries of one record apart from different records.
trait HistoryRecord: RecordView + PayloadItem + FromPayload + PartialEq + std::hash::Hash {
    /// UW's id, shared by every revision of one record. `None` for types without one (and for
    /// records UW sent without theirs): those are de-duplicated whole.
    fn uw_id(&self) -> Option<&str> {
        None
    }

    /// When UW created this revision, UNIX ns, where the record says.
    fn created_at(&self) -> Option<u64> {
        None
    }
}

impl HistoryRecord for FlowAlert {
    fn uw_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn created_at(&self) -> Option<u64> {
        self.created_at
    }
}

impl HistoryRecord for OptionTrade {
    fn uw_id(&self) -> Option<&str> {
        Some(&self.id)
    }

    fn created_at(&self) -> Option<u64> {
        self.created_at
    }
}

// A strategy on the boundary of two multi-leg windows comes in both (docs/uw-api.md#time-cursors):
// its UW id makes the two one.
impl HistoryRecord for MultiLegTrade {
    fn uw_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

// Dark-pool and lit prints carry a `tracking_id`, but UW sent 0 for prints of a whole capture
// (docs/uw-api.md#rest-dark-pool-and-lit-prints): as a key it would merge different prints, so
// they are compared whole.
macro_rules! history_record_impls {
    ($($variant:ident),* $(,)?) => {$( history_record_impl!($variant); )*};
}

macro_rules! history_record_impl {
    (FlowAlert) => {};
    (OptionTrade) => {};
    (MultiLegTrade) => {};
    ($variant:ident) => {
        impl HistoryRecord for crate::data::$variant {}
    };
}

crate::data::with_record_types!(history_record_impls);

/// The times of every row one response returned, before filtering: what the next cursor and the
/// end of paging are decided by.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct PageTimes {
    pub(super) rows: usize,
    pub(super) oldest_event_ns: Option<u64>,
    oldest_created_ns: Option<u64>,
    newest_created_ns: Option<u64>,
}

impl PageTimes {
    fn of<R: HistoryRecord>(records: &[R]) -> Self {
        let created = || records.iter().filter_map(HistoryRecord::created_at);
        Self {
            rows: records.len(),
            oldest_event_ns: records.iter().map(UwRecord::ts_event_nanos).min(),
            oldest_created_ns: created().min(),
            newest_created_ns: created().max(),
        }
    }

    pub(super) fn merge(self, other: Self) -> Self {
        fn pick(a: Option<u64>, b: Option<u64>, f: fn(u64, u64) -> u64) -> Option<u64> {
            match (a, b) {
                (Some(a), Some(b)) => Some(f(a, b)),
                (a, b) => a.or(b),
            }
        }
        Self {
            rows: self.rows + other.rows,
            oldest_event_ns: pick(self.oldest_event_ns, other.oldest_event_ns, u64::min),
            oldest_created_ns: pick(self.oldest_created_ns, other.oldest_created_ns, u64::min),
            newest_created_ns: pick(self.newest_created_ns, other.newest_created_ns, u64::max),
        }
    }
}

/// The `older_than` cursor of newest-first time paging.
///
/// A page holds the newest records below the cursor by the time UW compares, so the next cursor
/// must lie past the page's oldest value of that time, or the records between are skipped. For
/// flow alerts UW does not say whether it compares the event time (`end_time`) or `created_at`
/// (seconds to minutes later). The cursor therefore lies past the later of the two page minima:
/// under either reading pages can then only overlap, and the de-duplication drops the repeats. A
/// row returned with a `created_at` past the cursor shows that UW does not compare `created_at`;
/// from then on the cursor follows the event time alone, which overlaps less.
#[derive(Debug)]
pub(super) struct TimeCursor {
    pub(super) older_than_ms: u64,
    may_compare_created_at: bool,
}

impl TimeCursor {
    pub(super) fn new(older_than_ms: u64) -> Self {
        Self {
            older_than_ms,
            may_compare_created_at: true,
        }
    }

    /// Starts over at `older_than_ms` (the next window of a walk in windows), keeping what UW's
    /// pages have shown of the time it compares.
    pub(super) fn restart(&mut self, older_than_ms: u64) {
        self.older_than_ms = older_than_ms;
    }

    /// Moves the cursor past `page`; `None` when it cannot move back (an empty page).
    pub(super) fn advance(&mut self, page: &PageTimes) -> Option<u64> {
        if page
            .newest_created_ns
            .is_some_and(|c| ms(c) > self.older_than_ms)
        {
            self.may_compare_created_at = false;
        }
        let by_event = ms(page.oldest_event_ns?).saturating_add(1);
        let by_both = match page.oldest_created_ns {
            Some(c) if self.may_compare_created_at => by_event.max(ms(c).saturating_add(1)),
            _ => by_event,
        };
        // A full page created within the cursor's last millisecond leaves no millisecond to page
        // back to by `created_at`. The event time still moves on; a millisecond cursor cannot
        // reach the rest of that millisecond's alerts if UW compares `created_at`.
        let next = [by_both, by_event]
            .into_iter()
            .find(|n| *n < self.older_than_ms)?;
        self.older_than_ms = next;
        Some(next)
    }
}

/// Keeps the records in range that pass the filter; also returns the times of all rows.
/// How close to the query's own time a range must end to reach the present.
const PRESENT_TOLERANCE_NS: u64 = 60 * 1_000_000_000;

fn keep<R: HistoryRecord>(
    mut records: Vec<R>,
    filter: &UwFilter,
    (start, end): (u64, u64),
    now_ns: u64,
) -> (Vec<R>, PageTimes) {
    let times = PageTimes::of(&records);
    // A record without a time of its own (a multi-leg strategy's legs) is as of its arrival, a
    // moment after any `end` a caller can give: a range that ends at the present includes it.
    let reaches_present = end.saturating_add(PRESENT_TOLERANCE_NS) >= now_ns;
    records.retain(|r| {
        let in_range = (start..=end).contains(&r.ts_event_nanos())
            || (reaches_present && r.event_time().is_none());
        in_range && filter.matches(r)
    });
    (records, times)
}

/// The records of one request, each delivered once, as pages arrive.
///
/// Records of a type with a UW id are the same record when their ids match, whatever else
/// differs: the revision kept is the one with the later event time, then the later `created_at`,
/// then the one fetched later. Other records are the same when they are equal in every field.
#[derive(Default)]
pub(super) struct Collected {
    /// One payload per record type, in fetch order.
    payloads: Vec<UwPayload>,
    /// (type, UW id) -> position of the revision kept in that type's payload.
    by_id: HashMap<(&'static str, String), usize>,
    /// Records without an id, by (type, hash of every field) -> positions in that type's payload
    /// of the records kept with that hash (compared whole: a hash collision keeps both).
    whole: HashMap<(&'static str, u64), Vec<usize>>,
}

impl Collected {
    /// Adds one response's records that are in `[start, end]` and pass the filter, stamping each
    /// with the one arrival time of the whole request; returns the times of all its rows.
    pub(super) fn add(
        &mut self,
        payload: UwPayload,
        filter: &UwFilter,
        range: (u64, u64),
        ts_init: u64,
    ) -> PageTimes {
        crate::data::for_each_payload!(payload, |v| {
            let (kept, times) = keep(v, filter, range, ts_init);
            self.absorb(kept, ts_init);
            times
        })
    }

    fn absorb<R: HistoryRecord>(&mut self, records: Vec<R>, ts_init: u64) {
        let mut kept: Vec<R> = self.take();
        for mut record in records {
            // Repeats from different pages then compare equal, arrival time included.
            record.set_ts_init(ts_init);
            let Some(id) = record.uw_id().map(str::to_owned) else {
                let same = self
                    .whole
                    .entry((R::TYPE_NAME, whole_hash(&record)))
                    .or_default();
                if !same.iter().any(|&at| kept[at] == record) {
                    same.push(kept.len());
                    kept.push(record);
                }
                continue;
            };
            match self.by_id.entry((R::TYPE_NAME, id)) {
                Entry::Vacant(slot) => {
                    slot.insert(kept.len());
                    kept.push(record);
                }
                Entry::Occupied(slot) => {
                    let earlier = &mut kept[*slot.get()];
                    if revision(&record) >= revision(earlier) {
                        *earlier = record;
                    }
                }
            }
        }
        self.payloads.push(R::into_payload(kept));
    }

    /// Removes and returns the records of type `R` collected so far.
    fn take<R: FromPayload>(&mut self) -> Vec<R> {
        let mut found = Vec::new();
        for payload in std::mem::take(&mut self.payloads) {
            match R::from_payload(payload) {
                Ok(records) => found = records,
                Err(other) => self.payloads.push(other),
            }
        }
        found
    }

    pub(super) fn len(&self) -> usize {
        self.payloads.iter().map(UwPayload::len).sum()
    }

    /// How many records have an event time at or after `ns`.
    pub(super) fn count_from(&self, ns: u64) -> usize {
        self.payloads
            .iter()
            .map(|p| {
                crate::data::for_each_payload!(p, |v| v
                    .iter()
                    .filter(|r| r.ts_event_nanos() >= ns)
                    .count())
            })
            .sum()
    }

    /// Every record, oldest first by `ts_event` per type (stable: ties stay in fetch order).
    pub(super) fn into_sorted(self) -> Vec<UwPayload> {
        let mut payloads = self.payloads;
        payloads.retain(|p| !p.is_empty());
        for p in &mut payloads {
            crate::data::for_each_payload!(p, |v| v.sort_by_key(UwRecord::ts_event_nanos));
        }
        payloads
    }
}

/// A hash of every field of `record`.
fn whole_hash<R: std::hash::Hash>(record: &R) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(record)
}

/// Orders the revisions of one record: the greater is the later.
fn revision<R: HistoryRecord>(record: &R) -> (u64, u64) {
    (record.ts_event_nanos(), record.created_at().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::view::FilterKey;

    const MS: u64 = 1_000_000;

    /// REST flow alerts, in the order given: (id or "" for none, end_time ms, created_at ms,
    /// trade_count).
    fn alerts(rows: &[(&str, u64, u64, u32)]) -> UwPayload {
        let rows: Vec<String> = rows
            .iter()
            .map(|(id, end, created, trades)| {
                let id = if id.is_empty() {
                    String::new()
                } else {
                    format!(r#""id":"{id}","#)
                };
                format!(
                    r#"{{{id}"ticker":"SPY","option_chain":"SPY251121C00590000","total_premium":"1000","end_time":{end},"created_at":{created},"trade_count":{trades}}}"#
                )
            })
            .collect();
        let body = format!(r#"{{"data":[{}]}}"#, rows.join(","));
        let mut payloads = crate::http::parse_rest_body(
            "flow_alerts",
            body.as_bytes(),
            7,
            &crate::common::symbol::InstrumentIdFormat::default(),
        )
        .unwrap();
        payloads.remove(0)
    }

    fn no_filter() -> UwFilter {
        UwFilter::from_metadata::<&str, &str>("UwFlowAlert", &[FilterKey::Ticker], &[]).unwrap()
    }

    /// (id, end_time ms, trade_count) of every flow alert, in order.
    fn summary(payloads: &[UwPayload]) -> Vec<(String, u64, i64)> {
        payloads
            .iter()
            .flat_map(|p| match p {
                UwPayload::FlowAlert(v) => v.clone(),
                other => panic!("{other:?}"),
            })
            .map(|a| {
                (
                    a.id.map(String::from).unwrap_or_default(),
                    a.ts_event / MS,
                    a.trade_count.unwrap(),
                )
            })
            .collect()
    }

    fn times(oldest_event_ms: u64, oldest_created_ms: u64, newest_created_ms: u64) -> PageTimes {
        PageTimes {
            rows: 200,
            oldest_event_ns: Some(oldest_event_ms * MS),
            oldest_created_ns: Some(oldest_created_ms * MS),
            newest_created_ns: Some(newest_created_ms * MS),
        }
    }

    #[test]
    fn the_cursor_pages_past_the_later_of_the_event_and_creation_minima() {
        // Created after their window: by the event time alone, alerts created between 5_000 and
        // 7_000 but not on this page would be skipped if UW compares `created_at`.
        let mut cursor = TimeCursor::new(10_000);
        assert_eq!(cursor.advance(&times(5_000, 7_000, 9_500)), Some(7_001));
        assert_eq!(cursor.advance(&times(4_000, 6_500, 7_000)), Some(6_501));
        assert_eq!(cursor.older_than_ms, 6_501);
    }

    #[test]
    fn the_cursor_follows_the_event_time_once_uw_shows_it_does_not_compare_created_at() {
        let mut cursor = TimeCursor::new(10_000);
        assert_eq!(cursor.advance(&times(5_000, 7_000, 9_500)), Some(7_001));
        // Created at 8_000, after the cursor of 7_001: UW did not compare `created_at`.
        assert_eq!(cursor.advance(&times(4_000, 4_500, 8_000)), Some(4_001));
        assert_eq!(cursor.advance(&times(3_000, 3_900, 3_950)), Some(3_001));
    }

    #[test]
    fn the_cursor_stops_on_an_empty_page_and_falls_back_to_the_event_time_when_stuck() {
        let mut cursor = TimeCursor::new(10_000);
        assert_eq!(cursor.advance(&PageTimes::default()), None);
        // A full page created in the cursor's last millisecond: only the event time moves on.
        assert_eq!(cursor.advance(&times(8_000, 9_999, 9_999)), Some(8_001));
        assert_eq!(cursor.advance(&times(8_000, 8_000, 8_000)), None);
        // Records without `created_at` (REST option prints) page by the event time.
        let page = PageTimes {
            rows: 500,
            oldest_event_ns: Some(6_000 * MS),
            ..PageTimes::default()
        };
        assert_eq!(cursor.advance(&page), Some(6_001));
    }

    #[test]
    fn records_come_out_oldest_first_across_pages() {
        let mut c = Collected::default();
        let all = (0, u64::MAX);
        c.add(
            alerts(&[("c", 3_000, 3_100, 1), ("b", 2_000, 2_100, 1)]),
            &no_filter(),
            all,
            9,
        );
        c.add(
            alerts(&[("b", 2_000, 2_100, 1), ("a", 1_000, 1_100, 1)]),
            &no_filter(),
            all,
            9,
        );
        let payloads = c.into_sorted();
        assert_eq!(payloads.len(), 1, "one run, not one per page");
        let order: Vec<_> = summary(&payloads).into_iter().map(|r| r.0).collect();
        assert_eq!(order, ["a", "b", "c"]);
    }

    #[test]
    fn an_id_keeps_its_latest_revision_and_records_without_one_compare_whole() {
        let mut c = Collected::default();
        let all = (0, u64::MAX);
        let f = no_filter();
        c.add(
            alerts(&[("x", 2_000, 2_100, 3), ("", 1_500, 1_600, 2)]),
            &f,
            all,
            9,
        );
        // Revised with more trades (created later), then the stale revision fetched again.
        c.add(alerts(&[("x", 2_000, 2_400, 9)]), &f, all, 9);
        c.add(alerts(&[("x", 2_000, 2_100, 3)]), &f, all, 9);
        // Without an id: the same record twice is one; one field changed is another record.
        c.add(
            alerts(&[("", 1_500, 1_600, 2), ("", 1_500, 1_600, 4)]),
            &f,
            all,
            9,
        );
        // A revision whose window grew to a later end time.
        c.add(
            alerts(&[("y", 1_000, 1_100, 1), ("y", 1_200, 1_300, 2)]),
            &f,
            all,
            9,
        );
        assert_eq!(c.len(), 4);
        assert_eq!(
            summary(&c.into_sorted()),
            [
                ("y".to_owned(), 1_200, 2),
                (String::new(), 1_500, 2),
                (String::new(), 1_500, 4),
                ("x".to_owned(), 2_000, 9),
            ]
        );
    }

    #[test]
    fn records_without_a_time_of_their_own_are_in_a_range_that_ends_now() {
        let legs = || {
            let body = r#"{"data":[{"option_symbol":"AAPL260918C00250000","size":3}]}"#;
            let ids = crate::common::symbol::InstrumentIdFormat::default();
            let path = "/api/option-trades/multi-leg/x/legs";
            crate::http::parse_rest_body(path, body.as_bytes(), 1_000_000_000 * MS, &ids)
                .unwrap()
                .remove(0)
        };
        let filter =
            UwFilter::from_metadata::<&str, &str>("UwMultiLegLeg", &[FilterKey::Ticker], &[])
                .unwrap();
        let now = 1_000_000_000 * MS;
        // Stamped on arrival, after the `end` a caller gave a moment before.
        let mut present = Collected::default();
        present.add(legs(), &filter, (0, now - 10 * MS), now);
        assert_eq!(present.len(), 1);
        // A range that ended long ago does not reach them.
        let mut past = Collected::default();
        past.add(legs(), &filter, (0, now - PRESENT_TOLERANCE_NS - 1), now);
        assert_eq!(past.len(), 0);
    }
}
