//! A serde `Deserializer` for the shape nearly every UW frame has: compact JSON whose strings hold
//! no escape and no control character.
//!
//! Why it exists: on an option print (a kilobyte, 36 fields, most of them numbers in strings),
//! serde_json spent about 1 us per record in its lexer and the calls around each value, more than
//! the record's own conversions. Declining any string with an escape in it, this lexer finds a
//! string's end at the next quote (sixteen or eight bytes at a time, checking for escapes and
//! control characters in the same step) and hands the derived `Deserialize` impls the very calls
//! serde_json would make (`visit_borrowed_str`, `visit_u64`, `visit_none`, ...), with the same
//! values, so a record decodes to the same bits.
//!
//! It declines (returns [`Declined`], no message) rather than decide anything itself: a frame with
//! an escape, a control character, a number it does not read exactly as serde_json does, any
//! structural doubt, or any error a record's decoder raises. The caller then decodes the frame with
//! serde_json, which produces the result, or the error with its message. So a frame this accepts
//! decodes exactly as serde_json decodes it, and nothing else changes.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The compact path's only error: "decode this frame with serde_json instead".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to serde_json")
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    // Record decoders build messages through `custom`; the message is never shown (serde_json
    // decodes the frame again and words the error), so it is not even formatted.
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Self
    }
}

/// Decodes `text`, one JSON value, optionally followed by the `suffix` byte (the envelope's `]`
/// when `text` is the payload of a `[channel, payload]` frame) and spaces.
///
/// # Errors
/// [`Declined`] whenever a string holds an escape or a control character, or anything about the
/// frame is in doubt; decode it with serde_json then.
pub fn from_compact_str<'de, T: de::Deserialize<'de>>(
    text: &'de str,
    suffix: Option<u8>,
) -> Result<T, Declined> {
    let mut de = CompactDeserializer::new(text);
    let value = T::deserialize(&mut de)?;
    de.skip_spaces();
    if let Some(b) = suffix {
        de.expect(b)?;
        de.skip_spaces();
    }
    if de.pos == text.len() {
        Ok(value)
    } else {
        Err(Declined)
    }
}

/// Decodes a data frame `[channel, record]` and appends its record to `out`, declining a frame
/// whose payload has both a `status` and a `response` key: it may be UW's reply to a join (an ack
/// or a refusal), which is the general parser's to recognise. Noting two keys while decoding
/// replaces a search of every kilobyte frame for `"status"`. A declined frame leaves `out` as it
/// was.
///
/// The record goes straight from the decoder into `out`. Returned through the envelope's tuple
/// and the callers' `Result`s instead, a record of most of a kilobyte was copied six times per
/// frame, which cost an option print 2.4% more instructions from frame to queue and a flow
/// alert 5.3% more.
///
/// # Errors
/// As [`from_compact_str`], and [`Declined`] for a possible reply.
pub fn push_compact_frame<'de, R: de::Deserialize<'de>>(
    text: &'de str,
    out: &mut Vec<R>,
) -> Result<(), Declined> {
    let before = out.len();
    let mut de = CompactDeserializer::new(text);
    let decoded = de::Deserializer::deserialize_tuple(&mut de, 2, Envelope(out));
    de.skip_spaces();
    if decoded.is_ok() && de.pos == text.len() && de.reply_keys != REPLY_KEYS {
        Ok(())
    } else {
        out.truncate(before);
        Err(Declined)
    }
}

/// A frame's `[channel, record]`: the channel skipped, the record pushed to the vector.
struct Envelope<'a, R>(&'a mut Vec<R>);

impl<'de, R: de::Deserialize<'de>> Visitor<'de> for Envelope<'_, R> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("[channel, record]")
    }

    #[inline(always)]
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (Some(de::IgnoredAny), Some(())) = (
            seq.next_element::<de::IgnoredAny>()?,
            seq.next_element_seed(PushInto(self.0))?,
        ) else {
            return Err(de::Error::invalid_length(1, &self));
        };
        Ok(())
    }
}

/// Decodes a value and pushes it to the vector.
struct PushInto<'a, R>(&'a mut Vec<R>);

impl<'de, R: de::Deserialize<'de>> DeserializeSeed<'de> for PushInto<'_, R> {
    type Value = ();

    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.push(R::deserialize(d)?);
        Ok(())
    }
}

/// Decodes a data frame `[channel, record]` whose record has exactly the keys `record` reads, in
/// its order, and appends the record to `out` (see [`record_in_uw_order!`]). A declined frame
/// leaves `out` as it was.
///
/// # Errors
/// [`Declined`] for any key out of that order, missing or extra, and wherever
/// [`push_compact_frame`] declines.
#[inline(always)]
pub fn push_frame_in_order<'de, R>(
    text: &'de str,
    out: &mut Vec<R>,
    record: impl for<'slot> FnOnce(
        &mut InOrder<'_, 'de>,
        &'slot mut std::mem::MaybeUninit<R>,
    ) -> Result<&'slot mut R, Declined>,
) -> Result<(), Declined> {
    let mut de = CompactDeserializer::new(text);
    de.skip_spaces();
    de.expect(b'[')?;
    // The channel: checked as the general path's `IgnoredAny` checks it.
    if de.peek_value()? != b'"' {
        return Err(Declined);
    }
    de.string()?;
    de.skip_spaces();
    de.expect(b',')?;
    de.skip_spaces();
    de.expect(b'{')?;
    de.depth = PAYLOAD_DEPTH;
    // The record is built in the vector's next slot: built on the stack and pushed, a record of
    // most of a kilobyte was copied twice more per frame.
    out.reserve(1);
    let Some(slot) = out.spare_capacity_mut().first_mut() else {
        unreachable!("one slot was reserved")
    };
    let slot_at = slot.as_ptr();
    // `record` proves it wrote the slot by returning the slot's own `&mut R`: in safe code only
    // `MaybeUninit::write` makes one from the slot (a record it built elsewhere is somewhere
    // else, and is declined here, never taken for the slot's).
    // (A zero-sized record would share its address with any other; records are not.)
    let wrote_slot = std::ptr::eq(record(&mut InOrder { de: &mut de }, slot)?, slot_at);
    if !wrote_slot || std::mem::size_of::<R>() == 0 {
        return Err(Declined);
    }
    let len = out.len();
    // SAFETY: the slot, the element at `len` within the reserved capacity, is initialised: the
    // decoder returned a reference to a record at the slot's address (checked above).
    #[allow(unsafe_code)]
    unsafe {
        out.set_len(len + 1);
    }
    let ends_here = de.end_map().and_then(|()| de.end_seq()).is_ok() && {
        de.skip_spaces();
        de.pos == text.len()
    };
    if !ends_here {
        out.truncate(len);
        return Err(Declined);
    }
    Ok(())
}

/// A list field's value as [`de_string_list`](crate::common::parse::de_string_list) reads it:
/// an array of strings read here directly, item by item into the list, and one string split as
/// that function splits it (the one function both call). Anything else (a `null` item, a
/// number, an escape) is handed to that function from the value's start, so this returns what it
/// returns, `Declined` included.
///
/// Why: an alert's lists (two dozen ids, a dozen exchanges) were half its decode. Read here,
/// without serde's element protocol (an `Option` seed per element, its visitor, the string's
/// visitor) and with the ids' vector reserved once, an alert took 9% less time and a print (three
/// short lists) 5% less, alternated with the serde path (docs/performance.md).
///
/// # Errors
/// [`Declined`] where [`de_string_list`](crate::common::parse::de_string_list) declines.
#[inline]
pub fn string_list<L: crate::common::parse::TextList>(
    de: &mut CompactDeserializer<'_>,
) -> Result<L, Declined> {
    let start = de.pos;
    let plain = match de.peek_value()? {
        b'[' => de.plain_string_array(),
        b'"' => de
            .string()
            .ok()
            .map(crate::common::parse::comma_separated_list),
        _ => None,
    };
    if let Some(list) = plain {
        return Ok(list);
    }
    de.pos = start;
    crate::common::parse::de_string_list(de)
}

/// A record's entries read in a known order: each key must be the one expected next.
pub struct InOrder<'a, 'de> {
    de: &'a mut CompactDeserializer<'de>,
}

impl<'de> InOrder<'_, 'de> {
    /// The first entry's key (`quoted`, quotes included) and its `:`; the value's decoder next.
    ///
    /// # Errors
    /// [`Declined`] when the entry has another key.
    #[inline(always)]
    pub fn first(&mut self, quoted: &[u8]) -> Result<&mut CompactDeserializer<'de>, Declined> {
        self.de.skip_spaces();
        self.key(quoted)
    }

    /// [`Self::next`] with the entry's usual spellings tried first, each as one literal:
    /// `spaced` (`, "key": `, UW's own, as Python's `json.dumps` writes) and `compact`
    /// (`,"key":`). Both are spellings [`Self::next`] accepts, so this accepts exactly what it
    /// does; a frame spelled otherwise takes it.
    ///
    /// Why: a key and its separators were eight tests of one byte each around the key's
    /// comparison; one comparison of the whole spelling is most of a print's key work gone.
    ///
    /// # Errors
    /// [`Declined`] when no entry follows or it has another key.
    #[inline(always)]
    pub fn next_spelled(
        &mut self,
        spaced: &[u8],
        compact: &[u8],
        quoted: &[u8],
    ) -> Result<&mut CompactDeserializer<'de>, Declined> {
        let rest = &self.de.text.as_bytes()[self.de.pos..];
        if rest.starts_with(spaced) {
            self.de.pos += spaced.len();
            return Ok(&mut *self.de);
        }
        if rest.starts_with(compact) {
            self.de.pos += compact.len();
            return Ok(&mut *self.de);
        }
        self.next(quoted)
    }

    /// A following entry: its `,`, then as [`Self::first`].
    ///
    /// # Errors
    /// [`Declined`] when no entry follows or it has another key.
    #[inline(always)]
    pub fn next(&mut self, quoted: &[u8]) -> Result<&mut CompactDeserializer<'de>, Declined> {
        if self.de.peek() != Some(b',') {
            self.de.skip_spaces();
        }
        self.de.expect(b',')?;
        if self.de.peek() != Some(b'"') {
            self.de.skip_spaces();
        }
        self.key(quoted)
    }

    /// A key is compared whole, quotes included, where the general path finds its end and then
    /// matches it against every field name: a key that merely starts like `quoted` is followed
    /// by something other than the `:` and so declined.
    #[inline(always)]
    fn key(&mut self, quoted: &[u8]) -> Result<&mut CompactDeserializer<'de>, Declined> {
        if !self.de.text.as_bytes()[self.de.pos..].starts_with(quoted) {
            return Err(Declined);
        }
        self.de.pos += quoted.len();
        if self.de.peek() != Some(b':') {
            self.de.skip_spaces();
        }
        self.de.expect(b':')?;
        Ok(&mut *self.de)
    }
}

/// A decoder for a record whose keys UW sends in one order: each key compared in turn with the
/// one expected, each value read by the very function the record's `Deserialize` names for its
/// field (so a value decodes to the same bits; a string list by [`string_list`], which reads
/// plain lists itself and hands anything else to that function), the fields UW's frame lacks set
/// as serde's `default` sets them. Any other order, a missing or an extra key, is declined, and
/// the frame goes the general way; so this only ever accepts what [`push_compact_frame`]
/// accepts, with the same record.
///
/// Why: on an option print, matching 35 keys against the 51 field names and keeping each field in
/// an `Option` until the record is built was a third of the decode's instructions.
///
/// The record literal lists every field, so a field added to the record and not here fails to
/// compile; that each field's decoder is its `Deserialize`'s is held by the tests that decode the
/// same frames both ways.
macro_rules! record_in_uw_order {
    (
        $(#[$meta:meta])*
        $vis:vis fn $fname:ident() -> $rec:ident {
            $first_key:literal => $first_field:ident: $first_decode:expr,
            $( $key:literal => $field:ident: $decode:expr, )*
        }
        defaults { $( $default:ident ),* $(,)? }
    ) => {
        $(#[$meta])*
        $vis fn $fname(
            text: &str,
            out: &mut Vec<$rec>,
        ) -> Result<(), $crate::common::compact_json::Declined> {
            $crate::common::compact_json::push_frame_in_order(text, out, |entries, slot| {
                let $first_field = $first_decode(entries.first(concat!("\"", $first_key, "\"").as_bytes())?)?;
                $( let $field = $decode(entries.next_spelled(
                    concat!(", \"", $key, "\": ").as_bytes(),
                    concat!(",\"", $key, "\":").as_bytes(),
                    concat!("\"", $key, "\"").as_bytes(),
                )?)?; )*
                Ok(slot.write($rec {
                    $first_field,
                    $( $field, )*
                    $( $default: Default::default(), )*
                    ts_event: 0,
                    ts_init: 0,
                    instrument_id: None,
                }))
            })
        }
    };
}
pub(crate) use record_in_uw_order;

/// The string scan's sixteen-byte step.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x,
        _mm_set1_epi8,
    };

    /// A bit per byte of `block`, set where the byte is a `"`, a `\` or below 0x20: three
    /// comparisons of all sixteen bytes at once, for fewer instructions than one step of the
    /// eight-byte bit tricks.
    #[target_feature(enable = "sse2")]
    #[inline]
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        clippy::cast_sign_loss
    )]
    pub(super) fn quotes_escapes_and_controls(block: [u8; 16]) -> u32 {
        let word = u128::from_le_bytes(block);
        let bytes = _mm_set_epi64x((word >> 64) as i64, word as i64);
        let quotes = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'"' as i8));
        let backslashes = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\\' as i8));
        // Unsigned `byte <= 0x1f`: the larger of the two is 0x1f.
        let below_space = _mm_set1_epi8(0x1f);
        let controls = _mm_cmpeq_epi8(_mm_max_epu8(bytes, below_space), below_space);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quotes, backslashes), controls)) as u32
    }
}

/// Most items a list reserves room for ahead of reading them (as `de_string_list`'s cap).
const MAX_RESERVED_ITEMS: usize = 4096;

/// `status` and `response` seen among the payload's keys (bits of `reply_keys`).
const REPLY_KEYS: u8 = 0b11;
/// The payload object's depth in a frame: inside the envelope array.
const PAYLOAD_DEPTH: u32 = 2;

/// The lexer. Only [`Self::string`] hands raw text on, and it declines escapes and control
/// characters; every other token is read against JSON's grammar byte by byte.
pub struct CompactDeserializer<'de> {
    text: &'de str,
    pos: usize,
    /// Arrays and objects entered and not yet left.
    depth: u32,
    /// Which of `status` / `response` are keys at [`PAYLOAD_DEPTH`].
    reply_keys: u8,
}

impl<'de> CompactDeserializer<'de> {
    fn new(text: &'de str) -> Self {
        Self {
            text,
            pos: 0,
            depth: 0,
            reply_keys: 0,
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// JSON's whitespace, of which only the space is skipped: UW's frames carry no newlines or
    /// tabs, and any other byte between tokens is declined where a token was expected.
    #[inline(always)]
    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    #[inline(always)]
    fn peek_value(&mut self) -> Result<u8, Declined> {
        self.skip_spaces();
        self.peek().ok_or(Declined)
    }

    #[inline(always)]
    fn expect(&mut self, b: u8) -> Result<(), Declined> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// At a `[`: an array of strings without escapes (`[]`, `["auto", "slan"]`), read into a
    /// list; `None` at anything else, the position then left anywhere in the array.
    #[inline]
    fn plain_string_array<L: crate::common::parse::TextList>(&mut self) -> Option<L> {
        self.pos += 1;
        let mut list = L::default();
        if self.peek_value().ok()? == b']' {
            self.pos += 1;
            return Some(list);
        }
        let mut first = true;
        loop {
            if self.peek_value().ok()? != b'"' {
                return None;
            }
            let item_at = self.pos;
            list.push_text(self.string().ok()?);
            if std::mem::take(&mut first) && L::RESERVES {
                self.reserve_like_first_item(&mut list, self.pos - item_at);
            }
            match self.peek_value().ok()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(list);
                }
                _ => return None,
            }
        }
    }

    /// Room in `list` for the rest of the array, estimated as items as long as the first
    /// (`quoted_len` bytes with its quotes) up to the next `]`: an alert's trade ids are one
    /// uuid after another, and a vector grown to two dozen of them reallocated and copied three
    /// times. Only an estimate: a wrong one costs growth or spare room, never an item.
    #[inline]
    fn reserve_like_first_item<L: crate::common::parse::TextList>(
        &self,
        list: &mut L,
        quoted_len: usize,
    ) {
        let rest = &self.text.as_bytes()[self.pos..];
        if let Some(end) = memchr::memchr(b']', rest) {
            // Each further item: its quotes and text, and the `,` before it.
            list.reserve((end / (quoted_len + 1)).min(MAX_RESERVED_ITEMS));
        }
    }

    /// The string starting at the current `"`, without its quotes; [`Declined`] at an escape or
    /// a control character before its end (the one place raw text is handed on: every other
    /// token is read byte by byte against JSON's grammar).
    ///
    /// Only called where the caller has just seen the `"` (every caller peeks it first): the
    /// slice it returns relies on that byte being an ASCII quote (see [`Self::string_to`]).
    #[inline(always)]
    fn string(&mut self) -> Result<&'de str, Declined> {
        let bytes = self.text.as_bytes();
        debug_assert_eq!(
            bytes.get(self.pos),
            Some(&b'"'),
            "a string starts at its quote"
        );
        let start = self.pos + 1;
        let mut end = start;
        // Sixteen bytes at a time where the build targets SSE2 (every x86_64 target but the
        // soft-float ones; a uuid in three steps), then eight, then one.
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        while let Some(block) = bytes.get(end..end + 16) {
            let block: [u8; 16] = block.try_into().map_err(|_| Declined)?;
            // SAFETY: the function's one target feature, SSE2, is enabled for the whole build
            // (the `cfg` above), so the CPU running this has it.
            #[allow(unsafe_code)]
            let flagged = unsafe { sse2::quotes_escapes_and_controls(block) };
            if flagged != 0 {
                end += flagged.trailing_zeros() as usize;
                return if bytes[end] == b'"' {
                    self.string_to(start, end)
                } else {
                    Err(Declined)
                };
            }
            end += 16;
        }
        // Eight bytes at a time (most strings are short: keys, tickers, codes), the classic
        // "which byte is zero / less than n" bit tricks for `"`, `\` and bytes below 0x20 at
        // once; `memchr` costs more per call.
        const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
        const BACKSLASHES: u64 = u64::from_ne_bytes([b'\\'; 8]);
        const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
        const SPACES: u64 = u64::from_ne_bytes([0x20; 8]);
        const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
        while let Some(chunk) = bytes.get(end..end + 8) {
            let word = u64::from_le_bytes(chunk.try_into().map_err(|_| Declined)?);
            let quote = word ^ QUOTES;
            let backslash = word ^ BACKSLASHES;
            let flagged = (quote.wrapping_sub(ONES) & !quote
                | backslash.wrapping_sub(ONES) & !backslash
                | word.wrapping_sub(SPACES) & !word)
                & HIGHS;
            if flagged != 0 {
                // Each trick's lowest flag is exact (false flags only sit above a true one), so
                // the lowest of all three is the first quote, backslash or control byte.
                end += (flagged.trailing_zeros() / 8) as usize;
                return if bytes[end] == b'"' {
                    self.string_to(start, end)
                } else {
                    Err(Declined)
                };
            }
            end += 8;
        }
        while let Some(&b) = bytes.get(end) {
            match b {
                b'"' => return self.string_to(start, end),
                b'\\' | 0..0x20 => return Err(Declined),
                _ => end += 1,
            }
        }
        Err(Declined)
    }

    #[inline(always)]
    fn string_to(&mut self, start: usize, end: usize) -> Result<&'de str, Declined> {
        self.pos = end + 1;
        let bytes = &self.text.as_bytes()[start..end];
        debug_assert!(self.text.is_char_boundary(start) && self.text.is_char_boundary(end));
        // SAFETY: `start` follows an opening quote and `end` is a closing quote's index, both
        // ASCII bytes of the `str` `text`, so both are char boundaries and the bytes between them
        // are whole UTF-8. `&self.text[start..end]` checked both boundaries again for each of a
        // frame's 50-odd strings (its keys among them): 2% of an option print's instructions.
        #[allow(unsafe_code)]
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    }

    #[inline(always)]
    fn literal(&mut self, word: &[u8]) -> Result<(), Declined> {
        if self.text.as_bytes()[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// A number, visited as serde_json visits it: a non-negative integer as `u64`, a negative one
    /// as `i64`, anything else (fractions, exponents, -0, 19+ digits) through serde_json's own
    /// number parser, whose float rounding this must not second-guess.
    #[inline]
    fn number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Declined> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let negative = bytes.get(start) == Some(&b'-');
        let first = start + usize::from(negative);
        // The integer digits, read as they are scanned (most numbers are integers: times, sizes),
        // eight at a time (a time is 13 digits).
        let (n, count) = crate::common::parse::digit_run(bytes.get(first..).unwrap_or_default());
        let mut end = first + count;
        let ends_here = !matches!(bytes.get(end), Some(b'.' | b'e' | b'E' | b'+' | b'-'));
        // At most 18 digits cannot overflow; a leading zero is only `0` itself (JSON forbids
        // `01`, and `-0` is a float to serde_json).
        if ends_here
            && (1..=18).contains(&count)
            && (bytes[first] != b'0' || (count == 1 && !negative))
        {
            self.pos = end;
            return if negative {
                // n < 10^18 < i64::MAX
                #[allow(clippy::cast_possible_wrap)]
                visitor.visit_i64(-(n as i64))
            } else {
                visitor.visit_u64(n)
            };
        }
        while end < bytes.len()
            && matches!(bytes[end], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        {
            end += 1;
        }
        self.pos = end;
        let token = &bytes[start..end];
        let digits = &token[usize::from(negative)..];
        // `415.981`: JSON's grammar (no leading zero, a digit after the point), and a decimal
        // short enough that serde_json's `m / 10^k` is one exact division, the very result of
        // `short_decimal`.
        if let Some(point) = digits.iter().position(|&d| d == b'.') {
            let (whole, fraction) = (&digits[..point], &digits[point + 1..]);
            let json_grammar =
                !whole.is_empty() && (whole[0] != b'0' || whole.len() == 1) && !fraction.is_empty();
            if json_grammar && let Some(value) = crate::common::parse::short_decimal(token) {
                return visitor.visit_f64(value);
            }
        }
        let mut json = serde_json::Deserializer::from_str(&self.text[start..end]);
        let value = json.deserialize_any(visitor).map_err(|_| Declined)?;
        json.end().map_err(|_| Declined)?;
        Ok(value)
    }

    /// After a visited array: its `]` must come next (serde_json's `end_seq`).
    #[inline(always)]
    fn end_seq(&mut self) -> Result<(), Declined> {
        self.skip_spaces();
        self.expect(b']')
    }

    #[inline(always)]
    fn end_map(&mut self) -> Result<(), Declined> {
        self.skip_spaces();
        self.expect(b'}')
    }
}

impl<'de> Deserializer<'de> for &mut CompactDeserializer<'de> {
    type Error = Declined;

    #[inline(always)]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.peek_value()? {
            b'"' => visitor.visit_borrowed_str(self.string()?),
            b'n' => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            b't' => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            b'-' | b'0'..=b'9' => self.number(visitor),
            b'[' => self.deserialize_seq(visitor),
            b'{' => self.deserialize_map(visitor),
            _ => Err(Declined),
        }
    }

    #[inline(always)]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        if self.peek_value()? == b'n' {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    #[inline(always)]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        if self.peek_value()? == b'"' {
            visitor.visit_borrowed_str(self.string()?)
        } else {
            Err(Declined)
        }
    }

    #[inline(always)]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    #[inline(always)]
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.peek_value()? {
            b't' | b'f' => self.deserialize_any(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        if self.peek_value()? == b'n' {
            self.deserialize_any(visitor)
        } else {
            Err(Declined)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_unit(visitor)
    }

    #[inline(always)]
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        // serde_json's `RawValue` and friends are private protocols of serde_json.
        if name.starts_with("$serde_json") {
            return Err(Declined);
        }
        // A lenient float (`de_opt_f64`): most are quoted decimals (`"0.0478858048818649"`),
        // read here in one pass instead of found as a string and then read again. The visitor
        // takes the number exactly as it takes the string; anything else goes the usual way.
        if name == crate::common::parse::LENIENT_F64
            && self.peek_value()? == b'"'
            && let Some(quoted) = self.text.as_bytes().get(self.pos + 1..)
            && let Some((value, len)) = crate::common::parse::short_decimal_prefix(quoted)
            && quoted.get(len) == Some(&b'"')
        {
            self.pos += len + 2;
            return visitor.visit_f64(value);
        }
        visitor.visit_newtype_struct(self)
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        if self.peek_value()? != b'[' {
            return Err(Declined);
        }
        self.pos += 1;
        self.depth += 1;
        let value = visitor.visit_seq(Elements {
            de: self,
            first: true,
        })?;
        self.depth -= 1;
        self.end_seq()?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_seq(visitor)
    }

    #[inline]
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        if self.peek_value()? != b'{' {
            return Err(Declined);
        }
        self.pos += 1;
        self.depth += 1;
        let value = visitor.visit_map(Entries {
            de: self,
            first: true,
        })?;
        self.depth -= 1;
        self.end_map()?;
        Ok(value)
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        // serde_json also takes a struct from an array; UW never sends one, so that is declined.
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        // A unit variant named by a string, as serde_json reads it; other forms are declined.
        if self.peek_value()? != b'"' {
            return Err(Declined);
        }
        let name = self.string()?;
        visitor.visit_enum(de::value::BorrowedStrDeserializer::<Declined>::new(name))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        // Checked like any value (serde_json rejects a malformed value it ignores, too).
        self.deserialize_any(de::IgnoredAny)?;
        visitor.visit_unit()
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_number(visitor)
    }

    // Byte strings and 128-bit numbers take serde_json's own, different paths; no record uses them.
    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Declined> {
        Err(Declined)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Declined> {
        Err(Declined)
    }
    fn deserialize_i128<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Declined> {
        Err(Declined)
    }
    fn deserialize_u128<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Declined> {
        Err(Declined)
    }

    fn is_human_readable(&self) -> bool {
        true
    }
}

impl<'de> CompactDeserializer<'de> {
    /// serde_json's typed numbers: a number token, never a string.
    #[inline(always)]
    fn deserialize_number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Declined> {
        match self.peek_value()? {
            b'-' | b'0'..=b'9' => self.number(visitor),
            _ => Err(Declined),
        }
    }
}

/// An array's elements (serde_json's `SeqAccess`): `]` ends it, a comma separates elements.
struct Elements<'a, 'de> {
    de: &'a mut CompactDeserializer<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Declined;

    #[inline(always)]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Declined> {
        // As for an object's entries: the separator first, spaces only when it is not there.
        let first = std::mem::take(&mut self.first);
        if first || self.de.peek() != Some(b',') {
            if self.de.peek_value()? == b']' {
                return Ok(None);
            }
            if !first {
                self.de.expect(b',')?;
            }
        } else {
            self.de.pos += 1;
        }
        // `[1,]`: the `]` reaches a value's decoder, which declines it.
        seed.deserialize(&mut *self.de).map(Some)
    }
}

/// An object's entries (serde_json's `MapAccess`); keys are strings.
struct Entries<'a, 'de> {
    de: &'a mut CompactDeserializer<'de>,
    first: bool,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Declined;

    #[inline(always)]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Declined> {
        // UW's frames have no whitespace: the byte that must come next is tested first, and
        // spaces are looked for only when it is not there (an entry then costs two byte tests
        // before its key instead of five).
        let first = std::mem::take(&mut self.first);
        if self.de.peek() == Some(if first { b'"' } else { b',' }) {
            self.de.pos += usize::from(!first);
        } else {
            if self.de.peek_value()? == b'}' {
                return Ok(None);
            }
            if !first {
                self.de.expect(b',')?;
            }
        }
        if self.de.peek() != Some(b'"') && self.de.peek_value()? != b'"' {
            return Err(Declined);
        }
        let key = self.de.string()?;
        if self.de.depth == PAYLOAD_DEPTH {
            match key {
                "status" => self.de.reply_keys |= 0b01,
                "response" => self.de.reply_keys |= 0b10,
                _ => {}
            }
        }
        // serde_json reads a key as a borrowed string too (its `MapKey` visits strings alike).
        seed.deserialize(de::value::BorrowedStrDeserializer::<Declined>::new(key))
            .map(Some)
    }

    #[inline(always)]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        if self.de.peek() != Some(b':') {
            self.de.skip_spaces();
        }
        self.de.expect(b':')?;
        seed.deserialize(&mut *self.de)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;

    fn both<T: for<'de> Deserialize<'de> + PartialEq + fmt::Debug>(text: &str) -> Option<T> {
        let fast = from_compact_str::<T>(text, None).ok()?;
        let json = serde_json::from_str::<T>(text).expect("accepted by the compact path");
        assert_eq!(fast, json, "{text}");
        Some(fast)
    }

    // A decoder that builds its record anywhere but in the slot it was handed is declined:
    // the slot it did not write is never taken for a record.
    #[test]
    fn a_record_built_outside_its_slot_is_declined() {
        let mut out: Vec<u64> = vec![1];
        let declined = push_frame_in_order(r#"["c",{"k":7}]"#, &mut out, |entries, _slot| {
            let value = u64::deserialize(entries.first(b"\"k\"")?)?;
            Ok(Box::leak(Box::new(value)))
        });
        assert_eq!(declined, Err(Declined));
        assert_eq!(out, vec![1]);
        let taken = push_frame_in_order(r#"["c",{"k":7}]"#, &mut out, |entries, slot| {
            Ok(slot.write(u64::deserialize(entries.first(b"\"k\"")?)?))
        });
        assert_eq!(taken, Ok(()));
        assert_eq!(out, vec![1, 7]);
        // Left over after the record: declined, and the vector as it was.
        let trailing = push_frame_in_order(r#"["c",{"k":7,"x":1}]"#, &mut out, |entries, slot| {
            Ok(slot.write(u64::deserialize(entries.first(b"\"k\"")?)?))
        });
        assert_eq!(trailing, Err(Declined));
        assert_eq!(out, vec![1, 7]);
    }

    #[test]
    fn reads_what_serde_json_reads() {
        assert_eq!(both::<u64>("12"), Some(12));
        assert_eq!(both::<i64>("-12"), Some(-12));
        assert_eq!(both::<f64>("0.1"), Some(0.1));
        assert_eq!(both::<f64>("-0"), Some(-0.0));
        assert_eq!(
            both::<Vec<String>>(r#"["a", "b"]"#),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(both::<Option<bool>>("null"), Some(None));
        // Spaces between any two tokens, where the lexer tests for the separator first.
        assert_eq!(
            both::<serde_json::Value>(r#" { "a" : [ 1 , [ ] , { } ] , "b" : { "c" : null } } "#),
            serde_json::from_str(r#"{"a":[1,[],{}],"b":{"c":null}}"#).ok()
        );
        assert_eq!(both::<Vec<u8>>("[ ]"), Some(vec![]));
        assert_eq!(
            both::<serde_json::Value>(r#"{"a":[1,2.5,{"b":null}],"c":true}"#),
            serde_json::from_str(r#"{"a":[1,2.5,{"b":null}],"c":true}"#).ok()
        );
    }

    #[test]
    fn declines_what_it_cannot_vouch_for() {
        for text in [
            r#""a\"b""#,
            "\"a\tb\"",
            "01",
            "1.",
            "+1",
            "[1,]",
            "[1 2]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            "nul",
            "truee",
            "",
            "[",
        ] {
            assert_eq!(
                from_compact_str::<serde_json::Value>(text, None),
                Err(Declined),
                "{text:?}"
            );
        }
    }

    /// A frame's record alone, or why it was declined.
    fn record_of<'de, R: Deserialize<'de>>(text: &'de str) -> Result<R, Declined> {
        let mut records = Vec::with_capacity(1);
        push_compact_frame(text, &mut records)?;
        records.pop().ok_or(Declined)
    }

    #[test]
    fn a_frame_that_may_be_a_reply_is_declined() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Anything {}
        for frame in [
            r#"["option_trades",{"response":{},"status":"ok"}]"#,
            r#"["option_trades",{"status":"error","x":1,"response":{"reason":"no"}}]"#,
        ] {
            assert_eq!(record_of::<Anything>(frame), Err(Declined), "{frame}");
        }
        // One of the two keys, or both deeper down, is data.
        for frame in [
            r#"["option_trades",{"status":"ok"}]"#,
            r#"["option_trades",{"a":{"response":{},"status":"ok"}}]"#,
        ] {
            assert_eq!(record_of::<Anything>(frame), Ok(Anything {}), "{frame}");
        }
        assert_eq!(record_of::<Anything>(r#"["x",{}] ]"#), Err(Declined));
    }

    /// A frame is appended whole or not at all: whatever declines it after its record decoded
    /// (a reply's keys, a third element, text after the envelope) leaves the vector as it was.
    #[test]
    fn a_pushed_frame_is_appended_or_left_out_whole() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Print {
            size: u64,
        }
        let mut records = vec![Print { size: 1 }];
        for frame in [
            r#"["option_trades",{"size":2,"response":{},"status":"ok"}]"#,
            r#"["option_trades",{"size":2},3]"#,
            r#"["option_trades",{"size":2}] ]"#,
            r#"["option_trades",{"size":2}]x"#,
            r#"["option_trades"]"#,
            r#"["option_trades",{"size":"a\"b"}]"#,
        ] {
            assert_eq!(
                push_compact_frame(frame, &mut records),
                Err(Declined),
                "{frame}"
            );
            assert_eq!(records, [Print { size: 1 }], "{frame}");
        }
        assert_eq!(
            push_compact_frame(r#"["option_trades", {"size": 2}]"#, &mut records),
            Ok(())
        );
        assert_eq!(records, [Print { size: 1 }, Print { size: 2 }]);
    }

    #[test]
    fn an_envelope_suffix_is_required_once() {
        assert_eq!(from_compact_str::<u64>("1 ]", Some(b']')), Ok(1));
        assert_eq!(from_compact_str::<u64>("1", Some(b']')), Err(Declined));
        assert_eq!(from_compact_str::<u64>("1]]", Some(b']')), Err(Declined));
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            "[ -~]{0,12}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        // Round trip: any value serde_json writes, the compact path reads back as serde_json
        // reads it (not always the value written: serde_json's float reading is not exact without
        // its `float_roundtrip` feature), or declines it (an escaped quote).
        #[test]
        fn agrees_with_serde_json_on_written_values(value in json_value()) {
            let text = serde_json::to_string(&value).unwrap();
            if let Ok(fast) = from_compact_str::<serde_json::Value>(&text, None) {
                prop_assert_eq!(Some(fast), serde_json::from_str::<serde_json::Value>(&text).ok());
            }
        }

        // The same values with spaces between tokens (JSON allows them; UW sends none): read
        // alike, never declined for the spaces.
        #[test]
        fn spaces_between_tokens_change_nothing(
            value in json_value(),
            spaces in prop::collection::vec(0..3usize, 64),
        ) {
            let text = serde_json::to_string(&value).unwrap();
            let mut spaced = String::new();
            let (mut in_string, mut escaped, mut at) = (false, false, 0);
            for c in text.chars() {
                let structural = !in_string && matches!(c, '{' | '}' | '[' | ']' | ',' | ':');
                if structural {
                    spaced.push_str(&" ".repeat(spaces[at % spaces.len()]));
                    at += 1;
                }
                spaced.push(c);
                if structural {
                    spaced.push_str(&" ".repeat(spaces[at % spaces.len()]));
                    at += 1;
                }
                if c == '"' && !(in_string && escaped) {
                    in_string = !in_string;
                }
                escaped = in_string && !escaped && c == '\\';
            }
            let compact = from_compact_str::<serde_json::Value>(&text, None);
            prop_assert_eq!(from_compact_str::<serde_json::Value>(&spaced, None), compact, "{}", spaced);
        }

        // Garbage: whatever text it accepts, serde_json accepts with the same value.
        // Escapes and control characters anywhere in a key or a value, at every offset within
        // and across the sixteen-byte blocks and eight-byte words the string scan reads:
        // declined, never misread.
        #[test]
        fn strings_with_an_escape_or_a_control_character_are_declined(
            key in "[a-z\\\\\\x00-\\x1f\u{e9}]{0,40}",
            value in "[a-z0-9.\\\\\\x00-\\x1f\u{e9}]{0,40}",
            pad in "[a-z]{0,17}",
        ) {
            let text = format!(r#"{{"{pad}":1,"{key}":"{value}","z":[]}}"#);
            let special = |s: &str| s.bytes().any(|b| b == b'\\' || b < 0x20);
            let compact = from_compact_str::<serde_json::Value>(&text, None);
            if special(&key) || special(&value) {
                prop_assert_eq!(compact, Err(Declined), "{:?}", text);
            } else {
                prop_assert_eq!(compact.ok(), serde_json::from_str::<serde_json::Value>(&text).ok());
            }
        }

        #[test]
        fn accepts_only_what_serde_json_accepts(text in "[ -~\\x00-\\x1f]{0,40}") {
            if let Ok(fast) = from_compact_str::<serde_json::Value>(&text, None) {
                prop_assert_eq!(Some(fast), serde_json::from_str::<serde_json::Value>(&text).ok());
            }
        }

        #[test]
        fn numbers_read_as_serde_json_reads_them(
            text in "-?[0-9]{1,22}(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?|-?[0-9]{0,6}\\.?[0-9]{0,14}"
        ) {
            let fast = from_compact_str::<serde_json::Value>(&text, None).ok();
            let json = serde_json::from_str::<serde_json::Value>(&text).ok();
            if fast.is_some() {
                prop_assert_eq!(&fast, &json);
            }
            let fast = from_compact_str::<f64>(&text, None).ok();
            if fast.is_some() {
                prop_assert_eq!(fast.map(f64::to_bits), serde_json::from_str::<f64>(&text).ok().map(f64::to_bits));
            }
        }

        /// A lenient float in quotes, UW's usual form, is read in one pass when it is a short
        /// decimal: to the same bits as serde_json reads it through the same field decoder, and
        /// never declined (which would be correct but slow). Anything else (exponents, spaces,
        /// trailing letters, too many digits) goes the string's way, or serde_json's.
        #[test]
        fn quoted_decimals_read_as_serde_json_reads_them(
            text in "-?[0-9]{0,22}(\\.[0-9]{0,20})?([eE][-+]?[0-9]{1,3})?| ?-?[0-9.]{0,6}[ a-z]?|-?[0-9.]{1,9}[\\\\\\x00-\\x1f][0-9n\"]{0,3}"
        ) {
            #[derive(Debug, Deserialize)]
            struct Lenient {
                #[serde(default, deserialize_with = "crate::common::parse::de_opt_f64")]
                v: Option<f64>,
            }
            let frame = format!(r#"{{"v":"{text}","w":1}}"#);
            let fast = from_compact_str::<Lenient>(&frame, None).map(|r| r.v.map(f64::to_bits));
            let json = serde_json::from_str::<Lenient>(&frame).map(|r| r.v.map(f64::to_bits));
            if let Ok(fast) = fast {
                prop_assert_eq!(Some(fast), json.ok(), "{}", frame);
            }
            if crate::common::parse::short_decimal(text.as_bytes()).is_some() {
                prop_assert!(fast.is_ok(), "declined {}", frame);
            }
        }
    }
}
