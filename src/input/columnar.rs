//! Columnar I/O (feature `columnar`): the scenario's big tables as Arrow
//! record batches and Parquet files.
//!
//! serde_arrow maps the very records the CSV tables deserialize into to
//! Arrow columns, so a column means in Parquet and in a DataFrame what it
//! means in CSV. Incoming columns are cast to the record's types first:
//! integers where numbers are wanted, dictionary (categorical) strings,
//! dates and timestamps where text is wanted all read as a CSV cell would.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, new_null_array};
use arrow_cast::{CastOptions, cast, cast_with_options};
use arrow_schema::{ArrowError, DataType, FieldRef, Schema, SchemaRef, TimeUnit};
use arrow_select::concat::concat_batches;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_arrow::schema::{SchemaLike, TracingOptions};

use crate::error::DomoptError;

/// The Arrow fields of a record type, as serde_arrow traces them: plain
/// (not large) strings and lists, which pandas, polars and Parquet readers
/// all take.
pub(crate) fn fields_of<'de, T: serde::Deserialize<'de>>() -> Result<Vec<FieldRef>, DomoptError> {
    fields_with_dates::<T>(&[])
}

/// [`fields_of`], with the named fields (chrono dates) as Arrow dates.
pub(crate) fn fields_with_dates<'de, T: serde::Deserialize<'de>>(
    dates: &[&str],
) -> Result<Vec<FieldRef>, DomoptError> {
    let fail = |e: serde_arrow::Error| DomoptError::parse_with("<schema>", e.to_string(), e);
    let mut options = TracingOptions::default()
        .strings_as_large_utf8(false)
        .sequence_as_large_list(false);
    for &name in dates {
        let field = serde_json::json!({"name": name, "data_type": "Date32"});
        options = options.overwrite(name, field).map_err(fail)?;
    }
    Vec::<FieldRef>::from_type::<T>(options).map_err(fail)
}

/// Rows of record type `T` as one record batch.
pub(crate) fn batch_of<T>(rows: &[T], table: &str) -> Result<RecordBatch, DomoptError>
where
    T: Serialize + DeserializeOwned,
{
    let fields = fields_of::<T>()?;
    serde_arrow::to_record_batch(&fields, &rows)
        .map_err(|e| DomoptError::parse_with(table, e.to_string(), e))
}

/// The rows of `batch` as records of type `T`. Every column must be one of
/// `T`'s fields (a misspelt column is an error, as in CSV); a missing
/// optional column reads as empty cells.
pub(crate) fn rows_of<T: DeserializeOwned>(
    batch: &RecordBatch,
    table: &str,
) -> Result<Vec<T>, DomoptError> {
    let fields = fields_of::<T>()?;
    let conformed = conform(batch, &fields, table)?;
    serde_arrow::from_record_batch(&conformed)
        .map_err(|e| DomoptError::parse_with(table, e.to_string(), e))
}

/// The rows of a batch this crate wrote, as records of type `T` (whose
/// fields may be chrono dates: Arrow dates are read as their text).
pub(crate) fn rows_as_written<T: DeserializeOwned>(
    batch: &RecordBatch,
    table: &str,
) -> Result<Vec<T>, DomoptError> {
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if field.data_type() == &DataType::Date32 {
            fields.push(Arc::new(field.as_ref().clone().with_data_type(DataType::Utf8)));
            columns.push(cast_to(column, &DataType::Utf8, field.name(), table)?);
        } else {
            fields.push(field.clone());
            columns.push(column.clone());
        }
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| DomoptError::parse_with(table, e.to_string(), e))?;
    serde_arrow::from_record_batch(&batch)
        .map_err(|e| DomoptError::parse_with(table, e.to_string(), e))
}

/// `batch` with exactly `fields`, in their order and types.
fn conform(
    batch: &RecordBatch,
    fields: &[FieldRef],
    table: &str,
) -> Result<RecordBatch, DomoptError> {
    let schema = batch.schema();
    let known: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
    let unknown: Vec<&str> = schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .filter(|n| !known.contains(n))
        .collect();
    if !unknown.is_empty() {
        return Err(DomoptError::parse(
            table,
            format!(
                "unknown column(s) {}: the columns are {}",
                unknown.join(", "),
                known.join(", ")
            ),
        ));
    }
    let mut columns = Vec::with_capacity(fields.len());
    let mut missing = Vec::new();
    for field in fields {
        match batch.column_by_name(field.name()) {
            Some(column) => columns.push(cast_to(column, field.data_type(), field.name(), table)?),
            None if field.is_nullable() => {
                columns.push(new_null_array(field.data_type(), batch.num_rows()))
            }
            None => {
                missing.push(field.name().as_str());
                columns.push(new_null_array(field.data_type(), 0));
            }
        }
    }
    if !missing.is_empty() {
        return Err(DomoptError::parse(
            table,
            format!("missing column(s) {}", missing.join(", ")),
        ));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields.to_vec())), columns)
        .map_err(|e| DomoptError::parse_with(table, e.to_string(), e))
}

/// One column cast to the type its field wants. Casts are strict: a value
/// that does not fit (a negative count, text that is not a number) is an
/// error naming the column, never a silently wrapped or nulled value.
fn cast_to(
    column: &ArrayRef,
    wanted: &DataType,
    name: &str,
    table: &str,
) -> Result<ArrayRef, DomoptError> {
    let options = CastOptions {
        safe: false,
        ..Default::default()
    };
    let fail = |e: ArrowError| {
        DomoptError::parse_with(table, format!("column {name}: {e}"), e)
    };
    // A timestamp as text: whole seconds in the wire format's
    // `YYYY-MM-DDTHH:MM:SS` (a zoned timestamp reads as its UTC time).
    let column = match (column.data_type(), wanted) {
        (DataType::Timestamp(unit, _), DataType::Utf8) if *unit != TimeUnit::Second => {
            let truncated = cast(
                column,
                &DataType::Timestamp(TimeUnit::Second, None),
            )
            .map_err(fail)?;
            cast_with_options(&truncated, wanted, &options).map_err(fail)?
        }
        (DataType::Timestamp(_, Some(_)), DataType::Utf8) => {
            let naive = cast(
                column,
                &DataType::Timestamp(TimeUnit::Second, None),
            )
            .map_err(fail)?;
            cast_with_options(&naive, wanted, &options).map_err(fail)?
        }
        _ => cast_with_options(column, wanted, &options).map_err(fail)?,
    };
    Ok(column)
}

/// A Parquet file as one record batch.
pub fn read_parquet(path: &Path) -> Result<RecordBatch, DomoptError> {
    let (schema, batches) = read_parquet_batches(path)?;
    concat_batches(&schema, &batches).map_err(|e| DomoptError::parse_with(path, e.to_string(), e))
}

/// Rows decoded per batch: large enough that per-batch overhead vanishes,
/// small enough that the batches of a large table spread over the cores.
const BATCH_ROWS: usize = 1 << 16;

fn read_parquet_batches(path: &Path) -> Result<(SchemaRef, Vec<RecordBatch>), DomoptError> {
    let file = std::fs::File::open(path).map_err(|e| DomoptError::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(unreadable(path))?
        .with_batch_size(BATCH_ROWS);
    let schema = builder.schema().clone();
    let reader = builder.build().map_err(unreadable(path))?;
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DomoptError::parse_with(path, e.to_string(), e))?;
    Ok((schema, batches))
}

/// The rows of a Parquet table as records of type `T`. Its row groups are
/// decoded and converted in parallel, a batch at a time, so that no decoded
/// copy of the whole table is held; the rows keep the file's order. A file
/// without rows still has its columns checked.
pub(crate) fn parquet_rows<T: DeserializeOwned + Send>(path: &Path) -> Result<Vec<T>, DomoptError> {
    use rayon::prelude::*;
    let file = std::fs::File::open(path).map_err(|e| DomoptError::io(path, e))?;
    let metadata = ArrowReaderMetadata::load(&file, Default::default()).map_err(unreadable(path))?;
    let name = path.display().to_string();
    let empty = RecordBatch::new_empty(metadata.schema().clone());
    let mut rows = rows_of::<T>(&empty, &name)?;
    let groups = metadata.metadata().num_row_groups();
    let parts = (0..groups)
        .into_par_iter()
        .map(|g| row_group_rows::<T>(path, &metadata, g, &name))
        .collect::<Result<Vec<_>, _>>()?;
    rows.reserve_exact(parts.iter().map(Vec::len).sum());
    parts.into_iter().for_each(|part| rows.extend(part));
    Ok(rows)
}

/// The rows of row group `group`, a batch at a time.
fn row_group_rows<T: DeserializeOwned>(
    path: &Path,
    metadata: &ArrowReaderMetadata,
    group: usize,
    name: &str,
) -> Result<Vec<T>, DomoptError> {
    let file = std::fs::File::open(path).map_err(|e| DomoptError::io(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone())
        .with_batch_size(BATCH_ROWS)
        .with_row_groups(vec![group])
        .build()
        .map_err(unreadable(path))?;
    let expected = metadata.metadata().row_group(group).num_rows();
    let mut rows = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    for batch in reader {
        let batch = batch.map_err(|e| DomoptError::parse_with(path, e.to_string(), e))?;
        rows.extend(rows_of::<T>(&batch, name)?);
    }
    Ok(rows)
}

/// The error of a file the Parquet reader cannot read.
fn unreadable(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> DomoptError + '_ {
    move |e| DomoptError::parse_with(path, format!("not a readable Parquet file: {e}"), e)
}

/// A record batch as the bytes of a Parquet file (zstd-compressed; the
/// same batch gives the same bytes).
pub fn parquet_bytes(batch: &RecordBatch, name: &str) -> Result<Vec<u8>, DomoptError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build();
    let fail = |e: parquet::errors::ParquetError| DomoptError::io(name, std::io::Error::other(e));
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).map_err(fail)?;
    writer.write(batch).map_err(fail)?;
    writer.close().map_err(fail)?;
    Ok(out)
}

/// Writes a record batch as a Parquet file, all at once: a temporary file
/// beside `path`, renamed over it when complete.
pub fn write_parquet(batch: &RecordBatch, path: &Path) -> Result<(), DomoptError> {
    let bytes = parquet_bytes(batch, &path.display().to_string())?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    // A table is for others to read, as the CSV files beside it are.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut temp = builder
        .tempfile_in(parent)
        .map_err(|e| DomoptError::io(path, e))?;
    std::io::Write::write_all(&mut temp, &bytes).map_err(|e| DomoptError::io(path, e))?;
    temp.persist(path)
        .map_err(|e| DomoptError::io(path, e.error))?;
    Ok(())
}
