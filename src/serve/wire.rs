//! The service's own request and response types (the promise and
//! availability types are the library's), for the routes and the OpenAPI
//! document.

use serde::Serialize;

use crate::input::cart::{CartFile, CartRecord};

/// `{"status": "ok"}`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: &'static str,
}

/// Ready to answer: the scenario is loaded and validated (it is, once the
/// router exists), with its size.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Readiness {
    /// `ready`.
    pub status: &'static str,
    /// The scenario's name.
    pub scenario: String,
    /// Nodes, SKUs and services (the built-ins included).
    pub nodes: usize,
    /// SKUs.
    pub skus: usize,
    /// Services.
    pub services: usize,
}

/// One cart, or `{"carts": [...]}`: the body of `/v1/promise`.
#[derive(Debug, schemars::JsonSchema)]
#[serde(untagged)]
pub enum PromiseRequest {
    /// Several carts.
    Many(CartFile),
    /// One cart.
    One(CartRecord),
}
