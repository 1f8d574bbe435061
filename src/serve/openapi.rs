//! The OpenAPI 3.1 document of the service, generated from the request and
//! response types (their JSON Schemas, from `schemars`) and the route list
//! below, which a test keeps in step with the router. `docs/openapi.json`
//! is this document, committed.

use schemars::{JsonSchema, schema_for};
use serde_json::{Map, Value, json};

use super::errors::ApiError;
use super::wire::{Health, PromiseRequest, Readiness};
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
    /// Whether the route answers 4xx errors with an [`ApiError`].
    errors: bool,
}

/// Every route of the router.
pub(super) const ROUTES: &[RouteDoc] = &[
    RouteDoc {
        method: "get",
        path: "/health",
        summary: "The process is up.",
        request: None,
        response: Some("Health"),
        errors: false,
    },
    RouteDoc {
        method: "get",
        path: "/ready",
        summary: "Ready to answer: the scenario is loaded and valid.",
        request: None,
        response: Some("Readiness"),
        errors: false,
    },
    RouteDoc {
        method: "post",
        path: "/v1/promise",
        summary: "Every service's option for each cart: earliest delivery, cost, nodes, complete or split, or why not. 422 with every issue of every cart when one is invalid (nothing is quoted); 400 for a body that is not a cart; 413 over 1 MiB.",
        request: Some("PromiseRequest"),
        response: Some("Promises"),
        errors: true,
    },
    RouteDoc {
        method: "post",
        path: "/v1/availability",
        summary: "Stock available to promise of SKUs per node and over the network, for a date and a channel.",
        request: Some("AtpQueryRecord"),
        response: Some("Availabilities"),
        errors: true,
    },
    RouteDoc {
        method: "get",
        path: "/metrics",
        summary: "Requests and their latency by route and status, in the Prometheus text format.",
        request: None,
        response: None,
        errors: false,
    },
    RouteDoc {
        method: "get",
        path: "/openapi.json",
        summary: "This document.",
        request: None,
        response: None,
        errors: false,
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
    if r.errors {
        let error =
            json!({ "content": { "application/json": { "schema": reference("ApiError") } } });
        for (status, what) in [
            ("400", "the body is not JSON of the route's shape (E100)"),
            ("413", "the body is over 1 MiB (E117)"),
            ("422", "the content is invalid: every issue with its code"),
        ] {
            let mut e = error.clone();
            e["description"] = json!(what);
            responses.insert(status.into(), e);
        }
    }
    let mut op = json!({ "summary": r.summary, "responses": responses });
    if let Some(name) = r.request {
        op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": reference(name) } } });
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
            "description": "Distributed order management as optimisation: the checkout promise and stock available to promise of one scenario. Errors are JSON with a stable code (see docs/format.md)."
        },
        "paths": paths,
        "components": { "schemas": schemas() }
    })
}
