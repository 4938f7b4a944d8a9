//! A `UwFlowBar` subscription's metadata as a typed [`FlowBarSpec`]: which prints a bar counts
//! (ticker, expiry, call/put, moneyness, minimum premium), how long it lasts, and what happens to
//! empty and quiet intervals.
//!
//! Every error names the key and the forms it accepts, so a wrong `subscribe_data` is fixed from
//! the message alone.

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::common::error::quote;
use crate::common::symbol::validate_ticker;
use crate::common::time::{NANOS_PER_MILLI, parse_date};

/// The accepted metadata keys and, for each, the forms its value may take.
pub const SPEC_KEYS: &[(&str, &str)] = &[
    (TICKER, "one underlying ticker, e.g. SPY"),
    (
        INTERVAL,
        "a duration from 100ms to 1d that divides a day, written <n>ms, <n>s, <n>m, <n>h or <n>d \
         (100ms, 250ms, 1s, 5s, 1m, 15m, 1h, 1d)",
    ),
    (
        EVERY,
        "a whole number of prints from 1 to 1000000, e.g. 500",
    ),
    (EXPIRY, "0dte, a date YYYY-MM-DD, or all"),
    (OPTION_TYPE, "call, put or all"),
    (MIN_PREMIUM, "dollars, a number >= 0, e.g. 100000"),
    (
        MONEYNESS,
        "otm, itm, all, or a band: the largest |strike / underlying price - 1|, a number > 0 \
         such as 0.02",
    ),
    (EMPTY, "emit or skip"),
    (GRACE_MS, "whole milliseconds from 0 to 3600000, e.g. 1000"),
];

const TICKER: &str = "ticker";
const INTERVAL: &str = "interval";
const EVERY: &str = "every";
const EXPIRY: &str = "expiry";
const OPTION_TYPE: &str = "option_type";
const MIN_PREMIUM: &str = "min_premium";
const MONEYNESS: &str = "moneyness";
const EMPTY: &str = "empty";
const GRACE_MS: &str = "grace_ms";

const MIN_INTERVAL_MS: u64 = 100;
const DAY_MS: u64 = 86_400_000;
const MAX_EVERY: u32 = 1_000_000;
const MAX_GRACE_MS: u64 = 3_600_000;
/// Wall time a quiet interval waits for late prints before it is closed anyway: UW stamps a print
/// 40 to 60 ms before it ingests it (docs/uw-api.md#channel-option_trades), and the network and
/// the two clocks' offset come on top.
pub const DEFAULT_GRACE_MS: u64 = 1_000;

/// What a `UwFlowBar` subscription's metadata gets wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowBarSpecError {
    /// A key that is not one of [`SPEC_KEYS`].
    #[error("UwFlowBar: unknown metadata key {}; accepted keys: {}", quote(.key), key_list())]
    UnknownKey {
        /// The key given.
        key: String,
    },
    /// A value that does not parse or is out of range.
    #[error("UwFlowBar: metadata {key}={} is invalid: expected {expected}", quote(.value))]
    InvalidValue {
        /// The key.
        key: &'static str,
        /// The value given.
        value: String,
        /// The forms the key accepts.
        expected: &'static str,
    },
    /// A required key is absent.
    #[error("UwFlowBar: metadata {key} is required: {expected}")]
    MissingKey {
        /// The key.
        key: &'static str,
        /// The forms the key accepts.
        expected: &'static str,
    },
    /// Two keys that cannot be used together.
    #[error("UwFlowBar: metadata {key} cannot be combined with {other}: {accepted}")]
    Conflict {
        /// The key refused.
        key: &'static str,
        /// The key it conflicts with.
        other: &'static str,
        /// What is accepted instead.
        accepted: &'static str,
    },
    /// The same key twice (a list of pairs, not a dict).
    #[error("UwFlowBar: metadata {key} is given more than once: {expected}")]
    DuplicateKey {
        /// The key.
        key: &'static str,
        /// The forms the key accepts.
        expected: &'static str,
    },
}

impl FlowBarSpecError {
    /// A stable tag (`unknown_key`, `invalid_value`, `missing_key`, `conflicting_keys`,
    /// `duplicate_key`).
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::UnknownKey { .. } => "unknown_key",
            Self::InvalidValue { .. } => "invalid_value",
            Self::MissingKey { .. } => "missing_key",
            Self::Conflict { .. } => "conflicting_keys",
            Self::DuplicateKey { .. } => "duplicate_key",
        }
    }

    /// The metadata key concerned.
    #[must_use]
    pub fn key(&self) -> &str {
        match self {
            Self::UnknownKey { key } => key,
            Self::InvalidValue { key, .. }
            | Self::MissingKey { key, .. }
            | Self::Conflict { key, .. }
            | Self::DuplicateKey { key, .. } => key,
        }
    }
}

fn key_list() -> String {
    SPEC_KEYS
        .iter()
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(", ")
}

fn expected(key: &str) -> &'static str {
    SPEC_KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, e)| e)
}

/// How long a bar lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Intervals of this many nanoseconds, aligned to multiples of it since the UNIX epoch.
    Interval(u64),
    /// This many counted prints, in arrival order.
    Every(u32),
}

/// Which expiries a bar counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpiryBucket {
    /// Every expiry.
    All,
    /// Contracts expiring on the New York date of the print's `executed_at`.
    ZeroDte,
    /// One expiry date.
    On(Date),
}

/// Calls, puts or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeBucket {
    /// Calls and puts.
    All,
    /// Calls only.
    Call,
    /// Puts only.
    Put,
}

/// Which strikes a bar counts, relative to the print's underlying price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Moneyness {
    /// Every strike.
    All,
    /// Out of the money: calls with strike > underlying, puts with strike < underlying.
    Otm,
    /// In the money: calls with strike < underlying, puts with strike > underlying.
    Itm,
    /// `|strike / underlying - 1| <= band`.
    Within(f64),
}

/// What happens to an interval in which no print of the bucket traded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyBars {
    /// No bar.
    Skip,
    /// A bar of zeros.
    Emit,
}

/// One `UwFlowBar` subscription: its bucket of prints and its bar rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowBarSpec {
    /// Upper-case underlying ticker, compared with the prints' `underlying_symbol`.
    pub ticker: String,
    /// Bar length.
    pub window: Window,
    /// Expiry bucket.
    pub expiry: ExpiryBucket,
    /// Call/put bucket.
    pub option_type: TypeBucket,
    /// Minimum premium in dollars of a counted print (0: every print).
    pub min_premium: f64,
    /// Moneyness bucket.
    pub moneyness: Moneyness,
    /// Empty intervals.
    pub empty: EmptyBars,
    /// Wall time after an interval's end before a quiet interval is closed, nanoseconds.
    pub grace_ns: u64,
}

impl FlowBarSpec {
    /// A spec counting every print of `ticker` over `window`, with the defaults of every other key.
    #[must_use]
    pub fn new(ticker: &str, window: Window) -> Self {
        Self {
            ticker: ticker.to_ascii_uppercase(),
            window,
            expiry: ExpiryBucket::All,
            option_type: TypeBucket::All,
            min_premium: 0.0,
            moneyness: Moneyness::All,
            empty: EmptyBars::Skip,
            grace_ns: DEFAULT_GRACE_MS * NANOS_PER_MILLI,
        }
    }

    /// Parses subscription metadata `(key, value)` pairs (values as text).
    ///
    /// # Errors
    /// A [`FlowBarSpecError`] naming the key and the forms it accepts.
    pub fn from_metadata<K: AsRef<str>, V: AsRef<str>>(
        metadata: &[(K, V)],
    ) -> Result<Self, FlowBarSpecError> {
        let mut seen: Vec<&'static str> = Vec::new();
        let mut spec = Self::new("", Window::Every(1));
        let (mut ticker, mut interval, mut every) = (None, None, None);
        let (mut empty, mut grace) = (None, None);
        for (key, value) in metadata {
            let (key, value) = (key.as_ref().trim(), value.as_ref().trim());
            let Some(&(key, expected)) = SPEC_KEYS.iter().find(|(k, _)| *k == key) else {
                return Err(FlowBarSpecError::UnknownKey {
                    key: key.to_owned(),
                });
            };
            if seen.contains(&key) {
                return Err(FlowBarSpecError::DuplicateKey { key, expected });
            }
            seen.push(key);
            let invalid = || FlowBarSpecError::InvalidValue {
                key,
                value: value.to_owned(),
                expected,
            };
            match key {
                TICKER => {
                    let t = value.to_ascii_uppercase();
                    if t.contains(',') || validate_ticker(&t).is_err() {
                        return Err(invalid());
                    }
                    ticker = Some(t);
                }
                INTERVAL => interval = Some(parse_interval_ms(value).ok_or_else(invalid)?),
                EVERY => {
                    every = Some(
                        value
                            .parse::<u32>()
                            .ok()
                            .filter(|n| (1..=MAX_EVERY).contains(n))
                            .ok_or_else(invalid)?,
                    );
                }
                EXPIRY => {
                    spec.expiry = match value.to_ascii_lowercase().as_str() {
                        "all" => ExpiryBucket::All,
                        "0dte" => ExpiryBucket::ZeroDte,
                        _ => ExpiryBucket::On(parse_date(value).map_err(|_| invalid())?),
                    };
                }
                OPTION_TYPE => {
                    spec.option_type = match value.to_ascii_lowercase().as_str() {
                        "all" => TypeBucket::All,
                        "call" => TypeBucket::Call,
                        "put" => TypeBucket::Put,
                        _ => return Err(invalid()),
                    };
                }
                MIN_PREMIUM => {
                    spec.min_premium = value
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && *v >= 0.0)
                        .ok_or_else(invalid)?;
                }
                MONEYNESS => {
                    spec.moneyness = match value.to_ascii_lowercase().as_str() {
                        "all" => Moneyness::All,
                        "otm" => Moneyness::Otm,
                        "itm" => Moneyness::Itm,
                        band => Moneyness::Within(
                            band.parse::<f64>()
                                .ok()
                                .filter(|v| v.is_finite() && *v > 0.0)
                                .ok_or_else(invalid)?,
                        ),
                    };
                }
                EMPTY => {
                    empty = Some(match value.to_ascii_lowercase().as_str() {
                        "emit" => EmptyBars::Emit,
                        "skip" => EmptyBars::Skip,
                        _ => return Err(invalid()),
                    });
                }
                GRACE_MS => {
                    grace = Some(
                        value
                            .parse::<u64>()
                            .ok()
                            .filter(|v| *v <= MAX_GRACE_MS)
                            .ok_or_else(invalid)?,
                    );
                }
                _ => unreachable!("every key of SPEC_KEYS has an arm"),
            }
        }
        spec.ticker = ticker.ok_or(FlowBarSpecError::MissingKey {
            key: TICKER,
            expected: expected(TICKER),
        })?;
        spec.window = match (interval, every) {
            (Some(_), Some(_)) => {
                return Err(FlowBarSpecError::Conflict {
                    key: EVERY,
                    other: INTERVAL,
                    accepted: "give interval for bars of clock time or every for bars of N prints",
                });
            }
            (Some(ms), None) => Window::Interval(ms * NANOS_PER_MILLI),
            (None, Some(n)) => {
                let count_only = "bars of N prints close on their Nth print, never empty and \
                                  never on wall time; use interval for those";
                if empty.is_some() {
                    return Err(FlowBarSpecError::Conflict {
                        key: EMPTY,
                        other: EVERY,
                        accepted: count_only,
                    });
                }
                if grace.is_some() {
                    return Err(FlowBarSpecError::Conflict {
                        key: GRACE_MS,
                        other: EVERY,
                        accepted: count_only,
                    });
                }
                Window::Every(n)
            }
            (None, None) => {
                return Err(FlowBarSpecError::MissingKey {
                    key: INTERVAL,
                    expected: "interval (a duration from 100ms to 1d that divides a day, e.g. \
                               1s) or every (a number of prints, e.g. 500)",
                });
            }
        };
        spec.empty = empty.unwrap_or(EmptyBars::Skip);
        spec.grace_ns = grace.unwrap_or(DEFAULT_GRACE_MS) * NANOS_PER_MILLI;
        Ok(spec)
    }

    /// The canonical metadata of this spec, every key spelled out: two specs are the same bucket
    /// exactly when these are equal.
    #[must_use]
    pub fn to_metadata(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![(TICKER, self.ticker.clone())];
        match self.window {
            Window::Interval(_) => out.push((INTERVAL, self.interval_label())),
            Window::Every(n) => out.push((EVERY, n.to_string())),
        }
        out.push((EXPIRY, self.expiry_label()));
        out.push((OPTION_TYPE, self.option_type_label().to_owned()));
        out.push((MIN_PREMIUM, self.min_premium.to_string()));
        out.push((MONEYNESS, self.moneyness_label()));
        if let Window::Interval(_) = self.window {
            let empty = match self.empty {
                EmptyBars::Emit => "emit",
                EmptyBars::Skip => "skip",
            };
            out.push((EMPTY, empty.to_owned()));
            out.push((GRACE_MS, (self.grace_ns / NANOS_PER_MILLI).to_string()));
        }
        out
    }

    /// The bar's `interval`: the largest whole unit (`1m`, not `60s`), or `every N`.
    #[must_use]
    pub fn interval_label(&self) -> String {
        match self.window {
            Window::Interval(ns) => {
                let ms = ns / NANOS_PER_MILLI;
                let (n, unit) = [(DAY_MS, "d"), (3_600_000, "h"), (60_000, "m"), (1_000, "s")]
                    .into_iter()
                    .find(|(size, _)| ms.is_multiple_of(*size))
                    .map_or((ms, "ms"), |(size, unit)| (ms / size, unit));
                let mut label = n.to_string();
                label.push_str(unit);
                label
            }
            Window::Every(n) => {
                let mut label = "every ".to_owned();
                let _ = write!(label, "{n}");
                label
            }
        }
    }

    /// The bar's `expiry`.
    #[must_use]
    pub fn expiry_label(&self) -> String {
        match self.expiry {
            ExpiryBucket::All => "all".to_owned(),
            ExpiryBucket::ZeroDte => "0dte".to_owned(),
            ExpiryBucket::On(date) => date.to_string(),
        }
    }

    /// The bar's `option_type`.
    #[must_use]
    pub const fn option_type_label(&self) -> &'static str {
        match self.option_type {
            TypeBucket::All => "all",
            TypeBucket::Call => "call",
            TypeBucket::Put => "put",
        }
    }

    /// The bar's `moneyness`.
    #[must_use]
    pub fn moneyness_label(&self) -> String {
        match self.moneyness {
            Moneyness::All => "all".to_owned(),
            Moneyness::Otm => "otm".to_owned(),
            Moneyness::Itm => "itm".to_owned(),
            Moneyness::Within(band) => band.to_string(),
        }
    }
}

/// `<n><unit>` in milliseconds, when it lies from 100 ms to a day and divides the day (so that
/// bars fall on the same clock times every day).
fn parse_interval_ms(value: &str) -> Option<u64> {
    let split = value.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = value.split_at(split);
    let unit_ms = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => DAY_MS,
        _ => return None,
    };
    let ms = digits.parse::<u64>().ok()?.checked_mul(unit_ms)?;
    ((MIN_INTERVAL_MS..=DAY_MS).contains(&ms) && DAY_MS.is_multiple_of(ms)).then_some(ms)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<FlowBarSpec, FlowBarSpecError> {
        FlowBarSpec::from_metadata(pairs)
    }

    #[test]
    fn defaults_fill_every_optional_key() {
        let spec = parse(&[("ticker", "spy"), ("interval", "1s")]).unwrap();
        assert_eq!(
            spec,
            FlowBarSpec::new("SPY", Window::Interval(1_000_000_000))
        );
        assert_eq!(
            spec.to_metadata(),
            [
                ("ticker", "SPY"),
                ("interval", "1s"),
                ("expiry", "all"),
                ("option_type", "all"),
                ("min_premium", "0"),
                ("moneyness", "all"),
                ("empty", "skip"),
                ("grace_ms", "1000"),
            ]
            .map(|(k, v)| (k, v.to_owned()))
        );
    }

    #[test]
    fn every_key_parses() {
        let spec = parse(&[
            ("ticker", "QQQ"),
            ("interval", "250ms"),
            ("expiry", "2025-05-16"),
            ("option_type", "PUT"),
            ("min_premium", "25000.5"),
            ("moneyness", "0.02"),
            ("empty", "emit"),
            ("grace_ms", "0"),
        ])
        .unwrap();
        assert_eq!(spec.window, Window::Interval(250_000_000));
        assert_eq!(
            spec.expiry,
            ExpiryBucket::On(parse_date("2025-05-16").unwrap())
        );
        assert_eq!(spec.expiry_label(), "2025-05-16");
        assert_eq!(spec.option_type, TypeBucket::Put);
        assert_eq!(spec.min_premium, 25_000.5);
        assert_eq!(spec.moneyness, Moneyness::Within(0.02));
        assert_eq!(spec.empty, EmptyBars::Emit);
        assert_eq!(spec.grace_ns, 0);
        let counted = parse(&[("ticker", "SPY"), ("every", "500"), ("expiry", "0dte")]).unwrap();
        assert_eq!(counted.window, Window::Every(500));
        assert_eq!(counted.expiry, ExpiryBucket::ZeroDte);
        assert_eq!(counted.interval_label(), "every 500");
        assert_eq!(
            counted
                .to_metadata()
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>(),
            [
                "ticker",
                "every",
                "expiry",
                "option_type",
                "min_premium",
                "moneyness"
            ]
        );
    }

    #[rstest]
    #[case("100ms", "100ms")]
    #[case("1000ms", "1s")]
    #[case("60s", "1m")]
    #[case("5s", "5s")]
    #[case("90m", "90m")]
    #[case("1h", "1h")]
    #[case("24h", "1d")]
    #[case("1d", "1d")]
    #[case(" 15 m ", "15m")]
    fn intervals_are_labelled_in_their_largest_unit(#[case] value: &str, #[case] label: &str) {
        let spec = parse(&[("ticker", "SPY"), ("interval", value)]).unwrap();
        assert_eq!(spec.interval_label(), label);
        let again = parse(&[("ticker", "SPY"), ("interval", label)]).unwrap();
        assert_eq!(again.window, spec.window, "the label parses back");
    }

    /// Every bad value: the message names the key, quotes the value and lists the accepted forms.
    #[rstest]
    #[case("ticker", "SPY,QQQ")]
    #[case("ticker", "")]
    #[case("interval", "1")]
    #[case("interval", "1x")]
    #[case("interval", "50ms")]
    #[case("interval", "2d")]
    #[case("interval", "7s")]
    #[case("interval", "-1s")]
    #[case("interval", "1.5s")]
    #[case("every", "0")]
    #[case("every", "1000001")]
    #[case("every", "ten")]
    #[case("expiry", "tomorrow")]
    #[case("expiry", "2025-02-30")]
    #[case("option_type", "straddle")]
    #[case("min_premium", "-1")]
    #[case("min_premium", "NaN")]
    #[case("min_premium", "lots")]
    #[case("moneyness", "0")]
    #[case("moneyness", "inf")]
    #[case("moneyness", "deep")]
    #[case("empty", "maybe")]
    #[case("grace_ms", "-5")]
    #[case("grace_ms", "3600001")]
    #[case("grace_ms", "1.5")]
    fn invalid_values_name_the_key_and_the_accepted_forms(#[case] key: &str, #[case] value: &str) {
        let window = if key == "every" { "every" } else { "interval" };
        let mut pairs = vec![(key, value)];
        if key != "ticker" {
            pairs.push(("ticker", "SPY"));
        }
        if key != "interval" && key != "every" {
            pairs.push((window, "1s"));
        }
        let err = parse(&pairs).unwrap_err();
        assert_eq!(err.kind(), "invalid_value", "{err}");
        assert_eq!(err.key(), key);
        let text = err.to_string();
        assert!(text.contains(&format!("{key}={:?}", value)), "{text}");
        assert!(text.contains(expected(key)), "{text}");
    }

    #[test]
    fn unknown_missing_duplicate_and_conflicting_keys_are_refused_with_the_accepted_forms() {
        let unknown = parse(&[("ticker", "SPY"), ("interval", "1s"), ("tickr", "x")]).unwrap_err();
        assert_eq!((unknown.kind(), unknown.key()), ("unknown_key", "tickr"));
        let text = unknown.to_string();
        assert!(text.contains("\"tickr\""), "{text}");
        for (key, _) in SPEC_KEYS {
            assert!(text.contains(key), "{text} lists {key}");
        }

        let no_ticker = parse(&[("interval", "1s")]).unwrap_err();
        assert_eq!(
            (no_ticker.kind(), no_ticker.key()),
            ("missing_key", "ticker")
        );
        assert!(no_ticker.to_string().contains(expected("ticker")));

        let no_window = parse(&[("ticker", "SPY")]).unwrap_err();
        assert_eq!(
            (no_window.kind(), no_window.key()),
            ("missing_key", "interval")
        );
        let text = no_window.to_string();
        assert!(
            text.contains("interval (") && text.contains("every ("),
            "{text}"
        );

        let twice = parse(&[("ticker", "SPY"), ("interval", "1s"), ("ticker", "QQQ")]).unwrap_err();
        assert_eq!((twice.kind(), twice.key()), ("duplicate_key", "ticker"));
        assert!(twice.to_string().contains(expected("ticker")));

        for (key, value, other) in [
            ("interval", "1s", "every"),
            ("empty", "emit", "every"),
            ("grace_ms", "10", "every"),
        ] {
            let err = parse(&[("ticker", "SPY"), ("every", "10"), (key, value)]).unwrap_err();
            assert_eq!(err.kind(), "conflicting_keys", "{err}");
            let text = err.to_string();
            let (refused, with) = if key == "interval" {
                (other, key)
            } else {
                (key, other)
            };
            assert_eq!(err.key(), refused);
            assert!(
                text.contains(&format!("{refused} cannot be combined with {with}")),
                "{text}"
            );
            assert!(
                text.contains("use interval") || text.contains("give interval"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_huge_unknown_key_is_quoted_in_bounded_text() {
        let key = "k".repeat(100_000);
        let err = parse(&[(key.as_str(), "1")]).unwrap_err();
        assert!(err.to_string().len() < 1_000);
    }
}
