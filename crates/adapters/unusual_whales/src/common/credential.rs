//! The UW API token, kept out of every log line, `Debug` output, error and URL shown to a user.
//!
//! The WebSocket carries the token in its query string (`/socket?token=...`,
//! docs/uw-api.md#websocket-connection), so any URL the adapter prints goes through [`redact_url`]
//! first.

use std::fmt;

use crate::common::consts::UW_API_KEY_ENV;

/// What replaces a secret in anything shown to a user.
pub const REDACTED: &str = "***";

/// A UW API token. `Debug` and `Display` never show it; only [`UwCredential::expose`] does, for
/// the two places that must send it (the WebSocket URL and the REST `Authorization` header).
#[derive(Clone, PartialEq, Eq)]
pub struct UwCredential(String);

impl UwCredential {
    /// Wraps a token; surrounding whitespace (a trailing newline from a secrets file) is dropped.
    ///
    /// # Errors
    /// When the token is empty.
    pub fn new(token: impl Into<String>) -> Result<Self, CredentialError> {
        let token = token.into().trim().to_owned();
        if token.is_empty() {
            return Err(CredentialError::Empty);
        }
        Ok(Self(token))
    }

    /// The explicit token, or `UW_API_KEY` from the environment.
    ///
    /// # Errors
    /// When neither is set (or both are empty).
    pub fn resolve(explicit: Option<&str>) -> Result<Self, CredentialError> {
        match explicit {
            Some(t) if !t.trim().is_empty() => Self::new(t),
            _ => std::env::var(UW_API_KEY_ENV)
                .ok()
                .filter(|t| !t.trim().is_empty())
                .map_or(Err(CredentialError::Missing), Self::new),
        }
    }

    /// The token itself, for the request that must carry it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Removes this token from `text` wherever it appears, and every `token=` query value and
    /// `Bearer` credential (error messages from lower layers and servers may quote a URL or an
    /// `Authorization` header verbatim).
    /// A server may also echo the token escaped (inside a JSON body, or as a Rust `Debug` string
    /// does): each escaped form is removed too, so no part of a token with a quote or a
    /// backslash survives.
    #[must_use]
    pub fn scrub(&self, text: &str) -> String {
        let mut scrubbed = text.replace(&self.0, REDACTED);
        let json = serde_json::to_string(&self.0).unwrap_or_default();
        let json = json
            .get(1..json.len().saturating_sub(1))
            .unwrap_or_default();
        for escaped in [json.to_owned(), self.0.escape_debug().to_string()] {
            if !escaped.is_empty() && escaped != self.0 && scrubbed.contains(&escaped) {
                scrubbed = scrubbed.replace(&escaped, REDACTED);
            }
        }
        redact(&scrubbed, true)
    }
}

impl fmt::Debug for UwCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UwCredential({REDACTED})")
    }
}

impl fmt::Display for UwCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Why no token could be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// No token in the config and none in the environment.
    #[error(
        "no UW API token: set api_key in the config or the {UW_API_KEY_ENV} environment variable"
    )]
    Missing,
    /// The token given was empty.
    #[error("the UW API token is empty")]
    Empty,
}

/// Replaces the value of every `token=` / `api_key=` / `apikey=` query parameter with `***`.
#[must_use]
pub fn redact_url(url: &str) -> String {
    redact(url, false)
}

/// Query parameters whose value is a secret (matched ignoring ASCII case).
const SECRET_PARAMS: [&[u8]; 3] = [b"token=", b"api_key=", b"apikey="];

/// Where a redacted value stops.
fn ends_value(c: char) -> bool {
    c == '&' || c == '#' || c.is_whitespace() || c == '"' || c == '\''
}

/// One pass over `text`, so that its cost stays linear however many parameters it holds (a
/// hostile frame can carry megabytes of `&token=`).
fn redact(text: &str, bearer: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        // A parameter starts after `?` or `&`, so `xtoken=` is left alone.
        let value_start = match rest[0] {
            b'?' | b'&' => SECRET_PARAMS
                .iter()
                .find(|key| starts_with_ignore_case(&rest[1..], key))
                .map(|key| (i + 1 + key.len(), false)),
            b'B' | b'b' if bearer && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) => {
                starts_with_ignore_case(rest, b"bearer ").then(|| {
                    let spaces = rest[7..].iter().take_while(|&&c| c == b' ').count();
                    (i + 7 + spaces, true)
                })
            }
            _ => None,
        };
        let Some((value_start, is_bearer)) = value_start else {
            i += 1;
            continue;
        };
        // Every match ends in ASCII, so `value_start` is a char boundary.
        let value_end = if is_bearer {
            bearer_token_end(text, value_start)
        } else {
            text[value_start..]
                .find(ends_value)
                .map_or(text.len(), |n| value_start + n)
        };
        out.push_str(&text[copied..value_start]);
        out.push_str(REDACTED);
        copied = value_end;
        i = value_end.max(i + 1);
    }
    out.push_str(&text[copied..]);
    out
}

/// Where a `Bearer` credential that starts at `start` ends: where a query value does, or at the
/// punctuation that closes it in a message (`)`, `,`, `;`, `]`, `}`, `>`), none of which RFC
/// 6750 allows in a token. Anything else a token could hold (`%`, `:`) is taken with it, so
/// that no part of a malformed one survives.
fn bearer_token_end(text: &str, start: usize) -> usize {
    text[start..]
        .find(|c: char| ends_value(c) || matches!(c, ')' | ',' | ';' | ']' | '}' | '>'))
        .map_or(text.len(), |n| start + n)
}

fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[test]
    fn debug_and_display_never_show_the_token() {
        let c = UwCredential::new("sekret-123").unwrap();
        assert_eq!(format!("{c:?}"), "UwCredential(***)");
        assert_eq!(c.to_string(), "***");
        assert_eq!(c.expose(), "sekret-123");
    }

    #[test]
    fn empty_tokens_are_refused() {
        assert_eq!(UwCredential::new("  \n"), Err(CredentialError::Empty));
        assert_eq!(UwCredential::new("abc\n").unwrap().expose(), "abc");
    }

    #[rstest]
    #[case(
        "wss://api.unusualwhales.com/socket?token=abc123",
        "wss://api.unusualwhales.com/socket?token=***"
    )]
    #[case(
        "ws://127.0.0.1:9/socket?x=1&token=abc&y=2",
        "ws://127.0.0.1:9/socket?x=1&token=***&y=2"
    )]
    #[case("GET /socket?TOKEN=abc HTTP/1.1", "GET /socket?TOKEN=*** HTTP/1.1")]
    #[case("https://h/api?api_key=k#frag", "https://h/api?api_key=***#frag")]
    #[case("https://h/api?xtoken=visible", "https://h/api?xtoken=visible")]
    #[case("no url here", "no url here")]
    fn urls_are_redacted(#[case] url: &str, #[case] expected: &str) {
        assert_eq!(redact_url(url), expected);
    }

    #[test]
    fn scrub_removes_the_token_escaped_as_json_or_debug_text() {
        let c = UwCredential::new(r#"tok"quote\back-SECRETPART"#).unwrap();
        let echoed = format!(
            "{{\"message\":\"got Authorization: Bearer {}\"}} and {:?}",
            serde_json::to_string(c.expose()).unwrap().trim_matches('"'),
            c.expose()
        );
        let scrubbed = c.scrub(&echoed);
        assert!(
            !scrubbed.contains("SECRETPART") && !scrubbed.contains("quote"),
            "{scrubbed}"
        );
    }

    #[test]
    fn scrub_removes_the_token_anywhere() {
        let c = UwCredential::new("tok-XYZ").unwrap();
        assert_eq!(
            c.scrub("HTTP error: 401 for Bearer tok-XYZ at wss://h/socket?token=tok-XYZ"),
            "HTTP error: 401 for Bearer *** at wss://h/socket?token=***"
        );
    }

    #[rstest]
    #[case(
        r#"{"echo":"Authorization: Bearer other-key"}"#,
        r#"{"echo":"Authorization: Bearer ***"}"#
    )]
    #[case(
        "authorization: bearer  other-key, next",
        "authorization: bearer  ***, next"
    )]
    #[case("(sent Bearer abc.DEF_1-2~+/==)", "(sent Bearer ***)")]
    #[case("Bearer tok;rest", "Bearer ***;rest")]
    #[case("the Bearer", "the Bearer")]
    #[case("xBearer abc", "xBearer abc")]
    fn scrub_removes_any_bearer_credential(#[case] text: &str, #[case] expected: &str) {
        let c = UwCredential::new("tok-XYZ").unwrap();
        assert_eq!(c.scrub(text), expected);
    }

    /// Redaction used to lower-case the rest of the text once per parameter found: a megabyte of
    /// `&token=` took seconds, three took over a minute, on the socket task.
    #[test]
    fn scrub_is_linear_and_removes_every_occurrence() {
        let c = UwCredential::new("tok-XYZ").unwrap();
        let unit = "&token=a&TOKEN=tok-XYZ Bearer tok-XYZ ?api_key=b tok-XYZ ";
        let text = unit.repeat(1_000_000 / unit.len() + 1);
        assert!(text.len() > 1_000_000);
        let start = std::time::Instant::now();
        let scrubbed = c.scrub(&text);
        let elapsed = start.elapsed();
        assert!(
            elapsed < std::time::Duration::from_millis(500),
            "{elapsed:?}"
        );
        assert!(!scrubbed.contains("tok-XYZ"));
        let n = text.matches(unit).count();
        assert_eq!(
            scrubbed
                .matches("&token=***&TOKEN=*** Bearer *** ?api_key=*** *** ")
                .count(),
            n
        );
    }
}
