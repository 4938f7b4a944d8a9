//! Moves an example response to the day a request asks for.
//!
//! The simulator answers the endpoints it does not generate from UW's own example bodies, which
//! each describe one day (2025-10-22, 2023-09-08, ...). A client asking for 2025-05-12 must get
//! rows of 2025-05-12, or a download of that day stores nothing: every date and time in the body
//! moves by the same number of days, times keeping their New York wall-clock time across daylight
//! saving changes (a 09:30 bar stays a 09:30 bar), so expiries stay the same distance ahead.

use jiff::civil::Date;
use serde_json::Value;
use unusual_whales_nt::common::time::{
    add_days, dates, days_between, format_utc, is_weekday, ny_date, ny_datetime, ny_nanos,
    parse_date, parse_timestamp,
};

/// Epoch seconds or milliseconds between 2001 and 2286: a time, not a count, when its key says so.
fn epoch_unit_nanos(n: u64) -> Option<u64> {
    match n {
        1_000_000_000..10_000_000_000 => Some(1_000_000_000),
        1_000_000_000_000..10_000_000_000_000 => Some(1_000_000),
        _ => None,
    }
}

fn is_time_key(key: &str) -> bool {
    key.ends_with("time") || key.ends_with("_at") || key == "timestamp" || key == "time"
}

/// A date-time string (not a bare date) as UNIX nanoseconds; UW separates date and time with a
/// `T` or, in many REST examples (`"2024-10-28 18:46:00+00:00"`), a space.
fn date_time_nanos(s: &str) -> Option<u64> {
    (s.len() > 10 && matches!(s.as_bytes().get(10), Some(b'T' | b' ')))
        .then(|| parse_timestamp(s).ok())
        .flatten()
}

/// The New York days the body describes: `(its first `date` field, the day of its first time)`.
/// UW's examples do not always agree with themselves (`flow-per-strike`: `date` 2024-01-22,
/// `timestamp` 2023-09-07), so dates and times each move from their own reference.
fn reference_days(value: &Value) -> (Option<Date>, Option<Date>) {
    fn find_date(value: &Value) -> Option<Date> {
        match value {
            Value::Object(map) => map
                .get("date")
                .and_then(Value::as_str)
                .and_then(|d| parse_date(d).ok())
                .or_else(|| map.values().find_map(find_date)),
            Value::Array(items) => items.iter().find_map(find_date),
            _ => None,
        }
    }
    fn find_time(value: &Value, key: Option<&str>) -> Option<Date> {
        match value {
            Value::Object(map) => map.iter().find_map(|(k, v)| find_time(v, Some(k))),
            Value::Array(items) => items.iter().find_map(|v| find_time(v, key)),
            Value::String(s) => date_time_nanos(s).map(ny_date),
            Value::Number(n) => {
                let n = n.as_u64()?;
                let unit = epoch_unit_nanos(n).filter(|_| key.is_some_and(is_time_key))?;
                Some(ny_date(n.checked_mul(unit)?))
            }
            _ => None,
        }
    }
    (find_date(value), find_time(value, None))
}

/// `instant` moved by `days`, keeping its New York wall-clock time (0 before 1970).
fn shift_nanos(instant: u64, days: i64) -> u64 {
    let local = ny_datetime(instant);
    add_days(local.date(), days)
        .and_then(|d| ny_nanos(d.to_datetime(local.time())))
        .unwrap_or(0)
}

/// RFC 3339 in UTC with as many fractional digits as `like` had.
fn date_time_text(nanos: u64, like: &str) -> String {
    let digits = like
        .get(19..)
        .and_then(|rest| rest.strip_prefix('.'))
        .map_or(0, |frac| {
            frac.bytes().take_while(u8::is_ascii_digit).count().min(9)
        });
    format_utc(nanos, digits)
}

/// Moves dates by `date_days` and times by `time_days`.
fn shift(value: &mut Value, key: Option<&str>, date_days: i64, time_days: i64) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                shift(v, Some(k), date_days, time_days);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| shift(v, key, date_days, time_days)),
        Value::String(s) => {
            if s.len() == 10 {
                if let Some(d) = parse_date(s).ok().and_then(|d| add_days(d, date_days)) {
                    *s = d.to_string();
                }
            } else if let Some(ns) = date_time_nanos(s) {
                *s = date_time_text(shift_nanos(ns, time_days), s);
            }
        }
        Value::Number(n) => {
            let Some(raw) = n.as_u64() else { return };
            let Some(unit) = epoch_unit_nanos(raw).filter(|_| key.is_some_and(is_time_key)) else {
                return;
            };
            if let Some(ns) = raw.checked_mul(unit) {
                *n = (shift_nanos(ns, time_days) / unit).into();
            }
        }
        _ => {}
    }
}

/// Rows of another underlying made rows of `ticker`: its symbol, and its OCC contract roots.
fn retarget(value: &mut Value, key: Option<&str>, ticker: &str) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                retarget(v, Some(k), ticker);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retarget(v, key, ticker)),
        Value::String(s) => match key {
            Some("ticker" | "underlying_symbol" | "symbol") => ticker.clone_into(s),
            Some("option_symbol" | "option_chain") => {
                let root_len = s.bytes().take_while(u8::is_ascii_alphabetic).count();
                if root_len > 0 && s.len() - root_len == 15 {
                    s.replace_range(..root_len, ticker);
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// `body` with every date and time moved so that it describes the New York day `target_day`, and
/// its rows made rows of `ticker` when the request names one. Text that is not JSON comes back as
/// it is.
#[must_use]
pub fn retime(body: &str, target_day: Date, ticker: Option<&str>) -> String {
    let Ok(mut value) = serde_json::from_str::<Value>(body) else {
        return body.to_owned();
    };
    let (date_ref, time_ref) = reference_days(&value);
    let date_days = date_ref
        .or(time_ref)
        .map_or(0, |d| days_between(d, target_day));
    let time_days = time_ref
        .or(date_ref)
        .map_or(0, |d| days_between(d, target_day));
    if date_days == 0 && time_days == 0 && ticker.is_none() {
        return body.to_owned();
    }
    shift(&mut value, None, date_days, time_days);
    if let Some(ticker) = ticker {
        retarget(&mut value, None, ticker);
    }
    serde_json::to_string(&value).unwrap_or_else(|_| body.to_owned())
}

/// Calendar days a UW `timeframe` / `timespan` covers (`5d`, `2w`, `6m`, `1y`, `YTD`, any case);
/// UW's default, one year, for anything else.
#[must_use]
pub fn period_days(text: Option<&str>, end_day: Date) -> i64 {
    let text = text.unwrap_or("1y").to_ascii_lowercase();
    if text == "ytd" {
        return i64::from(end_day.day_of_year());
    }
    let (count, unit) = text.split_at(text.len().saturating_sub(1));
    let count: i64 = count.parse().unwrap_or(1).clamp(1, 10);
    match unit {
        "d" => count,
        "w" => 7 * count,
        "m" => 31 * count,
        _ => 366 * count,
    }
}

/// A daily series from an example of one row: the row repeated for each weekday of the `days`
/// calendar days ending on `end_day`, oldest first, each moved to its own day.
#[must_use]
pub fn daily_series(body: &str, end_day: Date, days: i64, ticker: Option<&str>) -> String {
    let Ok(Value::Object(mut envelope)) = serde_json::from_str::<Value>(body) else {
        return retime(body, end_day, ticker);
    };
    let Some(row) = envelope
        .get("data")
        .and_then(Value::as_array)
        .and_then(|rows| rows.first())
        .map(Value::to_string)
    else {
        return retime(body, end_day, ticker);
    };
    let first = add_days(end_day, 1 - days).unwrap_or(end_day);
    let rows: Vec<Value> = dates(first, end_day)
        .filter(|d| is_weekday(*d))
        .filter_map(|d| serde_json::from_str(&retime(&row, d, ticker)).ok())
        .collect();
    envelope.insert("data".to_owned(), Value::Array(rows));
    Value::Object(envelope).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn a_bar_at_the_open_stays_at_the_open_across_a_daylight_saving_change() {
        // 2025-10-22 is EDT (09:30 = 13:30Z); 2025-12-01 is EST (09:30 = 14:30Z).
        let body = r#"{"data":[{"timestamp":"2025-10-22T09:30:00-04:00","date":"2025-10-22","net_volume":-20396}]}"#;
        let moved: Value = serde_json::from_str(&retime(body, day("2025-12-01"), None)).unwrap();
        let row = &moved["data"][0];
        assert_eq!(row["date"], "2025-12-01");
        assert_eq!(row["timestamp"], "2025-12-01T14:30:00Z");
        assert_eq!(row["net_volume"], -20396, "counts are not times");
    }

    #[test]
    fn epoch_times_and_expiries_move_by_the_same_days() {
        let body = r#"{"data":[{"expiry":"2025-10-28","end_time":1761164032828,"created_at":"2025-10-22T20:27:01.354429Z","volume":34468,"total_size":1761164032}]}"#;
        let moved: Value = serde_json::from_str(&retime(body, day("2025-10-15"), None)).unwrap();
        let row = &moved["data"][0];
        assert_eq!(row["expiry"], "2025-10-21");
        assert_eq!(row["end_time"], 1_761_164_032_828_u64 - 7 * 86_400_000);
        assert_eq!(row["created_at"], "2025-10-15T20:27:01.354429Z");
        assert_eq!(
            row["total_size"], 1_761_164_032_u64,
            "only keys naming a time are times"
        );
    }

    #[test]
    fn dates_and_times_that_disagree_each_land_on_the_day_asked_for() {
        let body = r#"{"data":[{"date":"2024-01-22","timestamp":"2023-09-07T09:30:00-04:00"}]}"#;
        let moved: Value = serde_json::from_str(&retime(body, day("2025-05-12"), None)).unwrap();
        assert_eq!(moved["data"][0]["date"], "2025-05-12");
        assert_eq!(moved["data"][0]["timestamp"], "2025-05-12T13:30:00Z");
    }

    #[test]
    fn a_series_has_one_row_per_weekday_ending_on_the_day_asked_for() {
        let body = r#"{"data":[{"date":"2023-09-08","call_gamma":"9356683.4241"}]}"#;
        let end = day("2025-05-16");
        let series: Value =
            serde_json::from_str(&daily_series(body, end, period_days(Some("2W"), end), None))
                .unwrap();
        let dates: Vec<&str> = series["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["date"].as_str().unwrap())
            .collect();
        assert_eq!(dates.len(), 10);
        assert_eq!((dates[0], dates[9]), ("2025-05-05", "2025-05-16"));
        assert_eq!(period_days(Some("ytd"), day("2025-01-03")), 3);
        assert_eq!(period_days(None, end), 366);
    }

    #[test]
    fn bodies_without_dates_and_non_json_are_unchanged() {
        let levels = r#"{"data":{"call_wall":"600","gamma_flip":"560"}}"#;
        assert_eq!(retime(levels, day("2025-05-12"), None), levels);
        let error = "Something went wrong";
        assert_eq!(retime(error, day("2025-05-12"), Some("SPY")), error);
    }

    #[test]
    fn rows_of_the_example_ticker_become_rows_of_the_requested_one() {
        let body =
            r#"{"data":[{"ticker":"AAPL","option_symbol":"AAPL240202P00185000","sector":"Tech"}]}"#;
        let moved: Value =
            serde_json::from_str(&retime(body, day("1970-01-01"), Some("SPY"))).unwrap();
        let row = &moved["data"][0];
        assert_eq!(row["ticker"], "SPY");
        assert_eq!(row["option_symbol"], "SPY240202P00185000");
        assert_eq!(row["sector"], "Tech");
    }
}
