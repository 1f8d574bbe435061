//! What the subcommands share: the scenario options and error reporting.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::DomoptError;
use domopt::Scenario;
use domopt::ValidationReport;

use super::{EXIT_FAILURE, EXIT_INVALID};

/// Scenario and cost-model options.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario: a JSON file, or a folder with scenario.json and CSV or Parquet tables.
    pub scenario: PathBuf,
    /// Cost model: a preset (us-parcel, jasin-sinha) or a TOML file.
    #[arg(long, default_value = domopt::DEFAULT_MODEL)]
    pub model: String,
    /// Override a cost-model value for this run, e.g. --set split_penalty=12 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

impl ScenarioArgs {
    /// Loads and validates, printing warnings (or errors) to stderr.
    pub fn load(&self, json: bool) -> Result<Scenario, ExitCode> {
        match domopt::load_scenario(&self.scenario, &self.model, &self.set) {
            Ok((s, report)) => {
                if !json {
                    for w in report.warnings() {
                        eprintln!("{w}");
                    }
                }
                Ok(s)
            }
            Err(e) => Err(report_error(&e, json)),
        }
    }
}

/// A scenario as read, its cost model and the run's overrides: what a wave
/// on the ledger's stock is validated and solved with.
pub struct Inputs {
    pub loaded: domopt::format::LoadedScenario,
    pub model: domopt::CostModel,
    pub overrides: domopt::format::PolicyOverrides,
}

impl ScenarioArgs {
    /// Reads the scenario, the cost model and the overrides, unvalidated.
    pub fn inputs(&self) -> Result<Inputs, DomoptError> {
        Ok(Inputs {
            loaded: domopt::format::read_scenario(&self.scenario)?,
            model: domopt::CostModel::load(&self.model)?,
            overrides: domopt::format::PolicyOverrides::from_assignments(&self.set)?,
        })
    }
}

/// Prints a library error and returns its exit code.
pub fn report_error(e: &DomoptError, json: bool) -> ExitCode {
    match e {
        DomoptError::Invalid(report) => {
            print_report(report, json);
            ExitCode::from(EXIT_INVALID)
        }
        _ => {
            let code = e.code().map_or("", domopt::IssueCode::as_str);
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "code": code, "error": e.to_string() })
                );
            }
            eprintln!("domopt: error {code}: {e}");
            match e {
                DomoptError::Io { .. } | DomoptError::NoPlan(_) => ExitCode::from(EXIT_FAILURE),
                _ => ExitCode::from(EXIT_INVALID),
            }
        }
    }
}

/// Prints a validation report: JSON on stdout, or one line per issue on stderr.
pub fn print_report(report: &ValidationReport, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).expect("report serialises")
        );
        return;
    }
    for i in &report.issues {
        eprintln!("{i}");
    }
    let errors = report.errors().count();
    if errors > 0 {
        eprintln!(
            "domopt: {errors} error(s), {} warning(s); nothing was solved or written",
            report.warnings().count()
        );
    }
}

/// The ledger's clock: `at` (YYYY-MM-DDTHH:MM[:SS], UTC) or the system's.
pub fn ledger_clock(
    at: Option<&str>,
) -> Result<std::sync::Arc<dyn domopt::reservations::Clock>, DomoptError> {
    use domopt::reservations::{FixedClock, SystemClock};
    let Some(at) = at else {
        return Ok(std::sync::Arc::new(SystemClock));
    };
    parse_at(at)
        .map(|t| std::sync::Arc::new(FixedClock::new(t)) as _)
        .map_err(|detail| DomoptError::Settings {
            field: "at".into(),
            detail,
        })
}

/// The years a ledger clock may be set to. The ledger keeps times as
/// fixed-width text whose order is time order only up to year 9999, and a
/// hold may last up to a year past the clock.
const AT_YEARS: std::ops::RangeInclusive<i32> = 1..=9998;

/// A ledger clock's time as typed: YYYY-MM-DDTHH:MM[:SS], UTC, in years 1
/// to 9998; what is wrong otherwise.
pub fn parse_at(at: &str) -> Result<chrono::NaiveDateTime, String> {
    use chrono::Datelike;
    let t = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(at, f).ok())
        .ok_or_else(|| format!("{at}: expected YYYY-MM-DDTHH:MM[:SS]"))?;
    if !AT_YEARS.contains(&t.year()) {
        return Err(format!(
            "{at}: a time in years {} to {} (the ledger orders its times as text up to \
             year 9999, and a hold may last a year)",
            AT_YEARS.start(),
            AT_YEARS.end()
        ));
    }
    Ok(t)
}

/// The ledger's store options from `--store-timeout SECS` (seconds, a
/// decimal number; default 5): E120 for zero, negative, not a number or
/// over an hour.
pub fn store_options(
    secs: Option<&str>,
) -> Result<domopt::reservations::StoreOptions, DomoptError> {
    use domopt::reservations::StoreOptions;
    let Some(text) = secs else {
        return Ok(StoreOptions::default());
    };
    let bad = |why: &str| DomoptError::Settings {
        field: "store-timeout".into(),
        detail: format!("`{text}`: {why}"),
    };
    let max = domopt::reservations::MAX_STORE_TIMEOUT.as_secs_f64();
    let range = format!("seconds, more than 0 and at most {max}");
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| bad(&format!("not a number of {range}")))?;
    if !(secs > 0.0 && secs <= max) {
        return Err(bad(&range));
    }
    // At least a millisecond: what SQLite and PostgreSQL can wait.
    let timeout = std::time::Duration::from_secs_f64(secs.max(0.001));
    StoreOptions::with_timeout(timeout).map_err(|_| bad(&range))
}

/// Prints a ledger error with its code and returns the exit code: 1 when
/// the ledger itself failed, 2 when it refused.
pub fn report_ledger_error(e: &domopt::reservations::LedgerError, json: bool) -> ExitCode {
    let code = e.code();
    if json {
        println!(
            "{}",
            serde_json::json!({ "code": code.as_str(), "error": e.to_string() })
        );
    }
    eprintln!("domopt: error {code}: {e}");
    if code == domopt::IssueCode::LedgerStore {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::from(EXIT_INVALID)
    }
}

/// `--tables csv|parquet`.
pub fn parse_table_format(s: &str) -> Result<domopt::format::TableFormat, String> {
    s.parse()
}
