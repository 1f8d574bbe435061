//! The restricted master of column generation, driven through the `highs`
//! crate's safe API (and `super::ffi` for the few calls it lacks): columns
//! arrive in batches between solves and the basis is kept.

use highs::{Col, ColProblem, HighsModelStatus, HighsOptionValue, Model, Row, SolvedModel};

use super::ffi::{self, SendModel, c_int};
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
/// between solves, and the simplex basis kept across solves (HiGHS hot start:
/// a solved `highs::Model` turned back into a model keeps its basis).
pub(crate) struct Master {
    /// The HiGHS model; `None` only after HiGHS failed a run (the `highs`
    /// crate drops a model whose run fails).
    model: Option<SendModel>,
    /// Handles of the rows, by index.
    rows: Vec<Row>,
    /// Handles of the columns, by index.
    columns: Vec<Col>,
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
        c_int(lower.len(), "rows")?;
        let mut problem = ColProblem::new();
        let rows = lower
            .iter()
            .zip(upper)
            .map(|(&l, &u)| problem.add_row(l..=u))
            .collect();
        let model = Model::try_new(problem).map_err(|_| highs_error("adding master rows"))?;
        let mut m = Master {
            model: Some(SendModel::new(model)),
            rows,
            columns: Vec::new(),
        };
        m.configure(settings)?;
        Ok(m)
    }

    /// The options every master runs with (the `highs` crate made the model
    /// quiet; these decide what it logs).
    fn configure(&mut self, settings: &Settings) -> Result<(), String> {
        self.option("output_flag", settings.solver_log)?;
        if settings.solver_log {
            self.option("log_to_console", false)?;
            self.option("log_file", super::LOG_FILE)?;
        }
        self.option("threads", 1)?;
        self.option("random_seed", settings.seed as i32)?;
        // The master is re-solved from its last basis after columns are added:
        // presolve would throw the basis away.
        self.option("presolve", "off")
    }

    fn model(&mut self) -> Result<&mut Model, String> {
        self.model
            .as_mut()
            .map(SendModel::get_mut)
            .ok_or_else(|| "the HiGHS master was lost to an earlier HiGHS error".to_string())
    }

    fn option<V: HighsOptionValue>(&mut self, name: &str, value: V) -> Result<(), String> {
        self.model()?
            .try_set_option(name, value)
            .map_err(|_| highs_error("setting an option"))
    }

    /// A constant added to the objective (so that gaps are taken on the whole wave).
    pub fn set_offset(&mut self, offset: f64) -> Result<(), String> {
        ffi::change_objective_offset(self.model()?, offset)
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.columns.len()
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows.len()
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
        c_int(self.rows() + lower.len(), "rows")?;
        let entries = handles(entries, &self.columns)?;
        for ((&l, &u), row) in lower.iter().zip(upper).zip(entries) {
            let added = self
                .model()?
                .try_add_row(l..=u, row)
                .map_err(|_| highs_error("adding master rows"))?;
            self.rows.push(added);
        }
        Ok(())
    }

    /// Appends columns with bounds [0, 1].
    pub fn add_columns(&mut self, cols: &[MasterColumn]) -> Result<(), String> {
        if cols.is_empty() {
            return Ok(());
        }
        c_int(self.columns() + cols.len(), "columns")?;
        let entries: Vec<&[(usize, f64)]> = cols.iter().map(|c| c.entries.as_slice()).collect();
        let entries = handles(&entries, &self.rows)?;
        for (col, col_entries) in cols.iter().zip(entries) {
            let added = self
                .model()?
                .try_add_column(col.cost, 0.0..=1.0, col_entries)
                .map_err(|_| highs_error("adding master columns"))?;
            self.columns.push(added);
        }
        Ok(())
    }

    /// Starts HiGHS's clock afresh: its time limit counts the total time of
    /// every run of an instance, not the time of one run.
    fn restart_clock(&mut self, time_limit_s: f64) -> Result<(), String> {
        ffi::zero_all_clocks(self.model()?)?;
        self.option("time_limit", time_limit_s.max(0.01))
    }

    /// Runs HiGHS on the model. The caller hands the solved model back with
    /// [`Master::keep`]; a failed run loses it.
    fn run(&mut self, what: &str) -> Result<SolvedModel, String> {
        let model = self.model.take().ok_or_else(|| highs_error(what))?;
        model
            .into_inner()
            .try_solve()
            .map_err(|_| highs_error(what))
    }

    /// Takes a solved model back, its basis kept for the next solve.
    fn keep(&mut self, solved: SolvedModel) {
        self.model = Some(SendModel::new(Model::from(solved)));
    }

    /// Solves the LP over the columns so far, from the last basis.
    pub fn solve_lp(&mut self, time_limit_s: f64) -> Result<MasterLp, String> {
        self.restart_clock(time_limit_s)?;
        let solved = self.run("solving the master LP")?;
        let lp = match solved.status() {
            HighsModelStatus::ModelEmpty => Ok(MasterLp {
                objective: 0.0,
                columns: Vec::new(),
                row_duals: vec![0.0; self.rows()],
            }),
            HighsModelStatus::Optimal => {
                let solution = solved.get_solution();
                Ok(MasterLp {
                    objective: solved.objective_value(),
                    columns: solution.columns().to_vec(),
                    row_duals: solution.dual_rows().to_vec(),
                })
            }
            other => Err(format!(
                "master LP stopped with HiGHS model status {}",
                other as i32
            )),
        };
        self.keep(solved);
        lp
    }

    /// Makes every column integer and solves the MIP within the time limit:
    /// the column values of its incumbent, if it found one. Stops at a
    /// relative gap of `gap` or as soon as the incumbent costs at most `target`.
    pub fn solve_integer(&mut self, time_limit_s: f64, gap: f64, target: f64) -> Option<Vec<f64>> {
        ffi::make_columns_integer(self.model().ok()?).ok()?;
        self.option("presolve", "on").ok()?;
        self.option("mip_rel_gap", gap).ok()?;
        self.option("objective_target", target).ok()?;
        self.restart_clock(time_limit_s).ok()?;
        let solved = self.run("solving the master MIP").ok()?;
        let feasible = solved.int_info_value(c"primal_solution_status")
            == Ok(i64::from(highs_sys::SOLUTION_STATUS_FEASIBLE));
        let columns = feasible.then(|| solved.get_solution().columns().to_vec());
        self.keep(solved);
        columns
    }
}

/// Sparse vectors with HiGHS's handles in place of indices; every index must
/// name one of `handles` (the columns or rows it refers to).
fn handles<H: Copy>(
    vectors: &[impl AsRef<[(usize, f64)]>],
    handles: &[H],
) -> Result<Vec<Vec<(H, f64)>>, String> {
    vectors
        .iter()
        .map(|vector| {
            let vector = vector.as_ref();
            c_int(vector.len(), "nonzeros")?;
            vector
                .iter()
                .map(|&(i, v)| match handles.get(i) {
                    Some(&h) => Ok((h, v)),
                    None => Err(format!(
                        "index {i} of a sparse vector is not below {}",
                        handles.len()
                    )),
                })
                .collect()
        })
        .collect()
}

fn highs_error(what: &str) -> String {
    format!("HiGHS error while {what}")
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
