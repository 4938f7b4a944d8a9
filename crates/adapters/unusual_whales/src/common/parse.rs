//! Lenient decoders for UW's inconsistent JSON encodings (docs/uw-api.md#encoding-rules).
//!
//! The same quantity arrives as a JSON number on one channel and a numeric string (sometimes `""` or
//! exponent form) on another, and timestamps arrive as epoch-milliseconds (numbers or strings) or as
//! RFC 3339 strings with any offset. Every decoder here accepts all of those forms and rejects values
//! that are unusable (a price that is not a number, a timestamp that is not a time), so that one
//! schema change touches one place. Reading the time in a text is `common::time`'s job.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use crate::common::error::quote;
use crate::common::text::UwTextList;
use crate::common::time::{millis_to_nanos, parse_date, parse_timestamp};

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/// Parses a numeric string as UW writes it: plain, signed, with exponent, or empty (missing).
///
/// # Errors
/// Returns a message when the text is not a finite number.
pub fn parse_f64_str(s: &str) -> Result<Option<f64>, String> {
    if let Some(v) = short_decimal(s.as_bytes()) {
        return Ok(Some(v));
    }
    let t = trim(s);
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(format!("expected a number, found {}", quote(s))),
    }
}

/// `str::trim`, skipped when the first and last bytes are printable ASCII: each is then a whole
/// character and not whitespace, so there is nothing to trim (the Unicode-aware trim was 3% of an
/// option print's decoding).
fn trim(s: &str) -> &str {
    let printable = |b: Option<&u8>| b.is_some_and(|b| (b'!'..=b'~').contains(b));
    if printable(s.as_bytes().first()) && printable(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// The value of eight ASCII digits, `None` unless all eight are digits: the usual SWAR reading
/// (check every byte at once, then [`eight_digit_values`]).
pub(crate) fn eight_digits(bytes: &[u8]) -> Option<u64> {
    let word = u64::from_le_bytes(bytes.try_into().ok()?);
    const ZEROS: u64 = u64::from_ne_bytes([b'0'; 8]);
    const HIGH_NIBBLES: u64 = u64::from_ne_bytes([0xF0; 8]);
    const SIXES: u64 = u64::from_ne_bytes([0x06; 8]);
    // Each byte 0x30..=0x39: high nibble 3, and adding 6 keeps it 3 (no carry past 9).
    if word & HIGH_NIBBLES != ZEROS || word.wrapping_add(SIXES) & HIGH_NIBBLES != ZEROS {
        return None;
    }
    Some(eight_digit_values(word - ZEROS))
}

/// The number whose eight decimal digits are `v`'s bytes, the first (most significant) in the
/// lowest byte: pairs, quads and halves combined with three multiplies.
#[inline(always)]
fn eight_digit_values(v: u64) -> u64 {
    let v = (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    (v.wrapping_mul(10_000) + (v >> 32)) & 0xFFFF_FFFF
}

/// Powers of ten that are exact in an `f64`.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// UW's usual numeric string (`-0.0074528338844913`, `347.17`, `7.00`) read exactly as
/// `str::parse::<f64>` reads it, in a third of the time; `None` leaves any other text to it.
///
/// Digits `m` with `k` decimals, `m < 2^53` and `k <= 22`: `m` and `10^k` are both exact in an
/// `f64`, so the one IEEE division `m / 10^k` is the correctly rounded value of the decimal, which
/// is what the standard parser returns (Clinger's fast path).
pub(crate) fn short_decimal(text: &[u8]) -> Option<f64> {
    match short_decimal_prefix(text) {
        Some((value, len)) if len == text.len() => Some(value),
        _ => None,
    }
}

/// The decimal that `text` starts with and its length in bytes, when [`short_decimal`] of
/// exactly those bytes would read it; what follows is the caller's to check. This lets the
/// compact lexer read a quoted decimal in the one pass that also finds its closing quote.
#[inline(always)]
pub(crate) fn short_decimal_prefix(text: &[u8]) -> Option<(f64, usize)> {
    match decimal_and_len(text) {
        (_, 0) => None,
        read => Some(read),
    }
}

/// [`short_decimal_prefix`] with `0` bytes for `None`: no decimal is empty, and the pair comes
/// back in two registers where the `Option` came back through memory.
#[inline(never)]
fn decimal_and_len(text: &[u8]) -> (f64, usize) {
    let negative = text.first() == Some(&b'-');
    let digits = &text[usize::from(negative)..];
    let read = match digits.first_chunk::<32>().and_then(decimal_in_window) {
        Some(read) => read,
        None => match decimal_digits(digits) {
            Some(read) => read,
            None => return (0.0, 0),
        },
    };
    if read.digits > 19 || read.mantissa >= 1 << 53 {
        return (0.0, 0);
    }
    let Some(power) = EXACT_POWERS_OF_TEN.get(read.decimals) else {
        return (0.0, 0);
    };
    #[allow(clippy::cast_precision_loss)]
    let value = read.mantissa as f64 / power;
    (
        if negative { -value } else { value },
        read.len + usize::from(negative),
    )
}

/// An unsigned decimal's digits read as one integer: `mantissa` (modulo 2^64 past 19 digits)
/// is its value times `10^decimals`.
struct DecimalDigits {
    mantissa: u64,
    /// Digits on both sides of the point.
    digits: usize,
    decimals: usize,
    /// Bytes, the point included.
    len: usize,
}

/// [`decimal_digits`] where 32 bytes remain and the decimal has one to seven whole digits (all
/// of UW's prices and greeks): its at most four eight-byte steps written out behind the one
/// length check, where the general reading looped over the whole and the fraction apart,
/// checking bounds at each step. `None` leaves the decimal to [`decimal_digits`].
#[inline(always)]
fn decimal_in_window(window: &[u8; 32]) -> Option<DecimalDigits> {
    let word = |at: usize| {
        u64::from_le_bytes(window[at..at + 8].try_into().unwrap_or([0; 8])) ^ DIGIT_ZEROS
    };
    let x0 = word(0);
    let whole_len = leading_digits(x0);
    if !(1..8).contains(&whole_len) {
        return None;
    }
    let whole = first_digits_value(x0, whole_len);
    if window[whole_len] != b'.' {
        return Some(DecimalDigits {
            mantissa: whole,
            digits: whole_len,
            decimals: 0,
            len: whole_len,
        });
    }
    let fraction_at = whole_len + 1;
    let read = |mantissa: u64, decimals: usize| DecimalDigits {
        mantissa,
        digits: whole_len + decimals,
        decimals,
        len: fraction_at + decimals,
    };
    let x1 = word(fraction_at);
    let n1 = leading_digits(x1);
    if n1 < 8 {
        return Some(read(
            whole * POWERS_OF_TEN[n1] + first_digits_value(x1, n1),
            n1,
        ));
    }
    // At most 15 digits so far: no overflow yet.
    let head = whole * 100_000_000 + eight_digit_values(x1);
    let x2 = word(fraction_at + 8);
    let n2 = leading_digits(x2);
    if n2 < 8 {
        let mantissa = head
            .wrapping_mul(POWERS_OF_TEN[n2])
            .wrapping_add(first_digits_value(x2, n2));
        return Some(read(mantissa, 8 + n2));
    }
    let x3 = word(fraction_at + 16);
    let n3 = leading_digits(x3);
    if n3 == 8 {
        return None;
    }
    let mantissa = head
        .wrapping_mul(100_000_000)
        .wrapping_add(eight_digit_values(x2))
        .wrapping_mul(POWERS_OF_TEN[n3])
        .wrapping_add(first_digits_value(x3, n3));
    Some(read(mantissa, 16 + n3))
}

/// The digits of the unsigned decimal `digits` starts with, and its point; `None` when it has
/// no whole digit (`.5`, `""`).
fn decimal_digits(digits: &[u8]) -> Option<DecimalDigits> {
    let (whole, whole_len) = digit_run(digits);
    if whole_len == 0 {
        return None;
    }
    let (mut mantissa, mut len, mut decimals) = (whole, whole_len, 0);
    if digits.get(whole_len) == Some(&b'.') {
        let (fraction, fraction_len) = digit_run(&digits[whole_len + 1..]);
        // Up to 19 digits cannot overflow a u64; more are refused by the caller, whatever
        // this read.
        mantissa = whole
            .wrapping_mul(POWERS_OF_TEN.get(fraction_len).copied().unwrap_or(0))
            .wrapping_add(fraction);
        len += 1 + fraction_len;
        decimals = fraction_len;
    }
    Some(DecimalDigits {
        mantissa,
        digits: whole_len + decimals,
        decimals,
        len,
    })
}

/// `10^n` for the digit counts a `u64` holds.
const POWERS_OF_TEN: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut n = 1;
    while n < 20 {
        powers[n] = powers[n - 1] * 10;
        n += 1;
    }
    powers
};

/// The ASCII digits `bytes` starts with: their value (modulo 2^64 past 19 digits) and how many
/// there are.
///
/// Eight bytes at a time: one test finds where the digits end within the eight, and the usual
/// multiply-and-shift steps read them all; a quoted decimal of UW's (`"0.07"`, or a greek's 16
/// decimals) then costs two or three steps, where a digit at a time was a chain of dependent
/// multiply-adds and a test per byte (14 quoted decimals and 11 integers were a third of an
/// option print's decode).
///
/// Where 24 bytes remain (in a frame, all but its last few values), the three steps a run of
/// up to 23 digits needs are written out, behind one length check: the loop checked the bounds
/// of each step, and its value and length lived on the stack (`digit_run` was 37 instructions
/// a step, most of a quoted decimal's 185).
#[inline(always)]
pub(crate) fn digit_run(bytes: &[u8]) -> (u64, usize) {
    if let Some(window) = bytes.first_chunk::<24>() {
        let word = |at: usize| u64::from_le_bytes(window[at..at + 8].try_into().unwrap_or([0; 8]));
        let x0 = word(0) ^ DIGIT_ZEROS;
        let n0 = leading_digits(x0);
        if n0 < 8 {
            return (first_digits_value(x0, n0), n0);
        }
        let x1 = word(8) ^ DIGIT_ZEROS;
        let n1 = leading_digits(x1);
        if n1 < 8 {
            let value = eight_digit_values(x0) * POWERS_OF_TEN[n1] + first_digits_value(x1, n1);
            return (value, 8 + n1);
        }
        let x2 = word(16) ^ DIGIT_ZEROS;
        let n2 = leading_digits(x2);
        if n2 < 8 {
            // Up to 23 digits: past 19 the value wraps, as the loop's does.
            let sixteen = eight_digit_values(x0) * 100_000_000 + eight_digit_values(x1);
            let value = sixteen
                .wrapping_mul(POWERS_OF_TEN[n2])
                .wrapping_add(first_digits_value(x2, n2));
            return (value, 16 + n2);
        }
    }
    let (mut value, mut len) = (0u64, 0usize);
    while let Some(chunk) = bytes.get(len..len + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])) ^ DIGIT_ZEROS;
        let n = leading_digits(x);
        if n == 0 {
            return (value, len);
        }
        // As `first_digits_value`, for 1..=8 digits (one shift: n is never 0 here).
        let v = eight_digit_values(x << (8 * (8 - n)));
        value = value.wrapping_mul(POWERS_OF_TEN[n]).wrapping_add(v);
        len += n;
        if n < 8 {
            return (value, len);
        }
    }
    // The last few bytes of the text.
    while let Some(&d) = bytes.get(len).filter(|d| d.is_ascii_digit()) {
        value = value.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        len += 1;
    }
    (value, len)
}

/// XORed into eight bytes of text, a digit's byte becomes its value 0..=9 and any other byte
/// something above 9.
const DIGIT_ZEROS: u64 = u64::from_ne_bytes([b'0'; 8]);

/// How many of the eight bytes `x` (text XOR [`DIGIT_ZEROS`]) holds are digits before the first
/// that is not, 0..=8.
#[inline(always)]
fn leading_digits(x: u64) -> usize {
    const LOW_SEVEN: u64 = u64::from_ne_bytes([0x7f; 8]);
    const TO_HIGH_BIT_ABOVE_NINE: u64 = u64::from_ne_bytes([0x76; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte above 9: its low seven bits plus 0x76 carry into the high bit
    // from 10 on (and never into the next byte), or the byte had the high bit already.
    let above_nine = ((x & LOW_SEVEN).wrapping_add(TO_HIGH_BIT_ABOVE_NINE) | x) & HIGHS;
    (above_nine.trailing_zeros() / 8) as usize
}

/// The number the first `n` (0..=7) digit values of `x` spell: moved to the top, zeros below
/// them, an eight-digit number (the text is little-endian, so the top bytes are the last of the
/// eight). Two shifts, as one of `8 * (8 - n)` bits would be 64 at `n == 0`.
#[inline(always)]
fn first_digits_value(x: u64, n: usize) -> u64 {
    debug_assert!(n < 8, "at most seven digits: eight are a whole word");
    eight_digit_values((x << (8 * (7 - n))) << 8)
}

/// The newtype name under which [`de_opt_f64`] asks for its value. Every deserializer treats it as
/// any newtype (the visitor reads the value itself); the compact lexer reads a quoted
/// [`short_decimal`] straight from the frame and hands the visitor that number, which the
/// visitor reads exactly as it reads the string.
pub(crate) const LENIENT_F64: &str = "$uw::lenient_f64";

struct OptF64Visitor;

impl<'de> Visitor<'de> for OptF64Visitor {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, a numeric string, \"\" or null")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() {
            Ok(Some(v))
        } else {
            Err(E::custom("expected a finite number"))
        }
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_f64_str(v).map_err(E::custom)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A lenient optional float: JSON number, numeric string, exponent string; `""` and null are `None`.
///
/// # Errors
/// Fails on any other JSON type or a string that is not a finite number.
pub fn de_opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    // As a newtype: see `LENIENT_F64`. A numeric string and the number it reads as give the same
    // result here (`visit_str` reads `short_decimal` first, and its values are finite).
    d.deserialize_newtype_struct(LENIENT_F64, OptF64Visitor)
}

/// A lenient required float: as [`de_opt_f64`] but `""` and null are errors.
///
/// # Errors
/// Fails when the value is missing, empty or not a number.
pub fn de_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    de_opt_f64(d)?.ok_or_else(|| de::Error::custom("expected a number, found an empty value"))
}

struct OptI64Visitor;

impl<'de> Visitor<'de> for OptI64Visitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer, an integer string, \"\" or null")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom("integer out of range"))
    }

    #[allow(clippy::cast_possible_truncation)]
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // UW sometimes writes counts as `5.0`; a fractional count is a real error.
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Some(v as i64))
        } else {
            Err(E::custom(format!("expected an integer, found {v}")))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = trim(v);
        if t.is_empty() {
            return Ok(None);
        }
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Some(i));
        }
        match parse_f64_str(t) {
            Ok(Some(f)) => self.visit_f64(f),
            _ => Err(E::custom(format!(
                "expected an integer, found {}",
                quote(v)
            ))),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A lenient optional integer: JSON integer, integral float, integer string; `""` and null are `None`.
///
/// # Errors
/// Fails on fractional values, other JSON types or non-numeric strings.
pub fn de_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(OptI64Visitor)
}

/// A lenient required integer.
///
/// # Errors
/// Fails when the value is missing, empty or not an integer.
pub fn de_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    de_opt_i64(d)?.ok_or_else(|| de::Error::custom("expected an integer, found an empty value"))
}

struct OptBoolVisitor;

impl<'de> Visitor<'de> for OptBoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean, \"true\"/\"false\"/\"t\"/\"f\" or null")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        // The full-tape CSV writes `t`/`f`; some REST fields quote booleans.
        match v.trim() {
            "true" | "t" | "True" | "TRUE" => Ok(Some(true)),
            "false" | "f" | "False" | "FALSE" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(E::custom(format!("expected a boolean, found {}", quote(v)))),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A lenient optional boolean.
///
/// # Errors
/// Fails on numbers, arrays, objects and strings that are not a boolean spelling.
pub fn de_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(OptBoolVisitor)
}

/// A lenient boolean where a missing/null value means `false` (UW's `has_*` flags).
///
/// # Errors
/// As [`de_opt_bool`].
pub fn de_bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(de_opt_bool(d)?.unwrap_or(false))
}

// ---------------------------------------------------------------------------------------------
// Strings and lists
// ---------------------------------------------------------------------------------------------

/// What the string helpers produce: `String`, or [`UwText`](crate::common::text::UwText) in the
/// records the live feed carries at high rates.
pub trait TextValue: for<'a> From<&'a str> + From<String> + AsRef<str> {}

impl<T: for<'a> From<&'a str> + From<String> + AsRef<str>> TextValue for T {}

struct OptStringVisitor<S>(std::marker::PhantomData<S>);

impl<'de, S: TextValue> Visitor<'de> for OptStringVisitor<S> {
    type Value = Option<S>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(if v.is_empty() { None } else { Some(S::from(v)) })
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(if v.is_empty() { None } else { Some(S::from(v)) })
    }

    // Numbers-as-identifiers (`"tracking_id": 0`, a strike sent as `415`) are kept as text.
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(S::from(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(S::from(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(S::from(v.to_string())))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An optional string where `""` and null are `None`; numbers are kept as their text.
///
/// # Errors
/// Fails on booleans, arrays and objects.
pub fn de_opt_string<'de, D: Deserializer<'de>, S: TextValue>(d: D) -> Result<Option<S>, D::Error> {
    d.deserialize_any(OptStringVisitor(std::marker::PhantomData))
}

/// A required, non-empty string.
///
/// # Errors
/// Fails when the value is null, empty, or not a string.
pub fn de_string<'de, D: Deserializer<'de>, S: TextValue>(d: D) -> Result<S, D::Error> {
    de_opt_string(d)?.ok_or_else(|| de::Error::custom("expected a non-empty string"))
}

/// What a list of texts deserializes into: a `Vec` of any text type, or a [`UwTextList`].
pub trait TextList: Default {
    /// Whether [`Self::reserve`] does anything (an estimate of the count costs a scan).
    const RESERVES: bool;
    /// Room for `n` more items, where that saves growing.
    fn reserve(&mut self, n: usize);
    /// Appends one item.
    fn push_text(&mut self, text: &str);
    /// Appends one item the deserializer already owns.
    fn push_owned(&mut self, text: String) {
        self.push_text(&text);
    }
}

impl<S: TextValue> TextList for Vec<S> {
    const RESERVES: bool = true;

    fn reserve(&mut self, n: usize) {
        Vec::reserve(self, n);
    }

    fn push_text(&mut self, text: &str) {
        self.push(S::from(text));
    }

    fn push_owned(&mut self, text: String) {
        self.push(S::from(text));
    }
}

impl TextList for UwTextList {
    const RESERVES: bool = false;

    fn reserve(&mut self, _n: usize) {}

    fn push_text(&mut self, text: &str) {
        self.push(text);
    }
}

/// One list item, appended where it is read: a string, or null (skipped).
struct ListItem<'a, L>(&'a mut L);

impl<'de, L: TextList> DeserializeSeed<'de> for ListItem<'_, L> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, L: TextList> Visitor<'de> for ListItem<'_, L> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.push_text(v);
        Ok(())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.0.push_owned(v);
        Ok(())
    }
}

struct StringListVisitor<L>(std::marker::PhantomData<L>);

impl<'de, L: TextList> Visitor<'de> for StringListVisitor<L> {
    type Value = L;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of strings, a comma-separated string, or null")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = L::default();
        out.reserve(seq.size_hint().unwrap_or(0).min(4096));
        while seq.next_element_seed(ListItem(&mut out))?.is_some() {}
        Ok(out)
    }

    // `upstream_condition_detail` and `trade_code` arrive as "auto,isoi" where the WS sends arrays.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(comma_separated_list(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(L::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(L::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A list sent as one string, `"auto,isoi"`: its comma-separated parts, trimmed, the empty ones
/// left out.
pub(crate) fn comma_separated_list<L: TextList>(v: &str) -> L {
    let mut out = L::default();
    // One code (`"auto"`, every option print's `trade_code`) is the usual case: no
    // iterator, whose char searcher was 3% of an option print.
    if memchr::memchr(b',', v.as_bytes()).is_none() {
        let code = trim(v);
        if !code.is_empty() {
            out.push_text(code);
        }
        return out;
    }
    for code in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        out.push_text(code);
    }
    out
}

/// A list of strings: a JSON array, a comma-separated string, or null (empty).
///
/// # Errors
/// Fails on numbers, booleans, objects, or arrays holding non-strings.
pub fn de_string_list<'de, D: Deserializer<'de>, L: TextList>(d: D) -> Result<L, D::Error> {
    d.deserialize_any(StringListVisitor(std::marker::PhantomData))
}

/// A list of numbers, each a JSON number or a numeric string (as [`de_opt_f64`]); null items are
/// skipped and a null list is empty. UW sends price lists as decimal strings (`nearby_flips`).
///
/// # Errors
/// Fails on anything but an array or null, and on items that are not numbers.
pub fn de_f64_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    #[derive(Deserialize)]
    struct Item(#[serde(deserialize_with = "de_opt_f64")] Option<f64>);
    let items: Option<Vec<Item>> = Option::deserialize(d)?;
    Ok(items
        .unwrap_or_default()
        .into_iter()
        .filter_map(|item| item.0)
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

struct OptTimestampVisitor;

impl<'de> Visitor<'de> for OptTimestampVisitor {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("epoch milliseconds (number or string), an RFC 3339 string, or null")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        millis_to_nanos(v).map(Some).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        let ms = i64::try_from(v).map_err(|_| E::custom("epoch milliseconds out of range"))?;
        self.visit_i64(ms)
    }

    #[allow(clippy::cast_possible_truncation)]
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() && (0.0..9.0e15).contains(&v) {
            // Fractional milliseconds are kept to the nanosecond.
            Ok(Some((v * 1e6).round() as u64))
        } else {
            Err(E::custom(format!("epoch milliseconds {v} out of range")))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = trim(v);
        if t.is_empty() {
            return Ok(None);
        }
        if t.bytes().all(|c| c.is_ascii_digit()) {
            let ms = t
                .parse::<i64>()
                .map_err(|_| E::custom(format!("epoch milliseconds {} out of range", quote(v))))?;
            return self.visit_i64(ms);
        }
        parse_timestamp(t).map(Some).map_err(E::custom)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An optional timestamp in UNIX nanoseconds from epoch-ms (number or string) or RFC 3339.
///
/// # Errors
/// Fails on values that are not a time, negative times, and other JSON types.
pub fn de_opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    d.deserialize_any(OptTimestampVisitor)
}

/// A required timestamp in UNIX nanoseconds.
///
/// # Errors
/// As [`de_opt_timestamp`], and when the value is empty or null.
pub fn de_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    de_opt_timestamp(d)?
        .ok_or_else(|| de::Error::custom("expected a timestamp, found an empty value"))
}

/// An optional calendar date `YYYY-MM-DD`, validated and kept as text; `""`/null are `None`.
///
/// # Errors
/// Fails when the text is not a valid date.
pub fn de_opt_date<'de, D: Deserializer<'de>, S: TextValue>(d: D) -> Result<Option<S>, D::Error> {
    let s: Option<S> = de_opt_string(d)?;
    if let Some(ref v) = s {
        // REST sometimes sends a full timestamp where a date is documented: keep the date part.
        let v = v.as_ref();
        let date = v.get(..10).unwrap_or(v);
        parse_date(date).map_err(de::Error::custom)?;
        if date.len() != v.len() {
            return Ok(Some(S::from(date)));
        }
    }
    Ok(s)
}

/// A required calendar date `YYYY-MM-DD`.
///
/// # Errors
/// As [`de_opt_date`], and when the value is empty or null.
pub fn de_date<'de, D: Deserializer<'de>, S: TextValue>(d: D) -> Result<S, D::Error> {
    de_opt_date(d)?.ok_or_else(|| de::Error::custom("expected a date, found an empty value"))
}

/// An arbitrary JSON value kept as its compact JSON text (UW's free-form `meta` objects).
///
/// # Errors
/// Fails only on malformed JSON.
pub fn de_opt_raw_json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::Deserialize;
    let raw = Option::<Box<serde_json::value::RawValue>>::deserialize(d)?;
    Ok(raw.map(|r| r.get().to_owned()).filter(|t| t != "null"))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "de_opt_f64")]
        f: Option<f64>,
        #[serde(default, deserialize_with = "de_opt_i64")]
        i: Option<i64>,
        #[serde(default, deserialize_with = "de_opt_timestamp")]
        t: Option<u64>,
        #[serde(default, deserialize_with = "de_string_list")]
        l: Vec<String>,
    }

    fn probe(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[rstest]
    #[case(r#"{"f": 1.5}"#, Some(1.5))]
    #[case(r#"{"f": 36466}"#, Some(36466.0))]
    #[case(r#"{"f": "0.07"}"#, Some(0.07))]
    #[case(r#"{"f": "-10298936615779.76"}"#, Some(-10_298_936_615_779.76))]
    #[case(r#"{"f": "2.5e6"}"#, Some(2_500_000.0))]
    #[case(r#"{"f": ""}"#, None)]
    #[case(r#"{"f": null}"#, None)]
    #[case(r#"{}"#, None)]
    fn lenient_number_accepts_every_uw_encoding(#[case] json: &str, #[case] expected: Option<f64>) {
        assert_eq!(probe(json).unwrap().f, expected);
    }

    #[rstest]
    #[case(r#"{"f": "abc"}"#)]
    #[case(r#"{"f": "NaN"}"#)]
    #[case(r#"{"f": "inf"}"#)]
    #[case(r#"{"f": true}"#)]
    #[case(r#"{"f": [1]}"#)]
    #[case(r#"{"f": {}}"#)]
    fn lenient_number_rejects_unusable_values(#[case] json: &str) {
        assert!(probe(json).is_err());
    }

    #[rstest]
    #[case(r#"{"i": 5}"#, Some(5))]
    #[case(r#"{"i": 5.0}"#, Some(5))]
    #[case(r#"{"i": "12"}"#, Some(12))]
    #[case(r#"{"i": "1e3"}"#, Some(1000))]
    #[case(r#"{"i": ""}"#, None)]
    fn lenient_integer(#[case] json: &str, #[case] expected: Option<i64>) {
        assert_eq!(probe(json).unwrap().i, expected);
    }

    #[rstest]
    #[case(r#"{"i": 5.5}"#)]
    #[case(r#"{"i": "x"}"#)]
    #[case(r#"{"i": 18446744073709551615}"#)]
    fn lenient_integer_rejects_fractions_and_garbage(#[case] json: &str) {
        assert!(probe(json).is_err());
    }

    #[rstest]
    #[case(r#"{"t": 1747419592926}"#, 1_747_419_592_926_000_000)]
    #[case(r#"{"t": "1747419592926"}"#, 1_747_419_592_926_000_000)]
    #[case(r#"{"t": "2025-10-22T20:27:01.354429Z"}"#, 1_761_164_821_354_429_000)]
    #[case(r#"{"t": "2025-10-22T21:24:30Z"}"#, 1_761_168_270_000_000_000)]
    #[case(r#"{"t": "2025-10-22T09:30:00-04:00"}"#, 1_761_139_800_000_000_000)]
    #[case(r#"{"t": "2025-10-22T13:30:00+00:00"}"#, 1_761_139_800_000_000_000)]
    #[case(r#"{"t": "2025-10-22 13:30:00"}"#, 1_761_139_800_000_000_000)]
    #[case(
        r#"{"t": "2025-10-22T13:30:00.123456789123Z"}"#,
        1_761_139_800_123_456_789
    )]
    #[case(r#"{"t": "2024-02-29"}"#, 1_709_164_800_000_000_000)]
    fn timestamps_in_every_uw_form(#[case] json: &str, #[case] nanos: u64) {
        assert_eq!(probe(json).unwrap().t, Some(nanos));
    }

    #[rstest]
    #[case(r#"{"t": "2025-02-30T00:00:00Z"}"#)]
    #[case(r#"{"t": "2025-10-22T25:00:00Z"}"#)]
    #[case(r#"{"t": "2025-10-22T10:00:00+2"}"#)]
    #[case(r#"{"t": "yesterday"}"#)]
    #[case(r#"{"t": -5}"#)]
    #[case(r#"{"t": "1960-01-01T00:00:00Z"}"#)]
    #[case(r#"{"t": true}"#)]
    fn timestamps_reject_garbage(#[case] json: &str) {
        assert!(probe(json).is_err(), "{json} should fail");
    }

    #[rstest]
    #[case(
        r#"{"t": "2024-02-30T10:00:00Z"}"#,
        r#"expected an RFC 3339 timestamp, found "2024-02-30T10:00:00Z""#
    )]
    #[case(
        r#"{"t": "1969-12-31T23:59:59Z"}"#,
        r#"timestamp "1969-12-31T23:59:59Z" is before 1970"#
    )]
    fn timestamp_errors_quote_the_value(#[case] json: &str, #[case] message: &str) {
        let error = probe(json).unwrap_err().to_string();
        assert!(error.contains(message), "{error}");
    }

    #[rstest]
    #[case(r#"{"l": ["auto", "slan"]}"#, &["auto", "slan"])]
    #[case(r#"{"l": "auto,isoi"}"#, &["auto", "isoi"])]
    #[case(r#"{"l": null}"#, &[])]
    #[case(r#"{"l": []}"#, &[])]
    #[case(r#"{"l": "auto"}"#, &["auto"])]
    #[case(r#"{"l": " auto "}"#, &["auto"])]
    #[case(r#"{"l": ""}"#, &[])]
    #[case(r#"{"l": " "}"#, &[])]
    #[case(r#"{"l": "auto, "}"#, &["auto"])]
    #[case(r#"{"l": [null, "auto", null]}"#, &["auto"])]
    #[case(r#"{"l": ["", "auto"]}"#, &["", "auto"])]
    #[case(r#"{"l": ["a\"b"]}"#, &["a\"b"])]
    fn string_lists(#[case] json: &str, #[case] expected: &[&str]) {
        assert_eq!(probe(json).unwrap().l, expected);
        // The compact lexer reads what it accepts alike (it leaves the escape to serde_json).
        if let Ok(compact) = crate::common::compact_json::from_compact_str::<Probe>(json, None) {
            assert_eq!(compact.l, expected);
        }
    }

    /// An element of a list that is neither text nor null is an error naming what was found.
    #[rstest]
    #[case(
        r#"{"l": ["auto", 5]}"#,
        "invalid type: integer `5`, expected a string"
    )]
    #[case(r#"{"l": [true]}"#, "invalid type: boolean `true`, expected a string")]
    #[case(r#"{"l": [["auto"]]}"#, "invalid type: sequence, expected a string")]
    fn string_lists_refuse_other_elements(#[case] json: &str, #[case] message: &str) {
        let error = probe(json).unwrap_err().to_string();
        assert!(error.starts_with(message), "{error}");
    }

    #[rstest]
    #[case("347.17")]
    #[case("-0.0074528338844913")]
    #[case("0.03977270195386351")]
    #[case("7.00")]
    #[case("-0")]
    #[case("1.")]
    #[case("9007199254740991")]
    fn short_decimals_read_as_the_standard_parser_reads_them(#[case] text: &str) {
        let fast = short_decimal(text.as_bytes()).expect("a short decimal");
        assert_eq!(
            fast.to_bits(),
            text.parse::<f64>().unwrap().to_bits(),
            "{text}"
        );
    }

    #[rstest]
    #[case("9007199254740992")] // 2^53: no longer exact
    #[case("1e5")]
    #[case(".5")]
    #[case(" 1")]
    #[case("0.00000000000000000000001")] // 23 decimals
    #[case("")]
    #[case("-")]
    #[case("1.2.3")]
    fn other_numbers_go_to_the_standard_parser(#[case] text: &str) {
        assert_eq!(short_decimal(text.as_bytes()), None, "{text}");
    }

    /// `short_decimal_prefix` as it was before it read eight digits at a time (a digit at a
    /// time before the point, eight and then one at a time after it): the oracle of the
    /// property test below.
    fn short_decimal_prefix_bytewise(text: &[u8]) -> Option<(f64, usize)> {
        let (negative, digits) = match text.split_first()? {
            (b'-', rest) => (true, rest),
            _ => (false, text),
        };
        // Arithmetic wraps: a decimal longer than 20 characters is refused below whatever it read.
        let mut mantissa: u64 = 0;
        let mut i = 0;
        while let Some(&c) = digits.get(i).filter(|c| c.is_ascii_digit()) {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            i += 1;
        }
        let whole = i;
        let mut decimals = 0;
        if whole > 0 && digits.get(i) == Some(&b'.') {
            i += 1;
            // Greeks carry 15 to 17 decimals: eight digits at a time first.
            while let Some(eight) = digits.get(i..i + 8).and_then(eight_digits) {
                mantissa = mantissa.wrapping_mul(100_000_000).wrapping_add(eight);
                i += 8;
                decimals += 8;
            }
            while let Some(&c) = digits.get(i).filter(|c| c.is_ascii_digit()) {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                i += 1;
                decimals += 1;
            }
        }
        // Up to 19 digits (and a point) cannot overflow a u64; 20 digits without a point could have
        // wrapped, and such a text never passes the 2^53 check honestly, so it is refused outright.
        let digit_count = whole + decimals;
        if i > 20 || whole == 0 || digit_count > 19 || mantissa >= 1 << 53 {
            return None;
        }
        #[allow(clippy::cast_precision_loss)]
        let value = mantissa as f64 / *EXACT_POWERS_OF_TEN.get(decimals)?;
        Some((
            if negative { -value } else { value },
            i + usize::from(negative),
        ))
    }

    proptest::proptest! {
        /// A list in one string reads as its comma-separated, trimmed, non-empty parts, whether
        /// or not it holds a comma (one code takes a shorter path).
        #[test]
        fn string_lists_in_one_string_are_split_trimmed_and_non_empty(text in "[a ,\u{a0}\t]{0,12}") {
            let json = serde_json::json!({ "l": text }).to_string();
            let expected: Vec<String> = text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            proptest::prop_assert_eq!(probe(&json).unwrap().l, expected);
        }

        #[test]
        fn eight_digits_reads_eight_digits(bytes in proptest::array::uniform8(0x20u8..0x7f), n in 0u64..100_000_000) {
            let text = format!("{n:08}");
            proptest::prop_assert_eq!(eight_digits(text.as_bytes()), Some(n));
            let all_digits = bytes.iter().all(u8::is_ascii_digit);
            let read = eight_digits(&bytes);
            proptest::prop_assert_eq!(read.is_some(), all_digits);
            if all_digits {
                let expected: u64 = std::str::from_utf8(&bytes).unwrap().parse().unwrap();
                proptest::prop_assert_eq!(read, Some(expected));
            }
        }

        /// Against the byte-at-a-time reading it replaced: the same value and length, or
        /// `None` alike, for texts of digits, points and signs of every length around the
        /// eight-byte steps, followed by anything, at the end of the text or not.
        #[test]
        fn short_decimal_prefix_reads_as_the_bytewise_reading(
            text in "-?[0-9]{0,26}(\\.[0-9]{0,26})?[-.0-9\"a ,}e]{0,30}",
        ) {
            let bytes = text.as_bytes();
            for end in 0..=bytes.len() {
                let fast = short_decimal_prefix(&bytes[..end]).map(|(v, n)| (v.to_bits(), n));
                let slow = short_decimal_prefix_bytewise(&bytes[..end]).map(|(v, n)| (v.to_bits(), n));
                proptest::prop_assert_eq!(fast, slow, "{:?}", &text[..end]);
            }
        }

        /// As above, shaped like a quoted decimal in a frame (one to eight whole digits, up to
        /// twenty decimals, then more of the frame), where the 32 bytes the unrolled reading
        /// needs are there: each way out of it (no point, a point without decimals, a fraction
        /// ending in each of its three eight-byte steps, or running past them) at every length.
        /// Leading zeros are frequent, as in a greek's (`0.03977270195386351`): only they keep
        /// 17 or more digits under 2^53, which a decimal read in the third step needs.
        #[test]
        fn short_decimal_prefix_in_a_frame_reads_as_the_bytewise_reading(
            text in "-?(0|[0-9]{1,8})(\\.0{0,3}[0-9]{0,18})?[\"a ,}:e.0-9-]{0,40}",
        ) {
            let bytes = text.as_bytes();
            let fast = short_decimal_prefix(bytes).map(|(v, n)| (v.to_bits(), n));
            let slow = short_decimal_prefix_bytewise(bytes).map(|(v, n)| (v.to_bits(), n));
            proptest::prop_assert_eq!(fast, slow, "{:?}", text);
        }

        #[test]
        fn digit_run_reads_the_leading_digits(text in "[0-9]{0,30}[^0-9]?[0-9a-z]{0,30}") {
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            let expected = text[..digits]
                .bytes()
                .fold(0u64, |v, d| v.wrapping_mul(10).wrapping_add(u64::from(d - b'0')));
            proptest::prop_assert_eq!(digit_run(text.as_bytes()), (expected, digits));
        }

        #[test]
        fn short_decimal_is_bit_for_bit_the_standard_parser(
            text in "-?[0-9]{0,20}(\\.[0-9]{0,24})?"
        ) {
            if let Some(fast) = short_decimal(text.as_bytes()) {
                proptest::prop_assert_eq!(Some(fast.to_bits()), text.parse::<f64>().ok().map(f64::to_bits));
            }
        }
    }
}
