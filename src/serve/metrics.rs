//! Prometheus metrics: requests and their latency per route and status,
//! recorded through the `metrics` facade into one process-wide recorder and
//! rendered in the Prometheus text format at `/metrics`.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding program's):
        // then this one renders nothing, which is correct for it.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts each request and its duration, by route template and status.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let start = Instant::now();
    let response = next.run(req).await;
    let labels = [
        ("route", route),
        ("method", method),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("domopt_http_requests_total", &labels).increment(1);
    metrics::histogram!("domopt_http_request_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    response
}

/// Counts one answer of a ledger route by its outcome: `granted`,
/// `replayed`, or the refusal's code (`E140`, ...).
pub fn ledger_outcome(route: &'static str, outcome: String) {
    let labels = [("route", route.to_string()), ("outcome", outcome)];
    metrics::counter!("domopt_ledger_requests_total", &labels).increment(1);
}
