//! The reservation ledger over HTTP, on `domopt serve --ledger URL`
//! processes on loopback: racing clients get exactly the free units,
//! acknowledged reservations survive `kill -9`, holds expire, requests are
//! idempotent, refusals carry their code and status and write nothing, and
//! a server without a ledger says so, and SIGTERM answers every write it
//! applied.
//!
//! Every scenario takes the back end as a parameter (a function making a
//! fresh, empty ledger URL): a PostgreSQL variant is one more `#[test]`
//! line per scenario.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use serde_json::{Value, json};

use crate::test_ledger;
use crate::test_postgres;

use test_ledger::{Server, agent, answer};

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

/// The scarce scenario (see [`test_ledger::scarce`]) with 100 000 units of
/// `plenty` at dc-a.
fn scarce() -> String {
    test_ledger::scarce(r#""on_hand": 100000"#)
}

/// A back end: a fresh ledger URL where none exists yet.
type Backend = fn(&Path) -> Place;

/// Where a test's ledger lives: its URL, and the PostgreSQL database made
/// for it (dropped with it).
struct Place {
    url: String,
    _database: Option<test_postgres::TestDatabase>,
}

/// An SQLite file in the test's folder.
fn sqlite(dir: &Path) -> Place {
    Place {
        url: format!("sqlite:{}", dir.join("ledger.db").display()),
        _database: None,
    }
}

/// A fresh PostgreSQL database.
fn postgres(_: &Path) -> Place {
    let db = test_postgres::TestDatabase::new();
    Place {
        url: db.url(),
        _database: Some(db),
    }
}

/// The scenario file and a ledger made from it at `backend`'s URL.
fn setup(dir: &Path, backend: Backend) -> (String, Place) {
    let place = backend(dir);
    let scenario = test_ledger::create_on_system_clock(dir, &scarce(), &place.url);
    (scenario, place)
}

/// The ledger's event count (its history's length), which verifies.
fn events(server: &Server) -> i64 {
    let (status, report) = server.get("/v1/ledger/verify");
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["ok"], true, "{report}");
    report["events"].as_i64().unwrap()
}

fn reservation(id: &str, sku: &str, node: Option<&str>, quantity: Value) -> Value {
    let mut line = json!({ "sku": sku, "quantity": quantity });
    if let Some(n) = node {
        line["node"] = json!(n);
    }
    json!({ "id": id, "lines": [line] })
}

/// 64 client threads, each with its own connection, reserve one unit of
/// `last` (network level, or at dc-b for every third) and one of `one`.
fn race(backend: Backend, servers: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, place) = setup(dir.path(), backend);
    let url = place.url.clone();
    let all: Vec<Arc<Server>> = (0..servers)
        .map(|_| Arc::new(Server::start(&scenario, &["--ledger", &url])))
        .collect();
    let server = all[0].clone();
    let n = 64;
    let start = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            // Clients take the servers in turn, as behind a load balancer.
            let (server, start) = (all[i % servers].clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let at = (i % 3 == 0).then_some("dc-b");
                let last = server.post(
                    "/v1/reservations",
                    &reservation(&format!("last-{i}"), "last", at, json!(1)),
                );
                let one = server.post(
                    "/v1/reservations",
                    &reservation(&format!("one-{i}"), "one", None, json!(1)),
                );
                [last, one].map(|(status, body)| match status {
                    200 => 1u32,
                    _ => {
                        assert_eq!((status, &body["code"]), (409, &json!("E140")), "{body}");
                        assert!(body["available"].is_u64(), "{body}");
                        0
                    }
                })
            })
        })
        .collect();
    let granted = threads
        .into_iter()
        .map(|h| h.join().unwrap())
        .fold([0, 0], |a, b| [a[0] + b[0], a[1] + b[1]]);
    assert_eq!(granted, [4, 1], "exactly the free units are granted");
    events(&server);
    for sku in ["last", "one"] {
        let (status, av) = server.get(&format!("/v1/ledger/availability?sku={sku}"));
        assert_eq!(status, 200);
        assert_eq!(av["network_available"], 0, "{sku}: nothing left: {av}");
        let nodes = av["nodes"].as_array().unwrap();
        assert!(nodes.iter().all(|n| n["free"].as_i64() >= Some(0)), "{av}");
    }
}

#[test]
fn sixty_four_racing_http_clients_get_exactly_the_last_free_units_on_sqlite() {
    race(sqlite, 1);
}

#[test]
fn sixty_four_racing_http_clients_get_exactly_the_last_free_units_on_postgres() {
    race(postgres, 1);
}

#[test]
fn two_servers_sharing_one_postgres_ledger_grant_exactly_the_last_free_units_to_64_clients() {
    race(postgres, 2);
}

/// Reserves one unit of `plenty` after another (ids `{round}-1`, ...)
/// until a request fails; the number acknowledged with a 2xx. `acked` is
/// updated as they come.
fn reserve_until_refused(url: &str, round: usize, acked: &AtomicUsize) {
    let agent = agent();
    for i in 1.. {
        let body = reservation(&format!("{round}-{i}"), "plenty", None, json!(1));
        let sent = agent
            .post(url)
            .header("content-type", "application/json")
            .send(body.to_string());
        match sent {
            Ok(r) if r.status().is_success() => {
                acked.store(i, Ordering::SeqCst);
            }
            _ => return,
        }
    }
}

/// One round: a client streams reservations, the server is SIGKILLed after
/// `acks` acknowledgments (plus a few ms), then restarted on the same
/// ledger. Returns the restarted server and how many were acknowledged.
fn kill_mid_stream(scenario: &str, url: &str, round: usize, acks: usize) -> (Server, usize) {
    let server = Server::start(scenario, &["--ledger", url]);
    let acked = AtomicUsize::new(0);
    let target = server.url("/v1/reservations");
    std::thread::scope(|s| {
        s.spawn(|| reserve_until_refused(&target, round, &acked));
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while acked.load(Ordering::SeqCst) < acks {
            assert!(std::time::Instant::now() < deadline, "the stream stalled");
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(round as u64 * 3));
        // The client's request in flight fails, which ends its stream.
        server.kill();
    });
    (
        Server::start(scenario, &["--ledger", url]),
        acked.load(Ordering::SeqCst),
    )
}

/// After each `kill -9`: every acknowledged reservation is there and
/// active; the units reserved are the acknowledged ones plus at most the
/// one request that was in flight (the client sends one at a time), which
/// the server may have committed without its answer reaching the client.
/// Resending that request settles it: it is granted, or answered as a
/// replay if it had been committed, and then exactly acknowledged + 1
/// units are reserved, never more.
fn crash(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, place) = setup(dir.path(), backend);
    let url = place.url.clone();
    let mut reserved = 0;
    for round in 0..3 {
        let (server, acked) = kill_mid_stream(&scenario, &url, round, 10);
        assert!(acked >= 10, "the stream ran until it was killed");
        for i in 1..=acked {
            let (status, claim) = server.get(&format!("/v1/claims/{round}-{i}"));
            assert_eq!(
                (status, &claim["status"]),
                (200, &json!("active")),
                "{claim}"
            );
        }
        let claimed = |s: &Server| {
            let (_, av) = s.get("/v1/ledger/availability?sku=plenty");
            av["network_claimed"].as_i64().unwrap()
        };
        let after_kill = claimed(&server) - reserved;
        let acked = acked as i64;
        assert!(
            (acked..=acked + 1).contains(&after_kill),
            "{after_kill} reserved for {acked} acknowledged"
        );
        let in_flight = reservation(&format!("{round}-{}", acked + 1), "plenty", None, json!(1));
        let (status, resent) = server.post("/v1/reservations", &in_flight);
        assert_eq!(status, 200, "{resent}");
        assert_eq!(
            resent["replayed"],
            after_kill == acked + 1,
            "the in-flight request is replayed exactly when it had been committed"
        );
        reserved += acked + 1;
        assert_eq!(claimed(&server), reserved, "each granted once");
        events(&server);
        server.kill();
    }
}

#[test]
fn after_kill_9_every_acknowledged_http_reservation_is_there_once_and_the_ledger_verifies_on_sqlite()
 {
    crash(sqlite);
}

#[test]
fn after_kill_9_every_acknowledged_http_reservation_is_there_once_and_the_ledger_verifies_on_postgres()
 {
    crash(postgres);
}

/// Holds expire; the same id with the same body is answered again, with
/// another body refused; commit after release, release of a claim never
/// made, unknown ids, bad quantities and an oversized body are refused
/// with their code and status, and none of them writes anything.
fn refusals(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, place) = setup(dir.path(), backend);
    let url = place.url.clone();
    let server = Server::start(&scenario, &["--ledger", &url]);
    let (status, ready) = server.get("/ready");
    assert_eq!((status, &ready["ledger"]), (200, &json!("ok")));

    let hold =
        json!({"id": "cart-1", "ttl_seconds": 1, "lines": [{"sku": "plenty", "quantity": 2}]});
    assert_eq!(server.post("/v1/holds", &hold).0, 200);
    std::thread::sleep(Duration::from_millis(1_100));
    let mut from_hold = reservation("order-1", "plenty", None, json!(2));
    from_hold["from_hold"] = json!("cart-1");
    let (status, body) = server.post("/v1/reservations", &from_hold);
    assert_eq!((status, &body["code"]), (410, &json!("E143")), "{body}");

    let order = reservation("order-2", "plenty", Some("dc-a"), json!(3));
    let (status, first) = server.post("/v1/reservations", &order);
    assert_eq!(
        (status, &first["replayed"]),
        (200, &json!(false)),
        "{first}"
    );
    let (status, again) = server.post("/v1/reservations", &order);
    assert_eq!(status, 200);
    assert_eq!(again["replayed"], true);
    assert_eq!(again["claim"], first["claim"], "the first answer again");
    let keyed = r#"{"lines": [{"sku": "plenty", "node": "dc-a", "quantity": 3}]}"#;
    let (status, by_key) = server.post_text("/v1/reservations", keyed, Some("order-2"));
    assert_eq!(
        (status, &by_key["replayed"]),
        (200, &json!(true)),
        "{by_key}"
    );

    let release = json!({"id": "release-2", "claim": "order-2"});
    assert_eq!(server.post("/v1/releases", &release).0, 200);

    let before = events(&server);
    let refused: Vec<(&str, Value, u16, &str)> = vec![
        (
            "/v1/reservations",
            reservation("order-2", "plenty", Some("dc-a"), json!(4)),
            409,
            "E144",
        ),
        (
            "/v1/commits",
            json!({"id": "ship-2", "claim": "order-2"}),
            409,
            "E142",
        ),
        (
            "/v1/releases",
            json!({"id": "r-x", "claim": "never-made"}),
            404,
            "E141",
        ),
        (
            "/v1/reservations",
            reservation("o-3", "no-such-sku", None, json!(1)),
            422,
            "E102",
        ),
        (
            "/v1/reservations",
            reservation("o-4", "plenty", Some("no-such-node"), json!(1)),
            422,
            "E102",
        ),
        (
            "/v1/reservations",
            reservation("o-5", "last", None, json!(5)),
            409,
            "E140",
        ),
        (
            "/v1/reservations",
            reservation("o-6", "plenty", None, json!(0)),
            422,
            "E145",
        ),
        (
            "/v1/reservations",
            reservation("o-7", "plenty", None, json!(-1)),
            422,
            "E145",
        ),
        (
            "/v1/reservations",
            reservation("o-8", "plenty", None, json!(1.5)),
            422,
            "E145",
        ),
        (
            "/v1/reservations",
            reservation("o-9", "plenty", None, json!(1e12)),
            422,
            "E145",
        ),
        (
            "/v1/reservations",
            reservation("o-10", "plenty", None, json!("1")),
            400,
            "E100",
        ),
        (
            "/v1/receipts",
            json!({"id": "in-1", "node": "dc-a", "sku": "plenty", "units": -3}),
            422,
            "E145",
        ),
        (
            "/v1/adjustments",
            json!({"id": "adj-1", "node": "dc-a", "sku": "plenty"}),
            422,
            "E145",
        ),
        (
            "/v1/holds",
            json!({"id": "h-2", "ttl_seconds": -1, "lines": []}),
            422,
            "E145",
        ),
        (
            "/v1/reservations",
            json!({"lines": [{"sku": "plenty", "quantity": 1}]}),
            400,
            "E100",
        ),
    ];
    let mut channel = reservation("o-11", "plenty", None, json!(1));
    channel["channel"] = json!("no-such-channel");
    let refused = refused
        .into_iter()
        .chain([("/v1/reservations", channel, 422, "E128")]);
    for (path, body, status, code) in refused {
        let (got, answer) = server.post(path, &body);
        assert_eq!(
            (got, answer["code"].as_str()),
            (status, Some(code)),
            "{path} {body}: {answer}"
        );
    }
    let big = format!(
        r#"{{"id": "big", "order": "{}", "lines": []}}"#,
        "x".repeat(domopt::http::MAX_BODY_BYTES)
    );
    let (status, answer) = server.post_text("/v1/reservations", &big, None);
    assert_eq!((status, &answer["code"]), (413, &json!("E117")), "{answer}");
    let (status, answer) = server.get("/v1/claims/never-made");
    assert_eq!((status, &answer["code"]), (404, &json!("E141")));
    let (status, answer) = server.get("/v1/ledger/availability?channel=x");
    assert_eq!((status, &answer["code"]), (400, &json!("E100")));
    assert_eq!(events(&server), before, "no refusal wrote anything");

    let (_, metrics) = server.get("/metrics");
    let metrics = metrics.as_str().unwrap().to_string();
    for counted in [
        r#"domopt_ledger_requests_total{route="/v1/reservations",outcome="replayed"} 2"#,
        r#"domopt_ledger_requests_total{route="/v1/reservations",outcome="E145"} 4"#,
        r#"domopt_ledger_requests_total{route="/v1/commits",outcome="E142"} 1"#,
    ] {
        assert!(metrics.contains(counted), "{counted} in {metrics}");
    }
}

#[test]
fn expiry_idempotency_and_every_refusal_over_http_answer_their_code_and_write_nothing_on_sqlite() {
    refusals(sqlite);
}

#[test]
fn expiry_idempotency_and_every_refusal_over_http_answer_their_code_and_write_nothing_on_postgres()
{
    refusals(postgres);
}

#[test]
fn a_server_without_a_ledger_answers_503_on_every_ledger_route() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("scenario.json");
    std::fs::write(&scenario, scarce()).unwrap();
    let server = Server::start(scenario.to_str().unwrap(), &[]);
    let (status, ready) = server.get("/ready");
    assert_eq!((status, &ready["ledger"]), (200, &json!("none")));
    for path in [
        "/v1/holds",
        "/v1/reservations",
        "/v1/assignments",
        "/v1/releases",
        "/v1/commits",
        "/v1/receipts",
        "/v1/adjustments",
    ] {
        let (status, body) = server.post(path, &json!({}));
        assert_eq!(
            (status, &body["code"]),
            (503, &json!("E147")),
            "{path}: {body}"
        );
    }
    for path in [
        "/v1/claims/x",
        "/v1/ledger/availability?sku=plenty",
        "/v1/ledger/verify",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(
            (status, &body["code"]),
            (503, &json!("E147")),
            "{path}: {body}"
        );
    }
}

#[test]
fn a_server_given_a_ledger_that_does_not_exist_or_of_another_network_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("scenario.json");
    std::fs::write(&scenario, scarce()).unwrap();
    let missing = dir.path().join("missing.db");
    // A ledger made from another network (the guide's example).
    let other = dir.path().join("other.db");
    let seed = domopt::format::read_scenario(Path::new("datasets/seed-example/two-shipments.json"))
        .unwrap();
    let clock = Arc::new(domopt::reservations::SystemClock);
    domopt::reservations::create(other.to_str().unwrap(), &seed, domopt::DEFAULT_MODEL, clock)
        .unwrap();
    for (url, code) in [
        (missing.to_str().unwrap(), "E147"),
        ("mysql://x/y", "E151"),
        (other.to_str().unwrap(), "E146"),
    ] {
        let out = Command::new(BIN)
            .args([
                "serve",
                scenario.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .args(["--ledger", url])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{url}");
        assert!(stderr.contains(code), "{url}: {stderr}");
    }
}

/// Waits (polling, at most 5 s) until `f` holds: the served view is
/// refreshed in the background, a check interval plus one rebuild after
/// the ledger moved.
fn eventually(what: &str, f: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(5), "never: {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The network figure of `/v1/availability` for `sku`.
fn promised_units(server: &Server, sku: &str) -> Value {
    let (status, av) = server.post("/v1/availability", &json!({ "skus": [sku] }));
    assert_eq!(status, 200, "{av}");
    av[0]["network"]["available"].clone()
}

/// Promise and availability read the ledger: the units it holds or
/// reserves are not offered once the view is refreshed (in the
/// background, a check interval plus one rebuild later).
fn promise_reads_the_ledger(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, place) = setup(dir.path(), backend);
    let url = place.url.clone();
    let server = Server::start(&scenario, &["--ledger", &url]);
    let cart = json!({"zip": "10001", "lines": [{"sku": "one", "quantity": 1}]});
    let (_, offered) = server.post("/v1/promise", &cart);
    assert_eq!(promised_units(&server, "one"), 1);
    assert_eq!(promised_units(&server, "last"), 4);

    let one = reservation("o-one", "one", None, json!(1));
    assert_eq!(server.post("/v1/reservations", &one).0, 200);
    let hold = json!({"id": "h-last", "ttl_seconds": 600, "lines": [{"sku": "last", "node": "dc-b", "quantity": 2}]});
    assert_eq!(server.post("/v1/holds", &hold).0, 200);
    eventually("the view shows the reservation and the hold", || {
        promised_units(&server, "one") == 0 && promised_units(&server, "last") == 2
    });
    let (_, now) = server.post("/v1/promise", &cart);
    assert_ne!(
        now, offered,
        "the promise no longer offers the reserved unit"
    );

    let release = json!({"id": "r-one", "claim": "o-one"});
    assert_eq!(server.post("/v1/releases", &release).0, 200);
    eventually("released: offered again", || {
        promised_units(&server, "one") == 1
    });
    assert_eq!(server.post("/v1/promise", &cart).1, offered);
}

#[test]
fn promise_and_availability_do_not_offer_what_the_ledger_holds_or_reserves_on_sqlite() {
    promise_reads_the_ledger(sqlite);
}

#[test]
fn promise_and_availability_do_not_offer_what_the_ledger_holds_or_reserves_on_postgres() {
    promise_reads_the_ledger(postgres);
}

/// SIGTERM during four streams of reservations: the server stops taking
/// requests, answers those it took, and exits 0; exactly the acknowledged
/// reservations are in the ledger (nothing applied goes unanswered, nothing
/// answered is missing) and it verifies.
fn graceful(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, place) = setup(dir.path(), backend);
    let url = place.url.clone();
    let mut server = Server::start(&scenario, &["--ledger", &url]);
    let target = server.url("/v1/reservations");
    let acked: Vec<AtomicUsize> = (0..4).map(|_| AtomicUsize::new(0)).collect();
    std::thread::scope(|s| {
        for (round, count) in acked.iter().enumerate() {
            let target = &target;
            s.spawn(move || reserve_until_refused(target, round, count));
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while acked
            .iter()
            .map(|a| a.load(Ordering::SeqCst))
            .sum::<usize>()
            < 40
        {
            assert!(std::time::Instant::now() < deadline, "the streams stalled");
            std::thread::sleep(Duration::from_millis(1));
        }
        let sent = Command::new("kill")
            .args(["-TERM", &server.child().id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = server.child().wait().unwrap();
        assert!(status.success(), "{status} after SIGTERM");
    });
    let acked: Vec<usize> = acked.iter().map(|a| a.load(Ordering::SeqCst)).collect();
    let clock = Arc::new(domopt::reservations::SystemClock);
    let ledger = domopt::reservations::open(&url, clock).unwrap();
    assert!(ledger.verify().unwrap().ok());
    let state = ledger.state().unwrap();
    for (round, n) in acked.iter().enumerate() {
        for i in 1..=*n {
            assert!(
                state.claims.contains_key(&format!("{round}-{i}")),
                "{round}-{i} lost"
            );
        }
    }
    let total: usize = acked.iter().sum();
    assert_eq!(
        state.network["plenty"].reserved, total as i64,
        "exactly the acknowledged reservations: {acked:?}"
    );
}

#[test]
fn sigterm_during_streams_of_reservations_answers_every_write_it_applied_on_sqlite() {
    graceful(sqlite);
}

#[test]
fn sigterm_during_streams_of_reservations_answers_every_write_it_applied_on_postgres() {
    graceful(postgres);
}

/// The guide's example over HTTP: a shopper's cart (a jacket, a t-shirt and
/// the Chicago store's only free pair of pants) is promised, held, sourced
/// in a wave from the ledger and committed, then shipped; a second cart
/// asking for the same pants meanwhile is neither promised them nor given
/// them.
fn seed_example(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "datasets/seed-example/two-shipments.json";
    let loaded = domopt::format::read_scenario(Path::new(scenario)).unwrap();
    let place = backend(dir.path());
    let url = place.url.clone();
    let clock = Arc::new(domopt::reservations::SystemClock);
    domopt::reservations::create(&url, &loaded, domopt::DEFAULT_MODEL, clock).unwrap();
    let server = Server::start(scenario, &["--ledger", &url]);
    let lines = json!([
        { "sku": "jacket", "quantity": 1 },
        { "sku": "t-shirt", "quantity": 1 },
        { "sku": "pants", "quantity": 1 }
    ]);
    let cart = json!({ "id": "cart-1", "zip": "60614", "lines": lines });
    let pants_offered = |server: &Server| {
        let (status, a) = server.post("/v1/availability", &json!({ "skus": ["pants"] }));
        assert_eq!(status, 200, "{a}");
        a[0]["network"]["available"].as_u64().unwrap()
    };

    // 1. Promise: every line can ship (the pants from the Chicago store).
    let (status, promise) = server.post("/v1/promise", &cart);
    assert_eq!(status, 200, "{promise}");
    let offered = promise[0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["service"] == "ground" && o["status"] == "available");
    assert!(offered, "{promise}");
    assert_eq!(pants_offered(&server), 1);

    // 2. Hold the cart at checkout, over the network.
    let hold = json!({ "id": "cart-1", "order": "shopper-1", "ttl_seconds": 900, "lines": lines });
    let (status, held) = server.post("/v1/holds", &hold);
    assert_eq!(status, 200, "{held}");
    // Another cart is no longer promised the pants, nor given them.
    eventually("the held pants are no longer offered", || {
        pants_offered(&server) == 0
    });
    let other =
        json!({ "id": "cart-2", "ttl_seconds": 900, "lines": [{ "sku": "pants", "quantity": 1 }] });
    let (status, refused) = server.post("/v1/holds", &other);
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("E140")),
        "{refused}"
    );

    // 3. The order is placed; the wave sources it from the ledger and
    // commits it: the hold becomes node-level reservations.
    let order =
        json!({ "id": "shopper-1", "zip": "60614", "service_level": "standard", "lines": lines });
    let (status, wave) = server.post("/v1/solve", &json!({ "orders": [order], "commit": true }));
    assert_eq!(status, 200, "{wave}");
    assert_eq!(wave["plan"]["kpis"]["fill_rate"], 1.0, "{wave}");
    let committed = &wave["committed"];
    assert_eq!(committed["released"], json!(["cart-1"]), "{wave}");
    let reservation = committed["reserved"][0].as_str().unwrap().to_string();
    let (status, claim) = server.get(&format!("/v1/claims/{reservation}"));
    assert_eq!(status, 200, "{claim}");
    let nodes: Vec<&str> = claim["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["node"].as_str().unwrap())
        .collect();
    assert!(
        nodes.contains(&"store-chicago") && nodes.contains(&"dc-ontario"),
        "{claim}"
    );

    // 4. Shipped: the units leave on hand.
    let (status, shipped) = server.post(
        "/v1/commits",
        &json!({ "id": "ship-1", "claim": reservation }),
    );
    assert_eq!(status, 200, "{shipped}");
    let (status, pants) = server.get("/v1/ledger/availability?sku=pants");
    assert_eq!(status, 200, "{pants}");
    let chicago = &pants["nodes"][0];
    assert_eq!(
        (chicago["on_hand"].as_i64(), chicago["reserved"].as_i64()),
        (Some(3), Some(3)),
        "{pants}"
    );
    // The same wave again is refused: its order shipped.
    let (status, again) = server.post(
        "/v1/solve",
        &json!({ "orders": [order_again()], "commit": true }),
    );
    assert_eq!(
        (status, again["code"].as_str()),
        (422, Some("E146")),
        "{again}"
    );
    events(&server);
}

fn order_again() -> Value {
    json!({ "id": "shopper-1", "zip": "60614", "lines": [{ "sku": "pants", "quantity": 1 }] })
}

#[test]
fn the_guides_example_over_http_promise_hold_solve_commit_on_sqlite() {
    seed_example(sqlite);
}

#[test]
fn the_guides_example_over_http_promise_hold_solve_commit_on_postgres() {
    seed_example(postgres);
}

/// A hold past its time stops counting without any write: the server
/// expires holds every second. A wrong method gets a coded JSON 405.
fn expiry_without_writes(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, place) = setup(dir.path(), backend);
    let server = Server::start(&scenario, &["--ledger", &place.url]);
    let hold = json!({"id": "brief", "ttl_seconds": 1, "lines": [{"sku": "one", "quantity": 1}]});
    assert_eq!(server.post("/v1/holds", &hold).0, 200);
    eventually("the hold expires on the server's own", || {
        server.get("/v1/claims/brief").1["status"] == "expired"
    });
    let (status, av) = server.get("/v1/ledger/availability?sku=one");
    assert_eq!(
        (status, av["network_available"].as_u64()),
        (200, Some(1)),
        "{av}"
    );
    let (status, e) = answer(agent().get(&server.url("/v1/holds")).call());
    assert_eq!((status, e["code"].as_str()), (405, Some("E100")), "{e}");
}

#[test]
fn holds_expire_without_writes_and_a_wrong_method_gets_a_coded_405_on_sqlite() {
    expiry_without_writes(sqlite);
}

#[test]
fn holds_expire_without_writes_and_a_wrong_method_gets_a_coded_405_on_postgres() {
    expiry_without_writes(postgres);
}
