//! The OpenAPI 3.1 document of the service, generated from the request and
//! response types (their JSON Schemas, from `schemars`) and the route list
//! below, which a test keeps in step with the router. `docs/openapi.json`
//! is this document, committed.

use schemars::{JsonSchema, schema_for};
use serde_json::{Map, Value, json};

use super::errors::ApiError;
use super::wire::{
    AdjustmentBody, AssignmentBody, ClaimOut, ClaimRefBody, ExplainBody, ExplainOut, Health,
    HoldBody, LedgerAnswer, LedgerAvailabilityOut, PromiseRequest, Readiness, ReceiptBody,
    RerouteBody, RerouteOut, ReservationBody, SolveBody, SolveOut, VerifyOut,
};
use crate::input::cart::AtpQueryRecord;
use crate::promise::atp::SkuAtp;
use crate::promise::quote::Promise;

/// One route as documented.
pub(super) struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    summary: &'static str,
    request: Option<&'static str>,
    /// The success answer's schema name (`None`: plain text).
    response: Option<&'static str>,
    /// The error statuses the route answers with an [`ApiError`], and when.
    errors: &'static [(&'static str, &'static str)],
    /// Its path or query parameters: (name, `path` or `query`, required,
    /// description).
    params: &'static [(&'static str, &'static str, bool, &'static str)],
}

/// The errors of a route reading a JSON body.
const BODY_ERRORS: &[(&str, &str)] = &[
    ("400", "the body is not JSON of the route's shape (E100)"),
    ("413", "the body is over 1 MiB (E117)"),
    ("422", "the content is invalid: every issue with its code"),
];

/// The errors of a ledger change.
const CHANGE_ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "the body is not JSON of the route's shape, has no request id, or its request id starts with `wave-`, `reroute-` or `initial:`, prefixes reserved for the ids the ledger makes itself (E100)",
    ),
    ("404", "the claim named was never made (E141)"),
    (
        "409",
        "not enough units are free (E140, with `available`), the claim is no longer active (E142), or the request id was used for other content (E144)",
    ),
    ("410", "the hold has expired (E143)"),
    ("413", "the body is over 1 MiB (E117)"),
    (
        "422",
        "a quantity is not a whole number in range (E145; `1.0` is the whole number 1), an unknown SKU or node (E102) or channel (E128), or the request does not fit the claim (E146)",
    ),
    (
        "503",
        "the server has no ledger, its store fails, or the write lock or a connection was not free within the store timeout (E147)",
    ),
];

/// The errors of a wave's solve.
const SOLVE_ERRORS: &[(&str, &str)] = &[
    ("400", "the body is not JSON of the route's shape (E100)"),
    (
        "409",
        "the stock changed before every commit tried (E150), or the ledger refused the plan's reservations (E140)",
    ),
    ("413", "the body is over 1 MiB (E117)"),
    (
        "422",
        "invalid orders (every issue with its code), a bad setting or strategy (E120), an order that already shipped (E146)",
    ),
    ("500", "no plan could be made (E152)"),
    ("503", "the server has no ledger, or its store fails (E147)"),
];

/// The errors of an explanation.
const EXPLAIN_ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "the body is not JSON of the route's shape, or `plan` is not a plan (E100)",
    ),
    ("413", "the body is over 1 MiB (E117)"),
    (
        "422",
        "an unknown order (E180) or what-if node (E181), a plan of another scenario (E182, E102), or a bad setting (E120), every issue with its code",
    ),
    (
        "503",
        "the server was made without the scenario's records (E152)",
    ),
];

/// The errors of a re-plan.
const REROUTE_ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "the body is not JSON of the route's shape, or `plan` is not a plan (E100)",
    ),
    ("413", "the body is over 1 MiB (E117)"),
    (
        "422",
        "invalid events (every issue with its code: E102, E110, E170-E174), a plan of another scenario, or a bad setting (E120)",
    ),
    (
        "409",
        "with `commit`: the ledger refused the new packages (E140) or the stock changed during the commit (E150); nothing written",
    ),
    ("500", "no plan could be made (E152)"),
    (
        "503",
        "the server was made without the scenario's records (E152), or `commit` on a server without a ledger or whose store fails (E147)",
    ),
];

/// The errors of a ledger read.
const READ_ERRORS: &[(&str, &str)] = &[
    ("400", "a query parameter is missing or malformed (E100)"),
    ("404", "the claim was never made (E141)"),
    ("422", "an unknown SKU (E102) or channel (E128)"),
    ("503", "the server has no ledger, or its store fails (E147)"),
];

/// A ledger change: a JSON body, the ledger's answer, its errors, and the
/// optional `Idempotency-Key` header.
const fn change(path: &'static str, summary: &'static str, request: &'static str) -> RouteDoc {
    RouteDoc {
        method: "post",
        path,
        summary,
        request: Some(request),
        response: Some("LedgerAnswer"),
        errors: CHANGE_ERRORS,
        params: &[(
            "Idempotency-Key",
            "header",
            false,
            "The request id when the body has no `id` (when both are given they must agree; ids starting with `wave-`, `reroute-` or `initial:` are refused, 400 E100). The same id with the same body gets the first answer again, with `replayed: true`; with another body 409 E144.",
        )],
    }
}

/// Every route of the router.
pub(super) const ROUTES: &[RouteDoc] = &[
    RouteDoc {
        method: "get",
        path: "/health",
        summary: "The process is up.",
        request: None,
        response: Some("Health"),
        errors: &[],
        params: &[],
    },
    RouteDoc {
        method: "get",
        path: "/ready",
        summary: "Ready to answer: the scenario is loaded and valid, and the ledger (if any) answers; 503 with the same body and `code` E147 when it fails or does not answer within 1.5 s.",
        request: None,
        response: Some("Readiness"),
        errors: &[],
        params: &[],
    },
    RouteDoc {
        method: "post",
        path: "/v1/promise",
        summary: "Every service's option for each cart: earliest delivery, cost, nodes, complete or split, or why not. 422 with every issue of every cart when one is invalid (nothing is quoted); 400 for a body that is not a cart; 413 over 1 MiB.",
        request: Some("PromiseRequest"),
        response: Some("Promises"),
        errors: BODY_ERRORS,
        params: &[],
    },
    RouteDoc {
        method: "post",
        path: "/v1/availability",
        summary: "Stock available to promise of SKUs per node and over the network, for a date and a channel.",
        request: Some("AtpQueryRecord"),
        response: Some("Availabilities"),
        errors: BODY_ERRORS,
        params: &[],
    },
    change(
        "/v1/holds",
        "A cart's soft hold of units for `ttl_seconds` (its id names the hold), granted in full or refused with what is available.",
        "HoldBody",
    ),
    change(
        "/v1/reservations",
        "An order's hard reservation (its id names it), network level or at nodes, optionally replacing a live hold of the cart.",
        "ReservationBody",
    ),
    change(
        "/v1/assignments",
        "An order's network-level reservations become node-level ones, all or nothing.",
        "AssignmentBody",
    ),
    change(
        "/v1/releases",
        "A hold or reservation given back.",
        "ClaimRefBody",
    ),
    change(
        "/v1/commits",
        "A node-level reservation shipped: its units leave on hand.",
        "ClaimRefBody",
    ),
    change(
        "/v1/receipts",
        "Units arrive at a node (counted first against its inbound).",
        "ReceiptBody",
    ),
    change(
        "/v1/adjustments",
        "A cycle count: on hand set (`set`) or moved (`delta`), exactly one of them.",
        "AdjustmentBody",
    ),
    RouteDoc {
        method: "get",
        path: "/v1/claims/{id}",
        summary: "A hold or reservation by id, as it stands.",
        request: None,
        response: Some("ClaimOut"),
        errors: READ_ERRORS,
        params: &[("id", "path", true, "The hold or reservation id.")],
    },
    RouteDoc {
        method: "get",
        path: "/v1/ledger/availability",
        summary: "What a request for a SKU may get from the ledger now, per node and over the network, for a channel.",
        request: None,
        response: Some("LedgerAvailabilityOut"),
        errors: READ_ERRORS,
        params: &[
            ("sku", "query", true, "The SKU."),
            (
                "channel",
                "query",
                false,
                "The channel asking (absent: the default).",
            ),
        ],
    },
    RouteDoc {
        method: "get",
        path: "/v1/ledger/verify",
        summary: "The ledger's event history replayed and compared with its stored state; `ok` says whether they agree and the invariant holds.",
        request: None,
        response: Some("VerifyOut"),
        errors: READ_ERRORS,
        params: &[],
    },
    RouteDoc {
        method: "post",
        path: "/v1/solve",
        summary: "A wave of orders sourced on the ledger's stock (free units plus what the wave's own orders hold or reserve) and, with `commit`, committed to it as node-level reservations in one transaction, all or nothing. A commit on stock that changed after the read is refused and the wave solved again, up to `retries` times (then 409 E150). One wave at a time per server.",
        request: Some("SolveBody"),
        response: Some("SolveOut"),
        errors: SOLVE_ERRORS,
        params: &[],
    },
    RouteDoc {
        method: "post",
        path: "/v1/reroute",
        summary: "A plan of the server's scenario re-made after events (a node outage, a capacity drop, a short pick or found stock, a suspended service, a missed cutoff, a cancelled, changed or re-addressed order, the re-plan time): only the orders the events touch and those sharing a row that can bind are solved again, jointly; picked packages stay, shipped ones leave the re-plan; moves cost the policy's move penalties. The answer holds the new plan, what changed per order and why, and the independent checker's report. With `commit`, the re-plan is written to the server's ledger: the changed and cancelled orders' claims released and their new packages reserved, all or nothing. One solve at a time per server, with `/v1/solve`.",
        request: Some("RerouteBody"),
        response: Some("RerouteOut"),
        errors: REROUTE_ERRORS,
        params: &[],
    },
    RouteDoc {
        method: "post",
        path: "/v1/explain",
        summary: "Why a plan of the server's scenario ships an order as it does: each alternative node and service with its cost and whose units or capacity it would take, the stock and capacity rows near the order that bind with their LP shadow prices, and force/forbid what-ifs that re-solve the order with the orders competing for the same rows and report the cost difference. In JSON and in sentences. One solve at a time per server, with `/v1/solve`.",
        request: Some("ExplainBody"),
        response: Some("ExplainOut"),
        errors: EXPLAIN_ERRORS,
        params: &[],
    },
    RouteDoc {
        method: "get",
        path: "/metrics",
        summary: "Requests and their latency by route and status, in the Prometheus text format.",
        request: None,
        response: None,
        errors: &[],
        params: &[],
    },
    RouteDoc {
        method: "get",
        path: "/openapi.json",
        summary: "This document.",
        request: None,
        response: None,
        errors: &[],
        params: &[],
    },
];

/// The schemas the document names, by name.
fn schemas() -> Map<String, Value> {
    let mut out = Map::new();
    add::<Health>(&mut out, "Health");
    add::<Readiness>(&mut out, "Readiness");
    add::<PromiseRequest>(&mut out, "PromiseRequest");
    add::<Vec<Promise>>(&mut out, "Promises");
    add::<AtpQueryRecord>(&mut out, "AtpQueryRecord");
    add::<Vec<SkuAtp>>(&mut out, "Availabilities");
    add::<ApiError>(&mut out, "ApiError");
    add::<HoldBody>(&mut out, "HoldBody");
    add::<ReservationBody>(&mut out, "ReservationBody");
    add::<AssignmentBody>(&mut out, "AssignmentBody");
    add::<ClaimRefBody>(&mut out, "ClaimRefBody");
    add::<ReceiptBody>(&mut out, "ReceiptBody");
    add::<AdjustmentBody>(&mut out, "AdjustmentBody");
    add::<LedgerAnswer>(&mut out, "LedgerAnswer");
    add::<ClaimOut>(&mut out, "ClaimOut");
    add::<LedgerAvailabilityOut>(&mut out, "LedgerAvailabilityOut");
    add::<VerifyOut>(&mut out, "VerifyOut");
    add::<SolveBody>(&mut out, "SolveBody");
    add::<SolveOut>(&mut out, "SolveOut");
    add::<RerouteBody>(&mut out, "RerouteBody");
    add::<RerouteOut>(&mut out, "RerouteOut");
    add::<ExplainBody>(&mut out, "ExplainBody");
    add::<ExplainOut>(&mut out, "ExplainOut");
    out
}

/// Adds `T`'s schema as `name` and its definitions beside it, with their
/// references pointed at the document's components.
fn add<T: JsonSchema>(out: &mut Map<String, Value>, name: &str) {
    let text = serde_json::to_string(&schema_for!(T)).expect("a schema serialises");
    let text = text.replace("#/$defs/", "#/components/schemas/");
    let mut schema: Value = serde_json::from_str(&text).expect("a schema parses");
    let object = schema.as_object_mut().expect("a schema is an object");
    object.remove("$schema");
    if let Some(Value::Object(defs)) = object.remove("$defs") {
        out.extend(defs);
    }
    out.insert(name.into(), schema);
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn operation(r: &RouteDoc) -> Value {
    let ok = match r.response {
        Some(name) => {
            json!({ "description": "OK", "content": { "application/json": { "schema": reference(name) } } })
        }
        None => json!({ "description": "OK" }),
    };
    let mut responses = Map::new();
    responses.insert("200".into(), ok);
    for (status, what) in r.errors {
        let error = json!({
            "description": what,
            "content": { "application/json": { "schema": reference("ApiError") } }
        });
        responses.insert((*status).into(), error);
    }
    let mut op = json!({ "summary": r.summary, "responses": responses });
    if let Some(name) = r.request {
        op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": reference(name) } } });
    }
    if !r.params.is_empty() {
        let params: Vec<Value> = r
            .params
            .iter()
            .map(|(name, place, required, what)| {
                json!({ "name": name, "in": place, "required": required, "description": what, "schema": { "type": "string" } })
            })
            .collect();
        op["parameters"] = Value::Array(params);
    }
    op
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let entry = paths.entry(r.path).or_insert_with(|| json!({}));
        entry[r.method] = operation(r);
    }

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "domopt",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Distributed order management as optimisation: the checkout promise and stock available to promise of one scenario, and its reservation ledger (holds, reservations, commits) when the server has one. Errors are JSON with a stable code (see docs/format.md)."
        },
        "paths": paths,
        "components": { "schemas": schemas() }
    })
}
