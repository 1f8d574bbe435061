//! Waves solved from the reservation ledger and committed to it: the
//! store's only free pair of pants goes to one order, never two; the wave's
//! own holds and network-level reservations become node-level reservations;
//! other orders' network-level reservations stay covered; a commit on stock
//! that changed after the read is refused and the wave solved again. Every
//! plan passes the checker against the scenario it was solved on.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDateTime;
use domopt::IssueCode;
use domopt::format::{LoadedScenario, PolicyOverrides};
use domopt::reservations::{
    Answer, ClaimKind, ClaimLine, ClaimStatus, Clock, FixedClock, Guard, Ledger,
    LedgerAvailability, LedgerError, LedgerWave, Request, Snapshot, VerifyReport, WaveError,
    WaveInput, WaveOptions, solve_from_ledger,
};
use domopt::{CostModel, Settings, Strategy};
use serde_json::{Value, json};

use crate::test_postgres;

const SEED: &str = "datasets/seed-example/two-shipments.json";
const BIN: &str = env!("CARGO_BIN_EXE_domopt");

fn clock() -> Arc<dyn Clock> {
    let t = NaiveDateTime::parse_from_str("2026-12-01T08:00", "%Y-%m-%dT%H:%M").unwrap();
    Arc::new(FixedClock::new(t))
}

/// The seed example with `orders` instead of its own.
fn seed_with(orders: Value) -> Value {
    let mut s: Value = serde_json::from_str(&std::fs::read_to_string(SEED).unwrap()).unwrap();
    s["orders"] = orders;
    s
}

fn order(id: &str, lines: &[(&str, u32)]) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(sku, q)| json!({ "sku": sku, "quantity": q }))
        .collect();
    json!({ "id": id, "zip": "60614", "service_level": "standard", "lines": lines })
}

fn write(dir: &Path, name: &str, v: &Value) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn load(path: &Path) -> LoadedScenario {
    domopt::format::read_scenario(path).unwrap()
}

/// Where a test's ledger lives: an SQLite file in its folder, or a fresh
/// PostgreSQL database (dropped with the test).
#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A ledger and what keeps its database alive.
struct Made {
    ledger: Box<dyn Ledger>,
    _database: Option<test_postgres::TestDatabase>,
}

impl std::ops::Deref for Made {
    type Target = dyn Ledger;
    fn deref(&self) -> &(dyn Ledger + 'static) {
        self.ledger.as_ref()
    }
}

/// A fresh ledger URL on `b`.
fn place(b: Backend, dir: &Path) -> (String, Option<test_postgres::TestDatabase>) {
    match b {
        Backend::Sqlite => (format!("sqlite:{}", dir.join("ledger.db").display()), None),
        Backend::Postgres => {
            let db = test_postgres::TestDatabase::new();
            (db.url(), Some(db))
        }
    }
}

/// A ledger made from the seed example (the Chicago store has one free pair
/// of pants: 4 on hand, 3 reserved).
fn seed_ledger(b: Backend, dir: &Path) -> Made {
    let scenario = load(Path::new(SEED));
    let (url, database) = place(b, dir);
    let ledger =
        domopt::reservations::create(&url, &scenario, domopt::DEFAULT_MODEL, clock()).unwrap();
    Made {
        ledger,
        _database: database,
    }
}

on_both_back_ends!(
    two_waves_one_after_the_other_do_not_both_get_the_stores_only_free_pair_of_pants,
    a_wave_replaces_its_orders_holds_and_assigns_the_network_reservations_it_fills_exactly,
    network_reservations_of_orders_outside_the_wave_stay_covered,
    a_commit_on_stock_that_changed_after_the_read_is_refused_or_solved_again,
    an_order_that_already_shipped_cannot_be_in_a_wave_again,
    solve_with_a_ledger_commits_from_the_command_line,
);

/// Solves `scenario` (a file) from `ledger`, checks the plan against the
/// scenario it was solved on, and returns the wave.
fn wave(
    ledger: &dyn Ledger,
    scenario: &Path,
    options: WaveOptions,
) -> Result<LedgerWave, WaveError> {
    let loaded = load(scenario);
    let model = CostModel::load(domopt::DEFAULT_MODEL).unwrap();
    let settings = Settings::default();
    let input = WaveInput {
        loaded: &loaded,
        model: &model,
        overrides: &PolicyOverrides::default(),
        settings: &settings,
        strategy: Strategy::Auto,
    };
    let w = solve_from_ledger(ledger, input, options, &|_| {})?;
    let report = domopt::check(&w.scenario, &w.plan);
    assert!(report.ok(), "{report:?}");
    Ok(w)
}

const COMMIT: WaveOptions = WaveOptions {
    commit: true,
    retries: 0,
};

fn shipped(w: &LedgerWave, order: &str, sku: &str) -> u32 {
    w.plan
        .shipments
        .iter()
        .filter(|s| s.order == order)
        .flat_map(|s| &s.items)
        .filter(|i| i.sku == sku)
        .map(|i| i.quantity)
        .sum()
}

fn line(sku: &str, node: Option<&str>, quantity: u32) -> ClaimLine {
    ClaimLine {
        sku: sku.into(),
        node: node.map(String::from),
        quantity,
    }
}

fn free_at(l: &dyn Ledger, sku: &str, node: &str) -> i64 {
    let av = l.availability(sku, None, None).unwrap();
    av.nodes
        .iter()
        .find(|n| n.node == node)
        .map_or(0, |n| n.free)
}

fn two_waves_one_after_the_other_do_not_both_get_the_stores_only_free_pair_of_pants(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let l = seed_ledger(b, dir.path());
    let first = write(
        dir.path(),
        "first.json",
        &seed_with(json!([order("shopper-1", &[("pants", 1)])])),
    );
    let w1 = wave(&*l, &first, COMMIT).unwrap();
    assert_eq!(shipped(&w1, "shopper-1", "pants"), 1);
    let c = w1.committed.as_ref().unwrap();
    let id = format!("wave-{}:shopper-1", w1.read_at);
    assert_eq!(c.reserved, std::slice::from_ref(&id), "{c:?}");
    let r = l.claim(&id).unwrap().unwrap();
    assert_eq!(r.lines, [line("pants", Some("store-chicago"), 1)]);
    assert_eq!(free_at(&*l, "pants", "store-chicago"), 0);

    let second = write(
        dir.path(),
        "second.json",
        &seed_with(json!([order("shopper-2", &[("pants", 1)])])),
    );
    let w2 = wave(&*l, &second, COMMIT).unwrap();
    assert_eq!(shipped(&w2, "shopper-2", "pants"), 0, "the pair is taken");
    assert_eq!(w2.plan.backorders.len(), 1);
    assert!(w2.committed.as_ref().unwrap().reserved.is_empty());
    assert!(l.verify().unwrap().ok());
}

fn a_wave_replaces_its_orders_holds_and_assigns_the_network_reservations_it_fills_exactly(
    b: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    let l = seed_ledger(b, dir.path());
    // shopper-1's cart held the pants at the store; shopper-2 reserved two
    // jackets over the network at checkout.
    l.execute(&Request::Hold {
        id: "cart-1".into(),
        order: Some("shopper-1".into()),
        channel: None,
        ttl_seconds: 3600,
        lines: vec![line("pants", Some("store-chicago"), 1)],
    })
    .unwrap();
    l.execute(&Request::Reserve {
        id: "res-2".into(),
        order: Some("shopper-2".into()),
        channel: None,
        from_hold: None,
        lines: vec![line("jacket", None, 2)],
    })
    .unwrap();
    let orders = json!([
        order("shopper-1", &[("pants", 1), ("t-shirt", 1)]),
        order("shopper-2", &[("jacket", 2)])
    ]);
    let path = write(dir.path(), "wave.json", &seed_with(orders));
    let w = wave(&*l, &path, COMMIT).unwrap();
    assert_eq!(
        shipped(&w, "shopper-1", "pants"),
        1,
        "its own hold counts for it"
    );
    assert_eq!(shipped(&w, "shopper-2", "jacket"), 2);
    let c = w.committed.unwrap();
    assert_eq!(c.released, ["cart-1"]);
    assert_eq!(c.assigned, ["res-2"]);
    assert_eq!(c.reserved, [format!("wave-{}:shopper-1", w.read_at)]);
    assert_eq!(
        l.claim("cart-1").unwrap().unwrap().status,
        ClaimStatus::Released
    );
    let res2 = l.claim("res-2").unwrap().unwrap();
    assert_eq!(res2.kind, ClaimKind::Reservation);
    assert!(res2.lines.iter().all(|x| x.node.is_some()), "{res2:?}");
    assert_eq!(res2.lines.iter().map(|x| x.quantity).sum::<u32>(), 2);
    let av = l.availability("jacket", None, None).unwrap();
    assert_eq!(av.network_claimed, 0);
    assert!(l.verify().unwrap().ok());
}

fn network_reservations_of_orders_outside_the_wave_stay_covered(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let l = seed_ledger(b, dir.path());
    // 22 jackets in all; another order reserved 20 over the network.
    l.execute(&Request::Reserve {
        id: "big".into(),
        order: Some("elsewhere".into()),
        channel: None,
        from_hold: None,
        lines: vec![line("jacket", None, 20)],
    })
    .unwrap();
    let path = write(
        dir.path(),
        "wave.json",
        &seed_with(json!([order("shopper-1", &[("jacket", 5)])])),
    );
    let w = wave(&*l, &path, COMMIT).unwrap();
    assert_eq!(
        shipped(&w, "shopper-1", "jacket"),
        2,
        "only what the network can spare"
    );
    let av = l.availability("jacket", None, None).unwrap();
    assert_eq!(av.network_claimed, 20);
    assert!(
        l.verify().unwrap().ok(),
        "the invariant holds after the commit"
    );
}

/// A ledger that, after its first snapshot, lets cart `cart` hold the
/// Chicago store's pants, as a concurrent checkout would between a wave's
/// read and its commit.
struct Interfering<'a> {
    inner: &'a dyn Ledger,
    cart: &'static str,
    snapshots: std::sync::atomic::AtomicUsize,
}

impl Ledger for Interfering<'_> {
    fn execute(&self, request: &Request) -> Result<Answer, LedgerError> {
        self.inner.execute(request)
    }
    fn execute_all(
        &self,
        requests: &[Request],
        guard: Option<&Guard>,
    ) -> Result<Vec<Answer>, LedgerError> {
        self.inner.execute_all(requests, guard)
    }
    fn expire(&self) -> Result<Vec<String>, LedgerError> {
        self.inner.expire()
    }
    fn availability(
        &self,
        sku: &str,
        channel: Option<&str>,
        at: Option<NaiveDateTime>,
    ) -> Result<LedgerAvailability, LedgerError> {
        self.inner.availability(sku, channel, at)
    }
    fn claim(&self, id: &str) -> Result<Option<domopt::reservations::Claim>, LedgerError> {
        self.inner.claim(id)
    }
    fn snapshot(&self) -> Result<Snapshot, LedgerError> {
        let snapshot = self.inner.snapshot()?;
        let n = self
            .snapshots
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n == 0 {
            self.inner.execute(&Request::Hold {
                id: self.cart.into(),
                order: None,
                channel: None,
                ttl_seconds: 3600,
                lines: vec![line("pants", Some("store-chicago"), 1)],
            })?;
        }
        Ok(snapshot)
    }
    fn base(&self) -> &domopt::reservations::Base {
        self.inner.base()
    }
    fn verify(&self) -> Result<VerifyReport, LedgerError> {
        self.inner.verify()
    }
    fn rebuild(&self) -> Result<VerifyReport, LedgerError> {
        self.inner.rebuild()
    }
}

fn a_commit_on_stock_that_changed_after_the_read_is_refused_or_solved_again(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let l = seed_ledger(b, dir.path());
    let path = write(
        dir.path(),
        "wave.json",
        &seed_with(json!([order("shopper-1", &[("pants", 1)])])),
    );
    let interfering = |cart| Interfering {
        inner: &*l,
        cart,
        snapshots: 0.into(),
    };
    // No retry: refused with E150, nothing of the wave written.
    let before = l.snapshot().unwrap().seq;
    let e = wave(&interfering("cart-1"), &path, COMMIT).unwrap_err();
    assert_eq!(e.code(), Some(IssueCode::AvailabilityChanged), "{e}");
    assert_eq!(
        l.snapshot().unwrap().seq,
        before + 1,
        "only the cart's hold"
    );
    assert!(
        l.claim(&format!("wave-{before}:shopper-1"))
            .unwrap()
            .is_none()
    );
    l.execute(&Request::Release {
        id: "undo".into(),
        claim: "cart-1".into(),
    })
    .unwrap();
    // With a retry the wave is solved again on the new stock: the cart has
    // the pants now, so the order is backordered, not oversold.
    let retrying = WaveOptions {
        commit: true,
        retries: 1,
    };
    let w = wave(&interfering("cart-2"), &path, retrying).unwrap();
    assert_eq!(w.attempts, 2);
    assert_eq!(shipped(&w, "shopper-1", "pants"), 0);
    assert!(l.verify().unwrap().ok());
}

fn an_order_that_already_shipped_cannot_be_in_a_wave_again(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let l = seed_ledger(b, dir.path());
    let path = write(
        dir.path(),
        "wave.json",
        &seed_with(json!([order("shopper-1", &[("pants", 1)])])),
    );
    let w = wave(&*l, &path, COMMIT).unwrap();
    l.execute(&Request::Commit {
        id: "ship".into(),
        claim: w.committed.unwrap().reserved[0].clone(),
    })
    .unwrap();
    let e = wave(&*l, &path, COMMIT).unwrap_err();
    assert_eq!(e.code(), Some(IssueCode::ClaimMismatch), "{e}");
}

fn domopt(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn solve_with_a_ledger_commits_from_the_command_line(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, _database) = place(b, dir.path());
    let db = url.as_str();
    let (code, _, err) = domopt(&[
        "ledger",
        "init",
        db,
        "--scenario",
        SEED,
        "--at",
        "2026-12-01T08:00",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = domopt(&[
        "solve",
        SEED,
        "--ledger",
        db,
        "--commit",
        "--at",
        "2026-12-01T08:00",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["kpis"]["fill_rate"], 1.0, "{out}");
    assert!(err.contains("committed at version"), "{err}");
    let (code, out, _) = domopt(&["ledger", "availability", db, "--sku", "pants", "--json"]);
    assert_eq!(code, 0);
    let av: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(av["nodes"][0]["reserved"], 4, "{out}");
    // The same wave again: its order's reservation is replaced, not doubled.
    let (code, _, err) = domopt(&[
        "solve",
        SEED,
        "--ledger",
        db,
        "--commit",
        "--at",
        "2026-12-01T08:00",
    ]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = domopt(&["ledger", "availability", db, "--sku", "pants", "--json"]);
    let av: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(av["nodes"][0]["reserved"], 4, "{out}");
}

#[test]
fn solve_refuses_a_bad_ledger_url_and_a_commit_without_a_ledger() {
    for (url, code_wanted) in [("mysql://x/y", "E151"), ("sqlite:", "E151")] {
        let (code, _, err) = domopt(&["solve", SEED, "--ledger", url]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(code_wanted), "{err}");
    }
    let (code, _, err) = domopt(&["solve", SEED, "--commit"]);
    assert_eq!(code, 2, "--commit needs --ledger: {err}");
}

#[test]
fn solve_refuses_a_ledger_made_from_another_network() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("promise.db");
    let db = db.to_str().unwrap();
    let network = "datasets/promise/network.json";
    let (code, _, err) = domopt(&["ledger", "init", db, "--scenario", network]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = domopt(&["solve", SEED, "--ledger", db, "--commit"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("E146") && err.contains("another network"),
        "{err}"
    );
}
