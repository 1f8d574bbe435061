//! The checker's own reading of the input: nodes, services, stock, orders and
//! policy taken straight from the wire records (`format`) and the cost model,
//! with availability, promised dates and the cost-model merge computed here.
//! Nothing below calls the loader's domain (`validate`, `Scenario::atp`),
//! `calendar`, `network` or `candidates`; only the embedded ZIP table of `geo`
//! and the embedded carrier-holiday CSV text (data, not formulas) are shared:
//! the checker reads the CSV with its own code. The date rules are in [`super::dates`],
//! distances and zones in [`super::costs`].

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use chrono_tz::Tz;

use crate::error::DomoptError;
use crate::input::cost_model::CostModel;
use crate::input::format::{
    LoadedScenario, NodeRecord, OrderRecord, PolicyOverrides, ScenarioFile, ServiceRecord,
};
use crate::network::domain;

pub use super::model::{CExplicit, CLine, CNode, COrder, CPolicy, CService, CTransfer};

/// Everything the checker needs, read from the input by its own code.
#[derive(Debug, Clone)]
pub struct Input {
    /// Wave cut time, on the clock of `zone`.
    pub wave: NaiveDateTime,
    /// The zone the wave time is written in, if the scenario names one.
    pub zone: Option<Tz>,
    /// Nodes.
    pub nodes: Vec<CNode>,
    /// SKU ids.
    pub sku_ids: Vec<String>,
    /// SKU weights (lb).
    pub sku_weight: Vec<f64>,
    /// Services (pickup included).
    pub services: Vec<CService>,
    /// Orders.
    pub orders: Vec<COrder>,
    /// Available to promise per (node, SKU).
    pub atp: HashMap<(usize, usize), u64>,
    /// Penalties.
    pub policy: CPolicy,
    /// Explicit costs, if given.
    pub explicit: Option<CExplicit>,
    /// Transfer lanes by (from node, to node).
    pub transfers: HashMap<(usize, usize), CTransfer>,
    /// Id -> index maps.
    pub node_ix: HashMap<String, usize>,
    /// Id -> index.
    pub service_ix: HashMap<String, usize>,
    /// Id -> index.
    pub order_ix: HashMap<String, usize>,
}

fn bad(source: &Path, detail: String) -> DomoptError {
    DomoptError::parse(source, format!("checker: {detail}"))
}

fn date(source: &Path, s: &str) -> Result<NaiveDate, DomoptError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| bad(source, format!("`{s}` is not a date")))
}

fn date_time(source: &Path, s: &str) -> Result<NaiveDateTime, DomoptError> {
    let s = s.trim();
    let formats = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ];
    if let Some(t) = formats
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    {
        return Ok(t);
    }
    Ok(date(source, s)?.and_hms_opt(0, 0, 0).expect("midnight"))
}

fn zone(source: &Path, name: &Option<String>) -> Result<Option<Tz>, DomoptError> {
    name.as_deref()
        .map(|z| {
            z.trim()
                .parse::<Tz>()
                .map_err(|_| bad(source, format!("`{z}` is not a time zone")))
        })
        .transpose()
}

fn weekday(source: &Path, s: &str) -> Result<Weekday, DomoptError> {
    s.trim()
        .parse::<Weekday>()
        .map_err(|_| bad(source, format!("`{s}` is not a weekday")))
}

fn whole(source: &Path, what: &str, v: f64) -> Result<u64, DomoptError> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 {
        Ok(v as u64)
    } else {
        Err(bad(source, format!("{what} = {v} is not a whole number")))
    }
}

fn zone_values(source: &Path, id: &str, what: &str, v: &[f64]) -> Result<Vec<f64>, DomoptError> {
    if v.len() != 8 {
        return Err(bad(source, format!("service {id}: {what} needs 8 values")));
    }
    Ok(v.to_vec())
}

/// Calendar name -> non-delivery dates, shared by the services following it.
type Calendars = HashMap<String, Arc<HashSet<NaiveDate>>>;

/// The built-in carrier calendars (the embedded CSV's rows `date,carrier,...`)
/// with the model's and then the scenario's added, each replacing an earlier
/// one of the same name.
fn calendars(source: &Path, model: &CostModel, f: &ScenarioFile) -> Result<Calendars, DomoptError> {
    let mut all: HashMap<String, HashSet<NaiveDate>> = HashMap::new();
    let text = crate::network::holidays::US_CARRIER_HOLIDAYS;
    for row in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = row.split(',').collect();
        let (Some(d), Some(carrier)) = (cols.first(), cols.get(1)) else {
            return Err(bad(source, format!("carrier calendar row `{row}`")));
        };
        all.entry(carrier.trim().to_string())
            .or_default()
            .insert(date(source, d)?);
    }
    for (name, dates) in model.calendars.iter().chain(&f.calendars) {
        let own = dates
            .iter()
            .map(|d| date(source, d))
            .collect::<Result<_, _>>()?;
        all.insert(name.clone(), own);
    }
    Ok(all.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
}

fn service(source: &Path, r: &ServiceRecord, calendars: &Calendars) -> Result<CService, DomoptError> {
    let all_week = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let pickup_days = match &r.pickup_weekdays {
        Some(ws) => ws
            .iter()
            .map(|w| weekday(source, w))
            .collect::<Result<_, _>>()?,
        None => all_week.into_iter().collect(),
    };
    let mut deadlines = Vec::new();
    for h in &r.holiday_deadlines {
        deadlines.push((date(source, &h.ship_by)?, date(source, &h.arrive_by)?));
    }
    let transit = zone_values(source, &r.id, "transit_days", &r.transit_days)?
        .into_iter()
        .map(|t| whole(source, "transit_days", t).map(|t| t as u32))
        .collect::<Result<_, _>>()?;
    Ok(CService {
        id: r.id.clone(),
        per_package: zone_values(source, &r.id, "per_package", &r.per_package)?,
        per_lb: match &r.per_lb {
            Some(v) => zone_values(source, &r.id, "per_lb", v)?,
            None => vec![0.0; 8],
        },
        per_unit: r.per_unit.unwrap_or(0.0),
        per_unit_per_mile: r.per_unit_per_mile.unwrap_or(0.0),
        transit,
        saturday: r.saturday_delivery.unwrap_or(false),
        no_delivery: match &r.calendar {
            Some(name) => calendars
                .get(name)
                .cloned()
                .ok_or_else(|| bad(source, format!("service {}: no calendar `{name}`", r.id)))?,
            None => Arc::default(),
        },
        pickup_days,
        deadlines,
        in_store: false,
    })
}

/// A built-in service (pickup or explicit): no rates, no transit.
pub(crate) fn builtin(id: &str, in_store: bool) -> CService {
    CService {
        id: id.into(),
        per_package: vec![0.0; 8],
        per_lb: vec![0.0; 8],
        per_unit: 0.0,
        per_unit_per_mile: 0.0,
        transit: vec![0; 8],
        saturday: false,
        no_delivery: Arc::default(),
        pickup_days: HashSet::new(),
        deadlines: Vec::new(),
        in_store,
    }
}

fn policy(source: &Path, p: &PolicyOverrides) -> Result<CPolicy, DomoptError> {
    let need = |v: Option<f64>, what: &str| v.ok_or_else(|| bad(source, format!("no {what}")));
    Ok(CPolicy {
        split: need(p.split_penalty, "split_penalty")?,
        late: need(p.late_penalty_per_day, "late_penalty_per_day")?,
        unfilled: match p.unfilled_rule.as_deref().unwrap_or("fixed") {
            "twice-worst" => None,
            _ => Some(need(
                p.unfilled_penalty_per_unit,
                "unfilled_penalty_per_unit",
            )?),
        },
        store: need(p.store_premium_per_unit, "store_premium_per_unit")?,
        cross_market: match p.cross_market.as_deref().unwrap_or("forbid") {
            "penalty" => Some(need(p.cross_market_penalty, "cross_market_penalty")?),
            _ => None,
        },
    })
}

fn place(
    source: &Path,
    what: &str,
    explicit: bool,
    zip: &Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Result<(f64, f64), DomoptError> {
    if let (Some(lat), Some(lon)) = (lat, lon) {
        return Ok((lat, lon));
    }
    match zip {
        // The ZIP table is data; the geocoding formula is a lookup.
        Some(z) => crate::network::geo::zip_location(z)
            .ok_or_else(|| bad(source, format!("{what}: ZIP `{z}` is unknown"))),
        None if explicit => Ok((0.0, 0.0)),
        None => Err(bad(source, format!("{what}: no location"))),
    }
}

/// Each id's position.
fn index<'a>(ids: impl Iterator<Item = &'a String>) -> HashMap<String, usize> {
    ids.enumerate().map(|(k, id)| (id.clone(), k)).collect()
}

/// The policy in force. Precedence: the model, then the scenario's policy,
/// then the run.
fn merged_policy(
    model: &CostModel,
    scenario: &PolicyOverrides,
    run: &PolicyOverrides,
) -> PolicyOverrides {
    let pick = |k: fn(&PolicyOverrides) -> Option<f64>| k(run).or(k(scenario)).or(k(&model.policy));
    let pick_s =
        |k: fn(&PolicyOverrides) -> Option<String>| k(run).or(k(scenario)).or(k(&model.policy));
    PolicyOverrides {
        split_penalty: pick(|p| p.split_penalty),
        late_penalty_per_day: pick(|p| p.late_penalty_per_day),
        unfilled_penalty_per_unit: pick(|p| p.unfilled_penalty_per_unit),
        unfilled_rule: pick_s(|p| p.unfilled_rule.clone()),
        store_premium_per_unit: pick(|p| p.store_premium_per_unit),
        cross_market: pick_s(|p| p.cross_market.clone()),
        cross_market_penalty: pick(|p| p.cross_market_penalty),
        planned_move_penalty: pick(|p| p.planned_move_penalty),
        released_move_penalty: pick(|p| p.released_move_penalty),
        service_levels: run
            .service_levels
            .clone()
            .or(scenario.service_levels.clone())
            .or(model.policy.service_levels.clone()),
    }
}

/// Services: the model's (a scenario's service of the same id replaces it),
/// then the scenario's own, then the built-in pickup and transfer and, with
/// explicit costs, the explicit service.
fn services(
    src: &Path,
    model: &CostModel,
    f: &ScenarioFile,
    explicit_mode: bool,
) -> Result<Vec<CService>, DomoptError> {
    let calendars = calendars(src, model, f)?;
    let mut services = Vec::new();
    for r in &model.services {
        let own = f.services.iter().find(|s| s.id == r.id).unwrap_or(r);
        services.push(service(src, own, &calendars)?);
    }
    for r in &f.services {
        if !model.services.iter().any(|m| m.id == r.id) {
            services.push(service(src, r, &calendars)?);
        }
    }
    services.push(builtin(domain::PICKUP_SERVICE, true));
    services.push(builtin(domain::TRANSFER_SERVICE, false));
    if explicit_mode {
        services.push(builtin(domain::EXPLICIT_SERVICE, false));
    }
    Ok(services)
}

/// A node as the checker reads it.
fn node(
    src: &Path,
    n: &NodeRecord,
    explicit_mode: bool,
    service_ix: &HashMap<String, usize>,
) -> Result<CNode, DomoptError> {
    let what = format!("node {}", n.id);
    let (lat, lon) = place(src, &what, explicit_mode, &n.zip, n.lat, n.lon)?;
    let mut offers = Vec::new();
    for o in &n.services {
        let v = *service_ix
            .get(&o.service)
            .ok_or_else(|| bad(src, format!("{what}: unknown service {}", o.service)))?;
        let cutoff = match &o.cutoff {
            Some(t) => Some(
                NaiveTime::parse_from_str(t.trim(), "%H:%M")
                    .map_err(|_| bad(src, format!("{what}: cutoff `{t}`")))?,
            ),
            None => None,
        };
        offers.push((v, cutoff));
    }
    let caps = n.capabilities.clone();
    let ship_to_home = caps.is_none_or(|c| c.iter().any(|x| x.trim() == "ship_to_home"));
    Ok(CNode {
        id: n.id.clone(),
        store: n.kind.trim().eq_ignore_ascii_case("store"),
        lat,
        lon,
        market: n.market.clone().unwrap_or_else(|| "US".into()),
        ship_to_home,
        per_package: n.handling_per_package.unwrap_or(0.0),
        per_unit: n.handling_per_unit.unwrap_or(0.0),
        cap_packages: n
            .capacity_orders
            .map(|v| whole(src, "capacity_orders", v))
            .transpose()?,
        cap_units: n
            .capacity_units
            .map(|v| whole(src, "capacity_units", v))
            .transpose()?,
        offers,
        processing_days: whole(src, "processing_days", n.processing_days.unwrap_or(0.0))? as u32,
        closed_weekdays: n
            .closed_weekdays
            .iter()
            .map(|w| weekday(src, w))
            .collect::<Result<_, _>>()?,
        closed_dates: n
            .closed_dates
            .iter()
            .map(|d| date(src, d))
            .collect::<Result<_, _>>()?,
        zone: zone(src, &n.time_zone)?,
    })
}

/// Available to promise per (node, SKU): on hand + inbound arrived by the
/// wave date (or undated) - reserved - safety stock, at least 0.
fn available_to_promise(
    src: &Path,
    f: &ScenarioFile,
    wave: NaiveDateTime,
    node_ix: &HashMap<String, usize>,
    sku_ix: &HashMap<String, usize>,
) -> Result<HashMap<(usize, usize), u64>, DomoptError> {
    let mut atp = HashMap::new();
    for r in &f.inventory {
        let (Some(&n), Some(&s)) = (node_ix.get(&r.node), sku_ix.get(&r.sku)) else {
            return Err(bad(
                src,
                format!("inventory {} / {}: unknown id", r.node, r.sku),
            ));
        };
        let arrived = match &r.inbound_date {
            Some(d) => date(src, d)? <= wave.date(),
            None => true,
        };
        let inbound = if arrived {
            whole(src, "inbound_quantity", r.inbound_quantity.unwrap_or(0.0))? as i128
        } else {
            0
        };
        let free = whole(src, "on_hand", r.on_hand)? as i128 + inbound
            - whole(src, "reserved", r.reserved.unwrap_or(0.0))? as i128
            - whole(src, "safety_stock", r.safety_stock.unwrap_or(0.0))? as i128;
        atp.insert((n, s), free.max(0) as u64);
    }
    Ok(atp)
}

/// Takes out of `atp` the units that the buffers of channels with no order
/// in the wave keep at each node: the wave may not ship them.
fn leave_absent_channels_buffers(
    src: &Path,
    f: &ScenarioFile,
    atp: &mut HashMap<(usize, usize), u64>,
) -> Result<(), DomoptError> {
    let present: HashSet<&str> = f.orders.iter().filter_map(|o| o.channel.as_deref()).collect();
    let mut kept = vec![0u64; f.nodes.len()];
    for ch in f.channels.iter().filter(|ch| !present.contains(ch.id.as_str())) {
        let Some(b) = &ch.buffer else { continue };
        let units = whole(src, "buffer.units", b.units)?;
        for (k, node) in f.nodes.iter().enumerate() {
            let kind = node.kind.trim().to_ascii_lowercase();
            let by_kind = b.node_kinds.is_empty()
                || b.node_kinds.iter().any(|x| x.trim().to_ascii_lowercase() == kind);
            let by_id = b.nodes.is_empty() || b.nodes.iter().any(|x| x == &node.id);
            if by_kind && by_id {
                kept[k] += units;
            }
        }
    }
    // The checker's nodes are the file's, in order.
    for (&(n, _), units) in atp.iter_mut() {
        *units = units.saturating_sub(kept[n]);
    }
    Ok(())
}

/// Where SKU and node ids are, for reading orders.
struct Indices<'a> {
    sku: &'a HashMap<String, usize>,
    node: &'a HashMap<String, usize>,
    service: &'a HashMap<String, usize>,
}

/// An order as the checker reads it, its promise from its date or its
/// service level (business days from placement).
fn order(
    src: &Path,
    o: &OrderRecord,
    wave: NaiveDateTime,
    merged: &PolicyOverrides,
    explicit_mode: bool,
    at: &Indices,
) -> Result<COrder, DomoptError> {
    let what = format!("order {}", o.id);
    let (lat, lon) = place(src, &what, explicit_mode, &o.zip, o.lat, o.lon)?;
    let placed = match &o.placed_at {
        Some(p) => date_time(src, p)?,
        None => wave,
    };
    let promised = match (&o.promised_date, &o.service_level) {
        (Some(d), _) => Some(date(src, d)?),
        (None, Some(level)) => {
            let days = merged
                .service_levels
                .as_ref()
                .and_then(|l| l.get(level))
                .ok_or_else(|| bad(src, format!("{what}: service level {level}")))?;
            let days = u32::try_from(whole(src, "service level", *days)?)
                .map_err(|_| bad(src, format!("{what}: service level {level} is too long")))?;
            let promised = super::dates::plus_business_days(placed.date(), days);
            Some(promised.ok_or_else(|| bad(src, format!("{what}: promised date past 9999-12-31")))?)
        }
        (None, None) => None,
    };
    let mut lines = Vec::new();
    for l in &o.lines {
        let sku = *at
            .sku
            .get(&l.sku)
            .ok_or_else(|| bad(src, format!("{what}: unknown SKU {}", l.sku)))?;
        lines.push(CLine {
            sku,
            quantity: whole(src, "quantity", l.quantity)?,
            penalty: l.unfilled_penalty,
        });
    }
    Ok(COrder {
        id: o.id.clone(),
        lat,
        lon,
        market: o.market.clone().unwrap_or_else(|| "US".into()),
        lines,
        promised,
        ship_complete: o.ship_complete.unwrap_or(false),
        max_packages: o
            .max_packages
            .map(|m| whole(src, "max_packages", m))
            .transpose()?,
        service: match &o.service {
            Some(id) => Some(
                *at.service
                    .get(id)
                    .ok_or_else(|| bad(src, format!("{what}: service {id}")))?,
            ),
            None => None,
        },
        pickup_node: match &o.pickup_node {
            Some(id) => Some(
                *at.node
                    .get(id)
                    .ok_or_else(|| bad(src, format!("{what}: pickup node {id}")))?,
            ),
            None => None,
        },
    })
}

/// The explicit package and unit costs, if the scenario lists them.
fn explicit_costs(
    src: &Path,
    f: &ScenarioFile,
    order_ix: &HashMap<String, usize>,
    node_ix: &HashMap<String, usize>,
) -> Result<Option<CExplicit>, DomoptError> {
    let Some(e) = &f.explicit_costs else {
        return Ok(None);
    };
    let mut out = CExplicit::default();
    let ids = |order: &str, node: &str| match (order_ix.get(order), node_ix.get(node)) {
        (Some(&o), Some(&n)) => Ok((o, n)),
        _ => Err(bad(
            src,
            format!("explicit cost {order} / {node}: unknown id"),
        )),
    };
    for p in &e.packages {
        out.package.insert(ids(&p.order, &p.node)?, p.cost);
    }
    for u in &e.units {
        let (o, n) = ids(&u.order, &u.node)?;
        out.unit
            .insert((o, whole(src, "line", u.line)? as usize, n), u.cost);
    }
    Ok(Some(out))
}

/// The transfer lanes, each value the lane's own or the cost model's.
fn transfer_lanes(
    src: &Path,
    f: &ScenarioFile,
    model: &CostModel,
    node_ix: &HashMap<String, usize>,
) -> Result<HashMap<(usize, usize), CTransfer>, DomoptError> {
    let mut out = HashMap::new();
    for r in &f.transfer_lanes {
        let what = format!("transfer lane {} -> {}", r.from, r.to);
        let (Some(&from), Some(&to)) = (node_ix.get(&r.from), node_ix.get(&r.to)) else {
            return Err(bad(src, format!("{what}: unknown node")));
        };
        let d = &model.transfers;
        let value = |own: Option<f64>, model: Option<f64>, field: &str| {
            own.or(model)
                .ok_or_else(|| bad(src, format!("{what}: no {field}")))
        };
        let lane = CTransfer {
            per_package: value(r.per_package, d.per_package, "per_package")?,
            per_unit: value(r.per_unit, d.per_unit, "per_unit")?,
            lead_days: u32::try_from(whole(
                src,
                "lead_days",
                value(r.lead_days, d.lead_days, "lead_days")?,
            )?)
            .map_err(|_| bad(src, format!("{what}: lead_days too large")))?,
        };
        out.insert((from, to), lane);
    }
    Ok(out)
}

impl Input {
    /// Reads the scenario at `path` with cost model `model` (preset or TOML)
    /// and the run's `--set` overrides, by the checker's own code.
    pub fn read(path: &Path, model: &str, overrides: &[String]) -> Result<Input, DomoptError> {
        let loaded = crate::input::format::read_scenario(path)?;
        let model = CostModel::load(model)?;
        let run = PolicyOverrides::from_assignments(overrides)?;
        Input::from_wire(&loaded, &model, &run)
    }

    /// The checker's view of wire records and a cost model.
    pub fn from_wire(
        loaded: &LoadedScenario,
        model: &CostModel,
        run: &PolicyOverrides,
    ) -> Result<Input, DomoptError> {
        let src = loaded.source.as_path();
        let f = &loaded.file;
        let wave = date_time(src, &f.wave_time)?;
        let merged = merged_policy(model, &f.policy, run);
        let policy = policy(src, &merged)?;
        let explicit_mode = f.explicit_costs.is_some();
        let services = services(src, model, f, explicit_mode)?;
        let service_ix = index(services.iter().map(|s| &s.id));

        let sku_ids: Vec<String> = f.skus.iter().map(|s| s.id.clone()).collect();
        let sku_weight = f.skus.iter().map(|s| s.weight_lb).collect();
        let sku_ix = index(sku_ids.iter());

        let nodes = f
            .nodes
            .iter()
            .map(|n| node(src, n, explicit_mode, &service_ix))
            .collect::<Result<Vec<_>, _>>()?;
        let node_ix = index(nodes.iter().map(|n| &n.id));
        let mut atp = available_to_promise(src, f, wave, &node_ix, &sku_ix)?;
        leave_absent_channels_buffers(src, f, &mut atp)?;
        let at = Indices {
            sku: &sku_ix,
            node: &node_ix,
            service: &service_ix,
        };
        let orders = f
            .orders
            .iter()
            .map(|o| order(src, o, wave, &merged, explicit_mode, &at))
            .collect::<Result<Vec<_>, _>>()?;
        let order_ix = index(orders.iter().map(|o| &o.id));
        let explicit = explicit_costs(src, f, &order_ix, &node_ix)?;
        let transfers = transfer_lanes(src, f, model, &node_ix)?;
        Ok(Input {
            wave,
            zone: zone(src, &f.time_zone)?,
            nodes,
            sku_ids,
            sku_weight,
            services,
            orders,
            atp,
            policy,
            explicit,
            transfers,
            node_ix,
            service_ix,
            order_ix,
        })
    }

    /// The checker's view of an already loaded scenario, for callers that have
    /// no input files (scenarios built in memory). Weaker than
    /// [`Input::from_wire`]: availability, promised dates and locations are
    /// the loader's; dates, zones and costs are still the checker's own.
    pub fn from_scenario(s: &domain::Scenario) -> Input {
        // One date set per calendar, however many services follow it.
        let mut seen: HashMap<usize, Arc<HashSet<NaiveDate>>> = HashMap::new();
        let mut dates_of = |days: &domain::DeliveryDays| {
            seen.entry(days.dates_identity())
                .or_insert_with(|| Arc::new(days.non_delivery_dates().collect()))
                .clone()
        };
        let services: Vec<CService> = s
            .services
            .iter()
            .map(|v| CService {
                id: v.id.clone(),
                per_package: v.per_package.to_vec(),
                per_lb: v.per_lb.to_vec(),
                per_unit: v.per_unit,
                per_unit_per_mile: v.per_unit_per_mile,
                transit: v.transit_days.to_vec(),
                saturday: v.delivery.saturday(),
                no_delivery: dates_of(&v.delivery),
                pickup_days: v.pickup_weekdays.iter().copied().collect(),
                deadlines: v.holiday_deadlines.clone(),
                in_store: v.is_pickup,
            })
            .collect();
        let nodes: Vec<CNode> = s
            .nodes
            .iter()
            .map(|n| CNode {
                id: n.id.clone(),
                store: n.kind == domain::NodeKind::Store,
                lat: n.lat,
                lon: n.lon,
                market: n.market.clone(),
                ship_to_home: n.capabilities.ship_to_home,
                per_package: n.handling_per_package,
                per_unit: n.handling_per_unit,
                cap_packages: n.capacity_orders.map(u64::from),
                cap_units: n.capacity_units.map(u64::from),
                offers: n
                    .services
                    .iter()
                    .map(|o| (o.service.index(), o.cutoff))
                    .collect(),
                processing_days: n.processing_days,
                closed_weekdays: n.closed_weekdays.iter().copied().collect(),
                closed_dates: n.closed_dates.iter().copied().collect(),
                zone: n.time_zone,
            })
            .collect();
        let orders: Vec<COrder> = s
            .orders
            .iter()
            .map(|o| COrder {
                id: o.id.clone(),
                lat: o.lat,
                lon: o.lon,
                market: o.market.clone(),
                lines: o
                    .lines
                    .iter()
                    .map(|l| CLine {
                        sku: l.sku.index(),
                        quantity: u64::from(l.quantity),
                        penalty: l.unfilled_penalty,
                    })
                    .collect(),
                promised: o.promised,
                ship_complete: o.ship_complete,
                max_packages: o.max_packages.map(u64::from),
                pickup_node: o.pickup_node.map(domain::NodeIdx::index),
                service: o.service.map(domain::ServiceIdx::index),
            })
            .collect();
        let p = &s.policy;
        let index = |ids: Vec<String>| -> HashMap<String, usize> {
            ids.into_iter().enumerate().map(|(k, id)| (id, k)).collect()
        };
        Input {
            wave: s.wave_time,
            zone: s.time_zone,
            node_ix: index(nodes.iter().map(|n| n.id.clone()).collect()),
            service_ix: index(services.iter().map(|v| v.id.clone()).collect()),
            order_ix: index(orders.iter().map(|o| o.id.clone()).collect()),
            sku_ids: s.skus.iter().map(|k| k.id.clone()).collect(),
            sku_weight: s.skus.iter().map(|k| k.weight_lb).collect(),
            nodes,
            services,
            orders,
            atp: s
                .atp
                .iter()
                .map(|(&(n, k), &v)| ((n.index(), k.index()), u64::from(v)))
                .collect(),
            policy: CPolicy {
                split: p.split_penalty,
                late: p.late_penalty_per_day,
                unfilled: match p.unfilled {
                    domain::UnfilledRule::Fixed(x) => Some(x),
                    domain::UnfilledRule::TwiceWorst => None,
                },
                store: p.store_premium_per_unit,
                cross_market: match p.cross_market {
                    domain::CrossMarket::Forbid => None,
                    domain::CrossMarket::Penalty(x) => Some(x),
                },
            },
            explicit: s.explicit.as_ref().map(|e| CExplicit {
                package: e
                    .package
                    .iter()
                    .map(|(&(o, n), &c)| ((o.index(), n.index()), c))
                    .collect(),
                unit: e
                    .unit
                    .iter()
                    .map(|(&(o, k, n), &c)| ((o.index(), k, n.index()), c))
                    .collect(),
            }),
            transfers: s
                .transfer_lanes
                .iter()
                .map(|l| {
                    let lane = CTransfer {
                        per_package: l.per_package,
                        per_unit: l.per_unit,
                        lead_days: l.lead_days,
                    };
                    ((l.from.index(), l.to.index()), lane)
                })
                .collect(),
        }
    }

    /// Available to promise of SKU `sku` at node `node`.
    pub fn atp(&self, node: usize, sku: usize) -> u64 {
        self.atp.get(&(node, sku)).copied().unwrap_or(0)
    }
}
