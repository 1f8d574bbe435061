//! The reservation ledger, every test on both back ends (embedded SQLite,
//! and PostgreSQL as several servers share it; `sqlite::NAME` and
//! `postgres::NAME`): the invariant under racing connections, idempotency,
//! hold expiry on an injected clock, refusals (commit after release,
//! release of what was never reserved), all-or-nothing assignment and
//! batches, the event history's replay, and crash safety of acknowledged
//! reservations under `kill -9`.
//!
//! The PostgreSQL tests connect to `DOMOPT_TEST_POSTGRES` (default
//! `postgres://domopt:domopt@127.0.0.1:5432/postgres`, which
//! `scripts/postgres.sh` readies), make one database per test and drop it
//! at the end. They fail, saying so, when PostgreSQL is not reachable.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use crate::test_ledger;
use crate::test_postgres;

use chrono::{NaiveDateTime, TimeDelta};
use domopt::IssueCode;
use domopt::promising::{AtpQuery, Availability, query};
use domopt::reservations::{
    Adjustment, ClaimLine, ClaimStatus, Clock, FixedClock, Ledger, LedgerError, Request,
};

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

/// The scarce scenario (see [`test_ledger::scarce`]) with 100 units of
/// `plenty` at dc-a and 5 inbound on 2026-12-21.
fn scarce() -> String {
    test_ledger::scarce(r#""on_hand": 100, "inbound_quantity": 5, "inbound_date": "2026-12-21""#)
}

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

/// The back end a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

// Each test function `fn NAME(b: Backend)` as the tests `sqlite::NAME`
// and `postgres::NAME`.

on_both_back_ends!(
    sixteen_racing_connections_get_exactly_the_last_free_units_and_the_history_reconciles,
    sixty_four_racing_connections_get_exactly_the_last_free_units_and_the_history_reconciles,
    the_same_request_id_returns_the_first_answer_and_with_other_content_is_refused,
    a_hold_expires_on_the_clock_and_cannot_be_reserved_from_afterwards,
    a_reservation_from_a_live_hold_takes_the_hold_units,
    commit_after_release_and_release_of_what_was_never_reserved_are_refused,
    assignment_to_nodes_is_all_or_nothing_and_commit_then_leaves_on_hand,
    counts_and_receipts_keep_the_invariant_and_quantities_in_range,
    availability_follows_the_promise_rules_for_inbound_and_channels,
    verify_finds_a_stored_state_that_left_its_history_and_rebuild_restores_it,
    after_kill_9_mid_stream_every_acknowledged_reservation_is_there_once_and_the_ledger_verifies,
    the_commands_refuse_bad_requests_with_their_code_and_exit_2_writing_nothing,
    a_batch_is_applied_whole_or_not_at_all,
    a_guarded_batch_is_refused_when_its_skus_changed_after_its_version,
    a_ledger_url_opens_the_ledger_it_names_and_a_malformed_one_is_refused,
    making_a_ledger_where_one_already_is_is_refused_and_leaves_it_as_it_was,
    ids_that_are_empty_over_512_bytes_or_hold_a_nul_are_refused_alike_on_both_back_ends,
    a_buffer_is_filled_by_its_channels_claims_and_no_other_channel_takes_it_even_by_assignment,
    a_network_share_bounds_a_channels_claims_over_many_requests,
    network_reservations_stay_covered_by_stock_their_channel_may_use,
    a_cycle_count_below_safety_stock_is_accepted_when_nothing_is_claimed_there,
    a_ledger_of_schema_2_is_upgraded_on_open_with_its_channel_rows_replayed,
);

/// A ledger made for one test: its URL, its scenario file, and what to
/// clean up at the end.
struct Made {
    backend: Backend,
    url: String,
    dir: tempfile::TempDir,
    _database: Option<test_postgres::TestDatabase>,
}

impl Made {
    /// A fresh ledger made from `scenario` (JSON text) on `b`, on `clock`.
    fn new(b: Backend, scenario: &str, clock: Arc<dyn Clock>) -> (Made, Box<dyn Ledger>) {
        let dir = tempfile::tempdir().unwrap();
        let (url, database) = match b {
            Backend::Sqlite => (dir.path().join("ledger.db").display().to_string(), None),
            Backend::Postgres => {
                let db = test_postgres::TestDatabase::new();
                (db.url(), Some(db))
            }
        };
        let made = Made {
            backend: b,
            url,
            dir,
            _database: database,
        };
        let (_, l) = test_ledger::create(made.dir.path(), scenario, &made.url, clock);
        (made, l)
    }

    fn scenario(&self) -> PathBuf {
        self.dir.path().join("scenario.json")
    }

    /// Another connection to the same ledger.
    fn open(&self, clock: Arc<dyn Clock>) -> Box<dyn Ledger> {
        domopt::reservations::open(&self.url, clock).unwrap()
    }

    /// Runs SQL on the store itself, behind the ledger's back.
    fn tamper(&self, sql: &str) -> Result<(), String> {
        match self.backend {
            Backend::Sqlite => rusqlite::Connection::open(&self.url)
                .and_then(|c| c.execute_batch(sql))
                .map_err(|e| e.to_string()),
            Backend::Postgres => test_postgres::connect(&self.url)
                .batch_execute(sql)
                .map_err(|e| format!("{e:?}")),
        }
    }
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(t("2026-12-18T10:00")))
}

fn line(sku: &str, node: Option<&str>, quantity: u32) -> ClaimLine {
    ClaimLine {
        sku: sku.into(),
        node: node.map(String::from),
        quantity,
    }
}

fn reserve(id: &str, order: Option<&str>, lines: Vec<ClaimLine>) -> Request {
    Request::Reserve {
        id: id.into(),
        order: order.map(String::from),
        channel: None,
        from_hold: None,
        lines,
    }
}

fn hold(id: &str, ttl_seconds: u32, lines: Vec<ClaimLine>) -> Request {
    Request::Hold {
        id: id.into(),
        order: None,
        channel: None,
        ttl_seconds,
        lines,
    }
}

fn code(r: Result<impl std::fmt::Debug, LedgerError>) -> IssueCode {
    r.expect_err("the ledger refuses").code()
}

fn events(l: &dyn Ledger) -> i64 {
    l.verify().unwrap().events
}

/// `n` threads, each with its own connection, reserve one unit of `last`
/// (network level, or at dc-b for every third) and one of `one`.
fn race(b: Backend, n: usize) {
    let (made, _) = Made::new(b, &scarce(), clock());
    let start = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (url, start) = (made.url.clone(), start.clone());
            std::thread::spawn(move || {
                let l = domopt::reservations::open(&url, clock()).unwrap();
                // A read first, so that every connection is open at the start.
                assert!(l.claim("none").unwrap().is_none());
                start.wait();
                let began = std::time::Instant::now();
                let at = (i % 3 == 0).then_some("dc-b");
                let last = l.execute(&reserve(
                    &format!("last-{i}"),
                    None,
                    vec![line("last", at, 1)],
                ));
                let one = l.execute(&reserve(
                    &format!("one-{i}"),
                    None,
                    vec![line("one", None, 1)],
                ));
                let granted = [last, one].map(|r| match r {
                    Ok(_) => 1u32,
                    Err(e) => {
                        assert_eq!(e.code(), IssueCode::InsufficientStock, "{e}");
                        0
                    }
                });
                (granted, began.elapsed())
            })
        })
        .collect();
    let (granted, slowest) = threads
        .into_iter()
        .map(|h| h.join().unwrap())
        .fold(([0, 0], Duration::ZERO), |(a, t), (b, u)| {
            ([a[0] + b[0], a[1] + b[1]], t.max(u))
        });
    assert_eq!(granted, [4, 1], "exactly the free units are granted");
    eprintln!(
        "{b:?}: {n} racing connections decided {} requests in {slowest:?}",
        2 * n
    );
    let l = made.open(clock());
    let report = l.verify().unwrap();
    assert!(report.ok(), "{report:?}");
    for sku in ["last", "one"] {
        let av = l.availability(sku, None, None).unwrap();
        assert_eq!(av.network_available, 0, "{sku}: nothing left");
        assert!(av.nodes.iter().all(|n| n.free >= 0), "{av:?}");
    }
}

fn sixteen_racing_connections_get_exactly_the_last_free_units_and_the_history_reconciles(
    b: Backend,
) {
    race(b, 16);
}

fn sixty_four_racing_connections_get_exactly_the_last_free_units_and_the_history_reconciles(
    b: Backend,
) {
    race(b, 64);
}

fn the_same_request_id_returns_the_first_answer_and_with_other_content_is_refused(b: Backend) {
    let (_made, l) = Made::new(b, &scarce(), clock());
    let r = reserve("r1", Some("A"), vec![line("last", None, 2)]);
    let first = l.execute(&r).unwrap();
    let before = events(l.as_ref());
    let again = l.execute(&r).unwrap();
    assert!(again.replayed && !first.replayed);
    assert_eq!((again.seq, &again.claim), (first.seq, &first.claim));
    assert_eq!(events(l.as_ref()), before, "a replay writes nothing");
    let other = reserve("r1", Some("A"), vec![line("last", None, 1)]);
    assert_eq!(code(l.execute(&other)), IssueCode::IdempotencyConflict);
    assert_eq!(events(l.as_ref()), before);
    assert_eq!(
        l.availability("last", None, None)
            .unwrap()
            .network_available,
        2
    );
}

fn a_hold_expires_on_the_clock_and_cannot_be_reserved_from_afterwards(b: Backend) {
    let c = clock();
    let (_made, l) = Made::new(b, &scarce(), c.clone());
    l.execute(&hold("cart", 60, vec![line("last", None, 4)]))
        .unwrap();
    let one_more = reserve("r1", None, vec![line("last", None, 1)]);
    assert_eq!(code(l.execute(&one_more)), IssueCode::InsufficientStock);
    c.set(t("2026-12-18T10:00") + TimeDelta::seconds(59));
    assert_eq!(l.expire().unwrap(), Vec::<String>::new(), "not yet");
    c.set(t("2026-12-18T10:01"));
    let from_hold = Request::Reserve {
        id: "r2".into(),
        order: None,
        channel: None,
        from_hold: Some("cart".into()),
        lines: vec![line("last", None, 4)],
    };
    assert_eq!(code(l.execute(&from_hold)), IssueCode::HoldExpired);
    assert_eq!(
        l.claim("cart").unwrap().unwrap().status,
        ClaimStatus::Active,
        "refused: nothing written"
    );
    l.execute(&one_more).unwrap();
    assert_eq!(
        l.claim("cart").unwrap().unwrap().status,
        ClaimStatus::Expired
    );
    l.execute(&hold("cart-2", 30, vec![line("last", Some("dc-a"), 1)]))
        .unwrap();
    c.set(t("2026-12-18T10:02"));
    assert_eq!(l.expire().unwrap(), ["cart-2"]);
    assert_eq!(
        l.availability("last", None, None)
            .unwrap()
            .network_available,
        3
    );
    assert!(l.verify().unwrap().ok());
}

fn a_reservation_from_a_live_hold_takes_the_hold_units(b: Backend) {
    let (_made, l) = Made::new(b, &scarce(), clock());
    l.execute(&hold("cart", 600, vec![line("last", None, 4)]))
        .unwrap();
    let from_hold = Request::Reserve {
        id: "r".into(),
        order: Some("A".into()),
        channel: None,
        from_hold: Some("cart".into()),
        lines: vec![line("last", None, 4)],
    };
    l.execute(&from_hold).unwrap();
    assert_eq!(
        l.claim("cart").unwrap().unwrap().status,
        ClaimStatus::Released
    );
    assert_eq!(
        l.availability("last", None, None).unwrap().network_claimed,
        4
    );
}

fn commit_after_release_and_release_of_what_was_never_reserved_are_refused(b: Backend) {
    let (_made, l) = Made::new(b, &scarce(), clock());
    l.execute(&reserve("r", None, vec![line("last", Some("dc-b"), 2)]))
        .unwrap();
    let release = |id: &str| Request::Release {
        id: id.into(),
        claim: "r".into(),
    };
    l.execute(&release("rel-1")).unwrap();
    let before = events(l.as_ref());
    let commit = Request::Commit {
        id: "c".into(),
        claim: "r".into(),
    };
    assert_eq!(code(l.execute(&commit)), IssueCode::ClaimNotActive);
    assert_eq!(
        code(l.execute(&release("rel-2"))),
        IssueCode::ClaimNotActive
    );
    let never = Request::Release {
        id: "rel-3".into(),
        claim: "never".into(),
    };
    assert_eq!(code(l.execute(&never)), IssueCode::UnknownClaim);
    assert_eq!(events(l.as_ref()), before, "nothing written");
    let row = &l.availability("last", None, None).unwrap().nodes[1];
    assert_eq!(
        (row.node.as_str(), row.on_hand, row.reserved),
        ("dc-b", 2, 0)
    );
}

fn assignment_to_nodes_is_all_or_nothing_and_commit_then_leaves_on_hand(b: Backend) {
    let (_made, l) = Made::new(b, &scarce(), clock());
    l.execute(&reserve("r", Some("A"), vec![line("last", None, 3)]))
        .unwrap();
    let commit = Request::Commit {
        id: "c".into(),
        claim: "r".into(),
    };
    assert_eq!(
        code(l.execute(&commit)),
        IssueCode::ClaimMismatch,
        "not assigned yet"
    );
    // Another cart holds one of dc-b's two units: dc-b can no longer give 2.
    l.execute(&hold("cart", 600, vec![line("last", Some("dc-b"), 1)]))
        .unwrap();
    let assign = |id: &str, lines| Request::Assign {
        id: id.into(),
        order: "A".into(),
        lines,
    };
    let before = events(l.as_ref());
    let too_much_at_b = assign(
        "a1",
        vec![line("last", Some("dc-a"), 1), line("last", Some("dc-b"), 2)],
    );
    assert_eq!(
        code(l.execute(&too_much_at_b)),
        IssueCode::InsufficientStock
    );
    let short = assign("a2", vec![line("last", Some("dc-a"), 2)]);
    assert_eq!(code(l.execute(&short)), IssueCode::ClaimMismatch);
    assert_eq!(events(l.as_ref()), before, "nothing written");
    assert!(l.claim("r").unwrap().unwrap().lines[0].node.is_none());
    let fits = assign(
        "a3",
        vec![line("last", Some("dc-a"), 2), line("last", Some("dc-b"), 1)],
    );
    l.execute(&fits).unwrap();
    let av = l.availability("last", None, None).unwrap();
    assert_eq!(av.network_claimed, 0);
    assert_eq!(
        av.nodes.iter().map(|n| n.reserved).collect::<Vec<_>>(),
        [2, 1]
    );
    l.execute(&commit).unwrap();
    let av = l.availability("last", None, None).unwrap();
    let on_hand: Vec<i64> = av.nodes.iter().map(|n| n.on_hand).collect();
    assert_eq!(on_hand, [1, 1]);
    assert!(l.verify().unwrap().ok());
}

fn counts_and_receipts_keep_the_invariant_and_quantities_in_range(b: Backend) {
    let (_made, l) = Made::new(b, &scarce(), clock());
    l.execute(&reserve("r", None, vec![line("last", Some("dc-a"), 2)]))
        .unwrap();
    let count = |id: &str, change| Request::Adjust {
        id: id.into(),
        node: "dc-a".into(),
        sku: "last".into(),
        change,
    };
    // dc-a: 3 on hand, 1 safety, 2 reserved: a count of 2 would break the invariant.
    assert_eq!(
        code(l.execute(&count("c1", Adjustment::Set(2)))),
        IssueCode::InsufficientStock
    );
    assert_eq!(
        code(l.execute(&count("c2", Adjustment::Delta(-4)))),
        IssueCode::BadLedgerQuantity
    );
    l.execute(&count("c3", Adjustment::Delta(2))).unwrap();
    let zero = reserve("z", None, vec![line("last", None, 0)]);
    assert_eq!(code(l.execute(&zero)), IssueCode::BadLedgerQuantity);
    let huge = reserve("h", None, vec![line("last", None, u32::MAX)]);
    assert_eq!(code(l.execute(&huge)), IssueCode::BadLedgerQuantity);
    let receipt = Request::Receive {
        id: "asn".into(),
        node: "dc-a".into(),
        sku: "plenty".into(),
        units: 7,
    };
    let row = l.execute(&receipt).unwrap().stock.unwrap();
    assert_eq!(
        (row.on_hand, row.inbound),
        (107, 0),
        "5 expected inbound, 2 more"
    );
    let overflow = Request::Receive {
        id: "asn-2".into(),
        node: "dc-a".into(),
        sku: "plenty".into(),
        units: 999_999_999,
    };
    assert_eq!(code(l.execute(&overflow)), IssueCode::BadLedgerQuantity);
    assert!(l.verify().unwrap().ok());
}

fn availability_follows_the_promise_rules_for_inbound_and_channels(b: Backend) {
    let network = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/promise/network.json"),
    )
    .unwrap();
    let (made, l) = Made::new(b, &network, clock());
    let (s, _) = domopt::load_scenario(&made.scenario(), domopt::DEFAULT_MODEL, &[]).unwrap();
    let atp = Availability::new(&s);
    for (sku, channel, date) in [
        ("jacket", None, "2026-12-18T10:00"),
        ("jacket", Some("walk_in"), "2026-12-18T10:00"),
        ("pants", Some("marketplace"), "2026-12-18T10:00"),
        ("boots", None, "2026-12-20T10:00"),
        ("boots", None, "2026-12-21T10:00"),
    ] {
        let q = AtpQuery {
            skus: vec![domopt::domain::SkuIdx::new(
                s.skus.iter().position(|k| k.id == sku).unwrap(),
            )],
            date: t(date).date(),
            channel: channel.map(|c| s.channel_index(c).unwrap()),
            market: None,
        };
        let promise = query(&atp, &q).remove(0);
        let ours = l.availability(sku, channel, Some(t(date))).unwrap();
        assert_eq!(
            ours.network_available, promise.network.available,
            "{sku} {channel:?} {date}"
        );
        for n in &promise.nodes {
            let mine = ours.nodes.iter().find(|m| m.node == n.node).unwrap();
            assert_eq!(
                mine.available,
                u64::from(n.available),
                "{sku} at {}",
                n.node
            );
        }
    }
    // The walk-in buffer keeps 2 of store-manhattan's 3 jackets from the default channel.
    let web = reserve("w", None, vec![line("jacket", Some("store-manhattan"), 2)]);
    assert_eq!(code(l.execute(&web)), IssueCode::InsufficientStock);
    let walk_in = Request::Reserve {
        id: "wi".into(),
        order: None,
        channel: Some("walk_in".into()),
        from_hold: None,
        lines: vec![line("jacket", Some("store-manhattan"), 3)],
    };
    l.execute(&walk_in).unwrap();
}

fn verify_finds_a_stored_state_that_left_its_history_and_rebuild_restores_it(b: Backend) {
    let (made, l) = Made::new(b, &scarce(), clock());
    l.execute(&reserve("r", None, vec![line("last", Some("dc-a"), 1)]))
        .unwrap();
    assert!(l.verify().unwrap().ok());
    made.tamper("UPDATE stock SET reserved = 0 WHERE node = 'dc-a' AND sku = 'last'")
        .unwrap();
    let report = l.verify().unwrap();
    assert_eq!(report.differences.len(), 1, "{report:?}");
    for change in ["DELETE FROM events", "UPDATE events SET request = 'forged'"] {
        let refused = made.tamper(change).unwrap_err();
        assert!(refused.contains("append-only"), "{change}: {refused}");
    }
    l.rebuild().unwrap();
    assert!(l.verify().unwrap().ok());
    assert_eq!(
        l.availability("last", None, None).unwrap().nodes[0].reserved,
        1
    );
}

/// Runs `domopt reserve` in a shell loop, one unit of `plenty` each, and
/// SIGKILLs the whole process group `delay_ms` after the `acks`-th
/// acknowledgment; the ids acknowledged.
fn reserve_until_killed(url: &str, round: usize, acks: usize, delay_ms: u64) -> Vec<String> {
    let script = format!(
        "for i in $(seq 1 1000); do \"{BIN}\" reserve \"{url}\" --id k{round}-$i --line plenty=1 || exit 1; done"
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut acked = Vec::new();
    for l in BufReader::new(child.stdout.take().unwrap()).lines() {
        let l = l.unwrap();
        acked.push(l.split_whitespace().next().unwrap().to_string());
        if acked.len() == acks {
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            // SAFETY: kill(2) on our own child's process group touches no memory.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            break;
        }
    }
    child.wait().unwrap();
    acked
}

fn after_kill_9_mid_stream_every_acknowledged_reservation_is_there_once_and_the_ledger_verifies(
    b: Backend,
) {
    let (made, _) = Made::new(b, &scarce(), clock());
    let mut acked = Vec::new();
    for (round, delay_ms) in [0u64, 3, 7].into_iter().enumerate() {
        let got = reserve_until_killed(&made.url, round, 8, delay_ms);
        assert_eq!(got.len(), 8, "the stream ran until it was killed");
        acked.extend(got);
    }
    let l = made.open(clock());
    let report = l.verify().unwrap();
    assert!(report.ok(), "{report:?}");
    for id in &acked {
        let c = l
            .claim(id)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged {id} lost"));
        assert_eq!(c.status, ClaimStatus::Active);
    }
    let state = l.state().unwrap();
    let active = state
        .claims
        .values()
        .filter(|c| c.status == ClaimStatus::Active)
        .count();
    assert!(
        (acked.len()..=acked.len() + 3).contains(&active),
        "{active} active for {} acknowledged (at most one in flight per kill)",
        acked.len()
    );
    assert_eq!(
        state.network["plenty"].reserved, active as i64,
        "each granted once"
    );
    let resent = l
        .execute(&reserve(&acked[0], None, vec![line("plenty", None, 1)]))
        .unwrap();
    assert!(
        resent.replayed,
        "a resent acknowledged request is not granted twice"
    );
}

/// `domopt ARGS`: its exit code and stdout.
fn domopt(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn the_commands_refuse_bad_requests_with_their_code_and_exit_2_writing_nothing(b: Backend) {
    let (made, l) = Made::new(b, &scarce(), clock());
    let db = made.url.as_str();
    let scenario = made.scenario().display().to_string();
    let before = events(l.as_ref());
    for (args, code) in [
        (vec!["reserve", db, "--id", "a", "--line", "last=5"], "E140"),
        (
            vec!["reserve", db, "--id", "a", "--line", "last=-1"],
            "E145",
        ),
        (
            vec!["reserve", db, "--id", "a", "--line", "last=1.5"],
            "E145",
        ),
        (
            vec!["reserve", db, "--id", "a", "--line", "last@dc-z=1"],
            "E102",
        ),
        (
            vec!["hold", db, "--id", "h", "--ttl", "0", "--line", "last=1"],
            "E145",
        ),
        (vec!["commit", db, "--id", "never"], "E141"),
        (
            vec![
                "adjust",
                db,
                "--request",
                "c",
                "--node",
                "dc-a",
                "--sku",
                "last",
                "--delta=-9",
            ],
            "E145",
        ),
        (vec!["ledger", "init", db, "--scenario", &scenario], "E149"),
        (
            vec!["reserve", "mysql://x/y", "--id", "a", "--line", "last=1"],
            "E151",
        ),
        (
            vec!["ledger", "init", "sqlite:", "--scenario", &scenario],
            "E151",
        ),
    ] {
        let mut args = args;
        args.push("--json");
        let (exit, out) = domopt(&args);
        assert_eq!(exit, 2, "{args:?}");
        let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(answer["code"], code, "{args:?}: {out}");
    }
    assert_eq!(events(l.as_ref()), before, "nothing written");
    let (exit, out) = domopt(&["reserve", db, "--id", "a", "--line", "last=4", "--json"]);
    assert_eq!(exit, 0);
    let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["claim"]["status"], "active");
    assert_eq!(domopt(&["ledger", "verify", db]).0, 0);
}

fn a_batch_is_applied_whole_or_not_at_all(b: Backend) {
    let (_made, l) = Made::new(b, &scarce(), clock());
    let before = l.snapshot().unwrap();
    // The second request asks for two units of `one`, which has a single one.
    let batch = [
        reserve("b1", Some("A"), vec![line("last", Some("dc-a"), 2)]),
        reserve("b2", Some("B"), vec![line("one", Some("dc-b"), 2)]),
    ];
    assert_eq!(
        code(l.execute_all(&batch, None)),
        IssueCode::InsufficientStock
    );
    let after = l.snapshot().unwrap();
    assert_eq!(after, before, "nothing of the batch was written");
    assert!(l.claim("b1").unwrap().is_none());
    let answers = l.execute_all(&batch[..1], None).unwrap();
    assert_eq!(answers.len(), 1);
    assert!(l.snapshot().unwrap().seq > before.seq);
}

fn a_guarded_batch_is_refused_when_its_skus_changed_after_its_version(b: Backend) {
    let (_made, l) = Made::new(b, &scarce(), clock());
    let seen = l.snapshot().unwrap().seq;
    let guard = |skus: &[&str]| domopt::reservations::Guard {
        seq: seen,
        skus: skus.iter().map(|s| s.to_string()).collect(),
    };
    // A cart holds a unit of `plenty`, then releases it: `plenty` changed.
    l.execute(&hold("cart", 600, vec![line("plenty", None, 1)]))
        .unwrap();
    l.execute(&Request::Release {
        id: "cart-back".into(),
        claim: "cart".into(),
    })
    .unwrap();
    let wave = [reserve(
        "w1",
        Some("A"),
        vec![line("last", Some("dc-a"), 1)],
    )];
    let e = l
        .execute_all(&wave, Some(&guard(&["last", "plenty"])))
        .unwrap_err();
    assert_eq!(e.code(), IssueCode::AvailabilityChanged);
    assert!(e.to_string().contains("plenty"), "{e}");
    assert!(!e.to_string().contains("last,"), "{e}");
    assert!(l.claim("w1").unwrap().is_none(), "nothing written");
    // A guard over SKUs nobody touched lets the batch through.
    l.execute_all(&wave, Some(&guard(&["last"]))).unwrap();
    assert!(l.verify().unwrap().ok());
}

fn a_ledger_url_opens_the_ledger_it_names_and_a_malformed_one_is_refused(b: Backend) {
    let (made, _) = Made::new(b, &scarce(), clock());
    let url = match b {
        Backend::Sqlite => format!("sqlite:{}", made.url),
        Backend::Postgres => made.url.clone(),
    };
    let l = domopt::reservations::open(&url, clock()).unwrap();
    assert_eq!(
        l.availability("one", None, None).unwrap().network_available,
        1
    );
    for bad in ["", "mysql://localhost/x", "sqlite:"] {
        let e = domopt::reservations::open(bad, clock()).err().unwrap();
        assert_eq!(e.code(), IssueCode::BadLedgerUrl, "{bad}");
    }
}

fn making_a_ledger_where_one_already_is_is_refused_and_leaves_it_as_it_was(b: Backend) {
    let (made, l) = Made::new(b, &scarce(), clock());
    l.execute(&reserve("r", None, vec![line("one", None, 1)]))
        .unwrap();
    let before = l.snapshot().unwrap();
    let loaded = domopt::format::read_scenario(&made.scenario()).unwrap();
    let again = domopt::reservations::create(&made.url, &loaded, domopt::DEFAULT_MODEL, clock());
    assert_eq!(code(again.map(|_| ())), IssueCode::LedgerExists);
    assert_eq!(made.open(clock()).snapshot().unwrap(), before);
}

#[test]
fn the_postgres_ledger_answers_from_tokio_blocking_threads_as_the_server_calls_it() {
    let (_made, l) = Made::new(Backend::Postgres, &scarce(), clock());
    let l: Arc<dyn Ledger> = Arc::from(l);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let granted = runtime.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let l = l.clone();
                tokio::task::spawn_blocking(move || {
                    l.execute(&reserve(
                        &format!("t{i}"),
                        None,
                        vec![line("last", None, 1)],
                    ))
                    .is_ok()
                })
            })
            .collect();
        let mut granted = 0;
        for t in tasks {
            granted += usize::from(t.await.unwrap());
        }
        granted
    });
    assert_eq!(granted, 4, "the four free units, once each");
}

fn ids_that_are_empty_over_512_bytes_or_hold_a_nul_are_refused_alike_on_both_back_ends(b: Backend) {
    let (_made, l) = Made::new(b, &scarce(), clock());
    let before = events(l.as_ref());
    // 129 four-byte characters: 516 bytes.
    let long = "\u{1F600}".repeat(129);
    let bad = [
        reserve("", None, vec![line("last", None, 1)]),
        reserve("a\0b", None, vec![line("last", None, 1)]),
        reserve(&long, None, vec![line("last", None, 1)]),
        reserve("ok-1", Some("order\0"), vec![line("last", None, 1)]),
        Request::Release {
            id: "ok-2".into(),
            claim: "c\0".into(),
        },
        hold("ok-3", 60, vec![line("last\0", None, 1)]),
    ];
    for r in &bad {
        let e = l.execute(r).expect_err("refused");
        assert_eq!(e.code(), IssueCode::Malformed, "{r:?}: {e}");
    }
    assert_eq!(events(l.as_ref()), before, "nothing written");
    l.execute(&reserve(
        &"\u{1F600}".repeat(128),
        None,
        vec![line("last", None, 1)],
    ))
    .expect("an id of 512 bytes is fine");
    for read in [
        l.claim("c\0").map(|_| ()),
        l.availability("\0", None, None).map(|_| ()),
    ] {
        assert_eq!(
            read.unwrap_err().code(),
            IssueCode::Malformed,
            "reads check ids too"
        );
    }
}

/// One store that ships to customers with 4 units of `k`, a walk-in buffer
/// of 2 at stores, a web channel without rules and a marketplace with a
/// 50 % network share; a DC with 6 units.
const CHANNELS: &str = r#"{
  "name": "channels",
  "wave_time": "2026-12-18T10:00",
  "nodes": [
    { "id": "store", "kind": "store", "zip": "10001", "capabilities": ["ship_to_home", "pickup"],
      "services": [{ "service": "ground" }] },
    { "id": "dc", "kind": "dc", "zip": "07102", "services": [{ "service": "ground" }] }
  ],
  "skus": [{ "id": "k", "weight_lb": 1.0 }],
  "inventory": [
    { "node": "store", "sku": "k", "on_hand": 4 },
    { "node": "dc", "sku": "k", "on_hand": 6 }
  ],
  "channels": [
    { "id": "walk_in", "buffer": { "units": 2, "node_kinds": ["store"] } },
    { "id": "web" },
    { "id": "marketplace", "network_share": 0.5 }
  ]
}"#;

fn reserve_for(id: &str, channel: Option<&str>, lines: Vec<ClaimLine>) -> Request {
    Request::Reserve {
        id: id.into(),
        order: Some(id.into()),
        channel: channel.map(String::from),
        from_hold: None,
        lines,
    }
}

/// What a node-level request of `channel` may get at `node`.
fn at_node(l: &dyn Ledger, channel: Option<&str>, node: &str) -> u64 {
    let av = l.availability("k", channel, None).unwrap();
    av.nodes.iter().find(|n| n.node == node).unwrap().available
}

fn a_buffer_is_filled_by_its_channels_claims_and_no_other_channel_takes_it_even_by_assignment(
    b: Backend,
) {
    let (_made, l) = Made::new(b, CHANNELS, clock());
    assert_eq!(
        at_node(&*l, Some("web"), "store"),
        2,
        "2 of 4 kept for walk-in"
    );
    // A network reservation assigned to the store may not take the buffer.
    l.execute(&reserve_for("net", Some("web"), vec![line("k", None, 3)]))
        .unwrap();
    let into_buffer = Request::Assign {
        id: "a1".into(),
        order: "net".into(),
        lines: vec![line("k", Some("store"), 3)],
    };
    assert_eq!(code(l.execute(&into_buffer)), IssueCode::InsufficientStock);
    // Walk-in's own claims fill its buffer: the rest is the others'.
    l.execute(&reserve_for(
        "wi",
        Some("walk_in"),
        vec![line("k", Some("store"), 2)],
    ))
    .unwrap();
    assert_eq!(
        at_node(&*l, Some("web"), "store"),
        2,
        "the buffer is filled"
    );
    let split = Request::Assign {
        id: "a2".into(),
        order: "net".into(),
        lines: vec![line("k", Some("store"), 2), line("k", Some("dc"), 1)],
    };
    l.execute(&split).unwrap();
    assert_eq!(at_node(&*l, Some("walk_in"), "store"), 0);
    // Shipping walk-in's units makes its buffer keep 2 again.
    l.execute(&Request::Commit {
        id: "c".into(),
        claim: "wi".into(),
    })
    .unwrap();
    l.execute(&Request::Receive {
        id: "r".into(),
        node: "store".into(),
        sku: "k".into(),
        units: 3,
    })
    .unwrap();
    assert_eq!(at_node(&*l, Some("web"), "store"), 1, "3 free, 2 kept");
    assert!(l.verify().unwrap().ok());
}

fn a_network_share_bounds_a_channels_claims_over_many_requests(b: Backend) {
    let (_made, l) = Made::new(b, CHANNELS, clock());
    // 10 free units: the marketplace may hold 5, whether it asks for one
    // unit at a time, at nodes or over the network.
    let mut granted = 0;
    for i in 0..10 {
        let node = if i % 2 == 0 { Some("dc") } else { None };
        let r = reserve_for(
            &format!("m{i}"),
            Some("marketplace"),
            vec![line("k", node, 1)],
        );
        if l.execute(&r).is_ok() {
            granted += 1;
        }
    }
    assert_eq!(granted, 5);
    assert_eq!(
        l.availability("k", Some("marketplace"), None)
            .unwrap()
            .share_left,
        Some(0)
    );
    // Others' claims shrink the base: web takes the 3 units left that no
    // buffer keeps (the marketplace's 2 network units need the other 2).
    l.execute(&reserve_for(
        "w",
        Some("web"),
        vec![line("k", Some("dc"), 1), line("k", None, 2)],
    ))
    .unwrap();
    let more = reserve_for("m-more", Some("marketplace"), vec![line("k", None, 1)]);
    assert_eq!(code(l.execute(&more)), IssueCode::InsufficientStock);
    // Releasing gives the share back: with m0 to m2 released the
    // marketplace holds 2 (m3 over the network, m4 at the DC); the base is
    // 8 free, less 3 network units, plus its 2: floor(0.5 * 7) - 2 = 1.
    for i in 0..3 {
        l.execute(&Request::Release {
            id: format!("rel{i}"),
            claim: format!("m{i}"),
        })
        .unwrap();
    }
    assert_eq!(
        l.availability("k", Some("marketplace"), None)
            .unwrap()
            .share_left,
        Some(1)
    );
    l.execute(&Request::Release {
        id: "rel-w".into(),
        claim: "w".into(),
    })
    .unwrap();
    // Base 9 free, less 1 network unit, plus its 2: 5 less the 2 it holds.
    assert_eq!(
        l.availability("k", Some("marketplace"), None)
            .unwrap()
            .share_left,
        Some(3)
    );
    assert!(l.verify().unwrap().ok());
}

fn network_reservations_stay_covered_by_stock_their_channel_may_use(b: Backend) {
    let (_made, l) = Made::new(b, CHANNELS, clock());
    // The DC's 6 go to web at the node; 4 stay at the store, 2 for walk-in.
    l.execute(&reserve_for(
        "dc",
        Some("web"),
        vec![line("k", Some("dc"), 6)],
    ))
    .unwrap();
    // The default channel may reserve the 2 not kept, over the network.
    let net = reserve_for("net", None, vec![line("k", None, 3)]);
    assert_eq!(code(l.execute(&net)), IssueCode::InsufficientStock);
    l.execute(&reserve_for("net", None, vec![line("k", None, 2)]))
        .unwrap();
    // Web may not take them at the store now: the network claims need them.
    assert_eq!(at_node(&*l, Some("web"), "store"), 0);
    let web = reserve_for("web", Some("web"), vec![line("k", Some("store"), 1)]);
    assert_eq!(code(l.execute(&web)), IssueCode::InsufficientStock);
    // Walk-in still gets its buffer, and the network claims stay covered.
    l.execute(&reserve_for(
        "wi",
        Some("walk_in"),
        vec![line("k", Some("store"), 2)],
    ))
    .unwrap();
    let wi_more = reserve_for("wi2", Some("walk_in"), vec![line("k", Some("store"), 1)]);
    assert_eq!(code(l.execute(&wi_more)), IssueCode::InsufficientStock);
    l.execute(&Request::Assign {
        id: "a".into(),
        order: "net".into(),
        lines: vec![line("k", Some("store"), 2)],
    })
    .unwrap();
    assert!(l.verify().unwrap().ok());
}

fn a_cycle_count_below_safety_stock_is_accepted_when_nothing_is_claimed_there(b: Backend) {
    let (_made, l) = Made::new(b, &scarce(), clock());
    let count = |id: &str, on_hand: u32| Request::Adjust {
        id: id.into(),
        node: "dc-a".into(),
        sku: "last".into(),
        change: Adjustment::Set(on_hand),
    };
    // dc-a keeps 1 of `last` as safety stock.
    l.execute(&count("c0", 0)).unwrap();
    assert_eq!(
        l.availability("last", None, None).unwrap().nodes[0].available,
        0
    );
    l.execute(&count("c3", 3)).unwrap();
    l.execute(&reserve("r", None, vec![line("last", Some("dc-a"), 2)]))
        .unwrap();
    assert_eq!(
        code(l.execute(&count("c1", 2))),
        IssueCode::InsufficientStock
    );
    assert!(l.verify().unwrap().ok());
}

fn a_ledger_of_schema_2_is_upgraded_on_open_with_its_channel_rows_replayed(b: Backend) {
    let (made, l) = Made::new(b, CHANNELS, clock());
    l.execute(&reserve_for(
        "wi",
        Some("walk_in"),
        vec![line("k", Some("store"), 2)],
    ))
    .unwrap();
    drop(l);
    made.tamper(
        "DROP TABLE channel_claims; UPDATE meta SET value = '2' WHERE key = 'schema_version'",
    )
    .unwrap();
    let l = made.open(clock());
    assert!(l.verify().unwrap().ok());
    assert_eq!(
        at_node(&*l, Some("web"), "store"),
        2,
        "walk-in's buffer is filled"
    );
    made.tamper("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        .unwrap();
    let refused = domopt::reservations::open(&made.url, clock()).err();
    assert_eq!(refused.map(|e| e.code()), Some(IssueCode::LedgerStore));
}
