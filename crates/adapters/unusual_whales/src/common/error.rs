//! Parse errors: values, never panics. Each names what failed and where.
//!
//! An error text quotes at most a bounded prefix of the value that caused it: a hostile frame can
//! carry megabytes in one string, and every logged error is scanned again for the token.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

/// Characters of an offending value quoted in an error text, enough to recognise it.
pub const MAX_QUOTED_CHARS: usize = 120;

/// Bytes of a whole error message (which may embed a value serde quoted in full) kept as is.
pub const MAX_MESSAGE_BYTES: usize = 400;

/// `value` quoted as `{:?}` does, but only its first [`MAX_QUOTED_CHARS`] characters, followed by
/// its full length when cut.
#[must_use]
pub fn quote(value: &str) -> String {
    match value.char_indices().nth(MAX_QUOTED_CHARS) {
        None => format!("{value:?}"),
        Some((end, _)) => format!("{:?}... ({} bytes)", &value[..end], value.len()),
    }
}

/// `text` when short, else its start and end around a note of how much was left out: serde puts
/// the offending value in the middle (`invalid type: string "...", expected a sequence`).
///
/// A clipped text is short itself, so clipping it again (its `Display`) keeps the note.
#[must_use]
pub fn clip(text: &str) -> Cow<'_, str> {
    const TAIL: usize = 100;
    // The note below with two 20-digit numbers.
    const NOTE: usize = 72;
    if text.len() <= MAX_MESSAGE_BYTES {
        return Cow::Borrowed(text);
    }
    let head = &text[..text.floor_char_boundary(MAX_MESSAGE_BYTES - TAIL - NOTE)];
    let tail = &text[text.ceil_char_boundary(text.len() - TAIL)..];
    Cow::Owned(format!(
        "{head}[... {} of {} bytes left out ...]{tail}",
        text.len() - head.len() - tail.len(),
        text.len()
    ))
}

/// The first characters of an input, for error messages that must stay short.
pub(crate) fn preview(text: &str) -> String {
    const MAX: usize = 80;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &text[..end], text.len())
}

/// Why a WebSocket frame or REST body could not be turned into records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UwParseError {
    /// The frame is larger than the parser accepts.
    #[error("frame of {len} bytes exceeds the {max}-byte limit")]
    Oversized {
        /// Frame length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes are not JSON.
    #[error("malformed JSON: {}", clip(.0))]
    MalformedJson(String),
    /// Valid JSON, but not UW's `[channel, payload]` envelope (or the endpoint's envelope).
    #[error("unexpected message shape: {}", clip(.0))]
    UnexpectedShape(String),
    /// A channel this adapter does not know. Counted, never fatal.
    #[error("unknown channel {}", quote(.channel))]
    UnknownChannel {
        /// The channel text as received.
        channel: String,
    },
    /// A REST endpoint this adapter does not know.
    #[error("unknown REST endpoint {}", quote(.endpoint))]
    UnknownEndpoint {
        /// The endpoint text as given.
        endpoint: String,
    },
    /// A field is missing, has the wrong type, or holds an unusable value.
    #[error("{}: field `{}`: {}", clip(.context), clip(.field), clip(.message))]
    InvalidField {
        /// The channel or endpoint being parsed.
        context: String,
        /// The field path, e.g. `total_premium` or `data[3].strike`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// UW answered with an error body instead of data.
    #[error("{}: UW returned an error: {}", clip(.context), clip(.message))]
    ErrorBody {
        /// The endpoint.
        context: String,
        /// UW's error code and message.
        message: String,
    },
}

impl UwParseError {
    /// A stable tag for counters and metrics (`unknown_channel`, `invalid_field`, ...).
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Oversized { .. } => "oversized",
            Self::MalformedJson(_) => "malformed_json",
            Self::UnexpectedShape(_) => "unexpected_shape",
            Self::UnknownChannel { .. } => "unknown_channel",
            Self::UnknownEndpoint { .. } => "unknown_endpoint",
            Self::InvalidField { .. } => "invalid_field",
            Self::ErrorBody { .. } => "error_body",
        }
    }

    /// The same error with every text passed through `f` (the REST client scrubs what a server
    /// echoed of its request, the token included).
    #[must_use]
    pub fn map_text(self, f: impl Fn(&str) -> String) -> Self {
        match self {
            Self::Oversized { .. } => self,
            Self::MalformedJson(m) => Self::MalformedJson(f(&m)),
            Self::UnexpectedShape(m) => Self::UnexpectedShape(f(&m)),
            Self::UnknownChannel { channel } => Self::UnknownChannel {
                channel: f(&channel),
            },
            Self::UnknownEndpoint { endpoint } => Self::UnknownEndpoint {
                endpoint: f(&endpoint),
            },
            Self::InvalidField {
                context,
                field,
                message,
            } => Self::InvalidField {
                context: f(&context),
                field: f(&field),
                message: f(&message),
            },
            Self::ErrorBody { context, message } => Self::ErrorBody {
                context: f(&context),
                message: f(&message),
            },
        }
    }
}

/// Turns a serde error into [`UwParseError`] keeping the field path.
fn field_error(context: &str, path: &str, err: &serde_json::Error) -> UwParseError {
    let full = err.to_string();
    // serde_json appends " at line 1 column 42", which means nothing to a user of a single frame;
    // the quoted value before it may contain the same words.
    let message = match full.rsplit_once(" at line ") {
        Some((message, _)) if err.line() != 0 => message,
        _ => &full,
    };
    // serde quotes a mistyped value whole.
    let message = clip(message).into_owned();
    // A missing field is reported at its parent's path; name the field itself.
    let field = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .map(|name| {
            if path == "." || path.is_empty() {
                name.to_owned()
            } else {
                format!("{}.{name}", clip(path))
            }
        })
        .unwrap_or_else(|| {
            if path == "." || path.is_empty() {
                "<payload>".to_owned()
            } else {
                clip(path).into_owned()
            }
        });
    if err.is_syntax() || err.is_eof() {
        return UwParseError::MalformedJson(message);
    }
    UwParseError::InvalidField {
        context: context.to_owned(),
        field,
        message,
    }
}

/// Deserializes one record, naming the failing field on error.
///
/// The fast path is plain serde_json; only a failure pays for a second, path-tracking pass.
///
/// # Errors
/// [`UwParseError::InvalidField`] naming `context` and the field, or `MalformedJson`.
pub fn deserialize_json<T: DeserializeOwned>(json: &str, context: &str) -> Result<T, UwParseError> {
    match serde_json::from_str::<T>(json) {
        Ok(v) => Ok(v),
        Err(first) => {
            let mut de = serde_json::Deserializer::from_str(json);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Ok(v) => Ok(v),
                Err(e) => Err(field_error(context, &e.path().to_string(), e.inner())),
            }
            .map_err(|e| {
                if matches!(e, UwParseError::MalformedJson(_)) {
                    field_error(context, ".", &first)
                } else {
                    e
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole() {
        assert_eq!(quote("lots"), "\"lots\"");
        assert_eq!(clip("short message"), "short message");
    }

    #[test]
    fn long_values_are_cut_on_a_char_boundary_and_name_their_length() {
        let value = "é".repeat(1_000_000);
        let quoted = quote(&value);
        assert!(quoted.len() < 2 * MAX_QUOTED_CHARS + 40, "{quoted}");
        assert!(quoted.ends_with("... (2000000 bytes)"), "{quoted}");
        let message = format!("invalid type: string {value:?}, expected a sequence");
        let clipped = clip(&message);
        assert!(clipped.len() <= MAX_MESSAGE_BYTES, "{clipped}");
        assert_eq!(clip(&clipped), clipped, "clipping twice keeps the note");
        assert!(
            clipped.starts_with("invalid type: string \"éé"),
            "{clipped}"
        );
        assert!(clipped.ends_with("éé\", expected a sequence"), "{clipped}");
        let total = format!("of {} bytes left out", message.len());
        assert!(clipped.contains(&total), "{clipped}");
    }

    #[test]
    fn every_variant_displays_a_bounded_text() {
        let huge = "x".repeat(1_000_000);
        for e in [
            UwParseError::MalformedJson(huge.clone()),
            UwParseError::UnexpectedShape(huge.clone()),
            UwParseError::UnknownChannel {
                channel: huge.clone(),
            },
            UwParseError::UnknownEndpoint {
                endpoint: huge.clone(),
            },
            UwParseError::InvalidField {
                context: huge.clone(),
                field: huge.clone(),
                message: huge.clone(),
            },
            UwParseError::ErrorBody {
                context: huge.clone(),
                message: huge.clone(),
            },
        ] {
            let text = e.to_string();
            assert!(
                text.len() < 4 * MAX_MESSAGE_BYTES,
                "{}: {}",
                e.kind(),
                text.len()
            );
        }
    }
}
