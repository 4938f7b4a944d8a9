//! UW record types: one per WebSocket channel / REST payload, shared by both surfaces.
//!
//! Each type is declared once with [`uw_record!`](crate::uw_record) and is at the same time the
//! serde model of the wire payload, the normalised Rust record (timestamps in UNIX nanoseconds,
//! numbers as `f64`/`i64`, `None` for missing) and, with the `python` feature, the pyo3 base class
//! of the Python `Data` type of the same name.

pub mod record;
pub mod view;

pub mod alerts;
pub mod api_response;
pub mod chain;
pub mod contracts;
pub mod equity;
pub mod events;
pub mod exposure;
pub mod flow;
pub mod flow_bar;
pub mod flow_summary;
pub mod greeks;
pub mod market;
pub mod multi_leg;
pub mod news;
pub mod nope;
pub mod open_interest;
pub mod periscope;
pub mod rest;
pub mod screener;
pub mod status;
pub mod stock;
pub mod ticker_flow;
pub mod volatility;

pub use alerts::CustomAlert;
pub use api_response::ApiResponse;
pub use chain::{ScreenedContract, StrikeGreeks};
pub use contracts::{ContractBar, ContractDay, MaxPain, OptionContract};
pub use equity::{DarkPoolLevel, DarkPoolTrade, LitTrade, Price, TradingHalt};
pub use events::{CongressTrade, Earnings, EconomicEvent, InsiderTransaction};
pub use exposure::{ExpiryStrikeGex, StrikeGex, TickerGex};
pub use flow::{FlowAlert, OptionTrade};
pub use flow_bar::FlowBar;
pub use flow_summary::{EtfTide, ExpiryFlow, GroupGreekFlow, NetImpact};
pub use greeks::{
    ExpiryGreekExposure, ExpiryStrikeSpotExposure, GexLevels, GreekExposure, StrikeGreekExposure,
    StrikeSpotExposure,
};
pub use market::{ExpiryTide, IntervalFlow, MarketTide, NetFlow};
pub use multi_leg::{MultiLegLeg, MultiLegTrade};
pub use news::NewsHeadline;
pub use nope::Nope;
pub use open_interest::{ExpiryOpenInterest, OpenInterestChange, StrikeOpenInterest};
pub use periscope::Periscope;
pub use rest::{NetPremTick, SpotExposure};
pub use screener::ContractScreener;
pub use status::FeedStatus;
pub use stock::{OhlcBar, StockQuote, StockState};
pub use ticker_flow::{GreekFlow, StrikeFlow};
pub use volatility::{
    ExpiryIv, HorizonIv, InterpolatedIv, IvRank, IvTermStructure, RealizedVolatility,
    RiskReversalSkew, VolatilityStats,
};

/// Generates [`UwPayload`], [`PayloadItem`], [`for_each_payload!`] and [`with_record_types!`]
/// from the registry's rows. `$d` is a `$` passed in, so that the macros generated here can have
/// metavariables of their own.
macro_rules! payload_from_registry {
    ([($d:tt)] $( $rec:ident : $( live $live:tt )? $( history $history:tt )? ),* $(,)?) => {
        /// Records decoded from one frame or response, tagged by type.
        ///
        /// Most channels carry one record per frame; periscope snapshots and REST responses carry
        /// many. One variant per row of [`uw_records!`](crate::uw_records), named as its type.
        #[derive(Debug, Clone, PartialEq)]
        pub enum UwPayload {
            $(
                #[doc = concat!("`", stringify!($rec), "` records.")]
                $rec(Vec<$rec>),
            )*
        }

        $(
            impl PayloadItem for $rec {
                fn into_payload(records: Vec<Self>) -> UwPayload {
                    UwPayload::$rec(records)
                }
            }
        )*

        /// The type names of every record, in the registry's order.
        pub const RECORD_TYPE_NAMES: &[&str] = &[
            $( <$rec as record::UwRecord>::TYPE_NAME, )*
        ];

        /// Applies `$body` to the `Vec` inside whichever variant `$payload` is.
        macro_rules! for_each_payload {
            ($d payload:expr, |$d v:ident| $d body:expr) => {
                match $d payload {
                    $( $crate::data::UwPayload::$rec($d v) => $d body, )*
                }
            };
        }

        /// Calls `$callback!(FlowAlert, OptionTrade, ...)` with every record type of the registry.
        macro_rules! with_record_types {
            ($d callback:ident) => {
                $d callback!($( $rec ),*);
            };
        }
    };
}

crate::uw_records!(payload_from_registry, ($));

pub(crate) use {for_each_payload, with_record_types};

/// Wraps a `Vec` of one record type back into its [`UwPayload`] variant.
pub trait PayloadItem: Sized {
    /// The variant holding `records`.
    fn into_payload(records: Vec<Self>) -> UwPayload;
}

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

    /// Hints the CPU to fetch the records' memory (see [`crate::common::prefetch`]).
    pub fn prefetch(&self) {
        for_each_payload!(self, |v| crate::common::prefetch::prefetch_slice(
            v.as_slice()
        ));
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
