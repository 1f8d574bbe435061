//! What the bench's charts show, drawn by [`super::draw`]: cost per order and
//! split rate by strategy, wall time against instance size.

use super::records::{InstanceResult, Row};
use super::summary::best_bound;

/// Grouped bars: one group per instance, one bar per series (strategy), and
/// an optional marker line across each group.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Caption.
    pub title: String,
    /// Y axis description.
    pub y_desc: String,
    /// Group labels (instances).
    pub groups: Vec<String>,
    /// (series name, value per group).
    pub series: Vec<(String, Vec<Option<f64>>)>,
    /// (name, value per group) drawn as a black line across the group.
    pub marker: Option<(String, Vec<Option<f64>>)>,
}

/// Lines through points on log-log axes, one per series.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLogChart {
    /// Caption.
    pub title: String,
    /// X axis description.
    pub x_desc: String,
    /// Y axis description.
    pub y_desc: String,
    /// (series name, points); non-positive values are left out.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

/// Points on linear axes, with a line through some of them (a frontier).
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterChart {
    /// Caption.
    pub title: String,
    /// X axis description.
    pub x_desc: String,
    /// Y axis description.
    pub y_desc: String,
    /// Every point.
    pub points: Vec<(f64, f64)>,
    /// (name, points) joined by a line, in x order.
    pub line: (String, Vec<(f64, f64)>),
}

/// Lines through points on linear axes, one per series (a KPI over time).
#[derive(Debug, Clone, PartialEq)]
pub struct LinesChart {
    /// Caption.
    pub title: String,
    /// X axis description.
    pub x_desc: String,
    /// Y axis description.
    pub y_desc: String,
    /// (series name, points).
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

/// A chart to draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Grouped bars.
    Bars(BarChart),
    /// Log-log lines.
    LogLog(LogLogChart),
    /// Points and a line through some of them.
    Scatter(ScatterChart),
    /// Lines on linear axes.
    Lines(LinesChart),
}

/// Strategies in the order they first appear in the results.
pub fn strategies_of(results: &[InstanceResult]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in results.iter().flat_map(|i| &i.rows) {
        if !names.contains(&r.strategy) {
            names.push(r.strategy.clone());
        }
    }
    names
}

/// The bench's charts: cost per order and split rate by strategy (grouped by
/// instance; cost per order so that instances of different sizes share an
/// axis, with the lower bound per order as a line), and wall time against
/// instance size on log-log axes.
pub fn charts(results: &[InstanceResult]) -> Vec<(&'static str, Chart)> {
    let strategies = strategies_of(results);
    let groups: Vec<String> = results.iter().map(|i| i.name.clone()).collect();
    let per_strategy = |f: &dyn Fn(&InstanceResult, &Row) -> Option<f64>| {
        strategies
            .iter()
            .map(|s| {
                let vals = results
                    .iter()
                    .map(|i| i.row(s).and_then(|r| f(i, r)))
                    .collect();
                (s.clone(), vals)
            })
            .collect::<Vec<_>>()
    };
    let per_order = |v: Option<f64>, i: &InstanceResult| match (v, i.orders) {
        (Some(v), Some(o)) if o > 0 => Some(v / o as f64),
        _ => None,
    };
    let bound_per_order: Vec<Option<f64>> = results
        .iter()
        .map(|i| {
            let best = i
                .rows
                .iter()
                .fold(i.lp_bound, |b, r| best_bound(b, r.lower_bound));
            per_order(best, i)
        })
        .collect();
    let cost = BarChart {
        title: "Cost per order by strategy".into(),
        y_desc: "cost per order".into(),
        groups: groups.clone(),
        series: per_strategy(&|i, r| per_order(r.objective, i)),
        marker: bound_per_order
            .iter()
            .any(Option::is_some)
            .then(|| ("lower bound".to_string(), bound_per_order)),
    };
    let split = BarChart {
        title: "Split rate by strategy".into(),
        y_desc: "multi-unit orders split (%)".into(),
        groups,
        series: per_strategy(&|_, r| r.split_rate.map(|s| s * 100.0)),
        marker: None,
    };
    let time = LogLogChart {
        title: "Wall time against instance size".into(),
        x_desc: "orders".into(),
        y_desc: "wall time (s)".into(),
        series: strategies
            .iter()
            .map(|s| {
                let pts = results
                    .iter()
                    .filter_map(|i| {
                        let r = i.row(s)?;
                        (r.error.is_none()).then_some((i.orders? as f64, r.wall_time_s))
                    })
                    .collect();
                (s.clone(), pts)
            })
            .collect(),
    };
    vec![
        ("cost", Chart::Bars(cost)),
        ("split_rate", Chart::Bars(split)),
        ("time_vs_size", Chart::LogLog(time)),
    ]
}
