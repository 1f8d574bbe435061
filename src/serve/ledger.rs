//! The reservation ledger's routes: holds, reservations, assignments,
//! releases, commits, receipts and adjustments (POST), a claim, the
//! ledger's availability of a SKU and its verification (GET). Every ledger
//! call blocks (a database transaction), so it runs on tokio's blocking
//! pool; the runtime waits for those calls before the process ends, so a
//! write in flight at shutdown is finished, never cut.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;

use super::errors::ApiError;
use super::routes::json_of;
use super::wire::{
    BodyError, ChangeBody, ClaimOut, LedgerAnswer, LedgerAvailabilityOut, LedgerQuery, VerifyOut,
};
use super::{AppState, metrics};
use crate::ledger::{Ledger, LedgerError};

/// Runs `call` on the ledger in the blocking pool: 503 (E147) when the
/// server has none.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    call: impl FnOnce(&dyn Ledger) -> Result<T, LedgerError> + Send + 'static,
) -> Result<T, ApiError> {
    let ledger = state.ledger.clone().ok_or_else(ApiError::no_ledger)?;
    tokio::task::spawn_blocking(move || call(ledger.as_ref()))
        .await
        .map_err(|e| ApiError::ledger(LedgerError::Store(format!("the ledger call failed: {e}"))))?
        .map_err(ApiError::ledger)
}

/// Counts the answer of a ledger route by outcome: `granted` (a change) or
/// `ok` (a read), `replayed`, or the refusal's code.
fn counted<T>(
    route: &'static str,
    r: Result<T, ApiError>,
    replayed: impl Fn(&T) -> bool,
) -> Result<T, ApiError> {
    let ok = if route.starts_with("/v1/ledger") || route.starts_with("/v1/claims") {
        "ok"
    } else {
        "granted"
    };
    let outcome = match &r {
        Ok(t) if replayed(t) => "replayed".to_string(),
        Ok(_) => ok.to_string(),
        Err(e) => e.code.clone(),
    };
    metrics::ledger_outcome(route, outcome);
    r
}

/// The `Idempotency-Key` header, if any and readable.
fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A change: its body read as `B`, made a request and executed.
async fn change<B: ChangeBody>(
    route: &'static str,
    state: Arc<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<LedgerAnswer>, ApiError> {
    let answer = async {
        // Without a ledger nothing else matters: say so before reading.
        if state.ledger.is_none() {
            return Err(ApiError::no_ledger());
        }
        let b: B = json_of(body)?;
        let request = b.request(idempotency_key(&headers)).map_err(|e| match e {
            BodyError::Id(why) => ApiError::malformed(why),
            BodyError::Ledger(e) => ApiError::ledger(e),
        })?;
        blocking(&state, move |l| l.execute(&request)).await
    }
    .await;
    counted(route, answer.map(LedgerAnswer::from), |a| a.replayed).map(Json)
}

macro_rules! change_route {
    ($name:ident, $body:ty, $route:literal) => {
        #[doc = concat!("`POST ", $route, "`.")]
        pub(super) async fn $name(
            State(state): State<Arc<AppState>>,
            headers: HeaderMap,
            body: Result<Bytes, BytesRejection>,
        ) -> Result<Json<LedgerAnswer>, ApiError> {
            change::<$body>($route, state, headers, body).await
        }
    };
}

change_route!(holds, super::wire::HoldBody, "/v1/holds");
change_route!(
    reservations,
    super::wire::ReservationBody,
    "/v1/reservations"
);
change_route!(assignments, super::wire::AssignmentBody, "/v1/assignments");
change_route!(releases, super::wire::ReleaseBody, "/v1/releases");
change_route!(commits, super::wire::CommitBody, "/v1/commits");
change_route!(receipts, super::wire::ReceiptBody, "/v1/receipts");
change_route!(adjustments, super::wire::AdjustmentBody, "/v1/adjustments");

/// `GET /v1/claims/{id}`: a hold or reservation, 404 (E141) if never made.
pub(super) async fn claim(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<ClaimOut>, ApiError> {
    let found = blocking(&state, move |l| {
        l.claim(&id)?.ok_or(LedgerError::UnknownClaim(id))
    })
    .await;
    counted("/v1/claims/{id}", found, |_| false).map(|c| Json(c.into()))
}

/// `GET /v1/ledger/availability?sku=..&channel=..`.
pub(super) async fn availability(
    State(state): State<Arc<AppState>>,
    query: Result<Query<LedgerQuery>, QueryRejection>,
) -> Result<Json<LedgerAvailabilityOut>, ApiError> {
    let answer = async {
        let Query(q) = query.map_err(|e| ApiError::malformed(e.body_text()))?;
        blocking(&state, move |l| {
            l.availability(&q.sku, q.channel.as_deref(), None)
        })
        .await
    }
    .await;
    counted("/v1/ledger/availability", answer, |_| false).map(|a| Json(a.into()))
}

/// `GET /v1/ledger/verify`: the history replayed and compared with the
/// stored state (200 either way; `ok` says whether they agree).
pub(super) async fn verify(
    State(state): State<Arc<AppState>>,
) -> Result<Json<VerifyOut>, ApiError> {
    let report = blocking(&state, |l| l.verify()).await;
    counted("/v1/ledger/verify", report, |_| false).map(|r| Json(r.into()))
}

/// How long `/ready` waits for the ledger's answer: a database that does
/// not answer makes the server not ready within this, whatever the store
/// timeout.
pub const READY_PROBE: std::time::Duration = std::time::Duration::from_millis(1500);

/// Whether the ledger answers: one read of its version, within
/// [`READY_PROBE`]. One probe at a time: while one is still waiting for the
/// ledger (a database that stopped answering holds it), the next ones
/// answer at once that it has not, rather than tying up a thread each.
pub(super) async fn answers(state: &AppState) -> Result<(), ApiError> {
    let ledger = state.ledger.clone().ok_or_else(ApiError::no_ledger)?;
    let unanswered = |why: String| ApiError::ledger(LedgerError::Store(why));
    if state.probing.swap(true, Ordering::SeqCst) {
        return Err(unanswered(
            "the ledger has not answered the previous readiness probe yet".into(),
        ));
    }
    let done = ProbeDone(state.probing.clone());
    let call = tokio::task::spawn_blocking(move || {
        let _done = done;
        ledger.version()
    });
    match tokio::time::timeout(READY_PROBE, call).await {
        Err(_) => Err(unanswered(format!(
            "the ledger did not answer within {} s",
            READY_PROBE.as_secs_f64()
        ))),
        Ok(Err(e)) => Err(unanswered(format!("the ledger call failed: {e}"))),
        Ok(Ok(version)) => version.map(|_| ()).map_err(ApiError::ledger),
    }
}

/// Clears the probe-running flag when the probe's call ends, however it
/// ends (an answer, an error, a panic), even after `/ready` stopped waiting.
struct ProbeDone(Arc<std::sync::atomic::AtomicBool>);

impl Drop for ProbeDone {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}
