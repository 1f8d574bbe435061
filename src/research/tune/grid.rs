//! The grid of a tune: knobs (policy penalties, rules, the candidate
//! limit) each with a list or a range of values, and the points of their
//! product, numbered in mixed radix (the last knob varies fastest).

use std::fmt;

use crate::error::{DomoptError, Issue, IssueCode, Severity, ValidationReport};
use crate::input::format::PolicyOverrides;
use crate::input::settings::CandidateMode;

/// Knobs that take a number: the policy's penalties and premiums.
pub const NUMBER_KNOBS: [&str; 7] = [
    "split_penalty",
    "late_penalty_per_day",
    "unfilled_penalty_per_unit",
    "store_premium_per_unit",
    "cross_market_penalty",
    "planned_move_penalty",
    "released_move_penalty",
];

/// Knobs that take a word, with the words they take.
pub const WORD_KNOBS: [(&str, &[&str]); 2] = [("unfilled_rule", &["fixed", "twice-worst"]), ("cross_market", &["forbid", "penalty"])];

/// The knob of the candidate limit: `exact` or `pruned:K`.
pub const CANDIDATES: &str = "candidates";

/// Most values one knob may take.
pub const MAX_VALUES: usize = 10_000;

/// One value of a knob.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Number(f64),
    /// A word (a rule).
    Word(String),
    /// A candidate limit.
    Candidates(CandidateMode),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(x) => write!(f, "{x}"),
            Value::Word(w) => f.write_str(w),
            Value::Candidates(CandidateMode::Exact) => f.write_str("exact"),
            Value::Candidates(CandidateMode::Pruned { k }) => write!(f, "pruned:{k}"),
        }
    }
}

/// A knob and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Knob {
    /// The knob's name.
    pub name: String,
    /// Its values, in the order given.
    pub values: Vec<Value>,
}

/// The knobs of a tune.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The knobs, in the order given.
    pub knobs: Vec<Knob>,
}

/// One point of a grid: a value per knob.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Its number in the grid.
    pub index: usize,
    /// (knob, value), in the grid's knob order.
    pub values: Vec<(String, Value)>,
}

impl Grid {
    /// Parses `KNOB=V1,V2,...` and `KNOB=FROM:TO:STEP` specifications,
    /// reporting every bad one at once (E190 unknown knob, E191 a bad or
    /// empty list, a bad range, a knob given twice).
    pub fn parse(specs: &[String]) -> Result<Grid, DomoptError> {
        let mut issues = Vec::new();
        let mut knobs: Vec<Knob> = Vec::new();
        if specs.is_empty() {
            issues.push(grid_issue(IssueCode::BadGrid, "--grid", "the grid has no knob".into()));
        }
        for spec in specs {
            match knob(spec) {
                Ok(k) if knobs.iter().any(|o| o.name == k.name) => {
                    issues.push(grid_issue(IssueCode::BadGrid, spec, format!("`{}` is given twice", k.name)));
                }
                Ok(k) => knobs.push(k),
                Err(issue) => issues.push(issue),
            }
        }
        if issues.is_empty() {
            Ok(Grid { knobs })
        } else {
            Err(DomoptError::Invalid(ValidationReport { issues }))
        }
    }

    /// How many points the grid has (saturating).
    pub fn points(&self) -> usize {
        self.knobs.iter().fold(1usize, |n, k| n.saturating_mul(k.values.len()))
    }

    /// Point `index` (below [`Grid::points`]).
    pub fn point(&self, index: usize) -> Point {
        let mut rest = index;
        let mut values = vec![None; self.knobs.len()];
        for (k, knob) in self.knobs.iter().enumerate().rev() {
            let n = knob.values.len();
            values[k] = Some((knob.name.clone(), knob.values[rest % n].clone()));
            rest /= n;
        }
        Point {
            index,
            values: values.into_iter().flatten().collect(),
        }
    }
}

impl Point {
    /// The point's policy values over `base`.
    pub fn policy(&self, base: &PolicyOverrides) -> PolicyOverrides {
        let mut p = base.clone();
        for (name, value) in &self.values {
            match (name.as_str(), value) {
                ("split_penalty", Value::Number(x)) => p.split_penalty = Some(*x),
                ("late_penalty_per_day", Value::Number(x)) => p.late_penalty_per_day = Some(*x),
                ("unfilled_penalty_per_unit", Value::Number(x)) => p.unfilled_penalty_per_unit = Some(*x),
                ("store_premium_per_unit", Value::Number(x)) => p.store_premium_per_unit = Some(*x),
                ("cross_market_penalty", Value::Number(x)) => p.cross_market_penalty = Some(*x),
                ("planned_move_penalty", Value::Number(x)) => p.planned_move_penalty = Some(*x),
                ("released_move_penalty", Value::Number(x)) => p.released_move_penalty = Some(*x),
                ("unfilled_rule", Value::Word(w)) => p.unfilled_rule = Some(w.clone()),
                ("cross_market", Value::Word(w)) => p.cross_market = Some(w.clone()),
                _ => {}
            }
        }
        p
    }

    /// The point's candidate limit, if it sets one.
    pub fn candidates(&self) -> Option<CandidateMode> {
        self.values.iter().find_map(|(_, v)| match v {
            Value::Candidates(c) => Some(*c),
            _ => None,
        })
    }
}

/// One knob's specification.
fn knob(spec: &str) -> Result<Knob, Issue> {
    let Some((name, list)) = spec.split_once('=') else {
        return Err(grid_issue(IssueCode::BadGrid, spec, "expected KNOB=V1,V2,... or KNOB=FROM:TO:STEP".into()));
    };
    let (name, list) = (name.trim(), list.trim());
    let bad = |detail: String| grid_issue(IssueCode::BadGrid, spec, detail);
    if list.is_empty() {
        return Err(bad(format!("`{name}` has no value")));
    }
    let values = if NUMBER_KNOBS.contains(&name) {
        numbers(list).map_err(bad)?
    } else if let Some((_, words)) = WORD_KNOBS.iter().find(|(k, _)| *k == name) {
        split(list)
            .map(|w| match words.contains(&w) {
                true => Ok(Value::Word(w.to_string())),
                false => Err(bad(format!("`{w}` is not one of {}", words.join(", ")))),
            })
            .collect::<Result<_, _>>()?
    } else if name == CANDIDATES {
        split(list).map(|w| candidate_mode(w).map(Value::Candidates).map_err(&bad)).collect::<Result<_, _>>()?
    } else {
        let mut known: Vec<&str> = NUMBER_KNOBS.to_vec();
        known.extend(WORD_KNOBS.iter().map(|(k, _)| *k));
        known.push(CANDIDATES);
        return Err(grid_issue(
            IssueCode::UnknownKnob,
            spec,
            format!("`{name}` is not a knob: use one of {}", known.join(", ")),
        ));
    };
    Ok(Knob {
        name: name.to_string(),
        values,
    })
}

fn split(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim)
}

/// `A,B,C` or `FROM:TO:STEP` (inclusive of TO, within a millionth of a step).
fn numbers(list: &str) -> Result<Vec<Value>, String> {
    let number = |w: &str| match w.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=1e9).contains(&x) => Ok(x),
        _ => Err(format!("`{w}` is not a number from 0 to 1e9")),
    };
    if let [from, to, step] = list.split(':').collect::<Vec<_>>()[..] {
        let (from, to, step) = (number(from.trim())?, number(to.trim())?, number(step.trim())?);
        if step <= 0.0 || to < from {
            return Err(format!("`{list}`: a range needs FROM <= TO and a STEP above 0"));
        }
        let n = ((to - from) / step + 1e-6).floor() + 1.0;
        if n > MAX_VALUES as f64 {
            return Err(format!("`{list}` has over {MAX_VALUES} values"));
        }
        return Ok((0..n as usize).map(|i| Value::Number(from + step * i as f64)).collect());
    }
    let values: Vec<Value> = split(list).map(|w| number(w).map(Value::Number)).collect::<Result<_, _>>()?;
    if values.len() > MAX_VALUES {
        return Err(format!("over {MAX_VALUES} values"));
    }
    Ok(values)
}

fn candidate_mode(w: &str) -> Result<CandidateMode, String> {
    if w == "exact" {
        return Ok(CandidateMode::Exact);
    }
    match w.strip_prefix("pruned:").map(str::parse::<usize>) {
        Some(Ok(k)) if (1..=1000).contains(&k) => Ok(CandidateMode::Pruned { k }),
        _ => Err(format!("`{w}` is not `exact` or `pruned:K` with K from 1 to 1000")),
    }
}

pub(crate) fn grid_issue(code: IssueCode, record: &str, message: String) -> Issue {
    Issue {
        code,
        severity: Severity::Error,
        record: record.escape_debug().to_string(),
        field: "--grid".into(),
        message,
        action: "see `domopt tune --help` for the knobs and the syntax".into(),
    }
}
