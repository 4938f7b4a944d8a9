//! Pre-generated frames for load tests: each generated channel's frames are built once, then sent
//! in turn with their times set to the send time, so that the simulator spends a copy per frame
//! instead of a generated market print (`cargo bench -p unusual-whales-nt-sim`) on the cores it shares
//! with the client it measures.

use unusual_whales_nt::subscription::channel::UwChannel;

use crate::generate::Market;

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
        Self { text, stamps }
    }

    fn stamped(&self, now_ms: u64) -> Option<String> {
        let mut bytes = self.text.clone().into_bytes();
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

    /// The next frame, its times moved to `now_ms` (`None` only past the year 2286).
    pub fn next_frame(&mut self, now_ms: u64) -> Option<String> {
        let template = &self.templates[self.next];
        self.next = (self.next + 1) % self.templates.len();
        template.stamped(now_ms)
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
        let frames: Vec<String> = (0..4).map(|_| pool.next_frame(later).unwrap()).collect();
        assert_eq!(frames[3], frames[0], "the pool starts over");
        assert_ne!(frames[1], frames[0]);
        for f in &frames {
            let (executed, created) = print_times(f);
            assert_eq!(executed, later * 1_000_000, "{f}");
            assert!(created.unwrap() > executed, "UW's ingest delay kept: {f}");
        }
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
            t.stamped(T0 + 1).unwrap(),
            format!(
                r#"["x",{{"time":{},"timestamp":"2025-05-16","start_time":{T0}5,"end_time":{}}}]"#,
                T0 + 1,
                T0 + 10
            )
        );
    }
}
