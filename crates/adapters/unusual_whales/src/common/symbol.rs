//! OCC option symbols and tickers, mapped to the IB adapter's simplified symbology.
//!
//! UW's `option_symbol` / `option_chain` is the compact OCC form (`TSLA250516C00355000`). The
//! symbol NautilusTrader's Interactive Brokers adapter gives the same option depends on its
//! release: the compact form up to 1.222 (`TSLA250516C00355000.SMART`), IB's own 21-character
//! `localSymbol` with the root padded to six characters from 1.223 on
//! (`TSLA  250516C00355000.SMART`). [`InstrumentIdFormat`] writes the one the installed release
//! uses, so a flow alert can be traded through IB without translation. Both forms are parsed.

use std::fmt;

use jiff::civil::Date;

use crate::common::text::UwId;

/// The OCC root of an option symbol, its leading letters (`SPXW` of `SPXW250516C05900000`), without
/// parsing the rest.
#[must_use]
pub fn occ_root(symbol: &str) -> Option<&str> {
    let end = symbol.find(|c: char| c.is_ascii_digit())?;
    (end > 0).then(|| &symbol[..end])
}

/// The underlying ticker of an index option root that differs from it: the weekly and
/// PM-settled roots of the index products (`SPXW` options are on `SPX`). UW names the underlying
/// in `underlying_symbol` and in per-ticker channel names (docs/uw-api.md, "root is not
/// underlying"); any other root is its own underlying.
#[must_use]
pub fn root_underlying(root: &str) -> &str {
    match root {
        "SPXW" => "SPX",
        "NDXP" => "NDX",
        "RUTW" => "RUT",
        "VIXW" => "VIX",
        other => other,
    }
}

/// The underlying ticker of an option symbol: its root, or the index a weekly or PM-settled root
/// stands for ([`root_underlying`]). What a record of an option offers a `ticker` filter, so that
/// `ticker="SPX"` means the same records on every type and channel.
#[must_use]
pub fn occ_underlying(symbol: &str) -> Option<&str> {
    occ_root(symbol).map(root_underlying)
}

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

/// An OCC symbol checked in place: the root and the fifteen characters after it borrowed from
/// the text. An instrument id is these bytes copied, so an option print's id costs one
/// allocation (the id's) and no formatting.
struct CheckedOcc<'a> {
    /// The root without its padding (`SPXW`).
    root: &'a str,
    /// `YYMMDD`, `C`/`P` and the eight strike digits, exactly as the text has them.
    tail: &'a str,
    year: u16,
    month: u8,
    day: u8,
    kind: OptionKind,
    strike_thousandths: u32,
}

impl<'a> CheckedOcc<'a> {
    fn check(text: &'a str) -> Result<Self, SymbolError> {
        let bad = |reason| SymbolError::InvalidOcc {
            symbol: text.to_owned(),
            reason,
        };
        let b = text.as_bytes();
        if b.len() < 16 || !text.is_ascii() {
            return Err(bad("expected ROOT + YYMMDD + C/P + 8-digit strike"));
        }
        let (root, tail) = text.split_at(b.len() - 15);
        let tail_bytes = tail.as_bytes();
        // Only a padded root (`SPY   `) has anything to trim; the full trim is Unicode-aware.
        let root = if root.ends_with(|c: char| c.is_ascii_alphanumeric()) {
            root
        } else {
            root.trim_end()
        };
        if root.is_empty() || root.len() > 6 {
            return Err(bad("root must be 1-6 characters"));
        }
        if !root
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'.')
        {
            return Err(bad("root must be upper-case letters, digits or '.'"));
        }
        // The strike's eight digits read and checked at once (every option print has a symbol).
        let strike = crate::common::parse::eight_digits(&tail_bytes[7..]);
        let Some(strike_thousandths) =
            strike.filter(|_| tail_bytes[..6].iter().all(u8::is_ascii_digit))
        else {
            return Err(bad("expiry and strike must be digits"));
        };
        let num = |s: &[u8]| u32::from(s[0] - b'0') * 10 + u32::from(s[1] - b'0');
        let yy = num(&tail_bytes[0..2]);
        let month = num(&tail_bytes[2..4]);
        let day = num(&tail_bytes[4..6]);
        if !(1..=12).contains(&month) {
            return Err(bad("expiry month out of range"));
        }
        let year = 2000 + yy;
        if !(1..=days_in_month(year, month)).contains(&day) {
            return Err(bad("expiry day out of range"));
        }
        let kind = match tail_bytes[6] {
            b'C' => OptionKind::Call,
            b'P' => OptionKind::Put,
            _ => return Err(bad("expected C or P after the expiry")),
        };
        #[allow(clippy::cast_possible_truncation)]
        Ok(Self {
            root,
            tail,
            year: year as u16,
            month: month as u8,
            day: day as u8,
            kind,
            // Eight digits: below 10^8.
            strike_thousandths: strike_thousandths as u32,
        })
    }
}

/// Days in `month` (1-12) of the Gregorian `year`: what `jiff::civil::Date::new` accepts, for
/// the years an OCC expiry can name (2000-2099), without its general checks.
const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl OccSymbol {
    /// Parses the compact or padded OCC form.
    ///
    /// # Errors
    /// Returns [`SymbolError::InvalidOcc`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, SymbolError> {
        let checked = CheckedOcc::check(text)?;
        Ok(Self {
            root: checked.root.to_owned(),
            year: checked.year,
            month: checked.month,
            day: checked.day,
            kind: checked.kind,
            strike_thousandths: checked.strike_thousandths,
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
        // Byte by byte, as `option_id`: every flow alert fills its expiry from its symbol.
        let mut out = String::with_capacity(10);
        push_digits(&mut out, u32::from(self.year), 4);
        out.push('-');
        push_digits(&mut out, u32::from(self.month), 2);
        out.push('-');
        push_digits(&mut out, u32::from(self.day), 2);
        out
    }

    /// The expiry as a date (always `Some` for a parsed symbol, whose day was checked real).
    #[must_use]
    pub fn expiry_date(&self) -> Option<Date> {
        let year = i16::try_from(self.year).ok()?;
        Date::new(
            year,
            i8::try_from(self.month).ok()?,
            i8::try_from(self.day).ok()?,
        )
        .ok()
    }

    /// The OCC symbol with the root padded to six characters (`SPY   261218C00600000`): IB's
    /// `localSymbol` of the contract.
    #[must_use]
    pub fn padded(&self) -> String {
        let mut out = String::with_capacity(21);
        self.push_symbol(&mut out, true);
        out
    }
}

/// How instrument ids are written: `SYMBOL.VENUE`, as NautilusTrader's IB adapter names the same
/// instrument in its simplified symbology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentIdFormat {
    /// The venue (`SMART`: IB's smart router; `option_venue` in the client config).
    pub venue: String,
    /// Whether option symbols keep the OCC root padded to six characters, as the IB adapter
    /// writes them from NautilusTrader 1.223 on; compact before.
    pub padded_occ_root: bool,
}

impl InstrumentIdFormat {
    /// A format for `venue`.
    #[must_use]
    pub fn new(venue: impl Into<String>, padded_occ_root: bool) -> Self {
        Self {
            venue: venue.into(),
            padded_occ_root,
        }
    }

    /// The instrument id of the option contract `symbol` (compact or padded OCC form).
    ///
    /// # Errors
    /// Returns [`SymbolError::InvalidOcc`] when `symbol` is not an OCC symbol.
    pub fn option_id(&self, symbol: &str) -> Result<UwId, SymbolError> {
        // Every option print gets one: the checked text is copied, not parsed and re-formatted
        // (`format!` was a tenth of the live path's per-frame cost, the re-formatting and the
        // root's own allocation another 5%), into the record itself when it fits, as IB's
        // `SPY   241220C00500000.SMART` does.
        let occ = CheckedOcc::check(symbol)?;
        let padding = root_padding(occ.root, self.padded_occ_root);
        // Usually the symbol is already in the form the id wants (compact for compact, padded
        // for padded): copied whole, three copies instead of five.
        let between = &symbol[occ.root.len()..symbol.len() - occ.tail.len()];
        if between == padding {
            return Ok(UwId::concat(&[symbol, ".", &self.venue]));
        }
        Ok(UwId::concat(&[
            occ.root,
            padding,
            occ.tail,
            ".",
            &self.venue,
        ]))
    }

    /// The instrument id of an underlying. A share class is written as the IB adapter writes it
    /// (IB's `BRK B` becomes `BRK-B`; UW says `BRK.B`).
    #[must_use]
    pub fn ticker_id(&self, ticker: &str) -> String {
        format!("{}.{}", ticker.replace('.', "-"), self.venue)
    }
}

impl Default for InstrumentIdFormat {
    /// `SMART` with padded roots: what the newest supported NautilusTrader's IB adapter uses.
    fn default() -> Self {
        Self::new(crate::common::consts::DEFAULT_VENUE, true)
    }
}

/// Whether two instrument ids name the same instrument, whichever OCC form each uses.
#[must_use]
pub fn same_instrument(a: &str, b: &str) -> bool {
    fn strip(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes().filter(|c| *c != b' ')
    }
    strip(a).eq(strip(b))
}

impl OccSymbol {
    /// Appends the symbol, its root padded to six characters when `padded_root`.
    fn push_symbol(&self, out: &mut String, padded_root: bool) {
        push_root(out, &self.root, padded_root);
        self.push_expiry_kind_strike(out);
    }

    /// Appends `YYMMDD`, `C`/`P` and the eight strike digits: the symbol after its root.
    fn push_expiry_kind_strike(&self, out: &mut String) {
        push_digits(out, u32::from(self.year % 100), 2);
        push_digits(out, u32::from(self.month), 2);
        push_digits(out, u32::from(self.day), 2);
        out.push(match self.kind {
            OptionKind::Call => 'C',
            OptionKind::Put => 'P',
        });
        push_digits(out, self.strike_thousandths, 8);
    }
}

/// The spaces that pad an OCC root to six characters when `padded` (IB's `localSymbol` form).
fn root_padding(root: &str, padded: bool) -> &'static str {
    const SIX: &str = "      ";
    if padded {
        &SIX[..SIX.len().saturating_sub(root.len())]
    } else {
        ""
    }
}

/// Appends an OCC root, padded to six characters when `padded`.
fn push_root(out: &mut String, root: &str, padded: bool) {
    out.push_str(root);
    out.push_str(root_padding(root, padded));
}

/// Appends the last `width` decimal digits of `value`, zero-padded (`{:0width$}` for values that
/// fit, without the formatting machinery).
fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10u32.pow(place)) % 10;
        out.push(char::from(b'0' + u8::try_from(digit).unwrap_or(0)));
    }
}

impl fmt::Display for OccSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut symbol = String::with_capacity(21);
        self.push_symbol(&mut symbol, false);
        f.write_str(&symbol)
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

/// Shares (index units) one option contract of `underlying` delivers: 100, but 10 for `XSP` and
/// 1 for `NANOS` (docs/uw-api.md#option-symbols). UW's `premium` is `size x price x` this.
#[must_use]
pub fn contract_multiplier(underlying: &str) -> f64 {
    if underlying.eq_ignore_ascii_case("XSP") {
        10.0
    } else if underlying.eq_ignore_ascii_case("NANOS") {
        1.0
    } else {
        100.0
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
            InstrumentIdFormat::new("SMART", false)
                .option_id(text)
                .unwrap(),
            format!("{}.SMART", text.replace(' ', ""))
        );
        let padded = InstrumentIdFormat::new("SMART", true)
            .option_id(text)
            .unwrap();
        assert_eq!(padded.len(), 21 + ".SMART".len(), "{padded}");
        assert_eq!(&padded[..6], format!("{root:<6}"));
        assert!(same_instrument(
            &padded,
            &format!("{}.SMART", text.replace(' ', ""))
        ));
    }

    #[rstest]
    #[case("F250117C00012500", "F     250117C00012500")]
    #[case("SPY261218C00600000", "SPY   261218C00600000")]
    #[case("SPXW261218P07000000", "SPXW  261218P07000000")]
    #[case("BRKB261218C99999999", "BRKB  261218C99999999")]
    #[case("ABCDEF261218C00001000", "ABCDEF261218C00001000")]
    #[case("SPY   261218C00600000", "SPY   261218C00600000")]
    fn pads_the_root_to_six_characters(#[case] text: &str, #[case] padded: &str) {
        assert_eq!(OccSymbol::parse(text).unwrap().padded(), padded);
    }

    #[rstest]
    #[case("")]
    #[case("SPY")]
    #[case("SPY241320C00500000")]
    #[case("SPY240230C00500000")]
    #[case("SPY250229C00500000")]
    #[case("SPY241220X00500000")]
    #[case("SPY241220C0050000A")]
    #[case("spy241220C00500000")]
    #[case("TOOLONGROOT241220C00500000")]
    #[case("SPY2412\u{e9}0C00500000")]
    fn rejects_malformed_occ_symbols(#[case] text: &str) {
        assert!(OccSymbol::parse(text).is_err(), "{text}");
    }

    #[test]
    fn an_expiry_is_accepted_exactly_when_it_is_a_calendar_day() {
        // Every day number of every month of the century OCC years can name, with the month and
        // day just outside the range too: the hand-written check against jiff's.
        for yy in 0..100 {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = format!("SPY{yy:02}{month:02}{day:02}C00500000");
                    let real = Date::new(2000 + yy, month, day).is_ok();
                    assert_eq!(OccSymbol::parse(&text).is_ok(), real, "{text}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn occ_round_trips(root in "[A-Z]{1,6}", yy in 0u16..100, month in 1u8..=12, day in 1u8..=28,
                           call in proptest::bool::ANY, strike in 0u32..100_000_000) {
            let text = format!("{root}{yy:02}{month:02}{day:02}{}{strike:08}", if call { 'C' } else { 'P' });
            let occ = OccSymbol::parse(&text).unwrap();
            proptest::prop_assert_eq!(occ.to_string(), text.clone());
            // The hand-written ids and expiry say what `format!` says.
            proptest::prop_assert_eq!(occ.expiry(), format!("{:04}-{month:02}-{day:02}", 2000 + yy));
            proptest::prop_assert_eq!(InstrumentIdFormat::new("SMART", false).option_id(&text).unwrap(), format!("{text}.SMART"));
            proptest::prop_assert_eq!(
                InstrumentIdFormat::new("X", true).option_id(&text).unwrap(),
                format!("{root:<6}{}.X", &text[root.len()..])
            );
        }

        #[test]
        fn occ_parse_never_panics(text in "\\PC{0,30}") {
            let _ = OccSymbol::parse(&text);
        }
    }
}
