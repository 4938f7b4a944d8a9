//! Which records pass a filter: the fields each record type offers to filters ([`RecordView`]),
//! and [`UwFilter::matches`].

use crate::common::parse::ny_date;
use crate::common::symbol::same_instrument;
use crate::data::record::UwRecord;
use crate::data::*;
use crate::subscription::metadata::{ExpiryFilter, FilterKey, UwFilter};

impl UwFilter {
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

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use crate::subscription::testing::{filter, flow_alert};

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
}
