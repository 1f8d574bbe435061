//! Validation of a returns file against its scenario: every problem at
//! once, each with its stable code (E160-E169), record, field and what to do.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::error::{Issue, IssueCode, Severity, ValidationReport};
use crate::input::validate::limits::{MAX_AMOUNT, MAX_UNITS};
use crate::network::domain::{NodeIdx, Scenario, SkuIdx, ZONES};
use crate::network::geo;

use super::format::{
    CapacityRecord, CostsRecord, DemandRecord, ReturnRecord, ReturnsFile, SharesRecord,
};
use super::model::{
    Condition, Demand, ReturnCosts, ReturnRequest, ReturnsBatch, Shares, inspects, receives,
};

/// The issues found so far.
#[derive(Default)]
struct Issues(Vec<Issue>);

impl Issues {
    fn error(&mut self, code: IssueCode, record: &str, field: &str, message: String, action: &str) {
        self.0.push(Issue {
            code,
            severity: Severity::Error,
            record: record.to_string(),
            field: field.to_string(),
            message,
            action: action.to_string(),
        });
    }

    /// A whole number of units in `[min, MAX_UNITS]`, or E162.
    fn units(&mut self, record: &str, field: &str, v: f64, min: u32) -> Option<u32> {
        let problem = if !v.is_finite() {
            Some(format!("{v} is not a finite number"))
        } else if v < 0.0 {
            Some(format!("{v} is negative"))
        } else if v.fract() != 0.0 {
            Some(format!("{v} is not a whole number"))
        } else if v > f64::from(MAX_UNITS) {
            Some(format!("{v} is above the limit of {MAX_UNITS}"))
        } else if v < f64::from(min) {
            Some(format!("{v} units: at least {min} needed"))
        } else {
            None
        };
        match problem {
            Some(message) => {
                self.error(
                    IssueCode::BadReturnQuantity,
                    record,
                    field,
                    message,
                    "give a whole number of units within the limits",
                );
                None
            }
            None => Some(v as u32),
        }
    }

    /// A finite amount in `[0, max]`, or E167.
    fn amount(&mut self, record: &str, field: &str, v: f64, max: f64) -> Option<f64> {
        if v.is_finite() && (0.0..=max).contains(&v) {
            return Some(v);
        }
        self.error(
            IssueCode::BadReturnsCost,
            record,
            field,
            format!("{v} is not a number in [0, {max}]"),
            "give a finite, non-negative amount (a share in [0, 1])",
        );
        None
    }
}

/// Validates a returns file against the scenario it is routed in.
pub fn build_batch(
    scenario: &Scenario,
    file: &ReturnsFile,
) -> Result<ReturnsBatch, ValidationReport> {
    let mut c = Issues::default();
    let nodes: HashMap<&str, NodeIdx> = scenario
        .nodes
        .iter()
        .enumerate()
        .map(|(k, n)| (n.id.as_str(), NodeIdx::new(k)))
        .collect();
    let skus: HashMap<&str, SkuIdx> = scenario
        .skus
        .iter()
        .enumerate()
        .map(|(k, s)| (s.id.as_str(), SkuIdx::new(k)))
        .collect();
    let requests = requests(&mut c, scenario, &skus, &file.returns);
    let (returns_capacity, inspection_capacity) =
        capacities(&mut c, scenario, &nodes, &file.capacities);
    let demand = demand(&mut c, &nodes, &skus, &file.demand);
    let costs = costs(&mut c, &file.costs);
    reachable(&mut c, scenario, &file.returns);
    match costs {
        Some(costs) if c.0.is_empty() => Ok(ReturnsBatch {
            requests,
            returns_capacity,
            inspection_capacity,
            demand,
            costs,
        }),
        _ => Err(ValidationReport { issues: c.0 }),
    }
}

fn requests(
    c: &mut Issues,
    scenario: &Scenario,
    skus: &HashMap<&str, SkuIdx>,
    records: &[ReturnRecord],
) -> Vec<ReturnRequest> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut total: u64 = 0;
    for r in records {
        let rec = format!("return {}", r.id);
        if !seen.insert(r.id.as_str()) {
            c.error(
                IssueCode::DuplicateReturn,
                &rec,
                "id",
                "duplicate return id".into(),
                "give every return its own id",
            );
        }
        let sku = returnable_sku(c, scenario, skus, &rec, &r.sku);
        let quantity = c.units(&rec, "quantity", r.quantity, 1);
        total += u64::from(quantity.unwrap_or(0));
        let condition = Condition::parse(&r.condition);
        if condition.is_none() {
            c.error(
                IssueCode::UnknownCondition,
                &rec,
                "condition",
                format!("unknown condition `{}`", r.condition),
                "use new, open_box, damaged or unknown",
            );
        }
        let place = location(c, &rec, r);
        if let (Some(sku), Some(quantity), Some(condition), Some((lat, lon))) =
            (sku, quantity, condition, place)
        {
            out.push(ReturnRequest {
                id: r.id.clone(),
                order: r.order.clone(),
                sku,
                quantity,
                condition,
                lat,
                lon,
            });
        }
    }
    if total > u64::from(MAX_UNITS) {
        c.error(
            IssueCode::BadReturnQuantity,
            "returns",
            "quantity",
            format!("{total} units in all, above the limit of {MAX_UNITS}"),
            "split the batch",
        );
    }
    out
}

/// The SKU of a return: known (E161), returnable and priced (E164).
fn returnable_sku(
    c: &mut Issues,
    scenario: &Scenario,
    skus: &HashMap<&str, SkuIdx>,
    rec: &str,
    id: &str,
) -> Option<SkuIdx> {
    let k = known(c, skus, rec, "sku", id)?;
    let sku = &scenario.skus[k];
    if !sku.returnable {
        c.error(
            IssueCode::NotReturnable,
            rec,
            "sku",
            format!("SKU `{id}` is not returnable"),
            "drop the return, or mark the SKU returnable in the scenario",
        );
        return None;
    }
    if sku.price.is_none() {
        c.error(
            IssueCode::NotReturnable,
            rec,
            "sku",
            format!("SKU `{id}` has no price: its recovered value cannot be known"),
            "give the SKU a price in the scenario",
        );
        return None;
    }
    Some(k)
}

/// Lat and lon when both are given, else the ZIP's; E165 otherwise.
fn location(c: &mut Issues, rec: &str, r: &ReturnRecord) -> Option<(f64, f64)> {
    let problem = match (r.lat, r.lon, &r.zip) {
        (Some(lat), Some(lon), _) => {
            if lat.is_finite()
                && lon.is_finite()
                && (-90.0..=90.0).contains(&lat)
                && (-180.0..=180.0).contains(&lon)
            {
                return Some((lat, lon));
            }
            format!("({lat}, {lon}) is not on Earth")
        }
        (_, _, Some(zip)) => match geo::zip_location(zip) {
            Some(p) => return Some(p),
            None => format!("ZIP `{zip}` does not exist"),
        },
        _ => "no ZIP and no lat/lon".into(),
    };
    c.error(
        IssueCode::BadReturnLocation,
        rec,
        "zip",
        problem,
        "give a US ZIP or both lat and lon",
    );
    None
}

/// The index of the node or SKU (`field`) named `id` in `rec`, or E161.
fn known<I: Copy>(c: &mut Issues, ids: &HashMap<&str, I>, rec: &str, field: &str, id: &str) -> Option<I> {
    let found = ids.get(id).copied();
    if found.is_none() {
        let what = if field == "sku" { "SKU" } else { field };
        c.error(
            IssueCode::UnknownReturnReference,
            rec,
            field,
            format!("unknown {what} `{id}`"),
            &format!("use a {what} of the scenario"),
        );
    }
    found
}

type Capacities = (Vec<Option<u32>>, Vec<Option<u32>>);

fn capacities(
    c: &mut Issues,
    scenario: &Scenario,
    nodes: &HashMap<&str, NodeIdx>,
    records: &[CapacityRecord],
) -> Capacities {
    let mut returns = vec![None; scenario.nodes.len()];
    let mut inspection = vec![None; scenario.nodes.len()];
    let mut seen = HashSet::new();
    for r in records {
        let rec = format!("capacity of node {}", r.node);
        let Some(n) = known(c, nodes, &rec, "node", &r.node) else {
            continue;
        };
        if !seen.insert(n) {
            c.error(
                IssueCode::DuplicateReturn,
                &rec,
                "node",
                "capacity given twice".into(),
                "give one capacity row per node",
            );
        }
        if !receives(scenario, n) {
            c.error(
                IssueCode::NodeCannotTakeReturns,
                &rec,
                "node",
                format!("node `{}` has no `returns` capability", r.node),
                "add `returns` to the node's capabilities or drop the row",
            );
        }
        if let Some(v) = r.returns_units {
            returns[n.index()] = c.units(&rec, "returns_units", v, 0);
        }
        if let Some(v) = r.inspection_units {
            if !inspects(scenario, n) {
                c.error(
                    IssueCode::NodeCannotTakeReturns,
                    &rec,
                    "inspection_units",
                    format!(
                        "node `{}` cannot inspect (needs `returns` and `inspection`)",
                        r.node
                    ),
                    "add `inspection` to the node's capabilities or drop the field",
                );
            }
            inspection[n.index()] = c.units(&rec, "inspection_units", v, 0);
        }
    }
    (returns, inspection)
}

fn demand(
    c: &mut Issues,
    nodes: &HashMap<&str, NodeIdx>,
    skus: &HashMap<&str, SkuIdx>,
    records: &[DemandRecord],
) -> BTreeMap<(NodeIdx, SkuIdx), Demand> {
    let mut out = BTreeMap::new();
    for r in records {
        let rec = format!("demand ({}, {})", r.node, r.sku);
        let node = known(c, nodes, &rec, "node", &r.node);
        let sku = known(c, skus, &rec, "sku", &r.sku);
        let backorders = c.units(&rec, "backorders", r.backorders.unwrap_or(0.0), 0);
        let shortfall = c.units(&rec, "shortfall", r.shortfall.unwrap_or(0.0), 0);
        if let (Some(n), Some(s)) = (node, sku) {
            let d = Demand {
                backorders: backorders.unwrap_or(0),
                shortfall: shortfall.unwrap_or(0),
            };
            if out.insert((n, s), d).is_some() {
                c.error(
                    IssueCode::DuplicateReturn,
                    &rec,
                    "node",
                    "demand given twice".into(),
                    "give one demand row per (node, SKU)",
                );
            }
        }
    }
    out
}

fn zone_table(c: &mut Issues, field: &str, values: Option<&[f64]>) -> Option<[f64; ZONES]> {
    let Some(values) = values else {
        return Some([0.0; ZONES]);
    };
    if values.len() != ZONES {
        c.error(
            IssueCode::BadReturnsCost,
            "costs",
            field,
            format!("{} values, not {ZONES}", values.len()),
            "give one value per zone 1..8",
        );
        return None;
    }
    let mut out = [0.0; ZONES];
    let mut ok = true;
    for (k, v) in values.iter().enumerate() {
        match c.amount("costs", &format!("{field}[{k}]"), *v, MAX_AMOUNT) {
            Some(v) => out[k] = v,
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn shares(c: &mut Issues, field: &str, s: &SharesRecord) -> Option<Shares> {
    let new = c.amount("costs", &format!("{field}.new"), s.new.unwrap_or(0.0), 1.0);
    let open_box = c.amount(
        "costs",
        &format!("{field}.open_box"),
        s.open_box.unwrap_or(0.0),
        1.0,
    );
    let damaged = c.amount(
        "costs",
        &format!("{field}.damaged"),
        s.damaged.unwrap_or(0.0),
        1.0,
    );
    Some(Shares {
        new: new?,
        open_box: open_box?,
        damaged: damaged?,
    })
}

fn costs(c: &mut Issues, r: &CostsRecord) -> Option<ReturnCosts> {
    let per_package = zone_table(c, "shipping.per_package", Some(&r.shipping.per_package));
    let per_lb = zone_table(c, "shipping.per_lb", r.shipping.per_lb.as_deref());
    let inspection = c.amount(
        "costs",
        "inspection_per_unit",
        r.inspection_per_unit,
        MAX_AMOUNT,
    );
    let restock = c.amount("costs", "restock_per_unit", r.restock_per_unit, MAX_AMOUNT);
    let restock_share = shares(c, "restock_share", &r.restock_share);
    let no_demand = c.amount("costs", "no_demand_factor", r.no_demand_factor, 1.0);
    let liquidation = shares(c, "liquidation_share", &r.liquidation_share);
    let vendor = shares(c, "vendor_share", &r.vendor_share);
    let outcomes = outcomes(c, &r.inspection_outcomes);
    Some(ReturnCosts {
        per_package: per_package?,
        per_lb: per_lb?,
        inspection_per_unit: inspection?,
        restock_per_unit: restock?,
        restock_share: restock_share?,
        no_demand_factor: no_demand?,
        liquidation_share: liquidation?,
        vendor_share: vendor?,
        inspection_outcomes: outcomes?,
    })
}

/// Inspection's outcome shares: each in [0, 1], adding up to 1 (E168).
fn outcomes(c: &mut Issues, s: &SharesRecord) -> Option<Shares> {
    let all = [s.new, s.open_box, s.damaged].map(|v| v.unwrap_or(0.0));
    let bad = all
        .iter()
        .any(|v| !v.is_finite() || !(0.0..=1.0).contains(v));
    let sum: f64 = all.iter().sum();
    if bad || (sum - 1.0).abs() > 1e-9 {
        c.error(
            IssueCode::BadInspectionOutcomes,
            "costs",
            "inspection_outcomes",
            format!(
                "new {}, open_box {}, damaged {}: shares in [0, 1] adding up to 1 needed",
                all[0], all[1], all[2]
            ),
            "give the share of inspected units found new, open-box and damaged",
        );
        return None;
    }
    Some(Shares {
        new: all[0],
        open_box: all[1],
        damaged: all[2],
    })
}

/// Every return needs a node that can receive it: one with `returns`, and
/// `inspection` too for a unit of unknown condition (E166).
fn reachable(c: &mut Issues, scenario: &Scenario, records: &[ReturnRecord]) {
    let all = || NodeIdx::all(scenario.nodes.len());
    let any_receives = all().any(|n| receives(scenario, n));
    let any_inspects = all().any(|n| inspects(scenario, n));
    for r in records {
        let unknown = r.condition == "unknown";
        let ok = if unknown { any_inspects } else { any_receives };
        if !ok {
            let what = if unknown {
                "`returns` and `inspection` (a unit of unknown condition is inspected first)"
            } else {
                "`returns`"
            };
            c.error(
                IssueCode::NodeCannotTakeReturns,
                &format!("return {}", r.id),
                "condition",
                format!("no node of the scenario has {what}"),
                "give a node these capabilities in the scenario",
            );
        }
    }
}
