//! `POST /v1/solve`: a wave of orders sourced on the ledger's stock and,
//! with `commit`, committed to it as node-level reservations in one
//! transaction (see `ledger::wave`). The network, cost model and overrides
//! are the server's; the orders come with the request. One wave is solved
//! at a time per server (a solve takes the cores); servers sharing a ledger
//! are kept apart by the commit's guard, which refuses a wave whose stock
//! changed after it was read and solves it again.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;

use super::AppState;
use super::errors::ApiError;
use super::routes::json_of;
use super::wire::{RerouteBody, RerouteOut, SolveBody, SolveOut, WaveCommitOut};
use crate::error::{DomoptError, IssueCode};
use crate::input::cost_model::CostModel;
use crate::input::format::{LoadedScenario, PolicyOverrides};
use crate::input::settings::{Settings, Strategy};
use crate::ledger::wave::{WaveError, WaveInput, WaveOptions, solve_from_ledger};
use crate::reroute::{Mode, reroute_with};
use crate::solution::plan::Plan;

/// The longest time limit a request may ask for, in seconds.
pub const MAX_SOLVE_SECONDS: f64 = 60.0;

/// What a server solves waves with: the scenario as loaded (its network;
/// its own orders are replaced by each request's), the cost model and the
/// run's policy overrides.
pub struct WaveSource {
    /// The scenario file, as read.
    pub loaded: LoadedScenario,
    /// The cost model.
    pub model: CostModel,
    /// Policy overrides (`--set`).
    pub overrides: PolicyOverrides,
}

/// The wave source and the lock that keeps solves one at a time.
pub(crate) struct Waves {
    source: WaveSource,
    one_at_a_time: Arc<tokio::sync::Mutex<()>>,
}

impl Waves {
    pub(crate) fn new(source: WaveSource) -> Waves {
        Waves {
            source,
            one_at_a_time: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// What the server solves with.
    pub(super) fn source(&self) -> &WaveSource {
        &self.source
    }

    /// Waits for the solve lock: one solve at a time per server.
    pub(super) async fn lock(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.one_at_a_time.clone().lock_owned().await
    }
}

/// A request's `plan` (400, E100, if it is not one).
pub(super) fn plan_of(value: serde_json::Value) -> Result<Plan, ApiError> {
    serde_json::from_value(value).map_err(|e| {
        ApiError::with_status(
            IssueCode::Malformed.to_string(),
            format!("`plan` is not a plan: {e}"),
            StatusCode::BAD_REQUEST,
        )
    })
}

/// The answer of a route that solves on the scenario's records to a router
/// made without them (503, E152).
pub(super) fn without_records() -> ApiError {
    ApiError::with_status(
        IssueCode::ServerFailure.to_string(),
        "the server was made without the scenario's records (router_with_source)".into(),
        StatusCode::SERVICE_UNAVAILABLE,
    )
}

/// Solves the request's wave on the ledger's stock; commits it if asked.
pub(super) async fn solve(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<SolveOut>, ApiError> {
    let (Some(ledger), Some(waves)) = (state.ledger.clone(), state.waves.clone()) else {
        return Err(ApiError::no_ledger());
    };
    let body: SolveBody = json_of(body)?;
    let (settings, strategy) = run_of(&body)?;
    // Held by the blocking task: a solve whose client went away still
    // keeps the next one waiting until it ends.
    let one = waves.one_at_a_time.clone().lock_owned().await;
    let answer = tokio::task::spawn_blocking(move || {
        let _one = one;
        let mut loaded = waves.source.loaded.clone();
        loaded.file.orders = body.orders;
        loaded.orphan_lines.clear();
        let input = WaveInput {
            loaded: &loaded,
            model: &waves.source.model,
            overrides: &waves.source.overrides,
            settings: &settings,
            strategy,
        };
        let options = WaveOptions {
            commit: body.commit,
            retries: body.retries,
        };
        solve_from_ledger(ledger.as_ref(), input, options, &|line| {
            tracing::info!("{line}")
        })
    })
    .await
    .map_err(|e| ApiError::internal(format!("the solve failed: {e}")))?;
    let wave = answer.map_err(wave_error)?;
    Ok(Json(SolveOut {
        plan: serde_json::to_value(&wave.plan)
            .map_err(|e| ApiError::internal(format!("the plan does not serialise: {e}")))?,
        read_at: wave.read_at,
        attempts: wave.attempts,
        committed: wave.committed.map(|c| WaveCommitOut {
            released: c.released,
            assigned: c.assigned,
            reserved: c.reserved,
            seq: c.seq,
        }),
    }))
}

/// The solver settings and strategy of a request (422, E118 or E119, when
/// out of range or unknown).
fn run_of(body: &SolveBody) -> Result<(Settings, Strategy), ApiError> {
    let strategy = body
        .strategy
        .as_deref()
        .unwrap_or("auto")
        .parse::<Strategy>()
        .map_err(|e| ApiError::unprocessable(IssueCode::BadSetting, e.to_string()))?;
    Ok((settings_of(body.time_limit_s)?, strategy))
}

fn wave_error(e: WaveError) -> ApiError {
    match e {
        WaveError::Ledger(e) => ApiError::ledger(e),
        WaveError::Scenario(e) => domopt_error(e),
    }
}

/// 422 with every issue for invalid orders, 422 for a bad setting, 500 when
/// no plan could be made.
pub(super) fn domopt_error(e: DomoptError) -> ApiError {
    match e {
        DomoptError::Invalid(report) => ApiError::invalid(report),
        DomoptError::NoPlan(why) => ApiError::internal(format!("no plan could be made: {why}")),
        other => {
            let code = other.code().unwrap_or(IssueCode::Malformed);
            ApiError::unprocessable(code, other.to_string())
        }
    }
}

impl ApiError {
    /// A request that cannot be right: 422 with `code`.
    fn unprocessable(code: IssueCode, error: String) -> ApiError {
        ApiError::with_status(code.to_string(), error, StatusCode::UNPROCESSABLE_ENTITY)
    }
}

/// Re-makes the request's plan after its events (see `reroute`), on the
/// server's scenario, cost model and overrides. One solve at a time, with
/// the waves.
pub(super) async fn reroute(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<RerouteOut>, ApiError> {
    let Some(waves) = state.waves.clone() else {
        return Err(without_records());
    };
    let body: RerouteBody = json_of(body)?;
    let settings = settings_of(body.time_limit_s)?;
    let previous = plan_of(body.plan)?;
    let ledger = match (body.commit, state.ledger.clone()) {
        (false, _) => None,
        (true, Some(l)) => Some(l),
        (true, None) => return Err(ApiError::no_ledger()),
    };
    let one = waves.one_at_a_time.clone().lock_owned().await;
    let answer = tokio::task::spawn_blocking(move || {
        let _one = one;
        let src = &waves.source;
        let mode = if body.one_at_a_time {
            Mode::OneAtATime
        } else {
            Mode::Joint
        };
        let r = reroute_with(
            &src.loaded,
            &src.model,
            &src.overrides,
            &previous,
            &body.events,
            &settings,
            mode,
        )?;
        let check = r.check(&previous, &src.model, &src.overrides)?;
        // A plan the checker refuses is not committed.
        let committed = ledger
            .filter(|_| check.ok())
            .map(|l| crate::reroute::commit(l.as_ref(), &r, &previous, &src.model, &src.overrides));
        Ok::<_, DomoptError>((r, check, committed))
    })
    .await
    .map_err(|e| ApiError::internal(format!("the re-plan failed: {e}")))?;
    let (r, check, committed) = answer.map_err(domopt_error)?;
    let committed = committed.transpose().map_err(wave_error)?;
    let value = |v: Result<serde_json::Value, serde_json::Error>| {
        v.map_err(|e| ApiError::internal(format!("the answer does not serialise: {e}")))
    };
    Ok(Json(RerouteOut {
        plan: value(serde_json::to_value(&r.plan))?,
        orders: value(serde_json::to_value(&r.orders))?,
        summary: value(serde_json::to_value(&r.summary))?,
        check: value(serde_json::to_value(&check))?,
        committed: committed.map(|c| WaveCommitOut {
            released: c.released,
            assigned: c.assigned,
            reserved: c.reserved,
            seq: c.seq,
        }),
    }))
}

/// The settings of a request's time limit (422, E120, out of range).
pub(super) fn settings_of(time_limit_s: f64) -> Result<Settings, ApiError> {
    let settings = Settings {
        time_limit_s,
        ..Settings::default()
    };
    if time_limit_s > MAX_SOLVE_SECONDS {
        return Err(ApiError::unprocessable(
            IssueCode::BadSetting,
            format!("time_limit_s {time_limit_s}: at most {MAX_SOLVE_SECONDS} seconds over HTTP"),
        ));
    }
    settings.validate().map_err(domopt_error)?;
    Ok(settings)
}
