//! The few HiGHS C calls that the `highs` crate's safe API lacks, made on a
//! `highs::Model` that the caller owns: the only file of the crate that may
//! use `unsafe`.
//!
//! The column-generation master needs, beyond what `highs::Model` offers:
//! - rows added in one call (`Highs_addRows`): see [`add_rows`];
//! - an objective offset (`Highs_changeObjectiveOffset`): the crate always
//!   passes an offset of 0, and a fixed column in its place would change the
//!   LP HiGHS solves (its size, its basis, its iterations);
//! - restarting HiGHS's clock (`Highs_zeroAllClocks`): HiGHS's `time_limit`
//!   counts the time of every run of an instance, and the master runs many;
//! - making its existing columns integer (`Highs_changeColsIntegralityByRange`):
//!   the crate sets integrality only when it adds a column;
//! - a starting basis (`Highs_setBasis`): the first master LP would otherwise
//!   start from the slack basis and pivot each order's column in, one
//!   iteration per order (3 s of peak-l's 60);
//! - moving a model to another thread: `highs::Model` is not `Send`.
//!
//! Every function checks what it hands to C before the call.

use highs::Model;

use super::SolverError;

/// A HiGHS model that may move to another thread.
pub(super) struct SendModel(Model);

// SAFETY: the HiGHS instance inside belongs to this one value and HiGHS keeps
// no reference to the thread that made it (its task scheduler is per calling
// thread, set up by each run); without `Sync`, `&mut self` (or ownership) on
// every use means one thread at a time touches it.
unsafe impl Send for SendModel {}

impl SendModel {
    /// Wraps a model.
    pub fn new(model: Model) -> SendModel {
        SendModel(model)
    }

    /// The model.
    pub fn get_mut(&mut self) -> &mut Model {
        &mut self.0
    }

    /// The model, to be solved (which consumes it).
    pub fn into_inner(self) -> Model {
        self.0
    }
}

/// Sets the constant added to the objective.
pub(super) fn change_objective_offset(model: &mut Model, offset: f64) -> Result<(), SolverError> {
    let highs = model.as_mut_ptr();
    // SAFETY: `highs` is the live instance owned by `model`, borrowed
    // mutably for the call; the offset is a plain value.
    let status = unsafe { highs_sys::Highs_changeObjectiveOffset(highs, offset) };
    check(status, "setting the objective offset")
}

/// Starts HiGHS's clocks afresh.
pub(super) fn zero_all_clocks(model: &mut Model) -> Result<(), SolverError> {
    let highs = model.as_mut_ptr();
    // SAFETY: `highs` is the live instance owned by `model`, borrowed
    // mutably for the call.
    let status = unsafe { highs_sys::Highs_zeroAllClocks(highs) };
    check(status, "resetting the clock")
}

/// Makes every column of the model integer.
pub(super) fn make_columns_integer(model: &mut Model) -> Result<(), SolverError> {
    let columns = model.num_cols();
    let last = c_int(columns, "columns")? - 1;
    let integrality = vec![highs_sys::VAR_TYPE_INTEGER; columns];
    // The range 0..=last must cover exactly the values passed (none when the
    // model has no columns: HiGHS then reads nothing).
    if integrality.len() != columns || last + 1 != c_int(integrality.len(), "columns")? {
        return Err(SolverError::Arguments(
            "integrality values and columns disagree".into(),
        ));
    }
    let highs = model.as_mut_ptr();
    // SAFETY: `highs` is the live instance owned by `model`, borrowed
    // mutably for the call; `integrality` holds one value for each of the
    // columns 0..=last, which are the model's columns (checked above), and
    // HiGHS only reads it during the call.
    let status = unsafe {
        highs_sys::Highs_changeColsIntegralityByRange(highs, 0, last, integrality.as_ptr())
    };
    check(status, "making master columns integer")
}

/// Sets the simplex basis the next run starts from: columns `basic` (one per
/// row `0..basic.len()`, taking those rows' places) in the basis, with the
/// slacks of the other rows; every other column and those rows at their
/// lower bounds.
pub(super) fn set_basis(model: &mut Model, basic: &[usize]) -> Result<(), SolverError> {
    let (columns, rows) = (model.num_cols(), model.num_rows());
    let mut col_status = vec![highs_sys::kHighsBasisStatusLower; columns];
    let mut row_status = vec![highs_sys::kHighsBasisStatusBasic; rows];
    if basic.len() > rows {
        return Err(SolverError::Arguments(format!(
            "{} basic columns for {rows} rows",
            basic.len()
        )));
    }
    for (row, &column) in basic.iter().enumerate() {
        match col_status.get_mut(column) {
            Some(status) if *status != highs_sys::kHighsBasisStatusBasic => {
                *status = highs_sys::kHighsBasisStatusBasic;
            }
            _ => {
                return Err(SolverError::Arguments(format!(
                    "column {column} is not one of {columns} or is basic twice"
                )));
            }
        }
        row_status[row] = highs_sys::kHighsBasisStatusLower;
    }
    let highs = model.as_mut_ptr();
    // SAFETY: `highs` is the live instance owned by `model`, borrowed
    // mutably for the call; `col_status` holds one status per column and
    // `row_status` one per row of the model (both made at its sizes above),
    // and HiGHS only reads them during the call.
    let status =
        unsafe { highs_sys::Highs_setBasis(highs, col_status.as_ptr(), row_status.as_ptr()) };
    check(status, "setting the master's basis")
}

/// Appends rows `lower[i] <= a_i x <= upper[i]` to the model, row `i`
/// having the (column, value) entries `entries[i]`, in one call.
///
/// The `highs` crate adds one row a call, and HiGHS inserts each row into
/// its column-wise matrix by moving the whole matrix: 50,000 rows over
/// 20,000 to 60,000 columns, in ten batches, took 35 s one at a time and
/// 0.7 s in batches. (Columns, appended at the end of that matrix, go
/// through the crate one at a time at no such cost.)
pub(super) fn add_rows(
    model: &mut Model,
    lower: &[f64],
    upper: &[f64],
    entries: &[Vec<(usize, f64)>],
) -> Result<(), SolverError> {
    if lower.len() != upper.len() || lower.len() != entries.len() {
        return Err(SolverError::Arguments(format!(
            "{} lower bounds, {} upper bounds and {} rows of entries",
            lower.len(),
            upper.len(),
            entries.len()
        )));
    }
    let rows = c_int(lower.len(), "rows")?;
    c_int(model.num_rows() + lower.len(), "rows")?;
    let (starts, index, value) = packed(entries, model.num_cols())?;
    let nonzeros = c_int(index.len(), "nonzeros")?;
    if starts.len() != lower.len() || value.len() != index.len() {
        return Err(SolverError::Arguments(
            "packed rows and their bounds disagree".into(),
        ));
    }
    let highs = model.as_mut_ptr();
    // SAFETY: `highs` is the live instance owned by `model`, borrowed
    // mutably for the call; `lower`, `upper` and `starts` hold `rows` values
    // each, `index` and `value` hold `nonzeros` (all checked above), every
    // start is at most `nonzeros` and every column index is below the
    // model's column count (checked by `packed`); HiGHS only reads them
    // during the call.
    let status = unsafe {
        highs_sys::Highs_addRows(
            highs,
            rows,
            lower.as_ptr(),
            upper.as_ptr(),
            nonzeros,
            starts.as_ptr(),
            index.as_ptr(),
            value.as_ptr(),
        )
    };
    check(status, "adding master rows")
}

/// Sparse vectors as HiGHS takes them: start of each, indices, values.
type Packed = (Vec<i32>, Vec<i32>, Vec<f64>);

/// Packs sparse vectors; every index must be below `bound` (the columns
/// they refer to).
fn packed(vectors: &[Vec<(usize, f64)>], bound: usize) -> Result<Packed, SolverError> {
    let (mut starts, mut index, mut value) = (Vec::new(), Vec::new(), Vec::new());
    for vector in vectors {
        starts.push(c_int(index.len(), "nonzeros")?);
        for &(i, v) in vector {
            if i >= bound {
                return Err(SolverError::Arguments(format!(
                    "index {i} of a sparse vector is not below {bound}"
                )));
            }
            index.push(c_int(i, "index")?);
            value.push(v);
        }
    }
    Ok((starts, index, value))
}

/// `n` as the C int HiGHS counts in.
pub(super) fn c_int(n: usize, what: &str) -> Result<i32, SolverError> {
    i32::try_from(n)
        .map_err(|_| SolverError::Arguments(format!("{n} {what}: more than HiGHS can count")))
}

fn check(status: i32, what: &str) -> Result<(), SolverError> {
    if status == highs_sys::STATUS_ERROR {
        Err(SolverError::highs(what))
    } else {
        Ok(())
    }
}
