//! [`UwText`] and [`UwId`]: the text fields of the high-rate records (option prints, flow
//! alerts), stored in the record itself when they fit, as nearly all of them do. `UwText` holds
//! tickers, OCC symbols, dates, `call`/`put`, exchange and condition codes (up to 24 bytes);
//! `UwId` holds ids up to 38 bytes: UW's uuids (36 bytes; a print's `id`, an alert's `id`,
//! `rule_id` and each of its `trade_ids`) and every record's instrument id (IB's padded
//! `SPY   241220C00500000.SMART` is 27).
//!
//! Why not `String`: an option print owned about a dozen heap strings, each allocated on the
//! reader thread and freed on the event loop's thread when the strategy lets go of the record.
//! A free of memory another thread allocated is the dearer kind, and the loop thread is the one
//! the strategy and the execution client share. Measured on 10k recorded prints parsed on
//! another thread and dropped on this one (best and median of 12 rounds, three alternated
//! processes each): 390-401 / 590-634 ns per print with `String` fields, 227-241 / 270-430 ns with
//! `UwText`. A flow alert names 5 to 30 trades by uuid: with `String` ids that was as many heap
//! strings again, and growing the list reallocated it.
//!
//! To Python both are a `str`, like a `String`; in Rust they dereference to `str`, and compare,
//! order and hash as the `str` they hold. Longer values go to the heap, unchanged.

use std::{borrow::Borrow, cmp::Ordering, fmt, hash::Hash, ops::Deref};

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

/// Most bytes a [`UwId`] keeps inline: a uuid's 36 and two to spare, in a 40-byte value.
const ID_INLINE: usize = 38;

/// An id (one of UW's uuids, an instrument id), kept inline up to 38 bytes and on the heap
/// beyond (see the module docs for why). Any text is accepted and given back as it came.
#[derive(Clone)]
pub struct UwId(IdRepr);

#[derive(Clone)]
enum IdRepr {
    // `len` bytes of `bytes` are whole UTF-8 text: only `concat` fills them, from whole `str`s.
    Inline { len: u8, bytes: [u8; ID_INLINE] },
    Heap(Box<str>),
}

impl UwId {
    /// `parts` one after the other, written straight into the value when they fit (an
    /// instrument id from its root, padding, contract and venue, with no `String` between).
    // Inline: called with one part (`From<&str>`, an alert's two dozen trade ids), the loop
    // over the parts folds into one copy; kept out of line it cost twice that.
    #[must_use]
    #[inline]
    pub fn concat(parts: &[&str]) -> Self {
        let total: usize = parts.iter().map(|part| part.len()).sum();
        match u8::try_from(total) {
            Ok(len) if total <= ID_INLINE => {
                let mut bytes = [0; ID_INLINE];
                let mut at = 0;
                for part in parts {
                    bytes[at..at + part.len()].copy_from_slice(part.as_bytes());
                    at += part.len();
                }
                Self(IdRepr::Inline { len, bytes })
            }
            _ => Self(IdRepr::Heap(parts.concat().into_boxed_str())),
        }
    }

    /// The text.
    ///
    /// # Panics
    /// Never: inline bytes are always whole UTF-8 text (only `concat` writes them, from `str`s).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            IdRepr::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)])
                .expect("an inline id holds a whole str, copied from one"),
            IdRepr::Heap(text) => text,
        }
    }

    /// Whether the text lives inside the value (no heap allocation of its own).
    #[must_use]
    pub fn is_inline(&self) -> bool {
        matches!(self.0, IdRepr::Inline { .. })
    }
}

impl Default for UwId {
    fn default() -> Self {
        Self::from("")
    }
}

impl From<&str> for UwId {
    #[inline]
    fn from(text: &str) -> Self {
        Self::concat(&[text])
    }
}

impl From<String> for UwId {
    fn from(text: String) -> Self {
        if text.len() <= ID_INLINE {
            Self::from(text.as_str())
        } else {
            Self(IdRepr::Heap(text.into_boxed_str()))
        }
    }
}

impl From<UwId> for String {
    fn from(id: UwId) -> Self {
        match id.0 {
            IdRepr::Heap(text) => text.into_string(),
            IdRepr::Inline { .. } => id.as_str().to_owned(),
        }
    }
}

// As the text, whatever the representation: `From` picks it by length alone, but a comparison
// should not depend on that.
impl PartialEq for UwId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for UwId {}

impl PartialOrd for UwId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for UwId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// What `UwText` and `UwId` share: they are read, compared, hashed, printed, deserialized and
/// handed to Python as the `str` they hold.
macro_rules! str_like {
    ($($t:ident),*) => {$(
        impl Deref for $t {
            type Target = str;

            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        // Hashes as the `str` it holds, so that maps keyed by it are looked up by `&str`.
        impl Borrow<str> for $t {
            fn borrow(&self) -> &str {
                self.as_str()
            }
        }

        impl Hash for $t {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state);
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl PartialEq<$t> for &str {
            fn eq(&self, other: &$t) -> bool {
                *self == other.as_str()
            }
        }

        impl PartialEq<$t> for str {
            fn eq(&self, other: &$t) -> bool {
                self == other.as_str()
            }
        }

        impl PartialEq<$t> for String {
            fn eq(&self, other: &$t) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct TextVisitor;

                impl Visitor<'_> for TextVisitor {
                    type Value = $t;

                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a string")
                    }

                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$t, E> {
                        Ok($t::from(v))
                    }

                    fn visit_string<E: de::Error>(self, v: String) -> Result<$t, E> {
                        Ok($t::from(v))
                    }
                }

                d.deserialize_str(TextVisitor)
            }
        }

        #[cfg(feature = "python")]
        impl<'py> pyo3::IntoPyObject<'py> for &$t {
            type Target = pyo3::types::PyString;
            type Output = pyo3::Bound<'py, pyo3::types::PyString>;
            type Error = std::convert::Infallible;

            fn into_pyobject(self, py: pyo3::Python<'py>) -> Result<Self::Output, Self::Error> {
                Ok(pyo3::types::PyString::new(py, self.as_str()))
            }
        }

        #[cfg(feature = "python")]
        impl pyo3::FromPyObject<'_, '_> for $t {
            type Error = pyo3::PyErr;

            fn extract(obj: pyo3::Borrowed<'_, '_, pyo3::PyAny>) -> Result<Self, Self::Error> {
                use pyo3::types::PyStringMethods;
                Ok($t::from(&*obj.cast::<pyo3::types::PyString>()?.to_cow()?))
            }
        }
    )*};
}

str_like!(UwText, UwId);

/// Ends each item of a [`UwTextList`]: a control character no UW code, tag or exchange holds.
const LIST_SEPARATOR: char = '\u{1f}';
const LIST_SEPARATOR_BYTE: u8 = 0x1f;

/// A list of short texts: an option print's `trade_code`, `report_flags` and `tags`, a flow
/// alert's `exchanges` and `upstream_condition_details`. Held in the record, without a heap
/// block, when its items fit together in 24 bytes, as nearly all do (`["bid_side", "bearish"]`),
/// and no larger than the `Vec` it replaced.
///
/// Why not `Vec<UwText>`: a `Vec` holding any item is a heap block, allocated on the reader
/// thread and freed on the event loop's when the strategy lets go of the record (the dearer,
/// cross-thread kind of free); an option print held two (`trade_code` and `tags`), the last
/// heap blocks it had. Freeing them was 14-17% of the loop thread's time spent building and
/// dropping a batch of prints in `scripts/bench_delivery.py` (perf, both regimes).
///
/// Each item is stored followed by U+001F, all in one compact string; a list with an item
/// holding that character keeps its items apart instead, so every list is stored as it came.
/// To Python it is a `list[str]`; in Rust, [`iter`](Self::iter) yields the items as `&str`, and
/// lists compare and hash item by item, whatever their storage.
#[derive(Clone, Default)]
pub struct UwTextList(ListRepr);

#[derive(Clone)]
enum ListRepr {
    // Every item followed by `LIST_SEPARATOR`, which none holds: `""` is the empty list and
    // `"\u{1f}"` a list of one empty string.
    Joined(CompactString),
    // Boxed so that the list is as small as the joined form (24 bytes).
    Items(Box<[UwText]>),
}

impl Default for ListRepr {
    fn default() -> Self {
        Self::Joined(CompactString::const_new(""))
    }
}

impl UwTextList {
    /// An empty list.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `item`.
    pub fn push(&mut self, item: &str) {
        if let ListRepr::Joined(text) = &mut self.0 {
            // Bytes, not chars: the separator is ASCII, and the items are a few bytes long.
            if !item.bytes().any(|b| b == LIST_SEPARATOR_BYTE) {
                append_item(text, item);
                return;
            }
        }
        let mut items: Vec<UwText> = self.iter().map(UwText::from).collect();
        items.push(UwText::from(item));
        self.0 = ListRepr::Items(items.into_boxed_slice());
    }

    /// The items, in order.
    #[must_use]
    pub fn iter(&self) -> UwTextListIter<'_> {
        UwTextListIter(match &self.0 {
            ListRepr::Joined(text) => IterRepr::Joined(text.split_terminator(LIST_SEPARATOR)),
            ListRepr::Items(items) => IterRepr::Items(items.iter()),
        })
    }

    /// How many items.
    #[must_use]
    pub fn len(&self) -> usize {
        match &self.0 {
            ListRepr::Joined(text) => {
                memchr::memchr_iter(LIST_SEPARATOR_BYTE, text.as_bytes()).count()
            }
            ListRepr::Items(items) => items.len(),
        }
    }

    /// Whether the list has no items.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            ListRepr::Joined(text) => text.is_empty(),
            ListRepr::Items(items) => items.is_empty(),
        }
    }

    /// Whether an item equals `item`.
    #[must_use]
    pub fn contains(&self, item: &str) -> bool {
        self.iter().any(|t| t == item)
    }

    /// Whether the list is held in the record itself (no heap block).
    #[must_use]
    pub fn is_inline(&self) -> bool {
        matches!(&self.0, ListRepr::Joined(text) if !text.is_heap_allocated())
    }
}

/// `item` and the separator after it, appended to `text` in one reservation and one copy.
///
/// Why not two `push_str`s: each one finds the buffer again (inline or heap), checks its room and
/// sets the length; for the few bytes of a code or an exchange that bookkeeping was most of the
/// cost, twice per item, and a flow alert's lists hold a dozen items.
#[inline]
fn append_item(text: &mut CompactString, item: &str) {
    let len = text.len();
    let end = len + item.len();
    text.reserve(item.len() + 1);
    // SAFETY: `reserve` made room for `end + 1` bytes; the bytes from `len` on are the UTF-8 of
    // `item` and the ASCII separator, all written before the length covers them, so the string
    // stays UTF-8 (its first `len` bytes are untouched).
    #[allow(unsafe_code)]
    unsafe {
        let bytes = text.as_mut_bytes();
        bytes[len..end].copy_from_slice(item.as_bytes());
        bytes[end] = LIST_SEPARATOR_BYTE;
        text.set_len(end + 1);
    }
}

/// The items of a [`UwTextList`].
pub struct UwTextListIter<'a>(IterRepr<'a>);

enum IterRepr<'a> {
    Joined(std::str::SplitTerminator<'a, char>),
    Items(std::slice::Iter<'a, UwText>),
}

impl<'a> Iterator for UwTextListIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match &mut self.0 {
            IterRepr::Joined(split) => split.next(),
            IterRepr::Items(items) => items.next().map(UwText::as_str),
        }
    }
}

impl<'a> IntoIterator for &'a UwTextList {
    type Item = &'a str;
    type IntoIter = UwTextListIter<'a>;

    fn into_iter(self) -> UwTextListIter<'a> {
        self.iter()
    }
}

impl<S: AsRef<str>> FromIterator<S> for UwTextList {
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        let mut list = Self::new();
        for item in items {
            list.push(item.as_ref());
        }
        list
    }
}

impl<S: AsRef<str>> From<Vec<S>> for UwTextList {
    fn from(items: Vec<S>) -> Self {
        items.iter().collect()
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for UwTextList {
    fn from(items: [S; N]) -> Self {
        items.iter().collect()
    }
}

impl PartialEq for UwTextList {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for UwTextList {}

impl<S: AsRef<str>> PartialEq<[S]> for UwTextList {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().map(AsRef::as_ref))
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for UwTextList {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for UwTextList {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl Hash for UwTextList {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for item in self {
            item.hash(state);
        }
    }
}

impl fmt::Debug for UwTextList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(feature = "python")]
impl<'py> pyo3::IntoPyObject<'py> for &UwTextList {
    type Target = pyo3::types::PyList;
    type Output = pyo3::Bound<'py, pyo3::types::PyList>;
    type Error = pyo3::PyErr;

    fn into_pyobject(self, py: pyo3::Python<'py>) -> Result<Self::Output, Self::Error> {
        pyo3::types::PyList::new(py, self.iter())
    }
}

#[cfg(feature = "python")]
impl pyo3::FromPyObject<'_, '_> for UwTextList {
    type Error = pyo3::PyErr;

    fn extract(obj: pyo3::Borrowed<'_, '_, pyo3::PyAny>) -> Result<Self, Self::Error> {
        let items: Vec<UwText> = obj.extract()?;
        Ok(items.iter().collect())
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

    #[test]
    fn a_uuid_is_an_inline_id_and_longer_text_is_kept() {
        let uuid = "af90ac99-be56-43a9-8f25-03dcad0a244e";
        for id in [UwId::from(uuid), UwId::from(uuid.to_owned())] {
            assert!(id.is_inline());
            assert_eq!(id, uuid);
            assert_eq!(String::from(id), uuid);
        }
        let long = "x".repeat(ID_INLINE + 1);
        for id in [UwId::from(long.as_str()), UwId::from(long.clone())] {
            assert!(!id.is_inline());
            assert_eq!(id.as_str(), long);
            assert_eq!(String::from(id), long);
        }
        let edge = "é".repeat(ID_INLINE / 2);
        assert!(UwId::from(edge.as_str()).is_inline());
        assert_eq!(UwId::from(edge.as_str()), edge);
        assert_eq!(UwId::default(), "");
        // A record is copied by value between threads: an id costs no more than it must.
        assert_eq!(std::mem::size_of::<UwId>(), 40);
        assert_eq!(std::mem::size_of::<Option<UwId>>(), 40);
    }

    #[test]
    fn an_id_is_built_from_parts_inline_when_they_fit() {
        let id = UwId::concat(&["SPY", "   ", "241220C00500000", ".", "SMART"]);
        assert!(id.is_inline());
        assert_eq!(id, "SPY   241220C00500000.SMART");
        let venue = "A_VENUE_NAME_LONGER_THAN_THE_REST";
        let long = UwId::concat(&["SPY", "241220C00500000", ".", venue]);
        assert!(!long.is_inline());
        assert_eq!(long, format!("SPY241220C00500000.{venue}"));
        assert_eq!(UwId::concat(&[]), "");
    }

    #[test]
    fn ids_compare_order_and_hash_as_their_text() {
        use std::hash::{BuildHasher, RandomState};
        let texts = [
            "",
            "8ef90a2d-0249",
            "af90ac99-be56-43a9-8f25-03dcad0a244e",
            "af90ac99-be56-43a9-8f25-03dcad0a244e-and-more",
            "b",
        ];
        let state = RandomState::new();
        for a in texts {
            for b in texts {
                let (x, y) = (UwId::from(a), UwId::from(b.to_owned()));
                assert_eq!(x == y, a == b);
                assert_eq!(x.cmp(&y), a.cmp(b), "{a:?} against {b:?}");
                assert_eq!(state.hash_one(&x) == state.hash_one(b), a == b);
            }
        }
        let set: HashSet<UwId> = texts.into_iter().map(UwId::from).collect();
        assert!(set.contains("8ef90a2d-0249"));
        assert!(serde_json::from_str::<UwId>("12").is_err());
        let id: UwId = serde_json::from_str(r#""a\"b""#).unwrap();
        assert_eq!(format!("{id:?} {id}"), r#""a\"b" a"b"#);
    }

    fn list_from_json(json: &str) -> Result<UwTextList, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(json);
        crate::common::parse::de_string_list(&mut d)
    }

    #[test]
    fn a_short_list_is_held_inline_and_reads_back_in_order() {
        let tags: UwTextList = ["bid_side", "bearish"].into();
        assert!(tags.is_inline());
        assert_eq!(tags.len(), 2);
        assert_eq!(tags.iter().collect::<Vec<_>>(), ["bid_side", "bearish"]);
        assert_eq!(tags, ["bid_side", "bearish"]);
        assert!(tags.contains("bearish") && !tags.contains("bid"));
        assert_eq!(format!("{tags:?}"), r#"["bid_side", "bearish"]"#);
        // A record is copied by value between threads: a list is no larger than a `Vec`.
        assert_eq!(std::mem::size_of::<UwTextList>(), 24);
    }

    #[test]
    fn empty_lists_and_empty_items_are_told_apart() {
        let empty = UwTextList::new();
        let one_empty: UwTextList = [""].into();
        let two_empty: UwTextList = ["", ""].into();
        assert_eq!((empty.len(), one_empty.len(), two_empty.len()), (0, 1, 2));
        assert_eq!(empty.iter().count(), 0);
        assert_eq!(one_empty.iter().collect::<Vec<_>>(), [""]);
        assert_eq!(two_empty.iter().collect::<Vec<_>>(), ["", ""]);
        assert_ne!(empty, one_empty);
        assert_ne!(one_empty, two_empty);
        assert!(empty.is_empty() && !one_empty.is_empty());
    }

    #[test]
    fn an_item_holding_the_separator_keeps_every_item_as_it_came() {
        let odd = format!("a{LIST_SEPARATOR}b");
        let list: UwTextList = ["x", odd.as_str(), "y"].into();
        assert!(!list.is_inline());
        assert_eq!(list.len(), 3);
        assert_eq!(list.iter().collect::<Vec<_>>(), ["x", odd.as_str(), "y"]);
        let split: UwTextList = ["a", "b"].into();
        let joined: UwTextList = [odd.as_str()].into();
        assert_ne!(split, joined);
        assert_eq!(joined.len(), 1);
        // Long lists keep one heap block for all their items, intact.
        let long: UwTextList = ["RepeatedHitsDescendingFill", "auto"].into();
        assert!(!long.is_inline());
        assert_eq!(long, ["RepeatedHitsDescendingFill", "auto"]);
    }

    #[test]
    fn lists_deserialize_as_string_lists_do() {
        assert_eq!(
            list_from_json(r#"["auto", null, "slan"]"#).unwrap(),
            ["auto", "slan"]
        );
        assert_eq!(
            list_from_json(r#""auto, isoi,""#).unwrap(),
            ["auto", "isoi"]
        );
        assert_eq!(list_from_json(r#""auto""#).unwrap(), ["auto"]);
        assert!(list_from_json("null").unwrap().is_empty());
        assert!(list_from_json(r#""""#).unwrap().is_empty());
        assert_eq!(list_from_json(r#"["", "a\"b"]"#).unwrap(), ["", "a\"b"]);
        assert!(list_from_json("[1]").is_err());
        assert!(list_from_json(r#"["a", {}]"#).is_err());
        assert!(list_from_json("true").is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_list_reads_back_compares_and_hashes_as_its_items(
            // Up to a long alert's exchanges: inline, then a heap block grown several times.
            items in proptest::collection::vec("(?s).{0,12}|\\x{1f}", 0..24),
            other in proptest::collection::vec("[a-c\\x{1f}]{0,2}", 0..4),
        ) {
            use std::hash::{BuildHasher, RandomState};
            let list: UwTextList = items.iter().collect();
            proptest::prop_assert_eq!(list.len(), items.len());
            proptest::prop_assert_eq!(list.iter().collect::<Vec<_>>(), items.iter().map(String::as_str).collect::<Vec<_>>());
            let state = RandomState::new();
            let same: UwTextList = items.clone().into();
            proptest::prop_assert_eq!(state.hash_one(&list), state.hash_one(&same));
            let other_list: UwTextList = other.iter().collect();
            proptest::prop_assert_eq!(list == other_list, items == other);
            let json = serde_json::to_string(&items).unwrap();
            proptest::prop_assert_eq!(list_from_json(&json).unwrap(), list);
        }
    }
}
