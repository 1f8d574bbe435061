//! Fixtures the reservation-ledger tests share (tests/ledger.rs,
//! tests/ledger_edges.rs, tests/serve_ledger.rs): the scarce two-DC
//! scenario, a ledger made from a scenario text, a `domopt serve` process
//! on loopback and its HTTP answers. Each test file takes what it needs, so
//! the rest is dead code there.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use domopt::reservations::{Clock, Ledger};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

/// Two DCs: `last` has 2 + 2 units free (dc-a keeps 1 of its 3 as safety
/// stock), `one` a single unit at dc-b, and `plenty` at dc-a with the
/// inventory fields `plenty` gives it (`"on_hand": 100000`, say).
pub fn scarce(plenty: &str) -> String {
    format!(
        r#"{{
  "name": "scarce",
  "wave_time": "2026-12-18T10:00",
  "nodes": [
    {{ "id": "dc-a", "kind": "dc", "zip": "07102", "services": [{{ "service": "ground" }}] }},
    {{ "id": "dc-b", "kind": "dc", "zip": "89502", "services": [{{ "service": "ground" }}] }}
  ],
  "skus": [
    {{ "id": "last", "weight_lb": 1.0 }},
    {{ "id": "one", "weight_lb": 1.0 }},
    {{ "id": "plenty", "weight_lb": 1.0 }}
  ],
  "inventory": [
    {{ "node": "dc-a", "sku": "last", "on_hand": 3, "safety_stock": 1 }},
    {{ "node": "dc-b", "sku": "last", "on_hand": 2 }},
    {{ "node": "dc-b", "sku": "one", "on_hand": 1 }},
    {{ "node": "dc-a", "sku": "plenty", {plenty} }}
  ]
}}"#
    )
}

/// `scenario` (JSON text) written to `dir/scenario.json` and a ledger made
/// from it at `url` on `clock`: the scenario's path and the ledger.
pub fn create(
    dir: &Path,
    scenario: &str,
    url: &str,
    clock: Arc<dyn Clock>,
) -> (PathBuf, Box<dyn Ledger>) {
    let path = dir.join("scenario.json");
    std::fs::write(&path, scenario).unwrap();
    let loaded = domopt::format::read_scenario(&path).unwrap();
    let ledger = domopt::reservations::create(url, &loaded, domopt::DEFAULT_MODEL, clock).unwrap();
    (path, ledger)
}

/// [`create`] on the system clock, for tests that drive the ledger through
/// the binary: the scenario's path as text.
pub fn create_on_system_clock(dir: &Path, scenario: &str, url: &str) -> String {
    let clock = Arc::new(domopt::reservations::SystemClock);
    create(dir, scenario, url, clock).0.display().to_string()
}

/// The JSON a `--json` command printed on stdout.
pub fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A `domopt serve` process on a free loopback port; killed (SIGKILL) when
/// dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `domopt serve SCENARIO --listen 127.0.0.1:0` with `extra`
    /// arguments, and waits (at most 30 s) for the address it logs.
    pub fn start(scenario: &str, extra: &[&str]) -> Server {
        let mut args = vec!["serve", scenario, "--listen", "127.0.0.1:0"];
        args.extend(extra);
        let mut child = Command::new(BIN)
            .args(&args)
            .env("RUST_LOG", "warn,domopt=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the log to its end, so that the server never blocks on a
        // full pipe; sends the address once.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("address=").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server logs its address");
        Server {
            child,
            addr: addr.parse().unwrap(),
        }
    }

    /// The server's URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// (status, body as JSON or as a string).
    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_text(path, &body.to_string(), None)
    }

    /// A POST of `body` as written, with an idempotency key if any.
    pub fn post_text(&self, path: &str, body: &str, key: Option<&str>) -> (u16, Value) {
        let mut req = agent()
            .post(&self.url(path))
            .header("content-type", "application/json");
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        answer(req.send(body))
    }

    /// (status, body as JSON or as a string).
    pub fn get(&self, path: &str) -> (u16, Value) {
        answer(agent().get(&self.url(path)).call())
    }

    /// SIGKILL, no chance to finish anything.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// The process, to signal it otherwise and wait for it.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that reads every status as an answer, bounded in time.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// (status, body as JSON or as a string) of a response.
pub fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    let mut r = r.expect("an answer");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}
