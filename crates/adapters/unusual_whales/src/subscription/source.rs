//! Which UW channels a subscription joins: the live source of each streamed type, and per-ticker
//! channels where UW has them.

use std::fmt;

use crate::data::record::UwRecord;
use crate::data::view::{FilterKey, RecordView};
use crate::data::*;
use crate::subscription::channel::{ChannelKind, TickerScope, UwChannel};
use crate::subscription::filter::history_filter_keys;
use crate::subscription::metadata::{RouteError, UwFilter};

/// Where a subscription's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamSource {
    /// A UW channel kind.
    Channel(ChannelKind),
    /// The client's own `UwFeedStatus` events.
    FeedStatus,
    /// `UwFlowBar`s, built from the option prints of the subscription's ticker.
    FlowBars,
}

/// The live source and the filter keys of a Python type name.
///
/// # Errors
/// Unknown names, and REST-only types (which have no live source).
pub fn stream_source(type_name: &str) -> Result<(StreamSource, &'static [FilterKey]), RouteError> {
    if let Some(kind) = ChannelKind::streaming(type_name) {
        return Ok((StreamSource::Channel(kind), history_filter_keys(type_name)));
    }
    if type_name == <FeedStatus as UwRecord>::TYPE_NAME {
        return Ok((StreamSource::FeedStatus, <FeedStatus as RecordView>::KEYS));
    }
    if type_name == <FlowBar as UwRecord>::TYPE_NAME {
        // Its metadata is a `FlowBarSpec`, not a filter.
        return Ok((StreamSource::FlowBars, &[]));
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
    let (per_ticker, only_per_ticker) = match kind.ticker_scope() {
        TickerScope::AllTickers => (false, false),
        TickerScope::OptionalTicker => (true, false),
        TickerScope::TickerOnly => (true, true),
    };
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

impl fmt::Display for StreamSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Channel(k) => write!(f, "{k}"),
            Self::FeedStatus => f.write_str("feed status"),
            Self::FlowBars => f.write_str("flow bars"),
        }
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::subscription::testing::filter;

    #[rstest]
    #[case("UwOptionTrade", ChannelKind::OptionTrades, &[("ticker", "SPY,QQQ")], &["option_trades:SPY", "option_trades:QQQ"])]
    #[case("UwOptionTrade", ChannelKind::OptionTrades, &[], &["option_trades"])]
    #[case("UwOptionTrade", ChannelKind::OptionTrades, &[("instrument_id", "SPXW250516C05900000.SMART")], &["option_trades:SPX"])]
    #[case("UwOptionTrade", ChannelKind::OptionTrades, &[("instrument_id", "TSLA  250516C00355000.SMART")], &["option_trades:TSLA"])]
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
}
