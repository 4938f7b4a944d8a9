//! UW's documented operations for Python: the table (for `uw-nt operations` and the generated
//! reference) and the generic answer's decoder.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::common::time::now_nanos;
use crate::http::operations::{
    Operation, OperationError, OperationRequest, PagingStyle, ParamIn, ResponseKind,
    operations as all_operations, parse_answer, table_meta,
};
use crate::python::errors::to_py_err;
use crate::python::parse::with_input_bytes;
use crate::python::records::IntoPyData;

fn paging_style(style: PagingStyle) -> &'static str {
    match style {
        PagingStyle::Cursor => "cursor",
        PagingStyle::Page => "page",
        PagingStyle::Offset => "offset",
        PagingStyle::None => "none",
    }
}

fn response_kind(kind: ResponseKind) -> &'static str {
    match kind {
        ResponseKind::Json => "json",
        ResponseKind::Zip => "zip",
        ResponseKind::None => "none",
    }
}

fn operation_dict<'py>(py: Python<'py>, op: &Operation) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", &op.name)?;
    d.set_item("id", &op.id)?;
    d.set_item("path", &op.path)?;
    d.set_item("tag", &op.tag)?;
    d.set_item("summary", &op.summary)?;
    d.set_item("response", response_kind(op.response))?;
    d.set_item("channel", op.channel.as_deref())?;
    d.set_item("channel_known", op.channel_kind().is_some())?;
    d.set_item("plan", op.plan.as_deref())?;
    d.set_item("record_type", op.record_type_name())?;
    d.set_item("typed_endpoint", op.typed_endpoint().map(|e| e.name()))?;
    let paging = PyDict::new(py);
    paging.set_item("style", paging_style(op.paging.style))?;
    paging.set_item("daily", op.paging.daily)?;
    paging.set_item("has_more", op.paging.has_more)?;
    paging.set_item("limit_max", op.paging.limit_max)?;
    paging.set_item("limit_default", op.paging.limit_default)?;
    d.set_item("paging", paging)?;
    let params = PyList::empty(py);
    for p in &op.params {
        let pd = PyDict::new(py);
        pd.set_item("name", &p.name)?;
        pd.set_item(
            "in",
            if p.location == ParamIn::Path {
                "path"
            } else {
                "query"
            },
        )?;
        pd.set_item("required", p.required)?;
        pd.set_item("type", &p.kind)?;
        pd.set_item("enum", p.allowed.clone())?;
        pd.set_item("minimum", p.minimum)?;
        pd.set_item("maximum", p.maximum)?;
        pd.set_item("default", p.default.as_deref())?;
        params.append(pd)?;
    }
    d.set_item("params", params)?;
    Ok(d)
}

/// Every GET operation of UW's OpenAPI document, in its order, as dicts: `name` (the adapter's
/// short name), `id` (UW's operation id), `path`, `tag`, `summary`, `response` (`json`, `zip`,
/// `none`), `channel` (what a `/api/socket/*` page documents) and `channel_known`, `plan` (the
/// document's plan or add-on requirement, or `None`), `record_type` (the typed record where the
/// registry has an endpoint of that path, else `UwApiResponse`), `typed_endpoint`, `paging`
/// (`style`: cursor, page, offset or none; `daily`; `has_more`; `limit_max`; `limit_default`)
/// and `params` (`name`, `in`, `required`, `type`, `enum`, `minimum`, `maximum`, `default`).
#[pyfunction]
pub fn operations(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for op in all_operations() {
        out.append(operation_dict(py, op)?)?;
    }
    Ok(out)
}

/// The operation `text` names (short name, UW's operation id, path template or concrete path),
/// as one dict of [`operations`], or `None`.
#[pyfunction]
pub fn find_operation<'py>(py: Python<'py>, text: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
    Operation::find(text)
        .map(|op| operation_dict(py, op))
        .transpose()
}

/// Where the operation table came from: `source_sha256` and `info_version` of UW's document,
/// and its `channel_forms`.
#[pyfunction]
pub fn operations_source(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let meta = table_meta();
    let d = PyDict::new(py);
    d.set_item("source_sha256", &meta.source_sha256)?;
    d.set_item("info_version", &meta.info_version)?;
    d.set_item("channel_forms", meta.channel_forms.clone())?;
    Ok(d)
}

/// Decodes UW's answer `body` to `operation` (short name, operation id or path) into a
/// `UwApiResponse` stamped `ts_init` (now when `None`). Raises `ValueError` for an unknown
/// operation and `UwParseError`/`UwErrorResponse` for a body that is not JSON or is UW's error.
#[pyfunction]
#[pyo3(signature = (operation, body, ts_init=None))]
pub fn parse_api_response<'py>(
    py: Python<'py>,
    operation: &str,
    body: &Bound<'py, PyAny>,
    ts_init: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let op = Operation::find(operation).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(
            OperationError::Unknown(operation.to_owned()).to_string(),
        )
    })?;
    let request = OperationRequest {
        operation: op,
        path_values: Vec::new(),
        query: Vec::new(),
    };
    let text = with_input_bytes(body, "body", |b| String::from_utf8_lossy(b).into_owned())?;
    let answer = parse_answer(&request, text, None, ts_init.unwrap_or_else(now_nanos))
        .map_err(|e| to_py_err(py, &e))?;
    answer.into_py_data(py)
}
