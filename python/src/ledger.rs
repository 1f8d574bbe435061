//! A wave solved on the reservation ledger's stock and, if asked, committed
//! to it: the ledger options of `domopt solve` (`--ledger`, `--commit`,
//! `--retries`, `--at`, `--store-timeout`), checked as the CLI checks them.

use domopt::reservations::{
    LedgerUrl, LedgerWave, StoreOptions, WaveError, WaveInput, WaveOptions, clock_at, open_with,
    solve_from_ledger,
};
use domopt::{Settings, Strategy};
use pyo3::prelude::*;
use serde::Serialize;

use crate::convert::python_names;
use crate::errors::{ledger_error, setting, to_py};
use crate::scenario::Scenario;

/// Solves again after a refused commit, by default (`--retries`).
const DEFAULT_RETRIES: u32 = 3;

/// The ledger options of a solve, as given (each `None` when not given).
pub struct LedgerArgs {
    pub url: Option<String>,
    pub commit: bool,
    pub retries: Option<i64>,
    pub at: Option<String>,
    pub store_timeout: Option<f64>,
}

/// What a wave read from the ledger and wrote to it: the facts
/// `domopt solve --ledger` prints.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerFacts {
    /// The ledger (a file's path, or the PostgreSQL URL without its password).
    url: String,
    /// The ledger version the stock was read at.
    read_at: i64,
    /// How many times the wave was solved.
    attempts: u32,
    /// The ledger version after the commit; `None` without one.
    commit_version: Option<i64>,
    /// The node-level reservations the commit made.
    reserved: Vec<String>,
    /// The network-level reservations it assigned to the plan's nodes.
    assigned: Vec<String>,
    /// The wave's orders' holds and reservations it replaced.
    released: Vec<String>,
}

impl LedgerArgs {
    /// E120 for an option given without the one it goes with (`commit`
    /// without `ledger`, `retries` without `commit`, ...), as the CLI's
    /// `requires` refuses them.
    fn check_requires(&self, py: Python<'_>) -> PyResult<()> {
        let needs = [
            ("commit", self.commit, "ledger", self.url.is_some()),
            ("at", self.at.is_some(), "ledger", self.url.is_some()),
            (
                "store_timeout",
                self.store_timeout.is_some(),
                "ledger",
                self.url.is_some(),
            ),
            ("retries", self.retries.is_some(), "commit", self.commit),
        ];
        for (field, given, needed, present) in needs {
            if given && !present {
                return Err(setting(py, field, format!("only with {needed}")));
            }
        }
        Ok(())
    }

    /// Whether the solve is on the ledger; every ledger option checked.
    pub fn wanted(&self, py: Python<'_>) -> PyResult<bool> {
        self.check_requires(py)?;
        Ok(self.url.is_some())
    }
}

/// Solves the wave on the ledger's stock (the GIL released), committing it
/// with `commit`. Ledger errors are `domopt.errors.LedgerError` with the
/// ledger's code; a scenario that fails with the ledger's stock is the
/// library error's exception.
pub fn solve_on_ledger(
    py: Python<'_>,
    scenario: &Scenario,
    settings: &Settings,
    strategy: Strategy,
    args: &LedgerArgs,
) -> PyResult<(domopt::Plan, LedgerFacts)> {
    let url = args.url.as_deref().unwrap_or_default();
    let retries = match args.retries {
        None => DEFAULT_RETRIES,
        Some(n) => u32::try_from(n).map_err(|_| {
            let detail = format!("{n}: must be between 0 and {}", u32::MAX);
            setting(py, "retries", detail)
        })?,
    };
    let clock = clock_at(args.at.as_deref()).map_err(|e| to_py(py, e))?;
    let store = args
        .store_timeout
        .map_or(Ok(StoreOptions::default()), StoreOptions::from_secs)
        .map_err(|e| to_py(py, python_names(e)))?;
    let i = &scenario.inputs;
    let input = WaveInput {
        loaded: &i.loaded,
        model: &i.model,
        overrides: &i.overrides,
        settings,
        strategy,
    };
    let options = WaveOptions {
        commit: args.commit,
        retries,
    };
    let wave = py.detach(|| {
        open_with(url, clock, store)
            .map_err(WaveError::from)
            .and_then(|ledger| solve_from_ledger(&*ledger, input, options, &|_| {}))
    });
    match wave {
        Ok(w) => {
            let facts = facts(url, &w);
            Ok((w.plan, facts))
        }
        Err(WaveError::Scenario(e)) => Err(to_py(py, e)),
        Err(WaveError::Ledger(e)) => Err(ledger_error(py, &e)),
    }
}

/// The facts of a wave solved on the ledger at `url`.
fn facts(url: &str, w: &LedgerWave) -> LedgerFacts {
    let shown = url
        .parse::<LedgerUrl>()
        .map_or_else(|_| url.to_string(), |u| u.to_string());
    let c = w.committed.as_ref();
    let ids = |pick: fn(&domopt::reservations::WaveCommit) -> &Vec<String>| {
        c.map(|c| pick(c).clone()).unwrap_or_default()
    };
    LedgerFacts {
        url: shown,
        read_at: w.read_at,
        attempts: w.attempts,
        commit_version: c.map(|c| c.seq),
        reserved: ids(|c| &c.reserved),
        assigned: ids(|c| &c.assigned),
        released: ids(|c| &c.released),
    }
}
