//! Parse errors: values, never panics. Each names what failed and where.

use serde::de::DeserializeOwned;

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
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// Valid JSON, but not UW's `[channel, payload]` envelope (or the endpoint's envelope).
    #[error("unexpected message shape: {0}")]
    UnexpectedShape(String),
    /// A channel this adapter does not know. Counted, never fatal.
    #[error("unknown channel {channel:?}")]
    UnknownChannel {
        /// The channel text as received.
        channel: String,
    },
    /// A REST endpoint this adapter does not know.
    #[error("unknown REST endpoint {endpoint:?}")]
    UnknownEndpoint {
        /// The endpoint text as given.
        endpoint: String,
    },
    /// A field is missing, has the wrong type, or holds an unusable value.
    #[error("{context}: field `{field}`: {message}")]
    InvalidField {
        /// The channel or endpoint being parsed.
        context: String,
        /// The field path, e.g. `total_premium` or `data[3].strike`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// UW answered with an error body instead of data.
    #[error("{context}: UW returned an error: {message}")]
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
}

/// Turns a serde error into [`UwParseError`] keeping the field path.
fn field_error(context: &str, path: &str, err: &serde_json::Error) -> UwParseError {
    let full = err.to_string();
    // serde_json appends " at line 1 column 42", which means nothing to a user of a single frame.
    let message = full.split(" at line ").next().unwrap_or(&full).to_owned();
    // A missing field is reported at its parent's path; name the field itself.
    let field = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .map(|name| {
            if path == "." || path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        })
        .unwrap_or_else(|| {
            if path == "." || path.is_empty() {
                "<payload>".to_owned()
            } else {
                path.to_owned()
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
