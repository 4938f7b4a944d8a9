//! Historical requests: a Data type, its `DataType.metadata` and a time range become the UW REST
//! requests that cover it, with each endpoint's pagination (docs/uw-api.md#paging):
//!
//! - time cursor, newest first (`older_than`): flow alerts, option trades, dark-pool prints of a
//!   ticker; pages are followed back until the range start or a short page;
//! - one request per New York trading day (`date=`): market tide, net-premium ticks, spot
//!   exposures, greek flow, per-strike flow and exposures, OHLC;
//! - page numbers: news headlines;
//! - one request: everything else (`path` in the metadata requests any endpoint verbatim).
//!
//! Records outside `[start, end]` and records failing the metadata filter are dropped here. Every
//! request, whatever its plan and however many pages it took, delivers each record once, oldest
//! first by `ts_event`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::common::time::{dates, is_weekday, ny_date};
use crate::data::record::UwRecord;
use crate::data::view::RecordView;
use crate::data::*;
use crate::http::client::{UwHttpClient, UwHttpError};
use crate::http::endpoint::{CANDLE_SIZES, Paging, UwEndpoint};
use crate::http::request::UwRequest;
use crate::subscription::metadata::UwFilter;

/// What a history request is wrong about.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HistoryError {
    /// The request cannot be built.
    #[error("{0}")]
    Invalid(String),
    /// UW or the network failed it.
    #[error(transparent)]
    Http(#[from] UwHttpError),
}

/// A history request.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// The Python type name (`UwFlowAlert`).
    pub type_name: String,
    /// `DataType.metadata` as text pairs.
    pub metadata: Vec<(String, String)>,
    /// Range start, UNIX ns (inclusive); `None` = as far as one page/day goes.
    pub start_ns: Option<u64>,
    /// Range end, UNIX ns (inclusive); `None` = now.
    pub end_ns: Option<u64>,
    /// Most records to return (0 = no limit).
    pub limit: usize,
}

/// The records found and how many requests it took.
#[derive(Debug, Default)]
pub struct HistoryResult {
    /// Decoded records, one payload per record type, each sorted oldest first by `ts_event`
    /// across all pages; records of equal `ts_event` keep the order they were fetched in.
    pub payloads: Vec<UwPayload>,
    /// Requests made.
    pub requests: u32,
}

impl HistoryResult {
    /// Number of records.
    #[must_use]
    pub fn len(&self) -> usize {
        self.payloads.iter().map(UwPayload::len).sum()
    }

    /// Whether nothing was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Metadata keys that shape the request rather than filter records. An endpoint receives the
/// ones it declares (its `defaults` and `params` in the registry), `path` and `date` always.
const REQUEST_KEYS: [&str; 5] = ["path", "date", "candle_size", "timeframe", "source"];

/// Generates [`history_endpoints`] from the `history(...)` of the registry's rows.
macro_rules! history_endpoints_of {
    ([] $( $rec:ident : $( live $live:tt )? $( history( $($ep:ident),+ ) )? ),* $(,)?) => {
        /// The endpoints the history of `type_name` comes from, in the order they are tried
        /// (empty for types without REST history).
        #[must_use]
        pub fn history_endpoints(type_name: &str) -> &'static [UwEndpoint] {
            $(
                if type_name == <$rec as UwRecord>::TYPE_NAME {
                    return &[ $( $( UwEndpoint::$ep, )+ )? ];
                }
            )*
            &[]
        }
    };
}

crate::uw_records!(history_endpoints_of);

/// The first request of a history query and how its pages follow.
#[derive(Debug)]
struct Plan {
    request: UwRequest,
    paging: Paging,
}

fn ms(ns: u64) -> u64 {
    ns / 1_000_000
}

/// New York dates (`YYYY-MM-DD`) from `start` to `end`, weekdays only, oldest first.
fn trading_dates(start_ns: u64, end_ns: u64) -> Vec<String> {
    dates(ny_date(start_ns), ny_date(end_ns))
        .filter(|d| is_weekday(*d))
        .map(|d| d.to_string())
        .collect()
}

fn one_ticker(type_name: &str, filter: &UwFilter) -> Result<String, HistoryError> {
    match filter.channel_tickers().as_deref() {
        Some([t]) => Ok(t.clone()),
        Some(_) => Err(HistoryError::Invalid(format!(
            "{type_name} history is per ticker: request one ticker at a time"
        ))),
        None => Err(HistoryError::Invalid(format!(
            "{type_name} history needs a ticker (metadata={{\"ticker\": \"SPY\"}})"
        ))),
    }
}

fn plan(type_name: &str, filter: &UwFilter, md: &[(String, String)]) -> Result<Plan, HistoryError> {
    let get = |k: &str| md.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    if let Some(path) = get("path") {
        if !path.starts_with("/api/") {
            return Err(HistoryError::Invalid(format!(
                "path must start with /api/, got {path:?}"
            )));
        }
        let request = UwRequest::parse(&path).map_err(|e| HistoryError::Invalid(e.to_string()))?;
        return Ok(Plan {
            request,
            paging: Paging::Once,
        });
    }
    let endpoints = history_endpoints(type_name);
    let tickers = filter.channel_tickers();
    // The first endpoint that fits: one naming a ticker in its path needs a ticker.
    let Some(&endpoint) = endpoints
        .iter()
        .find(|e| !e.ticker_in_path() || tickers.is_some())
        .or(endpoints.first())
    else {
        return Err(HistoryError::Invalid(format!(
            "{type_name} has no REST history in this adapter; pass metadata={{\"path\": \"/api/...\"}} to request an endpoint directly"
        )));
    };
    let mut request = UwRequest::new(endpoint);
    if endpoint.ticker_in_path() {
        request.target.ticker = Some(one_ticker(type_name, filter)?);
    } else if let (Some(key), Some(tickers)) = (endpoint.ticker_query(), tickers) {
        request.set_param(key, tickers.join(","));
    }
    for &(key, default) in endpoint.defaults() {
        let value = get(key).unwrap_or_else(|| default.to_owned());
        if key == "candle_size" {
            if !CANDLE_SIZES.contains(&value.as_str()) {
                return Err(HistoryError::Invalid(format!(
                    "{type_name}: metadata candle_size={value:?} is invalid: expected one of {}",
                    CANDLE_SIZES.join(", ")
                )));
            }
            request.target.candle_size = Some(value);
        } else {
            request.set_param(key, value);
        }
    }
    for &key in endpoint.params() {
        if let Some(value) = get(key) {
            request.set_param(key, value);
        }
    }
    Ok(Plan {
        request,
        paging: endpoint.paging(),
    })
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

// Dark-pool and lit prints carry a `tracking_id`, but UW sent 0 for prints of a whole capture
// (docs/uw-api.md#rest-dark-pool-and-lit-prints): as a key it would merge different prints, so
// they are compared whole.
macro_rules! history_record_impls {
    ($($variant:ident),* $(,)?) => {$( history_record_impl!($variant); )*};
}

macro_rules! history_record_impl {
    (FlowAlert) => {};
    (OptionTrade) => {};
    ($variant:ident) => {
        impl HistoryRecord for crate::data::$variant {}
    };
}

crate::data::with_record_types!(history_record_impls);

/// The times of every row one response returned, before filtering: what the next cursor and the
/// end of paging are decided by.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct PageTimes {
    rows: usize,
    oldest_event_ns: Option<u64>,
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

    fn merge(self, other: Self) -> Self {
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
struct TimeCursor {
    older_than_ms: u64,
    may_compare_created_at: bool,
}

impl TimeCursor {
    fn new(older_than_ms: u64) -> Self {
        Self {
            older_than_ms,
            may_compare_created_at: true,
        }
    }

    /// Moves the cursor past `page`; `None` when it cannot move back (an empty page).
    fn advance(&mut self, page: &PageTimes) -> Option<u64> {
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
fn keep<R: HistoryRecord>(
    mut records: Vec<R>,
    filter: &UwFilter,
    start: u64,
    end: u64,
) -> (Vec<R>, PageTimes) {
    let times = PageTimes::of(&records);
    records.retain(|r| (start..=end).contains(&r.ts_event_nanos()) && filter.matches(r));
    (records, times)
}

/// The records of one request, each delivered once, as pages arrive.
///
/// Records of a type with a UW id are the same record when their ids match, whatever else
/// differs: the revision kept is the one with the later event time, then the later `created_at`,
/// then the one fetched later. Other records are the same when they are equal in every field.
#[derive(Default)]
struct Collected {
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
    fn add(
        &mut self,
        payload: UwPayload,
        filter: &UwFilter,
        (start, end): (u64, u64),
        ts_init: u64,
    ) -> PageTimes {
        crate::data::for_each_payload!(payload, |v| {
            let (kept, times) = keep(v, filter, start, end);
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

    fn len(&self) -> usize {
        self.payloads.iter().map(UwPayload::len).sum()
    }

    /// How many records have an event time at or after `ns`.
    fn count_from(&self, ns: u64) -> usize {
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
    fn into_sorted(self) -> Vec<UwPayload> {
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

/// Runs `query` against UW: every record in range once (the latest revision of a record with a
/// UW id), oldest first by `ts_event` across all pages (see [`HistoryResult::payloads`]).
///
/// # Errors
/// [`HistoryError::Invalid`] for requests that cannot be built (bad metadata, no ticker where one
/// is needed), and the client's errors.
pub async fn fetch_history(
    client: &UwHttpClient,
    query: &HistoryQuery,
    now_ns: u64,
) -> Result<HistoryResult, HistoryError> {
    let type_name = query.type_name.as_str();
    let keys = crate::subscription::filter::history_filter_keys(type_name);
    let filter_md: Vec<&(String, String)> = query
        .metadata
        .iter()
        .filter(|(k, _)| !REQUEST_KEYS.contains(&k.as_str()))
        .collect();
    let filter_pairs: Vec<(String, String)> = filter_md.into_iter().cloned().collect();
    let filter = UwFilter::from_metadata(type_name, keys, &filter_pairs)
        .map_err(|e| HistoryError::Invalid(e.to_string()))?;
    let end = query.end_ns.unwrap_or(now_ns);
    let start = query.start_ns.unwrap_or(0);
    if start > end {
        return Err(HistoryError::Invalid("start is after end".to_owned()));
    }
    let limit = if query.limit == 0 {
        usize::MAX
    } else {
        query.limit
    };
    let mut requests = 0;
    let mut collected = Collected::default();
    let range = (start, end);
    let Plan { request, paging } = plan(type_name, &filter, &query.metadata)?;
    let date_asked = query
        .metadata
        .iter()
        .find(|(k, _)| k == "date")
        .map(|(_, d)| d.clone());
    match paging {
        Paging::Once | Paging::Series => {
            let date = match date_asked {
                Some(d) => Some(d),
                None if paging == Paging::Series => {
                    query.end_ns.map(|end| ny_date(end).to_string())
                }
                None => None,
            };
            let mut request = request;
            if let Some(d) = date
                && request.get_param("date").is_none()
            {
                request.set_param("date", d);
            }
            requests += 1;
            let payloads = client.get(&request).await?;
            // A `path` names any endpoint: keep what it answers of the requested type (a flow
            // alert's detail holds the alert and its prints), refuse an endpoint of another type.
            if let Some(other) = payloads
                .iter()
                .map(UwPayload::type_name)
                .find(|name| *name != type_name)
                .filter(|_| payloads.iter().all(|p| p.type_name() != type_name))
            {
                return Err(HistoryError::Invalid(format!(
                    "{request} answers {other}, not {type_name}; request it as DataType({other}, ...)"
                )));
            }
            for p in payloads.into_iter().filter(|p| p.type_name() == type_name) {
                collected.add(p, &filter, range, now_ns);
            }
        }
        Paging::Cursor {
            page,
            lag_allowance_ms,
        } => {
            let mut cursor =
                TimeCursor::new(ms(end).saturating_add(1).saturating_add(lag_allowance_ms));
            let mut request = request.param("limit", page.to_string());
            loop {
                request.set_param("older_than", cursor.older_than_ms.to_string());
                if start > 0 {
                    request.set_param("newer_than", ms(start).saturating_sub(1).to_string());
                }
                requests += 1;
                let mut times = PageTimes::default();
                for p in client.get(&request).await? {
                    times = times.merge(collected.add(p, &filter, range, now_ns));
                }
                // Without a start UW would page back for years: one page, as documented.
                if times.rows < page || start == 0 {
                    break;
                }
                let Some(next) = cursor.advance(&times) else {
                    break;
                };
                // Whatever UW compares, the records still unfetched have event times before
                // `next`: none of them is in range, or newer than `limit` records already here.
                let next_ns = next.saturating_mul(1_000_000);
                if next_ns <= start
                    || (collected.len() >= limit && collected.count_from(next_ns) >= limit)
                {
                    break;
                }
            }
        }
        Paging::Daily => {
            let dates = match date_asked {
                Some(d) => vec![d],
                None => trading_dates(query.start_ns.unwrap_or(end), end),
            };
            let mut request = request;
            for date in dates {
                request.set_param("date", date);
                requests += 1;
                for p in client.get(&request).await? {
                    collected.add(p, &filter, range, now_ns);
                }
                if collected.len() >= limit {
                    break;
                }
            }
        }
        Paging::Pages { page } => {
            let mut request = request.param("limit", page.to_string());
            for n in 0.. {
                request.set_param("page", n.to_string());
                requests += 1;
                let mut times = PageTimes::default();
                for p in client.get(&request).await? {
                    times = times.merge(collected.add(p, &filter, range, now_ns));
                }
                if times.rows < page
                    || start == 0
                    || times.oldest_event_ns.is_none_or(|o| o < start)
                    || collected.len() >= limit
                    || n >= 1000
                {
                    break;
                }
            }
        }
    }
    let mut result = HistoryResult {
        payloads: collected.into_sorted(),
        requests,
    };
    if result.len() > limit {
        truncate_newest(&mut result, limit);
    }
    Ok(result)
}

/// Keeps the `limit` newest records.
fn truncate_newest(result: &mut HistoryResult, limit: usize) {
    let mut times: Vec<u64> = Vec::new();
    for p in &result.payloads {
        crate::data::for_each_payload!(p, |v| times.extend(v.iter().map(UwRecord::ts_event_nanos)));
    }
    times.sort_unstable_by(|a, b| b.cmp(a));
    let cutoff = times[limit - 1];
    let mut budget_at_cutoff = limit - times.iter().filter(|t| **t > cutoff).count();
    let payloads = std::mem::take(&mut result.payloads);
    for p in payloads {
        fn cut<R: UwRecord + PayloadItem>(
            mut v: Vec<R>,
            cutoff: u64,
            budget: &mut usize,
        ) -> UwPayload {
            v.retain(|r| {
                let t = r.ts_event_nanos();
                if t > cutoff {
                    true
                } else if t == cutoff && *budget > 0 {
                    *budget -= 1;
                    true
                } else {
                    false
                }
            });
            R::into_payload(v)
        }
        let p = crate::data::for_each_payload!(p, |v| cut(v, cutoff, &mut budget_at_cutoff));
        if !p.is_empty() {
            result.payloads.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::time::parse_timestamp;
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
                    a.id.clone().unwrap_or_default(),
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
    fn trading_dates_skip_weekends_in_new_york_time() {
        let s = parse_timestamp("2025-05-16T03:00:00Z").unwrap(); // Thu 23:00 New York
        let e = parse_timestamp("2025-05-20T15:00:00Z").unwrap();
        assert_eq!(
            trading_dates(s, e),
            ["2025-05-15", "2025-05-16", "2025-05-19", "2025-05-20"]
        );
    }

    #[test]
    fn plans_name_uw_paths() {
        let f = |md: &[(&str, &str)]| {
            UwFilter::from_metadata("UwFlowAlert", &[FilterKey::Ticker], md).unwrap()
        };
        let md = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        let shown = |p: &Plan| (p.request.to_string(), p.paging);
        assert_eq!(
            shown(&plan("UwFlowAlert", &f(&[("ticker", "SPY,QQQ")]), &[]).unwrap()),
            (
                "/api/option-trades/flow-alerts?ticker_symbol=SPY%2CQQQ".to_owned(),
                Paging::Cursor {
                    page: 200,
                    lag_allowance_ms: crate::http::endpoint::ALERT_CREATION_LAG_ALLOWANCE_MS
                }
            )
        );
        assert_eq!(
            shown(&plan("UwNetPremTick", &f(&[("ticker", "SPY")]), &[]).unwrap()),
            ("/api/stock/SPY/net-prem-ticks".to_owned(), Paging::Daily)
        );
        assert_eq!(
            shown(
                &plan(
                    "UwMaxPain",
                    &f(&[]),
                    &md(&[("path", "/api/stock/SPX/max-pain")]),
                )
                .unwrap()
            ),
            ("/api/stock/SPX/max-pain".to_owned(), Paging::Once)
        );
        // The first endpoint that fits: a ticker's prints, else the newest of all tickers.
        assert_eq!(
            shown(&plan("UwDarkPoolTrade", &f(&[("ticker", "SPY")]), &[]).unwrap()).0,
            "/api/darkpool/SPY"
        );
        assert_eq!(
            shown(&plan("UwDarkPoolTrade", &f(&[]), &[]).unwrap()),
            ("/api/darkpool/recent?limit=200".to_owned(), Paging::Once)
        );
        // Defaults and the parameters an endpoint declares; a user's value is sent encoded.
        assert_eq!(
            shown(
                &plan(
                    "UwOhlcBar",
                    &f(&[("ticker", "SPY")]),
                    &md(&[("candle_size", "5m")])
                )
                .unwrap()
            )
            .0,
            "/api/stock/SPY/ohlc/5m"
        );
        let err = plan(
            "UwOhlcBar",
            &f(&[("ticker", "SPY")]),
            &md(&[("candle_size", "7m")]),
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().contains("candle_size=\"7m\" is invalid"),
            "{err}"
        );
        assert_eq!(
            shown(
                &plan(
                    "UwGexLevels",
                    &f(&[("ticker", "SPY")]),
                    &md(&[("source", "oi")])
                )
                .unwrap()
            )
            .0,
            "/api/stock/SPY/gex-levels?source=oi"
        );
        assert_eq!(
            shown(
                &plan(
                    "UwGreekExposure",
                    &f(&[("ticker", "SPY")]),
                    &md(&[("source", "oi")])
                )
                .unwrap()
            )
            .0,
            "/api/stock/SPY/greek-exposure?timeframe=1y"
        );
        let err = plan("UwNetPremTick", &f(&[]), &[]).err().unwrap();
        assert!(err.to_string().contains("needs a ticker"), "{err}");
        let err = plan("UwPeriscope", &f(&[]), &[]).err().unwrap();
        assert!(err.to_string().contains("no REST history"), "{err}");
    }
}
