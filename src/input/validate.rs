//! Validation: turns wire records into the domain, reporting every problem at
//! once. Each issue has a stable code, the record, the field and what to do.
//! Errors stop the run (exit code 2, nothing written); warnings do not.

use std::collections::{BTreeMap, BTreeSet};

// Fx hashing: the default SipHash was the largest cost of loading a wave.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::Serialize;

use crate::input::cost_model::CostModel;
use crate::input::format::{LoadedScenario, PolicyOverrides, ServiceRecord};
use crate::network::domain::*;
use crate::network::geo;

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The scenario cannot be solved.
    Error,
    /// Legal but suspicious.
    Warning,
}

/// One problem found in the input.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    /// Stable code, e.g. `E106`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The offending record, e.g. `order O-17`.
    pub record: String,
    /// The field, e.g. `lines[2].quantity`.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub action: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{sev} {}: {} `{}`: {} -> {}",
            self.code, self.record, self.field, self.message, self.action
        )
    }
}

/// Every issue found, errors and warnings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ValidationReport {
    /// All issues in input order.
    pub issues: Vec<Issue>,
}

impl ValidationReport {
    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }
    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Warning)
    }
    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

/// The largest values the engine accepts. Beyond them validation refuses the
/// input with E117, so that no sum of quantities, day count, date or cost can
/// wrap or overflow later: the engine adds quantities in `u32` and `u64`,
/// dates with chrono, and costs in `f64` that HiGHS must read as finite.
pub mod limits {
    /// Units in any quantity (stock, inbound, order line, capacity), and units
    /// ordered by a whole wave together.
    pub const MAX_UNITS: u32 = 1_000_000_000;
    /// Days in any day count (transit, processing, service level).
    pub const MAX_DAYS: u32 = 366;
    /// Any cost, rate, penalty or weight: a unit then costs at most about 1e18
    /// (weight times rate per lb), below the 1e20 that HiGHS reads as infinite.
    pub const MAX_AMOUNT: f64 = 1e9;
    /// Lines in one order (the per-order search holds a candidate x line table).
    pub const MAX_LINES_PER_ORDER: usize = 1_000;
    /// Years of any date or date-time.
    pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;
}
use limits::{MAX_AMOUNT, MAX_DAYS, MAX_LINES_PER_ORDER, MAX_UNITS, YEARS};

/// The issue codes, with their meaning, for documentation and `--help`.
pub const CODES: &[(&str, &str)] = &[
    (
        "E100",
        "a file is not well-formed for its type (syntax, type, unknown field or CSV column, not UTF-8)",
    ),
    ("E101", "duplicate id"),
    ("E102", "unknown reference (node, SKU, service or order id)"),
    ("E103", "negative quantity"),
    ("E104", "quantity is not a whole number"),
    ("E105", "reserved above on hand"),
    ("E106", "ZIP code does not exist"),
    ("E107", "missing coordinates (neither lat/lon nor ZIP)"),
    ("E108", "number is not finite"),
    ("E109", "order has no lines"),
    ("E110", "unparseable date, time or weekday"),
    ("E111", "policy value out of range"),
    (
        "E112",
        "unknown value of a closed list (kind, capability, rule)",
    ),
    (
        "E113",
        "rate or transit table malformed (needs 8 non-negative zone values)",
    ),
    ("E114", "pickup order at a node that cannot hand out orders"),
    ("E115", "coordinates out of range"),
    ("E116", "negative cost or capacity"),
    (
        "E117",
        "above a stated limit (units, days, amounts, lines per order; see `validate::limits`)",
    ),
    (
        "E118",
        "a scenario folder has order_lines.csv without orders.csv, or the reverse",
    ),
    (
        "E119",
        "unknown cost model (neither a preset nor a TOML file)",
    ),
    ("E120", "invalid run setting or command-line value"),
    ("E121", "a file cannot be read or written"),
    (
        "E122",
        "the output folder cannot take a plan (a file, a link, foreign files, a file in its path)",
    ),
    ("W201", "SKU has no stock anywhere"),
    ("W202", "node offers no carrier service"),
    (
        "W203",
        "order line's SKU has no stock anywhere: it will be unfilled",
    ),
];

struct Collector {
    issues: Vec<Issue>,
}

impl Collector {
    fn push(
        &mut self,
        code: &'static str,
        severity: Severity,
        record: &str,
        field: &str,
        message: String,
        action: &str,
    ) {
        self.issues.push(Issue {
            code,
            severity,
            record: record.to_string(),
            field: field.to_string(),
            message,
            action: action.to_string(),
        });
    }
    fn error(
        &mut self,
        code: &'static str,
        record: &str,
        field: &str,
        message: String,
        action: &str,
    ) {
        self.push(code, Severity::Error, record, field, message, action);
    }
    fn warn(
        &mut self,
        code: &'static str,
        record: &str,
        field: &str,
        message: String,
        action: &str,
    ) {
        self.push(code, Severity::Warning, record, field, message, action);
    }

    /// A finite number, or E108.
    fn finite(&mut self, record: &str, field: &str, v: f64) -> Option<f64> {
        if v.is_finite() {
            Some(v)
        } else {
            self.error(
                "E108",
                record,
                field,
                format!("{v} is not a finite number"),
                "give a finite number",
            );
            None
        }
    }

    /// A finite, non-negative number (costs, weights), or E108/E116.
    fn non_negative(&mut self, record: &str, field: &str, v: f64) -> Option<f64> {
        let v = self.finite(record, field, v)?;
        if v < 0.0 {
            self.error(
                "E116",
                record,
                field,
                format!("{v} is negative"),
                "give zero or a positive number",
            );
            return None;
        }
        self.at_most(record, field, v, MAX_AMOUNT)
    }

    /// `v` if it is at most `max`, or E117.
    fn at_most<T: PartialOrd + std::fmt::Display>(
        &mut self,
        record: &str,
        field: &str,
        v: T,
        max: T,
    ) -> Option<T> {
        if v > max {
            self.error(
                "E117",
                record,
                field,
                format!("{v} is above the limit of {max}"),
                "give a smaller value (the limits are in the format documentation)",
            );
            return None;
        }
        Some(v)
    }

    /// A whole number of days, at most `MAX_DAYS`, or E108/E103/E104/E117.
    fn days(&mut self, record: &str, field: &str, v: f64) -> Option<u32> {
        let v = self.whole(record, field, v)?;
        self.at_most(record, field, v, f64::from(MAX_DAYS))
            .map(|v| v as u32)
    }

    /// A whole number of units, at most `MAX_UNITS`, or E108/E103/E104/E117.
    fn quantity(&mut self, record: &str, field: &str, v: f64) -> Option<u32> {
        let v = self.whole(record, field, v)?;
        self.at_most(record, field, v, f64::from(MAX_UNITS))
            .map(|v| v as u32)
    }

    /// A whole, non-negative number, or E108/E103/E104.
    fn whole(&mut self, record: &str, field: &str, v: f64) -> Option<f64> {
        let v = self.finite(record, field, v)?;
        if v < 0.0 {
            self.error(
                "E103",
                record,
                field,
                format!("{v} is negative"),
                "give zero or a positive whole number",
            );
            return None;
        }
        if v.fract() != 0.0 {
            self.error(
                "E104",
                record,
                field,
                format!("{v} is not a whole number"),
                "give a whole number",
            );
            return None;
        }
        Some(v)
    }

    /// A date or date-time within `YEARS`, or E110.
    fn in_years<T: chrono::Datelike + std::fmt::Display>(
        &mut self,
        record: &str,
        field: &str,
        t: T,
    ) -> Option<T> {
        if YEARS.contains(&t.year()) {
            return Some(t);
        }
        self.error(
            "E110",
            record,
            field,
            format!(
                "{t} is outside the years {}..={}",
                YEARS.start(),
                YEARS.end()
            ),
            "give a date between 1900 and 9999",
        );
        None
    }

    fn date(&mut self, record: &str, field: &str, s: &str) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => self.in_years(record, field, d),
            Err(_) => {
                self.error(
                    "E110",
                    record,
                    field,
                    format!("`{s}` is not a date"),
                    "write dates as YYYY-MM-DD",
                );
                None
            }
        }
    }

    fn datetime(&mut self, record: &str, field: &str, s: &str) -> Option<NaiveDateTime> {
        match parse_datetime(s) {
            Some(t) => self.in_years(record, field, t),
            None => {
                self.error(
                    "E110",
                    record,
                    field,
                    format!("`{s}` is not a date or date-time"),
                    "write YYYY-MM-DD or YYYY-MM-DDTHH:MM",
                );
                None
            }
        }
    }

    fn weekday(&mut self, record: &str, field: &str, s: &str) -> Option<Weekday> {
        match s.trim().parse::<Weekday>() {
            Ok(w) => Some(w),
            Err(_) => {
                self.error(
                    "E110",
                    record,
                    field,
                    format!("`{s}` is not a weekday"),
                    "write Mon, Tue, ... Sun",
                );
                None
            }
        }
    }
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` or `YYYY-MM-DD HH:MM[:SS]`.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN))
}

fn location(
    c: &mut Collector,
    record: &str,
    zip: &Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Option<(f64, f64)> {
    match (lat, lon) {
        (Some(lat), Some(lon)) => {
            let lat = c.finite(record, "lat", lat)?;
            let lon = c.finite(record, "lon", lon)?;
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                c.error(
                    "E115",
                    record,
                    "lat/lon",
                    format!("({lat}, {lon}) is not on Earth"),
                    "latitude must be in [-90, 90] and longitude in [-180, 180]",
                );
                return None;
            }
            Some((lat, lon))
        }
        _ => match zip {
            Some(z) => match geo::zip_location(z) {
                Some(p) => Some(p),
                None => {
                    c.error(
                        "E106",
                        record,
                        "zip",
                        format!("ZIP `{z}` does not exist"),
                        "correct the ZIP or give lat and lon",
                    );
                    None
                }
            },
            None => {
                c.error(
                    "E107",
                    record,
                    "zip",
                    "no coordinates and no ZIP".into(),
                    "give a US ZIP or both lat and lon",
                );
                None
            }
        },
    }
}

fn zone_table(c: &mut Collector, record: &str, field: &str, v: &[f64]) -> Option<[f64; ZONES]> {
    if v.len() != ZONES {
        c.error(
            "E113",
            record,
            field,
            format!("has {} values", v.len()),
            "give exactly 8 values, one per zone 1..8",
        );
        return None;
    }
    let mut out = [0.0; ZONES];
    let mut ok = true;
    for (k, &x) in v.iter().enumerate() {
        match c.non_negative(record, &format!("{field}[{k}]"), x) {
            Some(x) => out[k] = x,
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn service(c: &mut Collector, r: &ServiceRecord) -> Option<Service> {
    let rec = format!("service {}", r.id);
    let per_package = zone_table(c, &rec, "per_package", &r.per_package);
    let per_lb = match &r.per_lb {
        Some(v) => zone_table(c, &rec, "per_lb", v),
        None => Some([0.0; ZONES]),
    };
    let per_unit = c.non_negative(&rec, "per_unit", r.per_unit.unwrap_or(0.0));
    let per_mile = c.non_negative(
        &rec,
        "per_unit_per_mile",
        r.per_unit_per_mile.unwrap_or(0.0),
    );
    let transit = if r.transit_days.len() == ZONES {
        let mut t = [0u32; ZONES];
        let mut ok = true;
        for (k, &x) in r.transit_days.iter().enumerate() {
            match c.days(&rec, &format!("transit_days[{k}]"), x) {
                Some(x) => t[k] = x,
                None => ok = false,
            }
        }
        ok.then_some(t)
    } else {
        c.error(
            "E113",
            &rec,
            "transit_days",
            format!("has {} values", r.transit_days.len()),
            "give exactly 8 whole numbers, one per zone 1..8",
        );
        None
    };
    let weekdays: Vec<Weekday> = match &r.pickup_weekdays {
        Some(ws) => ws
            .iter()
            .enumerate()
            .filter_map(|(k, w)| c.weekday(&rec, &format!("pickup_weekdays[{k}]"), w))
            .collect(),
        None => vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ],
    };
    let mut deadlines = Vec::new();
    for (k, h) in r.holiday_deadlines.iter().enumerate() {
        let a = c.date(&rec, &format!("holiday_deadlines[{k}].ship_by"), &h.ship_by);
        let b = c.date(
            &rec,
            &format!("holiday_deadlines[{k}].arrive_by"),
            &h.arrive_by,
        );
        if let (Some(a), Some(b)) = (a, b) {
            deadlines.push((a, b));
        }
    }
    Some(Service {
        id: r.id.clone(),
        carrier: r.carrier.clone().unwrap_or_default(),
        name: r.name.clone().unwrap_or_else(|| r.id.clone()),
        per_package: per_package?,
        per_lb: per_lb?,
        per_unit: per_unit?,
        per_unit_per_mile: per_mile?,
        transit_days: transit?,
        pickup_weekdays: weekdays,
        holiday_deadlines: deadlines,
        is_pickup: false,
    })
}

fn pickup_service() -> Service {
    Service {
        id: PICKUP_SERVICE.into(),
        carrier: String::new(),
        name: "In-store pickup".into(),
        per_package: [0.0; ZONES],
        per_lb: [0.0; ZONES],
        per_unit: 0.0,
        per_unit_per_mile: 0.0,
        transit_days: [0; ZONES],
        pickup_weekdays: vec![],
        holiday_deadlines: vec![],
        is_pickup: true,
    }
}

fn policy(c: &mut Collector, p: &PolicyOverrides) -> Option<Policy> {
    let rec = "policy";
    let need = |c: &mut Collector, field: &str, v: Option<f64>| -> Option<f64> {
        match v {
            Some(v) => {
                let v = c.finite(rec, field, v)?;
                if v < 0.0 {
                    c.error(
                        "E111",
                        rec,
                        field,
                        format!("{v} is negative"),
                        "penalties are zero or positive",
                    );
                    return None;
                }
                c.at_most(rec, field, v, MAX_AMOUNT)
            }
            None => {
                c.error(
                    "E111",
                    rec,
                    field,
                    "no value in the cost model, scenario or run".into(),
                    "set it in the model's [policy] or with --set",
                );
                None
            }
        }
    };
    let split = need(c, "split_penalty", p.split_penalty);
    let late = need(c, "late_penalty_per_day", p.late_penalty_per_day);
    let store = need(c, "store_premium_per_unit", p.store_premium_per_unit);
    let unfilled = match p.unfilled_rule.as_deref().unwrap_or("fixed") {
        "fixed" => need(c, "unfilled_penalty_per_unit", p.unfilled_penalty_per_unit)
            .map(UnfilledRule::Fixed),
        "twice-worst" => Some(UnfilledRule::TwiceWorst),
        other => {
            c.error(
                "E112",
                rec,
                "unfilled_rule",
                format!("`{other}` is not a rule"),
                "use `fixed` or `twice-worst`",
            );
            None
        }
    };
    let cross = match p.cross_market.as_deref().unwrap_or("forbid") {
        "forbid" => Some(CrossMarket::Forbid),
        "penalty" => {
            need(c, "cross_market_penalty", p.cross_market_penalty).map(CrossMarket::Penalty)
        }
        other => {
            c.error(
                "E112",
                rec,
                "cross_market",
                format!("`{other}` is not a rule"),
                "use `forbid` or `penalty`",
            );
            None
        }
    };
    let mut levels = BTreeMap::new();
    for (name, &days) in p.service_levels.iter().flatten() {
        if let Some(d) = c.days(rec, &format!("service_levels.{name}"), days) {
            levels.insert(name.clone(), d);
        }
    }
    Some(Policy {
        split_penalty: split?,
        late_penalty_per_day: late?,
        unfilled: unfilled?,
        store_premium_per_unit: store?,
        cross_market: cross?,
        service_levels: levels,
    })
}

/// Validates a scenario under a cost model and run overrides. On success returns
/// the domain scenario and the warnings; on failure the full report.
pub fn build_scenario(
    loaded: &LoadedScenario,
    model: &CostModel,
    run: &PolicyOverrides,
) -> Result<(Scenario, ValidationReport), ValidationReport> {
    let mut c = Collector { issues: Vec::new() };
    let f = &loaded.file;

    let wave_time = c.datetime("scenario", "wave_time", &f.wave_time);
    let merged = model.policy.overlaid(&f.policy).overlaid(run);
    let policy = policy(&mut c, &merged);

    // Services: the model's, replaced or extended by the scenario's, plus pickup.
    let mut service_records: Vec<ServiceRecord> = model.services.clone();
    let mut seen_services = HashSet::default();
    for s in &f.services {
        if !seen_services.insert(s.id.clone()) {
            c.error(
                "E101",
                &format!("service {}", s.id),
                "id",
                "duplicate service id".into(),
                "give every service its own id",
            );
            continue;
        }
        match service_records.iter_mut().find(|m| m.id == s.id) {
            Some(m) => *m = s.clone(),
            None => service_records.push(s.clone()),
        }
    }
    let mut services: Vec<Service> = Vec::new();
    let mut services_ok = true;
    for r in &service_records {
        if r.id == PICKUP_SERVICE || r.id == EXPLICIT_SERVICE {
            c.error(
                "E101",
                &format!("service {}", r.id),
                "id",
                format!("`{}` is a built-in service id", r.id),
                "rename the service",
            );
            services_ok = false;
            continue;
        }
        match service(&mut c, r) {
            Some(s) => services.push(s),
            None => services_ok = false,
        }
    }
    services.push(pickup_service());
    let explicit_mode = f.explicit_costs.is_some();
    if explicit_mode {
        services.push(Service {
            id: EXPLICIT_SERVICE.into(),
            name: "Explicit costs".into(),
            is_pickup: false,
            ..pickup_service()
        });
    }
    let service_index: HashMap<&str, ServiceIdx> = services
        .iter()
        .enumerate()
        .map(|(k, s)| (s.id.as_str(), k))
        .collect();

    // SKUs.
    let mut skus = Vec::new();
    let mut sku_index: HashMap<String, SkuIdx> = HashMap::default();
    for s in &f.skus {
        let rec = format!("sku {}", s.id);
        if sku_index.contains_key(&s.id) {
            c.error(
                "E101",
                &rec,
                "id",
                "duplicate SKU id".into(),
                "give every SKU its own id",
            );
            continue;
        }
        let weight = c.non_negative(&rec, "weight_lb", s.weight_lb);
        if let Some(p) = s.price {
            c.non_negative(&rec, "price", p);
        }
        if let Some(d) = s.dims_in {
            for (k, x) in d.iter().enumerate() {
                c.non_negative(&rec, &format!("dims_in[{k}]"), *x);
            }
        }
        sku_index.insert(s.id.clone(), skus.len());
        skus.push(Sku {
            id: s.id.clone(),
            weight_lb: weight.unwrap_or(0.0),
            price: s.price,
            ship_alone: s.ship_alone,
            hazmat: s.hazmat,
            returnable: s.returnable.unwrap_or(true),
        });
    }

    // Nodes.
    let mut nodes = Vec::new();
    let mut node_index: HashMap<String, NodeIdx> = HashMap::default();
    for n in &f.nodes {
        let rec = format!("node {}", n.id);
        if node_index.contains_key(&n.id) {
            c.error(
                "E101",
                &rec,
                "id",
                "duplicate node id".into(),
                "give every node its own id",
            );
            continue;
        }
        let kind = NodeKind::parse(&n.kind);
        if kind.is_none() {
            c.error(
                "E112",
                &rec,
                "kind",
                format!("`{}` is not a node kind", n.kind),
                "use dc, store, 3pl or supplier",
            );
        }
        let loc = if explicit_mode && n.zip.is_none() && (n.lat.is_none() || n.lon.is_none()) {
            Some((0.0, 0.0))
        } else {
            location(&mut c, &rec, &n.zip, n.lat, n.lon)
        };
        let mut caps = Capabilities::default();
        match &n.capabilities {
            None => caps.ship_to_home = true,
            Some(list) => {
                for (k, cap) in list.iter().enumerate() {
                    match cap.trim() {
                        "ship_to_home" => caps.ship_to_home = true,
                        "pickup" => caps.pickup = true,
                        "returns" => caps.returns = true,
                        "inspection" => caps.inspection = true,
                        other => c.error(
                            "E112",
                            &rec,
                            &format!("capabilities[{k}]"),
                            format!("`{other}` is not a capability"),
                            "use ship_to_home, pickup, returns or inspection",
                        ),
                    }
                }
            }
        }
        let hpp = c.non_negative(
            &rec,
            "handling_per_package",
            n.handling_per_package.unwrap_or(0.0),
        );
        let hpu = c.non_negative(
            &rec,
            "handling_per_unit",
            n.handling_per_unit.unwrap_or(0.0),
        );
        let cap_o = n
            .capacity_orders
            .and_then(|v| c.quantity(&rec, "capacity_orders", v));
        let cap_u = n
            .capacity_units
            .and_then(|v| c.quantity(&rec, "capacity_units", v));
        let processing = c.days(&rec, "processing_days", n.processing_days.unwrap_or(0.0));
        let mut offers = Vec::new();
        let mut offered = HashSet::default();
        for (k, o) in n.services.iter().enumerate() {
            let field = format!("services[{k}]");
            let Some(&sidx) = service_index.get(o.service.as_str()) else {
                if services_ok || !service_records.iter().any(|r| r.id == o.service) {
                    c.error(
                        "E102",
                        &rec,
                        &field,
                        format!("unknown service `{}`", o.service),
                        "use a service of the cost model or the scenario's `services`",
                    );
                }
                continue;
            };
            if services[sidx].is_pickup {
                c.error(
                    "E112",
                    &rec,
                    &field,
                    "`pickup` is implied by the `pickup` capability".into(),
                    "remove it and add the `pickup` capability",
                );
                continue;
            }
            if !offered.insert(sidx) {
                c.error(
                    "E101",
                    &rec,
                    &field,
                    format!("service `{}` listed twice", o.service),
                    "list each service once",
                );
                continue;
            }
            let cutoff = match &o.cutoff {
                Some(t) => match NaiveTime::parse_from_str(t.trim(), "%H:%M") {
                    Ok(t) => Some(t),
                    Err(_) => {
                        c.error(
                            "E110",
                            &rec,
                            &format!("{field}.cutoff"),
                            format!("`{t}` is not a time"),
                            "write HH:MM (24 h)",
                        );
                        None
                    }
                },
                None => None,
            };
            offers.push(NodeService {
                service: sidx,
                cutoff,
            });
        }
        if offers.is_empty() && caps.ship_to_home && !explicit_mode {
            c.warn(
                "W202",
                &rec,
                "services",
                "offers no carrier service: it cannot ship to homes".into(),
                "add services, or drop the ship_to_home capability",
            );
        }
        let closed_weekdays = n
            .closed_weekdays
            .iter()
            .enumerate()
            .filter_map(|(k, w)| c.weekday(&rec, &format!("closed_weekdays[{k}]"), w))
            .collect();
        let closed_dates: BTreeSet<NaiveDate> = n
            .closed_dates
            .iter()
            .enumerate()
            .filter_map(|(k, d)| c.date(&rec, &format!("closed_dates[{k}]"), d))
            .collect();
        let rank = n.rank.and_then(|r| c.finite(&rec, "rank", r));
        node_index.insert(n.id.clone(), nodes.len());
        let (lat, lon) = loc.unwrap_or((0.0, 0.0));
        nodes.push(Node {
            id: n.id.clone(),
            kind: kind.unwrap_or(NodeKind::Dc),
            lat,
            lon,
            market: n.market.clone().unwrap_or_else(|| "US".into()),
            capabilities: caps,
            handling_per_package: hpp.unwrap_or(0.0),
            handling_per_unit: hpu.unwrap_or(0.0),
            capacity_orders: cap_o,
            capacity_units: cap_u,
            services: offers,
            processing_days: processing.unwrap_or(0),
            closed_weekdays,
            closed_dates,
            rank,
        });
    }

    // Inventory.
    let mut atp: HashMap<(NodeIdx, SkuIdx), u32> = HashMap::default();
    let mut stocked: HashSet<SkuIdx> = HashSet::default();
    let mut seen_stock = HashSet::default();
    for (k, r) in f.inventory.iter().enumerate() {
        let rec = format!("inventory row {} ({} / {})", k + 1, r.node, r.sku);
        let node = node_index.get(&r.node).copied();
        if node.is_none() {
            c.error(
                "E102",
                &rec,
                "node",
                format!("unknown node `{}`", r.node),
                "add the node or fix the id",
            );
        }
        let sku = sku_index.get(&r.sku).copied();
        if sku.is_none() {
            c.error(
                "E102",
                &rec,
                "sku",
                format!("unknown SKU `{}`", r.sku),
                "add the SKU or fix the id",
            );
        }
        if !seen_stock.insert((r.node.clone(), r.sku.clone())) {
            c.error(
                "E101",
                &rec,
                "node+sku",
                "second row for the same node and SKU".into(),
                "merge the rows into one",
            );
            continue;
        }
        let on_hand = c.quantity(&rec, "on_hand", r.on_hand);
        let reserved = c.quantity(&rec, "reserved", r.reserved.unwrap_or(0.0));
        let safety = c.quantity(&rec, "safety_stock", r.safety_stock.unwrap_or(0.0));
        let inbound_q = c.quantity(&rec, "inbound_quantity", r.inbound_quantity.unwrap_or(0.0));
        let inbound_date = r
            .inbound_date
            .as_ref()
            .and_then(|d| c.date(&rec, "inbound_date", d));
        if let (Some(oh), Some(res)) = (on_hand, reserved)
            && res > oh
        {
            c.error(
                "E105",
                &rec,
                "reserved",
                format!("{res} reserved but only {oh} on hand"),
                "lower reserved to at most on_hand, or correct on_hand",
            );
        }
        let (Some(n), Some(s), Some(oh), Some(res), Some(ss), Some(iq)) =
            (node, sku, on_hand, reserved, safety, inbound_q)
        else {
            continue;
        };
        // Inbound counts once it has arrived by the wave's date.
        let arrived = match (inbound_date, wave_time) {
            (Some(d), Some(w)) => d <= w.date(),
            (None, _) => true,
            _ => false,
        };
        // Each term is at most MAX_UNITS, so the sum fits in u32 once positive.
        let usable = i64::from(oh) + if arrived { i64::from(iq) } else { 0 }
            - i64::from(res)
            - i64::from(ss);
        if let Ok(usable) = u32::try_from(usable)
            && usable > 0
        {
            atp.insert((n, s), usable);
        }
        if oh > 0 || iq > 0 {
            stocked.insert(s);
        }
    }
    for (k, s) in skus.iter().enumerate() {
        if !stocked.contains(&k) {
            c.warn(
                "W201",
                &format!("sku {}", s.id),
                "inventory",
                "no stock at any node".into(),
                "add inventory rows, or expect its lines to be unfilled",
            );
        }
    }

    // Orders.
    let mut orders = Vec::new();
    let mut order_ids = HashSet::default();
    for o in &f.orders {
        let rec = format!("order {}", o.id);
        if !order_ids.insert(o.id.clone()) {
            c.error(
                "E101",
                &rec,
                "id",
                "duplicate order id".into(),
                "give every order its own id",
            );
            continue;
        }
        let loc = if explicit_mode && o.zip.is_none() && (o.lat.is_none() || o.lon.is_none()) {
            Some((0.0, 0.0))
        } else {
            location(&mut c, &rec, &o.zip, o.lat, o.lon)
        };
        let placed = match &o.placed_at {
            Some(p) => c.datetime(&rec, "placed_at", p),
            None => wave_time,
        };
        if o.lines.is_empty() {
            c.error(
                "E109",
                &rec,
                "lines",
                "the order has no lines".into(),
                "add lines or drop the order",
            );
        }
        c.at_most(&rec, "lines", o.lines.len(), MAX_LINES_PER_ORDER);
        let mut lines = Vec::new();
        for (k, l) in o.lines.iter().enumerate() {
            let field = format!("lines[{k}]");
            let sku = sku_index.get(&l.sku).copied();
            if sku.is_none() {
                c.error(
                    "E102",
                    &rec,
                    &format!("{field}.sku"),
                    format!("unknown SKU `{}`", l.sku),
                    "add the SKU or fix the id",
                );
            }
            let q = c.quantity(&rec, &format!("{field}.quantity"), l.quantity);
            if q == Some(0) {
                c.error(
                    "E103",
                    &rec,
                    &format!("{field}.quantity"),
                    "zero units ordered".into(),
                    "order at least one unit or drop the line",
                );
            }
            let pen = l
                .unfilled_penalty
                .and_then(|p| c.non_negative(&rec, &format!("{field}.unfilled_penalty"), p));
            if let (Some(sku), Some(q)) = (sku, q) {
                if !stocked.contains(&sku) && skus.get(sku).is_some() {
                    c.warn(
                        "W203",
                        &rec,
                        &format!("{field}.sku"),
                        format!("SKU `{}` has no stock anywhere", l.sku),
                        "expect the line to be unfilled",
                    );
                }
                if q > 0 {
                    lines.push(Line {
                        sku,
                        quantity: q,
                        unfilled_penalty: pen,
                    });
                }
            }
        }
        let mut promised = o
            .promised_date
            .as_ref()
            .and_then(|d| c.date(&rec, "promised_date", d));
        if promised.is_none()
            && o.promised_date.is_none()
            && let (Some(level), Some(p), Some(placed)) = (&o.service_level, &policy, placed)
        {
            match p.service_levels.get(level) {
                Some(&days) => {
                    promised = crate::network::calendar::add_business_days(placed.date(), days);
                    if promised.is_none() {
                        c.error(
                            "E110",
                            &rec,
                            "service_level",
                            format!("{days} business days after {placed} is past the calendar"),
                            "give an earlier placed_at or a shorter service level",
                        );
                    }
                }
                None => c.error(
                    "E112",
                    &rec,
                    "service_level",
                    format!("unknown service level `{level}`"),
                    "use a level of the policy's service_levels or give promised_date",
                ),
            }
        }
        let max_packages = o
            .max_packages
            .and_then(|m| c.quantity(&rec, "max_packages", m));
        if max_packages == Some(0) {
            c.error(
                "E111",
                &rec,
                "max_packages",
                "0 packages allowed".into(),
                "allow at least 1 package or drop the limit",
            );
        }
        let pickup_node = match &o.pickup_node {
            Some(id) => match node_index.get(id) {
                Some(&n) => {
                    if !nodes[n].capabilities.pickup {
                        c.error(
                            "E114",
                            &rec,
                            "pickup_node",
                            format!("node `{id}` has no `pickup` capability"),
                            "choose a pickup node or add the capability",
                        );
                    }
                    Some(n)
                }
                None => {
                    c.error(
                        "E102",
                        &rec,
                        "pickup_node",
                        format!("unknown node `{id}`"),
                        "fix the node id",
                    );
                    None
                }
            },
            None => None,
        };
        let priority = o
            .priority
            .and_then(|p| c.finite(&rec, "priority", p))
            .unwrap_or(0.0);
        let (lat, lon) = loc.unwrap_or((0.0, 0.0));
        orders.push(Order {
            id: o.id.clone(),
            placed_at: placed.unwrap_or_default(),
            lat,
            lon,
            market: o.market.clone().unwrap_or_else(|| "US".into()),
            lines,
            promised,
            ship_complete: o.ship_complete.unwrap_or(false),
            max_packages,
            pickup_node,
            priority,
        });
    }
    let wave_units: u64 = orders.iter().map(Order::units).sum();
    c.at_most(
        "orders",
        "units ordered in the wave",
        wave_units,
        u64::from(MAX_UNITS),
    );
    for orphan in &loaded.orphan_lines {
        c.error(
            "E102",
            &format!("order_lines.csv row {}", orphan.row),
            "order",
            format!("unknown order `{}`", orphan.order),
            "add the order to orders.csv or fix the id",
        );
    }

    let explicit = f
        .explicit_costs
        .as_ref()
        .map(|e| explicit_costs(&mut c, e, &orders, &node_index));

    let report = ValidationReport { issues: c.issues };
    if report.has_errors() {
        return Err(report);
    }
    let scenario = Scenario {
        name: f.name.clone().unwrap_or_else(|| {
            loaded
                .source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        }),
        wave_time: wave_time.expect("no errors means the wave time parsed"),
        nodes,
        skus,
        services,
        orders,
        atp,
        policy: policy.expect("no errors means the policy is complete"),
        model_name: model.name.clone(),
        explicit,
    };
    Ok((scenario, report))
}

fn explicit_costs(
    c: &mut Collector,
    e: &crate::input::format::ExplicitCostsRecord,
    orders: &[Order],
    node_index: &HashMap<String, NodeIdx>,
) -> ExplicitCosts {
    let order_index: HashMap<&str, OrderIdx> = orders
        .iter()
        .enumerate()
        .map(|(k, o)| (o.id.as_str(), k))
        .collect();
    let mut out = ExplicitCosts::default();
    let resolve = |c: &mut Collector, rec: &str, order: &str, node: &str| {
        let o = order_index.get(order).copied();
        if o.is_none() {
            c.error(
                "E102",
                rec,
                "order",
                format!("unknown order `{order}`"),
                "fix the order id",
            );
        }
        let n = node_index.get(node).copied();
        if n.is_none() {
            c.error(
                "E102",
                rec,
                "node",
                format!("unknown node `{node}`"),
                "fix the node id",
            );
        }
        o.zip(n)
    };
    for (k, r) in e.packages.iter().enumerate() {
        let rec = format!("package cost row {} ({} / {})", k + 1, r.order, r.node);
        let cost = c.non_negative(&rec, "cost", r.cost);
        if let (Some((o, n)), Some(cost)) = (resolve(c, &rec, &r.order, &r.node), cost)
            && out.package.insert((o, n), cost).is_some()
        {
            c.error(
                "E101",
                &rec,
                "order+node",
                "second package cost for the pair".into(),
                "give one row per order and node",
            );
        }
    }
    for (k, r) in e.units.iter().enumerate() {
        let rec = format!(
            "unit cost row {} ({} line {} / {})",
            k + 1,
            r.order,
            r.line,
            r.node
        );
        let cost = c.non_negative(&rec, "cost", r.cost);
        let line = c.quantity(&rec, "line", r.line).map(|l| l as usize);
        if let (Some((o, n)), Some(cost), Some(line)) =
            (resolve(c, &rec, &r.order, &r.node), cost, line)
        {
            if line >= orders[o].lines.len() {
                c.error(
                    "E102",
                    &rec,
                    "line",
                    format!("order `{}` has {} lines", r.order, orders[o].lines.len()),
                    "lines are numbered from 0",
                );
            } else if out.unit.insert((o, line, n), cost).is_some() {
                c.error(
                    "E101",
                    &rec,
                    "order+line+node",
                    "second unit cost for the line and node".into(),
                    "give one row per line and node",
                );
            }
        }
    }
    out
}
