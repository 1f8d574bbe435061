//! The HTTP service (`domopt serve`, feature `serve`): the promise and
//! availability of one scenario over HTTP, with health and readiness, JSON
//! errors with stable codes, body and cart limits, structured logs,
//! Prometheus metrics and an OpenAPI document generated from the routes.
//! Graceful shutdown lets requests in flight finish.

mod errors;
mod explain;
mod ledger;
mod metrics;
mod openapi;
mod routes;
mod solve;
mod view;
mod wire;

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::ledger::Ledger;
use crate::network::domain::Scenario;

pub use openapi::document as openapi_document;

/// The largest request body accepted (a cart file of about ten thousand
/// one-line carts); larger bodies get 413 with code E117.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What every request reads: the scenario's promiser (with a ledger, a
/// live view of it: see [`view`]), and the reservation ledger if any.
pub(crate) struct AppState {
    live: view::Live,
    ledger: Option<Arc<dyn Ledger>>,
    waves: Option<Arc<solve::Waves>>,
    /// A readiness probe of the ledger is running (see `ledger::answers`).
    probing: Arc<std::sync::atomic::AtomicBool>,
}

pub use solve::{MAX_SOLVE_SECONDS, WaveSource};

pub use view::MAX_STALENESS;

/// The service's routes over `scenario`, without a ledger (its routes
/// answer 503, E147).
pub fn router(scenario: Scenario) -> axum::Router {
    build(scenario, None, None)
}

/// The service's routes over `scenario` and the reservation `ledger`
/// (`/v1/holds`, `/v1/reservations`, ...), and `/v1/solve` for waves of
/// orders on the network of `waves` (the scenario as loaded, with its cost
/// model and overrides). `/v1/promise` and `/v1/availability` then read the
/// scenario with the ledger's holds and reservations taken off its stock,
/// at most the check interval (from [`MAX_STALENESS`]) plus one refresh
/// old; requests never wait for a refresh.
pub fn router_with_ledger(
    scenario: Scenario,
    ledger: Arc<dyn Ledger>,
    waves: WaveSource,
) -> axum::Router {
    build(scenario, Some(waves), Some(ledger))
}

/// The service's routes over `scenario` without a ledger, with its records
/// (`source`: the scenario as loaded, its cost model and overrides), which
/// `/v1/reroute` re-plans on.
pub fn router_with_source(scenario: Scenario, source: WaveSource) -> axum::Router {
    build(scenario, Some(source), None)
}

fn build(
    scenario: Scenario,
    source: Option<WaveSource>,
    ledger: Option<Arc<dyn Ledger>>,
) -> axum::Router {
    // Installed before the first request, so that it counts every request.
    metrics::handle();
    if let Some(l) = &ledger {
        expire_every_second(Arc::downgrade(l));
    }
    let waves = source.map(|w| Arc::new(solve::Waves::new(w)));
    let live = match &ledger {
        None => view::Live::fixed(scenario),
        Some(l) => view::Live::over(scenario, l.clone()),
    };
    let state = Arc::new(AppState {
        live,
        ledger,
        waves,
        probing: Arc::default(),
    });
    routes::router(state)
}

/// Expires the ledger's holds past their time every second, so that reads
/// (availability, claims, the served view) stop counting them without
/// waiting for a write. A plain thread (the router may be made before any
/// runtime); it ends once the ledger is dropped.
fn expire_every_second(ledger: std::sync::Weak<dyn Ledger>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
            let Some(l) = ledger.upgrade() else {
                return;
            };
            if let Err(e) = l.expire() {
                tracing::warn!(error = %e, "expiring holds failed");
            }
        }
    });
}

/// Serves `router` on `listener` until `shutdown` completes, then stops
/// accepting connections and lets the requests in flight finish. A ledger
/// write whose client went away meanwhile keeps running on the blocking
/// pool: dropping the tokio runtime waits for it.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
