//! Load on the HTTP service, over loopback on this machine: promise and
//! availability requests from a bounded pool of client threads (each with
//! one keep-alive connection), on peak-l's network (500 nodes, 20k SKUs).
//! Prints throughput and the p50 / p99 / max latency seen by the clients.
//! Server and clients share the machine's cores, as they would on one host.
//!
//!     cargo bench --bench serve

use std::time::{Duration, Instant};

use domopt::generate::{GenConfig, generate};

const CLIENTS: [usize; 2] = [1, 4];
const REQUESTS_PER_CLIENT: usize = 2_000;

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let cfg = GenConfig::preset("peak-l")
        .expect("preset")
        .with_overrides(&["orders=2000".into()])
        .expect("override");
    generate(&cfg, 1, "peak-l-network", dir.path()).expect("generated");
    let (s, _) = domopt::load_scenario(dir.path(), "us-parcel", &[]).expect("valid scenario");
    let bodies = bodies(&s);
    let (addr, _runtime) = start(s);
    println!("HTTP load, peak-l network, {REQUESTS_PER_CLIENT} requests per client, loopback:");
    println!("route | clients | requests/s | p50 (us) | p99 (us) | max (us)");
    for route in ["/v1/promise", "/v1/availability"] {
        for clients in CLIENTS {
            let (rate, p50, p99, max) = load(addr, route, &bodies[route_index(route)], clients);
            println!("{route} | {clients} | {rate:.0} | {p50:.0} | {p99:.0} | {max:.0}");
        }
    }
}

fn route_index(route: &str) -> usize {
    usize::from(route == "/v1/availability")
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

/// The service on a free loopback port, on its own runtime.
fn start(s: domopt::Scenario) -> (std::net::SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a loopback port");
    let addr = listener.local_addr().expect("address");
    let router = domopt::http::router(s);
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
    bodies: &[String],
    clients: usize,
) -> (f64, f64, f64, f64) {
    let url = format!("http://{addr}{route}");
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let url = url.clone();
            let bodies = bodies.to_vec();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(30)))
                    .build()
                    .into();
                (0..REQUESTS_PER_CLIENT)
                    .map(|k| {
                        let body = &bodies[(c * 7919 + k) % bodies.len()];
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
