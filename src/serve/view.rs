//! What `/v1/promise` and `/v1/availability` read: the scenario's promiser,
//! and with a ledger a live view of it, rebuilt from the ledger's snapshot
//! when the ledger's version changed.
//!
//! The view's stock per (node, SKU) is the ledger's free stock: on hand
//! less safety stock, held and reserved units, plus inbound that counts now
//! (dated inbound stays a dated receipt), the rule the ledger's own
//! availability uses. Network-level holds and reservations (not yet at a
//! node) come off the SKU's nodes that ship to customers, the node with the
//! most free units first, so that the view never offers in total more than
//! the ledger would grant. Rows of nodes or SKUs the served scenario does
//! not know are left out.
//!
//! Staleness: a request finding the view checked more than
//! [`MAX_STALENESS`] ago waits for one refresh (a snapshot, and a rebuild
//! only if the version changed; concurrent requests share it), so an answer
//! reflects the ledger as of at most `MAX_STALENESS` plus one refresh
//! before the request. When the ledger fails, the last view is kept and
//! checked again after `MAX_STALENESS`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::ledger::{Ledger, Snapshot, keep_for_network};
use crate::network::domain::{NodeIdx, Receipt, Scenario, SkuIdx};
use crate::promise::quote::Promiser;

/// The longest a view is used after its last check against the ledger.
pub const MAX_STALENESS: Duration = Duration::from_millis(200);

self_cell::self_cell!(
    /// A scenario and the promiser that borrows it, owned together.
    pub(crate) struct View {
        owner: Scenario,
        #[covariant]
        dependent: Promiser,
    }
);

impl View {
    fn of(scenario: Scenario) -> View {
        View::new(scenario, |s| Promiser::new(s))
    }

    /// The promiser.
    pub(crate) fn promiser(&self) -> &Promiser<'_> {
        self.borrow_dependent()
    }
}

/// The current view, and how to refresh it.
pub(crate) struct Live {
    current: RwLock<Arc<View>>,
    /// With a ledger: the scenario as loaded, the ledger, and the version
    /// and time of the last check.
    source: Option<Source>,
}

struct Source {
    base: Arc<Scenario>,
    ledger: Arc<dyn Ledger>,
    checked: Mutex<(i64, Option<Instant>)>,
    /// One refresh at a time; the others wait for it.
    refreshing: tokio::sync::Mutex<()>,
}

impl Live {
    /// The scenario's promiser, fixed.
    pub(crate) fn fixed(scenario: Scenario) -> Live {
        Live {
            current: RwLock::new(Arc::new(View::of(scenario))),
            source: None,
        }
    }

    /// A view of `scenario` with the ledger's holds and reservations taken
    /// off its stock; built now (the first request would otherwise pay).
    pub(crate) fn over(scenario: Scenario, ledger: Arc<dyn Ledger>) -> Live {
        let base = Arc::new(scenario);
        let (view, checked) = match ledger.snapshot() {
            Ok(snap) => (
                View::of(with_ledger(&base, &snap)),
                (snap.seq, Some(Instant::now())),
            ),
            // Not checked: the first request tries again.
            Err(_) => (View::of((*base).clone()), (-1, None)),
        };
        Live {
            current: RwLock::new(Arc::new(view)),
            source: Some(Source {
                base,
                ledger,
                checked: Mutex::new(checked),
                refreshing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    fn now(&self) -> Arc<View> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The view to answer with, refreshed first if it is stale.
    pub(crate) async fn view(&self) -> Arc<View> {
        let Some(src) = &self.source else {
            return self.now();
        };
        if src.fresh() {
            return self.now();
        }
        let _one = src.refreshing.lock().await;
        if src.fresh() {
            return self.now(); // refreshed while this one waited
        }
        let (ledger, base) = (src.ledger.clone(), src.base.clone());
        let seen = src.version();
        let started = Instant::now();
        let rebuilt = tokio::task::spawn_blocking(move || {
            // The version first: the state is read only when it moved.
            let seq = ledger.version()?;
            if seq == seen {
                return Ok((seq, None));
            }
            let snap = ledger.snapshot()?;
            let view = View::of(with_ledger(&base, &snap));
            Ok::<_, crate::ledger::LedgerError>((snap.seq, Some(view)))
        })
        .await;
        match rebuilt {
            Ok(Ok((seq, view))) => {
                if let Some(v) = view {
                    *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(v);
                }
                src.set(seq, started);
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the ledger's snapshot failed: keeping the last view");
                src.set(seen, started);
            }
            Err(e) => {
                tracing::warn!(error = %e, "the view's rebuild failed: keeping the last view");
                src.set(seen, started);
            }
        }
        self.now()
    }
}

impl Source {
    fn fresh(&self) -> bool {
        let checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        checked.1.is_some_and(|t| t.elapsed() < MAX_STALENESS)
    }

    fn version(&self) -> i64 {
        self.checked.lock().unwrap_or_else(|p| p.into_inner()).0
    }

    fn set(&self, seq: i64, at: Instant) {
        *self.checked.lock().unwrap_or_else(|p| p.into_inner()) = (seq, Some(at));
    }
}

/// `base` with the ledger's free stock as its stock available to promise.
fn with_ledger(base: &Scenario, snap: &Snapshot) -> Scenario {
    let mut s = base.clone();
    s.atp.clear();
    s.withheld.clear();
    s.receipts.clear();
    let nodes: HashMap<&str, NodeIdx> = (base.nodes.iter().enumerate())
        .map(|(i, n)| (n.id.as_str(), NodeIdx::new(i)))
        .collect();
    let skus: HashMap<&str, SkuIdx> = (base.skus.iter().enumerate())
        .map(|(i, k)| (k.id.as_str(), SkuIdx::new(i)))
        .collect();
    // Per SKU, its nodes that ship to customers and their free units.
    let mut shipping: HashMap<SkuIdx, Vec<(i64, NodeIdx)>> = HashMap::new();
    for r in snap.state.stock.values() {
        let (Some(&n), Some(&k)) = (nodes.get(r.node.as_str()), skus.get(r.sku.as_str())) else {
            continue;
        };
        let before = r.free_before_receipt();
        if before > 0 {
            s.atp.insert((n, k), units(before));
            if base.nodes[n.index()].capabilities.ship_to_home {
                shipping.entry(k).or_default().push((before, n));
            }
        }
        if let Some(arrives) = r.inbound_date
            && r.inbound > 0
        {
            s.receipts.push(Receipt {
                node: n,
                sku: k,
                arrives,
                units: units(r.inbound),
                usable_before: before,
            });
        }
    }
    for net in snap.state.network.values() {
        let Some(&k) = skus.get(net.sku.as_str()) else {
            continue;
        };
        let mut at = shipping.remove(&k).unwrap_or_default();
        keep_for_network(&mut at, net.held + net.reserved);
        for (free, n) in at {
            s.atp.insert((n, k), units(free));
        }
    }
    s
}

fn units(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}
