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
//! Staleness: requests never wait for the ledger. The first request that
//! finds the view due for a check (more than [`MAX_STALENESS`] after the
//! last one started, or twice the last rebuild's time when that is longer)
//! starts one refresh on the blocking pool (the version, then, only if it
//! moved, a snapshot and a rebuild) and answers from the current view, as
//! do the requests during the refresh. So an answer reflects the ledger as
//! of at most the check interval plus one refresh before it. When the
//! ledger fails, the last view is kept and checked again later.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::ledger::{Ledger, Snapshot, keep_for_network};
use crate::network::domain::{NodeIdx, Receipt, Scenario, SkuIdx};
use crate::promise::quote::Promiser;

/// The shortest interval between two checks of the view against the
/// ledger (longer when rebuilds take long: see the module).
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
    shared: Arc<Shared>,
}

struct Shared {
    current: RwLock<Arc<View>>,
    /// With a ledger: the scenario as loaded, the ledger, and the last check.
    source: Option<Source>,
}

struct Source {
    base: Arc<Scenario>,
    ledger: Arc<dyn Ledger>,
    checked: Mutex<Checked>,
    /// A refresh is running (one at a time).
    refreshing: AtomicBool,
}

/// The last check of the view against the ledger.
#[derive(Clone, Copy)]
struct Checked {
    /// The ledger version the view is of (-1: none yet).
    seq: i64,
    /// When the check started (none: never checked).
    at: Option<Instant>,
    /// How long the last rebuild took.
    cost: Duration,
}

impl Live {
    /// The scenario's promiser, fixed.
    pub(crate) fn fixed(scenario: Scenario) -> Live {
        Live {
            shared: Arc::new(Shared {
                current: RwLock::new(Arc::new(View::of(scenario))),
                source: None,
            }),
        }
    }

    /// A view of `scenario` with the ledger's holds and reservations taken
    /// off its stock; built now (the first request would otherwise pay).
    pub(crate) fn over(scenario: Scenario, ledger: Arc<dyn Ledger>) -> Live {
        let base = Arc::new(scenario);
        let started = Instant::now();
        let (view, seq, at) = match ledger.snapshot() {
            Ok(snap) => (View::of(with_ledger(&base, &snap)), snap.seq, Some(started)),
            // Not checked: the first request starts a refresh.
            Err(_) => (View::of((*base).clone()), -1, None),
        };
        let checked = Checked {
            seq,
            at,
            cost: started.elapsed(),
        };
        Live {
            shared: Arc::new(Shared {
                current: RwLock::new(Arc::new(view)),
                source: Some(Source {
                    base,
                    ledger,
                    checked: Mutex::new(checked),
                    refreshing: AtomicBool::new(false),
                }),
            }),
        }
    }

    /// The view to answer with: the current one, never waited for. When it
    /// is due for a check, a refresh starts on the blocking pool and the
    /// next requests get its result.
    pub(crate) fn view(&self) -> Arc<View> {
        if let Some(src) = &self.shared.source
            && src.due()
            && !src.refreshing.swap(true, Ordering::AcqRel)
        {
            let shared = self.shared.clone();
            tokio::task::spawn_blocking(move || shared.refresh());
        }
        self.shared.now()
    }
}

impl Shared {
    fn now(&self) -> Arc<View> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Reads the ledger's version, and its state when the version moved,
    /// and swaps the rebuilt view in. Runs on the blocking pool.
    fn refresh(&self) {
        let Some(src) = &self.source else {
            return;
        };
        let seen = src.checked().seq;
        let started = Instant::now();
        let rebuilt = (|| {
            // The version first: the state is read only when it moved.
            let seq = src.ledger.version()?;
            if seq == seen {
                return Ok((seq, None));
            }
            let snap = src.ledger.snapshot()?;
            let view = View::of(with_ledger(&src.base, &snap));
            Ok::<_, crate::ledger::LedgerError>((snap.seq, Some(view)))
        })();
        let seq = match rebuilt {
            Ok((seq, view)) => {
                if let Some(v) = view {
                    *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(v);
                }
                seq
            }
            Err(e) => {
                tracing::warn!(error = %e, "the ledger's snapshot failed: keeping the last view");
                seen
            }
        };
        *src.checked.lock().unwrap_or_else(|p| p.into_inner()) = Checked {
            seq,
            at: Some(started),
            cost: started.elapsed(),
        };
        src.refreshing.store(false, Ordering::Release);
    }
}

impl Source {
    fn checked(&self) -> Checked {
        *self.checked.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the view is due for a check: [`MAX_STALENESS`] after the
    /// last one started, or twice the last rebuild's time if that is
    /// longer, so that rebuilding a large view takes at most about a third
    /// of one core however fast the ledger moves.
    fn due(&self) -> bool {
        let c = self.checked();
        c.at.is_none_or(|t| t.elapsed() >= MAX_STALENESS.max(c.cost * 2))
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
