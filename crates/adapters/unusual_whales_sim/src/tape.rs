//! The full tape of a day (docs/uw-api.md#rest-full-tape): a zip of one CSV in UW's 40 columns,
//! [`TAPE_ROWS`] prints from 09:30 New York on, each a variation of UW's example print
//! (`test_data/http_get_option_trades.jsonl`). Many batches' worth, so that a client's streaming is
//! tested on a body it must not hold whole.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::civil::Date;
use unusual_whales_nt::common::time::ny_session_nanos;

/// Prints in a simulated tape: 8.1 MB of CSV, 0.6 MB zipped.
pub(crate) const TAPE_ROWS: usize = 20_000;

/// UW's columns, in order (docs/uw-api.md#rest-full-tape).
const COLUMNS: [&str; 40] = [
    "id",
    "underlying_symbol",
    "executed_at",
    "nbbo_bid",
    "nbbo_ask",
    "size",
    "price",
    "option_chain_id",
    "alert_score",
    "created_at",
    "report_flags",
    "tags",
    "expiry",
    "option_type",
    "open_interest",
    "strike",
    "premium",
    "aggregated_trade_id",
    "volume",
    "underlying_price",
    "ewma_nbbo_ask",
    "ewma_nbbo_bid",
    "implied_volatility",
    "delta",
    "theta",
    "gamma",
    "vega",
    "rho",
    "theo",
    "upstream_condition_detail",
    "market_center_locate",
    "canceled",
    "trade_id",
    "exchange",
    "ask_vol",
    "bid_vol",
    "no_side_vol",
    "mid_vol",
    "multi_vol",
    "stock_multi_vol",
];

/// UW's timestamp text in the tape: UTC without an offset, microseconds.
fn tape_time(nanos: u64) -> String {
    let ts = i64::try_from(nanos)
        .ok()
        .and_then(|n| Timestamp::from_nanosecond(n.into()).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH);
    ts.strftime("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// The CSV of `day`'s tape.
fn tape_csv(day: Date) -> String {
    let mut csv = String::with_capacity(TAPE_ROWS * 260);
    csv.push_str(&COLUMNS.join(","));
    csv.push('\n');
    let (open, _) = ny_session_nanos(day);
    let day_tag = day.strftime("%Y%m%d");
    let mut volume = 0u64;
    for i in 0..TAPE_ROWS {
        let at = tape_time(open + i as u64 * 1_000_000);
        let size = 1 + (i % 10) as u64;
        volume += size;
        let strike = 120 + (i % 9);
        let side = if i % 2 == 0 {
            "bid_side,bearish"
        } else {
            "ask_side,bullish"
        };
        let _ = writeln!(
            csv,
            "{day_tag}-0000-4000-8000-{i:012x},NVDA,{at},21.45,21.60,{size},21.50,NVDA250117C00{strike}000,,{at},\
             {{}},\"{{{side}}}\",2025-01-17,call,6016,{strike}.0000000000,{premium}.00,,{volume},128.16,21.60,21.45,\
             0.604347250962543,0.610546281537814,-0.0640155364004474,0.00775013889662635,0.3140468475903719,\
             0.2316546330093438,21.49999999999999,auto,,f,{i},MXOP,{ask},{bid},0,{mid},0,0",
            premium = size * 2150,
            ask = volume / 2,
            bid = volume / 3,
            mid = volume - volume / 2 - volume / 3,
        );
    }
    csv
}

/// CRC-32 (IEEE) of `data`, as zip headers carry it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// A zip (APPNOTE 6.3) holding `data` deflated as `name`.
fn zip_one(name: &str, data: &[u8]) -> Vec<u8> {
    let deflated = miniz_oxide::deflate::compress_to_vec(data, 6);
    let (crc, packed, size) = (
        crc32(data),
        u32::try_from(deflated.len()).unwrap_or(u32::MAX),
        u32::try_from(data.len()).unwrap_or(u32::MAX),
    );
    let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
    let mut zip = Vec::with_capacity(deflated.len() + 200);
    // Local file header, then the data.
    zip.extend_from_slice(b"PK\x03\x04");
    for v in [20u16, 0, 8, 0, 0] {
        zip.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc, packed, size] {
        zip.extend_from_slice(&v.to_le_bytes());
    }
    zip.extend_from_slice(&name_len.to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    zip.extend_from_slice(name.as_bytes());
    zip.extend_from_slice(&deflated);
    // The central directory and its end record.
    let directory_at = u32::try_from(zip.len()).unwrap_or(u32::MAX);
    zip.extend_from_slice(b"PK\x01\x02");
    for v in [20u16, 20, 0, 8, 0, 0] {
        zip.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc, packed, size] {
        zip.extend_from_slice(&v.to_le_bytes());
    }
    for v in [name_len, 0, 0, 0, 0] {
        zip.extend_from_slice(&v.to_le_bytes());
    }
    zip.extend_from_slice(&0u32.to_le_bytes());
    zip.extend_from_slice(&0u32.to_le_bytes());
    zip.extend_from_slice(name.as_bytes());
    let directory_len = u32::try_from(zip.len()).unwrap_or(u32::MAX) - directory_at;
    zip.extend_from_slice(b"PK\x05\x06");
    for v in [0u16, 0, 1, 1] {
        zip.extend_from_slice(&v.to_le_bytes());
    }
    zip.extend_from_slice(&directory_len.to_le_bytes());
    zip.extend_from_slice(&directory_at.to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    zip
}

/// The zip UW answers `/api/option-trades/full-tape/{day}` with.
pub(crate) fn full_tape(day: Date) -> Vec<u8> {
    zip_one(
        &format!("{day}-option_trades.csv"),
        tape_csv(day).as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_the_ieee_polynomial() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn the_tape_is_a_zip_of_one_csv_in_uw_columns() {
        let day = jiff::civil::date(2025, 7, 25);
        let zip = full_tape(day);
        assert_eq!(&zip[..4], b"PK\x03\x04");
        let csv = tape_csv(day);
        assert_eq!(csv.lines().count(), TAPE_ROWS + 1);
        assert!(csv.lines().all(|l| l.matches(',').count() >= 39));
        assert!(zip.len() < csv.len() / 3, "deflated");
    }
}
