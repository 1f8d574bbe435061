//! The ledger's typed errors, each with a stable code (E140..E149, and the
//! shared E102 / E128 for unknown ids and channels).

use crate::error::IssueCode;

/// Everything a ledger operation can fail with. On any error the operation
/// wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Fewer units are free than asked for.
    #[error("insufficient stock of {sku}{}: {requested} asked, {available} available", at_node(.node))]
    Insufficient {
        /// The SKU.
        sku: String,
        /// The node, for a node-level request.
        node: Option<String>,
        /// Units asked for.
        requested: u64,
        /// Units that could have been granted.
        available: u64,
    },
    /// No hold or reservation has this id.
    #[error("unknown reservation or hold `{0}`: it was never made")]
    UnknownClaim(String),
    /// The hold or reservation is no longer active.
    #[error("`{id}` was {status}: it can no longer be {action}")]
    NotActive {
        /// Its id.
        id: String,
        /// What happened to it (released, committed).
        status: &'static str,
        /// What was asked (released, committed, assigned).
        action: &'static str,
    },
    /// The hold ran out of time before it was used.
    #[error("hold `{0}` has expired")]
    Expired(String),
    /// A request id reused with different content.
    #[error("request id `{0}` was already used for a different request")]
    IdempotencyConflict(String),
    /// A quantity of zero, negative, fractional or above the limit.
    #[error("bad quantity {field}: {detail}")]
    BadQuantity {
        /// Which quantity.
        field: String,
        /// Why.
        detail: String,
    },
    /// An unknown node or SKU.
    #[error("unknown {what} `{id}`")]
    UnknownId {
        /// node or SKU.
        what: &'static str,
        /// The id given.
        id: String,
    },
    /// An unknown sales channel.
    #[error("unknown channel `{0}`")]
    UnknownChannel(String),
    /// The request does not fit the claim (a hold committed, units not yet
    /// assigned to a node, an assignment that does not cover the order).
    #[error("{0}")]
    Mismatch(String),
    /// The store (file or database) failed, or holds no ledger of this version.
    #[error("ledger store: {0}")]
    Store(String),
    /// The stored state differs from the fold of the event history.
    #[error("the ledger does not reconcile with its event history: {0}")]
    Diverged(String),
    /// `init` on a file or database that already holds a ledger.
    #[error("{0} already holds a ledger")]
    Exists(String),
    /// A guarded batch found events after the version it was computed on
    /// that touch its SKUs.
    #[error("availability of {skus} changed after version {seq} (now {now}): solve again")]
    Changed {
        /// The version the batch was computed on.
        seq: i64,
        /// The ledger's version now.
        now: i64,
        /// The SKUs that changed, comma-separated.
        skus: String,
    },
    /// An id that is empty, too long or holds a NUL character (which no
    /// back end may store alike).
    #[error("bad {field} `{shown}`: {detail}")]
    BadText {
        /// Which id.
        field: &'static str,
        /// The id, escaped.
        shown: String,
        /// Why.
        detail: &'static str,
    },
    /// A ledger URL that does not parse or names no back end.
    #[error("ledger URL `{url}`: {detail}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        detail: String,
    },
}

fn at_node(node: &Option<String>) -> String {
    node.as_ref().map_or(String::new(), |n| format!(" at {n}"))
}

impl LedgerError {
    /// The stable code.
    pub fn code(&self) -> IssueCode {
        match self {
            LedgerError::Insufficient { .. } => IssueCode::InsufficientStock,
            LedgerError::UnknownClaim(_) => IssueCode::UnknownClaim,
            LedgerError::NotActive { .. } => IssueCode::ClaimNotActive,
            LedgerError::Expired(_) => IssueCode::HoldExpired,
            LedgerError::IdempotencyConflict(_) => IssueCode::IdempotencyConflict,
            LedgerError::BadQuantity { .. } => IssueCode::BadLedgerQuantity,
            LedgerError::UnknownId { .. } => IssueCode::UnknownReference,
            LedgerError::UnknownChannel(_) => IssueCode::UnknownChannel,
            LedgerError::Mismatch(_) => IssueCode::ClaimMismatch,
            LedgerError::Store(_) => IssueCode::LedgerStore,
            LedgerError::Diverged(_) => IssueCode::LedgerDiverged,
            LedgerError::Exists(_) => IssueCode::LedgerExists,
            LedgerError::Changed { .. } => IssueCode::AvailabilityChanged,
            LedgerError::BadUrl { .. } => IssueCode::BadLedgerUrl,
            LedgerError::BadText { .. } => IssueCode::Malformed,
        }
    }

    /// A bad quantity.
    pub fn quantity(field: impl Into<String>, detail: impl Into<String>) -> Self {
        LedgerError::BadQuantity {
            field: field.into(),
            detail: detail.into(),
        }
    }
}

impl From<rusqlite::Error> for LedgerError {
    fn from(e: rusqlite::Error) -> Self {
        LedgerError::Store(e.to_string())
    }
}

impl From<serde_json::Error> for LedgerError {
    fn from(e: serde_json::Error) -> Self {
        LedgerError::Store(format!("a stored record does not parse: {e}"))
    }
}
