//! Mutation test of the checker: plans of shipped and generated datasets are
//! altered one number, one id, one row or one CSV cell at a time, and the
//! checker must catch every alteration.

use std::path::{Path, PathBuf};

use domopt::Settings;
use domopt::domain::SkuIdx;
use domopt::plan::Plan;
use domopt::solution::check::{Input, check_input, files};
use domopt::{Strategy, solve as run};
use serde_json::{Value, json};

fn dataset(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets")
        .join(rel)
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("domopt-mut-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&d).ok();
    d
}

/// A solved wave: the checker's input, the plan, and where its folder is.
struct Case {
    name: String,
    input: Input,
    plan: Plan,
}

fn solve(name: &str, path: &Path, model: &str, strategy: Strategy) -> Case {
    let (s, _) = domopt::load_scenario(path, model, &[]).expect("valid scenario");
    let settings = Settings {
        time_limit_s: 20.0,
        ..Settings::default()
    };
    let plan = run(&s, &settings, strategy);
    let input = Input::read(path, model, &[]).expect("the checker reads the input");
    Case {
        name: format!("{name} ({})", plan.solve.strategy),
        input,
        plan,
    }
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for f in [
        "capacity-crunch",
        "christmas-calendar",
        "holiday-deadline",
        "lateness",
        "pickup-and-market",
        "pickup-transfer",
        "ship-complete",
    ] {
        let p = dataset(&format!("small/{f}.json"));
        out.push(solve(f, &p, "us-parcel", Strategy::Monolithic));
    }
    for f in ["two-shipments", "backorder"] {
        let p = dataset(&format!("seed-example/{f}.json"));
        out.push(solve(f, &p, "us-parcel", Strategy::Monolithic));
    }
    out.push(solve(
        "two-shipments",
        &dataset("seed-example/two-shipments.json"),
        "us-parcel",
        Strategy::GreedyCost,
    ));
    for f in ["capacity-crunch", "pickup-and-market"] {
        let p = dataset(&format!("small/{f}.json"));
        out.push(solve(f, &p, "us-parcel", Strategy::Auto));
    }
    out.push(solve(
        "explicit-cost",
        &dataset("explicit-cost/example.json"),
        "us-parcel",
        Strategy::Monolithic,
    ));
    let dir = temp("tiny");
    let cfg = domopt::generate::GenConfig::preset("tiny").expect("tiny preset");
    domopt::generate::generate(&cfg, 7, "tiny", &dir).expect("generated");
    out.push(solve(
        "generated tiny",
        &dir,
        "us-parcel",
        Strategy::Monolithic,
    ));
    out.push(solve(
        "generated tiny",
        &dir,
        "us-parcel",
        Strategy::Shopify,
    ));
    std::fs::remove_dir_all(&dir).ok();
    out
}

/// Another id from `ids` than `current` (or a made-up one).
fn other(ids: &[String], current: &Value) -> Value {
    let cur = current.as_str().unwrap_or("");
    ids.iter()
        .find(|i| i.as_str() != cur)
        .map_or(json!("no-such-id"), |i| json!(i))
}

fn bump(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_u64() => json!(n.as_u64().unwrap() + 1),
        Value::Number(n) => json!(n.as_f64().unwrap() * 1.01 + 0.5),
        Value::Null => json!(1),
        other => other.clone(),
    }
}

fn next_day(v: &Value) -> Value {
    let d = chrono::NaiveDate::parse_from_str(v.as_str().unwrap_or("2026-01-01"), "%Y-%m-%d")
        .expect("a date");
    json!((d + chrono::Days::new(1)).to_string())
}

/// Every mutation of a plan: (what, mutated plan JSON).
fn mutations(case: &Case) -> Vec<(String, Value)> {
    let base = serde_json::to_value(&case.plan).unwrap();
    let inp = &case.input;
    let orders: Vec<String> = inp.orders.iter().map(|o| o.id.clone()).collect();
    let nodes: Vec<String> = inp.nodes.iter().map(|n| n.id.clone()).collect();
    let services: Vec<String> = inp.services.iter().map(|s| s.id.clone()).collect();
    let skus = inp.sku_ids.clone();
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut edit = |what: String, f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        if v != base {
            out.push((what, v));
        }
    };

    // Shipments: every field, every item, rows removed and added.
    let n_ship = base["shipments"].as_array().unwrap().len();
    for i in 0..n_ship {
        let sh = &base["shipments"][i];
        for (field, ids) in [("order", &orders), ("node", &nodes), ("service", &services)] {
            let to = other(ids, &sh[field]);
            edit(format!("shipment {i} {field}"), &|v| {
                v["shipments"][i][field] = to.clone()
            });
        }
        let to = other(&nodes, &sh["to_node"]);
        edit(format!("shipment {i} to_node"), &|v| {
            v["shipments"][i]["to_node"] = to.clone()
        });
        edit(format!("shipment {i} to_node removed"), &|v| {
            v["shipments"][i]
                .as_object_mut()
                .expect("a shipment is an object")
                .remove("to_node");
        });
        for field in ["ship_date", "delivery_date"] {
            edit(format!("shipment {i} {field}"), &|v| {
                v["shipments"][i][field] = next_day(&v["shipments"][i][field])
            });
        }
        edit(format!("shipment {i} promised_date"), &|v| {
            let p = &v["shipments"][i]["promised_date"];
            v["shipments"][i]["promised_date"] = if p.is_null() {
                v["shipments"][i]["ship_date"].clone()
            } else {
                Value::Null
            }
        });
        edit(format!("shipment {i} late_days"), &|v| {
            v["shipments"][i]["late_days"] = bump(&v["shipments"][i]["late_days"])
        });
        edit(format!("shipment {i} zone"), &|v| {
            let z = v["shipments"][i]["zone"].as_u64().unwrap();
            v["shipments"][i]["zone"] = json!(if z >= 8 { 7 } else { z + 1 })
        });
        edit(format!("shipment {i} miles"), &|v| {
            v["shipments"][i]["miles"] = bump(&v["shipments"][i]["miles"])
        });
        for c in [
            "shipping",
            "handling",
            "store_premium",
            "lateness",
            "cross_market",
            "total",
        ] {
            edit(format!("shipment {i} cost.{c}"), &|v| {
                v["shipments"][i]["cost"][c] = bump(&v["shipments"][i]["cost"][c])
            });
        }
        let n_items = sh["items"].as_array().unwrap().len();
        for j in 0..n_items {
            edit(format!("shipment {i} item {j} line"), &|v| {
                v["shipments"][i]["items"][j]["line"] = bump(&v["shipments"][i]["items"][j]["line"])
            });
            let to = other(&skus, &sh["items"][j]["sku"]);
            edit(format!("shipment {i} item {j} sku"), &|v| {
                v["shipments"][i]["items"][j]["sku"] = to.clone()
            });
            edit(format!("shipment {i} item {j} quantity +1"), &|v| {
                v["shipments"][i]["items"][j]["quantity"] =
                    bump(&v["shipments"][i]["items"][j]["quantity"])
            });
            edit(format!("shipment {i} item {j} quantity -1"), &|v| {
                let q = v["shipments"][i]["items"][j]["quantity"].as_u64().unwrap();
                v["shipments"][i]["items"][j]["quantity"] = json!(q - 1)
            });
            edit(format!("shipment {i} item {j} removed"), &|v| {
                v["shipments"][i]["items"].as_array_mut().unwrap().remove(j);
            });
            edit(format!("shipment {i} item {j} duplicated"), &|v| {
                let it = v["shipments"][i]["items"][j].clone();
                v["shipments"][i]["items"].as_array_mut().unwrap().push(it);
            });
        }
        edit(format!("shipment {i} removed"), &|v| {
            v["shipments"].as_array_mut().unwrap().remove(i);
        });
        edit(format!("shipment {i} duplicated"), &|v| {
            let s = v["shipments"][i].clone();
            v["shipments"].as_array_mut().unwrap().push(s);
        });
    }

    // Backorders: every field, rows removed, duplicated and made up.
    let n_back = base["backorders"].as_array().unwrap().len();
    for i in 0..n_back {
        let b = &base["backorders"][i];
        let to = other(&orders, &b["order"]);
        edit(format!("backorder {i} order"), &|v| {
            v["backorders"][i]["order"] = to.clone()
        });
        let to = other(&skus, &b["sku"]);
        edit(format!("backorder {i} sku"), &|v| {
            v["backorders"][i]["sku"] = to.clone()
        });
        for f in ["line", "units", "penalty_per_unit"] {
            edit(format!("backorder {i} {f}"), &|v| {
                v["backorders"][i][f] = bump(&v["backorders"][i][f])
            });
        }
        edit(format!("backorder {i} removed"), &|v| {
            v["backorders"].as_array_mut().unwrap().remove(i);
        });
        edit(format!("backorder {i} duplicated"), &|v| {
            let b = v["backorders"][i].clone();
            v["backorders"].as_array_mut().unwrap().push(b);
        });
    }
    let first = &inp.orders[0];
    for (line, sku) in [
        (first.lines.len(), skus[0].clone()),
        (0, skus[first.lines[0].sku].clone()),
    ] {
        edit(
            format!("backorder added on {} line {line}", first.id),
            &|v| {
                v["backorders"].as_array_mut().unwrap().push(json!({
                "order": first.id, "line": line, "sku": sku, "units": 1, "penalty_per_unit": 60.0
            }));
            },
        );
    }

    // Per-order summaries.
    let n_ord = base["orders"].as_array().unwrap().len();
    for i in 0..n_ord {
        let to = other(&orders, &base["orders"][i]["order"]);
        edit(format!("summary {i} order"), &|v| {
            v["orders"][i]["order"] = to.clone()
        });
        for f in ["packages", "units_ordered", "units_shipped", "cost"] {
            edit(format!("summary {i} {f}"), &|v| {
                v["orders"][i][f] = bump(&v["orders"][i][f])
            });
        }
        for to in [json!(true), json!(false), Value::Null] {
            edit(format!("summary {i} on_time {to}"), &|v| {
                v["orders"][i]["on_time"] = to.clone()
            });
        }
        edit(format!("summary {i} removed"), &|v| {
            v["orders"].as_array_mut().unwrap().remove(i);
        });
        edit(format!("summary {i} duplicated"), &|v| {
            let o = v["orders"][i].clone();
            v["orders"].as_array_mut().unwrap().push(o);
        });
    }

    // KPIs.
    for c in [
        "shipping",
        "handling",
        "store_premium",
        "split",
        "lateness",
        "cross_market",
        "unfilled",
        "total",
    ] {
        edit(format!("kpis.cost.{c}"), &|v| {
            v["kpis"]["cost"][c] = bump(&v["kpis"]["cost"][c])
        });
    }
    for f in [
        "orders",
        "packages",
        "packages_per_order",
        "split_rate",
        "on_time_rate",
    ] {
        edit(format!("kpis.{f}"), &|v| v["kpis"][f] = bump(&v["kpis"][f]));
    }
    edit("kpis.on_time_rate none".into(), &|v| {
        v["kpis"]["on_time_rate"] = Value::Null
    });
    edit("kpis.fill_rate".into(), &|v| {
        let f = v["kpis"]["fill_rate"].as_f64().unwrap();
        v["kpis"]["fill_rate"] = json!(if f > 0.5 { f - 0.01 } else { f + 0.01 })
    });
    let n_use = base["kpis"]["node_utilisation"].as_array().unwrap().len();
    for i in 0..n_use {
        let to = other(&nodes, &base["kpis"]["node_utilisation"][i]["node"]);
        edit(format!("node_utilisation {i} node"), &|v| {
            v["kpis"]["node_utilisation"][i]["node"] = to.clone()
        });
        for f in ["packages", "units", "utilisation"] {
            edit(format!("node_utilisation {i} {f}"), &|v| {
                v["kpis"]["node_utilisation"][i][f] = bump(&v["kpis"]["node_utilisation"][i][f])
            });
        }
        edit(format!("node_utilisation {i} removed"), &|v| {
            v["kpis"]["node_utilisation"]
                .as_array_mut()
                .unwrap()
                .remove(i);
        });
    }
    let unused = nodes.iter().find(|n| {
        !base["kpis"]["node_utilisation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["node"] == json!(n))
    });
    if let Some(n) = unused {
        edit(format!("node_utilisation added for {n}"), &|v| {
            v["kpis"]["node_utilisation"]
                .as_array_mut()
                .unwrap()
                .push(json!({"node": n, "packages": 0, "units": 0, "utilisation": null}));
        });
    }

    // The solve record.
    let cost = base["kpis"]["cost"]["total"].as_f64().unwrap();
    let status = base["solve"]["status"].as_str().unwrap().to_string();
    let solver = status != "heuristic";
    edit("solve.objective changed".into(), &|v| {
        v["solve"]["objective"] = json!(cost * 1.001 + 0.01)
    });
    edit("solve.objective a little off".into(), &|v| {
        v["solve"]["objective"] = json!(cost - 0.01)
    });
    if solver && status != "fallback" {
        edit("solve.objective dropped".into(), &|v| {
            v["solve"]["objective"] = Value::Null
        });
    }
    edit("solve.best_bound above the cost".into(), &|v| {
        v["solve"]["best_bound"] = json!(cost + 1.0)
    });
    edit(
        "solve.best_bound above the cost, optimal with gap 0".into(),
        &|v| {
            v["solve"]["best_bound"] = json!(cost + 1.0);
            v["solve"]["gap"] = json!(0.0);
            v["solve"]["status"] = json!("optimal");
        },
    );
    edit("solve.best_bound lowered".into(), &|v| {
        if v["solve"]["best_bound"].is_number() {
            v["solve"]["best_bound"] = json!(cost * 0.9 - 1.0)
        }
    });
    edit("solve.best_bound dropped".into(), &|v| {
        v["solve"]["best_bound"] = Value::Null
    });
    edit("solve.gap changed".into(), &|v| {
        v["solve"]["gap"] = json!(v["solve"]["gap"].as_f64().unwrap_or(0.0) + 0.01)
    });
    edit("solve.gap dropped".into(), &|v| {
        v["solve"]["gap"] = Value::Null
    });
    edit("solve optimal with a 2% gap".into(), &|v| {
        v["solve"]["objective"] = json!(cost);
        v["solve"]["best_bound"] = json!(cost * 0.98);
        v["solve"]["gap"] = json!((cost - cost * 0.98) / cost);
        v["solve"]["status"] = json!("optimal");
    });
    edit("solve.status infeasible".into(), &|v| {
        v["solve"]["status"] = json!("infeasible")
    });
    edit("solve.status swapped".into(), &|v| {
        v["solve"]["status"] = json!(if solver { "heuristic" } else { "optimal" })
    });
    out
}

fn caught(case: &Case, plan: &Value) -> bool {
    match serde_json::from_value::<Plan>(plan.clone()) {
        Ok(p) => !check_input(&case.input, &p).ok(),
        // A plan.json that does not even parse is caught by reading it.
        Err(_) => true,
    }
}

/// Every CSV edit of a plan folder: each cell changed, each row removed or
/// duplicated, each file removed.
fn csv_mutations(case: &Case, dir: &Path) -> (usize, Vec<String>) {
    case.plan.write_dir(dir).expect("plan written");
    let mut count = 0;
    let mut escaped = Vec::new();
    for name in ["shipments.csv", "backorders.csv", "orders.csv"] {
        let path = dir.join(name);
        let original = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
        // A file without rows has no header either.
        let header = if lines.is_empty() {
            String::new()
        } else {
            lines.remove(0)
        };
        let mut variants: Vec<(String, String)> = Vec::new();
        let join = |rows: &[String]| {
            let mut s = header.clone() + "\n";
            for r in rows {
                s.push_str(r);
                s.push('\n');
            }
            s
        };
        for (r, row) in lines.iter().enumerate() {
            let cells: Vec<&str> = row.split(',').collect();
            for (c, cell) in cells.iter().enumerate() {
                let new = if let Ok(n) = cell.parse::<u64>() {
                    (n + 1).to_string()
                } else if let Ok(x) = cell.parse::<f64>() {
                    (x + 0.5).to_string()
                } else if let Ok(d) = chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d") {
                    (d + chrono::Days::new(1)).to_string()
                } else if *cell == "true" {
                    "false".into()
                } else if *cell == "false" || cell.is_empty() {
                    "true".into()
                } else {
                    format!("{cell}x")
                };
                let mut rows = lines.clone();
                let mut cs: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
                cs[c] = new;
                rows[r] = cs.join(",");
                variants.push((format!("{name} row {r} column {c}"), join(&rows)));
            }
            let mut rows = lines.clone();
            rows.remove(r);
            variants.push((format!("{name} row {r} removed"), join(&rows)));
            let mut rows = lines.clone();
            rows.insert(r, row.clone());
            variants.push((format!("{name} row {r} duplicated"), join(&rows)));
        }
        for (what, text) in variants {
            std::fs::write(&path, text).unwrap();
            count += 1;
            if files::check_dir(dir, &case.plan).unwrap().is_empty() {
                escaped.push(format!("{}: {what}", case.name));
            }
        }
        std::fs::remove_file(&path).unwrap();
        count += 1;
        if files::check_dir(dir, &case.plan).unwrap().is_empty() {
            escaped.push(format!("{}: {name} removed", case.name));
        }
        std::fs::write(&path, original).unwrap();
    }
    (count, escaped)
}

#[test]
fn the_checker_catches_every_mutation_of_plans_and_their_files() {
    let (mut total, mut in_csv) = (0, 0);
    let mut escaped = Vec::new();
    for case in cases() {
        let report = check_input(&case.input, &case.plan);
        assert!(
            report.ok(),
            "{}: the unmutated plan fails the checker: {:#?}",
            case.name,
            report.violations
        );
        for (what, plan) in mutations(&case) {
            total += 1;
            if !caught(&case, &plan) {
                escaped.push(format!("{}: {what}", case.name));
            }
        }
        let dir = temp("plan");
        assert!(
            files::check_dir(&case.plan_dir_written(&dir), &case.plan)
                .unwrap()
                .is_empty()
        );
        let (n, e) = csv_mutations(&case, &dir);
        total += n;
        in_csv += n;
        escaped.extend(e);
        std::fs::remove_dir_all(&dir).ok();
    }
    println!(
        "{total} mutations ({} of plan.json, {in_csv} of the CSV files), {} escaped",
        total - in_csv,
        escaped.len()
    );
    assert!(total > 1000, "only {total} mutations");
    assert!(
        escaped.is_empty(),
        "{} of {total} escaped:\n{}",
        escaped.len(),
        escaped.join("\n")
    );
}

impl Case {
    fn plan_dir_written(&self, dir: &Path) -> PathBuf {
        self.plan.write_dir(dir).expect("plan written");
        dir.to_path_buf()
    }
}

/// A loader bug in availability (the store's reserved pants counted as free)
/// makes the engine ship stock that is not there; the checker, reading the
/// inventory itself, refuses the plan, while a check through the loader's
/// domain would share the bug and pass it.
#[test]
fn a_wrong_availability_in_the_loaded_domain_is_caught_by_the_checkers_own_reading() {
    let path = dataset("seed-example/backorder.json");
    let (mut s, _) = domopt::load_scenario(&path, "us-parcel", &[]).unwrap();
    let store = s.node_index("store-chicago").unwrap();
    let pants = SkuIdx::new(s.skus.iter().position(|k| k.id == "pants").unwrap());
    s.atp.insert((store, pants), 4);
    let plan = run(&s, &Settings::default(), Strategy::Monolithic);
    assert!(plan.backorders.is_empty(), "the bug gives the pants away");
    assert!(domopt::check(&s, &plan).ok(), "the shared domain hides it");
    let own = Input::read(&path, "us-parcel", &[]).unwrap();
    let report = check_input(&own, &plan);
    assert!(
        report.violations.iter().any(|v| v.kind == "stock"),
        "{:#?}",
        report.violations
    );
}

/// Loader bugs in calendars, transit and locations (a processing day added, a
/// closed day invented, a day more in transit, a node
/// moved) give wrong dates, miles, zones and costs; the checker recomputes
/// them from the input and catches each.
#[test]
fn wrong_dates_and_locations_in_the_loaded_domain_are_caught_by_the_checkers_own_reading() {
    let path = dataset("small/lateness.json");
    let own = Input::read(&path, "us-parcel", &[]).unwrap();
    let (clean, _) = domopt::load_scenario(&path, "us-parcel", &[]).unwrap();
    type Bug = fn(&mut domopt::domain::Scenario);
    let bugs: [(&str, Bug, &str); 4] = [
        (
            "processing days",
            |s| s.nodes.iter_mut().for_each(|n| n.processing_days += 1),
            "dates",
        ),
        (
            "a closed day",
            |s| {
                let day = s.wave_time.date();
                s.nodes.iter_mut().for_each(|n| {
                    n.closed_dates.insert(day);
                })
            },
            "dates",
        ),
        (
            "transit days",
            |s| {
                for v in &mut s.services {
                    v.transit_days.iter_mut().for_each(|t| *t += 1)
                }
            },
            "dates",
        ),
        (
            "location",
            |s| s.nodes.iter_mut().for_each(|n| n.lat += 3.0),
            "miles",
        ),
    ];
    for (what, bug, kind) in bugs {
        let mut s = clean.clone();
        bug(&mut s);
        let plan = run(&s, &Settings::default(), Strategy::Monolithic);
        let report = check_input(&own, &plan);
        assert!(
            report.violations.iter().any(|v| v.kind == kind),
            "{what}: {:#?}",
            report.violations
        );
    }
}
