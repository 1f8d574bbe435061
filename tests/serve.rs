//! The HTTP service on loopback: health and readiness, promises and
//! availability as the library answers them, errors as JSON with codes
//! (422 with every issue, 400, 413, 404), metrics, the committed OpenAPI
//! document, and a graceful shutdown that finishes the request in flight.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use domopt::promising::{Promiser, read_carts};
use serde_json::{Value, json};

fn scenario() -> domopt::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/promise/network.json");
    domopt::load_scenario(&path, "us-parcel", &[]).unwrap().0
}

/// A server on a free loopback port, running until `stop` is sent.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Server {
        Server::start_with(|| domopt::http::router(scenario()))
    }

    /// A server of the router `make` builds.
    fn start_with(make: impl FnOnce() -> axum::Router + Send + 'static) -> Server {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let router = make();
                domopt::http::serve(listener, router, async {
                    rx.await.ok();
                })
                .await
                .unwrap();
            });
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(30)).unwrap();
        Server {
            addr,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// (status, body as JSON or as a string).
    fn post(&self, path: &str, body: &str) -> (u16, Value) {
        answer(
            agent()
                .post(&self.url(path))
                .header("content-type", "application/json")
                .send(body),
        )
    }

    fn get(&self, path: &str) -> (u16, Value) {
        answer(agent().get(&self.url(path)).call())
    }

    fn stop(mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        self.thread.take().unwrap().join().unwrap();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    let mut r = r.expect("an answer");
    let status = r.status().as_u16();
    let text = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

#[test]
fn the_service_answers_health_readiness_promises_and_availability_as_the_library_does() {
    let server = Server::start();
    assert_eq!(server.get("/health"), (200, json!({"status": "ok"})));
    let (status, ready) = server.get("/ready");
    assert_eq!(status, 200);
    assert_eq!(ready["nodes"], 4);

    let carts = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/promise/carts.json");
    let (status, body) = server.post("/v1/promise", &std::fs::read_to_string(&carts).unwrap());
    assert_eq!(status, 200);
    let s = scenario();
    let promiser = Promiser::new(&s);
    let valid = promiser
        .validator()
        .carts(&read_carts(&carts).unwrap())
        .unwrap();
    let expected: Vec<_> = valid.iter().map(|c| promiser.quote(c)).collect();
    assert_eq!(body, serde_json::to_value(&expected).unwrap());

    let (status, one) = server.post(
        "/v1/promise",
        r#"{"zip": "10001", "lines": [{"sku": "tshirt", "quantity": 1}]}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(one.as_array().unwrap().len(), 1);

    let (status, atp) = server.post(
        "/v1/availability",
        r#"{"skus": ["pants"], "channel": "web"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(atp[0]["network"]["available"], 11);
    server.stop();
}

#[test]
fn errors_are_json_with_stable_codes_and_every_issue_at_once() {
    let server = Server::start();
    let (status, body) = server.post(
        "/v1/promise",
        r#"{"carts": [{"zip": "10001", "lines": [{"sku": "socks", "quantity": 1}]},
                      {"zip": "10001", "channel": "fax", "lines": [{"sku": "tshirt", "quantity": 2.5}]}]}"#,
    );
    assert_eq!(status, 422);
    let codes: Vec<&str> = body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["E102", "E104", "E128"]);
    assert_eq!(body["code"], "E102");

    let (status, body) = server.post("/v1/promise", r#"{"zip": "10001", "lnes": []}"#);
    assert_eq!((status, body["code"].as_str()), (400, Some("E100")));
    let (status, body) = server.post("/v1/promise", "{\"zip\":");
    assert_eq!((status, body["code"].as_str()), (400, Some("E100")));
    let big = format!(
        "{{\"carts\": [{}]}}",
        " ".repeat(domopt::http::MAX_BODY_BYTES)
    );
    let (status, body) = server.post("/v1/promise", &big);
    assert_eq!((status, body["code"].as_str()), (413, Some("E117")));
    let (status, body) = server.post(
        "/v1/availability",
        r#"{"skus": ["pants"], "date": "2026-02-30"}"#,
    );
    assert_eq!((status, body["code"].as_str()), (422, Some("E110")));
    let (status, body) = server.get("/v2/nothing");
    assert_eq!((status, body["code"].as_str()), (404, Some("E102")));
    server.stop();
}

#[test]
fn metrics_count_requests_by_route_and_status() {
    let server = Server::start();
    server.get("/health");
    server.post("/v1/promise", "not json");
    let (status, text) = server.get("/metrics");
    assert_eq!(status, 200);
    let text = text.as_str().unwrap().to_string();
    assert!(
        text.contains(r#"domopt_http_requests_total{route="/health",method="GET",status="200"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/v1/promise",method="POST",status="400""#),
        "{text}"
    );
    assert!(text.contains("domopt_http_request_seconds"), "{text}");
    server.stop();
}

#[test]
fn the_committed_openapi_document_is_the_generated_one_and_names_every_route() {
    let committed: Value = serde_json::from_str(include_str!("../docs/openapi.json")).unwrap();
    assert_eq!(
        committed,
        domopt::http::openapi_document(),
        "regenerate with: cargo run --release -- schema --openapi > docs/openapi.json"
    );
    let server = Server::start();
    assert_eq!(server.get("/openapi.json").1, committed);
    for (path, ops) in committed["paths"].as_object().unwrap() {
        let path = &path.replace("{id}", "x");
        for method in ops.as_object().unwrap().keys() {
            let (status, _) = match method.as_str() {
                "get" => server.get(path),
                _ => server.post(path, "{}"),
            };
            assert_ne!(status, 404, "{method} {path} is documented but not routed");
        }
    }
    server.stop();
}

#[test]
fn a_shutdown_lets_the_request_in_flight_finish() {
    use std::io::{Read, Write};
    let server = Server::start();
    // A request whose body is half sent when the stop comes: the server
    // must keep the connection, read the rest and answer.
    let body = r#"{"zip": "10001", "lines": [{"sku": "tshirt", "quantity": 1}]}"#;
    let addr = server.addr;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /v1/promise HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let (first, rest) = body.split_at(10);
    stream.write_all(first.as_bytes()).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let stopping = std::thread::spawn(move || server.stop());
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !stopping.is_finished(),
        "the server waits for the request in flight"
    );
    stream.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"service\":\"ground\""), "{answer}");
    stopping.join().unwrap();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "then it is gone"
    );
}

/// The shipped re-plan wave as a server's records.
fn reroute_source() -> (domopt::Scenario, domopt::http::WaveSource) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/reroute/wave");
    let (s, _) = domopt::load_scenario(&dir, domopt::DEFAULT_MODEL, &[]).unwrap();
    let source = domopt::http::WaveSource {
        loaded: domopt::format::read_scenario(&dir).unwrap(),
        model: domopt::CostModel::load(domopt::DEFAULT_MODEL).unwrap(),
        overrides: Default::default(),
    };
    (s, source)
}

/// The codes of a 422 answer's issues.
fn issue_codes(answer: &Value) -> Vec<&str> {
    answer["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect()
}

/// The shipped outage events, as JSON.
fn outage_events() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/reroute/outage.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A server with the re-plan wave's records, and the wave's optimal plan.
fn reroute_server() -> (domopt::Plan, Server) {
    let (s, source) = reroute_source();
    let plan = domopt::solve(
        &s,
        &domopt::Settings::default(),
        domopt::Strategy::Monolithic,
    );
    let server = Server::start_with(move || domopt::http::router_with_source(s, source));
    (plan, server)
}

#[test]
fn a_plan_is_re_made_over_http_after_an_outage_and_bad_events_get_their_codes() {
    let (plan, server) = reroute_server();
    let events = outage_events();
    let body = json!({ "plan": plan, "events": events }).to_string();
    let (status, answer) = server.post("/v1/reroute", &body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["check"]["violations"], json!([]), "{answer}");
    assert!(answer["summary"]["moved_packages"].as_u64().unwrap() > 0);
    let at_oak = |p: &Value| {
        p["shipments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["node"] == "DC-OAK4" && x["ship_date"].as_str().unwrap() <= "2026-12-20")
            .count()
    };
    // Nothing ships from DC-OAK4 during its outage; its picked package
    // stays there, to ship after.
    assert_eq!(at_oak(&answer["plan"]), 0);
    let picked = answer["plan"]["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["order"] == "O0000005" && x["node"] == "DC-OAK4");
    assert!(picked);
    // Bad events: every issue with its code, 422.
    let bad = json!({ "plan": plan, "events": { "events": [
        { "type": "node_outage", "node": "NOWHERE", "from": "2026-12-15T00:00", "to": "2026-12-16T00:00" },
        { "type": "short_pick", "node": "DC-ONT6", "sku": "SKU000001", "missing": 0 }
    ]}});
    let (status, answer) = server.post("/v1/reroute", &bad.to_string());
    assert_eq!(status, 422, "{answer}");
    let codes = issue_codes(&answer);
    assert!(
        codes.contains(&"E102") && codes.contains(&"E170"),
        "{answer}"
    );
    let (status, _) = server.post("/v1/reroute", r#"{"plan": 3, "events": {}}"#);
    assert_eq!(status, 400);
    server.stop();
    // A server made without the scenario's records cannot re-plan.
    let bare = Server::start();
    let (status, answer) = bare.post("/v1/reroute", &body);
    assert_eq!((status, answer["code"].as_str()), (503, Some("E152")));
    bare.stop();
}

#[test]
fn an_order_of_a_plan_is_explained_over_http_and_unknown_ids_get_their_codes() {
    let (plan, server) = reroute_server();
    let body = json!({ "plan": plan, "order": "O0000013", "force": ["ST-0004-Miami"] });
    let (status, answer) = server.post("/v1/explain", &body.to_string());
    assert_eq!(status, 200, "{answer}");
    let e = &answer["explanation"];
    assert_eq!(e["order"], "O0000013");
    assert_eq!(e["what_ifs"][0]["kind"], "force");
    assert_eq!(e["what_ifs"][0]["packages"][0]["node"], "ST-0004-Miami");
    assert!(e["what_ifs"][0]["difference"].as_f64().unwrap() > 0.0);
    assert!(
        answer["sentences"]
            .as_str()
            .unwrap()
            .starts_with("Order O0000013 ships")
    );
    // Every unknown id, with its code, 422.
    let bad = json!({ "plan": plan, "order": "NOPE", "forbid": ["NOWHERE"] });
    let (status, answer) = server.post("/v1/explain", &bad.to_string());
    assert_eq!(status, 422, "{answer}");
    let codes = issue_codes(&answer);
    assert_eq!(codes, ["E180", "E181"], "{answer}");
    let (status, _) = server.post("/v1/explain", r#"{"plan": 3, "order": "O0000013"}"#);
    assert_eq!(status, 400);
    server.stop();
    let bare = Server::start();
    let (status, answer) = bare.post("/v1/explain", &body.to_string());
    assert_eq!((status, answer["code"].as_str()), (503, Some("E152")));
    bare.stop();
}

#[test]
fn a_re_plan_committed_over_http_reserves_the_new_packages_in_the_servers_ledger() {
    const AT: &str = "2026-12-14T08:00";
    let bin = env!("CARGO_BIN_EXE_domopt");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("ledger.db").display());
    let wave = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/reroute/wave");
    let plan_dir = dir.path().join("plan");
    for args in [
        vec![
            "ledger",
            "init",
            &url,
            "--scenario",
            wave.to_str().unwrap(),
            "--at",
            AT,
        ],
        vec![
            "solve",
            wave.to_str().unwrap(),
            "--ledger",
            &url,
            "--commit",
            "--at",
            AT,
            "--out",
            plan_dir.to_str().unwrap(),
        ],
    ] {
        let out = std::process::Command::new(bin)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let plan = domopt::Plan::read(&plan_dir).unwrap();
    let clock = chrono::NaiveDateTime::parse_from_str(AT, "%Y-%m-%dT%H:%M").unwrap();
    let ledger: std::sync::Arc<dyn domopt::reservations::Ledger> = std::sync::Arc::from(
        domopt::reservations::open(
            &url,
            std::sync::Arc::new(domopt::reservations::FixedClock::new(clock)),
        )
        .unwrap(),
    );
    let (s, source) = reroute_source();
    let server = Server::start_with(move || domopt::http::router_with_ledger(s, ledger, source));
    let events = outage_events();
    let body = json!({ "plan": plan, "events": events, "commit": true }).to_string();
    let (status, answer) = server.post("/v1/reroute", &body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["check"]["violations"], json!([]), "{answer}");
    let reserved = answer["committed"]["reserved"].as_array().unwrap();
    assert!(!reserved.is_empty(), "{answer}");
    assert!(
        reserved
            .iter()
            .all(|id| id.as_str().unwrap().starts_with("reroute-"))
    );
    let (status, report) = server.get("/v1/ledger/verify");
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["ok"], true, "{report}");
    server.stop();
    // Without a ledger, a commit is refused and nothing is re-planned.
    let (plan, bare) = reroute_server();
    let body = json!({ "plan": plan, "events": events, "commit": true }).to_string();
    let (status, answer) = bare.post("/v1/reroute", &body);
    assert_eq!(
        (status, answer["code"].as_str()),
        (503, Some("E147")),
        "{answer}"
    );
    bare.stop();
}
