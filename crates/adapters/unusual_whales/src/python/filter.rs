//! `subscription_matches`: the live client's subscription filters over stored records, so that a
//! backtest delivers to a subscription what the live feed would have.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::data::record::UwRecord;
use crate::data::view::RecordView;
use crate::data::*;
use crate::python::records::{IntoPyData, record_or_wrapped};
use crate::subscription::filter::history_filter_keys;
use crate::subscription::metadata::UwFilter;
use crate::subscription::source::stream_source;

/// Adds this module's function to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(subscription_matches, m)?)
}

/// For each of `records` (objects of `type_name`'s class, or `CustomData` holding them), whether
/// a live subscription to `type_name` with `metadata` (`(key, value)` text pairs, as a
/// subscription reads them) receives it: the same filter the live client evaluates.
///
/// Bad metadata raises `ValueError` with the message a subscription gets; an item of another type
/// raises `TypeError` naming its position.
#[pyfunction]
pub fn subscription_matches(
    type_name: &str,
    metadata: Vec<(String, String)>,
    records: &Bound<'_, PyAny>,
) -> PyResult<Vec<bool>> {
    // A streamed type takes its subscription keys; a REST-only one (a catalog of downloaded
    // history) the keys its history requests take.
    let keys = match stream_source(type_name) {
        Ok((_, keys)) => keys,
        Err(_) => history_filter_keys(type_name),
    };
    let filter = UwFilter::from_metadata(type_name, keys, &metadata)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    macro_rules! match_type {
        ($($rec:ident),*) => {
            $(
                if type_name == <$rec as UwRecord>::TYPE_NAME {
                    return matches_of::<$rec>(type_name, &filter, records);
                }
            )*
        };
    }
    crate::data::with_record_types!(match_type);
    Err(PyValueError::new_err(format!(
        "unknown UW data type {type_name:?}"
    )))
}

fn matches_of<R>(
    type_name: &str,
    filter: &UwFilter,
    records: &Bound<'_, PyAny>,
) -> PyResult<Vec<bool>>
where
    R: IntoPyData + RecordView,
    <R as IntoPyData>::Class: pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Sync,
{
    let mut out = Vec::new();
    for (i, item) in records.try_iter()?.enumerate() {
        let item = item?;
        let object = record_or_wrapped::<<R as IntoPyData>::Class>(&item, |found| {
            format!(
                "records must be {type_name} objects (or CustomData holding them); item {i} is a {found}"
            )
        })?;
        out.push(filter.matches(R::held(object.get())));
    }
    Ok(out)
}
