//! [`UwText`]: the text fields of the high-rate records (option prints, flow alerts), stored in
//! the record itself when they fit in 24 bytes, as nearly all of them do: tickers, OCC symbols,
//! dates, `call`/`put`, exchange and condition codes.
//!
//! Why not `String`: an option print owned about a dozen heap strings, each allocated on the
//! reader thread and freed on the event loop's thread when the strategy lets go of the record.
//! A free of memory another thread allocated is the dearer kind, and the loop thread is the one
//! the strategy and the execution client share. Measured on 10k recorded prints parsed on
//! another thread and dropped on this one (best and median of 12 rounds, three alternated
//! processes each): 390-401 / 590-634 ns per print with `String` fields, 227-241 / 270-430 ns with
//! `UwText`. Longer values (UW's uuids) still go to the heap, unchanged.
//!
//! To Python a `UwText` is a `str`, like a `String`; in Rust it dereferences to `str`.

use std::{borrow::Borrow, fmt, hash::Hash, ops::Deref};

use compact_str::CompactString;
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Text kept inline up to 24 bytes, on the heap beyond (see the module docs for why).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct UwText(CompactString);

impl UwText {
    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether the text lives inside the value (no heap allocation of its own).
    #[must_use]
    pub fn is_inline(&self) -> bool {
        !self.0.is_heap_allocated()
    }
}

impl Deref for UwText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for UwText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

// Hashes as the `str` it holds, so that maps keyed by `UwText` are looked up by `&str`.
impl Borrow<str> for UwText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Hash for UwText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for UwText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for UwText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for UwText {
    fn from(text: &str) -> Self {
        Self(CompactString::new(text))
    }
}

impl From<String> for UwText {
    fn from(text: String) -> Self {
        // Short text moves inline (the String's buffer is freed here, on the thread that made
        // it); long text keeps its buffer.
        Self(CompactString::from(text))
    }
}

impl From<UwText> for String {
    fn from(text: UwText) -> Self {
        text.0.into_string()
    }
}

impl PartialEq<str> for UwText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for UwText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for UwText {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<UwText> for &str {
    fn eq(&self, other: &UwText) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<UwText> for str {
    fn eq(&self, other: &UwText) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<UwText> for String {
    fn eq(&self, other: &UwText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<'de> Deserialize<'de> for UwText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl Visitor<'_> for TextVisitor {
            type Value = UwText;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<UwText, E> {
                Ok(UwText::from(v))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<UwText, E> {
                Ok(UwText::from(v))
            }
        }

        d.deserialize_str(TextVisitor)
    }
}

#[cfg(feature = "python")]
mod python {
    use pyo3::{prelude::*, types::PyString};

    use super::UwText;

    impl<'py> IntoPyObject<'py> for &UwText {
        type Target = PyString;
        type Output = Bound<'py, PyString>;
        type Error = std::convert::Infallible;

        fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
            Ok(PyString::new(py, self.as_str()))
        }
    }

    impl FromPyObject<'_, '_> for UwText {
        type Error = PyErr;

        fn extract(obj: pyo3::Borrowed<'_, '_, PyAny>) -> Result<Self, Self::Error> {
            Ok(UwText::from(&*obj.cast::<PyString>()?.to_cow()?))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn short_text_is_inline_and_long_text_is_kept() {
        let occ = UwText::from("TSLA250516C00355000");
        assert!(occ.is_inline());
        assert_eq!(occ, "TSLA250516C00355000");
        let uuid = "af90ac99-be56-43a9-8f25-03dcad0a244e";
        let id = UwText::from(uuid.to_owned());
        assert!(!id.is_inline());
        assert_eq!(id.as_str(), uuid);
        assert_eq!(String::from(id), uuid);
    }

    #[test]
    fn looked_up_by_str() {
        let set: HashSet<UwText> = ["SPY", "QQQ"].into_iter().map(UwText::from).collect();
        assert!(set.contains("SPY"));
        assert!(!set.contains("IWM"));
    }

    #[test]
    fn deserializes_strings_only() {
        let t: UwText = serde_json::from_str(r#""EDGO""#).unwrap();
        assert_eq!(t, "EDGO");
        let escaped: UwText = serde_json::from_str(r#""a\"b""#).unwrap();
        assert_eq!(escaped, "a\"b");
        assert!(serde_json::from_str::<UwText>("12").is_err());
        assert!(serde_json::from_str::<UwText>("null").is_err());
    }

    #[test]
    fn debug_and_display_are_the_text() {
        let t = UwText::from("call");
        assert_eq!(format!("{t:?}"), "\"call\"");
        assert_eq!(t.to_string(), "call");
    }
}
