//! The restricted master of column generation, driven through the HiGHS C
//! API: columns arrive in batches between solves and the basis is kept.

use crate::input::settings::Settings;

/// A column of the master problem: its cost and its (row, coefficient) entries.
#[derive(Debug, Clone)]
pub(crate) struct MasterColumn {
    /// Objective coefficient.
    pub cost: f64,
    /// Nonzeros as (row index, value).
    pub entries: Vec<(usize, f64)>,
}

/// An LP optimum of the master: primal values of its columns, duals of its rows.
#[derive(Debug, Clone)]
pub(crate) struct MasterLp {
    /// Objective value.
    pub objective: f64,
    /// Column values.
    pub columns: Vec<f64>,
    /// Row duals (HiGHS's sign: <= 0 on an active upper bound when minimising).
    pub row_duals: Vec<f64>,
}

/// The restricted master of a column generation: fixed rows, columns added
/// between solves, and the simplex basis kept across solves (HiGHS hot start).
/// Driven through the HiGHS C API because columns arrive in batches.
pub(crate) struct Master {
    highs: *mut std::ffi::c_void,
}

// SAFETY: the HiGHS instance is owned by one `Master`, and `&mut self` on
// every call that changes it means one thread at a time uses it.
unsafe impl Send for Master {}

impl Drop for Master {
    fn drop(&mut self) {
        // SAFETY: created by Highs_create in `new`, destroyed once here.
        unsafe { highs_sys::Highs_destroy(self.highs) }
    }
}

impl Master {
    /// A master with rows `lower[i] <= a_i x <= upper[i]` and no columns.
    pub fn new(lower: &[f64], upper: &[f64], settings: &Settings) -> Result<Master, String> {
        if lower.len() != upper.len() {
            return Err(format!(
                "{} lower and {} upper row bounds",
                lower.len(),
                upper.len()
            ));
        }
        let rows = c_int(lower.len(), "rows")?;
        // SAFETY: takes no arguments; the instance is checked for null below.
        let highs = unsafe { highs_sys::Highs_create() };
        if highs.is_null() {
            return Err("HiGHS could not create an instance".into());
        }
        let m = Master { highs };
        m.option_bool(c"output_flag", settings.solver_log)?;
        if settings.solver_log {
            m.option_bool(c"log_to_console", false)?;
            m.option_str(c"log_file", c"/dev/stderr")?;
        }
        m.option_int(c"threads", 1)?;
        m.option_int(c"random_seed", settings.seed as i32)?;
        // The master is re-solved from its last basis after columns are added:
        // presolve would throw the basis away.
        m.option_str(c"presolve", c"off")?;
        // SAFETY: `lower` and `upper` hold `rows` values each (checked above);
        // no matrix entries are passed, with null pointers as HiGHS allows.
        let status = unsafe {
            highs_sys::Highs_addRows(
                m.highs,
                rows,
                lower.as_ptr(),
                upper.as_ptr(),
                0,
                std::ptr::null(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        check(status, "adding master rows")?;
        Ok(m)
    }

    fn option_bool(&self, name: &std::ffi::CStr, v: bool) -> Result<(), String> {
        let st =
            // SAFETY: a live instance and a NUL-terminated name.
            unsafe { highs_sys::Highs_setBoolOptionValue(self.highs, name.as_ptr(), v as i32) };
        check(st, "setting an option")
    }
    fn option_int(&self, name: &std::ffi::CStr, v: i32) -> Result<(), String> {
        // SAFETY: a live instance and a NUL-terminated name.
        let st = unsafe { highs_sys::Highs_setIntOptionValue(self.highs, name.as_ptr(), v) };
        check(st, "setting an option")
    }
    fn option_f64(&self, name: &std::ffi::CStr, v: f64) -> Result<(), String> {
        // SAFETY: a live instance and a NUL-terminated name.
        let st = unsafe { highs_sys::Highs_setDoubleOptionValue(self.highs, name.as_ptr(), v) };
        check(st, "setting an option")
    }
    fn option_str(&self, name: &std::ffi::CStr, v: &std::ffi::CStr) -> Result<(), String> {
        let st =
            // SAFETY: a live instance, a NUL-terminated name and value.
            unsafe { highs_sys::Highs_setStringOptionValue(self.highs, name.as_ptr(), v.as_ptr()) };
        check(st, "setting an option")
    }

    /// A constant added to the objective (so that gaps are taken on the whole wave).
    pub fn set_offset(&mut self, offset: f64) -> Result<(), String> {
        // SAFETY: a live instance; a plain value.
        let st = unsafe { highs_sys::Highs_changeObjectiveOffset(self.highs, offset) };
        check(st, "setting the objective offset")
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        // SAFETY: a live instance.
        let n = unsafe { highs_sys::Highs_getNumCol(self.highs) };
        usize::try_from(n).unwrap_or(0)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        // SAFETY: a live instance.
        let n = unsafe { highs_sys::Highs_getNumRow(self.highs) };
        usize::try_from(n).unwrap_or(0)
    }

    /// Appends rows `lower[i] <= a_i x <= upper[i]` over the columns so far,
    /// row `i` having the (column, value) entries `entries[i]`.
    pub fn add_rows(
        &mut self,
        lower: &[f64],
        upper: &[f64],
        entries: &[Vec<(usize, f64)>],
    ) -> Result<(), String> {
        if lower.is_empty() {
            return Ok(());
        }
        if lower.len() != upper.len() || lower.len() != entries.len() {
            return Err(format!(
                "{} lower bounds, {} upper bounds and {} rows of entries",
                lower.len(),
                upper.len(),
                entries.len()
            ));
        }
        let rows = c_int(lower.len(), "rows")?;
        let (starts, index, value) = packed(entries.iter().map(Vec::as_slice), self.columns())?;
        let nonzeros = c_int(index.len(), "nonzeros")?;
        // SAFETY: `lower`, `upper` and `starts` hold `rows` values each,
        // `index` and `value` hold `nonzeros` (checked above and by `packed`,
        // which also checks every column index against the columns so far).
        let st = unsafe {
            highs_sys::Highs_addRows(
                self.highs,
                rows,
                lower.as_ptr(),
                upper.as_ptr(),
                nonzeros,
                starts.as_ptr(),
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        check(st, "adding master rows")
    }

    /// Appends columns with bounds [0, 1].
    pub fn add_columns(&mut self, cols: &[MasterColumn]) -> Result<(), String> {
        if cols.is_empty() {
            return Ok(());
        }
        let costs: Vec<f64> = cols.iter().map(|c| c.cost).collect();
        let lower = vec![0.0; cols.len()];
        let upper = vec![1.0; cols.len()];
        let n = c_int(cols.len(), "columns")?;
        let (starts, index, value) =
            packed(cols.iter().map(|c| c.entries.as_slice()), self.rows())?;
        let nonzeros = c_int(index.len(), "nonzeros")?;
        // SAFETY: `costs`, `lower`, `upper` and `starts` hold `n` values each,
        // `index` and `value` hold `nonzeros`, every row index checked by `packed`.
        let st = unsafe {
            highs_sys::Highs_addCols(
                self.highs,
                n,
                costs.as_ptr(),
                lower.as_ptr(),
                upper.as_ptr(),
                nonzeros,
                starts.as_ptr(),
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        check(st, "adding master columns")
    }

    /// Starts HiGHS's clock afresh: its time limit counts the total time of
    /// every run of an instance, not the time of one run.
    fn restart_clock(&self, time_limit_s: f64) -> Result<(), String> {
        // SAFETY: a live instance.
        let st = unsafe { highs_sys::Highs_zeroAllClocks(self.highs) };
        check(st, "resetting the clock")?;
        self.option_f64(c"time_limit", time_limit_s.max(0.01))
    }

    /// Solves the LP over the columns so far, from the last basis.
    pub fn solve_lp(&mut self, time_limit_s: f64) -> Result<MasterLp, String> {
        self.restart_clock(time_limit_s)?;
        // SAFETY: a live instance.
        let st = unsafe { highs_sys::Highs_run(self.highs) };
        check(st, "solving the master LP")?;
        // SAFETY: a live instance.
        let ms = unsafe { highs_sys::Highs_getModelStatus(self.highs) };
        if ms == highs_sys::MODEL_STATUS_MODEL_EMPTY {
            return Ok(MasterLp {
                objective: 0.0,
                columns: Vec::new(),
                row_duals: vec![0.0; self.rows()],
            });
        }
        if ms != highs_sys::MODEL_STATUS_OPTIMAL {
            return Err(format!("master LP stopped with HiGHS model status {ms}"));
        }
        let (columns, row_duals) = self.solution()?;
        // SAFETY: a live instance.
        let objective = unsafe { highs_sys::Highs_getObjectiveValue(self.highs) };
        Ok(MasterLp {
            objective,
            columns,
            row_duals,
        })
    }

    /// Makes every column integer and solves the MIP within the time limit:
    /// the column values of its incumbent, if it found one. Stops at a
    /// relative gap of `gap` or as soon as the incumbent costs at most `target`.
    pub fn solve_integer(&mut self, time_limit_s: f64, gap: f64, target: f64) -> Option<Vec<f64>> {
        let n = self.columns();
        let last = c_int(n, "columns").ok()? - 1;
        let integrality = vec![1i32; n];
        // SAFETY: `integrality` holds one value for each column 0..=last.
        let st = unsafe {
            highs_sys::Highs_changeColsIntegralityByRange(self.highs, 0, last, integrality.as_ptr())
        };
        check(st, "making master columns integer").ok()?;
        self.option_str(c"presolve", c"on").ok()?;
        self.option_f64(c"mip_rel_gap", gap).ok()?;
        self.option_f64(c"objective_target", target).ok()?;
        self.restart_clock(time_limit_s).ok()?;
        // SAFETY: a live instance.
        let st = unsafe { highs_sys::Highs_run(self.highs) };
        check(st, "solving the master MIP").ok()?;
        let mut ps = 0;
        // SAFETY: a live instance, a NUL-terminated name, and a valid int to write.
        let st = unsafe {
            highs_sys::Highs_getIntInfoValue(
                self.highs,
                c"primal_solution_status".as_ptr(),
                &mut ps,
            )
        };
        check(st, "reading the master MIP status").ok()?;
        if ps != highs_sys::SOLUTION_STATUS_FEASIBLE {
            return None;
        }
        self.solution().ok().map(|(columns, _)| columns)
    }

    /// Column values and row duals of the last solve.
    fn solution(&self) -> Result<(Vec<f64>, Vec<f64>), String> {
        let (n, m) = (self.columns(), self.rows());
        let mut columns = vec![0.0; n];
        let mut col_dual = vec![0.0; n];
        let mut row_value = vec![0.0; m];
        let mut row_duals = vec![0.0; m];
        // SAFETY: each buffer holds as many values as HiGHS has columns or rows.
        let st = unsafe {
            highs_sys::Highs_getSolution(
                self.highs,
                columns.as_mut_ptr(),
                col_dual.as_mut_ptr(),
                row_value.as_mut_ptr(),
                row_duals.as_mut_ptr(),
            )
        };
        check(st, "reading the master solution")?;
        Ok((columns, row_duals))
    }
}

/// Sparse vectors as HiGHS takes them: start of each, indices, values.
type Packed = (Vec<i32>, Vec<i32>, Vec<f64>);

/// Packs sparse vectors; every index must be below `bound` (the columns or
/// rows it refers to).
fn packed<'a>(
    vectors: impl Iterator<Item = &'a [(usize, f64)]>,
    bound: usize,
) -> Result<Packed, String> {
    let (mut starts, mut index, mut value) = (Vec::new(), Vec::new(), Vec::new());
    for vector in vectors {
        starts.push(c_int(index.len(), "nonzeros")?);
        for &(i, v) in vector {
            if i >= bound {
                return Err(format!("index {i} of a sparse vector is not below {bound}"));
            }
            index.push(c_int(i, "index")?);
            value.push(v);
        }
    }
    Ok((starts, index, value))
}

/// `n` as the C int HiGHS counts in.
fn c_int(n: usize, what: &str) -> Result<i32, String> {
    i32::try_from(n).map_err(|_| format!("{n} {what}: more than HiGHS can count"))
}

fn check(status: i32, what: &str) -> Result<(), String> {
    if status == highs_sys::STATUS_ERROR {
        Err(format!("HiGHS error while {what}"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_master_refuses_lengths_that_disagree_instead_of_reading_past_them() {
        let settings = Settings::default();
        assert!(Master::new(&[1.0, 1.0], &[1.0], &settings).is_err());
        let mut m = Master::new(&[1.0], &[1.0], &settings).expect("one row");
        let column = |row: usize| MasterColumn {
            cost: 1.0,
            entries: vec![(row, 1.0)],
        };
        assert!(m.add_columns(&[column(1)]).is_err(), "row 1 of 1");
        m.add_columns(&[column(0)]).expect("row 0 exists");
        assert!(m.add_rows(&[0.0], &[1.0, 2.0], &[vec![]]).is_err());
        assert!(m.add_rows(&[0.0], &[1.0], &[]).is_err());
        assert!(
            m.add_rows(&[0.0], &[1.0], &[vec![(1, 1.0)]]).is_err(),
            "column 1 of 1"
        );
        m.add_rows(&[0.0], &[1.0], &[vec![(0, 1.0)]])
            .expect("column 0 exists");
        assert_eq!((m.rows(), m.columns()), (2, 1));
        let lp = m.solve_lp(10.0).expect("an LP optimum");
        assert_eq!(lp.columns.len(), 1);
    }
}
