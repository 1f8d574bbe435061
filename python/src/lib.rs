//! `domopt._domopt`: the extension module of the Python package `domopt`.
//!
//! A thin front over the library, as the CLI is: each function reads its
//! arguments, checks them as the CLI checks its options (a bad value is an
//! exception with its stable code, never a panic), releases the GIL for the
//! work, and hands back library values (records go out in their JSON form,
//! so that they read as the CLI's `--json` prints them). The Python side
//! (`python/domopt/`) turns DataFrames into Arrow tables and back, and
//! defines the exceptions raised here (`domopt.errors`).

mod columnar;
mod convert;
mod errors;
mod ledger;
mod plan;
mod scenario;
mod simulate;
mod tune;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _domopt(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<scenario::Scenario>()?;
    m.add_class::<plan::Plan>()?;
    m.add_function(wrap_pyfunction!(scenario::load, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::validate, m)?)?;
    m.add_function(wrap_pyfunction!(plan::solve, m)?)?;
    m.add_function(wrap_pyfunction!(plan::check, m)?)?;
    m.add_function(wrap_pyfunction!(plan::read_plan, m)?)?;
    m.add_function(wrap_pyfunction!(plan::plan_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(tune::tune, m)?)?;
    m.add_function(wrap_pyfunction!(tune::generate, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate_py, m)?)?;
    m.add_function(wrap_pyfunction!(columnar::read_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(columnar::write_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulation_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(convert::default_settings, m)?)?;
    let strategies: Vec<&str> = domopt::Strategy::ALL.iter().map(|(_, n)| *n).collect();
    m.add("STRATEGIES", strategies)?;
    let presets: Vec<&str> = domopt::generate::PRESETS.iter().map(|(n, _)| *n).collect();
    m.add("PRESETS", presets)?;
    m.add("DEFAULT_MODEL", domopt::DEFAULT_MODEL)?;
    Ok(())
}
