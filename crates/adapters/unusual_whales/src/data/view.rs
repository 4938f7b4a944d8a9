//! What subscription filters can see of a record: the metadata keys a type can be filtered on and
//! the fields behind them. Each record type states its view next to its declaration.

use crate::data::record::{InstrumentSource, UwRecord};

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
    /// Every key.
    pub const ALL: &[Self] = &[
        Self::Ticker,
        Self::MinPremium,
        Self::MinSize,
        Self::OptionType,
        Self::Expiry,
        Self::InstrumentId,
    ];

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

    /// The key called `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }
}

use FilterKey::{Expiry, InstrumentId, MinPremium, MinSize, Ticker};

/// The keys of option prints and alerts: every key.
pub const OPTION_KEYS: &[FilterKey] = FilterKey::ALL;
/// The keys of equity prints.
pub const EQUITY_KEYS: &[FilterKey] = &[Ticker, MinPremium, MinSize, InstrumentId];
/// The keys of records of one ticker.
pub const TICKER_KEYS: &[FilterKey] = &[Ticker, InstrumentId];
/// The keys of records of one ticker and expiry.
pub const EXPIRY_KEYS: &[FilterKey] = &[Ticker, Expiry, InstrumentId];

/// The fields filters look at, per record type.
pub trait RecordView: UwRecord {
    /// The metadata keys this type can be filtered on.
    const KEYS: &'static [FilterKey];
    /// The record's ticker: by default the instrument symbol of a type whose instrument is its
    /// ticker.
    fn ticker(&self) -> Option<&str> {
        match Self::INSTRUMENT {
            InstrumentSource::Ticker => self.instrument_symbol(),
            InstrumentSource::OptionSymbol | InstrumentSource::None => None,
        }
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

/// `impl RecordView` for a type filtered on `keys`, with its ticker and expiry fields when given
/// (the ticker defaults to the instrument symbol of a type whose instrument is its ticker).
macro_rules! record_view {
    ($t:ty, $keys:expr $(, ticker: |$tr:ident| $ticker:expr)? $(, expiry: |$er:ident| $expiry:expr)?) => {
        impl $crate::data::view::RecordView for $t {
            const KEYS: &'static [$crate::data::view::FilterKey] = $keys;
            $(fn ticker(&self) -> Option<&str> {
                let $tr = self;
                $ticker
            })?
            $(fn expiry(&self) -> Option<&str> {
                let $er = self;
                $expiry
            })?
        }
    };
}

pub(crate) use record_view;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::symbol::InstrumentIdFormat;
    use crate::data::{Nope, OptionTrade};

    #[test]
    fn the_ticker_defaults_to_the_instrument_symbol_of_ticker_records_only() {
        let mut nope: Nope =
            serde_json::from_str(r#"{"timestamp":"2024-10-28 18:46:00+00:00"}"#).unwrap();
        nope.ticker = Some("SPY".to_owned());
        nope.finish(0, &InstrumentIdFormat::default()).unwrap();
        assert_eq!(RecordView::ticker(&nope), Some("SPY"));
        // An option print names its contract, not its ticker: its view says which field is.
        let json = r#"{"id":"x","underlying_symbol":"SPXW","option_symbol":"SPXW250516C05900000","executed_at":1,"price":"1","size":1}"#;
        let print: OptionTrade = serde_json::from_str(json).unwrap();
        assert_eq!(RecordView::ticker(&print), Some("SPXW"));
    }
}
