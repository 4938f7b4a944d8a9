//! OCC option symbols and tickers, mapped to the IB adapter's simplified symbology.
//!
//! UW's `option_symbol` / `option_chain` is the compact OCC form (`TSLA250516C00355000`), which is
//! exactly what NautilusTrader's Interactive Brokers adapter uses as the symbol of an option
//! instrument (`TSLA250516C00355000.SMART`). A flow alert can therefore be traded through IB without
//! translation. The padded OCC form (`TSLA  250516C00355000`) is accepted and compacted.

use std::fmt;

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// A call.
    Call,
    /// A put.
    Put,
}

/// Why an option symbol or ticker was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolError {
    /// The text does not have the OCC shape.
    #[error("invalid OCC option symbol {symbol:?}: {reason}")]
    InvalidOcc {
        /// The offending text.
        symbol: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The ticker is empty or has characters no exchange uses.
    #[error("invalid ticker {0:?}")]
    InvalidTicker(String),
}

/// A parsed OCC option symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccSymbol {
    /// Option root, e.g. `SPXW` (may differ from the underlying ticker `SPX`).
    pub root: String,
    /// Expiry year (four digits).
    pub year: u16,
    /// Expiry month 1-12.
    pub month: u8,
    /// Expiry day 1-31.
    pub day: u8,
    /// Call or put.
    pub kind: OptionKind,
    /// Strike in thousandths of a dollar, as OCC encodes it (`00355000` = 355.000).
    pub strike_thousandths: u32,
}

impl OccSymbol {
    /// Parses the compact or padded OCC form.
    ///
    /// # Errors
    /// Returns [`SymbolError::InvalidOcc`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, SymbolError> {
        let bad = |reason| SymbolError::InvalidOcc {
            symbol: text.to_owned(),
            reason,
        };
        let b = text.as_bytes();
        if b.len() < 16 || !text.is_ascii() {
            return Err(bad("expected ROOT + YYMMDD + C/P + 8-digit strike"));
        }
        let tail = &b[b.len() - 15..];
        let root = text[..b.len() - 15].trim_end();
        if root.is_empty() || root.len() > 6 {
            return Err(bad("root must be 1-6 characters"));
        }
        if !root
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'.')
        {
            return Err(bad("root must be upper-case letters, digits or '.'"));
        }
        if !tail[..6].iter().all(u8::is_ascii_digit) || !tail[7..].iter().all(u8::is_ascii_digit) {
            return Err(bad("expiry and strike must be digits"));
        }
        let num = |s: &[u8]| s.iter().fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0'));
        let yy = num(&tail[0..2]);
        let month = num(&tail[2..4]);
        let day = num(&tail[4..6]);
        if !(1..=12).contains(&month) {
            return Err(bad("expiry month out of range"));
        }
        let year = 2000 + yy;
        let max_day = match month {
            4 | 6 | 9 | 11 => 30,
            2 if year % 4 == 0 => 29,
            2 => 28,
            _ => 31,
        };
        if day == 0 || day > max_day {
            return Err(bad("expiry day out of range"));
        }
        let kind = match tail[6] {
            b'C' => OptionKind::Call,
            b'P' => OptionKind::Put,
            _ => return Err(bad("expected C or P after the expiry")),
        };
        #[allow(clippy::cast_possible_truncation)]
        Ok(Self {
            root: root.to_owned(),
            year: year as u16,
            month: month as u8,
            day: day as u8,
            kind,
            strike_thousandths: num(&tail[7..]),
        })
    }

    /// The strike in dollars.
    #[must_use]
    pub fn strike(&self) -> f64 {
        f64::from(self.strike_thousandths) / 1000.0
    }

    /// The expiry as `YYYY-MM-DD`.
    #[must_use]
    pub fn expiry(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The Nautilus instrument id text on `venue`, in IB simplified symbology.
    #[must_use]
    pub fn instrument_id(&self, venue: &str) -> String {
        format!("{self}.{venue}")
    }
}

impl fmt::Display for OccSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cp = match self.kind {
            OptionKind::Call => 'C',
            OptionKind::Put => 'P',
        };
        write!(
            f,
            "{}{:02}{:02}{:02}{cp}{:08}",
            self.root,
            self.year % 100,
            self.month,
            self.day,
            self.strike_thousandths
        )
    }
}

/// Checks that a ticker can be a Nautilus symbol: 1-16 printable ASCII characters, no spaces.
///
/// # Errors
/// Returns [`SymbolError::InvalidTicker`].
pub fn validate_ticker(ticker: &str) -> Result<(), SymbolError> {
    let ok =
        !ticker.is_empty() && ticker.len() <= 16 && ticker.bytes().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(SymbolError::InvalidTicker(ticker.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("TSLA250516C00355000", "TSLA", "2025-05-16", OptionKind::Call, 355.0)]
    #[case("SPXW241220P05900000", "SPXW", "2024-12-20", OptionKind::Put, 5900.0)]
    #[case("TSLA  250516C00352500", "TSLA", "2025-05-16", OptionKind::Call, 352.5)]
    #[case("F250117C00012500", "F", "2025-01-17", OptionKind::Call, 12.5)]
    fn parses_occ_symbols(
        #[case] text: &str,
        #[case] root: &str,
        #[case] expiry: &str,
        #[case] kind: OptionKind,
        #[case] strike: f64,
    ) {
        let occ = OccSymbol::parse(text).unwrap();
        assert_eq!(occ.root, root);
        assert_eq!(occ.expiry(), expiry);
        assert_eq!(occ.kind, kind);
        assert!((occ.strike() - strike).abs() < 1e-9);
        assert_eq!(occ.to_string(), text.replace(' ', ""));
        assert_eq!(
            occ.instrument_id("SMART"),
            format!("{}.SMART", text.replace(' ', ""))
        );
    }

    #[rstest]
    #[case("")]
    #[case("SPY")]
    #[case("SPY241320C00500000")]
    #[case("SPY240230C00500000")]
    #[case("SPY241220X00500000")]
    #[case("SPY241220C0050000A")]
    #[case("spy241220C00500000")]
    #[case("TOOLONGROOT241220C00500000")]
    #[case("SPY2412\u{e9}0C00500000")]
    fn rejects_malformed_occ_symbols(#[case] text: &str) {
        assert!(OccSymbol::parse(text).is_err(), "{text}");
    }

    proptest::proptest! {
        #[test]
        fn occ_round_trips(root in "[A-Z]{1,6}", yy in 0u16..100, month in 1u8..=12, day in 1u8..=28,
                           call in proptest::bool::ANY, strike in 0u32..100_000_000) {
            let text = format!("{root}{yy:02}{month:02}{day:02}{}{strike:08}", if call { 'C' } else { 'P' });
            let occ = OccSymbol::parse(&text).unwrap();
            proptest::prop_assert_eq!(occ.to_string(), text);
        }

        #[test]
        fn occ_parse_never_panics(text in "\\PC{0,30}") {
            let _ = OccSymbol::parse(&text);
        }
    }
}
