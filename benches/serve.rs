//! Load on the HTTP service, over loopback on this machine: promise and
//! availability requests from a bounded pool of client threads (each with
//! one keep-alive connection), on peak-l's network (500 nodes, 20k SKUs).
//! Prints throughput and the p50 / p99 / max latency seen by the clients.
//! Server and clients share the machine's cores, as they would on one host.
//! Then reservations (`POST /v1/reservations`, one unit of a stocked
//! (node, SKU), a distinct id each: every one a durable write) on each
//! ledger back end in `LEDGERS`.
//!
//!     cargo bench --bench serve

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domopt::generate::{GenConfig, generate};

const CLIENTS: [usize; 2] = [1, 4];
const REQUESTS_PER_CLIENT: usize = 2_000;

/// The ledger back ends measured: a name and a fresh ledger URL.
const LEDGERS: &[(&str, LedgerUrl)] = &[("sqlite", sqlite), ("postgres", postgres)];

/// A fresh ledger URL in a folder.
type LedgerUrl = fn(&Path) -> String;

fn sqlite(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("ledger.db").display())
}

/// A fresh database on the PostgreSQL the tests use (`DOMOPT_TEST_POSTGRES`,
/// default the one `scripts/postgres.sh` readies), named like the tests'
/// so that their next run drops it once this process is gone.
fn postgres(_: &Path) -> String {
    let admin = std::env::var("DOMOPT_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://domopt:domopt@127.0.0.1:5432/postgres".into());
    let name = format!("domopt_t_{}_bench", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls)
        .expect("PostgreSQL reachable: run scripts/postgres.sh");
    // One statement each: PostgreSQL makes and drops databases outside
    // transaction blocks only.
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        client.batch_execute(&sql).expect("a fresh database");
    }
    let server = admin.rsplit_once('/').map_or(admin.as_str(), |(s, _)| s);
    format!("{server}/{name}")
}

/// A request body from (client, request number).
type Body = Arc<dyn Fn(usize, usize) -> String + Send + Sync>;

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let cfg = GenConfig::preset("peak-l")
        .expect("preset")
        .with_overrides(&["orders=2000".into()])
        .expect("override");
    generate(&cfg, 1, "peak-l-network", dir.path()).expect("generated");
    let (s, _) = domopt::load_scenario(dir.path(), "us-parcel", &[]).expect("valid scenario");
    let [carts, queries] = bodies(&s);
    let (addr, _runtime) = start(domopt::http::router(s));
    println!("HTTP load, peak-l network, {REQUESTS_PER_CLIENT} requests per client, loopback:");
    println!("route | clients | requests/s | p50 (us) | p99 (us) | max (us)");
    let carts_body = cycling(carts.clone());
    for (route, list) in [("/v1/promise", carts), ("/v1/availability", queries)] {
        let body = cycling(list);
        for clients in CLIENTS {
            let (rate, p50, p99, max) = load(addr, route, &body, clients);
            println!("{route} | {clients} | {rate:.0} | {p50:.0} | {p99:.0} | {max:.0}");
        }
    }
    for (name, url) in LEDGERS {
        reservations(dir.path(), name, *url, &carts_body);
    }
}

/// Request bodies taken in turn, each client from its own place.
fn cycling(list: Vec<String>) -> Body {
    let list = Arc::new(list);
    Arc::new(move |c, k| list[(c * 7919 + k) % list.len()].clone())
}

/// Reservation load on a fresh ledger made from the generated network, then
/// promises (one client) while another client reserves: the served view is
/// rebuilt as the ledger moves.
fn reservations(dir: &Path, name: &str, url: LedgerUrl, carts: &Body) {
    let loaded = domopt::format::read_scenario(dir).expect("the scenario reads");
    let url = url(dir);
    let clock = Arc::new(domopt::reservations::SystemClock);
    let ledger = domopt::reservations::create(&url, &loaded, domopt::DEFAULT_MODEL, clock)
        .expect("a fresh ledger");
    let stocked = stocked(ledger.as_ref());
    let (s, _) = domopt::load_scenario(dir, "us-parcel", &[]).expect("valid scenario");
    let waves = domopt::http::WaveSource {
        model: domopt::CostModel::load("us-parcel").expect("the preset"),
        overrides: Default::default(),
        loaded,
    };
    let (addr, _runtime) = start(domopt::http::router_with_ledger(
        s,
        Arc::from(ledger),
        waves,
    ));
    // Each request takes the next free unit: none is refused.
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for clients in CLIENTS {
        let (units, next) = (stocked.clone(), next.clone());
        let body: Body = Arc::new(move |c, k| {
            let slot = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (node, sku) = &units[slot];
            let id = format!("bench-{clients}-{c}-{k}");
            let line = serde_json::json!({"sku": sku, "node": node, "quantity": 1});
            serde_json::json!({"id": id, "lines": [line]}).to_string()
        });
        let route = "/v1/reservations";
        let (rate, p50, p99, max) = load(addr, route, &body, clients);
        println!("{route} ({name}) | {clients} | {rate:.0} | {p50:.0} | {p99:.0} | {max:.0}");
    }
    let units = stocked.clone();
    let reserve: Body = Arc::new(move |_, k| {
        let slot = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (node, sku) = &units[slot];
        let line = serde_json::json!({"sku": sku, "node": node, "quantity": 1});
        serde_json::json!({"id": format!("beside-{k}"), "lines": [line]}).to_string()
    });
    let writer = std::thread::spawn(move || load(addr, "/v1/reservations", &reserve, 1));
    let (rate, p50, p99, max) = load(addr, "/v1/promise", carts, 1);
    let (w_rate, ..) = writer.join().expect("the reserving client");
    println!(
        "/v1/promise beside {w_rate:.0} reservations/s ({name}) | 1 | {rate:.0} | {p50:.0} | {p99:.0} | {max:.0}"
    );
}

/// Free units as (node, SKU), one entry per unit, rows taken in turn so
/// that consecutive requests touch different rows.
fn stocked(ledger: &dyn domopt::reservations::Ledger) -> Arc<Vec<(String, String)>> {
    let state = ledger.state().expect("the ledger's state");
    let today = chrono::Utc::now().date_naive();
    let rows: Vec<_> = state
        .stock
        .values()
        .map(|r| (r, r.free(today).max(0)))
        .collect();
    // The clients of each row, and the one reserving beside promises.
    let needed = REQUESTS_PER_CLIENT * (CLIENTS.iter().sum::<usize>() + 1);
    let mut units = Vec::with_capacity(needed);
    for round in 0.. {
        let before = units.len();
        for (r, free) in &rows {
            if *free > round && units.len() < needed {
                units.push((r.node.clone(), r.sku.clone()));
            }
        }
        if units.len() == needed || units.len() == before {
            break;
        }
    }
    assert_eq!(units.len(), needed, "enough free units for every request");
    Arc::new(units)
}

/// Request bodies: five-line carts to the wave's destinations, and
/// availability of five SKUs; 1,000 of each, used in turn.
fn bodies(s: &domopt::Scenario) -> [Vec<String>; 2] {
    let lines: Vec<&str> = s
        .orders
        .iter()
        .flat_map(|o| o.lines.iter().map(|l| s.skus[l.sku].id.as_str()))
        .collect();
    let mut carts = Vec::new();
    let mut queries = Vec::new();
    let mut next = 0;
    for o in s.orders.iter().take(1_000) {
        let mut skus: Vec<&str> = Vec::new();
        while skus.len() < 5 {
            let sku = lines[next % lines.len()];
            next += 1;
            if !skus.contains(&sku) {
                skus.push(sku);
            }
        }
        let cart_lines: Vec<_> = skus
            .iter()
            .map(|k| serde_json::json!({"sku": k, "quantity": 1}))
            .collect();
        carts
            .push(serde_json::json!({"lat": o.lat, "lon": o.lon, "lines": cart_lines}).to_string());
        queries.push(serde_json::json!({ "skus": skus }).to_string());
    }
    [carts, queries]
}

/// `router` on a free loopback port, on its own runtime.
fn start(router: axum::Router) -> (std::net::SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a loopback port");
    let addr = listener.local_addr().expect("address");
    runtime.spawn(domopt::http::serve(
        listener,
        router,
        std::future::pending(),
    ));
    (addr, runtime)
}

/// (requests per second, p50, p99, max in microseconds) of `clients`
/// threads each sending `REQUESTS_PER_CLIENT` requests in turn.
fn load(
    addr: std::net::SocketAddr,
    route: &str,
    body: &Body,
    clients: usize,
) -> (f64, f64, f64, f64) {
    let url = format!("http://{addr}{route}");
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let url = url.clone();
            let body = body.clone();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(30)))
                    .build()
                    .into();
                (0..REQUESTS_PER_CLIENT)
                    .map(|k| {
                        let body = body(c, k);
                        let t = Instant::now();
                        let mut r = agent
                            .post(&url)
                            .header("content-type", "application/json")
                            .send(body.as_str())
                            .expect("200");
                        r.body_mut().read_to_string().expect("a body");
                        t.elapsed().as_secs_f64() * 1e6
                    })
                    .collect::<Vec<f64>>()
            })
        })
        .collect();
    let mut times: Vec<f64> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("client"))
        .collect();
    let wall = start.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let n = times.len();
    let at = |q: f64| times[((n as f64 * q) as usize).min(n - 1)];
    (n as f64 / wall, at(0.5), at(0.99), times[n - 1])
}
