//! The HTTP service (`domopt serve`, feature `serve`): the promise and
//! availability of one scenario over HTTP, with health and readiness, JSON
//! errors with stable codes, body and cart limits, structured logs,
//! Prometheus metrics and an OpenAPI document generated from the routes.
//! Graceful shutdown lets requests in flight finish.

mod errors;
mod ledger;
mod metrics;
mod openapi;
mod routes;
mod wire;

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::ledger::Ledger;
use crate::network::domain::Scenario;
use crate::promise::quote::Promiser;

pub use openapi::document as openapi_document;

/// The largest request body accepted (a cart file of about ten thousand
/// one-line carts); larger bodies get 413 with code E117.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What every request reads: the scenario's promiser, and the reservation
/// ledger if the server has one.
pub(crate) struct AppState {
    promiser: Promiser<'static>,
    ledger: Option<Arc<dyn Ledger>>,
}

/// The service's routes over `scenario`, without a ledger (its routes
/// answer 503, E147). The scenario lives as long as the process: the
/// promiser borrows it for every request.
pub fn router(scenario: Scenario) -> axum::Router {
    build(scenario, None)
}

/// The service's routes over `scenario` and the reservation `ledger`
/// (`/v1/holds`, `/v1/reservations`, ...).
pub fn router_with_ledger(scenario: Scenario, ledger: Arc<dyn Ledger>) -> axum::Router {
    build(scenario, Some(ledger))
}

fn build(scenario: Scenario, ledger: Option<Arc<dyn Ledger>>) -> axum::Router {
    // Installed before the first request, so that it counts every request.
    metrics::handle();
    let scenario: &'static Scenario = Box::leak(Box::new(scenario));
    let state = Arc::new(AppState {
        promiser: Promiser::new(scenario),
        ledger,
    });
    routes::router(state)
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
