//! Random request streams against the reservation ledger, on the promise
//! network (two DCs, two stores, channels with a store buffer and a
//! marketplace share): holds, reservations, assignments, releases, commits,
//! receipts, counts and guarded batches, with ids that repeat, claims that
//! do not exist, unknown SKUs, nodes and channels, extreme quantities and a
//! clock that moves on so that holds expire; and request bodies mutated as
//! JSON (negative, fractional, huge and non-numeric quantities, missing and
//! unknown fields).
//!
//! After every request: the answer is a grant or a refusal with a ledger
//! code (never a panic); a refusal wrote nothing (the version did not move);
//! the stored state is the fold of the event history and keeps the
//! invariant (`verify`); the same request sent again gets the same answer,
//! marked replayed, or the same refusal.
//!
//! `DOMOPT_LEDGER_FUZZ_SEED` (default 1) and `DOMOPT_LEDGER_FUZZ_STREAMS`
//! (default 40 streams of 60 requests) bound the run.

use std::path::Path;
use std::sync::Arc;

use crate::test_postgres;
use chrono::{NaiveDateTime, TimeDelta};
use domopt::reservations::{
    Adjustment, ClaimLine, FixedClock, Guard, Ledger, Request, SqliteLedger,
};

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

const NETWORK: &str = "datasets/promise/network.json";
const NODES: &[&str] = &[
    "dc-newark",
    "store-manhattan",
    "store-brooklyn",
    "dc-reno",
    "nowhere",
];
const SKUS: &[&str] = &["jacket", "tshirt", "pants", "boots", "ghost"];
const CHANNELS: &[Option<&str>] = &[
    None,
    Some("web"),
    Some("walk_in"),
    Some("marketplace"),
    Some("nope"),
];

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn quantity(rng: &mut ChaCha8Rng) -> u32 {
    match rng.random_range(0..20) {
        0 => 0,
        1 => u32::MAX,
        2 => 1_000_000_001,
        3..=5 => rng.random_range(5..60),
        _ => rng.random_range(1..4),
    }
}

fn lines(rng: &mut ChaCha8Rng) -> Vec<ClaimLine> {
    let n = [0, 1, 1, 1, 2, 3].choose(rng).copied().unwrap_or(1);
    (0..n)
        .map(|_| ClaimLine {
            sku: SKUS.choose(rng).unwrap().to_string(),
            node: rng
                .random_bool(0.5)
                .then(|| NODES.choose(rng).unwrap().to_string()),
            quantity: quantity(rng),
        })
        .collect()
}

/// A request id: often one already used, so that replays and conflicts
/// happen; claims named likewise.
fn id(rng: &mut ChaCha8Rng, used: &[String]) -> String {
    if !used.is_empty() && rng.random_bool(0.15) {
        return used.choose(rng).unwrap().clone();
    }
    format!("r{}", rng.random_range(0..1_000_000))
}

fn claim(rng: &mut ChaCha8Rng, made: &[String]) -> String {
    if !made.is_empty() && rng.random_bool(0.8) {
        return made.choose(rng).unwrap().clone();
    }
    format!("never-{}", rng.random_range(0..10))
}

fn request(rng: &mut ChaCha8Rng, used: &[String], made: &[String]) -> Request {
    let id = id(rng, used);
    let order = rng
        .random_bool(0.7)
        .then(|| format!("o{}", rng.random_range(0..6)));
    let channel = CHANNELS.choose(rng).unwrap().map(String::from);
    match rng.random_range(0..9) {
        0 => Request::Hold {
            id,
            order,
            channel,
            ttl_seconds: [0, 1, 60, 3600, u32::MAX].choose(rng).copied().unwrap(),
            lines: lines(rng),
        },
        1 | 2 => Request::Reserve {
            id,
            order,
            channel,
            from_hold: rng.random_bool(0.2).then(|| claim(rng, made)),
            lines: lines(rng),
        },
        3 => Request::Assign {
            id,
            order: order.unwrap_or_else(|| "o0".into()),
            lines: lines(rng),
        },
        4 => Request::Release {
            id,
            claim: claim(rng, made),
        },
        5 => Request::Commit {
            id,
            claim: claim(rng, made),
        },
        6 => Request::Receive {
            id,
            node: NODES.choose(rng).unwrap().to_string(),
            sku: SKUS.choose(rng).unwrap().to_string(),
            units: quantity(rng),
        },
        _ => Request::Adjust {
            id,
            node: NODES.choose(rng).unwrap().to_string(),
            sku: SKUS.choose(rng).unwrap().to_string(),
            change: if rng.random_bool(0.5) {
                Adjustment::Set(quantity(rng))
            } else {
                Adjustment::Delta(
                    [-1_000_000_000_000i64, -5, -1, 1, 7, i64::MAX, i64::MIN]
                        .choose(rng)
                        .copied()
                        .unwrap(),
                )
            },
        },
    }
}

/// The request's JSON with one value replaced by an extreme or a wrong
/// type, a field removed or one added: it either does not parse (the
/// services answer 400 / E145) or parses into a request the ledger must
/// answer cleanly.
fn mutated(request: &Request, rng: &mut ChaCha8Rng) -> Option<Request> {
    let mut v = serde_json::to_value(request).ok()?;
    let mut leaves = Vec::new();
    collect(&v, &mut Vec::new(), &mut leaves);
    let path = leaves.choose(rng)?.clone();
    let replacement = [
        Value::from(-1),
        Value::from(1.5),
        Value::from(1e308),
        Value::from(u64::MAX),
        Value::from(""),
        Value::from("\u{0}\u{202e}"),
        Value::Null,
        Value::Bool(true),
        Value::Array(vec![]),
    ]
    .choose(rng)?
    .clone();
    let (last, parents) = path.split_last()?;
    let mut at = &mut v;
    for key in parents {
        at = match key {
            Key::Field(k) => at.get_mut(k.as_str())?,
            Key::Index(i) => at.get_mut(*i)?,
        };
    }
    match (last, rng.random_range(0..4)) {
        (Key::Field(k), 0) => {
            at.as_object_mut()?.remove(k);
        }
        (Key::Field(_), 1) => {
            at.as_object_mut()?
                .insert("surprise".into(), Value::from(1));
        }
        (Key::Field(k), _) => {
            at[k.as_str()] = replacement;
        }
        (Key::Index(i), _) => {
            at[*i] = replacement;
        }
    }
    serde_json::from_value(v).ok()
}

#[derive(Clone)]
enum Key {
    Field(String),
    Index(usize),
}

fn collect(v: &Value, path: &mut Vec<Key>, out: &mut Vec<Vec<Key>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(Key::Field(k.clone()));
                out.push(path.clone());
                collect(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(Key::Index(i));
                out.push(path.clone());
                collect(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Grants and refusals by code, over a run.
type Tally = std::collections::BTreeMap<String, u32>;

fn stream(
    l: &dyn Ledger,
    clock: &FixedClock,
    start: NaiveDateTime,
    rng: &mut ChaCha8Rng,
    tally: &mut Tally,
) {
    let (mut used, mut made) = (Vec::new(), Vec::new());
    let mut now = start;
    for step in 0..60 {
        if rng.random_bool(0.2) {
            now += TimeDelta::seconds(rng.random_range(1..7200));
            clock.set(now);
        }
        let mut r = request(rng, &used, &made);
        if rng.random_bool(0.25)
            && let Some(m) = mutated(&r, rng)
        {
            r = m;
        }
        let before = l.snapshot().unwrap().seq;
        let batch = rng.random_bool(0.1);
        let answer = if batch {
            let second = request(rng, &used, &made);
            let guard = Guard {
                seq: before - rng.random_range(0..3),
                skus: SKUS.iter().take(2).map(|s| s.to_string()).collect(),
            };
            l.execute_all(&[r.clone(), second], Some(&guard))
                .map(|mut a| a.remove(0))
        } else {
            l.execute(&r)
        };
        let after = l.snapshot().unwrap().seq;
        let outcome = answer
            .as_ref()
            .map_or_else(|e| e.code().to_string(), |_| "granted".into());
        *tally.entry(outcome).or_default() += 1;
        match &answer {
            Ok(a) => {
                used.push(r.id().to_string());
                if let Some(c) = &a.claim {
                    made.push(c.id.clone());
                }
            }
            Err(e) => {
                assert!(e.code().as_str().starts_with('E'), "{e}");
                assert_eq!(before, after, "step {step}: refused ({e}) yet wrote: {r:?}");
            }
        }
        let report = l.verify().unwrap();
        assert!(
            report.ok(),
            "step {step} after {r:?} -> {answer:?}: {report:?}"
        );
        if !batch {
            let again = l.execute(&r);
            match (&answer, &again) {
                (Ok(a), Ok(b)) => {
                    assert!(b.replayed, "a repeat is a replay: {r:?}");
                    assert_eq!((a.seq, &a.claim), (b.seq, &b.claim), "{r:?}");
                }
                // A refusal is not recorded: sent again it may be refused
                // the same way, or (a hold expired meanwhile, a claim freed)
                // decided anew.
                (Err(_), _) => {}
                (Ok(_), Err(e)) => {
                    panic!("step {step}: granted, then refused on repeat ({e}): {r:?}")
                }
            }
        }
    }
}

/// Runs `streams` streams of the run's seed on fresh ledgers that `make`
/// returns (with what keeps each alive).
fn run<K>(streams: u64, make: impl Fn(&Path, Arc<FixedClock>) -> (Box<dyn Ledger>, K)) {
    let seed = env_or("DOMOPT_LEDGER_FUZZ_SEED", 1);
    let start = NaiveDateTime::parse_from_str("2026-12-18T10:00", "%Y-%m-%dT%H:%M").unwrap();
    let mut tally = Tally::new();
    for s in 0..streams {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(start));
        let (l, _keep) = make(dir.path(), clock.clone());
        let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(1_000_003).wrapping_add(s));
        stream(l.as_ref(), &clock, start, &mut rng, &mut tally);
    }
    eprintln!("outcomes: {tally:?}");
    let granted = tally.get("granted").copied().unwrap_or(0);
    assert!(
        granted > tally.values().sum::<u32>() / 10,
        "the streams grant something: {tally:?}"
    );
}

fn network() -> domopt::format::LoadedScenario {
    domopt::format::read_scenario(Path::new(NETWORK)).unwrap()
}

#[test]
fn random_request_streams_get_a_grant_or_a_coded_refusal_and_the_ledger_always_reconciles_on_sqlite()
 {
    let loaded = network();
    run(env_or("DOMOPT_LEDGER_FUZZ_STREAMS", 40), |dir, clock| {
        let db = dir.join("ledger.db");
        let l = SqliteLedger::create(&db, &loaded, domopt::DEFAULT_MODEL, clock).unwrap();
        (Box::new(l) as Box<dyn Ledger>, ())
    });
}

#[test]
fn random_request_streams_get_a_grant_or_a_coded_refusal_and_the_ledger_always_reconciles_on_postgres()
 {
    let loaded = network();
    // A quarter of SQLite's streams: each request is several round trips.
    let streams = env_or("DOMOPT_LEDGER_FUZZ_STREAMS", 40).div_ceil(4);
    run(streams, |_, clock| {
        let db = test_postgres::TestDatabase::new();
        let l =
            domopt::reservations::create(&db.url(), &loaded, domopt::DEFAULT_MODEL, clock).unwrap();
        (l, db)
    });
}
