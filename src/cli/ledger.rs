//! `domopt ledger ...` and the reservation commands (`hold`, `reserve`,
//! `assign`, `release`, `commit`, `receive`, `adjust`): thin wrappers over
//! the ledger a URL names (an SQLite file, or a PostgreSQL database). Every
//! change is one transaction; on an error nothing is written and the
//! error's code is printed (exit 2; 1 when the ledger's store itself fails).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use domopt::IssueCode;
use domopt::limits::MAX_UNITS;
use domopt::reservations::{
    Adjustment, Answer, ClaimLine, Clock, FixedClock, Ledger, LedgerError, LedgerUrl, Request,
    SqliteLedger, StoreOptions, SystemClock, VerifyReport, check_client_id,
};
use serde::Serialize;

use super::common::{ScenarioArgs, report_error};
use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK};

/// The reservation ledger: stock held for whom between checkout and shipment.
///
/// The ledger keeps, per node and SKU, on hand, safety stock, dated
/// inbound, soft holds (carts, with an expiry), hard reservations and what
/// was committed, and per SKU the network-level reservations made at order
/// capture. Nothing is ever granted beyond what is free: per node, held +
/// reserved <= on hand - safety stock + inbound arrived, and the network's
/// reservations fit the nodes' free units. Every change is an event of an
/// append-only history: `verify` replays it and compares with the stored
/// state, `rebuild` replaces the state by the replay.
///
/// The changes are top-level commands: hold, reserve, assign, release,
/// commit, receive, adjust. Their request ids may not start with `wave-`
/// or `initial:` (E100): the ledger makes such ids itself (a wave's
/// reservations wave-SEQ:ORDER, init's initial:NODE:SKU).
///
/// Every command waits at most --store-timeout seconds (default 5) for the
/// ledger's write lock or a connection, then fails with E147 (exit 1).
///
/// LEDGER is a URL: an SQLite file (a path, or sqlite:PATH), embedded; or a
/// PostgreSQL database that several servers and commands share,
/// postgres://USER:PASSWORD@HOST:PORT/DATABASE (the database must exist;
/// `ledger init` makes the ledger's tables in it), as in
/// `domopt ledger init postgres://domopt:domopt@127.0.0.1:5432/shop --scenario ...`.
///
/// Examples:
///   domopt ledger init target/ledger.db --scenario datasets/promise/network.json
///   domopt ledger availability target/ledger.db --sku jacket
///   domopt ledger availability target/ledger.db --sku pants --channel walk_in --json
///   domopt ledger verify target/ledger.db
///   domopt ledger rebuild target/ledger.db --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    command: LedgerCommand,
}

#[derive(Debug, clap::Subcommand)]
enum LedgerCommand {
    /// Makes a ledger from a scenario's network and inventory (its orders
    /// are left out; units it counts as reserved become reservations
    /// `initial:NODE:SKU`).
    Init {
        /// The ledger to make: a file that must not exist (or be empty;
        /// E149 if it holds a ledger, E147 if it is a directory or another
        /// file), or a PostgreSQL database that holds no ledger.
        #[arg(value_name = "LEDGER")]
        db: String,
        /// The scenario.
        #[arg(long = "scenario", value_name = "SCENARIO")]
        scenario: PathBuf,
        /// Cost model: a preset or a TOML file (only to validate the scenario).
        #[arg(long, default_value = domopt::DEFAULT_MODEL)]
        model: String,
        #[command(flatten)]
        common: Common,
    },
    /// Per node and over the network: what a request for a SKU may get now.
    Availability {
        /// The ledger: a file path, sqlite:PATH or postgres://...
        #[arg(value_name = "LEDGER")]
        db: String,
        /// The SKU.
        #[arg(long)]
        sku: String,
        /// The channel asking (default: the default channel).
        #[arg(long)]
        channel: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Expires the holds past their time.
    Expire {
        /// The ledger: a file path, sqlite:PATH or postgres://...
        #[arg(value_name = "LEDGER")]
        db: String,
        #[command(flatten)]
        common: Common,
    },
    /// Replays the event history and compares it with the stored state
    /// (exit 1 if they differ or the invariant is broken).
    Verify {
        /// The ledger: a file path, sqlite:PATH or postgres://...
        #[arg(value_name = "LEDGER")]
        db: String,
        #[command(flatten)]
        common: Common,
    },
    /// Replaces the stored state by the replay of the event history.
    Rebuild {
        /// The ledger: a file path, sqlite:PATH or postgres://...
        #[arg(value_name = "LEDGER")]
        db: String,
        #[command(flatten)]
        common: Common,
    },
}

/// Options of every ledger command.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Print the answer (or the error) as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// The ledger's clock for this command, YYYY-MM-DDTHH:MM[:SS] in UTC,
    /// years 1 to 9998 (default: now).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// How long to wait for the ledger's write lock or a connection, in
    /// seconds (more than 0, at most 3600; default 5), then E147 (exit 1).
    /// It bounds the wait, not the work: `init` and `rebuild` take as long
    /// as they need once they hold the lock.
    #[arg(long, value_name = "SECS", allow_hyphen_values = true)]
    store_timeout: Option<String>,
}

/// What a change names: the ledger and the options.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// The ledger: a file path, sqlite:PATH or postgres://...
    #[arg(value_name = "LEDGER")]
    db: String,
    #[command(flatten)]
    common: Common,
}

/// Holds units for a cart for a time (soft; expires unless reserved).
///
/// A line is SKU=UNITS (network level) or SKU@NODE=UNITS (at a node).
///
/// Examples:
///   domopt hold target/ledger.db --id cart-1 --ttl 900 --line jacket=1
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct HoldArgs {
    #[command(flatten)]
    target: Target,
    /// The hold's id (also its request id; not starting with `wave-` or
    /// `initial:`, which the ledger keeps for its own: E100).
    #[arg(long)]
    id: String,
    /// The order or cart it is for.
    #[arg(long)]
    order: Option<String>,
    /// The sales channel.
    #[arg(long)]
    channel: Option<String>,
    /// Time to live in seconds.
    #[arg(long, value_name = "SECONDS")]
    ttl: String,
    /// SKU=UNITS or SKU@NODE=UNITS (repeatable).
    #[arg(long = "line", required = true)]
    lines: Vec<String>,
}

/// Reserves units for an order (hard, until released or committed).
///
/// A line is SKU=UNITS (network level, assigned to nodes when a wave
/// sources the order) or SKU@NODE=UNITS. With --from-hold the cart's hold
/// is released in the same transaction.
///
/// Examples:
///   domopt reserve target/ledger.db --id order-1 --order A-1 --line jacket=2
///   domopt reserve target/ledger.db --id order-2 --order A-2 --from-hold cart-1 --line jacket=1 --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReserveArgs {
    #[command(flatten)]
    target: Target,
    /// The reservation's id (also its request id; not starting with
    /// `wave-`, `reroute-` or `initial:`, which the ledger keeps for its own: E100).
    #[arg(long)]
    id: String,
    /// The order it is for.
    #[arg(long)]
    order: Option<String>,
    /// The sales channel.
    #[arg(long)]
    channel: Option<String>,
    /// A hold this reservation replaces.
    #[arg(long, value_name = "HOLD")]
    from_hold: Option<String>,
    /// SKU=UNITS or SKU@NODE=UNITS (repeatable).
    #[arg(long = "line", required = true)]
    lines: Vec<String>,
}

/// Assigns an order's network-level reservations to nodes, all or nothing.
///
/// The lines (SKU@NODE=UNITS) must add up, per SKU, to the order's
/// network-level units.
///
/// Examples:
///   domopt assign target/ledger.db --order A-1 --line jacket@dc-reno=2
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct AssignArgs {
    #[command(flatten)]
    target: Target,
    /// The order.
    #[arg(long)]
    order: String,
    /// SKU@NODE=UNITS (repeatable).
    #[arg(long = "line", required = true)]
    lines: Vec<String>,
    /// Request id (default: assign:ORDER; not `wave-...` or `initial:...`).
    #[arg(long)]
    request: Option<String>,
}

/// Ships a node-level reservation: its units leave on hand.
///
/// Examples:
///   domopt commit target/ledger.db --id order-1
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CommitArgs {
    #[command(flatten)]
    target: Target,
    /// The reservation.
    #[arg(long)]
    id: String,
    /// Request id (default: commit:ID; not `wave-...` or `initial:...`).
    #[arg(long)]
    request: Option<String>,
}

/// Gives a hold or reservation back.
///
/// Examples:
///   domopt release target/ledger.db --id order-2
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReleaseArgs {
    #[command(flatten)]
    target: Target,
    /// The hold or reservation.
    #[arg(long)]
    id: String,
    /// Request id (default: release:ID; not `wave-...` or `initial:...`).
    #[arg(long)]
    request: Option<String>,
}

/// Records a receipt at a node (counted first against its inbound).
///
/// Examples:
///   domopt receive target/ledger.db --request asn-1 --node dc-newark --sku boots --units 10
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReceiveArgs {
    #[command(flatten)]
    target: Target,
    /// Request id (a re-sent receipt with the same id is applied once; not
    /// `wave-...` or `initial:...`).
    #[arg(long)]
    request: String,
    /// Node id.
    #[arg(long)]
    node: String,
    /// SKU id.
    #[arg(long)]
    sku: String,
    /// Units received.
    #[arg(long)]
    units: String,
}

/// Records a cycle count: on hand set to a count, or moved by a difference.
/// A count below what is held and reserved is refused (E140): release first.
///
/// Examples:
///   domopt adjust target/ledger.db --request count-1 --node dc-reno --sku pants --set 9
///   domopt adjust target/ledger.db --request count-2 --node dc-reno --sku pants --delta=-1
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct AdjustArgs {
    #[command(flatten)]
    target: Target,
    /// Request id (a re-sent count with the same id is applied once; not
    /// `wave-...` or `initial:...`).
    #[arg(long)]
    request: String,
    /// Node id.
    #[arg(long)]
    node: String,
    /// SKU id.
    #[arg(long)]
    sku: String,
    /// The counted on-hand units.
    #[arg(long, conflicts_with = "delta", required_unless_present = "delta")]
    set: Option<String>,
    /// The difference to on hand (negative: --delta=-2).
    #[arg(long, allow_hyphen_values = true)]
    delta: Option<String>,
}

/// A command's failure: a code and a message.
struct Failure {
    code: IssueCode,
    message: String,
}

impl From<LedgerError> for Failure {
    fn from(e: LedgerError) -> Self {
        Failure {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

fn usage(message: String) -> Failure {
    Failure {
        code: IssueCode::BadSetting,
        message,
    }
}

/// Prints the outcome: the value (text or JSON) or the failure.
fn finish<T: Serialize>(
    result: Result<T, Failure>,
    common: &Common,
    text: impl FnOnce(&T),
) -> anyhow::Result<ExitCode> {
    match result {
        Ok(v) => {
            if common.json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                text(&v);
            }
            Ok(ExitCode::from(EXIT_OK))
        }
        Err(f) => {
            if common.json {
                println!(
                    "{}",
                    serde_json::json!({ "code": f.code.as_str(), "error": f.message })
                );
            }
            eprintln!("domopt: error {}: {}", f.code, f.message);
            let exit = if f.code == IssueCode::LedgerStore {
                EXIT_FAILURE
            } else {
                EXIT_INVALID
            };
            Ok(ExitCode::from(exit))
        }
    }
}

fn clock(common: &Common) -> Result<Arc<dyn Clock>, Failure> {
    let Some(at) = &common.at else {
        return Ok(Arc::new(SystemClock));
    };
    let t = domopt::reservations::parse_clock_time(at).map_err(|e| Failure {
        code: IssueCode::BadDate,
        message: match e {
            domopt::DomoptError::Settings { detail, .. } => format!("--at {detail}"),
            other => other.to_string(),
        },
    })?;
    Ok(Arc::new(FixedClock::new(t)))
}

/// `--store-timeout`, E120 when it is not a number of seconds in range.
fn store(common: &Common) -> Result<StoreOptions, Failure> {
    super::common::store_options(common.store_timeout.as_deref()).map_err(|e| Failure {
        code: IssueCode::BadSetting,
        message: e.to_string(),
    })
}

fn open(target: &Target) -> Result<Box<dyn Ledger>, Failure> {
    let options = store(&target.common)?;
    Ok(domopt::reservations::open_with(
        &target.db,
        clock(&target.common)?,
        options,
    )?)
}

/// A quantity as typed: a whole number from 1 to the limit (E145 otherwise).
fn units(field: &str, text: &str) -> Result<u32, Failure> {
    let bad = |why: String| Failure::from(LedgerError::quantity(field, why));
    match text.trim().parse::<i128>() {
        Ok(v) if v <= 0 => Err(bad(format!("{v}: at least 1 unit"))),
        Ok(v) if v > i128::from(MAX_UNITS) => Err(bad(format!("{v}: above {MAX_UNITS} units"))),
        Ok(v) => Ok(v as u32),
        Err(_) => Err(bad(format!("`{text}` is not a whole number of units"))),
    }
}

/// SKU=UNITS or SKU@NODE=UNITS.
fn line(text: &str) -> Result<ClaimLine, Failure> {
    let (what, qty) = text.rsplit_once('=').ok_or_else(|| {
        usage(format!(
            "--line {text}: expected SKU=UNITS or SKU@NODE=UNITS"
        ))
    })?;
    let (sku, node) = match what.split_once('@') {
        Some((s, n)) => (s, Some(n.to_string())),
        None => (what, None),
    };
    Ok(ClaimLine {
        sku: sku.into(),
        node,
        quantity: units(&format!("--line {text}"), qty)?,
    })
}

fn lines(texts: &[String]) -> Result<Vec<ClaimLine>, Failure> {
    texts.iter().map(|t| line(t)).collect()
}

/// Runs a change and prints its answer. A request id of a form the ledger
/// makes itself (`wave-`, `initial:`) is refused (E100) before the ledger
/// is opened.
fn change(target: &Target, request: Result<Request, Failure>) -> anyhow::Result<ExitCode> {
    let result = request
        .and_then(|r| Ok(check_client_id(r.id()).map(|()| r)?))
        .and_then(|r| Ok(open(target)?.execute(&r)?));
    finish(result, &target.common, print_answer)
}

fn print_answer(a: &Answer) {
    let again = if a.replayed {
        " (again: the first answer)"
    } else {
        ""
    };
    if let Some(c) = &a.claim {
        let lines: Vec<String> = c
            .lines
            .iter()
            .map(|l| match &l.node {
                Some(n) => format!("{}@{n}={}", l.sku, l.quantity),
                None => format!("{}={}", l.sku, l.quantity),
            })
            .collect();
        let expires = c
            .expires
            .map_or(String::new(), |e| format!(", expires {e}"));
        println!(
            "{} {:?} {}: {}{expires}{again}",
            c.id,
            c.kind,
            c.status.as_str(),
            lines.join(" ")
        );
    }
    if let Some(s) = &a.stock {
        println!(
            "{} / {}: on hand {}, inbound {}, held {}, reserved {}{again}",
            s.node, s.sku, s.on_hand, s.inbound, s.held, s.reserved
        );
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    match a.command {
        LedgerCommand::Init {
            db,
            scenario,
            model,
            common,
        } => init(db, scenario, model, common),
        LedgerCommand::Availability {
            db,
            sku,
            channel,
            common,
        } => {
            let target = Target { db, common };
            let result =
                open(&target).and_then(|l| Ok(l.availability(&sku, channel.as_deref(), None)?));
            finish(result, &target.common, |av| {
                println!(
                    "{} at {}: network {} available ({} claimed at network level)",
                    av.sku, av.at, av.network_available, av.network_claimed
                );
                for n in &av.nodes {
                    println!(
                        "  {:<16} on hand {:>6}  safety {:>4}  inbound {:>5}  held {:>5}  reserved {:>5}  available {:>6}",
                        n.node,
                        n.on_hand,
                        n.safety,
                        n.inbound_arrived,
                        n.held,
                        n.reserved,
                        n.available
                    );
                }
            })
        }
        LedgerCommand::Expire { db, common } => {
            let target = Target { db, common };
            let result = open(&target).and_then(|l| Ok(l.expire()?));
            finish(result, &target.common, |ids| {
                println!("{} hold(s) expired", ids.len())
            })
        }
        LedgerCommand::Verify { db, common } => {
            let target = Target { db, common };
            let result = open(&target).and_then(|l| Ok(Verified::from(l.verify()?)));
            let ok = result.as_ref().is_ok_and(|r| r.ok);
            let code = finish(result, &target.common, |r| {
                println!(
                    "{} events replayed, {} stock rows and {} claims compared: {}",
                    r.report.events,
                    r.report.stock_rows,
                    r.report.claims,
                    if r.ok { "they agree" } else { "DIFFERENT" }
                );
                for d in r
                    .report
                    .differences
                    .iter()
                    .chain(&r.report.invariant_breaches)
                {
                    println!("  {d}");
                }
            })?;
            Ok(if ok { code } else { exit_unless_failed(code) })
        }
        LedgerCommand::Rebuild { db, common } => {
            let target = Target { db, common };
            let result = open(&target).and_then(|l| Ok(l.rebuild()?));
            finish(result, &target.common, |r| {
                println!(
                    "state rebuilt from {} events ({} differences before)",
                    r.events,
                    r.differences.len()
                );
            })
        }
    }
}

/// What `verify --json` prints: `ok` (no differences and no invariant
/// breaches) and the report.
#[derive(Serialize)]
struct Verified {
    ok: bool,
    #[serde(flatten)]
    report: VerifyReport,
}

impl From<VerifyReport> for Verified {
    fn from(report: VerifyReport) -> Self {
        Verified {
            ok: report.ok(),
            report,
        }
    }
}

/// A verify that ran but found differences exits 1.
fn exit_unless_failed(code: ExitCode) -> ExitCode {
    if code == ExitCode::from(EXIT_OK) {
        ExitCode::from(EXIT_FAILURE)
    } else {
        code
    }
}

fn init(db: String, scenario: PathBuf, model: String, common: Common) -> anyhow::Result<ExitCode> {
    // Checked before the scenario is read: a malformed URL, or an existing
    // ledger file, which is never touched (a database is checked by
    // `create`, under its lock).
    let refusal = match db.parse::<LedgerUrl>() {
        Err(e) => Err(e.into()),
        Ok(LedgerUrl::Sqlite(path)) => SqliteLedger::check_vacant(&path).map_err(Failure::from),
        Ok(_) => Ok(()),
    };
    let options = refusal.and_then(|()| store(&common));
    let options = match options {
        Ok(o) => o,
        Err(f) => return finish::<()>(Err(f), &common, |_| {}),
    };
    let args = ScenarioArgs {
        scenario: scenario.clone(),
        model: model.clone(),
        set: Vec::new(),
    };
    if let Err(code) = args.load(common.json) {
        return Ok(code);
    }
    let loaded = match domopt::format::read_scenario(&scenario) {
        Ok(l) => l,
        Err(e) => return Ok(report_error(&e, common.json)),
    };
    #[derive(Serialize)]
    struct Made {
        ledger: String,
        stock_rows: usize,
    }
    let result = clock(&common).and_then(|c| {
        let l = domopt::reservations::create_with(&db, &loaded, &model, c, options)?;
        Ok(Made {
            stock_rows: l.state()?.stock.len(),
            ledger: db
                .parse::<LedgerUrl>()
                .map_or(db.clone(), |u| u.to_string()),
        })
    });
    finish(result, &common, |m| {
        println!("ledger {} made with {} stock rows", m.ledger, m.stock_rows)
    })
}

pub fn hold(a: HoldArgs) -> anyhow::Result<ExitCode> {
    let request = (|| {
        Ok(Request::Hold {
            id: a.id.clone(),
            order: a.order.clone(),
            channel: a.channel.clone(),
            ttl_seconds: units("--ttl", &a.ttl)?,
            lines: lines(&a.lines)?,
        })
    })();
    change(&a.target, request)
}

pub fn reserve(a: ReserveArgs) -> anyhow::Result<ExitCode> {
    let request = lines(&a.lines).map(|lines| Request::Reserve {
        id: a.id.clone(),
        order: a.order.clone(),
        channel: a.channel.clone(),
        from_hold: a.from_hold.clone(),
        lines,
    });
    change(&a.target, request)
}

pub fn assign(a: AssignArgs) -> anyhow::Result<ExitCode> {
    let request = lines(&a.lines).map(|lines| Request::Assign {
        id: a
            .request
            .clone()
            .unwrap_or_else(|| format!("assign:{}", a.order)),
        order: a.order.clone(),
        lines,
    });
    change(&a.target, request)
}

pub fn commit(a: CommitArgs) -> anyhow::Result<ExitCode> {
    let request = Request::Commit {
        id: a
            .request
            .clone()
            .unwrap_or_else(|| format!("commit:{}", a.id)),
        claim: a.id.clone(),
    };
    change(&a.target, Ok(request))
}

pub fn release(a: ReleaseArgs) -> anyhow::Result<ExitCode> {
    let request = Request::Release {
        id: a
            .request
            .clone()
            .unwrap_or_else(|| format!("release:{}", a.id)),
        claim: a.id.clone(),
    };
    change(&a.target, Ok(request))
}

pub fn receive(a: ReceiveArgs) -> anyhow::Result<ExitCode> {
    let request = units("--units", &a.units).map(|units| Request::Receive {
        id: a.request.clone(),
        node: a.node.clone(),
        sku: a.sku.clone(),
        units,
    });
    change(&a.target, request)
}

pub fn adjust(a: AdjustArgs) -> anyhow::Result<ExitCode> {
    let change_of = || -> Result<Adjustment, Failure> {
        match (&a.set, &a.delta) {
            (Some(v), _) => match v.trim().parse::<i128>() {
                Ok(n) if (0..=i128::from(MAX_UNITS)).contains(&n) => Ok(Adjustment::Set(n as u32)),
                _ => Err(LedgerError::quantity(
                    "--set",
                    format!("`{v}`: a count from 0 to {MAX_UNITS}"),
                )
                .into()),
            },
            (None, Some(d)) => match d.trim().parse::<i64>() {
                Ok(n) if n != 0 => Ok(Adjustment::Delta(n)),
                _ => Err(LedgerError::quantity(
                    "--delta",
                    format!("`{d}`: a non-zero whole number"),
                )
                .into()),
            },
            (None, None) => Err(usage("give --set or --delta".into())),
        }
    };
    let request = change_of().map(|change| Request::Adjust {
        id: a.request.clone(),
        node: a.node.clone(),
        sku: a.sku.clone(),
        change,
    });
    change(&a.target, request)
}
