//! The subscriptions of one client: channel reference counts (what to join and leave) and
//! interned routes (which subscriptions a record goes to).

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::data::view::RecordView;
use crate::data::{PayloadItem, UwPayload};
use crate::subscription::channel::{ChannelMap, UwChannel};
use crate::subscription::flow_bars::LiveFlowBars;
use crate::subscription::metadata::UwFilter;
use crate::subscription::source::StreamSource;

/// Identifies a subscription between the client and its owner (the Python data client).
pub type SubscriptionId = u64;

/// An interned set of subscription ids that one record goes to. Python caches the DataTypes of a
/// route, so a record crosses the boundary with one small integer instead of a tuple.
pub type RouteId = u32;

/// The route of each record of a payload, inline up to four (the size of a `Vec`): a frame
/// carries one record, and its routes then own no heap block, allocated on the reader thread
/// and freed on the event loop's.
pub type RecordRoutes = smallvec::SmallVec<[RouteId; 4]>;

/// One subscription.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// Its id.
    pub id: SubscriptionId,
    /// Where its data comes from.
    pub source: StreamSource,
    /// Its filter.
    pub filter: UwFilter,
    /// The channels it needs (empty for feed status).
    pub channels: Vec<UwChannel>,
}

/// Routes that lost a subscription stay resolvable for this many later retirements: records
/// routed before an unsubscribe may still wait in the queue toward Python, and their other
/// subscriptions must still get them. Any count bounds the table; this one outlasts a full queue.
const RETIRED_ROUTES_KEPT: usize = 4096;

/// Subscriptions, channel reference counts and interned routes.
///
/// A route lives while all its subscriptions do; removing a subscription retires its routes, and
/// the oldest retired ones are freed. Route ids are not reused while their route can be resolved,
/// so a record never reaches the subscriptions of another route.
#[derive(Debug, Default)]
pub struct SubscriptionTable {
    subs: BTreeMap<SubscriptionId, Subscription>,
    refcount: BTreeMap<UwChannel, usize>,
    by_channel: ChannelMap<Vec<SubscriptionId>>,
    routes: Routes,
    /// The subscriptions one record goes to, reused from record to record.
    hits: Vec<SubscriptionId>,
    /// The aggregators of the `UwFlowBar` subscriptions (which receive no raw records).
    bars: LiveFlowBars,
}

/// Interned routes, apart from the subscriptions so that routing can read those while it interns.
#[derive(Debug, Default)]
struct Routes {
    /// The route of each set of live subscriptions that received something.
    by_members: HashMap<Vec<SubscriptionId>, RouteId>,
    /// The subscriptions of every resolvable route: the live ones and the recently retired.
    members: HashMap<RouteId, Vec<SubscriptionId>>,
    /// Retired routes, oldest first.
    retired: VecDeque<RouteId>,
    next_route: RouteId,
    /// The last route interned and its subscriptions (a live route: retiring clears it).
    /// Consecutive records mostly take the same route, and comparing a few ids is cheaper than
    /// hashing them.
    last: Option<(RouteId, Vec<SubscriptionId>)>,
}

impl Routes {
    fn intern(&mut self, ids: &[SubscriptionId]) -> RouteId {
        if let Some((r, last)) = &self.last
            && last.as_slice() == ids
        {
            return *r;
        }
        let r = self.intern_new(ids);
        self.last = Some((r, ids.to_vec()));
        r
    }

    fn intern_new(&mut self, ids: &[SubscriptionId]) -> RouteId {
        if let Some(r) = self.by_members.get(ids) {
            return *r;
        }
        // Ids wrap only after four billion routes; one still resolvable is skipped, not reused.
        let mut r = self.next_route;
        while self.members.contains_key(&r) {
            r = r.wrapping_add(1);
        }
        self.next_route = r.wrapping_add(1);
        self.members.insert(r, ids.to_vec());
        self.by_members.insert(ids.to_vec(), r);
        r
    }

    /// No new record takes a route of `id` any more; the oldest retired routes are freed.
    fn retire_routes_of(&mut self, id: SubscriptionId) {
        let retired = &mut self.retired;
        self.by_members.retain(|ids, route| {
            let keep = !ids.contains(&id);
            if !keep {
                retired.push_back(*route);
            }
            keep
        });
        while self.retired.len() > RETIRED_ROUTES_KEPT {
            if let Some(route) = self.retired.pop_front() {
                self.members.remove(&route);
            }
        }
        self.last = None;
    }
}

impl SubscriptionTable {
    /// Adds a subscription; returns the channels that now need a join (first user).
    pub fn add(&mut self, sub: Subscription) -> Vec<UwChannel> {
        let mut new = Vec::new();
        let receives_records = sub.source != StreamSource::FlowBars;
        for ch in &sub.channels {
            let n = self.refcount.entry(ch.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                new.push(ch.clone());
            }
            if receives_records {
                self.by_channel.entry(ch.clone()).or_default().push(sub.id);
            }
        }
        self.subs.insert(sub.id, sub);
        new
    }

    /// Removes a subscription; returns the channels nobody needs any more (to leave).
    pub fn remove(&mut self, id: SubscriptionId) -> Vec<UwChannel> {
        let Some(sub) = self.subs.remove(&id) else {
            return Vec::new();
        };
        if sub.source == StreamSource::FlowBars {
            self.bars.remove(id);
        }
        self.routes.retire_routes_of(id);
        let mut gone = Vec::new();
        for ch in sub.channels {
            if let Some(ids) = self.by_channel.get_mut(&ch) {
                ids.retain(|x| *x != id);
                if ids.is_empty() {
                    self.by_channel.remove(&ch);
                }
            }
            if let Some(n) = self.refcount.get_mut(&ch) {
                *n -= 1;
                if *n == 0 {
                    self.refcount.remove(&ch);
                    gone.push(ch);
                }
            }
        }
        gone
    }

    /// The flow-bar aggregators (added with [`SubscriptionTable::add`] of a
    /// [`StreamSource::FlowBars`] subscription, then [`LiveFlowBars::insert`]).
    pub const fn flow_bars(&mut self) -> &mut LiveFlowBars {
        &mut self.bars
    }

    /// Every channel with at least one subscriber, in a stable order.
    pub fn channels(&self) -> impl Iterator<Item = &UwChannel> {
        self.refcount.keys()
    }

    /// Whether any subscription needs `channel`.
    #[must_use]
    pub fn has_channel(&self, channel: &UwChannel) -> bool {
        self.refcount.contains_key(channel)
    }

    /// Number of subscriptions.
    #[must_use]
    pub fn len(&self) -> usize {
        self.subs.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.subs.is_empty()
    }

    /// The subscription ids of a route; `None` once the route is freed.
    #[must_use]
    pub fn route_members(&self, route: RouteId) -> Option<&[SubscriptionId]> {
        self.routes.members.get(&route).map(Vec::as_slice)
    }

    /// Number of routes that can still be resolved (live and recently retired).
    #[must_use]
    pub fn route_count(&self) -> usize {
        self.routes.members.len()
    }

    /// The route of exactly these subscriptions.
    pub fn route_for(&mut self, ids: &[SubscriptionId]) -> RouteId {
        self.routes.intern(ids)
    }

    /// Keeps the records of `records` that some subscription on `channel` wants; returns them and
    /// the route of each.
    pub fn route<R: RecordView>(
        &mut self,
        channel: &UwChannel,
        records: Vec<R>,
    ) -> (Vec<R>, RecordRoutes) {
        let Some(ids) = self.by_channel.get(channel) else {
            return (Vec::new(), RecordRoutes::new());
        };
        let mut records = records;
        let mut routes = RecordRoutes::with_capacity(records.len());
        let (hits, subs, interned) = (&mut self.hits, &self.subs, &mut self.routes);
        // In place: a kept record is not moved (a record is most of a kilobyte, and copying each
        // into a second vector was a tenth of routing a flow alert).
        records.retain(|record| {
            hits.clear();
            hits.extend(
                ids.iter()
                    .filter(|id| subs.get(id).is_some_and(|s| s.filter.matches(record))),
            );
            let wanted = !hits.is_empty();
            if wanted {
                routes.push(interned.intern(hits));
            }
            wanted
        });
        (records, routes)
    }

    /// [`Self::route`] over a decoded payload, whatever its record type.
    pub fn route_payload(
        &mut self,
        channel: &UwChannel,
        payload: UwPayload,
    ) -> (UwPayload, RecordRoutes) {
        crate::data::for_each_payload!(payload, |v| {
            let (kept, routes) = self.route(channel, v);
            (PayloadItem::into_payload(kept), routes)
        })
    }

    /// The route of the feed-status subscriptions, if any.
    pub fn status_route(&mut self) -> Option<RouteId> {
        let ids: Vec<_> = self
            .subs
            .values()
            .filter(|s| s.source == StreamSource::FeedStatus)
            .map(|s| s.id)
            .collect();
        (!ids.is_empty()).then(|| self.routes.intern(&ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subscription::channel::ChannelKind;
    use crate::subscription::testing::{filter, flow_alert};

    fn sub(id: SubscriptionId, channels: &[&str], filter: UwFilter) -> Subscription {
        Subscription {
            id,
            source: StreamSource::Channel(ChannelKind::FlowAlerts),
            filter,
            channels: channels
                .iter()
                .map(|c| UwChannel::parse(c).unwrap())
                .collect(),
        }
    }

    #[test]
    fn shared_channels_are_joined_once_and_left_by_the_last_subscriber() {
        let mut table = SubscriptionTable::default();
        let fa = UwChannel::parse("flow-alerts").unwrap();
        assert_eq!(
            table.add(sub(1, &["flow-alerts"], UwFilter::default())),
            vec![fa.clone()]
        );
        assert!(
            table
                .add(sub(2, &["flow-alerts"], UwFilter::default()))
                .is_empty()
        );
        assert!(table.remove(1).is_empty());
        assert!(table.has_channel(&fa));
        assert_eq!(table.remove(2), vec![fa.clone()]);
        assert!(!table.has_channel(&fa));
        assert!(table.remove(2).is_empty(), "a second removal is harmless");
    }

    #[test]
    fn records_go_to_the_subscriptions_whose_filter_they_pass() {
        let mut table = SubscriptionTable::default();
        let fa = UwChannel::parse("flow-alerts").unwrap();
        table.add(sub(
            1,
            &["flow-alerts"],
            filter("UwFlowAlert", &[("ticker", "DIA")]).unwrap(),
        ));
        table.add(sub(
            2,
            &["flow-alerts"],
            filter("UwFlowAlert", &[("ticker", "SPY")]).unwrap(),
        ));
        table.add(sub(3, &["flow-alerts"], UwFilter::default()));
        let (kept, routes) = table.route(&fa, vec![flow_alert(), flow_alert()]);
        assert_eq!(kept.len(), 2);
        assert_eq!(
            routes[0], routes[1],
            "the same set of subscriptions is one route"
        );
        assert_eq!(table.route_members(routes[0]).unwrap(), &[1, 3]);

        table.remove(3);
        table.remove(1);
        let (kept, _) = table.route(&fa, vec![flow_alert()]);
        assert!(kept.is_empty(), "nobody wants DIA any more");
        let other = UwChannel::parse("gex:SPY").unwrap();
        assert!(table.route(&other, vec![flow_alert()]).0.is_empty());
    }

    #[test]
    fn routes_of_removed_subscriptions_are_freed() {
        // A strategy that subscribes and unsubscribes in a loop (a scanner moving between
        // tickers) makes a new set of subscriptions each time; the table must not keep them all.
        let mut table = SubscriptionTable::default();
        let fa = UwChannel::parse("flow-alerts").unwrap();
        table.add(sub(1, &["flow-alerts"], UwFilter::default()));
        let rounds = 3 * RETIRED_ROUTES_KEPT as u64;
        let mut first = None;
        for id in 2..2 + rounds {
            table.add(sub(id, &["flow-alerts"], UwFilter::default()));
            let (_, routes) = table.route(&fa, vec![flow_alert()]);
            assert_eq!(table.route_members(routes[0]).unwrap(), &[1, id]);
            first.get_or_insert(routes[0]);
            table.remove(id);
            assert!(
                table.route_count() <= RETIRED_ROUTES_KEPT + 1,
                "{} routes after {} rounds",
                table.route_count(),
                id - 1
            );
        }
        let first = first.unwrap();
        assert_eq!(table.route_members(first), None, "freed");
        let (_, routes) = table.route(&fa, vec![flow_alert()]);
        assert_eq!(table.route_members(routes[0]).unwrap(), &[1]);
        assert_ne!(routes[0], first, "a freed id is not handed out again soon");
    }

    #[test]
    fn a_retired_route_still_reaches_its_other_subscriptions() {
        // Records routed before an unsubscribe may still be queued toward Python.
        let mut table = SubscriptionTable::default();
        let fa = UwChannel::parse("flow-alerts").unwrap();
        table.add(sub(1, &["flow-alerts"], UwFilter::default()));
        table.add(sub(2, &["flow-alerts"], UwFilter::default()));
        let (_, before) = table.route(&fa, vec![flow_alert()]);
        table.remove(2);
        assert_eq!(table.route_members(before[0]).unwrap(), &[1, 2]);
        let (_, after) = table.route(&fa, vec![flow_alert()]);
        assert_ne!(
            after[0], before[0],
            "new records take a route of the live set"
        );
        assert_eq!(table.route_members(after[0]).unwrap(), &[1]);
    }
}
