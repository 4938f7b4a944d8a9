//! UW record types: one per WebSocket channel / REST payload, shared by both surfaces.
//!
//! Each type is declared once with [`uw_record!`](crate::uw_record) and is at the same time the
//! serde model of the wire payload, the normalised Rust record (timestamps in UNIX nanoseconds,
//! numbers as `f64`/`i64`, `None` for missing) and, with the `python` feature, the pyo3 base class
//! of the Python `Data` type of the same name.

pub mod record;

pub mod flow;

pub use flow::{FlowAlert, OptionTrade};

/// Records decoded from one frame or response, tagged by type.
///
/// Most channels carry one record per frame; periscope snapshots and REST responses carry many.
#[derive(Debug, Clone, PartialEq)]
pub enum UwPayload {
    /// `flow-alerts`.
    FlowAlert(Vec<FlowAlert>),
    /// `option_trades[:<TICKER>]`.
    OptionTrade(Vec<OptionTrade>),
}

/// Applies `$body` to the `Vec` inside whichever variant `$payload` is.
#[macro_export]
macro_rules! for_each_payload {
    ($payload:expr, |$v:ident| $body:expr) => {
        match $payload {
            $crate::data::UwPayload::FlowAlert($v) => $body,
            $crate::data::UwPayload::OptionTrade($v) => $body,
        }
    };
}

impl UwPayload {
    /// Number of records.
    #[must_use]
    pub fn len(&self) -> usize {
        for_each_payload!(self, |v| v.len())
    }

    /// Whether there are no records.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The Python type name of the records (`UwFlowAlert`, ...).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        use record::UwRecord;
        fn name<R: UwRecord>(_: &[R]) -> &'static str {
            R::TYPE_NAME
        }
        for_each_payload!(self, |v| name(v))
    }
}
