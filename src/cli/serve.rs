//! `domopt serve`: the promise and availability of a scenario over HTTP.

use std::net::SocketAddr;
use std::process::ExitCode;

use std::sync::Arc;

use domopt::reservations::SystemClock;

use super::common::{ScenarioArgs, report_error};
use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK};

/// Serve the checkout promise, stock available to promise and, with
/// --ledger, the reservation ledger over HTTP.
///
/// Loads and validates the scenario once, then answers on loopback by
/// default (the address is logged: `listening address=...`, so that
/// --listen 127.0.0.1:0 takes a free port):
///   POST /v1/promise        one cart or {"carts": [...]}, as `domopt promise`
///   POST /v1/availability   {"skus": [...], "date", "channel", "market"}, as `domopt atp`
///   GET  /health, GET /ready (503 E147 when the ledger fails or does not answer within 1.5 s)
///   GET  /metrics (Prometheus text), GET /openapi.json
/// With --ledger URL (a path, sqlite:PATH or postgres://..., made by `domopt ledger init`):
///   POST /v1/holds          {"id", "ttl_seconds", "lines": [{"sku", "node"?, "quantity"}], "order"?, "channel"?}
///   POST /v1/reservations   {"id", "lines", "order"?, "channel"?, "from_hold"?}
///   POST /v1/assignments    {"id", "order", "lines": [{"sku", "node", "quantity"}]}
///   POST /v1/releases       {"id", "claim"}
///   POST /v1/commits        {"id", "claim"}
///   POST /v1/receipts       {"id", "node", "sku", "units"}
///   POST /v1/adjustments    {"id", "node", "sku", "set" | "delta"}
///   GET  /v1/claims/{id}
///   GET  /v1/ledger/availability?sku=SKU&channel=CHANNEL
///   GET  /v1/ledger/verify
///   POST /v1/solve          {"orders": [...as in a scenario file], "commit"?, "retries"?, "strategy"?, "time_limit_s"?}
///                           a wave sourced on the ledger's stock and, with "commit", committed
///                           as node-level reservations (as `solve --ledger --commit`); one at a time
///   POST /v1/reroute        {"plan": {...as `solve --json` prints}, "events": {...}, "one_at_a_time"?, "commit"?, "time_limit_s"?}
///                           the plan re-made after the events, as `domopt reroute --json` (no ledger
///                           needed); "commit" writes it to the ledger as `reroute --ledger --commit`
///   POST /v1/explain        {"plan": {...}, "order": "O1", "force"?: ["NODE"], "forbid"?: ["NODE"], "whole_wave"?, "time_limit_s"?}
///                           why the plan ships the order as it does, as `domopt explain --json`
/// A change's `id` makes it idempotent (or an Idempotency-Key header): the
/// same id and body answer the first answer again ("replayed": true). Ids
/// starting with `wave-`, `reroute-` or `initial:` are the ledger's own (a wave's
/// reservations, `ledger init`'s): a client's is refused, 400 E100. A
/// request waits at most --store-timeout seconds for the ledger's write
/// lock or a connection, then gets 503 E147.
/// Without --ledger these routes answer 503 (E147). With it, /v1/promise
/// and /v1/availability read the scenario with the ledger's free stock (on
/// hand less safety, held and reserved units; network-level claims off the
/// nodes that ship to customers, largest first), refreshed in the
/// background when the ledger's version changed (checked every 200 ms, or
/// twice the last rebuild's time): requests never wait for it.
///
/// Errors are JSON with a stable code: 400 E100 for a body that is not the
/// route's JSON, 413 E117 over 1 MiB, 422 with every issue of an invalid
/// cart or query; ledger refusals: 409 E140 (with "available"), E142, E144,
/// 404 E141, 410 E143, 422 E145 (quantity not a whole number in range),
/// E102, E128, E146, 503 E147. Logs are structured (tracing; RUST_LOG sets
/// the level, --log-json for JSON lines). SIGINT or SIGTERM stops
/// accepting connections and lets the requests in flight, ledger writes
/// included, finish. The OpenAPI document: `domopt schema --openapi`.
///
/// Examples:
///   domopt serve datasets/promise/network.json --listen 127.0.0.1:8080
///   curl -s localhost:8080/v1/promise -d @datasets/promise/carts.json
///   domopt ledger init target/ledger.db --scenario datasets/promise/network.json
///   domopt serve datasets/promise/network.json --ledger target/ledger.db
///   curl -s localhost:8080/v1/reservations -d '{"id": "order-1", "lines": [{"sku": "jacket", "quantity": 2}]}'
///   curl -s localhost:8080/v1/commits -d '{"id": "ship-1", "claim": "order-1"}'
///   curl -s 'localhost:8080/v1/ledger/availability?sku=jacket'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Log JSON lines instead of text.
    #[arg(long)]
    log_json: bool,
    /// The reservation ledger to serve (made by `domopt ledger init`): a
    /// path or sqlite:PATH, or postgres://user:password@host:port/database,
    /// which several servers may share. Without it the ledger routes answer
    /// 503 (E147).
    #[arg(long, value_name = "URL")]
    ledger: Option<String>,
    /// How long a request waits for the ledger's write lock, a connection
    /// of the pool or a new connection, in seconds (more than 0, at most
    /// 3600; default 5); then it is refused with 503 (E147).
    #[arg(
        long,
        value_name = "SECS",
        requires = "ledger",
        allow_hyphen_values = true
    )]
    store_timeout: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    init_logs(a.log_json);
    let store = match super::common::store_options(a.store_timeout.as_deref()) {
        Ok(o) => o,
        Err(e) => return Ok(report_error(&e, false)),
    };
    let scenario = match a.scenario.load(false) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let name = scenario.name.clone();
    // The scenario validated above: reading it again cannot fail but for a
    // file changed meanwhile.
    let inputs = match a.scenario.inputs() {
        Ok(i) => i,
        Err(e) => return Ok(report_error(&e, false)),
    };
    let source = domopt::http::WaveSource {
        loaded: inputs.loaded,
        model: inputs.model,
        overrides: inputs.overrides,
    };
    let router = match &a.ledger {
        None => domopt::http::router_with_source(scenario, source),
        Some(url) => match domopt::reservations::open_with(url, Arc::new(SystemClock), store) {
            Ok(l) => {
                let nodes: Vec<&str> = scenario.nodes.iter().map(|n| n.id.as_str()).collect();
                let skus: Vec<&str> = scenario.skus.iter().map(|k| k.id.as_str()).collect();
                if let Err(e) = domopt::reservations::same_network(l.base(), &nodes, &skus) {
                    eprintln!("error[{}]: {e}", e.code());
                    return Ok(ExitCode::from(EXIT_INVALID));
                }
                domopt::http::router_with_ledger(scenario, Arc::from(l), source)
            }
            Err(e) => {
                eprintln!("error[{}]: {e}", e.code());
                let bad_url = e.code() == domopt::IssueCode::BadLedgerUrl;
                return Ok(ExitCode::from(if bad_url {
                    EXIT_INVALID
                } else {
                    EXIT_FAILURE
                }));
            }
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.listen).await?;
        let stop = stop_signal()?;
        tracing::info!(address = %listener.local_addr()?, scenario = %name, "listening");
        domopt::http::serve(listener, router, stop).await?;
        anyhow::Ok(())
    })?;
    // Dropping the runtime waits for the ledger calls still running on its
    // blocking pool (a write whose client went away): none is cut short.
    drop(runtime);
    tracing::info!("stopped");
    Ok(ExitCode::from(EXIT_OK))
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Completes on SIGINT or SIGTERM. The handlers are installed now, before
/// the server says it listens, so that a signal sent as soon as it does
/// stops it gracefully rather than killing it.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}
