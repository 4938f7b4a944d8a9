//! The first entry of a zip archive, inflated as the archive's bytes arrive.
//!
//! UW's full tape is a zip holding one CSV of 5-6 GB (docs/uw-api.md#rest-full-tape): the archive is
//! read front to back from its local header, never from the central directory at its end, so that
//! nothing waits for the whole download and nothing of it is kept but the inflater's window.

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZFlush, MZStatus};

use crate::common::error::{UwParseError, preview};

/// A local file header's fixed part (APPNOTE 4.3.7).
const LOCAL_HEADER_LEN: usize = 30;
const LOCAL_HEADER_SIGNATURE: [u8; 4] = *b"PK\x03\x04";
/// Inflated bytes handed on per call of the sink.
const OUT_CHUNK: usize = 64 * 1024;

enum State {
    /// Collecting the local header (its fixed part, then the name and extra field).
    Header,
    /// Inflating a deflated entry, which ends itself.
    Deflated(Box<InflateState>),
    /// Copying a stored entry of this many bytes more.
    Stored(u64),
    /// The entry is complete; whatever follows (central directory) is ignored.
    Done,
}

/// Streams the first entry of a zip archive out of its bytes, in any chunking.
pub(super) struct ZipEntryStream {
    state: State,
    header: Vec<u8>,
    out: Vec<u8>,
    /// The entry's file name, once its header is read.
    name: Option<String>,
}

fn shape(message: String) -> UwParseError {
    UwParseError::UnexpectedShape(format!("full_tape: {message}"))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The compressed size in a zip64 extra field (header id 1), for a header whose 32-bit sizes
/// are `0xFFFFFFFF` (APPNOTE 4.5.3: the uncompressed size comes first).
fn zip64_compressed_size(mut extra: &[u8]) -> Option<u64> {
    while extra.len() >= 4 {
        let (id, len) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
        let body = extra.get(4..4 + len)?;
        if id == 1 && body.len() >= 16 {
            return Some(u64::from_le_bytes(body[8..16].try_into().ok()?));
        }
        extra = &extra[4 + len..];
    }
    None
}

impl ZipEntryStream {
    pub(super) fn new() -> Self {
        Self {
            state: State::Header,
            header: Vec::with_capacity(LOCAL_HEADER_LEN),
            out: vec![0; OUT_CHUNK],
            name: None,
        }
    }

    /// The entry's file name, once its header has arrived.
    pub(super) fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Bytes held between calls besides the inflater's fixed window: a partial header.
    pub(super) fn buffered_bytes(&self) -> usize {
        self.header.len()
    }

    /// Feeds the next bytes of the archive; `sink` receives the entry's bytes as they come out.
    pub(super) fn push(
        &mut self,
        mut input: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), UwParseError>,
    ) -> Result<(), UwParseError> {
        while !input.is_empty() {
            match &mut self.state {
                State::Header => input = self.read_header(input)?,
                State::Stored(left) => {
                    let n = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    sink(&input[..n])?;
                    *left -= n as u64;
                    input = &input[n..];
                    if *left == 0 {
                        self.state = State::Done;
                    }
                }
                State::Deflated(inflater) => {
                    let r = inflate(inflater, input, &mut self.out, MZFlush::None);
                    input = &input[r.bytes_consumed..];
                    if r.bytes_written > 0 {
                        sink(&self.out[..r.bytes_written])?;
                    }
                    match r.status {
                        Ok(MZStatus::StreamEnd) => self.state = State::Done,
                        Ok(_) => {}
                        Err(e) => {
                            return Err(shape(format!("the zip's data is corrupt ({e:?})")));
                        }
                    }
                }
                State::Done => return Ok(()),
            }
        }
        // Inflated bytes still in the inflater once the input ran out.
        if let State::Deflated(inflater) = &mut self.state {
            loop {
                let r = inflate(inflater, &[], &mut self.out, MZFlush::None);
                if r.bytes_written > 0 {
                    sink(&self.out[..r.bytes_written])?;
                }
                match r.status {
                    Ok(MZStatus::StreamEnd) => {
                        self.state = State::Done;
                        break;
                    }
                    _ if r.bytes_written < self.out.len() => break,
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Errors unless the entry arrived whole.
    pub(super) fn finish(&self) -> Result<(), UwParseError> {
        match self.state {
            State::Done => Ok(()),
            State::Header if self.header.is_empty() => Err(shape("the body is empty".to_owned())),
            _ => Err(shape(
                "the zip ended before its entry did (a download cut short)".to_owned(),
            )),
        }
    }

    /// Collects the header from `input`; returns what follows it.
    fn read_header<'a>(&mut self, input: &'a [u8]) -> Result<&'a [u8], UwParseError> {
        let want = |h: &[u8]| {
            if h.len() < LOCAL_HEADER_LEN {
                LOCAL_HEADER_LEN
            } else {
                LOCAL_HEADER_LEN + usize::from(u16_at(h, 26)) + usize::from(u16_at(h, 28))
            }
        };
        let mut input = input;
        while self.header.len() < want(&self.header) && !input.is_empty() {
            let n = (want(&self.header) - self.header.len()).min(input.len());
            self.header.extend_from_slice(&input[..n]);
            input = &input[n..];
            if self.header.len() >= 4 && self.header[..4] != LOCAL_HEADER_SIGNATURE {
                // A 200 that is not a zip carries UW's error text (docs/uw-api.md#rest-full-tape).
                let mut text = self.header.clone();
                text.extend_from_slice(&input[..input.len().min(200)]);
                return Err(shape(format!(
                    "the body is not a zip: {}",
                    preview(&String::from_utf8_lossy(&text))
                )));
            }
        }
        if self.header.len() < want(&self.header) {
            return Ok(input);
        }
        let h = &self.header;
        let (flags, method) = (u16_at(h, 6), u16_at(h, 8));
        let name_end = LOCAL_HEADER_LEN + usize::from(u16_at(h, 26));
        self.name = Some(String::from_utf8_lossy(&h[LOCAL_HEADER_LEN..name_end]).into_owned());
        if flags & 1 != 0 {
            return Err(shape("the zip is encrypted".to_owned()));
        }
        self.state = match method {
            8 => State::Deflated(InflateState::new_boxed(DataFormat::Raw)),
            0 if flags & 8 != 0 => {
                return Err(shape(
                    "a stored entry of unknown size (data descriptor) cannot be streamed"
                        .to_owned(),
                ));
            }
            0 => {
                let size = match u32_at(h, 18) {
                    u32::MAX => zip64_compressed_size(&h[name_end..])
                        .ok_or_else(|| shape("zip64 sizes are missing".to_owned()))?,
                    size => u64::from(size),
                };
                if size == 0 {
                    State::Done
                } else {
                    State::Stored(size)
                }
            }
            other => {
                return Err(shape(format!(
                    "compression method {other} is not supported"
                )));
            }
        };
        self.header = Vec::new();
        Ok(input)
    }
}
