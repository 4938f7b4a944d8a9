//! Subscriptions: which UW channels a Nautilus subscription needs, and which records it receives.
//!
//! A strategy subscribes with `DataType(UwFlowAlert, metadata={"ticker": "SPY", "min_premium": 100000})`.
//! The metadata becomes a [`UwFilter`]; [`channels_for`] picks the UW channels to join (per-ticker
//! channels where UW has them, the all-tickers channel otherwise) and [`SubscriptionTable`] routes
//! every decoded record to the subscriptions whose channel it came on and whose filter it passes.
//! Filtering here, on the tokio thread, means Python only builds objects someone asked for.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::common::channel::{ChannelKind, UwChannel};
use crate::common::parse::{ny_date, parse_date_days};
use crate::common::symbol::{OccSymbol, same_instrument, validate_ticker};
use crate::data::record::UwRecord;
use crate::data::*;

/// The metadata keys a subscription may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    /// `ticker`: one ticker or a comma-separated list (`"SPY,QQQ"`).
    Ticker,
    /// `min_premium`: dollars; records below (or without a premium) are dropped.
    MinPremium,
    /// `min_size`: contracts or shares.
    MinSize,
    /// `option_type`: `call` or `put`.
    OptionType,
    /// `expiry`: `YYYY-MM-DD`, or `0dte` for contracts expiring on the record's New York date.
    Expiry,
    /// `instrument_id`: added by Nautilus when a strategy passes `instrument_id=` to `subscribe_data`.
    InstrumentId,
}

impl FilterKey {
    /// The metadata key.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ticker => "ticker",
            Self::MinPremium => "min_premium",
            Self::MinSize => "min_size",
            Self::OptionType => "option_type",
            Self::Expiry => "expiry",
            Self::InstrumentId => "instrument_id",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [
            Self::Ticker,
            Self::MinPremium,
            Self::MinSize,
            Self::OptionType,
            Self::Expiry,
            Self::InstrumentId,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// What a subscription is wrong about, in words a strategy author can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The type has no live source.
    #[error("{type_name} is not streamed by UW's WebSocket; request it with request_data instead")]
    NotStreamed {
        /// The Python type name.
        type_name: String,
    },
    /// The type is not a UW type at all.
    #[error("unknown UW data type {type_name:?}")]
    UnknownType {
        /// The name given.
        type_name: String,
    },
    /// A metadata key the type cannot be filtered on (or a typo).
    #[error("{type_name} cannot be filtered by {key:?}; supported metadata keys: {supported}")]
    UnsupportedKey {
        /// The Python type name.
        type_name: String,
        /// The key given.
        key: String,
        /// The keys that type supports.
        supported: String,
    },
    /// A metadata value that does not parse.
    #[error("{type_name}: metadata {key}={value:?} is invalid: {reason}")]
    InvalidValue {
        /// The Python type name.
        type_name: String,
        /// The key.
        key: String,
        /// The value given.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The channel exists only per ticker.
    #[error(
        "{type_name} needs a ticker: UW's {channel} channel exists only per ticker (metadata={{\"ticker\": \"SPY\"}})"
    )]
    TickerRequired {
        /// The Python type name.
        type_name: String,
        /// The channel base name.
        channel: &'static str,
    },
}

/// Which expiry a subscription wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpiryFilter {
    /// One date, `YYYY-MM-DD`.
    On(String),
    /// Contracts expiring on the New York date of the record's event time.
    ZeroDte,
}

/// A subscription's filter, built from its `DataType.metadata`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UwFilter {
    /// Upper-case tickers; `None` = all.
    pub tickers: Option<Vec<String>>,
    /// Minimum premium in dollars.
    pub min_premium: Option<f64>,
    /// Minimum size.
    pub min_size: Option<i64>,
    /// `true` = calls, `false` = puts.
    pub calls: Option<bool>,
    /// Expiry.
    pub expiry: Option<ExpiryFilter>,
    /// Exact instrument id (`SPY241220C00500000.SMART`).
    pub instrument_id: Option<String>,
}

impl UwFilter {
    /// Builds the filter for `type_name` from metadata `(key, value)` pairs (values as text).
    ///
    /// # Errors
    /// Unknown or unsupported keys and unparsable values, naming the key.
    pub fn from_metadata<K: AsRef<str>, V: AsRef<str>>(
        type_name: &str,
        supported: &[FilterKey],
        metadata: &[(K, V)],
    ) -> Result<Self, RouteError> {
        let mut filter = Self::default();
        for (key, value) in metadata {
            let (key, value) = (key.as_ref(), value.as_ref().trim());
            let invalid = |reason: String| RouteError::InvalidValue {
                type_name: type_name.to_owned(),
                key: key.to_owned(),
                value: value.to_owned(),
                reason,
            };
            let parsed = FilterKey::parse(key)
                .filter(|k| supported.contains(k))
                .ok_or_else(|| RouteError::UnsupportedKey {
                    type_name: type_name.to_owned(),
                    key: key.to_owned(),
                    supported: if supported.is_empty() {
                        "none (it has no filters)".to_owned()
                    } else {
                        supported
                            .iter()
                            .map(|k| k.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                })?;
            match parsed {
                FilterKey::Ticker => {
                    let mut tickers = Vec::new();
                    for t in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                        let t = t.to_ascii_uppercase();
                        validate_ticker(&t).map_err(|e| invalid(e.to_string()))?;
                        if !tickers.contains(&t) {
                            tickers.push(t);
                        }
                    }
                    if tickers.is_empty() {
                        return Err(invalid("no ticker given".to_owned()));
                    }
                    filter.tickers = Some(tickers);
                }
                FilterKey::MinPremium => {
                    let v: f64 = value
                        .parse()
                        .map_err(|_| invalid("not a number".to_owned()))?;
                    if !v.is_finite() {
                        return Err(invalid("not a finite number".to_owned()));
                    }
                    filter.min_premium = Some(v);
                }
                FilterKey::MinSize => {
                    let v = value
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && v.fract() == 0.0)
                        .ok_or_else(|| invalid("not a whole number".to_owned()))?;
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        filter.min_size = Some(v as i64);
                    }
                }
                FilterKey::OptionType => {
                    filter.calls = match value.to_ascii_lowercase().as_str() {
                        "call" | "calls" | "c" => Some(true),
                        "put" | "puts" | "p" => Some(false),
                        _ => return Err(invalid("expected call or put".to_owned())),
                    };
                }
                FilterKey::Expiry => {
                    filter.expiry = Some(if value.eq_ignore_ascii_case("0dte") {
                        ExpiryFilter::ZeroDte
                    } else {
                        parse_date_days(value).map_err(invalid)?;
                        ExpiryFilter::On(value.to_owned())
                    });
                }
                FilterKey::InstrumentId => {
                    let symbol = value.rsplit_once('.').map_or(value, |(s, _)| s);
                    if symbol.is_empty() {
                        return Err(invalid("expected SYMBOL.VENUE".to_owned()));
                    }
                    filter.instrument_id = Some(value.to_owned());
                }
            }
        }
        Ok(filter)
    }

    /// The tickers that choose per-ticker channels: the `ticker` filter, or the underlying of an
    /// `instrument_id` filter.
    #[must_use]
    pub fn channel_tickers(&self) -> Option<Vec<String>> {
        if let Some(t) = &self.tickers {
            return Some(t.clone());
        }
        let id = self.instrument_id.as_deref()?;
        let symbol = id.rsplit_once('.').map_or(id, |(s, _)| s);
        // Underlyings are named as IB names them (`BRK-B`); UW's channels use `BRK.B`.
        let ticker = OccSymbol::parse(symbol).map_or_else(|_| symbol.replace('-', "."), |o| o.root);
        validate_ticker(&ticker).ok().map(|()| vec![ticker])
    }

    /// Whether `record` passes every condition. A condition on a field the record lacks fails.
    #[must_use]
    pub fn matches<R: RecordView>(&self, record: &R) -> bool {
        if let Some(tickers) = &self.tickers {
            let hit = match record.ticker() {
                Some(t) => tickers.iter().any(|x| x.eq_ignore_ascii_case(t)),
                None => record
                    .tickers()
                    .iter()
                    .any(|t| tickers.iter().any(|x| x.eq_ignore_ascii_case(t))),
            };
            if !hit {
                return false;
            }
        }
        if let Some(min) = self.min_premium
            && record.premium().is_none_or(|p| p < min)
        {
            return false;
        }
        if let Some(min) = self.min_size
            && record.size().is_none_or(|s| s < min)
        {
            return false;
        }
        if let Some(calls) = self.calls {
            let is_call = record
                .option_type()
                .and_then(|t| t.chars().next())
                .map(|c| c.eq_ignore_ascii_case(&'c'));
            if is_call != Some(calls) {
                return false;
            }
        }
        if let Some(expiry) = &self.expiry {
            let Some(actual) = record.expiry() else {
                return false;
            };
            let ok = match expiry {
                ExpiryFilter::On(date) => actual == date,
                ExpiryFilter::ZeroDte => actual == ny_date(record.ts_event_nanos()),
            };
            if !ok {
                return false;
            }
        }
        // A strategy may name the option in either OCC form (IB's padded one from NT 1.223).
        if let Some(id) = &self.instrument_id
            && !record.instrument().is_some_and(|r| same_instrument(r, id))
        {
            return false;
        }
        true
    }
}

/// The fields filters look at, per record type.
pub trait RecordView: UwRecord {
    /// The metadata keys this type can be filtered on.
    const KEYS: &'static [FilterKey];
    /// The record's ticker.
    fn ticker(&self) -> Option<&str> {
        None
    }
    /// Several tickers (news headlines).
    fn tickers(&self) -> &[String] {
        &[]
    }
    /// Premium in dollars.
    fn premium(&self) -> Option<f64> {
        None
    }
    /// Size in contracts or shares.
    fn size(&self) -> Option<i64> {
        None
    }
    /// `call` / `put`.
    fn option_type(&self) -> Option<&str> {
        None
    }
    /// Expiry `YYYY-MM-DD`.
    fn expiry(&self) -> Option<&str> {
        None
    }
}

use FilterKey::{Expiry, InstrumentId, MinPremium, MinSize, OptionType, Ticker};

const OPTION_KEYS: &[FilterKey] = &[
    Ticker,
    MinPremium,
    MinSize,
    OptionType,
    Expiry,
    InstrumentId,
];
const TICKER_KEYS: &[FilterKey] = &[Ticker, InstrumentId];
const EXPIRY_KEYS: &[FilterKey] = &[Ticker, Expiry, InstrumentId];

impl RecordView for FlowAlert {
    const KEYS: &'static [FilterKey] = OPTION_KEYS;
    fn ticker(&self) -> Option<&str> {
        Some(&self.ticker)
    }
    fn premium(&self) -> Option<f64> {
        Some(self.total_premium)
    }
    fn size(&self) -> Option<i64> {
        self.total_size
    }
    fn option_type(&self) -> Option<&str> {
        self.option_type.as_deref()
    }
    fn expiry(&self) -> Option<&str> {
        self.expiry.as_deref()
    }
}

impl RecordView for OptionTrade {
    const KEYS: &'static [FilterKey] = OPTION_KEYS;
    fn ticker(&self) -> Option<&str> {
        Some(&self.underlying_symbol)
    }
    fn premium(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        self.premium.or(Some(self.price * self.size as f64 * 100.0))
    }
    fn size(&self) -> Option<i64> {
        Some(self.size)
    }
    fn option_type(&self) -> Option<&str> {
        self.option_type.as_deref()
    }
    fn expiry(&self) -> Option<&str> {
        self.expiry.as_deref()
    }
}

impl RecordView for ContractScreener {
    const KEYS: &'static [FilterKey] = &[Ticker, MinPremium, InstrumentId];
    fn ticker(&self) -> Option<&str> {
        // The OCC root is the symbol's leading letters.
        let end = self.option_symbol.find(|c: char| c.is_ascii_digit())?;
        (end > 0).then(|| &self.option_symbol[..end])
    }
    fn premium(&self) -> Option<f64> {
        self.premium
    }
}

macro_rules! equity_view {
    ($($t:ty),*) => {$(
        impl RecordView for $t {
            const KEYS: &'static [FilterKey] = &[Ticker, MinPremium, MinSize, InstrumentId];
            fn ticker(&self) -> Option<&str> {
                Some(&self.symbol)
            }
            fn premium(&self) -> Option<f64> {
                #[allow(clippy::cast_precision_loss)]
                self.premium.or(Some(self.price * self.size as f64))
            }
            fn size(&self) -> Option<i64> {
                Some(self.size)
            }
        }
    )*};
}
equity_view!(LitTrade, DarkPoolTrade);

macro_rules! ticker_view {
    ($keys:expr; $($t:ty => |$r:ident| $ticker:expr $(, expiry: $e:expr)?);* $(;)?) => {$(
        impl RecordView for $t {
            const KEYS: &'static [FilterKey] = $keys;
            fn ticker(&self) -> Option<&str> {
                let $r = self;
                $ticker
            }
            $(fn expiry(&self) -> Option<&str> {
                let $r = self;
                $e
            })?
        }
    )*};
}

ticker_view! { TICKER_KEYS;
    Price => |r| r.ticker.as_deref();
    TickerGex => |r| Some(&r.ticker);
    StrikeGex => |r| Some(&r.ticker);
    NetFlow => |r| r.ticker.as_deref();
    IntervalFlow => |r| Some(&r.ticker);
    TradingHalt => |r| Some(&r.ticker);
    CustomAlert => |r| r.symbol.as_deref();
    InterpolatedIv => |r| Some(&r.ticker);
    NetPremTick => |r| r.ticker.as_deref();
    SpotExposure => |r| r.ticker.as_deref();
    GreekExposure => |r| r.ticker.as_deref();
    StrikeGreekExposure => |r| r.ticker.as_deref();
    GexLevels => |r| r.ticker.as_deref();
    StrikeSpotExposure => |r| r.ticker.as_deref();
    GreekFlow => |r| r.ticker.as_deref();
    StrikeFlow => |r| r.ticker.as_deref();
    StockState => |r| r.ticker.as_deref();
    StockQuote => |r| r.ticker.as_deref();
    OhlcBar => |r| r.ticker.as_deref();
    IvRank => |r| r.ticker.as_deref();
    HorizonIv => |r| r.ticker.as_deref();
    Earnings => |r| r.symbol.as_deref();
    CongressTrade => |r| r.ticker.as_deref();
    InsiderTransaction => |r| r.ticker.as_deref();
    Nope => |r| r.ticker.as_deref();
}

ticker_view! { EXPIRY_KEYS;
    ExpiryStrikeGex => |r| Some(&r.ticker), expiry: Some(&r.expiry);
    Periscope => |r| Some(&r.ticker), expiry: Some(&r.expiry);
    IvTermStructure => |r| Some(&r.ticker), expiry: Some(&r.expiry);
    ExpiryGreekExposure => |r| r.ticker.as_deref(), expiry: r.expiry.as_deref();
    MaxPain => |r| r.ticker.as_deref(), expiry: r.expiry.as_deref();
    ExpiryIv => |r| r.ticker.as_deref(), expiry: r.expiry.as_deref();
}

impl RecordView for OptionContract {
    const KEYS: &'static [FilterKey] = &[Ticker, OptionType, Expiry, InstrumentId];
    fn ticker(&self) -> Option<&str> {
        let end = self.option_symbol.find(|c: char| c.is_ascii_digit())?;
        (end > 0).then(|| &self.option_symbol[..end])
    }
    fn option_type(&self) -> Option<&str> {
        self.option_type.as_deref()
    }
    fn expiry(&self) -> Option<&str> {
        self.expiry.as_deref()
    }
}

impl RecordView for ContractDay {
    const KEYS: &'static [FilterKey] = &[InstrumentId];
}

impl RecordView for ExpiryTide {
    const KEYS: &'static [FilterKey] = &[];
}

impl RecordView for NewsHeadline {
    const KEYS: &'static [FilterKey] = &[Ticker];
    fn tickers(&self) -> &[String] {
        &self.tickers
    }
}

impl RecordView for MarketTide {
    const KEYS: &'static [FilterKey] = &[];
}

impl RecordView for FeedStatus {
    const KEYS: &'static [FilterKey] = &[];
}

/// The filter keys of any UW type, streamed or REST-only (empty for unknown names).
#[must_use]
pub fn history_filter_keys(type_name: &str) -> &'static [FilterKey] {
    macro_rules! keys_of {
        ($($t:ty),* $(,)?) => {$(
            if type_name == <$t as UwRecord>::TYPE_NAME {
                return <$t as RecordView>::KEYS;
            }
        )*};
    }
    crate::data::with_record_types!(keys_of);
    &[]
}

/// Where a subscription's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamSource {
    /// A UW channel kind.
    Channel(ChannelKind),
    /// The client's own `UwFeedStatus` events.
    FeedStatus,
}

/// The live source and the filter keys of a Python type name.
///
/// # Errors
/// Unknown names, and REST-only types (which have no live source).
pub fn stream_source(type_name: &str) -> Result<(StreamSource, &'static [FilterKey]), RouteError> {
    macro_rules! streamed {
        ($($t:ty => $kind:ident),* $(,)?) => {$(
            if type_name == <$t as UwRecord>::TYPE_NAME {
                return Ok((StreamSource::Channel(ChannelKind::$kind), <$t as RecordView>::KEYS));
            }
        )*};
    }
    streamed!(
        FlowAlert => FlowAlerts, OptionTrade => OptionTrades, TickerGex => Gex,
        StrikeGex => GexStrike, ExpiryStrikeGex => GexStrikeExpiry, Price => Price,
        NewsHeadline => News, LitTrade => LitTrades, DarkPoolTrade => OffLitTrades,
        MarketTide => MarketTide, NetFlow => NetFlow, IntervalFlow => IntervalFlow,
        ContractScreener => ContractScreener, TradingHalt => TradingHalts,
        CustomAlert => CustomAlerts, Periscope => Periscope, InterpolatedIv => InterpolatedIv,
        IvTermStructure => IvTermStructure,
    );
    if type_name == <FeedStatus as UwRecord>::TYPE_NAME {
        return Ok((StreamSource::FeedStatus, <FeedStatus as RecordView>::KEYS));
    }
    if type_name.starts_with("Uw") {
        Err(RouteError::NotStreamed {
            type_name: type_name.to_owned(),
        })
    } else {
        Err(RouteError::UnknownType {
            type_name: type_name.to_owned(),
        })
    }
}

/// Whether UW offers `<kind>:<TICKER>` channels, and whether it offers only those.
const fn ticker_channels(kind: ChannelKind) -> (bool, bool) {
    use ChannelKind as K;
    match kind {
        K::OptionTrades
        | K::Price
        | K::Gex
        | K::GexStrike
        | K::GexStrikeExpiry
        | K::Periscope
        | K::InterpolatedIv
        | K::IvTermStructure => (true, false),
        K::NetFlow => (true, true),
        _ => (false, false),
    }
}

/// The UW channels a subscription joins: one per ticker where UW has per-ticker channels, else the
/// all-tickers channel (filtered here).
///
/// # Errors
/// A per-ticker-only channel (`net_flow`) without a ticker.
pub fn channels_for(
    type_name: &str,
    kind: ChannelKind,
    filter: &UwFilter,
) -> Result<Vec<UwChannel>, RouteError> {
    let (per_ticker, only_per_ticker) = ticker_channels(kind);
    match filter.channel_tickers() {
        Some(tickers) if per_ticker => Ok(tickers
            .into_iter()
            .map(|t| UwChannel {
                kind,
                ticker: Some(t),
            })
            .collect()),
        _ if only_per_ticker => Err(RouteError::TickerRequired {
            type_name: type_name.to_owned(),
            channel: kind.as_str(),
        }),
        _ => Ok(vec![UwChannel { kind, ticker: None }]),
    }
}

/// Identifies a subscription between the client and its owner (the Python data client).
pub type SubscriptionId = u64;

/// An interned set of subscription ids that one record goes to. Python caches the DataTypes of a
/// route, so a record crosses the boundary with one small integer instead of a tuple.
pub type RouteId = u32;

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

/// Subscriptions, channel reference counts and interned routes.
#[derive(Debug, Default)]
pub struct SubscriptionTable {
    subs: BTreeMap<SubscriptionId, Subscription>,
    refcount: BTreeMap<UwChannel, usize>,
    by_channel: HashMap<UwChannel, Vec<SubscriptionId>>,
    routes: HashMap<Vec<SubscriptionId>, RouteId>,
    route_members: Vec<Vec<SubscriptionId>>,
}

impl SubscriptionTable {
    /// Adds a subscription; returns the channels that now need a join (first user).
    pub fn add(&mut self, sub: Subscription) -> Vec<UwChannel> {
        let mut new = Vec::new();
        for ch in &sub.channels {
            let n = self.refcount.entry(ch.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                new.push(ch.clone());
            }
            self.by_channel.entry(ch.clone()).or_default().push(sub.id);
        }
        self.subs.insert(sub.id, sub);
        new
    }

    /// Removes a subscription; returns the channels nobody needs any more (to leave).
    pub fn remove(&mut self, id: SubscriptionId) -> Vec<UwChannel> {
        let Some(sub) = self.subs.remove(&id) else {
            return Vec::new();
        };
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

    /// The subscription ids of a route.
    #[must_use]
    pub fn route_members(&self, route: RouteId) -> Option<&[SubscriptionId]> {
        self.route_members.get(route as usize).map(Vec::as_slice)
    }

    /// The route of exactly these subscriptions.
    pub fn route_for(&mut self, ids: &[SubscriptionId]) -> RouteId {
        self.intern(ids)
    }

    fn intern(&mut self, ids: &[SubscriptionId]) -> RouteId {
        if let Some(r) = self.routes.get(ids) {
            return *r;
        }
        let r = RouteId::try_from(self.route_members.len()).unwrap_or(RouteId::MAX);
        self.route_members.push(ids.to_vec());
        self.routes.insert(ids.to_vec(), r);
        r
    }

    /// Keeps the records of `records` that some subscription on `channel` wants; returns them and
    /// the route of each.
    pub fn route<R: RecordView>(
        &mut self,
        channel: &UwChannel,
        records: Vec<R>,
    ) -> (Vec<R>, Vec<RouteId>) {
        let Some(ids) = self.by_channel.get(channel) else {
            return (Vec::new(), Vec::new());
        };
        let ids = ids.clone();
        let mut kept = Vec::with_capacity(records.len());
        let mut routes = Vec::with_capacity(records.len());
        let mut hits: Vec<SubscriptionId> = Vec::with_capacity(ids.len());
        for record in records {
            hits.clear();
            hits.extend(
                ids.iter()
                    .filter(|id| self.subs.get(id).is_some_and(|s| s.filter.matches(&record))),
            );
            if !hits.is_empty() {
                let route = self.intern(&hits);
                kept.push(record);
                routes.push(route);
            }
        }
        (kept, routes)
    }

    /// The route of the feed-status subscriptions, if any.
    pub fn status_route(&mut self) -> Option<RouteId> {
        let ids: Vec<_> = self
            .subs
            .values()
            .filter(|s| s.source == StreamSource::FeedStatus)
            .map(|s| s.id)
            .collect();
        (!ids.is_empty()).then(|| self.intern(&ids))
    }
}

impl fmt::Display for StreamSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Channel(k) => write!(f, "{k}"),
            Self::FeedStatus => f.write_str("feed status"),
        }
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::common::symbol::InstrumentIdFormat;
    use crate::common::testing::load_fixture;
    use crate::websocket::{UwWsMessage, parse_frame};

    fn filter(type_name: &str, md: &[(&str, &str)]) -> Result<UwFilter, RouteError> {
        let (_, keys) = stream_source(type_name)?;
        UwFilter::from_metadata(type_name, keys, md)
    }

    fn flow_alert() -> FlowAlert {
        let frame = load_fixture("ws_flow_alerts.jsonl");
        let frame = frame.lines().next().unwrap();
        match parse_frame(
            frame.as_bytes(),
            1,
            &InstrumentIdFormat::new("SMART", false),
        )
        .unwrap()
        {
            UwWsMessage::Data {
                payload: UwPayload::FlowAlert(mut v),
                ..
            } => v.remove(0),
            other => panic!("{other:?}"),
        }
    }

    #[rstest]
    #[case(&[("ticker", "dia")], true)]
    #[case(&[("ticker", "SPY, DIA")], true)]
    #[case(&[("ticker", "SPY")], false)]
    #[case(&[("min_premium", "36466")], true)]
    #[case(&[("min_premium", "36467")], false)]
    #[case(&[("option_type", "call")], true)]
    #[case(&[("option_type", "PUT")], false)]
    #[case(&[("expiry", "2024-10-18")], true)]
    #[case(&[("expiry", "0dte")], false)]
    #[case(&[("instrument_id", "DIA241018C00415000.SMART")], true)]
    #[case(&[("instrument_id", "DIA241018P00415000.SMART")], false)]
    #[case(&[("instrument_id", "DIA   241018C00415000.SMART")], true)]
    #[case(&[("min_size", "50"), ("ticker", "DIA")], true)]
    #[case(&[("min_size", "51")], false)]
    fn flow_alert_filters(#[case] md: &[(&str, &str)], #[case] expected: bool) {
        let f = filter("UwFlowAlert", md).unwrap();
        assert_eq!(f.matches(&flow_alert()), expected, "{md:?}");
    }

    #[test]
    fn zero_dte_compares_with_the_new_york_date_of_the_event() {
        let mut alert = flow_alert();
        // 2024-10-18 15:00 New York.
        alert.ts_event = crate::common::parse::parse_rfc3339_nanos("2024-10-18T19:00:00Z").unwrap();
        assert!(
            filter("UwFlowAlert", &[("expiry", "0DTE")])
                .unwrap()
                .matches(&alert)
        );
    }

    #[rstest]
    #[case("UwFlowAlert", &[("tickr", "SPY")], "cannot be filtered by \"tickr\"")]
    #[case("UwMarketTide", &[("ticker", "SPY")], "by \"ticker\"; supported metadata keys: none")]
    #[case("UwFlowAlert", &[("min_premium", "lots")], "min_premium=\"lots\" is invalid")]
    #[case("UwFlowAlert", &[("option_type", "straddle")], "expected call or put")]
    #[case("UwFlowAlert", &[("expiry", "2024-13-01")], "expiry=\"2024-13-01\" is invalid")]
    #[case("UwFlowAlert", &[("ticker", " , ")], "no ticker given")]
    #[case("UwNetPremTick", &[], "not streamed by UW's WebSocket")]
    #[case("QuoteTick", &[], "unknown UW data type")]
    fn bad_metadata_is_a_clear_error(
        #[case] type_name: &str,
        #[case] md: &[(&str, &str)],
        #[case] message: &str,
    ) {
        let err = filter(type_name, md).unwrap_err().to_string();
        assert!(err.contains(message), "{err}");
    }

    #[rstest]
    #[case("UwOptionTrade", ChannelKind::OptionTrades, &[("ticker", "SPY,QQQ")], &["option_trades:SPY", "option_trades:QQQ"])]
    #[case("UwOptionTrade", ChannelKind::OptionTrades, &[], &["option_trades"])]
    #[case("UwOptionTrade", ChannelKind::OptionTrades, &[("instrument_id", "SPXW250516C05900000.SMART")], &["option_trades:SPXW"])]
    #[case("UwFlowAlert", ChannelKind::FlowAlerts, &[("ticker", "SPY")], &["flow-alerts"])]
    #[case("UwPrice", ChannelKind::Price, &[("instrument_id", "SPY.SMART")], &["price:SPY"])]
    #[case("UwNetFlow", ChannelKind::NetFlow, &[("ticker", "SPY")], &["net_flow:SPY"])]
    fn channels_follow_uw_channel_names(
        #[case] type_name: &str,
        #[case] kind: ChannelKind,
        #[case] md: &[(&str, &str)],
        #[case] expected: &[&str],
    ) {
        let f = filter(type_name, md).unwrap();
        let names: Vec<String> = channels_for(type_name, kind, &f)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn net_flow_without_a_ticker_is_refused() {
        let err =
            channels_for("UwNetFlow", ChannelKind::NetFlow, &UwFilter::default()).unwrap_err();
        assert!(err.to_string().contains("needs a ticker"), "{err}");
    }

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
}
