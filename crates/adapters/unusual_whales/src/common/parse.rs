//! Lenient decoders for UW's inconsistent JSON encodings (docs/uw-api.md#encoding-rules).
//!
//! The same quantity arrives as a JSON number on one channel and a numeric string (sometimes `""` or
//! exponent form) on another, and timestamps arrive as epoch-milliseconds (numbers or strings) or as
//! RFC 3339 strings with any offset. Every decoder here accepts all of those forms and rejects values
//! that are unusable (a price that is not a number, a timestamp that is not a time), so that one
//! schema change touches one place.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::common::error::quote;

/// Nanoseconds in one millisecond.
pub const NANOS_PER_MILLI: u64 = 1_000_000;
/// Nanoseconds in one second.
pub const NANOS_PER_SECOND: u64 = 1_000_000_000;

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/// Parses a numeric string as UW writes it: plain, signed, with exponent, or empty (missing).
///
/// # Errors
/// Returns a message when the text is not a finite number.
pub fn parse_f64_str(s: &str) -> Result<Option<f64>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(format!("expected a number, found {}", quote(s))),
    }
}

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
}

/// A lenient optional float: JSON number, numeric string, exponent string; `""` and null are `None`.
///
/// # Errors
/// Fails on any other JSON type or a string that is not a finite number.
pub fn de_opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(OptF64Visitor)
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
        let t = v.trim();
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

struct OptStringVisitor;

impl<'de> Visitor<'de> for OptStringVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(if v.is_empty() {
            None
        } else {
            Some(v.to_owned())
        })
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(if v.is_empty() { None } else { Some(v) })
    }

    // Numbers-as-identifiers (`"tracking_id": 0`, a strike sent as `415`) are kept as text.
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
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
pub fn de_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(OptStringVisitor)
}

/// A required, non-empty string.
///
/// # Errors
/// Fails when the value is null, empty, or not a string.
pub fn de_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    de_opt_string(d)?.ok_or_else(|| de::Error::custom("expected a non-empty string"))
}

struct StringListVisitor;

impl<'de> Visitor<'de> for StringListVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of strings, a comma-separated string, or null")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element::<Option<String>>()? {
            if let Some(s) = item {
                out.push(s);
            }
        }
        Ok(out)
    }

    // `upstream_condition_detail` and `trade_code` arrive as "auto,isoi" where the WS sends arrays.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A list of strings: a JSON array, a comma-separated string, or null (empty).
///
/// # Errors
/// Fails on numbers, booleans, objects, or arrays holding non-strings.
pub fn de_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(StringListVisitor)
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

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
#[must_use]
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<u32> {
    let slice = b.get(start..start + len)?;
    let mut v: u32 = 0;
    for &c in slice {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Parses `YYYY-MM-DD` into days since the UNIX epoch.
///
/// # Errors
/// Returns a message when the text is not a valid calendar date.
pub fn parse_date_days(s: &str) -> Result<i64, String> {
    let b = s.as_bytes();
    let err = || format!("expected a date YYYY-MM-DD, found {}", quote(s));
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(err());
    }
    let year = i64::from(digits(b, 0, 4).ok_or_else(err)?);
    let month = digits(b, 5, 2).ok_or_else(err)?;
    let day = digits(b, 8, 2).ok_or_else(err)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(err());
    }
    Ok(days_from_civil(year, month, day))
}

/// Parses an RFC 3339 / ISO 8601 timestamp into UNIX nanoseconds.
///
/// Accepts `T`, `t` or a space between date and time, 0-9 fractional digits, and an offset of `Z`,
/// `+HH:MM`, `+HHMM` or `+HH` (missing offset = UTC, as UW's full-tape CSV writes). A bare date is
/// midnight UTC.
///
/// # Errors
/// Returns a message when the text is not a timestamp, or is before 1970.
pub fn parse_rfc3339_nanos(s: &str) -> Result<u64, String> {
    let err = || format!("expected an RFC 3339 timestamp, found {}", quote(s));
    let b = s.trim().as_bytes();
    if b.len() < 10 {
        return Err(err());
    }
    // The date's own error would quote only its first ten bytes.
    let days = std::str::from_utf8(&b[..10])
        .ok()
        .and_then(|date| parse_date_days(date).ok())
        .ok_or_else(err)?;
    let mut secs_of_day: i64 = 0;
    let mut nanos: i64 = 0;
    let mut offset_secs: i64 = 0;
    if b.len() > 10 {
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 19 || b[13] != b':' || b[16] != b':' {
            return Err(err());
        }
        let hh = digits(b, 11, 2).ok_or_else(err)?;
        let mm = digits(b, 14, 2).ok_or_else(err)?;
        let ss = digits(b, 17, 2).ok_or_else(err)?;
        // 60 admits a leap second; it is folded into the next second like every UNIX clock does.
        if hh > 23 || mm > 59 || ss > 60 {
            return Err(err());
        }
        secs_of_day = i64::from(hh * 3600 + mm * 60 + ss);
        let mut i = 19;
        if i < b.len() && (b[i] == b'.' || b[i] == b',') {
            i += 1;
            let start = i;
            let mut scale: i64 = 100_000_000;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nanos += i64::from(b[i] - b'0') * scale;
                    scale /= 10;
                }
                i += 1;
            }
            if i == start {
                return Err(err());
            }
        }
        if i < b.len() {
            match b[i] {
                b'Z' | b'z' if i + 1 == b.len() => {}
                b'+' | b'-' => {
                    let sign = if b[i] == b'-' { -1 } else { 1 };
                    let rest = &b[i + 1..];
                    let (oh, om) = match rest.len() {
                        2 => (digits(rest, 0, 2), Some(0)),
                        4 => (digits(rest, 0, 2), digits(rest, 2, 2)),
                        5 if rest[2] == b':' => (digits(rest, 0, 2), digits(rest, 3, 2)),
                        _ => (None, None),
                    };
                    let (oh, om) = (oh.ok_or_else(err)?, om.ok_or_else(err)?);
                    if oh > 23 || om > 59 {
                        return Err(err());
                    }
                    offset_secs = sign * i64::from(oh * 3600 + om * 60);
                }
                _ => return Err(err()),
            }
        }
    }
    let unix_secs = days * 86_400 + secs_of_day - offset_secs;
    if unix_secs < 0 {
        return Err(format!("timestamp {} is before 1970", quote(s)));
    }
    #[allow(clippy::cast_sign_loss)]
    let total = (unix_secs as u64)
        .checked_mul(NANOS_PER_SECOND)
        .and_then(|n| n.checked_add(nanos as u64))
        .ok_or_else(err)?;
    Ok(total)
}

/// 16:00 New York time (the US equity close) on `date`, in UNIX nanoseconds.
///
/// Daily REST rows carry only a date; stamping them at the close orders them after the session
/// they summarise. US daylight saving runs from the second Sunday of March to the first Sunday of
/// November (close at 20:00 UTC), otherwise the close is 21:00 UTC.
///
/// # Errors
/// When `date` is not `YYYY-MM-DD` or is before 1970.
pub fn ny_close_nanos(date: &str) -> Result<u64, String> {
    let days = parse_date_days(date)?;
    let close_utc_secs = 16 * 3_600 - ny_utc_offset_secs(days);
    u64::try_from(days * 86_400 + close_utc_secs)
        .map(|s| s * NANOS_PER_SECOND)
        .map_err(|_| format!("date {} is before 1970", quote(date)))
}

/// New York's offset from UTC in seconds (-4 h in daylight saving time, else -5 h) on the civil
/// day `days` since 1970-01-01. US daylight saving runs from the second Sunday of March to the
/// first Sunday of November; the 02:00 switch hour is ignored (markets are closed then).
#[must_use]
pub fn ny_utc_offset_secs(days: i64) -> i64 {
    let (year, _, _) = civil_from_days(days);
    // 1970-01-01 was a Thursday: weekday 0 = Sunday.
    let weekday = |d: i64| (d + 4).rem_euclid(7);
    let nth_sunday = |month: u32, n: i64| {
        let first = days_from_civil(year, month, 1);
        first + (7 - weekday(first)) % 7 + 7 * (n - 1)
    };
    if days >= nth_sunday(3, 2) && days < nth_sunday(11, 1) {
        -4 * 3_600
    } else {
        -5 * 3_600
    }
}

/// `(year, month, day)` of the civil day `days` since 1970-01-01 (Howard Hinnant's algorithm).
#[must_use]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// New York local time of a UNIX-nanosecond instant: `(civil day since 1970, seconds of day,
/// weekday with 0 = Sunday)`.
#[must_use]
#[allow(clippy::cast_possible_wrap)]
pub fn ny_local(nanos: u64) -> (i64, i64, i64) {
    let utc_secs = (nanos / NANOS_PER_SECOND) as i64;
    let utc_day = utc_secs.div_euclid(86_400);
    // The offset of the UTC day is right except in the hours around a switch, when no market trades.
    let local = utc_secs + ny_utc_offset_secs(utc_day);
    let day = local.div_euclid(86_400);
    (day, local.rem_euclid(86_400), (day + 4).rem_euclid(7))
}

/// Whether the civil day `days` since 1970-01-01 is Monday to Friday (exchange holidays are not
/// known here).
#[must_use]
pub fn is_weekday(days: i64) -> bool {
    // 1970-01-01 was a Thursday: weekday 0 = Sunday.
    (1..=5).contains(&(days + 4).rem_euclid(7))
}

/// The New York calendar date (`YYYY-MM-DD`) of a UNIX-nanosecond instant: the 0DTE expiry.
#[must_use]
pub fn ny_date(nanos: u64) -> String {
    let (y, m, d) = civil_from_days(ny_local(nanos).0);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whether the instant falls in the US equity regular session (09:30-16:00 New York, Monday to
/// Friday). Exchange holidays are not known here and count as session days.
#[must_use]
pub fn in_regular_session(nanos: u64) -> bool {
    let (_, secs, weekday) = ny_local(nanos);
    (1..=5).contains(&weekday) && (9 * 3_600 + 1_800..16 * 3_600).contains(&secs)
}

/// The New York close of `date`, or `ts_init` when that is earlier.
///
/// A row for today fetched during the session would otherwise be stamped hours after it arrived;
/// rows of past days keep the close, which orders them after the session they summarise.
#[must_use]
pub fn close_or_arrival(date: Option<&str>, ts_init: u64) -> Option<u64> {
    date.and_then(|d| ny_close_nanos(d).ok())
        .map(|close| close.min(ts_init))
}

/// Converts epoch milliseconds to nanoseconds, rejecting negative and overflowing values.
///
/// # Errors
/// Returns a message when the value is negative or does not fit in 64-bit nanoseconds.
pub fn millis_to_nanos(ms: i64) -> Result<u64, String> {
    u64::try_from(ms)
        .ok()
        .and_then(|m| m.checked_mul(NANOS_PER_MILLI))
        .ok_or_else(|| format!("epoch milliseconds {ms} out of range"))
}

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
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if t.bytes().all(|c| c.is_ascii_digit()) {
            let ms = t
                .parse::<i64>()
                .map_err(|_| E::custom(format!("epoch milliseconds {} out of range", quote(v))))?;
            return self.visit_i64(ms);
        }
        parse_rfc3339_nanos(t).map(Some).map_err(E::custom)
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
pub fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = de_opt_string(d)?;
    if let Some(ref v) = s {
        // REST sometimes sends a full timestamp where a date is documented: keep the date part.
        let date = v.get(..10).unwrap_or(v);
        parse_date_days(date).map_err(de::Error::custom)?;
        if date.len() != v.len() {
            return Ok(Some(date.to_owned()));
        }
    }
    Ok(s)
}

/// A required calendar date `YYYY-MM-DD`.
///
/// # Errors
/// As [`de_opt_date`], and when the value is empty or null.
pub fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
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
    #[case(r#"{"l": ["auto", "slan"]}"#, &["auto", "slan"])]
    #[case(r#"{"l": "auto,isoi"}"#, &["auto", "isoi"])]
    #[case(r#"{"l": null}"#, &[])]
    #[case(r#"{"l": []}"#, &[])]
    fn string_lists(#[case] json: &str, #[case] expected: &[&str]) {
        assert_eq!(probe(json).unwrap().l, expected);
    }

    #[rstest]
    #[case("2025-10-22", "2025-10-22T20:00:00Z")] // EDT
    #[case("2025-12-01", "2025-12-01T21:00:00Z")] // EST
    #[case("2025-03-07", "2025-03-07T21:00:00Z")] // Friday before DST starts on 9 March
    #[case("2025-03-10", "2025-03-10T20:00:00Z")]
    #[case("2025-10-31", "2025-10-31T20:00:00Z")] // DST ends on 2 November
    #[case("2025-11-03", "2025-11-03T21:00:00Z")]
    fn new_york_close(#[case] date: &str, #[case] utc: &str) {
        assert_eq!(
            ny_close_nanos(date).unwrap(),
            parse_rfc3339_nanos(utc).unwrap()
        );
    }

    #[rstest]
    #[case("2025-07-03T13:29:59Z", false, "2025-07-03")] // 09:29:59 EDT
    #[case("2025-07-03T13:30:00Z", true, "2025-07-03")]
    #[case("2025-07-03T19:59:59Z", true, "2025-07-03")]
    #[case("2025-07-03T20:00:00Z", false, "2025-07-03")]
    #[case("2025-12-01T14:35:00Z", true, "2025-12-01")] // 09:35 EST
    #[case("2025-12-01T14:25:00Z", false, "2025-12-01")]
    #[case("2025-12-02T03:00:00Z", false, "2025-12-01")] // 22:00 EST the day before
    #[case("2025-07-05T15:00:00Z", false, "2025-07-05")] // Saturday
    fn new_york_session_and_date(#[case] utc: &str, #[case] in_session: bool, #[case] date: &str) {
        let t = parse_rfc3339_nanos(utc).unwrap();
        assert_eq!(in_regular_session(t), in_session);
        assert_eq!(ny_date(t), date);
    }

    #[test]
    fn close_or_arrival_never_stamps_after_arrival() {
        let close = ny_close_nanos("2025-10-22").unwrap();
        assert_eq!(close_or_arrival(Some("2025-10-22"), u64::MAX), Some(close));
        assert_eq!(
            close_or_arrival(Some("2025-10-22"), close - 1),
            Some(close - 1)
        );
        assert_eq!(close_or_arrival(None, 7), None);
        assert_eq!(close_or_arrival(Some("22/10/2025"), 7), None);
    }

    #[rstest]
    fn days_from_civil_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(parse_date_days("2025-05-16").unwrap(), 20_224);
    }

    proptest::proptest! {
        #[test]
        fn rfc3339_never_panics(s in ".{0,40}") {
            let _ = parse_rfc3339_nanos(&s);
        }

        #[test]
        fn rfc3339_round_trips_generated_times(secs in 0i64..4_000_000_000, nanos in 0u32..1_000_000_000, off_min in -720i32..=840) {
            let days = secs.div_euclid(86_400);
            let (y, m, d) = civil_from_days(days);
            let sod = secs.rem_euclid(86_400);
            // Render the same instant in local time at `off_min` offset.
            let local = secs + i64::from(off_min) * 60;
            let (ly, lm, ld) = civil_from_days(local.div_euclid(86_400));
            let lsod = local.rem_euclid(86_400);
            let sign = if off_min < 0 { '-' } else { '+' };
            let text = format!(
                "{ly:04}-{lm:02}-{ld:02}T{:02}:{:02}:{:02}.{nanos:09}{sign}{:02}:{:02}",
                lsod / 3600, (lsod / 60) % 60, lsod % 60, off_min.abs() / 60, off_min.abs() % 60
            );
            let _ = (y, m, d, sod);
            #[allow(clippy::cast_sign_loss)]
            let expected = secs as u64 * NANOS_PER_SECOND + u64::from(nanos);
            if local >= 0 {
                proptest::prop_assert_eq!(parse_rfc3339_nanos(&text).unwrap(), expected);
            }
        }
    }
}
