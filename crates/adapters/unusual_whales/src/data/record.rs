//! The `uw_record!` macro: one declaration per UW record type produces the serde model, the
//! catalog schema description and (with the `python` feature) the pyo3 class.
//!
//! Why one macro: each record crosses three boundaries (wire JSON -> Rust, Rust -> Python object,
//! Python object <-> Arrow for the catalog). Declaring the fields once keeps the three in step; a
//! field added here shows up in parsing, in Python and in the Parquet schema together.

use std::cell::UnsafeCell;

use crate::common::text::{UwId, UwText, UwTextList};

/// The Arrow/Python shape of one record field, exported to Python to build catalog schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// `str` (non-null).
    Str,
    /// `str | None`.
    OptStr,
    /// `float` (non-null).
    F64,
    /// `float | None`.
    OptF64,
    /// `int` (non-null, signed 64-bit).
    I64,
    /// `int | None`.
    OptI64,
    /// `bool` (non-null).
    Bool,
    /// `bool | None`.
    OptBool,
    /// UNIX nanoseconds (non-null, unsigned 64-bit).
    Nanos,
    /// UNIX nanoseconds or `None`.
    OptNanos,
    /// `list[str]`.
    StrList,
    /// `list[float]`.
    F64List,
}

impl FieldKind {
    /// The short tag Python uses to map the field to an Arrow type.
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Self::Str => "str",
            Self::OptStr => "str?",
            Self::F64 => "f64",
            Self::OptF64 => "f64?",
            Self::I64 => "i64",
            Self::OptI64 => "i64?",
            Self::Bool => "bool",
            Self::OptBool => "bool?",
            Self::Nanos => "nanos",
            Self::OptNanos => "nanos?",
            Self::StrList => "list[str]",
            Self::F64List => "list[f64]",
        }
    }
}

/// Maps a Rust field type to its [`FieldKind`].
pub trait HasFieldKind {
    /// The kind of this type.
    const KIND: FieldKind;
}

macro_rules! field_kind {
    ($($t:ty => $k:ident),* $(,)?) => {
        $(impl HasFieldKind for $t { const KIND: FieldKind = FieldKind::$k; })*
    };
}

field_kind! {
    String => Str, Option<String> => OptStr,
    f64 => F64, Option<f64> => OptF64,
    i64 => I64, Option<i64> => OptI64,
    bool => Bool, Option<bool> => OptBool,
    u64 => Nanos, Option<u64> => OptNanos,
    Vec<String> => StrList,
    Vec<f64> => F64List,
    UwText => Str, Option<UwText> => OptStr, Vec<UwText> => StrList,
    UwId => Str, Option<UwId> => OptStr, Vec<UwId> => StrList,
    UwTextList => StrList,
}

/// One field of a record, as exported to Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Field name, identical in Rust, Python and the Parquet column.
    pub name: &'static str,
    /// Its shape.
    pub kind: FieldKind,
}

/// How a record names its instrument, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstrumentSource {
    /// The record names no instrument (market-wide aggregates, news).
    None,
    /// An OCC option symbol (`SPY241220C00500000`), validated before it becomes an instrument id.
    OptionSymbol,
    /// An underlying ticker (`SPY`).
    Ticker,
}

/// A value that can supply a record's event time.
pub trait EventTime {
    /// The event time in UNIX nanoseconds, if present.
    fn event_nanos(&self) -> Option<u64>;
}

impl EventTime for u64 {
    fn event_nanos(&self) -> Option<u64> {
        Some(*self)
    }
}

impl EventTime for Option<u64> {
    fn event_nanos(&self) -> Option<u64> {
        *self
    }
}

/// A value that can supply an instrument symbol.
pub trait SymbolSource {
    /// The symbol text, if present.
    fn symbol(&self) -> Option<&str>;
}

// Both text types of a record field, plain and optional.
macro_rules! symbol_source {
    ($($t:ty),*) => {$(
        impl SymbolSource for $t {
            fn symbol(&self) -> Option<&str> {
                Some(self.as_str())
            }
        }

        impl SymbolSource for Option<$t> {
            fn symbol(&self) -> Option<&str> {
                self.as_deref()
            }
        }
    )*};
}

symbol_source!(String, UwText);

/// Feeds one field into a hasher: floats by their bits, so that records hash although `f64` is
/// not `Hash`. Equal records hash equally (`-0.0` and `0.0` aside, which then only cost a
/// comparison); history uses it to find repeats of a record without formatting it.
pub trait HashField {
    /// Hashes `self` into `state`.
    fn hash_field<H: std::hash::Hasher>(&self, state: &mut H);
}

macro_rules! hash_field_via_hash {
    ($($t:ty),*) => {$(
        impl HashField for $t {
            fn hash_field<H: std::hash::Hasher>(&self, state: &mut H) {
                std::hash::Hash::hash(self, state);
            }
        }
    )*};
}

hash_field_via_hash!(
    String,
    Option<String>,
    i64,
    Option<i64>,
    bool,
    Option<bool>,
    u64,
    Option<u64>,
    Vec<String>,
    UwText,
    Option<UwText>,
    Vec<UwText>,
    UwId,
    Option<UwId>,
    Vec<UwId>,
    UwTextList
);

impl HashField for f64 {
    fn hash_field<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.to_bits());
    }
}

impl HashField for Option<f64> {
    fn hash_field<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.map_or(u64::MAX, f64::to_bits));
        state.write_u8(u8::from(self.is_some()));
    }
}

impl HashField for Vec<f64> {
    fn hash_field<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for v in self {
            v.hash_field(state);
        }
    }
}

/// Decodes a frame's record into the vector, or declines it (it then takes the general path).
pub type PushInOrder<R> =
    fn(&str, &mut Vec<R>) -> Result<(), crate::common::compact_json::Declined>;

/// Behaviour shared by every UW record type.
pub trait UwRecord: Sized {
    /// The Python/Nautilus type name, e.g. `UwFlowAlert`.
    const TYPE_NAME: &'static str;
    /// The record's own fields in declaration order (excluding `ts_event`, `ts_init`, `instrument_id`).
    const FIELDS: &'static [FieldSpec];
    /// Where the instrument id comes from.
    const INSTRUMENT: InstrumentSource;
    /// A decoder of `[channel, record]` frames whose keys come in UW's usual order, for the
    /// firehose's types (`compact_json::record_in_uw_order!`); `None` for the others, whose
    /// frames take the record's `Deserialize`.
    const PUSH_IN_UW_ORDER: Option<PushInOrder<Self>> = None;

    /// The UW event time carried by the payload, if any.
    fn event_time(&self) -> Option<u64>;

    /// The raw instrument symbol carried by the payload, if any.
    fn instrument_symbol(&self) -> Option<&str>;

    /// The derived event time (valid after [`UwRecord::finish`]).
    fn ts_event_nanos(&self) -> u64;

    /// The derived `SYMBOL.VENUE` instrument id (valid after [`UwRecord::finish`]).
    fn instrument(&self) -> Option<&str>;

    /// Re-stamps the arrival time (records of one history request share the request's time).
    fn set_ts_init(&mut self, ts_init: u64);

    /// Sets the derived fields after deserialization: `ts_init`, `ts_event` (UW's event time, or
    /// `ts_init` when the payload carries none) and the instrument id in `ids`' form.
    ///
    /// # Errors
    /// Returns `(field, message)` when the instrument symbol is present but unusable.
    fn finish(
        &mut self,
        ts_init: u64,
        ids: &crate::common::symbol::InstrumentIdFormat,
    ) -> Result<(), (&'static str, String)>;
}

/// Builds `SYMBOL.VENUE` for a record, validating OCC option symbols.
///
/// # Errors
/// Returns a message when an option symbol does not parse or a ticker is empty.
pub fn instrument_id_for(
    source: InstrumentSource,
    symbol: Option<&str>,
    ids: &crate::common::symbol::InstrumentIdFormat,
) -> Result<Option<UwId>, String> {
    match (source, symbol) {
        (InstrumentSource::None, _) => Ok(None),
        // The catalog and the engine read `instrument_id` of every record of such a type.
        (_, None) => Err("missing: the record names no instrument".to_owned()),
        (InstrumentSource::OptionSymbol, Some(sym)) => {
            ids.option_id(sym).map(Some).map_err(|e| e.to_string())
        }
        (InstrumentSource::Ticker, Some(sym)) => {
            crate::common::symbol::validate_ticker(sym).map_err(|e| e.to_string())?;
            Ok(Some(ids.ticker_id(sym).into()))
        }
    }
}

/// Derives `ts_event`, `ts_init` and the instrument id of a decoded record.
///
/// # Errors
/// [`crate::common::error::UwParseError::InvalidField`] when the instrument symbol is unusable.
pub fn finish_record<R: UwRecord>(
    record: &mut R,
    context: &str,
    ts_init: u64,
    ids: &crate::common::symbol::InstrumentIdFormat,
) -> Result<(), crate::common::error::UwParseError> {
    record.finish(ts_init, ids).map_err(|(field, message)| {
        crate::common::error::UwParseError::InvalidField {
            context: context.to_owned(),
            field: field.to_owned(),
            // Symbol errors quote the symbol whole.
            message: crate::common::error::clip(&message).into_owned(),
        }
    })
}

/// How a record lives in its Python object: boxed, so that the object is small and the record
/// stays where the reader thread parsed it.
///
/// An option print is a 1 KB struct. Held inline, every Python object of one was a 1.1 KB block
/// from libc's `malloc` (past the interpreter's small-object allocator), zeroed and then filled
/// by a copy of the record, on the event loop's thread, from memory the reader thread wrote long
/// before when the strategy was behind: the allocation, the zeroing, the copy and the first touch
/// of 17 cache lines were a quarter of the loop thread's time per print (perf of 500k queued
/// prints drained). Loop CPU per print drained from such a queue (`scripts/bench_delivery.py`,
/// "behind"): 543 ns inline, 480 boxed; keeping pace, wake-ups included, 1,230-1,252 against
/// 1,053-1,188.
///
/// Boxed, the object is a small block from the interpreter's own allocator holding a pointer, and
/// a frame's one record moves into it without a copy: the reader's `Vec` of one record becomes
/// the box ([`single_record_box`]). The loop still reads the record once, when the object is
/// freed and the record's texts are dropped (which is why `crate::common::prefetch` still
/// fetches it while the object before it is built).
pub type RecordBox<T> = Box<[T; 1]>;

/// A `Vec` of exactly one record as its box, in place when its capacity is one (a WebSocket
/// frame's): `Box<[T]>` to `Box<[T; 1]>` is a checked conversion that neither copies nor
/// allocates. Any other `Vec` comes back unchanged.
///
/// # Errors
/// The `Vec` itself when it does not hold exactly one record.
pub fn single_record_box<T>(records: Vec<T>) -> Result<RecordBox<T>, Vec<T>> {
    if records.len() != 1 {
        return Err(records);
    }
    RecordBox::try_from(records.into_boxed_slice()).map_err(Vec::from)
}

/// The record a Python record object holds ([`RecordBox`]), replaced only while nothing but its
/// replacer can reach the object.
///
/// The default path's hand-over (`python::live`) gives a record object and its `CustomData`
/// wrapper a second life once NautilusTrader has let go of both, which their reference counts
/// prove: NautilusTrader publishes the wrapped record and drops the wrapper, so a pair whose
/// counts show only the hand-over's own references is out of every strategy's, queue's and
/// cache's reach, and its next record can move into it instead of a new object and a new wrapper
/// being built. Records are immutable to everything else: no setter reaches this cell.
pub struct RecordCell<T>(UnsafeCell<RecordBox<T>>);

// SAFETY: shared references only read the record (`get`); the one write, `replace`, requires by
// its contract that no other reference to the cell exists while it runs. `T: Sync` makes the
// reads from other threads sound.
#[allow(unsafe_code)]
unsafe impl<T: Sync> Sync for RecordCell<T> {}

impl<T> RecordCell<T> {
    /// A cell holding `record`.
    #[must_use]
    pub fn new(record: RecordBox<T>) -> Self {
        Self(UnsafeCell::new(record))
    }

    /// The record.
    #[must_use]
    #[allow(unsafe_code)]
    pub fn get(&self) -> &T {
        // SAFETY: the record is written only by `replace`, whose caller guarantees that no
        // reference from here (or any other) is alive.
        unsafe { &(*self.0.get())[0] }
    }

    /// Puts `record` in the cell and returns the record it held.
    ///
    /// # Safety
    /// Nothing else may hold a reference into the cell (one `get` returned) or be able to take
    /// one while this runs: for a cell inside a Python object, no reference to the object exists
    /// besides the caller's, and the caller holds the GIL.
    #[allow(unsafe_code)]
    pub unsafe fn replace(&self, record: RecordBox<T>) -> RecordBox<T> {
        // SAFETY: exclusive access, by the caller's contract.
        unsafe { std::mem::replace(&mut *self.0.get(), record) }
    }
}

impl<T: PartialEq> PartialEq for RecordCell<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for RecordCell<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// Declares a UW record type. See the module docs.
///
/// ```ignore
/// uw_record! {
///     /// Doc.
///     pub struct FlowAlert as UwFlowAlert {
///         event_time: |r| r.end_time.or(r.created_at),
///         instrument: OptionSymbol(option_chain),
///         normalize: |r| { /* optional fix-ups before ts/instrument are derived */ },
///         wire: "NestedWire", // optional: a nested wire shape flattened by `From<NestedWire>`
///         fields {
///             #[serde(deserialize_with = "de_string")]
///             pub ticker: String,
///         }
///     }
/// }
/// ```
///
/// `FlowAlert` is the record (serde model, what parsing, de-duplication and aggregation work
/// on); with the `python` feature, `UwFlowAlert` is its pyo3 class, which holds the record
/// boxed (see [`RecordBox`] for why).
#[macro_export]
macro_rules! uw_record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident as $pyname:ident {
            event_time: |$er:ident| $ev:expr,
            instrument: $inst_kind:ident $( ( $inst_field:ident ) )?,
            $( normalize: |$nr:ident| $nbody:block, )?
            $( wire: $wire:literal, )?
            $( in_uw_order: $order:path, )?
            fields {
                $(
                    $(#[$($fattr:tt)*])*
                    pub $field:ident : $ty:ty
                ),* $(,)?
            }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
        $( #[serde(from = $wire)] )?
        pub struct $name {
            $(
                $(#[$($fattr)*])*
                pub $field: $ty,
            )*
            /// UW's event time in UNIX nanoseconds (derived; `ts_init` when UW sends none).
            #[serde(skip)]
            pub ts_event: u64,
            /// When the frame or response arrived, UNIX nanoseconds (derived).
            #[serde(skip)]
            pub ts_init: u64,
            /// `SYMBOL.VENUE` when the record names an instrument (derived).
            #[serde(skip)]
            pub instrument_id: Option<$crate::common::text::UwId>,
        }

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                $( $crate::data::record::HashField::hash_field(&self.$field, state); )*
                self.ts_event.hash(state);
                self.ts_init.hash(state);
                self.instrument_id.hash(state);
            }
        }

        impl $crate::data::record::UwRecord for $name {
            const TYPE_NAME: &'static str = stringify!($pyname);
            const FIELDS: &'static [$crate::data::record::FieldSpec] = &[
                $(
                    $crate::data::record::FieldSpec {
                        name: stringify!($field),
                        kind: <$ty as $crate::data::record::HasFieldKind>::KIND,
                    },
                )*
            ];
            const INSTRUMENT: $crate::data::record::InstrumentSource =
                $crate::data::record::InstrumentSource::$inst_kind;
            $(
                const PUSH_IN_UW_ORDER: Option<$crate::data::record::PushInOrder<Self>> =
                    Some($order);
            )?

            fn event_time(&self) -> Option<u64> {
                let $er = self;
                $crate::data::record::EventTime::event_nanos(&$ev)
            }

            fn instrument_symbol(&self) -> Option<&str> {
                $crate::uw_record!(@symbol self $( $inst_field )?)
            }

            fn ts_event_nanos(&self) -> u64 {
                self.ts_event
            }

            fn instrument(&self) -> Option<&str> {
                self.instrument_id.as_deref()
            }

            fn set_ts_init(&mut self, ts_init: u64) {
                self.ts_init = ts_init;
            }

            fn finish(
                &mut self,
                ts_init: u64,
                ids: &$crate::common::symbol::InstrumentIdFormat,
            ) -> Result<(), (&'static str, String)> {
                $( { let $nr = &mut *self; $nbody } )?
                self.ts_init = ts_init;
                self.ts_event = self.event_time().unwrap_or(ts_init);
                self.instrument_id = $crate::data::record::instrument_id_for(
                    Self::INSTRUMENT,
                    self.instrument_symbol(),
                    ids,
                )
                .map_err(|msg| ($crate::uw_record!(@symbol_name $( $inst_field )?), msg))?;
                Ok(())
            }
        }

        #[cfg(feature = "python")]
        $crate::uw_record!(
            @python $name, $pyname, [ $(#[$meta])* ],
            [ $( { $(#[$($fattr)*])* } $field : $ty ; )* ]
        );
    };

    (@symbol $self:ident $field:ident) => { $crate::data::record::SymbolSource::symbol(&$self.$field) };
    (@symbol $self:ident) => { None };
    (@symbol_name $field:ident) => { stringify!($field) };
    (@symbol_name) => { "instrument_id" };

    (
        @python $name:ident, $pyname:ident, [ $(#[$meta:meta])* ],
        [ $( { $(#[$($fattr:tt)*])* } $field:ident : $ty:ty ; )* ]
    ) => {
        $(#[$meta])*
        #[pyo3::pyclass(subclass, frozen, eq, module = "nautilus_trader_uw._core")]
        #[derive(Debug, PartialEq)]
        pub struct $pyname {
            record: $crate::data::record::RecordCell<$name>,
        }

        impl $pyname {
            fn python_class() -> &'static $crate::python::records::RegisteredClass<$pyname> {
                static CLASS: $crate::python::records::RegisteredClass<$pyname> =
                    $crate::python::records::RegisteredClass::new();
                &CLASS
            }

            /// The record this object holds.
            #[must_use]
            pub fn record(&self) -> &$name {
                self.record.get()
            }

            fn field_names() -> &'static [&'static str] {
                &[$( stringify!($field), )* "ts_event", "ts_init", "instrument_id"]
            }
        }

        impl $crate::python::records::IntoPyData for $name {
            type Class = $pyname;

            fn held(object: &$pyname) -> &Self {
                object.record()
            }

            fn boxed_into_py_data<'py>(
                record: $crate::data::record::RecordBox<Self>,
                py: pyo3::Python<'py>,
            ) -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
                $pyname::python_class().new_object(
                    py,
                    $pyname { record: $crate::data::record::RecordCell::new(record) },
                    stringify!($pyname),
                )
            }

            #[allow(unsafe_code)]
            unsafe fn replace_record(
                object: &pyo3::Bound<'_, pyo3::PyAny>,
                record: $crate::data::record::RecordBox<Self>,
            ) -> Result<$crate::data::record::RecordBox<Self>, $crate::data::record::RecordBox<Self>> {
                match object.cast::<$pyname>() {
                    // SAFETY: the caller's contract is `RecordCell::replace`'s.
                    Ok(object) => Ok(unsafe { object.get().record.replace(record) }),
                    Err(_) => Err(record),
                }
            }
        }

        // The getters are generated one field at a time (`@field_docs` keeps a field's doc
        // comments for its getter and drops its serde attributes), and the class's one
        // `#[pymethods]` block is emitted with all of them at the end.
        $crate::uw_record!(@getters $pyname [
            #[new]
            #[pyo3(signature = (**kwargs))]
            fn py_new(
                py: pyo3::Python<'_>,
                kwargs: Option<&pyo3::Bound<'_, pyo3::types::PyDict>>,
            ) -> pyo3::PyResult<Self> {
                use $crate::python::records::FromKwarg as _;
                let owned;
                let kw = match kwargs {
                    Some(kw) => kw,
                    None => {
                        owned = pyo3::types::PyDict::new(py);
                        &owned
                    }
                };
                $crate::python::records::check_kwargs(kw, stringify!($pyname), Self::field_names())?;
                Ok(Self {
                    record: $crate::data::record::RecordCell::new(Box::new([$name {
                        $( $field: <$ty>::from_kwarg(kw, stringify!($field), stringify!($pyname))?, )*
                        ts_event: $crate::python::records::nanos_kwarg(kw, "ts_event")?,
                        ts_init: $crate::python::records::nanos_kwarg(kw, "ts_init")?,
                        instrument_id: $crate::python::records::instrument_id_kwarg(kw)?,
                    }])),
                })
            }

            /// UW's event time, UNIX nanoseconds.
            #[getter]
            fn ts_event(&self) -> u64 {
                self.record().ts_event
            }

            /// Arrival time, UNIX nanoseconds.
            #[getter]
            fn ts_init(&self) -> u64 {
                self.record().ts_init
            }

            /// The instrument (IB simplified symbology, `SPY   241220C00500000.SMART`) as an
            /// `InstrumentId`, the same object for every record of an instrument. Types that
            /// name no instrument (market-wide data) have no such attribute, unless one was
            /// given to the object (a `request_failed` status answering a request for one
            /// instrument carries it, so that NautilusTrader routes it to the requester).
            #[getter(instrument_id)]
            fn py_instrument_id<'py>(
                &self,
                py: pyo3::Python<'py>,
            ) -> pyo3::PyResult<Option<pyo3::Bound<'py, pyo3::PyAny>>> {
                if matches!(
                    <$name as $crate::data::record::UwRecord>::INSTRUMENT,
                    $crate::data::record::InstrumentSource::None
                ) && self.record().instrument_id.is_none()
                {
                    return Err(pyo3::exceptions::PyAttributeError::new_err(concat!(
                        "'", stringify!($pyname), "' object has no attribute 'instrument_id'"
                    )));
                }
                self._instrument_id_or_none(py)
            }

            /// `instrument_id`, or `None` on types that name no instrument (no exception to
            /// raise and catch per record where both kinds pass).
            #[getter]
            fn _instrument_id_or_none<'py>(
                &self,
                py: pyo3::Python<'py>,
            ) -> pyo3::PyResult<Option<pyo3::Bound<'py, pyo3::PyAny>>> {
                self.record()
                    .instrument_id
                    .as_deref()
                    .map(|text| $crate::python::records::cached_instrument_id(py, text))
                    .transpose()
            }

            /// The instrument id as text (`SPY   241220C00500000.SMART`), or `None`.
            #[getter]
            fn _instrument_id_str(&self) -> Option<&str> {
                self.record().instrument_id.as_deref()
            }

            /// `(name, kind)` for every payload field, in order; used to build Arrow schemas.
            #[classmethod]
            fn _field_specs(
                _cls: &pyo3::Bound<'_, pyo3::types::PyType>,
            ) -> Vec<(&'static str, &'static str)> {
                <$name as $crate::data::record::UwRecord>::FIELDS
                    .iter()
                    .map(|f| (f.name, f.kind.tag()))
                    .collect()
            }

            /// Whether records of this type carry an instrument id.
            #[classmethod]
            fn _has_instrument(_cls: &pyo3::Bound<'_, pyo3::types::PyType>) -> bool {
                !matches!(
                    <$name as $crate::data::record::UwRecord>::INSTRUMENT,
                    $crate::data::record::InstrumentSource::None
                )
            }

            /// Registers the Python `Data` subclass that Rust instantiates for this record.
            #[classmethod]
            fn _register_data_class(
                cls: &pyo3::Bound<'_, pyo3::types::PyType>,
            ) -> pyo3::PyResult<()> {
                Self::python_class().register(cls, stringify!($pyname))
            }
        ] $( { $(#[$($fattr)*])* } $field : $ty ; )* );
    };

    // All fields done: the class's methods.
    (@getters $pyname:ident [ $($methods:tt)* ]) => {
        #[pyo3::pymethods]
        impl $pyname {
            $($methods)*
        }
    };
    // The next field: collect its doc comments.
    (@getters $pyname:ident [ $($methods:tt)* ] { $($attrs:tt)* } $field:ident : $ty:ty ; $($rest:tt)*) => {
        $crate::uw_record!(@field_docs $pyname [ $($methods)* ] [] [ $($attrs)* ] $field : $ty ; $($rest)*);
    };
    (@field_docs $pyname:ident [ $($methods:tt)* ] [ $($docs:tt)* ] [ #[doc = $doc:literal] $($attrs:tt)* ] $field:ident : $ty:ty ; $($rest:tt)*) => {
        $crate::uw_record!(@field_docs $pyname [ $($methods)* ] [ $($docs)* #[doc = $doc] ] [ $($attrs)* ] $field : $ty ; $($rest)*);
    };
    (@field_docs $pyname:ident [ $($methods:tt)* ] [ $($docs:tt)* ] [ #[$($other:tt)*] $($attrs:tt)* ] $field:ident : $ty:ty ; $($rest:tt)*) => {
        $crate::uw_record!(@field_docs $pyname [ $($methods)* ] [ $($docs)* ] [ $($attrs)* ] $field : $ty ; $($rest)*);
    };
    // A field's attributes read: its getter, the value as `#[pyo3(get)]` would give it.
    (@field_docs $pyname:ident [ $($methods:tt)* ] [ $($docs:tt)* ] [] $field:ident : $ty:ty ; $($rest:tt)*) => {
        $crate::uw_record!(@getters $pyname [
            $($methods)*
            $($docs)*
            #[getter]
            fn $field<'py>(
                &self,
                py: pyo3::Python<'py>,
            ) -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
                $crate::python::records::field_into_py(py, &self.record().$field)
            }
        ] $($rest)*);
    };
}

#[cfg(test)]
mod tests {
    use super::{RecordBox, RecordCell, single_record_box};

    #[test]
    fn a_frames_one_record_becomes_its_box_without_a_copy() {
        // A stand-in of an option print's size; the conversion is the same for every type.
        let records = vec![[7_u64; 128]];
        let at = records.as_ptr();
        let boxed = single_record_box(records).expect("one record");
        assert_eq!(std::ptr::from_ref(&boxed[0]), at, "the record moved");
        assert_eq!(boxed[0], [7_u64; 128]);
    }

    #[test]
    fn other_counts_come_back_whole() {
        assert_eq!(single_record_box(Vec::<u8>::new()), Err(vec![]));
        assert_eq!(single_record_box(vec![1, 2]), Err(vec![1, 2]));
        // Capacity to spare: boxed all the same (shrunk first).
        let mut spare = Vec::with_capacity(8);
        spare.push(3_u32);
        assert_eq!(single_record_box(spare).map(|b| b[0]), Ok(3));
    }

    #[test]
    #[allow(unsafe_code)]
    fn a_cell_gives_back_the_record_it_held_and_reads_the_new_one() {
        let cell = RecordCell::new(Box::new([String::from("first")]));
        let second: RecordBox<String> = Box::new([String::from("second")]);
        let at = std::ptr::from_ref(&second[0]);
        // SAFETY: `cell` is this test's alone; no reference from `get` is alive.
        let previous = unsafe { cell.replace(second) };
        assert_eq!(previous[0], "first");
        assert_eq!(cell.get(), "second");
        assert_eq!(
            std::ptr::from_ref(cell.get()),
            at,
            "moved in without a copy"
        );
        assert_eq!(cell, RecordCell::new(Box::new([String::from("second")])));
        assert_eq!(format!("{cell:?}"), "\"second\"");
    }
}
