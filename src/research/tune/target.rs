//! What a tune is asked: targets on KPIs (`on_time>=0.95`) and the KPI to
//! minimise or maximise among the points that meet them.

use serde::Serialize;

use crate::error::{DomoptError, IssueCode, ValidationReport};

use super::grid::grid_issue;

/// The KPIs a target or an objective may name, as the CSV's columns.
pub const KPIS: [&str; 15] = [
    "cost",
    "objective",
    "shipping",
    "handling",
    "store_premium",
    "split",
    "lateness",
    "cross_market",
    "unfilled",
    "split_rate",
    "packages_per_order",
    "on_time",
    "fill",
    "gap",
    "time",
];

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    /// `>=`
    #[serde(rename = ">=")]
    AtLeast,
    /// `<=`
    #[serde(rename = "<=")]
    AtMost,
}

/// A target: KPI, comparison, threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// The KPI.
    pub kpi: String,
    /// The comparison.
    pub op: Op,
    /// The threshold.
    pub value: f64,
}

impl Target {
    /// Parses `KPI>=X` or `KPI<=X`.
    pub fn parse(text: &str) -> Result<Target, String> {
        let (kpi, op, value) = if let Some((k, v)) = text.split_once(">=") {
            (k, Op::AtLeast, v)
        } else if let Some((k, v)) = text.split_once("<=") {
            (k, Op::AtMost, v)
        } else {
            return Err(format!("`{text}`: expected KPI>=X or KPI<=X, e.g. on_time>=0.95"));
        };
        let kpi = kpi.trim();
        known_kpi(kpi)?;
        match value.trim().parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Target {
                kpi: kpi.to_string(),
                op,
                value,
            }),
            _ => Err(format!("`{text}`: `{}` is not a number", value.trim())),
        }
    }

    /// How far `x` falls short of the target, relative to the threshold
    /// (0 when met; a missing KPI falls short by 1).
    pub fn shortfall(&self, x: Option<f64>) -> f64 {
        let Some(x) = x else { return 1.0 };
        let gap = match self.op {
            Op::AtLeast => self.value - x,
            Op::AtMost => x - self.value,
        };
        gap.max(0.0) / self.value.abs().max(1e-9)
    }
}

/// Whether the objective is minimised or maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sense {
    /// The lower the better.
    Minimise,
    /// The higher the better.
    Maximise,
}

/// The question a tune answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    /// Every target a point must meet.
    pub targets: Vec<Target>,
    /// The KPI to optimise among them.
    pub objective: String,
    /// Minimise or maximise it.
    pub sense: Sense,
}

impl Question {
    /// The question of `--target` texts and the objective, every bad part
    /// reported at once (E193).
    pub fn parse(targets: &[String], objective: &str, sense: Sense) -> Result<Question, DomoptError> {
        let mut issues = Vec::new();
        let mut parsed = Vec::new();
        for t in targets {
            match Target::parse(t) {
                Ok(t) => parsed.push(t),
                Err(message) => issues.push(target_issue(t, message)),
            }
        }
        if let Err(message) = known_kpi(objective) {
            issues.push(target_issue(objective, message));
        }
        if issues.is_empty() {
            Ok(Question {
                targets: parsed,
                objective: objective.to_string(),
                sense,
            })
        } else {
            Err(DomoptError::Invalid(ValidationReport { issues }))
        }
    }
}

fn known_kpi(kpi: &str) -> Result<(), String> {
    if KPIS.contains(&kpi) {
        Ok(())
    } else {
        Err(format!("`{kpi}` is not a KPI: use one of {}", KPIS.join(", ")))
    }
}

fn target_issue(text: &str, message: String) -> crate::error::Issue {
    let mut issue = grid_issue(IssueCode::BadTarget, text, message);
    issue.field = "--target".into();
    issue
}
