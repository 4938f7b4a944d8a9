//! An operation's answer as one [`ApiResponse`]: UW's body kept whole, once it is known to be
//! JSON and not one of UW's error shapes.

use serde_json::value::RawValue;

use crate::common::error::UwParseError;
use crate::data::ApiResponse;
use crate::http::operations::OperationRequest;
use crate::http::parse::error_text;

/// The answer `body` to `request`, page `page`, received at `requested_at` (UNIX ns).
///
/// # Errors
/// [`UwParseError::ErrorBody`] when UW answered with an error, `MalformedJson` for a body that is
/// not JSON.
pub fn parse_answer(
    request: &OperationRequest,
    body: String,
    page: Option<i64>,
    requested_at: u64,
) -> Result<ApiResponse, UwParseError> {
    let name = &request.operation.name;
    if let Some(message) = error_text(&body) {
        return Err(UwParseError::ErrorBody {
            context: name.clone(),
            message,
        });
    }
    serde_json::from_str::<&RawValue>(&body)
        .map_err(|e| UwParseError::MalformedJson(format!("{name}: {e}")))?;
    Ok(answer_of(request, body, page, requested_at))
}

/// The record of an answer `body` already checked (JSON), or encoded (a file, `response: zip`).
#[must_use]
pub fn answer_of(
    request: &OperationRequest,
    body: String,
    page: Option<i64>,
    requested_at: u64,
) -> ApiResponse {
    ApiResponse::answer(
        &request.operation.name,
        &request.operation.id,
        request.to_string(),
        request.params_json(),
        body,
        page,
        request.get_query("date").map(str::to_owned),
        requested_at,
    )
}

/// Standard base64 with padding (RFC 4648 §4).
#[must_use]
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::record::UwRecord;
    use crate::http::operations::Operation;

    fn request(text: &str) -> OperationRequest {
        OperationRequest::parse(text).unwrap()
    }

    #[test]
    fn the_body_is_kept_whole() {
        let body =
            r#"{"data":[{"ticker":"XLK","extra":{"nested":[1,2.50,"x"]}}],"date":"2025-05-16"}"#;
        let r = request("/api/market/sector-etfs");
        let answer = parse_answer(&r, body.to_owned(), Some(0), 7).unwrap();
        assert_eq!(answer.body, body);
        assert_eq!(answer.operation, "market_sector_etfs");
        assert_eq!(
            answer.operation_id,
            Operation::find("market_sector_etfs").unwrap().id
        );
        assert_eq!((answer.ts_init, answer.ts_event_nanos()), (7, 7));
    }

    #[test]
    fn a_past_day_s_answer_is_stamped_with_that_day_s_close() {
        let r = request("/api/stock/SPY/max-pain?date=2025-05-16");
        let now = crate::common::time::now_nanos();
        let answer = parse_answer(&r, "{}".to_owned(), None, now).unwrap();
        let close = crate::common::time::ny_close_nanos("2025-05-16").unwrap();
        assert_eq!(
            (answer.ts_event, answer.date.as_deref()),
            (close, Some("2025-05-16"))
        );
        assert_eq!(answer.params, r#"{"date":"2025-05-16","ticker":"SPY"}"#);
    }

    #[test]
    fn base64_is_rfc_4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn error_shapes_and_non_json_are_errors() {
        let r = request("/api/market/sector-etfs");
        for body in [
            r#"{"error":{"code":"x","message":"nope"}}"#,
            r#"{"code":"advanced_tier_required","message":"upgrade"}"#,
            "Something went wrong",
        ] {
            let e = parse_answer(&r, body.to_owned(), None, 0).unwrap_err();
            assert_eq!(e.kind(), "error_body", "{body}");
        }
        let e = parse_answer(&r, "{\"data\":[".to_owned(), None, 0).unwrap_err();
        assert_eq!(e.kind(), "malformed_json");
    }
}
