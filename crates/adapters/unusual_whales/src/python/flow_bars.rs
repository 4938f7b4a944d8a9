//! `flow_bars` / `flow_bar_spec`: the flow-bar aggregator over stored `UwOptionTrade`s, and the
//! check of a `UwFlowBar` subscription's metadata, for research and for the data client.

use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::aggregate::{FlowBarSpec, FlowBarSpecError};
use crate::common::consts::DEFAULT_VENUE;
use crate::data::OptionTrade;
use crate::data::flow::UwOptionTrade;
use crate::python::id_format;
use crate::python::records::{IntoPyData, record_or_wrapped};

create_exception!(
    _core,
    UwFlowBarSpecError,
    PyValueError,
    "A `UwFlowBar` subscription's metadata is wrong; `kind` says how and `field` names the key."
);

/// Adds this module's functions and exception to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(flow_bars, m)?)?;
    m.add_function(wrap_pyfunction!(flow_bar_spec, m)?)?;
    m.add(
        "UwFlowBarSpecError",
        m.py().get_type::<UwFlowBarSpecError>(),
    )
}

fn spec_error(py: Python<'_>, err: &FlowBarSpecError) -> PyErr {
    let py_err = UwFlowBarSpecError::new_err(err.to_string());
    let value = py_err.value(py);
    // Attribute setting on a fresh exception instance cannot fail short of memory exhaustion.
    let _ = value.setattr("kind", err.kind());
    let _ = value.setattr("context", "UwFlowBar");
    let _ = value.setattr("field", crate::common::error::clip(err.key()));
    py_err
}

/// The spec of `metadata`: a mapping (`DataType.metadata`) or `(key, value)` pairs, each value
/// read as `str(value)` as a subscription reads it.
fn parse_spec(metadata: &Bound<'_, PyAny>) -> PyResult<FlowBarSpec> {
    let py = metadata.py();
    let items = if let Ok(dict) = metadata.cast::<PyDict>() {
        dict.items().into_any()
    } else if metadata.hasattr("items")? {
        metadata.call_method0("items")?
    } else {
        metadata.clone()
    };
    let mut pairs = Vec::new();
    for item in items.try_iter()? {
        let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract().map_err(|_| {
            PyTypeError::new_err("metadata must be a dict or a list of (key, value) pairs")
        })?;
        pairs.push((key.str()?.to_string(), value.str()?.to_string()));
    }
    FlowBarSpec::from_metadata(&pairs).map_err(|e| spec_error(py, &e))
}

/// Checks a `UwFlowBar` subscription's metadata and returns it in canonical form, every key
/// spelled out (`{"ticker": "SPY", "interval": "1s", "expiry": "all", ...}`): two subscriptions
/// describe the same bars exactly when these are equal.
///
/// A malformed value, a missing or unknown key raises `UwFlowBarSpecError` (a `ValueError`)
/// naming the key and the forms it accepts.
#[pyfunction]
pub fn flow_bar_spec<'py>(metadata: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let spec = parse_spec(metadata)?;
    let out = PyDict::new(metadata.py());
    for (key, value) in spec.to_metadata() {
        out.set_item(key, value)?;
    }
    Ok(out)
}

/// The `UwFlowBar`s a subscription with `metadata` gives over stored option prints: a list of
/// `UwOptionTrade` (or `CustomData` holding them, as a catalog query returns), in any order.
///
/// The prints are sorted by event time (equal times keep their order) and fed to the same
/// aggregator the live feed runs, so research sees the bars a strategy saw; the last time bar
/// is closed at the end of the prints, an unfinished `every` bar is not returned. With
/// `as_arrived=True` the prints are taken in the given order instead, `ts_init` their arrival,
/// and each arrival first closes the quiet intervals whose grace had run out by then, as the
/// live flush did: a recording's prints in arrival order give the bars the live feed delivered
/// (late prints included; a grace-closed bar built when its grace ran out). Instrument
/// ids are written on `venue`. Metadata errors raise `UwFlowBarSpecError`.
#[pyfunction]
#[pyo3(signature = (prints, metadata, venue=DEFAULT_VENUE, as_arrived=false))]
pub fn flow_bars<'py>(
    py: Python<'py>,
    prints: &Bound<'py, PyAny>,
    metadata: &Bound<'py, PyAny>,
    venue: &str,
    as_arrived: bool,
) -> PyResult<Bound<'py, PyList>> {
    let spec = parse_spec(metadata)?;
    let mut held: Vec<Bound<'py, UwOptionTrade>> = Vec::new();
    for (i, item) in prints.try_iter()?.enumerate() {
        let item = item?;
        let record = record_or_wrapped::<UwOptionTrade>(&item, |found| {
            format!("flow_bars takes UwOptionTrade prints; item {i} is a {found}")
        })?;
        held.push(record);
    }
    let records: Vec<&OptionTrade> = held.iter().map(|r| r.get().record()).collect();
    let ids = id_format(venue, None);
    let bars = py.detach(|| {
        if as_arrived {
            crate::aggregate::flow_bars_as_arrived(records.iter().copied(), &spec, &ids)
        } else {
            crate::aggregate::flow_bars(records.iter().copied(), &spec, &ids)
        }
    });
    let out = PyList::empty(py);
    for bar in bars {
        out.append(bar.into_py_data(py)?)?;
    }
    Ok(out)
}
