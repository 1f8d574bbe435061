//! Which nodes an offer ships from: the earliest date by which every SKU of
//! the cart can be covered, from one node if one can make that date (the
//! cheapest such), else from as few nodes as a greedy cover needs, each
//! taking what it can of what is left.

use chrono::{NaiveDate, NaiveDateTime};

use crate::network::domain::{Cart, ServiceIdx};
use crate::network::pricing;
use crate::promise::quote::{
    Demand, Offer, Outcome, Pricing, Promiser, PromisedPackage, Reason, Source, Stock, refusal,
};

/// Units per SKU (of the cart's distinct SKUs) a source gives a package.
type Take = Vec<u32>;

impl Promiser<'_> {
    /// The earliest offer of service `v` from `sources`, or `None` if they
    /// cannot cover the cart together.
    pub(super) fn choose(
        &self,
        cart: &Cart,
        d: &Demand,
        stock: &Stock,
        v: ServiceIdx,
        sources: &[Source],
    ) -> Option<Offer> {
        let by = earliest_cover(d, stock, sources)?;
        let single = sources
            .iter()
            .filter(|src| src.delivery <= by && stock.row(src.row) == d.units.as_slice())
            .map(|src| (self.package_cost(d, v, src, &d.units), src))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.node.cmp(&b.1.node)));
        let picks: Vec<(&Source, Take)> = match single {
            Some((_, src)) => vec![(src, d.units.clone())],
            None => greedy_cover(d, stock, sources, by),
        };
        Some(self.offer(cart, d, v, &picks))
    }

    fn offer(&self, cart: &Cart, d: &Demand, v: ServiceIdx, picks: &[(&Source, Take)]) -> Offer {
        // Units of each cart line not yet in a package: a line is filled
        // across packages, never beyond its quantity.
        let mut unpacked: Vec<u32> = cart.lines.iter().map(|l| l.quantity).collect();
        let packages: Vec<PromisedPackage> = picks
            .iter()
            .map(|(src, take)| PromisedPackage {
                node: self.s.nodes[src.node].id.clone(),
                ship_date: src.ship,
                delivery_date: src.delivery,
                lines: lines_of(d, take, &mut unpacked),
                cost: self.package_cost(d, v, src, take),
            })
            .collect();
        let extra = packages.len().saturating_sub(1) as f64;
        Offer {
            delivery_date: packages
                .iter()
                .map(|p| p.delivery_date)
                .max()
                .expect("an offer has a package"),
            cost: packages.iter().map(|p| p.cost).sum::<f64>()
                + self.s.policy.split_penalty * extra,
            ships_complete: packages.len() == 1,
            packages,
        }
    }

    /// What a package from `src` carrying `take` costs, priced as the
    /// optimiser prices it (on time: no lateness).
    fn package_cost(&self, d: &Demand, v: ServiceIdx, src: &Source, take: &[u32]) -> f64 {
        let s = self.s;
        let units = || d.skus.iter().zip(take);
        match src.pricing {
            Pricing::Carrier { lane, cross_market } => {
                let (node, service) = (&s.nodes[src.node], &s.services[v]);
                let package =
                    pricing::package_cost(&s.policy, node, service, lane, 0, cross_market).total();
                package
                    + units()
                        .map(|(&k, &q)| {
                            let unit =
                                pricing::unit_cost(&s.policy, node, service, &s.skus[k], lane);
                            f64::from(q) * unit.total()
                        })
                        .sum::<f64>()
            }
            Pricing::Transfer(q) => {
                q.package_cost() + units().map(|(_, &n)| f64::from(n) * q.unit_cost()).sum::<f64>()
            }
        }
    }

    /// Why an offer that arrives after `by` is refused: a cutoff that a quote
    /// earlier in the day would have made, or the service is too slow.
    pub(super) fn late(
        &self,
        cart: &Cart,
        d: &Demand,
        v: ServiceIdx,
        by: NaiveDate,
        offer: &Offer,
    ) -> Outcome {
        let morning: NaiveDateTime = cart.at.date().and_hms_opt(0, 0, 0).expect("midnight");
        if cart.at > morning {
            let early = Cart {
                at: morning,
                ..cart.clone()
            };
            let ship = super::quote::ship_dates(self.s, morning);
            let stock = self.stock(&early, d);
            if let Ok((sources, _)) = self.sources(&early, &stock, v, &ship)
                && let Some(o) = self.choose(&early, d, &stock, v, &sources)
                && o.delivery_date <= by
            {
                return refusal(
                    Reason::CutoffPassed,
                    format!(
                        "today's cutoff has passed: quoted before it, {} would arrive {}",
                        self.s.services[v].id, o.delivery_date
                    ),
                );
            }
        }
        refusal(
            Reason::TooLate,
            format!("the earliest delivery is {}, after {by}", offer.delivery_date),
        )
    }
}

/// The earliest date by which the sources delivering by then hold every
/// SKU's units together; `None` if all of them together do not.
fn earliest_cover(d: &Demand, stock: &Stock, sources: &[Source]) -> Option<NaiveDate> {
    let mut by_date: Vec<&Source> = sources.iter().collect();
    by_date.sort_by_key(|src| (src.delivery, src.node));
    let mut latest = None;
    for (i, &want) in d.units.iter().enumerate() {
        let mut got = 0u64;
        let reached = by_date.iter().find(|src| {
            got += u64::from(stock.row(src.row)[i]);
            got >= u64::from(want)
        })?;
        latest = latest.max(Some(reached.delivery));
    }
    latest
}

/// A greedy cover by sources delivering by `by`: each round takes the
/// source that covers most of what is left (ties: earlier, then lower node).
fn greedy_cover<'s>(
    d: &Demand,
    stock: &Stock,
    sources: &'s [Source],
    by: NaiveDate,
) -> Vec<(&'s Source, Take)> {
    let mut left = d.units.clone();
    let mut used = vec![false; sources.len()];
    let mut picks = Vec::new();
    while left.iter().any(|&u| u > 0) {
        let best = (0..sources.len())
            .filter(|&j| !used[j] && sources[j].delivery <= by)
            .map(|j| (covered(stock.row(sources[j].row), &left), j))
            .filter(|&(c, _)| c > 0)
            .max_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(sources[b.1].delivery.cmp(&sources[a.1].delivery))
                    .then(sources[b.1].node.cmp(&sources[a.1].node))
            });
        let Some((_, j)) = best else { break };
        used[j] = true;
        let row = stock.row(sources[j].row);
        let take: Take = left.iter().zip(row).map(|(&l, &u)| l.min(u)).collect();
        for (l, t) in left.iter_mut().zip(&take) {
            *l -= t;
        }
        picks.push((&sources[j], take));
    }
    picks
}

/// Units of what is `left` that a source's row covers.
fn covered(row: &[u32], left: &[u32]) -> u64 {
    left.iter().zip(row).map(|(&l, &u)| u64::from(l.min(u))).sum()
}

/// A package's (cart line, units): each SKU's units spread in order over
/// its lines' units that no earlier package carries (`unpacked`, taken down).
fn lines_of(d: &Demand, take: &[u32], unpacked: &mut [u32]) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    for (i, &units) in take.iter().enumerate() {
        let mut left = units;
        for &k in &d.lines[i] {
            let q = left.min(unpacked[k]);
            if q > 0 {
                out.push((k, q));
                unpacked[k] -= q;
                left -= q;
            }
        }
    }
    out.sort_unstable();
    out
}
