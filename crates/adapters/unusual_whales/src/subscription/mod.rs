//! Subscriptions: which UW channels a Nautilus subscription needs, and which records it receives.
//!
//! A strategy subscribes with `DataType(UwFlowAlert, metadata={"ticker": "SPY", "min_premium": 100000})`.
//! The metadata becomes a [`UwFilter`] ([`metadata`]); [`channels_for`] picks the UW channels to
//! join (per-ticker channels where UW has them, the all-tickers channel otherwise) and
//! [`SubscriptionTable`] routes every decoded record to the subscriptions whose channel it came on
//! and whose filter it passes ([`filter`]). Filtering here, on the tokio thread, means Python only
//! builds objects someone asked for. REST history applies the same filters, so this module sits
//! below both `websocket` and `http`.
//!
//! `UwFlowBar` subscriptions are not filters but aggregators ([`flow_bars`]): they join their
//! ticker's option-print channel and are fed its prints before routing.
//!
//! UW's channel names ([`channel`]) live here too: they are generated from the registry's record
//! types, which puts them above `data` (not in `common`), and both the frame parser and the
//! subscriptions use them.

pub mod channel;
pub mod filter;
pub mod flow_bars;
pub mod metadata;
pub mod source;
pub mod table;

pub use filter::history_filter_keys;
pub use flow_bars::{LiveFlowBarStats, LiveFlowBars};
pub use metadata::{ExpiryFilter, RouteError, UwFilter};
pub use source::{StreamSource, channels_for, stream_source};
pub use table::{RouteId, Subscription, SubscriptionId, SubscriptionTable};

#[cfg(test)]
mod testing {
    use crate::common::symbol::InstrumentIdFormat;
    use crate::common::testing::load_fixture;
    use crate::data::FlowAlert;
    use crate::data::record::finish_record;
    use crate::subscription::{RouteError, UwFilter, stream_source};

    pub(super) fn filter(type_name: &str, md: &[(&str, &str)]) -> Result<UwFilter, RouteError> {
        let (_, keys) = stream_source(type_name)?;
        UwFilter::from_metadata(type_name, keys, md)
    }

    /// The first alert of the flow-alert fixture, decoded as the WebSocket parser decodes it.
    pub(super) fn flow_alert() -> FlowAlert {
        let frames = load_fixture("ws_flow_alerts.jsonl");
        let frame = frames.lines().next().unwrap();
        let (channel, mut alert): (String, FlowAlert) = serde_json::from_str(frame).unwrap();
        assert_eq!(channel, "flow-alerts");
        finish_record(
            &mut alert,
            &channel,
            1,
            &InstrumentIdFormat::new("SMART", false),
        )
        .unwrap();
        alert
    }
}
