//! Tables crossing between Python and the core as Arrow, through the C
//! data interface (pyarrow on the Python side): a table in is read without
//! copying when it has one chunk, a record batch out is handed over as is.

use std::path::PathBuf;

use arrow::compute::concat_batches;
use arrow::pyarrow::{PyArrowType, Table, ToPyArrow};
use domopt::DomoptError;
use domopt::columnar::RecordBatch;
use pyo3::prelude::*;

use crate::errors::to_py;

/// A pyarrow Table as one record batch (its chunks joined only when it has
/// several). `name` names it in errors.
pub fn batch_of(table: PyArrowType<Table>, name: &str) -> Result<RecordBatch, DomoptError> {
    let (batches, schema) = table.0.into_inner();
    match <[RecordBatch; 1]>::try_from(batches) {
        Ok([one]) => Ok(one),
        Err(batches) => concat_batches(&schema, &batches)
            .map_err(|e| DomoptError::parse(format!("{name} table"), e.to_string())),
    }
}

/// A record batch as a pyarrow RecordBatch.
pub fn to_pyarrow<'py>(py: Python<'py>, batch: &RecordBatch) -> PyResult<Bound<'py, PyAny>> {
    batch.to_pyarrow(py)
}

/// Reads a Parquet file as one record batch (the GIL released).
#[pyfunction]
pub fn read_parquet(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let batch = py
        .detach(|| domopt::columnar::read_parquet(&path))
        .map_err(|e| to_py(py, e))?;
    to_pyarrow(py, &batch)
}

/// Writes a table as a zstd-compressed Parquet file (the GIL released).
#[pyfunction]
pub fn write_parquet(py: Python<'_>, table: PyArrowType<Table>, path: PathBuf) -> PyResult<()> {
    py.detach(|| {
        let name = path.display().to_string();
        domopt::columnar::write_parquet(&batch_of(table, &name)?, &path)
    })
    .map_err(|e| to_py(py, e))
}
