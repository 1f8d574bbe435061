//! The ledger's edges found by an outside test: waits on the store are
//! bounded (a held SQLite write lock, a PostgreSQL that stops answering),
//! ids of the forms the ledger makes are refused from clients, whole
//! numbers written as floats are whole numbers, `ledger init` says what a
//! path holds, unreachable hosts and malformed URLs have their own codes,
//! `--at` stays within the years the ledger can order, and `verify --json`
//! says `ok`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::test_ledger;
use crate::test_postgres;

use test_ledger::{Server, json_of};

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

/// The scarce scenario (see [`test_ledger::scarce`]) with 100 000 units of
/// `plenty` at dc-a, in a file in `dir`, and a ledger made from it at `url`
/// (or an SQLite file in `dir` when `url` is `None`); the scenario's path
/// and the ledger's URL.
fn setup(dir: &Path, url: Option<String>) -> (String, String) {
    let url = url.unwrap_or_else(|| dir.join("ledger.db").display().to_string());
    let scenario = test_ledger::scarce(r#""on_hand": 100000"#);
    (
        test_ledger::create_on_system_clock(dir, &scenario, &url),
        url,
    )
}

fn domopt(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// The ledger file's write lock, taken by another connection and held
/// until dropped (as another process's open write transaction would).
fn hold_write_lock(db: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

/// A reservation tried with a store timeout of 0.5 s while another
/// connection holds the ledger's write lock: refused with E147 within 10 s;
/// its output, how long it waited and its error message.
fn reserve_while_locked(url: &str) -> (Output, Duration, String) {
    let started = Instant::now();
    let out = domopt(&[
        "reserve",
        url,
        "--id",
        "r-1",
        "--line",
        "last=1",
        "--store-timeout",
        "0.5",
        "--json",
    ]);
    let took = started.elapsed();
    let answer = json_of(&out);
    assert_eq!(answer["code"], "E147", "{answer}");
    assert!(took < Duration::from_secs(10), "waited {took:?}");
    (out, took, answer["error"].as_str().unwrap().to_string())
}

/// Once the lock is free the same request is granted, not replayed: the
/// refused one wrote nothing.
fn reserve_is_granted_anew(url: &str) {
    let out = domopt(&["reserve", url, "--id", "r-1", "--line", "last=1", "--json"]);
    assert_eq!(json_of(&out)["replayed"], false, "{out:?}");
}

#[test]
fn a_sqlite_writer_blocked_by_another_connections_open_write_transaction_gets_e147_after_the_store_timeout()
 {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = setup(dir.path(), None);
    let lock = hold_write_lock(&db);
    let (out, took, text) = reserve_while_locked(&db);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("write lock was not free within the store timeout of 0.5 s"),
        "{text}"
    );
    assert!(
        took >= Duration::from_millis(400),
        "gave up early: {took:?}"
    );
    drop(lock);
    reserve_is_granted_anew(&db);
}

#[test]
fn a_postgres_writer_blocked_by_another_sessions_write_lock_gets_e147_after_the_store_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let database = test_postgres::TestDatabase::new();
    let (_, url) = setup(dir.path(), Some(database.url()));
    // The advisory lock every ledger write takes ("domopt" in ASCII), held
    // by another session's open transaction.
    let mut other = test_postgres::connect(&url);
    let mut tx = other.transaction().unwrap();
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&0x646f_6d6f_7074_i64])
        .unwrap();
    let (_, _, text) = reserve_while_locked(&url);
    assert!(
        text.contains("write lock was not free within the store timeout"),
        "{text}"
    );
    tx.rollback().unwrap();
    reserve_is_granted_anew(&url);
}

#[test]
fn a_store_timeout_that_is_zero_negative_huge_or_not_a_number_is_refused_with_e120() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, db) = setup(dir.path(), None);
    for bad in ["0", "-1", "abc", "3601", "1e9", "NaN", "inf", ""] {
        let out = domopt(&["ledger", "verify", &db, "--store-timeout", bad, "--json"]);
        assert_eq!(json_of(&out)["code"], "E120", "{bad}: {out:?}");
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let out = domopt(&[
            "serve",
            &scenario,
            "--ledger",
            &db,
            "--listen",
            "127.0.0.1:0",
            "--store-timeout",
            bad,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("E120") && stderr.contains("store-timeout"),
            "{bad}: {stderr}"
        );
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
    let out = domopt(&["ledger", "verify", &db, "--store-timeout", "0.25", "--json"]);
    assert_eq!(json_of(&out)["ok"], true, "{out:?}");
}

#[test]
fn ledger_verify_json_says_ok() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = setup(dir.path(), None);
    let out = domopt(&["ledger", "verify", &db, "--json"]);
    let report = json_of(&out);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["differences"], json!([]), "{report}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn cli_changes_with_ids_of_the_forms_the_ledger_makes_are_refused_with_e100_and_apply_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = setup(dir.path(), None);
    let changes: [&[&str]; 5] = [
        &["reserve", &db, "--id", "wave-7:A-1", "--line", "last=1"],
        &[
            "hold",
            &db,
            "--id",
            "initial:dc-a:last",
            "--ttl",
            "60",
            "--line",
            "last=1",
        ],
        &["release", &db, "--id", "x", "--request", "wave-1:x"],
        &[
            "receive",
            &db,
            "--request",
            "initial:r",
            "--node",
            "dc-a",
            "--sku",
            "last",
            "--units",
            "1",
        ],
        &[
            "adjust",
            &db,
            "--request",
            "wave-2:c",
            "--node",
            "dc-a",
            "--sku",
            "last",
            "--set",
            "9",
        ],
    ];
    for args in changes {
        let out = domopt(&[args, &["--json"]].concat());
        let answer = json_of(&out);
        assert_eq!(answer["code"], "E100", "{args:?}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("reserved"),
            "{answer}"
        );
    }
    let out = domopt(&["ledger", "verify", &db, "--json"]);
    assert_eq!(
        json_of(&out)["events"],
        4,
        "only the initial stock: {out:?}"
    );
    // A commit of a wave's reservation is a client's right: only the
    // request id is checked, not the claim it names.
    let out = domopt(&["commit", &db, "--id", "wave-1:A-1", "--json"]);
    assert_eq!(json_of(&out)["code"], "E141", "{out:?}");
}

#[test]
fn ledger_init_on_a_directory_or_a_file_that_is_not_a_ledger_says_so_with_e147_and_on_a_ledger_e149()
 {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, db) = setup(dir.path(), None);
    let init = |target: &str| {
        let out = domopt(&["ledger", "init", target, "--scenario", &scenario, "--json"]);
        (json_of(&out), out.status.code())
    };
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let (answer, exit) = init(folder.to_str().unwrap());
    assert_eq!(
        (answer["code"].as_str(), exit),
        (Some("E147"), Some(1)),
        "{answer}"
    );
    assert!(
        answer["error"].as_str().unwrap().contains("is a directory"),
        "{answer}"
    );

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "keep me").unwrap();
    let (answer, _) = init(notes.to_str().unwrap());
    assert_eq!(answer["code"], "E147", "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("not a domopt ledger"),
        "{answer}"
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "keep me");

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
        .unwrap();
    let (answer, _) = init(other.to_str().unwrap());
    assert_eq!(answer["code"], "E147", "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("not a domopt ledger"),
        "{answer}"
    );

    let (answer, exit) = init(&db);
    assert_eq!(
        (answer["code"].as_str(), exit),
        (Some("E149"), Some(2)),
        "{answer}"
    );
}

#[test]
fn a_postgres_host_that_cannot_be_reached_is_e147_naming_it_and_a_malformed_url_is_e151() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, _) = setup(dir.path(), None);
    let init = |url: &str| {
        let out = domopt(&[
            "ledger",
            "init",
            url,
            "--scenario",
            &scenario,
            "--store-timeout",
            "3",
            "--json",
        ]);
        (json_of(&out), out.status.code())
    };
    let (answer, exit) = init("postgres://nohost");
    assert_eq!(
        (answer["code"].as_str(), exit),
        (Some("E147"), Some(1)),
        "{answer}"
    );
    let text = answer["error"].as_str().unwrap();
    assert!(
        text.contains("the database server nohost:5432 could not be reached"),
        "{text}"
    );
    let (answer, exit) = init("postgres://u@h:notaport/db");
    assert_eq!(
        (answer["code"].as_str(), exit),
        (Some("E151"), Some(2)),
        "{answer}"
    );
}

#[test]
fn a_ledger_clock_beyond_year_9998_or_before_year_1_is_refused_with_e110() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, db) = setup(dir.path(), None);
    for at in [
        "+10000-01-01T00:00",
        "9999-06-01T00:00",
        "0000-12-31T23:59",
        "-0001-01-01T00:00",
    ] {
        let at_arg = format!("--at={at}");
        let out = domopt(&[
            "hold", &db, "--id", "c", "--ttl", "60", "--line", "last=1", &at_arg, "--json",
        ]);
        let answer = json_of(&out);
        assert_eq!(answer["code"], "E110", "{at}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .unwrap()
                .contains("years 1 to 9998"),
            "{answer}"
        );
        let out = domopt(&["solve", &scenario, "--ledger", &db, &at_arg, "--json"]);
        assert_eq!(json_of(&out)["code"], "E120", "{at}: {out:?}");
    }
    let out = domopt(&[
        "hold",
        &db,
        "--id",
        "c",
        "--ttl",
        "60",
        "--line",
        "last=1",
        "--at",
        "9998-12-31T23:59",
        "--json",
    ]);
    assert_eq!(
        json_of(&out)["claim"]["expires"],
        "9999-01-01T00:00:00",
        "{out:?}"
    );
}

// ---------------------------------------------------------------------------
// Over HTTP.

/// `domopt serve` on `scenario` with `ledger` and `extra` arguments.
fn serve(scenario: &str, ledger: &str, extra: &[&str]) -> Server {
    Server::start(scenario, &[&["--ledger", ledger], extra].concat())
}

fn reservation(id: &str, quantity: Value) -> Value {
    json!({ "id": id, "lines": [{ "sku": "plenty", "quantity": quantity }] })
}

#[test]
fn over_http_a_held_sqlite_write_lock_answers_503_e147_after_the_store_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, db) = setup(dir.path(), None);
    let server = serve(&scenario, &db, &["--store-timeout", "1"]);
    let lock = hold_write_lock(&db);
    let started = Instant::now();
    let (status, body) = server.post("/v1/reservations", &reservation("r-1", json!(1)));
    let took = started.elapsed();
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("E147")),
        "{body}"
    );
    assert!(took < Duration::from_secs(10), "waited {took:?}");
    drop(lock);
    let (status, body) = server.post("/v1/reservations", &reservation("r-1", json!(1)));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn over_http_ids_of_the_forms_the_ledger_makes_are_refused_with_400_e100_and_apply_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, db) = setup(dir.path(), None);
    let server = serve(&scenario, &db, &[]);
    let refused = [
        ("/v1/reservations", reservation("wave-3:A-1", json!(1))),
        (
            "/v1/holds",
            json!({ "id": "initial:dc-a:plenty", "ttl_seconds": 60, "lines": [{ "sku": "plenty", "quantity": 1 }] }),
        ),
        ("/v1/releases", json!({ "id": "wave-1:x", "claim": "x" })),
        (
            "/v1/receipts",
            json!({ "id": "initial:r", "node": "dc-a", "sku": "plenty", "units": 1 }),
        ),
        (
            "/v1/adjustments",
            json!({ "id": "wave-9", "node": "dc-a", "sku": "plenty", "set": 5 }),
        ),
    ];
    for (route, body) in refused {
        let (status, answer) = server.post(route, &body);
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("E100")),
            "{route}: {answer}"
        );
    }
    // The Idempotency-Key header is a request id too.
    let body = json!({ "lines": [{ "sku": "plenty", "quantity": 1 }] }).to_string();
    let (status, _) = server.post_text("/v1/reservations", &body, Some("wave-5:B"));
    assert_eq!(status, 400);
    let (_, report) = server.get("/v1/ledger/verify");
    assert_eq!(
        (report["ok"].as_bool(), report["events"].as_i64()),
        (Some(true), Some(4)),
        "{report}"
    );
}

#[test]
fn over_http_a_whole_number_written_as_a_float_is_that_number_and_a_fraction_is_e145() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, db) = setup(dir.path(), None);
    let server = serve(&scenario, &db, &[]);
    let (status, body) = server.post("/v1/reservations", &reservation("r-1", json!(1.0)));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["claim"]["lines"][0]["quantity"], 1, "{body}");
    let (status, body) = server.post(
        "/v1/receipts",
        &json!({ "id": "asn", "node": "dc-a", "sku": "plenty", "units": 2e3 }),
    );
    assert_eq!(
        (status, body["stock"]["on_hand"].as_i64()),
        (200, Some(102_000)),
        "{body}"
    );
    let (status, body) = server.post(
        "/v1/adjustments",
        &json!({ "id": "d", "node": "dc-a", "sku": "plenty", "delta": -1.0 }),
    );
    assert_eq!(
        (status, body["stock"]["on_hand"].as_i64()),
        (200, Some(101_999)),
        "{body}"
    );
    for (quantity, why) in [
        (json!(1.5), "not a whole number"),
        (json!(-1.0), "negative"),
        (json!(-2), "negative"),
        (json!(1e12), "too large"),
        (json!(5e9), "too large"),
    ] {
        let (status, body) = server.post("/v1/reservations", &reservation("r-2", quantity.clone()));
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("E145")),
            "{quantity}: {body}"
        );
        assert!(
            body["error"].as_str().unwrap().contains(why),
            "{quantity}: {body}"
        );
    }
}

/// A TCP proxy on loopback to `upstream` that can be made to stop
/// answering: from then on it forwards nothing and accepts connections
/// without connecting them, as a database host that went silent.
struct Proxy {
    addr: SocketAddr,
    silent: Arc<AtomicBool>,
    closed: Arc<AtomicBool>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let silent = Arc::new(AtomicBool::new(false));
        let closed = Arc::new(AtomicBool::new(false));
        let (s, c) = (silent.clone(), closed.clone());
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for client in listener.incoming().map_while(Result::ok) {
                if c.load(Ordering::SeqCst) {
                    return;
                }
                if s.load(Ordering::SeqCst) {
                    held.push(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                for (from, to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let (s, c) = (s.clone(), c.clone());
                    std::thread::spawn(move || pump(from, to, &s, &c));
                }
            }
        });
        Proxy {
            addr,
            silent,
            closed,
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.closed.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees `closed`.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Copies `from` to `to` until either closes; while `silent`, holds what
/// it reads; once `closed`, drops both.
fn pump(mut from: TcpStream, mut to: TcpStream, silent: &AtomicBool, closed: &AtomicBool) {
    from.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut buf = [0u8; 16384];
    while !closed.load(Ordering::SeqCst) {
        if silent.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        match from.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

#[test]
fn a_server_whose_postgres_stops_answering_answers_ready_503_e147_within_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let database = test_postgres::TestDatabase::new();
    let (scenario, url) = setup(dir.path(), Some(database.url()));
    // postgres://USER:PASSWORD@HOST:PORT/DB: the proxy stands for HOST:PORT.
    let (head, rest) = url.rsplit_once('@').unwrap();
    let (upstream, tail) = rest.split_once('/').unwrap();
    let proxy = Proxy::start(upstream.to_string());
    let through = format!("{head}@{}/{tail}", proxy.addr);
    let server = serve(&scenario, &through, &["--store-timeout", "5"]);
    let (status, body) = server.get("/ready");
    assert_eq!(
        (status, body["ledger"].as_str()),
        (200, Some("ok")),
        "{body}"
    );

    proxy.silent.store(true, Ordering::SeqCst);
    for probe in 0..3 {
        let started = Instant::now();
        let (status, body) = server.get("/ready");
        let took = started.elapsed();
        assert_eq!(status, 503, "probe {probe}: {body}");
        assert_eq!(body["code"], "E147", "{body}");
        assert_eq!(body["ledger"], "unavailable", "{body}");
        assert!(
            took < Duration::from_millis(2500),
            "probe {probe} took {took:?}"
        );
    }
    // Once the database answers again, so does /ready (the stuck probe
    // finishes and frees the way for the next).
    proxy.silent.store(false, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = server.get("/ready");
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still not ready: {body}");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(server);
    drop(proxy);
}
