//! UW record types: one per WebSocket channel / REST payload, shared by both surfaces.
//!
//! Each type is declared once with [`uw_record!`](crate::uw_record) and is at the same time the
//! serde model of the wire payload, the normalised Rust record (timestamps in UNIX nanoseconds,
//! numbers as `f64`/`i64`, `None` for missing) and, with the `python` feature, the pyo3 base class
//! of the Python `Data` type of the same name.

pub mod record;

pub mod alerts;
pub mod contracts;
pub mod equity;
pub mod events;
pub mod exposure;
pub mod flow;
pub mod greeks;
pub mod market;
pub mod news;
pub mod periscope;
pub mod rest;
pub mod screener;
pub mod status;
pub mod stock;
pub mod ticker_flow;
pub mod volatility;

pub use alerts::CustomAlert;
pub use contracts::{ContractDay, MaxPain, OptionContract};
pub use equity::{DarkPoolTrade, LitTrade, Price, TradingHalt};
pub use events::{CongressTrade, Earnings, InsiderTransaction};
pub use exposure::{ExpiryStrikeGex, StrikeGex, TickerGex};
pub use flow::{FlowAlert, OptionTrade};
pub use greeks::{
    ExpiryGreekExposure, GexLevels, GreekExposure, StrikeGreekExposure, StrikeSpotExposure,
};
pub use market::{ExpiryTide, IntervalFlow, MarketTide, NetFlow};
pub use news::NewsHeadline;
pub use periscope::Periscope;
pub use rest::{NetPremTick, SpotExposure};
pub use screener::ContractScreener;
pub use status::FeedStatus;
pub use stock::{OhlcBar, StockQuote, StockState};
pub use ticker_flow::{GreekFlow, StrikeFlow};
pub use volatility::{ExpiryIv, HorizonIv, InterpolatedIv, IvRank, IvTermStructure};

/// Records decoded from one frame or response, tagged by type.
///
/// Most channels carry one record per frame; periscope snapshots and REST responses carry many.
#[derive(Debug, Clone, PartialEq)]
pub enum UwPayload {
    /// `UwFlowAlert` records.
    FlowAlert(Vec<FlowAlert>),
    /// `UwOptionTrade` records.
    OptionTrade(Vec<OptionTrade>),
    /// `UwTickerGex` records.
    TickerGex(Vec<TickerGex>),
    /// `UwStrikeGex` records.
    StrikeGex(Vec<StrikeGex>),
    /// `UwExpiryStrikeGex` records.
    ExpiryStrikeGex(Vec<ExpiryStrikeGex>),
    /// `UwPrice` records.
    Price(Vec<Price>),
    /// `UwLitTrade` records.
    LitTrade(Vec<LitTrade>),
    /// `UwDarkPoolTrade` records.
    DarkPoolTrade(Vec<DarkPoolTrade>),
    /// `UwMarketTide` records.
    MarketTide(Vec<MarketTide>),
    /// `UwNetFlow` records.
    NetFlow(Vec<NetFlow>),
    /// `UwIntervalFlow` records.
    IntervalFlow(Vec<IntervalFlow>),
    /// `UwNewsHeadline` records.
    NewsHeadline(Vec<NewsHeadline>),
    /// `UwContractScreener` records.
    ContractScreener(Vec<ContractScreener>),
    /// `UwTradingHalt` records.
    TradingHalt(Vec<TradingHalt>),
    /// `UwCustomAlert` records.
    CustomAlert(Vec<CustomAlert>),
    /// `UwPeriscope` records.
    Periscope(Vec<Periscope>),
    /// `UwInterpolatedIv` records.
    InterpolatedIv(Vec<InterpolatedIv>),
    /// `UwIvTermStructure` records.
    IvTermStructure(Vec<IvTermStructure>),
    /// `UwNetPremTick` records.
    NetPremTick(Vec<NetPremTick>),
    /// `UwSpotExposure` records.
    SpotExposure(Vec<SpotExposure>),
    /// `UwGreekExposure` records.
    GreekExposure(Vec<GreekExposure>),
    /// `UwStrikeGreekExposure` records.
    StrikeGreekExposure(Vec<StrikeGreekExposure>),
    /// `UwExpiryGreekExposure` records.
    ExpiryGreekExposure(Vec<ExpiryGreekExposure>),
    /// `UwGexLevels` records.
    GexLevels(Vec<GexLevels>),
    /// `UwStrikeSpotExposure` records.
    StrikeSpotExposure(Vec<StrikeSpotExposure>),
    /// `UwFeedStatus` records (emitted by the live client, not by UW).
    FeedStatus(Vec<FeedStatus>),
    /// `UwExpiryTide` records.
    ExpiryTide(Vec<ExpiryTide>),
    /// `UwGreekFlow` records.
    GreekFlow(Vec<GreekFlow>),
    /// `UwStrikeFlow` records.
    StrikeFlow(Vec<StrikeFlow>),
    /// `UwOptionContract` records.
    OptionContract(Vec<OptionContract>),
    /// `UwContractDay` records.
    ContractDay(Vec<ContractDay>),
    /// `UwMaxPain` records.
    MaxPain(Vec<MaxPain>),
    /// `UwStockState` records.
    StockState(Vec<StockState>),
    /// `UwStockQuote` records.
    StockQuote(Vec<StockQuote>),
    /// `UwOhlcBar` records.
    OhlcBar(Vec<OhlcBar>),
    /// `UwIvRank` records.
    IvRank(Vec<IvRank>),
    /// `UwHorizonIv` records.
    HorizonIv(Vec<HorizonIv>),
    /// `UwExpiryIv` records.
    ExpiryIv(Vec<ExpiryIv>),
    /// `UwEarnings` records.
    Earnings(Vec<Earnings>),
    /// `UwCongressTrade` records.
    CongressTrade(Vec<CongressTrade>),
    /// `UwInsiderTransaction` records.
    InsiderTransaction(Vec<InsiderTransaction>),
}

/// Applies `$body` to the `Vec` inside whichever variant `$payload` is.
#[macro_export]
macro_rules! for_each_payload {
    ($payload:expr, |$v:ident| $body:expr) => {
        match $payload {
            $crate::data::UwPayload::FlowAlert($v) => $body,
            $crate::data::UwPayload::OptionTrade($v) => $body,
            $crate::data::UwPayload::TickerGex($v) => $body,
            $crate::data::UwPayload::StrikeGex($v) => $body,
            $crate::data::UwPayload::ExpiryStrikeGex($v) => $body,
            $crate::data::UwPayload::Price($v) => $body,
            $crate::data::UwPayload::LitTrade($v) => $body,
            $crate::data::UwPayload::DarkPoolTrade($v) => $body,
            $crate::data::UwPayload::MarketTide($v) => $body,
            $crate::data::UwPayload::NetFlow($v) => $body,
            $crate::data::UwPayload::IntervalFlow($v) => $body,
            $crate::data::UwPayload::NewsHeadline($v) => $body,
            $crate::data::UwPayload::ContractScreener($v) => $body,
            $crate::data::UwPayload::TradingHalt($v) => $body,
            $crate::data::UwPayload::CustomAlert($v) => $body,
            $crate::data::UwPayload::Periscope($v) => $body,
            $crate::data::UwPayload::InterpolatedIv($v) => $body,
            $crate::data::UwPayload::IvTermStructure($v) => $body,
            $crate::data::UwPayload::NetPremTick($v) => $body,
            $crate::data::UwPayload::SpotExposure($v) => $body,
            $crate::data::UwPayload::GreekExposure($v) => $body,
            $crate::data::UwPayload::StrikeGreekExposure($v) => $body,
            $crate::data::UwPayload::ExpiryGreekExposure($v) => $body,
            $crate::data::UwPayload::GexLevels($v) => $body,
            $crate::data::UwPayload::StrikeSpotExposure($v) => $body,
            $crate::data::UwPayload::FeedStatus($v) => $body,
            $crate::data::UwPayload::ExpiryTide($v) => $body,
            $crate::data::UwPayload::GreekFlow($v) => $body,
            $crate::data::UwPayload::StrikeFlow($v) => $body,
            $crate::data::UwPayload::OptionContract($v) => $body,
            $crate::data::UwPayload::ContractDay($v) => $body,
            $crate::data::UwPayload::MaxPain($v) => $body,
            $crate::data::UwPayload::StockState($v) => $body,
            $crate::data::UwPayload::StockQuote($v) => $body,
            $crate::data::UwPayload::OhlcBar($v) => $body,
            $crate::data::UwPayload::IvRank($v) => $body,
            $crate::data::UwPayload::HorizonIv($v) => $body,
            $crate::data::UwPayload::ExpiryIv($v) => $body,
            $crate::data::UwPayload::Earnings($v) => $body,
            $crate::data::UwPayload::CongressTrade($v) => $body,
            $crate::data::UwPayload::InsiderTransaction($v) => $body,
        }
    };
}

/// Wraps a `Vec` of one record type back into its [`UwPayload`] variant.
pub trait PayloadItem: Sized {
    /// The variant holding `records`.
    fn into_payload(records: Vec<Self>) -> UwPayload;
}

macro_rules! payload_items {
    ($($variant:ident),* $(,)?) => {$(
        impl PayloadItem for $variant {
            fn into_payload(records: Vec<Self>) -> UwPayload {
                UwPayload::$variant(records)
            }
        }
    )*};
}

/// Calls `$callback!(FlowAlert, OptionTrade, ...)` with every record type: the one list that
/// per-type tables (payload wrapping, filter keys) are generated from.
#[macro_export]
macro_rules! with_record_types {
    ($callback:ident) => {
        $callback!(
            FlowAlert,
            OptionTrade,
            TickerGex,
            StrikeGex,
            ExpiryStrikeGex,
            Price,
            LitTrade,
            DarkPoolTrade,
            MarketTide,
            NetFlow,
            IntervalFlow,
            NewsHeadline,
            ContractScreener,
            TradingHalt,
            CustomAlert,
            Periscope,
            InterpolatedIv,
            IvTermStructure,
            NetPremTick,
            SpotExposure,
            GreekExposure,
            StrikeGreekExposure,
            ExpiryGreekExposure,
            GexLevels,
            StrikeSpotExposure,
            FeedStatus,
            ExpiryTide,
            GreekFlow,
            StrikeFlow,
            OptionContract,
            ContractDay,
            MaxPain,
            StockState,
            StockQuote,
            OhlcBar,
            IvRank,
            HorizonIv,
            ExpiryIv,
            Earnings,
            CongressTrade,
            InsiderTransaction,
        );
    };
}

with_record_types!(payload_items);

impl UwPayload {
    /// Number of records.
    #[must_use]
    pub fn len(&self) -> usize {
        for_each_payload!(self, |v| v.len())
    }

    /// Whether there are no records.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The Python type name of the records (`UwFlowAlert`, ...).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        use record::UwRecord;
        fn name<R: UwRecord>(_: &[R]) -> &'static str {
            R::TYPE_NAME
        }
        for_each_payload!(self, |v| name(v))
    }
}
