//! The full tape's CSV, row by row, into option prints: the header row names the columns, each
//! row goes through the same lenient field decoders as UW's JSON prints.

use csv_core::{ReadRecordResult, Reader};
use serde::de::value::{Error as DeError, MapDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};

use crate::common::error::{UwParseError, clip};
use crate::common::symbol::InstrumentIdFormat;
use crate::data::OptionTrade;
use crate::data::record::finish_record;

/// A row longer than this is not UW's tape (its rows are under 1 KiB).
const MAX_ROW_BYTES: usize = 1 << 20;

/// One CSV cell as a serde value: empty is null, anything else a string for the record's lenient
/// decoders (numbers, `t`/`f`, timestamps). Postgres arrays (`{ask_side,bullish}`) lose their
/// braces and read as the comma lists UW's REST sends.
struct Cell<'a>(&'a str);

impl<'de> de::Deserializer<'de> for Cell<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let text = self
            .0
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(self.0);
        if text.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_borrowed_str(text)
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, DeError> for Cell<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Splits CSV bytes into rows and decodes each into an [`OptionTrade`].
pub(super) struct TapeRows {
    reader: Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    out_len: usize,
    ends_len: usize,
    columns: Option<Vec<String>>,
    /// Data rows decoded so far.
    pub(super) rows: u64,
}

impl TapeRows {
    pub(super) fn new() -> Self {
        Self {
            reader: Reader::new(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            out_len: 0,
            ends_len: 0,
            columns: None,
            rows: 0,
        }
    }

    /// Bytes of a partial row held until the rest of it arrives.
    pub(super) fn buffered_bytes(&self) -> usize {
        self.out_len
    }

    /// Feeds CSV bytes (empty: the end of the file); complete rows go to `emit`.
    pub(super) fn push(
        &mut self,
        mut input: &[u8],
        ts_init: u64,
        ids: &InstrumentIdFormat,
        emit: &mut dyn FnMut(OptionTrade),
    ) -> Result<(), UwParseError> {
        let at_end = input.is_empty();
        loop {
            let (result, n_in, n_out, n_ends) = self.reader.read_record(
                input,
                &mut self.out[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            input = &input[n_in..];
            self.out_len += n_out;
            self.ends_len += n_ends;
            match result {
                ReadRecordResult::InputEmpty if !at_end => return Ok(()),
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull if self.out.len() >= MAX_ROW_BYTES => {
                    return Err(UwParseError::UnexpectedShape(format!(
                        "full_tape: row {} is longer than {MAX_ROW_BYTES} bytes",
                        self.rows + 1
                    )));
                }
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    let record = self.take_row(ts_init, ids)?;
                    if let Some(r) = record {
                        emit(r);
                    }
                }
                ReadRecordResult::End => return Ok(()),
            }
        }
    }

    /// The row just read: the header (kept, `None`) or a print.
    fn take_row(
        &mut self,
        ts_init: u64,
        ids: &InstrumentIdFormat,
    ) -> Result<Option<OptionTrade>, UwParseError> {
        let (out, ends) = (&self.out[..self.out_len], &self.ends[..self.ends_len]);
        let (out_len, ends_len) = (self.out_len, self.ends_len);
        self.out_len = 0;
        self.ends_len = 0;
        let text = std::str::from_utf8(out).map_err(|e| {
            UwParseError::UnexpectedShape(format!(
                "full_tape: row {} is not UTF-8: {e}",
                self.rows + 1
            ))
        })?;
        let cells = ends.iter().scan(0, |start, &end| {
            let cell = &text[*start..end];
            *start = end;
            Some(cell)
        });
        let Some(columns) = &self.columns else {
            self.columns = Some(cells.map(|c| c.trim().to_owned()).collect());
            return Ok(None);
        };
        // A blank line (csv_core reports one empty field) is no row.
        if ends_len == 1 && out_len == 0 {
            return Ok(None);
        }
        self.rows += 1;
        let row = self.rows;
        let map = MapDeserializer::new(columns.iter().map(String::as_str).zip(cells.map(Cell)));
        let mut record: OptionTrade =
            serde_path_to_error::deserialize(map).map_err(|e| UwParseError::InvalidField {
                context: "full_tape".to_owned(),
                field: format!("row {row}.{}", e.path()),
                message: clip(&e.inner().to_string()).into_owned(),
            })?;
        finish_record(&mut record, "full_tape", ts_init, ids).map_err(|e| match e {
            UwParseError::InvalidField {
                context,
                field,
                message,
            } => UwParseError::InvalidField {
                context,
                field: format!("row {row}.{field}"),
                message,
            },
            other => other,
        })?;
        Ok(Some(record))
    }
}
