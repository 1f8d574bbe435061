//! Candidate generation: the eligible (order, node, service) combinations with
//! their dates and costs. Only these get variables in the formulation.

use std::ops::Range;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::network::calendar;
use crate::network::domain::*;
use crate::network::lanes::{Lane, Network};
pub use crate::network::pricing::{PackageCost, UnitCost};
use crate::network::pricing;
use crate::network::transfers;

/// Which (order, node, service) combinations get variables.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateMode {
    /// Every eligible combination: the optimum is the model's optimum.
    Exact,
    /// Only the `k` cheapest nodes per order line: a heuristic, reported as such.
    Pruned {
        /// Nodes kept per line.
        k: usize,
    },
}

impl CandidateMode {
    /// `exact` or `pruned:K`, as `domopt solve --candidates` and the Python
    /// `solve(candidates=...)` take it; `None` for other text (the range of
    /// K is `Settings::validate`'s).
    pub fn parse(text: &str) -> Option<CandidateMode> {
        match text {
            "exact" => Some(CandidateMode::Exact),
            _ => text
                .strip_prefix("pruned:")
                .and_then(|k| k.parse().ok())
                .map(|k| CandidateMode::Pruned { k }),
        }
    }
}

/// A line the candidate's node can ship.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandidateLine {
    /// Line index within the order.
    pub line: usize,
    /// Cost per unit.
    pub cost: UnitCost,
    /// Most units: min(quantity, ATP at the node).
    pub max_units: u32,
}

/// An eligible package: order `order` shipping from `node` with `service`.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Order.
    pub order: OrderIdx,
    /// Node.
    pub node: NodeIdx,
    /// Service.
    pub service: ServiceIdx,
    /// Ship date.
    pub ship_date: NaiveDate,
    /// Estimated delivery.
    pub delivery_date: NaiveDate,
    /// Business days late against the promise.
    pub late_days: u32,
    /// Zone.
    pub zone: u8,
    /// Miles.
    pub miles: f64,
    /// Cost of the package.
    pub package: PackageCost,
    /// Lines it can carry (most candidates carry one: inline, no allocation).
    pub lines: CandidateLines,
}

/// The lines of a candidate: a wave holds tens of millions of candidates,
/// four in five with one line, which is kept inside the candidate rather
/// than in an allocation of its own.
pub type CandidateLines = SmallVec<[CandidateLine; 1]>;

impl Candidate {
    /// Position in `lines` of the order's line `line` (which a plan may only
    /// put on a candidate that carries it).
    pub fn line_position(&self, line: usize) -> usize {
        self.lines
            .iter()
            .position(|l| l.line == line)
            .expect("line of its candidate")
    }
}

/// How many candidates were generated and kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CandidateStats {
    /// Eligible (order, node, service) combinations with stock.
    pub eligible: usize,
    /// Removed because another service at the same node is no dearer for the
    /// package and for every line (exact: the optimum is unchanged).
    #[serde(default)]
    pub dominated: usize,
    /// Kept after dominance and pruning (`eligible - dominated` in exact mode).
    pub kept: usize,
    /// Whether pruning (a heuristic) was applied.
    pub pruned: bool,
}

/// All candidates of a wave, grouped by order.
#[derive(Debug, Clone)]
pub struct CandidateSet {
    /// Candidates, ordered by order.
    pub candidates: Vec<Candidate>,
    /// Range of each order's candidates.
    pub by_order: Vec<Range<usize>>,
    /// Penalty per unfilled unit, per order and line.
    pub unfilled_penalty: Vec<Vec<f64>>,
    /// Counts.
    pub stats: CandidateStats,
}

impl CandidateSet {
    /// Positions in `candidates` of the candidates of `order`.
    pub fn range_of(&self, order: OrderIdx) -> Range<usize> {
        self.by_order[order.index()].clone()
    }
    /// Penalty per unfilled unit of each line of `order`.
    pub fn unfilled_of(&self, order: OrderIdx) -> &[f64] {
        &self.unfilled_penalty[order.index()]
    }
    /// The candidates of one order.
    pub fn of(&self, order: OrderIdx) -> &[Candidate] {
        &self.candidates[self.range_of(order)]
    }

    /// This set with `added` (each order's candidates to add, orders
    /// ascending and each once) after each order's own: what a pruned set
    /// gains back from the candidates pruned. Every index into the set
    /// changes.
    pub fn with_added(&self, added: Vec<(OrderIdx, Vec<Candidate>)>) -> CandidateSet {
        self.rebuilt(self.candidates.iter().cloned(), added, self.unfilled_penalty.clone())
    }

    /// [`Self::with_added`], moving this set's candidates instead of
    /// copying them (20M on peak-xl).
    pub fn into_with_added(mut self, added: Vec<(OrderIdx, Vec<Candidate>)>) -> CandidateSet {
        let candidates = std::mem::take(&mut self.candidates);
        let penalties = std::mem::take(&mut self.unfilled_penalty);
        self.rebuilt(candidates.into_iter(), added, penalties)
    }

    /// The set of `old` (this set's candidates, in order) with `added` after
    /// each order's own.
    fn rebuilt(
        &self,
        mut old: impl Iterator<Item = Candidate>,
        added: Vec<(OrderIdx, Vec<Candidate>)>,
        unfilled_penalty: Vec<Vec<f64>>,
    ) -> CandidateSet {
        debug_assert!(added.windows(2).all(|w| w[0].0 < w[1].0), "orders ascending, each once");
        let extra: usize = added.iter().map(|(_, c)| c.len()).sum();
        let own = self.by_order.last().map_or(0, |r| r.end);
        let mut candidates = Vec::with_capacity(own + extra);
        let mut by_order = Vec::with_capacity(self.by_order.len());
        let mut added = added.into_iter().peekable();
        // The ranges are contiguous and ascending: the set is made order by order.
        for (o, range) in self.by_order.iter().enumerate() {
            let start = candidates.len();
            candidates.extend(old.by_ref().take(range.len()));
            if let Some((_, more)) = added.next_if(|(a, _)| a.index() == o) {
                candidates.extend(more);
            }
            by_order.push(start..candidates.len());
        }
        CandidateSet {
            candidates,
            by_order,
            unfilled_penalty,
            stats: CandidateStats {
                kept: self.stats.kept + extra,
                ..self.stats.clone()
            },
        }
    }
}

/// Every (node, service) an order may ship from, with dates and costs, before
/// looking at stock. `None` lines means "not computed": callers add lines.
/// What does not depend on the order: ship dates per (node, offered service),
/// and which nodes stock each SKU.
struct Shared {
    /// Ship date per node and entry of its `services`.
    ship: Vec<Vec<Option<NaiveDate>>>,
    /// Delivery date per node, entry of its `services` and zone (at index
    /// zone minus one): read per candidate rather than walked through the
    /// service's delivery calendar each time (a pass over every candidate of
    /// peak-xl makes hundreds of millions).
    delivery: Vec<Vec<[Option<NaiveDate>; ZONES]>>,
    /// The least package and unit costs per node, for a ceiling's skips.
    floors: pricing::Floors,
    /// Ship date of in-store pickup per node.
    pickup_ship: Vec<Option<NaiveDate>>,
    /// Index of the pickup service.
    pickup_service: ServiceIdx,
    /// Nodes with stock, per SKU, ascending, with their stock: an order's
    /// candidates read it from here, not from the wave's (node, SKU) map, whose
    /// lookups miss the cache once per node, service and line.
    stocking: Vec<Vec<(NodeIdx, u32)>>,
    /// Whether a node has neither an order nor a unit capacity, by index.
    uncapped: Vec<bool>,
}

impl Shared {
    fn new(s: &Scenario) -> Shared {
        let pickup_service = s
            .service_index(PICKUP_SERVICE)
            .expect("pickup service exists");
        let mut stocking = vec![Vec::new(); s.skus.len()];
        let mut stocked: Vec<_> = s
            .atp
            .iter()
            .filter(|(_, q)| **q > 0)
            .map(|(&(n, k), &q)| (k, n, q))
            .collect();
        stocked.sort_unstable();
        for (k, n, q) in stocked {
            stocking[k.index()].push((n, q));
        }
        let ship: Vec<Vec<Option<NaiveDate>>> = s
            .nodes
            .iter()
            .map(|node| {
                node.services
                    .iter()
                    .map(|offer| {
                        calendar::ship_date(
                            calendar::local_wave_time(s, node),
                            node,
                            offer,
                            &s.services[offer.service],
                        )
                    })
                    .collect()
            })
            .collect();
        let delivery = s
            .nodes
            .iter()
            .zip(&ship)
            .map(|(node, ships)| {
                node.services
                    .iter()
                    .zip(ships)
                    .map(|(offer, ship)| {
                        let service = &s.services[offer.service];
                        std::array::from_fn(|z| {
                            ship.and_then(|d| calendar::delivery_date(d, service.transit_days[z], &service.delivery))
                        })
                    })
                    .collect()
            })
            .collect();
        Shared {
            ship,
            delivery,
            floors: pricing::Floors::new(&s.policy, &s.nodes, &s.services),
            pickup_ship: s
                .nodes
                .iter()
                .map(|node| {
                    let offer = NodeService {
                        service: pickup_service,
                        cutoff: None,
                    };
                    let wave = calendar::local_wave_time(s, node);
                    calendar::ship_date(wave, node, &offer, &s.services[pickup_service])
                })
                .collect(),
            pickup_service,
            stocking,
            uncapped: s
                .nodes
                .iter()
                .map(|node| node.capacity_orders.is_none() && node.capacity_units.is_none())
                .collect(),
        }
    }

    /// Nodes worth looking at for an order, with the stock each holds for
    /// each line: those stocking one of its SKUs and its pickup node; every
    /// node when the unfilled penalty depends on all of them (`twice-worst`).
    fn nodes_for(&self, s: &Scenario, order: &Order) -> OrderStock {
        let mut stock = OrderStock {
            nodes: Vec::new(),
            atp: Vec::new(),
            lines: order.lines.len(),
        };
        if s.policy.unfilled == UnfilledRule::TwiceWorst {
            stock.nodes = NodeIdx::all(s.nodes.len()).collect();
            stock.atp = vec![0; s.nodes.len() * stock.lines];
        }
        // The lists are sorted by node: merging them costs no sort (a
        // popular SKU is stocked at nearly all of peak-xl's 2,000 nodes).
        for (k, l) in order.lines.iter().enumerate() {
            stock.merge(Some(k), &self.stocking[l.sku.index()]);
        }
        if let Some(p) = order.pickup_node {
            stock.merge(None, &[(p, 0)]);
        }
        stock
    }
}

/// The nodes an order's candidates come from, ascending, and the stock each
/// holds of each line's SKU.
struct OrderStock {
    nodes: Vec<NodeIdx>,
    /// Row `i` (of `lines` entries): the stock of node `nodes[i]` per line.
    atp: Vec<u32>,
    lines: usize,
}

impl OrderStock {
    /// Adds the nodes of `list` (sorted by node) not yet here and, for line
    /// `line`, their stock.
    fn merge(&mut self, line: Option<usize>, list: &[(NodeIdx, u32)]) {
        let lines = self.lines;
        let mut nodes = Vec::with_capacity(self.nodes.len() + list.len());
        let mut atp = Vec::with_capacity(nodes.capacity() * lines);
        let (mut i, mut j) = (0, 0);
        loop {
            let here = self.nodes.get(i).copied();
            let there = list.get(j).map(|e| e.0);
            let node = match (here, there) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => break,
            };
            if here == Some(node) {
                atp.extend_from_slice(self.at(i));
                i += 1;
            } else {
                atp.extend(std::iter::repeat_n(0, lines));
            }
            if there == Some(node) {
                if let Some(k) = line {
                    let row = atp.len() - lines;
                    atp[row + k] = list[j].1;
                }
                j += 1;
            }
            nodes.push(node);
        }
        self.nodes = nodes;
        self.atp = atp;
    }

    /// The stock of the `i`-th node, per line.
    fn at(&self, i: usize) -> &[u32] {
        &self.atp[i * self.lines..(i + 1) * self.lines]
    }

    /// Keeps the nodes `keep` says yes to, by position.
    fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        let mut kept = 0;
        for i in 0..self.nodes.len() {
            if keep(i) {
                self.nodes[kept] = self.nodes[i];
                self.atp
                    .copy_within(i * self.lines..(i + 1) * self.lines, kept * self.lines);
                kept += 1;
            }
        }
        self.nodes.truncate(kept);
        self.atp.truncate(kept * self.lines);
    }
}

/// How many of a line's nearest stocking nodes `pruned:K` prices, per kept node.
const SHORTLIST_PER_KEPT: usize = 4;

fn offers(
    s: &Scenario,
    net: &Network,
    shared: &Shared,
    o: OrderIdx,
    shortlist: Option<usize>,
    ceiling: Option<Ceiling>,
) -> Vec<Candidate> {
    let order = &s.orders[o];
    if let Some(e) = &s.explicit {
        return explicit_offers(s, e, o);
    }
    let mut stock = shared.nodes_for(s, order);
    // One lane per node, shared by the shortlist and the candidates.
    let mut lanes: Vec<Lane> = stock.nodes.iter().map(|&n| net.lane(n, o)).collect();
    if let Some(c) = ceiling {
        let keep = below_ceiling(s, &shared.floors, order, &stock, &lanes, c);
        stock.retain(|i| keep[i]);
        retain_by(&mut lanes, &keep);
    }
    if let Some(m) = shortlist {
        // Pruning keeps few nodes per line: price only each line's nearest
        // stocking nodes (shipping grows with distance), not every node.
        let mut short: Vec<NodeIdx> = order.pickup_node.into_iter().collect();
        for k in 0..order.lines.len() {
            let mut near: Vec<(f64, NodeIdx)> = (0..stock.nodes.len())
                .filter(|&i| stock.at(i)[k] > 0)
                .map(|i| (lanes[i].miles, stock.nodes[i]))
                .collect();
            let nearest = |a: &(f64, NodeIdx), b: &(f64, NodeIdx)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
            // Every node without a capacity: however many orders the near
            // capped stores draw, the line keeps its ways to be filled.
            let fallback: Vec<NodeIdx> = near
                .iter()
                .filter(|(_, n)| shared.uncapped[n.index()])
                .map(|&(_, n)| n)
                .collect();
            if near.len() > m {
                near.select_nth_unstable_by(m, nearest);
                near.truncate(m);
            }
            short.extend(near.into_iter().map(|(_, n)| n).chain(fallback));
        }
        short.sort_unstable();
        short.dedup();
        let keep: Vec<bool> = stock
            .nodes
            .iter()
            .map(|n| short.binary_search(n).is_ok())
            .collect();
        stock.retain(|i| keep[i]);
        retain_by(&mut lanes, &keep);
    }
    // Lines without stock at a node are left off its candidates (they are
    // dropped anyway), except where `twice-worst` penalties read every
    // line's cost.
    let every_line = s.policy.unfilled == UnfilledRule::TwiceWorst;
    let mut out = Vec::new();
    for (i, (&n, &lane)) in stock.nodes.iter().zip(&lanes).enumerate() {
        let node = &s.nodes[n];
        let held = stock.at(i);
        let pickup_offer;
        let (offers, ships): (&[NodeService], &[Option<NaiveDate>]) = match order.pickup_node {
            Some(p) if p == n => {
                pickup_offer = [NodeService {
                    service: shared.pickup_service,
                    cutoff: None,
                }];
                (
                    &pickup_offer,
                    std::slice::from_ref(&shared.pickup_ship[n.index()]),
                )
            }
            Some(_) => {
                // Another node serves a pickup order only by a store transfer.
                out.extend(transfer_offer(s, net, o, n, held));
                continue;
            }
            None => {
                if !node.capabilities.ship_to_home {
                    continue;
                }
                (&node.services, &shared.ship[n.index()])
            }
        };
        let Some(cross_penalty) =
            pricing::cross_market_penalty(&s.policy, node, &order.market, order.pickup_node.is_some())
        else {
            continue;
        };
        for (entry, (offer, ship)) in offers.iter().zip(ships).enumerate() {
            if order.service.is_some_and(|v| v != offer.service) && order.pickup_node.is_none() {
                continue;
            }
            let service = &s.services[offer.service];
            let Some(ship) = *ship else {
                continue;
            };
            if calendar::misses_holiday_deadline(service, ship, order.promised) {
                continue;
            }
            let z = lane.zone as usize - 1;
            let delivery = if service.is_pickup {
                ship
            } else {
                // Not the pickup offer: `entry` is the node's own. Past the
                // end of the calendar there is no delivery date: no lane.
                let Some(d) = shared.delivery[n.index()][entry][z] else {
                    continue;
                };
                d
            };
            let late_days = order
                .promised
                .map_or(0, |p| calendar::business_days_late(delivery, p));
            let package =
                pricing::package_cost(&s.policy, node, service, lane, late_days, cross_penalty);
            let lines = order
                .lines
                .iter()
                .enumerate()
                .filter(|&(k, _)| every_line || held[k] > 0)
                .map(|(k, l)| CandidateLine {
                    line: k,
                    cost: pricing::unit_cost(&s.policy, node, service, &s.skus[l.sku], lane),
                    max_units: l.quantity.min(held[k]),
                })
                .collect();
            out.push(Candidate {
                order: o,
                node: n,
                service: offer.service,
                ship_date: ship,
                delivery_date: delivery,
                late_days,
                zone: lane.zone,
                miles: lane.miles,
                package,
                lines,
            });
        }
    }
    out
}

/// Keeps the items of `v` whose flag in `keep` is set.
fn retain_by<T>(v: &mut Vec<T>, keep: &[bool]) {
    let mut i = 0;
    v.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// A price per unit of each SKU that every unit a pass's costs ship pays
/// on top of its candidate's cost, whichever node it comes from.
pub type SkuPrice<'a> = &'a (dyn Fn(SkuIdx) -> f64 + Sync);

/// A pass that needs an order's optimum only where it is below a known
/// plan's cost may skip the nodes that cannot take part in a cheaper plan.
#[derive(Clone, Copy)]
struct Ceiling<'a> {
    /// Cost of a plan of the order (at the costs the pass will search).
    cost: f64,
    /// Unfilled penalty per unit of each line.
    penalties: &'a [f64],
    /// What each shipped unit pays beside its cost, wherever from.
    sku_price: SkuPrice<'a>,
}

/// Which of an order's nodes (home delivery) may take part in a plan cheaper
/// than the ceiling. A plan with a package from node `n` pays at least that
/// package's floor, and each unit of each line at least the least a unit of
/// it costs anywhere or its unfilled penalty; prices on rows only add to
/// this. A node whose floor alone reaches the ceiling cannot help.
fn below_ceiling(
    s: &Scenario,
    floors: &pricing::Floors,
    order: &Order,
    stock: &OrderStock,
    lanes: &[Lane],
    c: Ceiling,
) -> Vec<bool> {
    let ships = |i: usize| s.nodes[stock.nodes[i]].capabilities.ship_to_home;
    let shipping: Vec<bool> = (0..stock.nodes.len()).map(ships).collect();
    let lines_floor: f64 = order
        .lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            let weight = s.skus[l.sku].weight_lb;
            let price = (c.sku_price)(l.sku);
            let cheapest = (0..stock.nodes.len())
                .filter(|&i| stock.at(i)[k] > 0 && shipping[i])
                .map(|i| floors.unit(stock.nodes[i], weight, lanes[i]) + price)
                .fold(c.penalties[k], f64::min);
            cheapest * f64::from(l.quantity)
        })
        .sum();
    // Rounding must not drop a node of the plan the ceiling was read from.
    let ceiling = c.cost + 1e-9 * c.cost.abs() + 1e-6;
    (0..stock.nodes.len())
        .map(|i| shipping[i] && floors.package(stock.nodes[i], lanes[i]) + lines_floor <= ceiling)
        .collect()
}

/// The store-transfer offer of pickup order `o` from node `from`, which holds
/// `held` units of each line's SKU, if a lane goes from `from` to its pickup
/// store: dated and priced by [`transfers::quote`], with zone and miles of
/// `from` to the destination.
fn transfer_offer(
    s: &Scenario,
    net: &Network,
    o: OrderIdx,
    from: NodeIdx,
    held: &[u32],
) -> Option<Candidate> {
    let order = &s.orders[o];
    let lane = transfers::lane(s, from, order.pickup_node?)?;
    let q = transfers::quote(s, lane, calendar::local_wave_time(s, &s.nodes[from]))?;
    let late_days = order
        .promised
        .map_or(0, |p| calendar::business_days_late(q.ready, p));
    let geo = net.lane(from, o);
    let unit = UnitCost {
        shipping: q.per_unit,
        handling: q.handling_per_unit,
        store_premium: q.store_premium_per_unit,
    };
    let lines = order
        .lines
        .iter()
        .enumerate()
        .map(|(k, l)| CandidateLine {
            line: k,
            cost: unit,
            max_units: l.quantity.min(held[k]),
        })
        .collect();
    Some(Candidate {
        order: o,
        node: from,
        service: s.service_index(TRANSFER_SERVICE)?,
        ship_date: q.release,
        delivery_date: q.ready,
        late_days,
        zone: geo.zone,
        miles: geo.miles,
        package: PackageCost {
            shipping: q.per_package,
            handling: q.handling_per_package,
            lateness: s.policy.late_penalty_per_day * late_days as f64,
            cross_market: 0.0,
        },
        lines,
    })
}

/// Offers of an explicit-cost scenario: the listed (order, node) pairs, with
/// the listed unit costs, no dates and no zones.
fn explicit_offers(s: &Scenario, e: &ExplicitCosts, o: OrderIdx) -> Vec<Candidate> {
    let order = &s.orders[o];
    let service = s
        .service_index(EXPLICIT_SERVICE)
        .expect("explicit service exists");
    let day = s.wave_time.date();
    NodeIdx::all(s.nodes.len())
        .filter_map(|n| {
            let &pc = e.package.get(&(o, n))?;
            let lines = order
                .lines
                .iter()
                .enumerate()
                .filter_map(|(k, l)| {
                    let &uc = e.unit.get(&(o, k, n))?;
                    Some(CandidateLine {
                        line: k,
                        cost: UnitCost {
                            shipping: uc,
                            handling: 0.0,
                            store_premium: 0.0,
                        },
                        max_units: l.quantity.min(s.atp(n, l.sku)),
                    })
                })
                .collect();
            Some(Candidate {
                order: o,
                node: n,
                service,
                ship_date: day,
                delivery_date: day,
                late_days: 0,
                zone: 0,
                miles: 0.0,
                package: PackageCost {
                    shipping: pc,
                    ..Default::default()
                },
                lines,
            })
        })
        .collect()
}

/// Penalty per unfilled unit of each line of an order, given all its offers.
fn unfilled_penalties(s: &Scenario, order: &Order, all: &[Candidate]) -> Vec<f64> {
    order
        .lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            if let Some(p) = l.unfilled_penalty {
                return p;
            }
            match s.policy.unfilled {
                UnfilledRule::Fixed(p) => p,
                UnfilledRule::TwiceWorst => {
                    let pkg = all.iter().map(|c| c.package.total()).fold(0.0, f64::max);
                    let unit = all
                        .iter()
                        .flat_map(|c| c.lines.iter().filter(|l| l.line == k))
                        .map(|l| l.cost.total())
                        .fold(0.0, f64::max);
                    2.0 * pkg + 2.0 * unit
                }
            }
        })
        .collect()
}

/// One order's candidates under `mode`: (kept, unfilled penalties per line,
/// eligible, dominated).
fn order_candidates(
    s: &Scenario,
    net: &Network,
    shared: &Shared,
    o: OrderIdx,
    mode: CandidateMode,
    keep_dominated: bool,
    ceiling: Option<(f64, SkuPrice)>,
) -> (Vec<Candidate>, Vec<f64>, usize, usize) {
    let order = &s.orders[o];
    // (Not under `twice-worst`: its unfilled penalty reads every node.)
    let shortlist = match mode {
        CandidateMode::Pruned { k } if s.policy.unfilled != UnfilledRule::TwiceWorst => {
            Some(k * SHORTLIST_PER_KEPT)
        }
        _ => None,
    };
    // Nodes are skipped under a ceiling only for home delivery, with
    // penalties that read no candidate (store transfers and `twice-worst`
    // penalties are priced otherwise).
    let fixed_penalties = (ceiling.is_some()
        && order.pickup_node.is_none()
        && s.policy.unfilled != UnfilledRule::TwiceWorst)
        .then(|| unfilled_penalties(s, order, &[]));
    let ceiling = ceiling
        .zip(fixed_penalties.as_deref())
        .map(|((cost, sku_price), penalties)| Ceiling {
            cost,
            penalties,
            sku_price,
        });
    let all = offers(s, net, shared, o, shortlist, ceiling);
    let penalties = match fixed_penalties {
        Some(p) => p,
        None => unfilled_penalties(s, order, &all),
    };
    let mut with_stock: Vec<Candidate> = all
        .into_iter()
        .filter_map(|mut c| {
            c.lines.retain(|l| l.max_units > 0);
            c.lines.shrink_to_fit();
            (!c.lines.is_empty()).then_some(c)
        })
        .collect();
    let eligible = with_stock.len();
    if !keep_dominated {
        with_stock = drop_dominated(with_stock);
    }
    let dominated = eligible - with_stock.len();
    if let CandidateMode::Pruned { k } = mode {
        with_stock = prune(order, with_stock, k, &shared.uncapped);
    }
    (with_stock, penalties, eligible, dominated)
}

/// Orders a chunk of the wave is made of: every chunk's candidates are made
/// in parallel and consumed before the next, so memory holds one chunk.
const CHUNK_ORDERS: usize = 4096;

/// Generates the candidates of a wave.
pub fn generate(s: &Scenario, net: &Network, mode: CandidateMode) -> CandidateSet {
    generate_keeping(s, net, mode, false)
}

/// Every eligible candidate of a wave, the dominated ones too: what a plan
/// made by any means (a rule, a re-plan, by hand) may ship, for reading
/// such a plan back (an explanation).
pub fn generate_all(s: &Scenario, net: &Network) -> CandidateSet {
    generate_keeping(s, net, CandidateMode::Exact, true)
}

fn generate_keeping(s: &Scenario, net: &Network, mode: CandidateMode, keep_dominated: bool) -> CandidateSet {
    let mut set = CandidateSet {
        candidates: Vec::new(),
        by_order: Vec::with_capacity(s.orders.len()),
        unfilled_penalty: Vec::with_capacity(s.orders.len()),
        stats: CandidateStats {
            pruned: matches!(mode, CandidateMode::Pruned { .. }),
            ..Default::default()
        },
    };
    let shared = Shared::new(s);
    // Each chunk's candidates are made in parallel while the chunk before is
    // moved into the wave's list (a copy into fresh memory, on one thread).
    // Order is kept: the result is the same.
    let orders: Vec<OrderIdx> = OrderIdx::all(s.orders.len()).collect();
    let mut made: Vec<Made> = Vec::new();
    for chunk in orders.chunks(CHUNK_ORDERS) {
        let previous = std::mem::take(&mut made);
        let ((), next) = rayon::join(
            || set.append(previous, s.orders.len()),
            || {
                chunk
                    .par_iter()
                    .map(|&o| order_candidates(s, net, &shared, o, mode, keep_dominated, None))
                    .collect()
            },
        );
        made = next;
    }
    set.append(made, s.orders.len());
    set
}

/// One order's candidates: (kept, unfilled penalties per line, eligible,
/// dominated).
type Made = (Vec<Candidate>, Vec<f64>, usize, usize);

impl CandidateSet {
    /// Appends the next orders' candidates. After the first chunk of orders
    /// (or half the wave's `orders`, if fewer), room is reserved for the
    /// whole wave at their rate plus a tenth, so that the list is not copied
    /// each time it doubles; if the room cannot be had, or more is needed,
    /// the list grows as it goes.
    fn append(&mut self, made: Vec<Made>, orders: usize) {
        for (kept, penalties, eligible, dominated) in made {
            self.stats.eligible += eligible;
            self.stats.dominated += dominated;
            self.stats.kept += kept.len();
            self.unfilled_penalty.push(penalties);
            let start = self.candidates.len();
            if self.by_order.len() == CHUNK_ORDERS.min(orders / 2) {
                let rate = start as f64 / self.by_order.len() as f64;
                let wanted = (rate * orders as f64 * 1.1) as usize;
                let _ = self.candidates.try_reserve_exact(wanted.saturating_sub(start));
            }
            self.candidates.extend(kept);
            self.by_order.push(start..self.candidates.len());
        }
    }
}

/// Every order's exact candidates (as `generate` in exact mode makes them),
/// made on demand one order at a time and dropped after use: passes over
/// every candidate of a wave too big to hold them. What does not depend on
/// the order is made once, for every pass.
pub struct ExactCandidates<'a> {
    s: &'a Scenario,
    net: &'a Network,
    shared: Shared,
}

impl<'a> ExactCandidates<'a> {
    /// The passes over the wave `s` on network `net`.
    pub fn new(s: &'a Scenario, net: &'a Network) -> ExactCandidates<'a> {
        ExactCandidates {
            s,
            net,
            shared: Shared::new(s),
        }
    }

    /// `per_order(o, ceiling, candidates, unfilled penalties)` for each of
    /// `orders` over its exact candidates, in parallel, in the order given.
    /// `ceiling(o)`, the cost of some plan of order `o` at the costs
    /// `per_order` searches (candidate costs plus non-negative prices), lets a
    /// home-delivery order skip the nodes no plan cheaper than it can use: its
    /// optimum over the candidates passed is then its optimum over all.
    pub fn map<T: Send>(
        &self,
        orders: &[OrderIdx],
        ceiling: impl Fn(OrderIdx) -> f64 + Sync,
        per_order: impl Fn(OrderIdx, f64, &[Candidate], &[f64]) -> T + Sync,
    ) -> Vec<T> {
        self.map_with_sku_prices(orders, ceiling, &|_| 0.0, per_order)
    }

    /// [`Self::map`] where the costs `per_order` searches also charge
    /// `sku_price(k)` (non-negative) on every unit of SKU `k` shipped, from
    /// whichever node: a price no node escapes raises every node's floor,
    /// so the ceiling skips more of them (the per-SKU prices of a bound).
    pub fn map_with_sku_prices<T: Send>(
        &self,
        orders: &[OrderIdx],
        ceiling: impl Fn(OrderIdx) -> f64 + Sync,
        sku_price: SkuPrice,
        per_order: impl Fn(OrderIdx, f64, &[Candidate], &[f64]) -> T + Sync,
    ) -> Vec<T> {
        orders
            .par_iter()
            .map(|&o| {
                let ceiling = ceiling(o);
                let (cands, penalties, _, _) = order_candidates(
                    self.s,
                    self.net,
                    &self.shared,
                    o,
                    CandidateMode::Exact,
                    false,
                    Some((ceiling, sku_price)),
                );
                per_order(o, ceiling, &cands, &penalties)
            })
            .collect()
    }
}

/// Whether `a` is no dearer than `b` in every respect that the model prices:
/// same node, the package, and every line `b` can carry (at as many units).
fn dominates(a: &Candidate, b: &Candidate) -> bool {
    a.node == b.node
        && a.package.total() <= b.package.total()
        && b.lines.iter().all(|lb| {
            a.lines.iter().any(|la| {
                la.line == lb.line
                    && la.max_units >= lb.max_units
                    && la.cost.total() <= lb.cost.total()
            })
        })
}

/// Drops every candidate that another candidate of the same node dominates
/// (ties keep the first). Exact: a plan using a dominated package can switch to
/// its dominator without costing more or using other stock or capacity.
fn drop_dominated(cands: Vec<Candidate>) -> Vec<Candidate> {
    // Candidates come grouped by node, so only runs of one node are compared.
    let mut keep = vec![true; cands.len()];
    let mut start = 0;
    while start < cands.len() {
        let mut end = start + 1;
        while end < cands.len() && cands[end].node == cands[start].node {
            end += 1;
        }
        for j in start..end {
            keep[j] = !(start..end).any(|i| {
                i != j
                    && dominates(&cands[i], &cands[j])
                    && (i < j || !dominates(&cands[j], &cands[i]))
            });
        }
        start = end;
    }
    cands
        .into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
}

/// Keeps the candidates at the `k` cheapest nodes of each line, a node's cost
/// for a line being its cheapest package plus the line's units there, and
/// every node of the line without a capacity (the DCs and suppliers that
/// hold it, a few of a network's nodes): capped stores near many orders run
/// out of capacity in a large wave, and the nearest DC runs out of stock, so
/// a line pruned to them would go unfilled while farther stock is left (on
/// peak-l with `pruned:4`, keeping only the cheapest such node made a plan
/// 7.3 % dearer than over every candidate, keeping all of them 1.3 %).
fn prune(order: &Order, cands: Vec<Candidate>, k: usize, uncapped: &[bool]) -> Vec<Candidate> {
    let mut keep_nodes: Vec<NodeIdx> = Vec::new();
    for li in 0..order.lines.len() {
        // Cheapest way to ship the line whole from each node (candidates come
        // grouped by node; a node seen twice only adds a duplicate entry).
        let mut best: Vec<(f64, NodeIdx)> = Vec::new();
        for c in &cands {
            if let Some(cl) = c.lines.iter().find(|l| l.line == li) {
                let cost = c.package.total() + cl.cost.total() * cl.max_units as f64;
                match best.last_mut() {
                    Some(b) if b.1 == c.node => b.0 = b.0.min(cost),
                    _ => best.push((cost, c.node)),
                }
            }
        }
        best.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut taken: Vec<NodeIdx> = Vec::with_capacity(k);
        for &(_, n) in &best {
            if taken.len() == k {
                break;
            }
            if !taken.contains(&n) {
                taken.push(n);
            }
        }
        taken.extend(best.iter().map(|&(_, n)| n).filter(|n| uncapped[n.index()]));
        keep_nodes.extend(taken);
    }
    keep_nodes.sort_unstable();
    keep_nodes.dedup();
    cands
        .into_iter()
        .filter(|c| keep_nodes.binary_search(&c.node).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_candidate_mode_is_exact_or_pruned_k_and_nothing_else() {
        assert_eq!(CandidateMode::parse("exact"), Some(CandidateMode::Exact));
        assert_eq!(
            CandidateMode::parse("pruned:3"),
            Some(CandidateMode::Pruned { k: 3 })
        );
        for bad in ["", "Exact", "pruned", "pruned:", "pruned:-1", "pruned:x", " exact"] {
            assert_eq!(CandidateMode::parse(bad), None, "{bad}");
        }
    }

    fn wave() -> (Scenario, Network) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("datasets/small/capacity-crunch.json");
        let (s, _) = crate::load_scenario(&path, "us-parcel", &[]).expect("valid scenario");
        let net = Network::build(&s);
        (s, net)
    }

    #[test]
    fn pruning_to_every_node_keeps_every_candidate() {
        let (s, net) = wave();
        let exact = generate(&s, &net, CandidateMode::Exact);
        let all = generate(&s, &net, CandidateMode::Pruned { k: s.nodes.len() });
        assert_eq!(exact.candidates, all.candidates);
    }

    #[test]
    fn pruning_keeps_every_node_without_a_capacity_of_each_line_too() {
        // capacity-crunch: a near DC that takes two orders, a far one uncapped.
        let (s, net) = wave();
        let uncapped = |n: NodeIdx| {
            s.nodes[n].capacity_orders.is_none() && s.nodes[n].capacity_units.is_none()
        };
        let exact = generate(&s, &net, CandidateMode::Exact);
        let one = generate(&s, &net, CandidateMode::Pruned { k: 1 });
        let mut capped_cheapest = 0;
        for (o, order) in s.orders.iter().enumerate() {
            let o = OrderIdx::new(o);
            for li in 0..order.lines.len() {
                let nodes = |set: &CandidateSet| -> Vec<NodeIdx> {
                    set.of(o)
                        .iter()
                        .filter(|c| c.lines.iter().any(|l| l.line == li))
                        .map(|c| c.node)
                        .collect()
                };
                let (all, kept) = (nodes(&exact), nodes(&one));
                for &n in all.iter().filter(|&&n| uncapped(n)) {
                    assert!(kept.contains(&n), "order {o:?} line {li} node {n:?}");
                }
                capped_cheapest += usize::from(kept.iter().any(|&n| !uncapped(n)));
            }
        }
        // The near, capped DC is some line's cheapest: the far one was added.
        assert!(capped_cheapest > 0);
    }

    #[test]
    fn pruning_to_one_node_keeps_each_lines_cheapest_node() {
        let (s, net) = wave();
        let exact = generate(&s, &net, CandidateMode::Exact);
        let one = generate(&s, &net, CandidateMode::Pruned { k: 1 });
        assert!(one.candidates.len() <= exact.candidates.len());
        for (o, order) in s.orders.iter().enumerate() {
            let o = OrderIdx::new(o);
            for li in 0..order.lines.len() {
                let cost = |c: &Candidate| {
                    c.lines
                        .iter()
                        .find(|l| l.line == li)
                        .map(|cl| c.package.total() + cl.cost.total() * cl.max_units as f64)
                };
                let cheapest = exact
                    .of(o)
                    .iter()
                    .filter_map(cost)
                    .fold(f64::INFINITY, f64::min);
                let kept = one
                    .of(o)
                    .iter()
                    .filter_map(cost)
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(cheapest, kept, "order {o:?} line {li}");
            }
            assert!(one.of(o).iter().all(|c| exact.of(o).contains(c)));
        }
    }
}
