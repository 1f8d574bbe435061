//! The checkout promise: for a cart, every service's earliest delivery date,
//! its cost, the nodes that would ship and whether it splits, or why the
//! service cannot be offered. Dates and costs come from the optimiser's own
//! rules (`calendar`, `pricing`), so that the wave keeps what is promised.

use chrono::{NaiveDate, NaiveDateTime};
use schemars::JsonSchema;
use serde::Serialize;

use crate::input::validate::CartValidator;
use crate::network::calendar;
use crate::network::domain::{
    Cart, EXPLICIT_SERVICE, Node, NodeIdx, NodeService, PICKUP_SERVICE, Scenario, ServiceIdx,
    SkuIdx, TRANSFER_SERVICE,
};
use crate::network::lanes::Lane;
use crate::network::pricing;
use crate::network::transfers::{self, TransferQuote};
use crate::promise::atp::Availability;

/// What may be promised for one cart.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ServiceOption {
    /// Service id.
    pub service: String,
    /// The offer, or why there is none.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// An offer or a refusal.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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
/// time, the stock of each SKU by node, the cart validator), then each quote
/// looks only at the nodes that hold the cart's SKUs.
pub struct Promiser<'a> {
    pub(super) s: &'a Scenario,
    atp: Availability<'a>,
    carts: CartValidator<'a>,
    /// Per SKU, the nodes with stock at the wave's time or inbound, with
    /// their stock available to promise at the wave's time, by node.
    stocking: Vec<Vec<(NodeIdx, u32)>>,
    /// Ship date per node and entry of its `services`, for the scenario's time.
    ship: Vec<Vec<Option<NaiveDate>>>,
    pickup: ServiceIdx,
}

/// What the nodes holding the cart's SKUs can give it: per node (in node
/// order), the units of each of the cart's distinct SKUs, for its channel.
pub(super) struct Stock {
    nodes: Vec<NodeIdx>,
    /// `nodes.len()` rows of `width` units.
    units: Vec<u32>,
    width: usize,
}

impl Stock {
    /// The units row `row` gives of each SKU.
    pub(super) fn row(&self, row: usize) -> &[u32] {
        &self.units[row * self.width..(row + 1) * self.width]
    }
    /// The row of `node`, if it holds any.
    fn row_of(&self, node: NodeIdx) -> Option<usize> {
        self.nodes.binary_search(&node).ok()
    }
}

/// How a source's package is priced.
#[derive(Debug, Clone, Copy)]
pub(super) enum Pricing {
    /// A carrier service (or in-store pickup) over a lane to the destination.
    Carrier {
        /// The lane.
        lane: Lane,
        /// Its cross-market penalty.
        cross_market: f64,
    },
    /// A store transfer to the pickup store.
    Transfer(TransferQuote),
}

/// A node able to ship part of the cart with a service.
#[derive(Debug, Clone)]
pub(super) struct Source {
    pub(super) node: NodeIdx,
    /// Its row in the cart's [`Stock`].
    pub(super) row: usize,
    pub(super) ship: NaiveDate,
    pub(super) delivery: NaiveDate,
    pub(super) pricing: Pricing,
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

/// Why nodes cannot ship a service: what they failed on.
#[derive(Default)]
pub(super) struct Misses {
    offered: bool,
    capacity: bool,
    holiday: bool,
    /// Stock rows of the nodes with no ship or delivery day (within a year,
    /// and on or before [`LAST_DATE`](crate::network::holidays::LAST_DATE)).
    undated: Vec<usize>,
}

impl<'a> Promiser<'a> {
    /// A promiser for `s`.
    pub fn new(s: &'a Scenario) -> Self {
        let atp = Availability::new(s);
        let mut stocking: Vec<Vec<NodeIdx>> = vec![Vec::new(); s.skus.len()];
        let held = s.atp.keys().chain(s.withheld.keys()).copied();
        let inbound = s.receipts.iter().map(|r| (r.node, r.sku));
        for (n, k) in held.chain(inbound) {
            stocking[k.index()].push(n);
        }
        let day = s.wave_time.date();
        let stocking = stocking
            .into_iter()
            .enumerate()
            .map(|(k, mut nodes)| {
                nodes.sort_unstable();
                nodes.dedup();
                let k = SkuIdx::new(k);
                nodes.into_iter().map(|n| (n, atp.at_node(n, k, day))).collect()
            })
            .collect();
        let pickup = s.service_index(PICKUP_SERVICE).expect("pickup service exists");
        Promiser {
            s,
            atp,
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
        let stock = self.stock(cart, &demand);
        let own;
        let ship = if cart.at == self.s.wave_time {
            &self.ship
        } else {
            own = ship_dates(self.s, cart.at);
            &own
        };
        let options = ServiceIdx::all(self.s.services.len())
            .filter(|&v| self.listed(v, cart))
            .map(|v| ServiceOption {
                service: self.s.services[v].id.clone(),
                outcome: self.option(cart, &demand, &stock, v, ship),
            })
            .collect();
        Promise {
            cart: cart.id.clone(),
            at: cart.at,
            options,
        }
    }

    /// What each node holding the cart's SKUs can give it, for its channel,
    /// on the day it is quoted.
    pub(super) fn stock(&self, cart: &Cart, d: &Demand) -> Stock {
        let width = d.skus.len();
        let mut nodes: Vec<NodeIdx> = d
            .skus
            .iter()
            .flat_map(|k| self.stocking[k.index()].iter().map(|&(n, _)| n))
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        let mut units = vec![0u32; nodes.len() * width];
        let day = cart.at.date();
        let later = day > self.s.wave_time.date() && !self.s.receipts.is_empty();
        for (i, (&k, &want)) in d.skus.iter().zip(&d.units).enumerate() {
            let mut row = 0;
            for &(n, at_wave) in &self.stocking[k.index()] {
                while nodes[row] != n {
                    row += 1;
                }
                let raw = if later { self.atp.at_node(n, k, day) } else { at_wave };
                let view = self.atp.channel_view(n, raw, cart.channel);
                units[row * width + i] = view.min(want);
            }
        }
        Stock {
            nodes,
            units,
            width,
        }
    }

    /// Pickup is an option only for a cart with a pickup node; the other
    /// built-in services (transfer, explicit) never are.
    fn listed(&self, v: ServiceIdx, cart: &Cart) -> bool {
        let id = self.s.services[v].id.as_str();
        if v == self.pickup {
            return cart.pickup_node.is_some();
        }
        !self.s.services[v].is_pickup && id != EXPLICIT_SERVICE && id != TRANSFER_SERVICE
    }

    fn option(
        &self,
        cart: &Cart,
        d: &Demand,
        stock: &Stock,
        v: ServiceIdx,
        ship: &[Vec<Option<NaiveDate>>],
    ) -> Outcome {
        let (sources, misses) = match self.sources(cart, stock, v, ship) {
            Ok(found) => found,
            Err(refusal) => return refusal,
        };
        if let Some(refusal) = self.channel_cap(cart, d) {
            return refusal;
        }
        let Some(offer) = self.choose(cart, d, stock, v, &sources) else {
            return uncovered(self.s, d, stock, &sources, &misses.undated);
        };
        match cart.deliver_by {
            Some(by) if offer.delivery_date > by => self.late(cart, d, v, by, &offer),
            _ => Outcome::Available(offer),
        }
    }
}

/// Ship dates per node and entry of its services, for work released at `at`
/// (on the scenario's clock; each node reads it on its own).
pub(super) fn ship_dates(s: &Scenario, at: NaiveDateTime) -> Vec<Vec<Option<NaiveDate>>> {
    s.nodes
        .iter()
        .map(|node| {
            let local = calendar::local_time(s.time_zone, node, at);
            node.services
                .iter()
                .map(|offer| calendar::ship_date(local, node, offer, &s.services[offer.service]))
                .collect()
        })
        .collect()
}

pub(super) fn refusal(reason: Reason, detail: String) -> Outcome {
    Outcome::Unavailable { reason, detail }
}

/// The refusal when the dated sources cannot cover the cart: no date when
/// the undated nodes (`undated` rows) would have covered it, else short stock.
fn uncovered(s: &Scenario, d: &Demand, stock: &Stock, sources: &[Source], undated: &[usize]) -> Outcome {
    let dated: Vec<usize> = sources.iter().map(|src| src.row).collect();
    let all: Vec<usize> = dated.iter().chain(undated).copied().collect();
    if !undated.is_empty() && first_short(d, stock, &all).is_none() {
        return refusal(Reason::NoDate, NO_DATE.into());
    }
    refusal(Reason::NoStockInMarket, short_sku(s, d, stock, &dated))
}

/// Why an undated node gives no offer, in words.
const NO_DATE: &str = "no ship or delivery day within a year and on or before 9999-12-31";

/// The first SKU (index in the demand) the stock rows `rows` hold too little of.
fn first_short(d: &Demand, stock: &Stock, rows: &[usize]) -> Option<usize> {
    (0..d.skus.len()).find(|&i| {
        let held: u64 = rows.iter().map(|&r| u64::from(stock.row(r)[i])).sum();
        held < u64::from(d.units[i])
    })
}

/// The first SKU the stock rows `rows` cannot cover, in words.
fn short_sku(s: &Scenario, d: &Demand, stock: &Stock, rows: &[usize]) -> String {
    let short = first_short(d, stock, rows);
    match short {
        Some(i) => format!(
            "{} unit(s) of `{}` wanted; the nodes that may ship it hold fewer",
            d.units[i], s.skus[d.skus[i]].id
        ),
        None => "no node set covers the cart".into(),
    }
}

impl Promiser<'_> {
    /// The nodes that may ship with `v` to the cart, with their dates; or the
    /// refusal when none may.
    pub(super) fn sources(
        &self,
        cart: &Cart,
        stock: &Stock,
        v: ServiceIdx,
        ship: &[Vec<Option<NaiveDate>>],
    ) -> Result<(Vec<Source>, Misses), Outcome> {
        let mut misses = Misses::default();
        let mut out = Vec::new();
        if v == self.pickup {
            self.pickup_sources(cart, stock, &mut misses, &mut out);
        } else {
            for (row, &n) in stock.nodes.iter().enumerate() {
                if let Some(src) = self.carrier_source(cart, stock, row, n, v, ship, &mut misses) {
                    out.push(src);
                }
            }
        }
        if out.is_empty() {
            return Err(self.no_source(cart, v, &misses));
        }
        Ok((out, misses))
    }

    /// Node `n` (row `row` of the stock) shipping with carrier service `v`.
    #[allow(clippy::too_many_arguments)]
    fn carrier_source(
        &self,
        cart: &Cart,
        stock: &Stock,
        row: usize,
        n: NodeIdx,
        v: ServiceIdx,
        ship: &[Vec<Option<NaiveDate>>],
        misses: &mut Misses,
    ) -> Option<Source> {
        let node = &self.s.nodes[n];
        let service = &self.s.services[v];
        if !node.capabilities.ship_to_home {
            return None;
        }
        let k = node.services.iter().position(|o| o.service == v)?;
        let cross_market = pricing::cross_market_penalty(&self.s.policy, node, &cart.market, false)?;
        misses.offered = true;
        let units = stock.row(row);
        if units.iter().all(|&u| u == 0) {
            return None;
        }
        if !has_capacity(node, units) {
            misses.capacity = true;
            return None;
        }
        let Some(ship_day) = ship[n.index()][k] else {
            misses.undated.push(row);
            return None;
        };
        if calendar::misses_holiday_deadline(service, ship_day, cart.deliver_by) {
            misses.holiday = true;
            return None;
        }
        let lane = Lane::between((node.lat, node.lon), (cart.lat, cart.lon));
        let transit = service.transit_days[lane.zone as usize - 1];
        let Some(delivery) = calendar::delivery_date(ship_day, transit, &service.delivery) else {
            misses.undated.push(row);
            return None;
        };
        Some(Source {
            node: n,
            row,
            ship: ship_day,
            delivery,
            pricing: Pricing::Carrier { lane, cross_market },
        })
    }

    /// The pickup store's own stock, ready on its pickup day, and stock moved
    /// to it over its transfer lanes, ready after their lead time.
    fn pickup_sources(&self, cart: &Cart, stock: &Stock, misses: &mut Misses, out: &mut Vec<Source>) {
        let Some(p) = cart.pickup_node else { return };
        misses.offered = true;
        let store = &self.s.nodes[p];
        let offer = NodeService {
            service: self.pickup,
            cutoff: None,
        };
        let local = calendar::local_time(self.s.time_zone, store, cart.at);
        let service = &self.s.services[self.pickup];
        let lane = Lane::between((store.lat, store.lon), (cart.lat, cart.lon));
        if let Some(row) = stock.row_of(p) {
            match calendar::ship_date(local, store, &offer, service) {
                Some(day) => out.push(Source {
                    node: p,
                    row,
                    ship: day,
                    delivery: day,
                    pricing: Pricing::Carrier {
                        lane,
                        cross_market: 0.0,
                    },
                }),
                None => misses.undated.push(row),
            }
        }
        for lane in self.s.lanes_into(p) {
            let Some(row) = stock.row_of(lane.from) else { continue };
            let source = &self.s.nodes[lane.from];
            let local = calendar::local_time(self.s.time_zone, source, cart.at);
            match transfers::quote(self.s, lane, local) {
                Some(q) => out.push(Source {
                    node: lane.from,
                    row,
                    ship: q.release,
                    delivery: q.ready,
                    pricing: Pricing::Transfer(q),
                }),
                None => misses.undated.push(row),
            }
        }
    }

    /// The refusal of a service no node can ship.
    fn no_source(&self, cart: &Cart, v: ServiceIdx, m: &Misses) -> Outcome {
        let id = &self.s.services[v].id;
        if m.holiday {
            let by = cart.deliver_by.map_or(String::new(), |d| d.to_string());
            return refusal(
                Reason::HolidayDeadline,
                format!("`{id}` can no longer ship in time for {by}: its holiday ship-by date has passed"),
            );
        }
        if !m.offered {
            return refusal(
                Reason::NotOffered,
                format!("no node holding the cart's SKUs offers `{id}` to this destination"),
            );
        }
        if m.capacity {
            return refusal(
                Reason::Capacity,
                "the nodes holding the cart's SKUs have no capacity left in the wave".into(),
            );
        }
        if !m.undated.is_empty() {
            return refusal(Reason::NoDate, NO_DATE.into());
        }
        refusal(
            Reason::NoStockInMarket,
            format!("no node that may ship `{id}` to this destination holds the cart's SKUs for its channel"),
        )
    }

    /// The refusal when the channel's network share is below a SKU's units.
    fn channel_cap(&self, cart: &Cart, d: &Demand) -> Option<Outcome> {
        let channel = cart.channel?;
        self.s.channels[channel].network_share?;
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
                        s.skus[k].id, s.channels[channel].id
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
