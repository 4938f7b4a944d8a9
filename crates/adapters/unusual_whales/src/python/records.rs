//! Rust records -> Python `Data` objects, and the keyword constructor used by Python code
//! (catalog reads, tests, users).

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};
use pyo3::{BoundObject, IntoPyObject, PyClass, PyClassInitializer};

use crate::common::cache::GenerationalMap;
use crate::common::text::{UwId, UwText, UwTextList};
use crate::data::UwPayload;
use crate::data::record::{RecordBox, single_record_box};

/// `item` as an object of class `T`, or the `T` a `CustomData` holds (what a catalog query
/// returns); otherwise a `TypeError` whose message `describe` words from the item's type name.
pub fn record_or_wrapped<'py, T: PyClass>(
    item: &Bound<'py, PyAny>,
    describe: impl FnOnce(&str) -> String,
) -> PyResult<Bound<'py, T>> {
    if let Ok(object) = item.cast::<T>() {
        return Ok(object.clone());
    }
    item.getattr("data")
        .ok()
        .and_then(|data| data.cast_into::<T>().ok())
        .ok_or_else(|| {
            let found = item
                .get_type()
                .name()
                .map_or_else(|_| "?".to_owned(), |n| n.to_string());
            PyTypeError::new_err(describe(&found))
        })
}

/// Builds the registered Python `Data` subclass instance for a record.
pub trait IntoPyData: Sized + Send + 'static {
    /// The record's pyo3 class (`UwOptionTrade` for `OptionTrade`).
    type Class: PyClass;

    /// The record an object of its class holds.
    fn held(object: &Self::Class) -> &Self;

    /// Moves the boxed record into a new Python object of its registered `Data` subclass.
    ///
    /// # Errors
    /// When the Python class was not registered (the `types` module was not imported).
    fn boxed_into_py_data<'py>(
        record: RecordBox<Self>,
        py: Python<'py>,
    ) -> PyResult<Bound<'py, PyAny>>;

    /// Puts `record` in `object`, an object of this record's class, and returns the record it
    /// held; `Err(record)` when `object` is of another class.
    ///
    /// # Safety
    /// As [`RecordCell::replace`](crate::data::record::RecordCell::replace): no reference to
    /// `object` exists besides the caller's.
    #[allow(unsafe_code)]
    unsafe fn replace_record(
        object: &Bound<'_, PyAny>,
        record: RecordBox<Self>,
    ) -> Result<RecordBox<Self>, RecordBox<Self>>;

    /// Moves the record into a new Python object of its registered `Data` subclass.
    ///
    /// # Errors
    /// As [`boxed_into_py_data`](Self::boxed_into_py_data).
    fn into_py_data<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Self::boxed_into_py_data(Box::new([self]), py)
    }
}

/// A record field as its getter returns it (what `#[pyo3(get)]` would give).
///
/// # Errors
/// What converting the value raises.
pub fn field_into_py<'py, V: IntoPyObject<'py>>(
    py: Python<'py>,
    value: V,
) -> PyResult<Bound<'py, PyAny>> {
    value
        .into_pyobject(py)
        .map(|v| v.into_any().into_bound())
        .map_err(Into::into)
}

/// Why [`for_each_object`] stopped.
pub enum ObjectError {
    /// A record's object could not be built (its Python class was not registered).
    Build(PyErr),
    /// What the caller's function raised.
    Use(PyErr),
}

/// Calls `f` with every record of `payload` as its Python object, in order.
///
/// # Errors
/// [`ObjectError::Build`] as [`IntoPyData::into_py_data`], [`ObjectError::Use`] what `f`
/// raises; either stops the payload.
pub fn for_each_object<'py>(
    py: Python<'py>,
    payload: UwPayload,
    mut f: impl FnMut(Bound<'py, PyAny>) -> PyResult<()>,
) -> Result<(), ObjectError> {
    fn each<'py, R: IntoPyData>(
        py: Python<'py>,
        records: Vec<R>,
        f: &mut impl FnMut(Bound<'py, PyAny>) -> PyResult<()>,
    ) -> Result<(), ObjectError> {
        match single_record_box(records) {
            Ok(one) => f(R::boxed_into_py_data(one, py).map_err(ObjectError::Build)?)
                .map_err(ObjectError::Use),
            Err(records) => {
                for record in records {
                    f(record.into_py_data(py).map_err(ObjectError::Build)?)
                        .map_err(ObjectError::Use)?;
                }
                Ok(())
            }
        }
    }
    crate::data::for_each_payload!(payload, |v| each(py, v, &mut f))
}

/// Appends every record of `payload` to `out` as Python objects.
///
/// # Errors
/// As [`IntoPyData::into_py_data`].
pub fn append_payload(py: Python<'_>, payload: UwPayload, out: &Bound<'_, PyList>) -> PyResult<()> {
    for_each_object(py, payload, |object| out.append(object)).map_err(|e| match e {
        ObjectError::Build(e) | ObjectError::Use(e) => e,
    })
}

/// The Python subclass Rust instantiates for the records of type `T` (a `Data` subclass of
/// `T`'s pyo3 class, defined in `nautilus_trader_uw.types`), once registered.
///
/// Only [`register`](Self::register) stores a class, and only one that calling would build
/// with nothing but `T`'s `__new__`: that is what lets [`new_object`](Self::new_object) skip
/// the call.
pub struct RegisteredClass<T> {
    class: PyOnceLock<Py<PyType>>,
    record: std::marker::PhantomData<fn(T)>,
}

impl<T: PyClass> RegisteredClass<T>
where
    PyClassInitializer<T>: From<T>,
{
    /// No class yet.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            class: PyOnceLock::new(),
            record: std::marker::PhantomData,
        }
    }

    /// Registers `cls`; registering the same class again is a no-op.
    ///
    /// # Errors
    /// `TypeError` when `cls` is not a proper subclass of `T`'s class, or defines `__new__` or
    /// `__init__` (which [`new_object`](Self::new_object) would skip); `RuntimeError` when a
    /// different class was registered before.
    pub fn register(&self, cls: &Bound<'_, PyType>, type_name: &str) -> PyResult<()> {
        let py = cls.py();
        let base = py.get_type::<T>();
        if cls.is(&base) || !cls.is_subclass(&base)? {
            return Err(PyTypeError::new_err(format!(
                "expected a Python subclass of _core.{type_name}"
            )));
        }
        let object_type = py.get_type::<PyAny>();
        for (name, expected) in [("__new__", &base), ("__init__", &object_type)] {
            if !cls.getattr(name)?.is(expected.getattr(name)?) {
                return Err(PyTypeError::new_err(format!(
                    "the Python class of {type_name} must not define {name}: Rust creates its \
                     objects without calling it"
                )));
            }
        }
        let stored = self.class.get_or_init(py, || cls.clone().unbind());
        if stored.bind(py).is(cls) {
            Ok(())
        } else {
            Err(PyRuntimeError::new_err(format!(
                "a different Python class is already registered for {type_name}"
            )))
        }
    }

    /// A new object of the registered class holding `record`, out of the garbage collector's
    /// sight.
    ///
    /// Allocated as `T`'s pyo3 `__new__` allocates it, without calling the class: the call went
    /// through `type.__call__`, pyo3's `__new__` wrapper (which takes no record, so the record
    /// waited in a thread-local slot for it) and `object.__init__`, and moved the 1 KB record
    /// four more times. Measured on a queue filled while the loop slept, 200k option prints
    /// drained per run, loop-thread CPU per print: 704-809 ns through the call, 589-663
    /// allocated directly; with the prefetch of [`crate::common::prefetch`] as well, 499-531
    /// (three alternated runs each). `parse_ws_frame` of one print: 1,490-1,498 ns against
    /// 1,334-1,388.
    ///
    /// # Errors
    /// `RuntimeError` when no class was registered (the `types` module was not imported); what
    /// allocating the object raises (`MemoryError`).
    pub fn new_object<'py>(
        &self,
        py: Python<'py>,
        record: T,
        type_name: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cls = self
            .class
            .get(py)
            .ok_or_else(|| unregistered_error(type_name))?;
        let init = PyClassInitializer::from(record);
        // SAFETY: `register` stored `cls` only as a proper subclass of `T`'s class (the one
        // precondition of `tp_new_impl`, which pyo3's own `#[new]` code calls) that defines no
        // `__new__` or `__init__`, so this is all that calling it did. `tp_new_impl` returns a
        // new reference.
        #[allow(unsafe_code)]
        let object = unsafe {
            let ptr = pyo3::impl_::pymethods::tp_new_impl(py, init, cls.bind(py).as_type_ptr())?;
            Bound::from_owned_ptr(py, ptr)
        };
        untrack_from_gc(&object);
        Ok(object)
    }
}

impl<T: PyClass> Default for RegisteredClass<T>
where
    PyClassInitializer<T>: From<T>,
{
    fn default() -> Self {
        Self::new()
    }
}

/// Takes a record out of the cyclic garbage collector's sight.
///
/// Python tracks every instance of a class defined in Python, and the records are (a Python
/// subclass per type). A record holds only Rust data, never a reference to another Python
/// object, so it cannot be part of a reference cycle; tracked, each of the tens of thousands
/// in flight per second was traversed by every young-generation collection, survived it while
/// queued, and piled up as "long-lived" objects that triggered full collections of the whole
/// process several times a second (measured: the largest cost on the loop thread at full rate).
// `unsafe` because CPython exposes these only as C functions. The crate's other `unsafe`:
// `is_gc_tracked`, `RegisteredClass::new_object`, the lexer's SSE2 step (`common::compact_json`),
// the prefetch (`common::prefetch`), and `data::record::RecordCell` with its one caller, the
// hand-over's recycling (`python::live`).
#[allow(unsafe_code)]
pub fn untrack_from_gc(object: &Bound<'_, PyAny>) {
    let ptr = object.as_ptr();
    // SAFETY: `ptr` is a live object (borrowed from `object`, GIL held); untracking applies only
    // to GC-enabled types and is idempotent, and CPython's deallocators accept untracked objects.
    unsafe {
        if pyo3::ffi::PyType_IS_GC(pyo3::ffi::Py_TYPE(ptr)) != 0 {
            pyo3::ffi::PyObject_GC_UnTrack(ptr.cast());
        }
    }
}

/// Whether the cyclic garbage collector tracks `object` (`gc.is_tracked`).
#[must_use]
#[allow(unsafe_code)]
pub fn is_gc_tracked(object: &Bound<'_, PyAny>) -> bool {
    // SAFETY: a live object, GIL held; the call only reads the object's GC header when its type
    // has one.
    unsafe {
        pyo3::ffi::PyType_IS_GC(pyo3::ffi::Py_TYPE(object.as_ptr())) != 0
            && pyo3::ffi::PyObject_GC_IsTracked(object.as_ptr()) != 0
    }
}

/// The error raised when Rust must build an object whose Python class is not registered.
#[must_use]
pub fn unregistered_error(type_name: &str) -> PyErr {
    PyRuntimeError::new_err(format!(
        "{type_name} has no registered Python class: import nautilus_trader_uw before parsing"
    ))
}

/// Rejects keyword arguments that are not fields of the type.
///
/// # Errors
/// `TypeError` naming the unexpected keyword.
pub fn check_kwargs(kw: &Bound<'_, PyDict>, type_name: &str, fields: &[&str]) -> PyResult<()> {
    for key in kw.keys() {
        let key: String = key.extract()?;
        if !fields.contains(&key.as_str()) {
            return Err(PyTypeError::new_err(format!(
                "{type_name}() got an unexpected keyword argument '{key}'"
            )));
        }
    }
    Ok(())
}

/// `ts_event` / `ts_init` from keywords, defaulting to 0 as `@customdataclass` does.
///
/// # Errors
/// `TypeError` when the value is not a non-negative int.
pub fn nanos_kwarg(kw: &Bound<'_, PyDict>, name: &str) -> PyResult<u64> {
    match kw.get_item(name)? {
        Some(v) if !v.is_none() => v.extract(),
        _ => Ok(0),
    }
}

/// `instrument_id` from keywords: a string, an `InstrumentId` (anything whose `str()` is the id),
/// or `None`.
///
/// # Errors
/// When `str()` of the value fails.
pub fn instrument_id_kwarg(kw: &Bound<'_, PyDict>) -> PyResult<Option<UwId>> {
    match kw.get_item("instrument_id")? {
        Some(v) if !v.is_none() => Ok(Some(UwId::from(v.str()?.to_str()?))),
        _ => Ok(None),
    }
}

/// Most instrument ids a process keeps built at once; one not read for that many others is
/// built again when next read.
const INSTRUMENT_IDS_MAX: usize = 100_000;

// The engine reads every record's instrument id on the loop thread. Keys are held inline in the
// table (a `UwId` keeps up to 38 bytes in itself, an instrument id about 27), so a lookup
// compares the key where it found the entry instead of chasing a heap pointer to it; foldhash
// hashes it in a few instructions where SipHash took a sixth of the read's time. Not the
// crate's `ChannelHasher`: that one is unseeded, fit only for keys no sender can choose, and
// these come from the feed's text.
type InstrumentIdCache = GenerationalMap<UwId, Py<PyAny>, foldhash::fast::RandomState>;

/// `InstrumentId.from_str(text)`, built once per distinct id (bounded): the same object for every
/// record of a contract while the contract keeps trading.
///
/// The DataEngine reads `instrument_id` of every record it routes. As a Python property over the
/// id's text it was 9% of the loop thread's data-path samples at full rate (py-spy: a new `str`
/// per read, hashed for a dict lookup); here it is one hash of bytes Rust already holds and a
/// reference count. `InstrumentId` is immutable, so sharing it is safe. The bound releases at
/// most two ids per call ([`GenerationalMap`]): no read waits for a cache to be emptied.
///
/// # Errors
/// What `InstrumentId.from_str` raises for text that is not an id.
pub fn cached_instrument_id<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    static INSTRUMENT_ID: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static CACHE: std::sync::Mutex<Option<InstrumentIdCache>> = std::sync::Mutex::new(None);
    // A poisoned lock only means a panic elsewhere mid-insert; the map itself stays valid.
    let lock = || {
        CACHE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let (cached, released) = lock()
        .get_or_insert_with(|| InstrumentIdCache::new(INSTRUMENT_IDS_MAX))
        .get_with(text, |id| id.clone_ref(py));
    // Released outside the lock: a deallocation may run arbitrary Python code.
    drop(released);
    if let Some(id) = cached {
        return Ok(id.into_bound(py));
    }
    // Built with the lock released: Python code runs here and could come back to this function.
    let id = INSTRUMENT_ID
        .import(py, "nautilus_trader.model.identifiers", "InstrumentId")?
        .call_method1(pyo3::intern!(py, "from_str"), (text,))?;
    let released = lock()
        .get_or_insert_with(|| InstrumentIdCache::new(INSTRUMENT_IDS_MAX))
        .insert(UwId::from(text), id.clone().unbind());
    drop(released);
    Ok(id)
}

/// Extraction of one field from constructor keywords.
pub trait FromKwarg: Sized {
    /// Reads `name` from `kw`.
    ///
    /// # Errors
    /// `TypeError` when a required field is missing or a value has the wrong type.
    fn from_kwarg(kw: &Bound<'_, PyDict>, name: &str, type_name: &str) -> PyResult<Self>;
}

macro_rules! required_kwarg {
    ($($t:ty),*) => {$(
        impl FromKwarg for $t {
            fn from_kwarg(kw: &Bound<'_, PyDict>, name: &str, type_name: &str) -> PyResult<Self> {
                match kw.get_item(name)? {
                    Some(v) if !v.is_none() => v.extract().map_err(|e| {
                        PyTypeError::new_err(format!("{type_name}.{name}: {e}"))
                    }),
                    _ => Err(PyTypeError::new_err(format!(
                        "{type_name}() missing required field '{name}'"
                    ))),
                }
            }
        }
        impl FromKwarg for Option<$t> {
            fn from_kwarg(kw: &Bound<'_, PyDict>, name: &str, type_name: &str) -> PyResult<Self> {
                match kw.get_item(name)? {
                    Some(v) if !v.is_none() => v.extract().map(Some).map_err(|e| {
                        PyTypeError::new_err(format!("{type_name}.{name}: {e}"))
                    }),
                    _ => Ok(None),
                }
            }
        }
    )*};
}

required_kwarg!(String, UwText, UwId, f64, i64, bool, u64);

macro_rules! list_kwarg {
    ($($t:ty),*) => {$(
        impl FromKwarg for Vec<$t> {
            fn from_kwarg(kw: &Bound<'_, PyDict>, name: &str, type_name: &str) -> PyResult<Self> {
                match kw.get_item(name)? {
                    Some(v) if !v.is_none() => v
                        .extract()
                        .map_err(|e| PyTypeError::new_err(format!("{type_name}.{name}: {e}"))),
                    _ => Ok(Vec::new()),
                }
            }
        }
    )*};
}

list_kwarg!(String, UwText, UwId, f64);

impl FromKwarg for UwTextList {
    fn from_kwarg(kw: &Bound<'_, PyDict>, name: &str, type_name: &str) -> PyResult<Self> {
        Vec::<UwText>::from_kwarg(kw, name, type_name).map(|items| items.iter().collect())
    }
}
