//! An explanation read as sentences (the JSON form is its serde form).

use std::fmt::{self, Display, Formatter};

use super::{Alternative, Explanation, Package, RowPrice, WhatIf};

/// How many alternatives and rows the sentences list (the JSON has all).
const LISTED: usize = 8;

impl Display for Explanation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.plan(f)?;
        self.alternatives(f)?;
        self.rows(f)?;
        self.what_ifs(f)
    }
}

impl Explanation {
    fn plan(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let packages = count(self.packages.len() as u64, "package");
        writeln!(
            f,
            "Order {} ships {} of {} in {packages}, at a cost of {:.2}.",
            self.order,
            self.units_shipped,
            count(u64::from(self.units_ordered), "unit"),
            self.cost
        )?;
        for p in &self.packages {
            writeln!(f, "  {}", package(p))?;
        }
        Ok(())
    }

    fn alternatives(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.alternatives.is_empty() {
            return writeln!(f, "\nNo node can ship it as one package (none stocks its SKUs and serves its address{}).",
                if self.order_ship_complete { ", or none can ship it complete" } else { "" });
        }
        writeln!(f, "\nEach way to ship it as one package, cheapest first:")?;
        for alt in self.alternatives.iter().take(LISTED) {
            writeln!(f, "  {}", alternative(alt))?;
        }
        if self.alternatives.len() > LISTED {
            writeln!(f, "  ... and {} more (see --json)", self.alternatives.len() - LISTED)?;
        }
        Ok(())
    }

    fn rows(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let n = &self.neighbourhood;
        let whom = match (n.whole_wave, n.orders - 1) {
            (true, _) => "the whole wave".to_string(),
            (false, 0) => "it alone (no order competes for its stock and capacity)".to_string(),
            (false, k) => format!("it and the {} competing for the same stock and capacity", count(k as u64, "order")),
        };
        if self.rows.is_empty() {
            return writeln!(f, "\nNo stock or capacity row it could use binds (LP relaxation over {whom}).");
        }
        let priced = n.lp_objective.is_some();
        if priced {
            writeln!(
                f,
                "\nRows it could use that bind, with shadow prices from the LP relaxation over {whom} \
                 (one more unit saves the LP at most the price, one fewer costs it at least the price):"
            )?;
        } else {
            writeln!(f, "\nRows it could use that bind (the LP relaxation over {whom} did not solve in the time limit: no prices):")?;
        }
        for r in self.rows.iter().take(LISTED) {
            writeln!(f, "  {}", row(r, priced))?;
        }
        if self.rows.len() > LISTED {
            writeln!(f, "  ... and {} more (see --json)", self.rows.len() - LISTED)?;
        }
        Ok(())
    }

    fn what_ifs(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let b = &self.baseline;
        let truncated = if self.neighbourhood.truncated {
            " (competitors beyond the first few hundred keep their packages)"
        } else {
            ""
        };
        let whom = if self.neighbourhood.whole_wave {
            format!("the whole wave ({})", count(self.neighbourhood.orders as u64, "order"))
        } else {
            format!(
                "{}{truncated}, every other order keeping its packages (a what-if then costs at least what \
                 re-solving the whole wave, --whole-wave, would find)",
                count(self.neighbourhood.orders as u64, "order")
            )
        };
        writeln!(
            f,
            "\nWhat-ifs re-solve {whom}; re-solved as they stand they cost {:.2} ({}){}.",
            b.cost,
            b.status.as_str(),
            if b.improved {
                format!(", {:.2} less than in the plan", b.plan_cost - b.cost)
            } else {
                ", as in the plan".into()
            }
        )?;
        for w in &self.what_ifs {
            writeln!(f, "  {}", what_if(w))?;
        }
        Ok(())
    }
}

fn package(p: &Package) -> String {
    let items: Vec<String> = p.items.iter().map(|i| format!("{} x {}", i.units, i.sku)).collect();
    format!(
        "from {} by {}: {}; ships {}, arrives {}{}; {:.2}",
        p.node,
        p.service,
        items.join(", "),
        p.ship_date,
        p.delivery_date,
        late(p.late_days),
        p.cost
    )
}

fn late(days: u32) -> String {
    match days {
        0 => String::new(),
        1 => ", 1 business day late".into(),
        d => format!(", {d} business days late"),
    }
}

fn alternative(a: &Alternative) -> String {
    let mark = if a.in_plan { " (in the plan)" } else { "" };
    let carries = if a.units < a.units_ordered {
        format!("carries {} of {} units", a.units, a.units_ordered)
    } else {
        "carries every unit".into()
    };
    let mut out = format!(
        "{} by {}{mark}: {:.2} ({:+.2} against the plan), {carries}, arrives {}{}",
        a.node,
        a.service,
        a.cost,
        a.versus_plan,
        a.delivery_date,
        late(a.late_days)
    );
    for d in &a.displaces {
        let what = match &d.sku {
            Some(sku) => format!("{} of {sku}", count(d.short, "unit")),
            None if d.row == "packages" => format!("{} of capacity", count(d.short, "package")),
            None => format!("{} of capacity", count(d.short, "unit")),
        };
        let named: Vec<String> = d.held_by.iter().map(|(o, u)| format!("{o} ({u})")).collect();
        let more = if d.holders > d.held_by.len() {
            format!(" and {} more", d.holders - d.held_by.len())
        } else {
            String::new()
        };
        out.push_str(&format!("; would take {what} from {}{more}", named.join(", ")));
    }
    out
}

/// "1 unit", "2 units".
fn count(n: u64, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

fn row(r: &RowPrice, priced: bool) -> String {
    let what = match (&r.sku, r.row) {
        (Some(sku), _) => format!("stock of {sku} at {}", r.node),
        (None, "packages") => format!("{}'s package capacity", r.node),
        (None, _) => format!("{}'s unit capacity", r.node),
    };
    let used = format!("{what}: {} of {} used", r.used, r.limit);
    if priced {
        format!("{used}; shadow price {:.2}", r.price)
    } else {
        used
    }
}

fn what_if(w: &WhatIf) -> String {
    let head = format!("{} {}:", w.kind.as_str(), w.node);
    let (Some(diff), Some(order_cost)) = (w.difference, w.order_cost) else {
        return format!("{head} no plan ({}; {})", w.status.as_str(), w.message);
    };
    let moved = match w.moved.len() {
        0 => "moves no other order".to_string(),
        n if n <= 5 => format!("moves {}", w.moved.join(", ")),
        n => format!("moves {} and {} more", w.moved[..5].join(", "), n - 5),
    };
    let packages: Vec<String> = w.packages.iter().map(|p| format!("{} by {}", p.node, p.service)).collect();
    let ships = if packages.is_empty() {
        "ships nothing".to_string()
    } else {
        format!("ships from {}", packages.join(" and "))
    };
    format!(
        "{head} {:+.2} ({}); the order {ships} at {:.2}; {moved}",
        diff,
        w.status.as_str(),
        order_cost
    )
}
