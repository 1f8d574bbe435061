//! `POST /v1/explain`: why a plan of the server's scenario ships an order
//! as it does (see `explain`). Its what-ifs solve MIPs, so it takes the
//! solve lock like `/v1/solve` and `/v1/reroute`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;

use super::AppState;
use super::errors::ApiError;
use super::routes::json_of;
use super::solve::{domopt_error, plan_of, settings_of, without_records};
use super::wire::{ExplainBody, ExplainOut};
use crate::explain::{Request, explain};

/// Explains the request's order of its plan on the server's scenario.
pub(super) async fn explain_order(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ExplainOut>, ApiError> {
    let Some(waves) = state.waves.clone() else {
        return Err(without_records());
    };
    let body: ExplainBody = json_of(body)?;
    let settings = settings_of(body.time_limit_s)?;
    let plan = plan_of(body.plan)?;
    let request = Request {
        order: body.order,
        force: body.force,
        forbid: body.forbid,
        whole_wave: body.whole_wave,
    };
    let one = waves.lock().await;
    let answer = tokio::task::spawn_blocking(move || {
        let _one = one;
        let src = waves.source();
        explain(
            &src.loaded,
            &src.model,
            &src.overrides,
            &plan,
            &request,
            &settings,
        )
    })
    .await
    .map_err(|e| ApiError::internal(format!("the explanation failed: {e}")))?;
    let e = answer.map_err(domopt_error)?;
    let explanation = serde_json::to_value(&e)
        .map_err(|err| ApiError::internal(format!("the answer does not serialise: {err}")))?;
    Ok(Json(ExplainOut {
        explanation,
        sentences: e.to_string(),
    }))
}
