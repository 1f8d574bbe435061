//! The restricted master of column generation, driven through the `highs`
//! crate's safe API (and `super::ffi` for the few calls it lacks): columns
//! arrive in batches between solves and the basis is kept.

use highs::{
    ColProblem, HighsModelStatus, HighsOptionValue, HighsSolutionStatus, Model, Row, SolvedModel,
};

use super::SolverError;
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

/// How a master MIP runs: it stops at the time limit, at a relative gap of
/// `rel_gap` or an absolute one of `abs_gap`, or as soon as its incumbent
/// costs at most `target`; it starts from the column values `start`, if any.
pub(crate) struct MipRun<'a> {
    /// Seconds.
    pub time_limit_s: f64,
    /// Relative gap.
    pub rel_gap: f64,
    /// Absolute gap.
    pub abs_gap: f64,
    /// Objective at which any plan will do.
    pub target: f64,
    /// A plan to start from (a value per column).
    pub start: Option<&'a [f64]>,
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
    /// Number of columns.
    columns: usize,
}

impl Master {
    /// A master with rows `lower[i] <= a_i x <= upper[i]` and no columns.
    pub fn new(lower: &[f64], upper: &[f64], settings: &Settings) -> Result<Master, SolverError> {
        if lower.len() != upper.len() {
            return Err(SolverError::Arguments(format!(
                "{} lower and {} upper row bounds",
                lower.len(),
                upper.len()
            )));
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
            columns: 0,
        };
        m.configure(settings)?;
        Ok(m)
    }

    /// The options every master runs with (the `highs` crate made the model
    /// quiet; these decide what it logs).
    fn configure(&mut self, settings: &Settings) -> Result<(), SolverError> {
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

    fn model(&mut self) -> Result<&mut Model, SolverError> {
        self.model
            .as_mut()
            .map(SendModel::get_mut)
            .ok_or(SolverError::Lost)
    }

    fn option<V: HighsOptionValue>(&mut self, name: &str, value: V) -> Result<(), SolverError> {
        self.model()?
            .try_set_option(name, value)
            .map_err(|_| highs_error("setting an option"))
    }

    /// A constant added to the objective (so that gaps are taken on the whole wave).
    pub fn set_offset(&mut self, offset: f64) -> Result<(), SolverError> {
        ffi::change_objective_offset(self.model()?, offset)
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.columns
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
    ) -> Result<(), SolverError> {
        if lower.is_empty() {
            return Ok(());
        }
        // In one call through the C API: see `ffi::add_rows`.
        ffi::add_rows(self.model()?, lower, upper, entries)?;
        let rows = self.rows() + lower.len();
        self.rows.extend(row_handles(self.rows(), rows));
        Ok(())
    }

    /// Appends columns with bounds [0, 1].
    pub fn add_columns(&mut self, cols: &[MasterColumn]) -> Result<(), SolverError> {
        if cols.is_empty() {
            return Ok(());
        }
        c_int(self.columns() + cols.len(), "columns")?;
        let entries = cols
            .iter()
            .map(|col| row_entries(&col.entries, &self.rows))
            .collect::<Result<Vec<_>, SolverError>>()?;
        for (col, col_entries) in cols.iter().zip(entries) {
            self.model()?
                .try_add_column(col.cost, 0.0..=1.0, col_entries)
                .map_err(|_| highs_error("adding master columns"))?;
            self.columns += 1;
        }
        Ok(())
    }

    /// Makes the next solve start from columns `basic` in the basis, column
    /// `basic[i]` in place of row `i` (which must then be an equality row:
    /// it leaves the basis at its bound), the slacks of the other rows, and
    /// every other column at 0.
    pub fn start_basis(&mut self, basic: &[usize]) -> Result<(), SolverError> {
        ffi::set_basis(self.model()?, basic)
    }

    /// Starts HiGHS's clock afresh: its time limit counts the total time of
    /// every run of an instance, not the time of one run.
    fn restart_clock(&mut self, time_limit_s: f64) -> Result<(), SolverError> {
        ffi::zero_all_clocks(self.model()?)?;
        self.option("time_limit", time_limit_s.max(0.01))
    }

    /// Runs HiGHS on the model. The caller hands the solved model back with
    /// [`Master::keep`]; a failed run loses it.
    fn run(&mut self, what: &str) -> Result<SolvedModel, SolverError> {
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
    pub fn solve_lp(&mut self, time_limit_s: f64) -> Result<MasterLp, SolverError> {
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
            other => Err(SolverError::Stopped(other as i32)),
        };
        self.keep(solved);
        lp
    }

    /// Makes every column integer and solves the MIP as `run` says: the
    /// column values of its incumbent, if it found one.
    pub fn solve_integer(&mut self, run: &MipRun) -> Option<Vec<f64>> {
        ffi::make_columns_integer(self.model().ok()?).ok()?;
        self.option("presolve", "on").ok()?;
        self.option("mip_rel_gap", run.rel_gap).ok()?;
        self.option("mip_abs_gap", run.abs_gap).ok()?;
        self.option("objective_target", run.target).ok()?;
        // With a start, a first plan is there: HiGHS's feasibility jump, run
        // to find one, is time taken from improving it.
        self.option("mip_heuristic_run_feasibility_jump", run.start.is_none())
            .ok()?;
        if let Some(start) = run.start {
            // A start HiGHS finds infeasible it drops: the MIP is then solved
            // without one.
            self.model()
                .ok()?
                .try_set_solution(Some(start), None, None, None)
                .ok()?;
        }
        self.restart_clock(run.time_limit_s).ok()?;
        let solved = self.run("solving the master MIP").ok()?;
        let feasible = solved.int_info_value(c"primal_solution_status")
            == Ok(HighsSolutionStatus::Feasible as i64);
        let columns = feasible.then(|| solved.get_solution().columns().to_vec());
        self.keep(solved);
        columns
    }
}

/// A column's entries with the handles of their rows in place of indices;
/// every index must name one of `rows`.
fn row_entries(entries: &[(usize, f64)], rows: &[Row]) -> Result<Vec<(Row, f64)>, SolverError> {
    c_int(entries.len(), "nonzeros")?;
    entries
        .iter()
        .map(|&(i, v)| match rows.get(i) {
            Some(&row) => Ok((row, v)),
            None => Err(SolverError::Arguments(format!(
                "index {i} of a sparse vector is not below {}",
                rows.len()
            ))),
        })
        .collect()
}

/// The handles of rows `from..to`. The `highs` crate hands out a row's
/// handle only when it adds the row itself, and a handle is the row's index
/// (`Model::add_row` "returns the added row index"): a problem with `to`
/// rows hands out the same ones.
fn row_handles(from: usize, to: usize) -> Vec<Row> {
    let mut problem = ColProblem::new();
    let all: Vec<Row> = (0..to).map(|_| problem.add_row(0.0..=0.0)).collect();
    all[from..].to_vec()
}

fn highs_error(what: &str) -> SolverError {
    SolverError::highs(what)
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

    /// Two orders (rows 0 and 1) whose cheap columns share row 2, added
    /// after the master was made: `cheap_0 + cheap_1 <= 1`.
    fn two_orders_and_a_shared_row() -> Master {
        let mut m = Master::new(&[1.0, 1.0], &[1.0, 1.0], &Settings::default()).expect("two rows");
        let unfilled = |order: usize| MasterColumn {
            cost: 10.0,
            entries: vec![(order, 1.0)],
        };
        m.add_columns(&[unfilled(0), unfilled(1)]).expect("columns");
        m.add_rows(&[f64::NEG_INFINITY], &[1.0], &[vec![]])
            .expect("the shared row");
        let cheap = |order: usize| MasterColumn {
            cost: 1.0,
            entries: vec![(2, 1.0), (order, 1.0)],
        };
        m.add_columns(&[cheap(0), cheap(1)])
            .expect("columns in row 2");
        m
    }

    #[test]
    fn a_row_added_after_the_master_was_made_holds_the_columns_added_later() {
        let mut m = two_orders_and_a_shared_row();
        let lp = m.solve_lp(10.0).expect("an LP optimum");
        assert!((lp.objective - 11.0).abs() < 1e-9, "{}", lp.objective);
        assert!((lp.row_duals[2] + 9.0).abs() < 1e-9, "{:?}", lp.row_duals);
        // Re-solved from its basis after one more column: still held.
        m.add_columns(&[MasterColumn {
            cost: 2.0,
            entries: vec![(2, 1.0), (0, 1.0)],
        }])
        .expect("a third column in row 2");
        let lp = m.solve_lp(10.0).expect("an LP optimum");
        assert!((lp.objective - 11.0).abs() < 1e-9, "{}", lp.objective);
        assert_eq!(lp.columns.len(), 5);
    }

    #[test]
    fn a_starting_basis_refuses_columns_it_cannot_place_and_leaves_the_optimum_alone() {
        let mut m = two_orders_and_a_shared_row();
        assert!(m.start_basis(&[0, 4]).is_err(), "column 4 of 4");
        assert!(m.start_basis(&[2, 2]).is_err(), "column 2 basic twice");
        assert!(m.start_basis(&[0, 1, 2, 3]).is_err(), "4 columns, 3 rows");
        // Both cheap columns basic break the shared row: the dual simplex
        // starts from there and still ends at the optimum.
        m.start_basis(&[2, 3]).expect("a basis");
        let lp = m.solve_lp(10.0).expect("an LP optimum");
        assert!((lp.objective - 11.0).abs() < 1e-9, "{}", lp.objective);
        assert!((lp.row_duals[2] + 9.0).abs() < 1e-9, "{:?}", lp.row_duals);
    }

    #[test]
    fn an_integer_master_started_from_a_plan_returns_one_no_dearer_and_refuses_a_start_of_the_wrong_length() {
        let run = |start: &[f64]| {
            two_orders_and_a_shared_row().solve_integer(&MipRun {
                time_limit_s: 10.0,
                rel_gap: 0.0,
                abs_gap: 1e9,
                target: f64::NEG_INFINITY,
                start: Some(start),
            })
        };
        // Order 0 unfilled, order 1 on the shared row: 11, the optimum.
        let values = run(&[1.0, 0.0, 0.0, 1.0]).expect("a plan");
        let cost: f64 = values.iter().zip([10.0, 10.0, 1.0, 1.0]).map(|(v, c)| v * c).sum();
        assert!(cost <= 11.0 + 1e-9, "{values:?}");
        assert!(run(&[1.0, 0.0, 0.0]).is_none(), "3 values for 4 columns");
    }

    #[test]
    fn the_integer_master_takes_whole_columns_within_its_rows() {
        let mut m = two_orders_and_a_shared_row();
        m.set_offset(100.0).expect("an offset");
        let values = m
            .solve_integer(&MipRun {
                time_limit_s: 10.0,
                rel_gap: 0.0,
                abs_gap: 0.0,
                target: f64::NEG_INFINITY,
                start: None,
            })
            .expect("a plan");
        assert!(
            values.iter().all(|v| (v - v.round()).abs() < 1e-9),
            "{values:?}"
        );
        let values: Vec<f64> = values.iter().map(|v| v.round()).collect();
        // One column per order, one cheap column (either) in the shared row.
        assert_eq!((values[0] + values[2], values[1] + values[3]), (1.0, 1.0));
        assert_eq!(values[2] + values[3], 1.0, "{values:?}");
    }

    #[test]
    fn a_master_may_move_to_another_thread() {
        fn movable<T: Send>() {}
        movable::<Master>();
    }
}
