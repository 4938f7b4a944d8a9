//! UW's full tape of a day (`/api/option-trades/full-tape/{date}`, docs/uw-api.md#rest-full-tape):
//! a zip of one 5-6 GB CSV, decoded while it downloads into batches of [`OptionTrade`]s.
//!
//! Memory stays bounded whatever the tape's size: the zip is inflated from its local header on
//! (`zip`), the CSV is split into rows as bytes come out (`rows`), and rows leave in batches of a
//! size the caller chooses. Between chunks the decoder keeps a partial header, a partial row and
//! the batch being filled, nothing else of the body.

mod rows;
mod zip;

use tokio::sync::mpsc;

use crate::common::error::UwParseError;
use crate::common::symbol::InstrumentIdFormat;
use crate::common::time::now_nanos;
use crate::data::OptionTrade;
use crate::http::client::{UwHttpClient, UwHttpError};
use crate::http::endpoint::UwEndpoint;
use crate::http::request::UwRequest;
use rows::TapeRows;
use zip::ZipEntryStream;

/// Decodes a full-tape download chunk by chunk.
pub struct TapeDecoder {
    zip: ZipEntryStream,
    rows: TapeRows,
    batch: Vec<OptionTrade>,
    batch_size: usize,
    ids: InstrumentIdFormat,
    peak_buffered: usize,
}

impl TapeDecoder {
    /// A decoder handing out batches of `batch_size` prints (at least one).
    #[must_use]
    pub fn new(batch_size: usize, ids: InstrumentIdFormat) -> Self {
        let batch_size = batch_size.max(1);
        Self {
            zip: ZipEntryStream::new(),
            rows: TapeRows::new(),
            batch: Vec::with_capacity(batch_size.min(1 << 16)),
            batch_size,
            ids,
            peak_buffered: 0,
        }
    }

    /// Feeds the next bytes of the body; returns the batches they completed.
    ///
    /// # Errors
    /// [`UwParseError::UnexpectedShape`] for a body that is not UW's zip, and
    /// [`UwParseError::InvalidField`] naming the row and column of a bad value.
    pub fn push(
        &mut self,
        chunk: &[u8],
        ts_init: u64,
    ) -> Result<Vec<Vec<OptionTrade>>, UwParseError> {
        let Self {
            zip,
            rows,
            batch,
            batch_size,
            ids,
            ..
        } = self;
        let mut full = Vec::new();
        zip.push(chunk, &mut |csv: &[u8]| {
            rows.push(csv, ts_init, ids, &mut |record| {
                batch.push(record);
                if batch.len() >= *batch_size {
                    full.push(std::mem::take(batch));
                }
            })
        })?;
        self.peak_buffered = self.peak_buffered.max(self.buffered_bytes());
        Ok(full)
    }

    /// Ends the body: the last, partial batch (possibly empty).
    ///
    /// # Errors
    /// When the body ended before its zip entry or its last row did.
    pub fn finish(mut self, ts_init: u64) -> Result<Vec<OptionTrade>, UwParseError> {
        self.zip.finish()?;
        let Self {
            rows, batch, ids, ..
        } = &mut self;
        rows.push(&[], ts_init, ids, &mut |record| batch.push(record))?;
        Ok(self.batch)
    }

    /// Body bytes held between chunks (a partial zip header and a partial row); the batch being
    /// filled is counted in records, by the caller's `batch_size`.
    #[must_use]
    pub fn buffered_bytes(&self) -> usize {
        self.zip.buffered_bytes() + self.rows.buffered_bytes()
    }

    /// The largest [`TapeDecoder::buffered_bytes`] after any chunk so far.
    #[must_use]
    pub const fn peak_buffered_bytes(&self) -> usize {
        self.peak_buffered
    }

    /// Prints decoded so far.
    #[must_use]
    pub const fn rows(&self) -> u64 {
        self.rows.rows
    }

    /// The CSV's name inside the zip (`2025-07-25-option_trades.csv`), once its header arrived.
    #[must_use]
    pub fn file_name(&self) -> Option<&str> {
        self.zip.name()
    }
}

/// Decodes a whole full-tape body held in memory (`parse_rest_response`); downloads go through
/// [`stream_full_tape`] instead.
///
/// # Errors
/// As [`TapeDecoder::push`] and [`TapeDecoder::finish`].
pub fn decode_tape(
    body: &[u8],
    ts_init: u64,
    ids: &InstrumentIdFormat,
) -> Result<Vec<OptionTrade>, UwParseError> {
    let mut decoder = TapeDecoder::new(usize::MAX, ids.clone());
    let mut out: Vec<OptionTrade> = decoder.push(body, ts_init)?.into_iter().flatten().collect();
    out.extend(decoder.finish(ts_init)?);
    Ok(out)
}

/// The request for the tape of `date` (`YYYY-MM-DD`).
#[must_use]
pub fn full_tape_request(date: &str) -> UwRequest {
    let mut request = UwRequest::new(UwEndpoint::FullTape);
    request.target.date = Some(date.to_owned());
    request
}

/// Downloads the tape of `request` and sends its prints to `tx` in batches of `batch_size` as the
/// body arrives, then the error that ended it, if any. The bounded channel is the back-pressure:
/// the download waits while the receiver has not taken the last batches; a dropped receiver
/// stops it.
pub async fn stream_full_tape(
    client: &UwHttpClient,
    request: &UwRequest,
    batch_size: usize,
    tx: mpsc::Sender<Result<Vec<OptionTrade>, UwHttpError>>,
) {
    let scrub = |s: &str| client.config().credential.scrub(s);
    let path = scrub(&request.to_string());
    let parse_error = |source: UwParseError| UwHttpError::Parse {
        path: path.clone(),
        source: source.map_text(scrub),
    };
    let mut response = match client.get_stream(request).await {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(Err(e)).await;
            return;
        }
    };
    let mut decoder = TapeDecoder::new(batch_size, client.config().ids.clone());
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                let message = scrub(&format!("the download broke off: {e}"));
                let error = UwHttpError::Transport {
                    path: path.clone(),
                    message,
                    attempts: 1,
                };
                let _ = tx.send(Err(error)).await;
                return;
            }
        };
        match decoder.push(&chunk, now_nanos()) {
            Ok(batches) => {
                for batch in batches {
                    if tx.send(Ok(batch)).await.is_err() {
                        return;
                    }
                }
            }
            Err(e) => {
                let _ = tx.send(Err(parse_error(e))).await;
                return;
            }
        }
    }
    let last = decoder.finish(now_nanos()).map_err(parse_error);
    if !matches!(&last, Ok(batch) if batch.is_empty()) {
        let _ = tx.send(last).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,underlying_symbol,executed_at,nbbo_bid,nbbo_ask,size,price,option_chain_id,alert_score,created_at,report_flags,tags,expiry,option_type,open_interest,strike,premium,aggregated_trade_id,volume,underlying_price,ewma_nbbo_ask,ewma_nbbo_bid,implied_volatility,delta,theta,gamma,vega,rho,theo,upstream_condition_detail,market_center_locate,canceled,trade_id,exchange,ask_vol,bid_vol,no_side_vol,mid_vol,multi_vol,stock_multi_vol";

    /// UW's example print (docs/uw-api.md#rest-option-trades) as a tape row, `n` its id.
    fn row(n: usize) -> String {
        format!(
            "8ef90a2d-{n:04},NVDA,2024-08-21 13:50:52.278302,21.45,21.60,1,21.50,NVDA250117C00124000,0.5,\
             2024-08-21 13:50:53.1,{{}},\"{{bid_side,bearish}}\",2025-01-17,call,6016,124.0000000000,2150.00,,33,\
             128.16,21.60,21.45,0.604347250962543,0.610546281537814,-0.0640155364004474,0.00775013889662635,\
             0.3140468475903719,0.2316546330093438,21.49999999999999,auto,M,f,{n},MXOP,2,1,0,30,30,0\n"
        )
    }

    /// A zip holding `data` stored (method 0) as its one entry.
    fn stored_zip(data: &[u8]) -> Vec<u8> {
        let mut zip = b"PK\x03\x04".to_vec();
        for v in [20u16, 0, 0, 0, 0] {
            zip.extend_from_slice(&v.to_le_bytes());
        }
        let size = u32::try_from(data.len()).unwrap();
        for v in [0, size, size] {
            zip.extend_from_slice(&v.to_le_bytes());
        }
        zip.extend_from_slice(&5u16.to_le_bytes());
        zip.extend_from_slice(&0u16.to_le_bytes());
        zip.extend_from_slice(b"t.csv");
        zip.extend_from_slice(data);
        zip.extend_from_slice(b"PK\x01\x02 and the rest of the directory");
        zip
    }

    fn tape(rows: usize) -> Vec<u8> {
        let mut csv = format!("{HEADER}\n");
        for n in 0..rows {
            csv.push_str(&row(n));
        }
        stored_zip(csv.as_bytes())
    }

    fn ids() -> InstrumentIdFormat {
        InstrumentIdFormat::new("SMART", false)
    }

    #[test]
    fn a_tape_row_is_an_option_print_with_every_column() {
        let prints = decode_tape(&tape(1), 7, &ids()).unwrap();
        let p = &prints[0];
        assert_eq!(
            (p.id.as_str(), p.underlying_symbol.as_str()),
            ("8ef90a2d-0000", "NVDA")
        );
        assert_eq!(p.option_symbol, "NVDA250117C00124000");
        assert_eq!(
            p.instrument_id.as_deref(),
            Some("NVDA250117C00124000.SMART")
        );
        // No offset in the tape's times: UTC.
        assert_eq!(p.executed_at, 1_724_248_252_278_302_000);
        assert_eq!(p.ts_event, p.executed_at);
        assert_eq!(p.created_at, Some(1_724_248_253_100_000_000));
        assert_eq!((p.price, p.size, p.premium), (21.5, 1, Some(2150.0)));
        assert_eq!(
            (p.strike, p.expiry.as_deref()),
            (Some(124.0), Some("2025-01-17"))
        );
        assert_eq!(p.tags, ["bid_side", "bearish"]);
        assert!(p.report_flags.is_empty());
        assert_eq!(p.trade_code, ["auto"]);
        assert_eq!(p.canceled, Some(false));
        assert_eq!(
            (p.alert_score, p.aggregated_trade_id.as_deref()),
            (Some(0.5), None)
        );
        assert_eq!(
            (p.trade_id.as_deref(), p.market_center_locate.as_deref()),
            (Some("0"), Some("M"))
        );
        assert_eq!(
            (p.ask_vol, p.bid_vol, p.mid_vol, p.multi_vol),
            (Some(2), Some(1), Some(30), Some(30))
        );
        assert_eq!(p.ts_init, 7);
    }

    #[test]
    fn any_chunking_gives_the_same_batches_and_holds_at_most_a_row() {
        let body = tape(250);
        for chunk in [1, 7, 100, 4096, body.len()] {
            let mut decoder = TapeDecoder::new(100, ids());
            let mut batches = Vec::new();
            for part in body.chunks(chunk) {
                batches.extend(decoder.push(part, 1).unwrap());
            }
            assert!(
                decoder.peak_buffered_bytes() < 1_000,
                "{chunk}: {}",
                decoder.peak_buffered_bytes()
            );
            assert_eq!(decoder.file_name(), Some("t.csv"));
            let rows = decoder.rows();
            let last = decoder.finish(1).unwrap();
            assert_eq!(
                batches.iter().map(Vec::len).collect::<Vec<_>>(),
                [100, 100],
                "{chunk}"
            );
            assert_eq!((last.len(), rows), (50, 250), "{chunk}");
            assert_eq!(last[49].id, "8ef90a2d-0249");
        }
    }

    #[test]
    fn bodies_that_are_not_a_whole_tape_are_clear_errors() {
        // UW's error text in a 200 (docs/uw-api.md#rest-full-tape).
        let err =
            decode_tape(br#"{"code":"historic_data_access_missing"}"#, 1, &ids()).unwrap_err();
        assert!(
            err.to_string().contains("not a zip")
                && err.to_string().contains("historic_data_access_missing"),
            "{err}"
        );
        let body = tape(3);
        let err = decode_tape(&body[..body.len() / 2], 1, &ids()).unwrap_err();
        assert!(err.to_string().contains("ended before"), "{err}");
        assert!(
            decode_tape(b"", 1, &ids())
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let bad = format!(
            "{HEADER}\n{}{}",
            row(0),
            row(1).replace(",21.50,", ",lots,")
        );
        match decode_tape(&stored_zip(bad.as_bytes()), 1, &ids()) {
            Err(UwParseError::InvalidField { field, .. }) => assert_eq!(field, "row 2.price"),
            other => panic!("{other:?}"),
        }
        let bad = format!(
            "{HEADER}\n{}",
            row(0).replace("NVDA250117C00124000", "NVDA")
        );
        match decode_tape(&stored_zip(bad.as_bytes()), 1, &ids()) {
            Err(UwParseError::InvalidField { field, .. }) => {
                assert_eq!(field, "row 1.option_symbol")
            }
            other => panic!("{other:?}"),
        }
    }
}
