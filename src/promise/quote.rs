//! The checkout promise: for a cart, every service's earliest delivery date,
//! its cost, the nodes that would ship and whether it splits, or why the
//! service cannot be offered. Dates and costs come from the optimiser's own
//! rules (`calendar`, `pricing`), so that the wave keeps what is promised.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::input::validate::CartValidator;
use crate::network::calendar;
use crate::network::domain::{
    Cart, Node, NodeIdx, NodeService, PICKUP_SERVICE, Scenario, ServiceIdx, SkuIdx,
};
use crate::network::lanes::Lane;
use crate::network::pricing;
use crate::promise::atp::Availability;

/// What may be promised for one cart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Promise {
    /// The cart's id.
    pub cart: String,
    /// When it was quoted.
    pub at: NaiveDateTime,
    /// One option per service, in the scenario's service order.
    pub options: Vec<ServiceOption>,
}

impl Promise {
    /// The option of service `id`.
    pub fn option(&self, id: &str) -> Option<&ServiceOption> {
        self.options.iter().find(|o| o.service == id)
    }
}

/// One service's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceOption {
    /// Service id.
    pub service: String,
    /// The offer, or why there is none.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// An offer or a refusal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The service can be promised.
    Available(Offer),
    /// It cannot, and why.
    Unavailable {
        /// Why, as a stable word.
        reason: Reason,
        /// Why, in words.
        detail: String,
    },
}

/// Why a service cannot be promised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No node that may serve the destination offers the service.
    NotOffered,
    /// The nodes offering the service hold too little of a SKU for this
    /// channel in markets that may serve the destination.
    NoStockInMarket,
    /// The channel's network share is below what the cart asks.
    ChannelCap,
    /// The nodes with the stock have no capacity left in the wave.
    Capacity,
    /// The service's holiday ship-by date has passed for the needed date.
    HolidayDeadline,
    /// Quoted before the day's cutoffs, it would have arrived in time.
    CutoffPassed,
    /// It cannot arrive by the date the customer needs it.
    TooLate,
    /// No ship or delivery day within the calendar's reach.
    NoDate,
}

/// An available option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    /// The latest package's estimated delivery (pickup: ready) date.
    pub delivery_date: NaiveDate,
    /// Estimated cost: packages, units and the split penalty.
    pub cost: f64,
    /// One package: the cart ships complete.
    pub ships_complete: bool,
    /// The packages.
    pub packages: Vec<PromisedPackage>,
}

/// One package of an offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromisedPackage {
    /// The node that ships it.
    pub node: String,
    /// The day it leaves.
    pub ship_date: NaiveDate,
    /// Estimated delivery.
    pub delivery_date: NaiveDate,
    /// (line index in the cart, units).
    pub lines: Vec<(usize, u32)>,
    /// Its cost (package and units).
    pub cost: f64,
}

/// Quotes carts on one scenario: built once (ship dates at the scenario's
/// time, which nodes stock each SKU, the cart validator), then each quote
/// looks only at the nodes that hold the cart's SKUs.
pub struct Promiser<'a> {
    pub(super) s: &'a Scenario,
    atp: Availability<'a>,
    carts: CartValidator<'a>,
    /// Nodes with any stock of each SKU, now or inbound, ascending.
    stocking: Vec<Vec<NodeIdx>>,
    /// Ship date per node and entry of its `services`, for the scenario's time.
    ship: Vec<Vec<Option<NaiveDate>>>,
    pickup: ServiceIdx,
}

/// A node able to ship part of the cart with a service.
#[derive(Debug, Clone)]
pub(super) struct Source {
    pub(super) node: NodeIdx,
    pub(super) ship: NaiveDate,
    pub(super) delivery: NaiveDate,
    pub(super) lane: Lane,
    pub(super) cross_market: f64,
    /// Units it can give of each of the cart's SKUs.
    pub(super) units: Vec<u32>,
}

/// The cart's demand: units per distinct SKU, and the lines of each.
pub(super) struct Demand {
    pub(super) skus: Vec<SkuIdx>,
    pub(super) units: Vec<u32>,
    pub(super) lines: Vec<Vec<usize>>,
}

impl Demand {
    fn of(cart: &Cart) -> Demand {
        let mut d = Demand {
            skus: Vec::new(),
            units: Vec::new(),
            lines: Vec::new(),
        };
        for (k, l) in cart.lines.iter().enumerate() {
            match d.skus.iter().position(|&s| s == l.sku) {
                Some(i) => {
                    d.units[i] = d.units[i].saturating_add(l.quantity);
                    d.lines[i].push(k);
                }
                None => {
                    d.skus.push(l.sku);
                    d.units.push(l.quantity);
                    d.lines.push(vec![k]);
                }
            }
        }
        d
    }
}

impl<'a> Promiser<'a> {
    /// A promiser for `s`.
    pub fn new(s: &'a Scenario) -> Self {
        let mut stocking = vec![Vec::new(); s.skus.len()];
        let held = s.atp.keys().chain(s.withheld.keys()).copied();
        let inbound = s.receipts.iter().map(|r| (r.node, r.sku));
        for (n, k) in held.chain(inbound) {
            stocking[k.index()].push(n);
        }
        for nodes in &mut stocking {
            nodes.sort_unstable();
            nodes.dedup();
        }
        let pickup = s.service_index(PICKUP_SERVICE).expect("pickup service exists");
        Promiser {
            s,
            atp: Availability::new(s),
            carts: CartValidator::new(s),
            stocking,
            ship: ship_dates(s, s.wave_time),
            pickup,
        }
    }

    /// The validator of this scenario's carts.
    pub fn validator(&self) -> &CartValidator<'a> {
        &self.carts
    }

    /// Stock available to promise on this scenario.
    pub fn availability(&self) -> &Availability<'a> {
        &self.atp
    }

    /// Every service's option for `cart`.
    pub fn quote(&self, cart: &Cart) -> Promise {
        let demand = Demand::of(cart);
        let ship = if cart.at == self.s.wave_time {
            None
        } else {
            Some(ship_dates(self.s, cart.at))
        };
        let ship = ship.as_ref().unwrap_or(&self.ship);
        let options = crate::network::domain::ServiceIdx::all(self.s.services.len())
            .filter(|&v| self.listed(v, cart))
            .map(|v| ServiceOption {
                service: self.s.services[v].id.clone(),
                outcome: self.option(cart, &demand, v, ship),
            })
            .collect();
        Promise {
            cart: cart.id.clone(),
            at: cart.at,
            options,
        }
    }

    /// Pickup is an option only for a cart with a pickup node; the built-in
    /// services of explicit costs never are.
    fn listed(&self, v: ServiceIdx, cart: &Cart) -> bool {
        if v == self.pickup {
            return cart.pickup_node.is_some();
        }
        !self.s.services[v].is_pickup && self.s.services[v].id != crate::network::domain::EXPLICIT_SERVICE
    }

    fn option(&self, cart: &Cart, d: &Demand, v: ServiceIdx, ship: &[Vec<Option<NaiveDate>>]) -> Outcome {
        let sources = match self.sources(cart, d, v, ship) {
            Ok(sources) => sources,
            Err(refusal) => return refusal,
        };
        if let Some(refusal) = self.channel_cap(cart, d) {
            return refusal;
        }
        let Some(offer) = self.choose(cart, d, v, &sources) else {
            return refusal(Reason::NoStockInMarket, short_sku(self.s, d, &sources));
        };
        match cart.deliver_by {
            Some(by) if offer.delivery_date > by => self.late(cart, d, v, by, &offer),
            _ => Outcome::Available(offer),
        }
    }
}

/// Ship dates per node and entry of its services, for work released at `at`.
pub(super) fn ship_dates(s: &Scenario, at: NaiveDateTime) -> Vec<Vec<Option<NaiveDate>>> {
    s.nodes
        .iter()
        .map(|node| {
            node.services
                .iter()
                .map(|offer| {
                    let local = calendar::local_time(s.time_zone, node, at);
                    calendar::ship_date(local, node, offer, &s.services[offer.service])
                })
                .collect()
        })
        .collect()
}

pub(super) fn refusal(reason: Reason, detail: String) -> Outcome {
    Outcome::Unavailable { reason, detail }
}

/// The first SKU the sources cannot cover, in words.
fn short_sku(s: &Scenario, d: &Demand, sources: &[Source]) -> String {
    let short = (0..d.skus.len()).find(|&i| {
        sources.iter().map(|src| u64::from(src.units[i])).sum::<u64>() < u64::from(d.units[i])
    });
    match short {
        Some(i) => format!(
            "{} unit(s) of `{}` wanted; the nodes that may ship it hold fewer",
            d.units[i], s.skus[d.skus[i]].id
        ),
        None => "no node set covers the cart".into(),
    }
}

impl Promiser<'_> {
    /// The nodes that may ship with `v` to the cart, with what each holds
    /// for its channel; or the refusal when none may.
    pub(super) fn sources(
        &self,
        cart: &Cart,
        d: &Demand,
        v: ServiceIdx,
        ship: &[Vec<Option<NaiveDate>>],
    ) -> Result<Vec<Source>, Outcome> {
        let service = &self.s.services[v];
        let date = cart.at.date();
        let mut nodes: Vec<NodeIdx> = d
            .skus
            .iter()
            .flat_map(|k| self.stocking[k.index()].iter().copied())
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        let (mut offered, mut capacity, mut dated, mut holiday) = (false, false, false, false);
        let mut out = Vec::new();
        for n in nodes {
            let node = &self.s.nodes[n];
            let Some((offer, ship_day)) = self.offer_at(cart, n, v, ship) else {
                continue;
            };
            let Some(cross) = pricing::cross_market_penalty(
                &self.s.policy,
                node,
                &cart.market,
                v == self.pickup,
            ) else {
                continue;
            };
            offered = true;
            let _ = offer;
            let units: Vec<u32> = d
                .skus
                .iter()
                .zip(&d.units)
                .map(|(&k, &q)| q.min(self.atp.for_channel(n, k, date, cart.channel)))
                .collect();
            if units.iter().all(|&u| u == 0) {
                continue;
            }
            if !has_capacity(node, &units) {
                capacity = true;
                continue;
            }
            let Some(ship_day) = ship_day else { continue };
            if calendar::misses_holiday_deadline(service, ship_day, cart.deliver_by) {
                holiday = true;
                continue;
            }
            let lane = Lane::between((node.lat, node.lon), (cart.lat, cart.lon));
            let delivery = if service.is_pickup {
                Some(ship_day)
            } else {
                calendar::delivery_date(ship_day, service.transit_days[lane.zone as usize - 1], &service.delivery)
            };
            let Some(delivery) = delivery else { continue };
            dated = true;
            out.push(Source {
                node: n,
                ship: ship_day,
                delivery,
                lane,
                cross_market: cross,
                units,
            });
        }
        if out.is_empty() {
            return Err(match (offered, capacity, dated) {
                _ if holiday => refusal(
                    Reason::HolidayDeadline,
                    format!(
                        "`{}` can no longer ship in time for {}: its holiday ship-by date has passed",
                        service.id,
                        cart.deliver_by.map_or(String::new(), |d| d.to_string())
                    ),
                ),
                (false, _, _) => refusal(
                    Reason::NotOffered,
                    format!("no node holding the cart's SKUs offers `{}` to this destination", service.id),
                ),
                (true, true, _) => refusal(
                    Reason::Capacity,
                    "the nodes holding the cart's SKUs have no capacity left in the wave".into(),
                ),
                (true, false, false) if self.any_units(cart, d, v, ship) => refusal(
                    Reason::NoDate,
                    "no ship or delivery day within a year".into(),
                ),
                _ => refusal(
                    Reason::NoStockInMarket,
                    format!("no node that may ship `{}` to this destination holds the cart's SKUs for its channel", service.id),
                ),
            });
        }
        Ok(out)
    }

    /// Whether some node offering `v` holds units of the cart for its channel.
    fn any_units(&self, cart: &Cart, d: &Demand, v: ServiceIdx, ship: &[Vec<Option<NaiveDate>>]) -> bool {
        let date = cart.at.date();
        d.skus.iter().any(|&k| {
            self.stocking[k.index()].iter().any(|&n| {
                self.offer_at(cart, n, v, ship).is_some()
                    && self.atp.for_channel(n, k, date, cart.channel) > 0
            })
        })
    }

    /// Node `n`'s offer of `v` and its ship date, if it offers `v` to the
    /// cart (pickup: only at the cart's pickup node, from its open days).
    fn offer_at(
        &self,
        cart: &Cart,
        n: NodeIdx,
        v: ServiceIdx,
        ship: &[Vec<Option<NaiveDate>>],
    ) -> Option<(NodeService, Option<NaiveDate>)> {
        let node = &self.s.nodes[n];
        if v == self.pickup {
            if cart.pickup_node != Some(n) {
                return None;
            }
            let offer = NodeService {
                service: v,
                cutoff: None,
            };
            let local = calendar::local_time(self.s.time_zone, node, cart.at);
            let day = calendar::ship_date(local, node, &offer, &self.s.services[v]);
            return Some((offer, day));
        }
        if !node.capabilities.ship_to_home {
            return None;
        }
        let k = node.services.iter().position(|o| o.service == v)?;
        Some((node.services[k].clone(), ship[n.index()][k]))
    }

    /// The refusal when the channel's network share is below a SKU's units.
    fn channel_cap(&self, cart: &Cart, d: &Demand) -> Option<Outcome> {
        let date = cart.at.date();
        let s = self.s;
        d.skus.iter().zip(&d.units).find_map(|(&k, &q)| {
            let counts = |n: NodeIdx| s.nodes[n].capabilities.ship_to_home;
            let cap = self.atp.network_cap(k, date, cart.channel, counts)?;
            (u64::from(q) > cap).then(|| {
                refusal(
                    Reason::ChannelCap,
                    format!(
                        "{q} unit(s) of `{}` wanted; channel `{}` may be promised {cap}",
                        s.skus[k].id,
                        cart.channel.map_or("", |c| s.channels[c].id.as_str())
                    ),
                )
            })
        })
    }
}

/// Whether a node with capacity limits can ship these units in one package.
fn has_capacity(node: &Node, units: &[u32]) -> bool {
    let total: u64 = units.iter().map(|&u| u64::from(u)).sum();
    node.capacity_orders != Some(0) && node.capacity_units.is_none_or(|c| u64::from(c) >= total)
}
