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

/// The ledger's store options from `--store-timeout SECS` (default 5 s).
pub fn store_options(
    secs: Option<&str>,
) -> Result<domopt::reservations::StoreOptions, DomoptError> {
    secs.map_or(Ok(Default::default()), |text| {
        domopt::reservations::StoreOptions::parse_secs(text)
    })
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
