//! The few HiGHS C calls that the `highs` crate's safe API lacks, made on a
//! `highs::Model` that the caller owns: the only file of the crate that may
//! use `unsafe`.
//!
//! The column-generation master needs, beyond what `highs::Model` offers:
//! - an objective offset (`Highs_changeObjectiveOffset`): the crate always
//!   passes an offset of 0, and a fixed column in its place would change the
//!   LP HiGHS solves (its size, its basis, its iterations);
//! - restarting HiGHS's clock (`Highs_zeroAllClocks`): HiGHS's `time_limit`
//!   counts the time of every run of an instance, and the master runs many;
//! - making its existing columns integer (`Highs_changeColsIntegralityByRange`):
//!   the crate sets integrality only when it adds a column;
//! - moving a model to another thread: `highs::Model` is not `Send`.
//!
//! Every function checks what it hands to C before the call.

use highs::Model;

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
pub(super) fn change_objective_offset(model: &mut Model, offset: f64) -> Result<(), String> {
    let highs = model.as_mut_ptr();
    // SAFETY: `highs` is the live instance owned by `model`, borrowed
    // mutably for the call; the offset is a plain value.
    let status = unsafe { highs_sys::Highs_changeObjectiveOffset(highs, offset) };
    check(status, "setting the objective offset")
}

/// Starts HiGHS's clocks afresh.
pub(super) fn zero_all_clocks(model: &mut Model) -> Result<(), String> {
    let highs = model.as_mut_ptr();
    // SAFETY: `highs` is the live instance owned by `model`, borrowed
    // mutably for the call.
    let status = unsafe { highs_sys::Highs_zeroAllClocks(highs) };
    check(status, "resetting the clock")
}

/// Makes every column of the model integer.
pub(super) fn make_columns_integer(model: &mut Model) -> Result<(), String> {
    let columns = model.num_cols();
    let last = c_int(columns, "columns")? - 1;
    let integrality = vec![highs_sys::VAR_TYPE_INTEGER; columns];
    // The range 0..=last must cover exactly the values passed (none when the
    // model has no columns: HiGHS then reads nothing).
    if integrality.len() != columns || last + 1 != c_int(integrality.len(), "columns")? {
        return Err("integrality values and columns disagree".into());
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

/// `n` as the C int HiGHS counts in.
pub(super) fn c_int(n: usize, what: &str) -> Result<i32, String> {
    i32::try_from(n).map_err(|_| format!("{n} {what}: more than HiGHS can count"))
}

fn check(status: i32, what: &str) -> Result<(), String> {
    if status == highs_sys::STATUS_ERROR {
        Err(format!("HiGHS error while {what}"))
    } else {
        Ok(())
    }
}
