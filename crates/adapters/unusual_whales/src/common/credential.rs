//! The UW API token, kept out of every log line, `Debug` output, error and URL shown to a user.
//!
//! The WebSocket carries the token in its query string (`/socket?token=...`, SPEC.md §1), so any URL
//! the adapter prints goes through [`redact_url`] first.

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

    /// Removes this token from `text` wherever it appears (error messages from lower layers may
    /// quote a URL or header verbatim).
    #[must_use]
    pub fn scrub(&self, text: &str) -> String {
        redact_url(&text.replace(&self.0, REDACTED))
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
    const KEYS: [&str; 3] = ["token=", "api_key=", "apikey="];
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    'outer: while !rest.is_empty() {
        for key in KEYS {
            // A parameter starts after `?` or `&`, so `xtoken=` is left alone.
            if let Some(pos) = find_param(rest, key) {
                let value_start = pos + key.len();
                out.push_str(&rest[..value_start]);
                out.push_str(REDACTED);
                let value_len = rest[value_start..]
                    .find(|c: char| {
                        c == '&' || c == '#' || c.is_whitespace() || c == '"' || c == '\''
                    })
                    .unwrap_or(rest.len() - value_start);
                rest = &rest[value_start + value_len..];
                continue 'outer;
            }
        }
        out.push_str(rest);
        break;
    }
    out
}

fn find_param(text: &str, key: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(key) {
        let at = from + i;
        if at > 0 && matches!(text.as_bytes()[at - 1], b'?' | b'&') {
            return Some(at);
        }
        from = at + key.len();
    }
    None
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
    fn scrub_removes_the_token_anywhere() {
        let c = UwCredential::new("tok-XYZ").unwrap();
        assert_eq!(
            c.scrub("HTTP error: 401 for Bearer tok-XYZ at wss://h/socket?token=tok-XYZ"),
            "HTTP error: 401 for Bearer *** at wss://h/socket?token=***"
        );
    }
}
