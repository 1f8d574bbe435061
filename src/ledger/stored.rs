//! What the back ends share around the rules: the base of a stored
//! scenario, writing a whole state, `verify`'s comparison of the stored
//! state with the replay of the history, and URLs shown without passwords.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::input::cost_model::CostModel;
use crate::input::format::{LoadedScenario, PolicyOverrides, ScenarioFile};
use crate::input::validate::build_scenario;

use super::rules::{Base, Store};
use super::{Event, LedgerError, State, VerifyReport};

/// The base of a stored scenario, validated with cost model `model`.
pub(super) fn base_of(file: &ScenarioFile, model: &str) -> Result<Base, LedgerError> {
    let loaded = LoadedScenario {
        file: file.clone(),
        orphan_lines: Vec::new(),
        source: PathBuf::from("ledger scenario"),
    };
    let model = CostModel::load(model).map_err(|e| LedgerError::Store(e.to_string()))?;
    let (scenario, _) = build_scenario(&loaded, &model, &PolicyOverrides::default())
        .map_err(|r| LedgerError::Store(format!("the ledger's scenario does not validate: {r:?}")))?;
    Ok(Base::new(scenario))
}

/// Writes every row of `s` (into tables the caller emptied).
pub(super) fn write_state<S: Store>(store: &mut S, s: &State) -> Result<(), LedgerError> {
    for r in s.stock.values() {
        store.put_stock(r)?;
    }
    for r in s.network.values() {
        store.put_network(r)?;
    }
    for c in s.claims.values() {
        store.put_claim(c)?;
    }
    for r in s.channels.values() {
        store.put_channel(r)?;
    }
    Ok(())
}

/// The stored state against the replay of `events`, and the invariant on
/// `date`.
pub(super) fn compare(base: &Base, stored: &State, events: &[Event], date: NaiveDate) -> VerifyReport {
    let replay = State::replay(events);
    let mut differences = Vec::new();
    diff(&mut differences, "stock", &stored.stock, &replay.stock);
    diff(&mut differences, "network", &stored.network, &replay.network);
    diff(&mut differences, "claim", &stored.claims, &replay.claims);
    diff(&mut differences, "channel", &stored.channels, &replay.channels);
    let skus: BTreeSet<&String> = replay
        .stock
        .values()
        .map(|r| &r.sku)
        .chain(replay.network.keys())
        .collect();
    let invariant_breaches = skus
        .into_iter()
        .flat_map(|k| base.breaches(stored, k, date))
        .map(|b| b.to_string())
        .collect();
    VerifyReport {
        events: events.len() as i64,
        stock_rows: stored.stock.len(),
        claims: stored.claims.len(),
        differences,
        invariant_breaches,
    }
}

/// The keys on which two maps differ, one line each.
fn diff<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    out: &mut Vec<String>,
    what: &str,
    stored: &BTreeMap<K, V>,
    replay: &BTreeMap<K, V>,
) {
    for (k, v) in stored {
        match replay.get(k) {
            None => out.push(format!("{what} {k:?}: stored but not in the history")),
            Some(r) if r != v => out.push(format!("{what} {k:?}: stored {v:?}, replayed {r:?}")),
            _ => {}
        }
    }
    for k in replay.keys().filter(|k| !stored.contains_key(k)) {
        out.push(format!("{what} {k:?}: in the history but not stored"));
    }
}

/// A URL without what may be a password: the user information before `@`
/// is cut to the user name, and query parameters (`?password=...`) are
/// dropped.
pub(super) fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
    let rest = match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{user}@{host}")
        }
        None => rest.to_string(),
    };
    format!("{scheme}://{rest}")
}
