//! Request ids that clients may not use: the ledger makes ids of these
//! forms itself (`wave-SEQ:ORDER` for a wave's reservations,
//! `reroute-SEQ:ORDER` for a re-plan's, `initial:NODE:SKU`
//! for the units a scenario counts as reserved at `ledger init`), so a
//! client's request under such an id would collide with a later wave's
//! commit (E144) or pass for one of the ledger's own claims. Checked where
//! clients come in (the HTTP write routes, the CLI's changes), not in the
//! rules, which the wave's commit uses too.

use super::LedgerError;

/// The prefixes of the ids the ledger makes itself.
pub const RESERVED_ID_PREFIXES: [&str; 3] = ["wave-", "reroute-", "initial:"];

/// A client's request id: E100 when it starts with a reserved prefix
/// ([`RESERVED_ID_PREFIXES`]); nothing is applied then.
pub fn check_client_id(id: &str) -> Result<(), LedgerError> {
    let detail = if id.starts_with("wave-") {
        "starts with `wave-`, reserved for the reservations a wave's commit makes (wave-SEQ:ORDER)"
    } else if id.starts_with("reroute-") {
        "starts with `reroute-`, reserved for the reservations a re-plan's commit makes (reroute-SEQ:ORDER)"
    } else if id.starts_with("initial:") {
        "starts with `initial:`, reserved for the reservations `ledger init` makes (initial:NODE:SKU)"
    } else {
        return Ok(());
    };
    let shown: String = id.chars().take(40).flat_map(char::escape_debug).collect();
    Err(LedgerError::BadText {
        field: "request id",
        shown,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_the_forms_the_ledger_makes_are_refused_and_others_pass() {
        for id in ["wave-1:A-1", "wave-", "reroute-7:A-1", "initial:dc-a:sku", "initial:"] {
            let e = check_client_id(id).unwrap_err();
            assert_eq!(e.code(), crate::error::IssueCode::Malformed, "{id}");
        }
        for id in ["order-1", "wave1", "Wave-1", "my-wave-1", "initial", "commit:wave-1:A"] {
            assert!(check_client_id(id).is_ok(), "{id}");
        }
    }
}
