//! Which records pass a filter: the fields each record type offers to filters ([`RecordView`]),
//! and [`UwFilter::matches`].

use crate::common::symbol::same_instrument;
use crate::common::time::{ny_date, parse_date};
use crate::data::record::{InstrumentSource, UwRecord};
use crate::data::view::{FilterKey, RecordView};
use crate::data::*;
use crate::subscription::metadata::{ExpiryFilter, UwFilter};

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
                ExpiryFilter::ZeroDte => {
                    parse_date(actual).is_ok_and(|d| d == ny_date(record.ts_event_nanos()))
                }
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

/// Where the records of a UW type take their instrument from (`None` for unknown names).
#[must_use]
pub fn instrument_source(type_name: &str) -> Option<InstrumentSource> {
    macro_rules! source_of {
        ($($t:ty),* $(,)?) => {$(
            if type_name == <$t as UwRecord>::TYPE_NAME {
                return Some(<$t as UwRecord>::INSTRUMENT);
            }
        )*};
    }
    crate::data::with_record_types!(source_of);
    None
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

    #[rstest]
    #[case("SPY", "100", true)]
    #[case("SPY", "101", false)]
    #[case("XSP", "10", true)]
    #[case("XSP", "11", false)]
    #[case("NANOS", "1", true)]
    #[case("NANOS", "2", false)]
    fn a_print_without_a_premium_counts_its_contracts_multiplier(
        #[case] ticker: &str,
        #[case] min_premium: &str,
        #[case] expected: bool,
    ) {
        let mut print = crate::aggregate::testing::option_trade(ticker, 0);
        (print.premium, print.price, print.size) = (None, 1.0, 1);
        let f = filter("UwOptionTrade", &[("min_premium", min_premium)]).unwrap();
        assert_eq!(
            f.matches(&print),
            expected,
            "{ticker} min_premium={min_premium}"
        );
    }

    #[test]
    fn zero_dte_compares_with_the_new_york_date_of_the_event() {
        let mut alert = flow_alert();
        // 2024-10-18 15:00 New York.
        alert.ts_event = crate::common::time::parse_timestamp("2024-10-18T19:00:00Z").unwrap();
        assert!(
            filter("UwFlowAlert", &[("expiry", "0DTE")])
                .unwrap()
                .matches(&alert)
        );
    }
}
