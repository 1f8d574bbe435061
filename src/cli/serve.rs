//! `domopt serve`: the promise and availability of a scenario over HTTP.

use std::net::SocketAddr;
use std::process::ExitCode;

use super::EXIT_OK;
use super::common::ScenarioArgs;

/// Serve the checkout promise and stock available to promise over HTTP.
///
/// Loads and validates the scenario once, then answers on loopback by
/// default: POST /v1/promise (one cart or {"carts": [...]}, as for
/// `domopt promise`), POST /v1/availability ({"skus": [...], "date",
/// "channel", "market"}, as for `domopt atp`), GET /health, GET /ready,
/// GET /metrics (Prometheus text), GET /openapi.json. Errors are JSON with
/// a stable code: 400 E100 for a body that is not the route's JSON, 413
/// E117 over 1 MiB, 422 with every issue of an invalid cart or query.
/// Logs are structured (tracing; RUST_LOG sets the level, --log-json for
/// JSON lines). SIGINT or SIGTERM stops accepting connections and lets the
/// requests in flight finish. Reservations (hold, reserve, commit) are not
/// served yet. The OpenAPI document: `domopt schema --openapi`.
///
/// Examples:
///   domopt serve datasets/promise/network.json --listen 127.0.0.1:8080
///   curl -s localhost:8080/v1/promise -d @datasets/promise/carts.json
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
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    init_logs(a.log_json);
    let scenario = match a.scenario.load(false) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.listen).await?;
        tracing::info!(address = %listener.local_addr()?, scenario = %scenario.name, "listening");
        domopt::http::serve(listener, domopt::http::router(scenario), stop_signal()).await?;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
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

/// Completes on SIGINT or SIGTERM.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("a SIGTERM handler can be installed");
    tokio::select! {
        _ = interrupt => {},
        _ = terminate.recv() => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
