//! The routes: health and readiness, the checkout promise, availability,
//! metrics and the OpenAPI document.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::errors::ApiError;
use super::wire::{Health, PromiseRequest, Readiness};
use super::{AppState, MAX_BODY_BYTES, explain, ledger, metrics, solve};
use crate::input::cart::{AtpQueryRecord, CartRecord};
use crate::promise::atp::{SkuAtp, query};
use crate::promise::quote::Promise;

/// The router with its layers: body limit, metrics, request logs.
pub(super) fn router(state: Arc<AppState>) -> axum::Router {
    axum::Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/v1/promise", post(promise))
        .route("/v1/availability", post(availability))
        .route("/v1/holds", post(ledger::holds))
        .route("/v1/reservations", post(ledger::reservations))
        .route("/v1/assignments", post(ledger::assignments))
        .route("/v1/releases", post(ledger::releases))
        .route("/v1/commits", post(ledger::commits))
        .route("/v1/receipts", post(ledger::receipts))
        .route("/v1/adjustments", post(ledger::adjustments))
        .route("/v1/claims/{id}", get(ledger::claim))
        .route("/v1/ledger/availability", get(ledger::availability))
        .route("/v1/ledger/verify", get(ledger::verify))
        .route("/v1/solve", post(solve::solve))
        .route("/v1/reroute", post(solve::reroute))
        .route("/v1/explain", post(explain::explain_order))
        .route("/metrics", get(prometheus))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// The process is up.
async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Ready when the scenario is loaded (always, once the router exists) and
/// the ledger, if any, answers; 503 with E147 when it fails or does not
/// answer within `ledger::READY_PROBE` (1.5 s).
async fn ready(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Readiness>) {
    let (status, ledger, failure) = match &state.ledger {
        None => (StatusCode::OK, "none", None),
        Some(_) => match ledger::answers(&state).await {
            Ok(()) => (StatusCode::OK, "ok", None),
            Err(e) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", Some(e)),
        },
    };
    let view = state.live.view();
    let s = view.promiser().availability().scenario();
    let readiness = Readiness {
        status: if status == StatusCode::OK {
            "ready"
        } else {
            "not_ready"
        },
        ledger,
        code: failure.as_ref().map(|e| e.code.clone()),
        error: failure.map(|e| e.error),
        scenario: s.name.clone(),
        nodes: s.nodes.len(),
        skus: s.skus.len(),
        services: s.services.len(),
    };
    (status, Json(readiness))
}

/// Every service's option for each cart (422 with every issue of every
/// cart when one is invalid; nothing is quoted then).
async fn promise(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Vec<Promise>>, ApiError> {
    let value: serde_json::Value = json_of(body)?;
    let records = carts_of(value)?;
    let view = state.live.view();
    let answer = tokio::task::spawn_blocking(move || {
        let promiser = view.promiser();
        let carts = promiser.validator().carts(&records)?;
        Ok(carts.iter().map(|c| promiser.quote(c)).collect())
    })
    .await
    .expect("a quote does not panic");
    answer.map(Json).map_err(ApiError::invalid)
}

/// A body read as JSON of type `T`, whatever its content type says (`curl
/// -d` sends form encoding): 413 (E117) over the size limit, 400 (E100) when
/// it is not `T`.
pub(super) fn json_of<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let bytes = body.map_err(ApiError::body)?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::malformed(e.to_string()))
}

/// The carts of a body: one cart, or `{"carts": [...]}` (deny unknown
/// fields in both, as the cart file does).
fn carts_of(value: serde_json::Value) -> Result<Vec<CartRecord>, ApiError> {
    // Told apart by the `carts` key rather than by trying both shapes, so
    // that an error names what is wrong with the shape that was meant.
    let parsed = if value.get("carts").is_some() {
        serde_json::from_value(value).map(PromiseRequest::Many)
    } else {
        serde_json::from_value(value).map(PromiseRequest::One)
    };
    match parsed.map_err(|e| ApiError::malformed(e.to_string()))? {
        PromiseRequest::Many(file) => Ok(file.carts),
        PromiseRequest::One(cart) => Ok(vec![cart]),
    }
}

/// Availability of SKUs per node and over the network, for a date and a
/// channel.
async fn availability(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Vec<SkuAtp>>, ApiError> {
    let record: AtpQueryRecord = json_of(body)?;
    let view = state.live.view();
    let promiser = view.promiser();
    let q = promiser
        .validator()
        .query(&record)
        .map_err(ApiError::invalid)?;
    Ok(Json(query(promiser.availability(), &q)))
}

/// The metrics, in the Prometheus text format.
async fn prometheus() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics::handle().render(),
    )
        .into_response()
}

/// The OpenAPI document of these routes.
async fn openapi() -> Json<serde_json::Value> {
    Json(super::openapi::document())
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(uri.path())
}

async fn method_not_allowed(method: axum::http::Method, uri: Uri) -> ApiError {
    ApiError::with_status(
        crate::error::IssueCode::Malformed.to_string(),
        format!("{method} is not a method of {}", uri.path()),
        StatusCode::METHOD_NOT_ALLOWED,
    )
}
