//! Pre-generated frames for load tests: each generated channel's frames are built once, then sent
//! in turn with their times set to the send time, so that the simulator spends a copy per frame
//! instead of a generated market print (`cargo bench -p unusual-whales-nt-sim`) on the cores it shares
//! with the client it measures.
//!
//! A pooled frame's `id` is rewritten as a version 7 UUID of its send time, the millisecond's
//! fraction in the 12 bits after the version (RFC 9562, section 6.2, method 3): unique per send,
//! and the send instant to 244 ns, where UW's epoch-millisecond times, which the frame also
//! carries, only give the millisecond. A benchmark reads a frame's latency from its id
//! ([`uuid7_nanos`]); a client sees an opaque unique id, as UW's are.

use unusual_whales_nt::common::time::NANOS_PER_MILLI;
use unusual_whales_nt::subscription::channel::UwChannel;

use crate::generate::Market;
use crate::text::put_hex;

/// The epoch-millisecond fields a frame's times are in, wherever a channel has them.
const TIME_FIELDS: [&str; 6] = [
    "\"executed_at\":",
    "\"created_at\":",
    "\"start_time\":",
    "\"end_time\":",
    "\"timestamp\":",
    "\"time\":",
];

/// Digits of an epoch-millisecond time from 2001 to 2286: what is restamped in place.
const MS_DIGITS: usize = 13;

/// The record's own id (never `rule_id` and the like: the quote before it is part of the key).
const ID_FIELD: &str = "\"id\":\"";
/// A UUID in canonical text, and where its dashes are.
const UUID_LEN: usize = 36;
const UUID_DASHES: [usize; 4] = [8, 13, 18, 23];
/// Steps of a millisecond a version 7 UUID's 12-bit `rand_a` holds as the clock's fraction.
const UUID7_FRACTION_STEPS: u64 = 4096;

fn is_uuid(text: &[u8]) -> bool {
    text.len() == UUID_LEN
        && text.iter().enumerate().all(|(i, &b)| {
            if UUID_DASHES.contains(&i) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// Rewrites `uuid` (canonical text) as version 7 for `at_ns` since the epoch, keeping its variant
/// and its last 62 random bits.
fn stamp_uuid7(uuid: &mut [u8], at_ns: u64) {
    let ms = at_ns / NANOS_PER_MILLI;
    let fraction = at_ns % NANOS_PER_MILLI * UUID7_FRACTION_STEPS / NANOS_PER_MILLI;
    put_hex(&mut uuid[0..8], ms >> 16);
    put_hex(&mut uuid[9..13], ms & 0xffff);
    uuid[14] = b'7';
    put_hex(&mut uuid[15..18], fraction);
}

/// The instant a version 7 UUID with the millisecond's fraction in `rand_a` (as pooled frames
/// carry) was made, in nanoseconds since the epoch, to within 244 ns; `None` for any other id.
#[must_use]
pub fn uuid7_nanos(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if !is_uuid(b) || b[14] != b'7' {
        return None;
    }
    let hex = |range: std::ops::Range<usize>| u64::from_str_radix(&id[range], 16).ok();
    let ms = hex(0..8)? << 16 | hex(9..13)?;
    let fraction = hex(15..18)?;
    // The fraction was rounded down to a step; the step's middle halves the error.
    Some(ms * NANOS_PER_MILLI + (2 * fraction + 1) * NANOS_PER_MILLI / (2 * UUID7_FRACTION_STEPS))
}

/// `["<channel>",<payload>]`
pub fn frame_text(channel: &str, payload: &str) -> String {
    let mut text = String::with_capacity(payload.len() + channel.len() + 5);
    text.push_str("[\"");
    text.push_str(channel);
    text.push_str("\",");
    text.push_str(payload);
    text.push(']');
    text
}

struct Template {
    text: String,
    /// Where each time's digits start, and how far it was ahead of the generation time.
    stamps: Vec<(usize, u64)>,
    /// Where the record's UUID starts, if it has one.
    id_at: Option<usize>,
}

impl Template {
    fn new(text: String, generated_ms: u64) -> Self {
        let bytes = text.as_bytes();
        let stamps = TIME_FIELDS
            .iter()
            .filter_map(|field| {
                let at = text.find(field)? + field.len();
                let digits = bytes.get(at..at + MS_DIGITS)?;
                let whole = !bytes.get(at + MS_DIGITS).is_some_and(u8::is_ascii_digit);
                if !whole || !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let ms = digits
                    .iter()
                    .fold(0_u64, |acc, d| acc * 10 + u64::from(d - b'0'));
                Some((at, ms.checked_sub(generated_ms)?))
            })
            .collect();
        let id_at = text
            .find(ID_FIELD)
            .map(|at| at + ID_FIELD.len())
            .filter(|&at| bytes.get(at..at + UUID_LEN).is_some_and(is_uuid));
        Self {
            text,
            stamps,
            id_at,
        }
    }

    fn stamped(&self, now_ns: u64) -> Option<String> {
        let now_ms = now_ns / NANOS_PER_MILLI;
        let mut bytes = self.text.clone().into_bytes();
        if let Some(at) = self.id_at {
            stamp_uuid7(&mut bytes[at..at + UUID_LEN], now_ns);
        }
        for &(at, ahead) in &self.stamps {
            let mut ms = now_ms + ahead;
            for slot in bytes[at..at + MS_DIGITS].iter_mut().rev() {
                *slot = b'0' + u8::try_from(ms % 10).ok()?;
                ms /= 10;
            }
            if ms != 0 {
                return None;
            }
        }
        String::from_utf8(bytes).ok()
    }
}

/// One channel's frames, sent in turn.
pub struct FramePool {
    templates: Vec<Template>,
    next: usize,
}

impl FramePool {
    /// `size` frames of `channel` generated from `market` at `now_ms`.
    pub fn generate(
        market: &mut Market,
        channel: &UwChannel,
        name: &str,
        size: usize,
        now_ms: u64,
    ) -> Self {
        let templates = (0..size.max(1))
            .map(|_| {
                let (payload, _) = market.payload(channel, now_ms);
                Template::new(frame_text(name, &payload), now_ms)
            })
            .collect();
        Self { templates, next: 0 }
    }

    /// The next frame, its times moved to `now_ns`'s millisecond and its id to a version 7 UUID
    /// of `now_ns` (`None` only past the year 2286).
    pub fn next_frame(&mut self, now_ns: u64) -> Option<String> {
        let template = &self.templates[self.next];
        self.next = (self.next + 1) % self.templates.len();
        template.stamped(now_ns)
    }
}

#[cfg(test)]
mod tests {
    use unusual_whales_nt::common::symbol::InstrumentIdFormat;
    use unusual_whales_nt::data::UwPayload;
    use unusual_whales_nt::websocket::{UwWsMessage, parse_frame};

    use super::*;

    const T0: u64 = 1_747_419_592_926;

    fn print_times(frame: &str) -> (u64, Option<u64>) {
        let ids = InstrumentIdFormat::new("SMART", false);
        match parse_frame(frame.as_bytes(), 1, &ids) {
            Ok(UwWsMessage::Data {
                payload: UwPayload::OptionTrade(v),
                ..
            }) => (v[0].executed_at, v[0].created_at),
            other => panic!("not an option print: {other:?}"),
        }
    }

    #[test]
    fn pooled_prints_are_sent_in_turn_at_the_send_time() {
        let mut market = Market::new(7, &["SPY".to_owned()]);
        let channel = UwChannel::parse("option_trades").unwrap();
        let mut pool = FramePool::generate(&mut market, &channel, "option_trades", 3, T0);
        let later = T0 + 86_400_000;
        // Inside the millisecond, as a send is.
        let sent = later * 1_000_000 + 654_321;
        let frames: Vec<String> = (0..4).map(|_| pool.next_frame(sent).unwrap()).collect();
        assert_eq!(frames[3], frames[0], "the pool starts over");
        assert_ne!(frames[1], frames[0]);
        for f in &frames {
            let (executed, created) = print_times(f);
            assert_eq!(executed, later * 1_000_000, "{f}");
            assert!(created.unwrap() > executed, "UW's ingest delay kept: {f}");
        }
    }

    fn print_id(frame: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(frame).unwrap();
        v[1]["id"].as_str().unwrap().to_owned()
    }

    #[test]
    fn a_pooled_frame_carries_its_send_instant_in_its_id() {
        let mut market = Market::new(7, &["SPY".to_owned()]);
        let channel = UwChannel::parse("option_trades").unwrap();
        let mut pool = FramePool::generate(&mut market, &channel, "option_trades", 2, T0);
        let first = T0 * 1_000_000 + 999_999;
        let sends = [first, first + 1, first + 1_000_000, first + 61_000];
        let ids: Vec<String> = sends
            .iter()
            .map(|&at| print_id(&pool.next_frame(at).unwrap()))
            .collect();
        for (id, &at) in ids.iter().zip(&sends) {
            let read = uuid7_nanos(id).unwrap_or_else(|| panic!("not a version 7 UUID: {id}"));
            assert!(read.abs_diff(at) <= 123, "{id}: {read} for {at}");
            assert_eq!(&id[14..15], "7", "{id}");
            assert!(
                matches!(&id[19..20], "8" | "9" | "a" | "b"),
                "RFC 9562 variant: {id}"
            );
        }
        // The first template again, a millisecond later.
        assert_ne!(ids[0], ids[2]);
        assert_eq!(
            ids[0][19..],
            ids[2][19..],
            "the random bits are the template's"
        );
        let unique: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
    }

    proptest::proptest! {
        #[test]
        fn any_send_instant_reads_back_from_the_id_it_stamps(
            // 2001 to 2286, the times a frame's 13 digits hold.
            at in 1_000_000_000_000_000_000_u64..9_999_999_999_999_999_999,
            random in proptest::prelude::any::<u128>(),
        ) {
            let hex = format!("{random:032x}");
            let mut id = format!(
                "{}-{}-4{}-{}-{}",
                &hex[0..8],
                &hex[8..12],
                &hex[13..16],
                &hex[16..20],
                &hex[20..32]
            )
            .into_bytes();
            stamp_uuid7(&mut id, at);
            let id = String::from_utf8(id).unwrap();
            proptest::prop_assert!(is_uuid(id.as_bytes()), "{}", id);
            let read = uuid7_nanos(&id).unwrap();
            proptest::prop_assert!(read.abs_diff(at) <= 123, "{} read {} for {}", id, read, at);
            proptest::prop_assert_eq!(read / 1_000_000, at / 1_000_000);
        }
    }

    #[test]
    fn only_version_7_uuids_are_read_as_send_instants() {
        assert_eq!(uuid7_nanos("6be96098-1e54-4397-9166-46bf4a7636a3"), None);
        assert_eq!(uuid7_nanos("not-a-uuid"), None);
        assert_eq!(uuid7_nanos("0196dab1-5a1e-7fff-9166-46bf4a7636a"), None);
        assert_eq!(uuid7_nanos("0196dab1-5a1e-7fzf-9166-46bf4a7636a3"), None);
        let ms = 0x0196_dab1_5a1e;
        assert_eq!(
            uuid7_nanos("0196dab1-5a1e-7fff-9166-46bf4a7636a3"),
            Some(ms * 1_000_000 + 4095 * 1_000_000 / 4096 + 122)
        );
    }

    #[test]
    fn only_whole_millisecond_times_are_restamped() {
        let t = Template::new(
            format!(
                r#"["x",{{"time":{T0},"timestamp":"2025-05-16","start_time":{T0}5,"end_time":{}}}]"#,
                T0 + 9
            ),
            T0,
        );
        assert_eq!(
            t.stamped((T0 + 1) * 1_000_000).unwrap(),
            format!(
                r#"["x",{{"time":{},"timestamp":"2025-05-16","start_time":{T0}5,"end_time":{}}}]"#,
                T0 + 1,
                T0 + 10
            )
        );
    }
}
