//! The shared back end: a PostgreSQL database that several `domopt serve`
//! instances (and the CLI) use at once, with the same rules ([`rules`]) as
//! the embedded one, run over a PostgreSQL transaction.
//!
//! Serialisation: every write transaction first takes a transaction-level
//! advisory lock (`pg_advisory_xact_lock`, one key per database) and runs
//! at READ COMMITTED, so each statement after the lock sees everything the
//! previous writer committed. Writers, whatever process or server they are
//! in, thus decide one after the other on the state the previous one left,
//! exactly like SQLite's single writer: requests for the last units get
//! exactly what is free, and no request fails for a serialisation conflict
//! (SERIALIZABLE would need retries, and a bounded number of retries can
//! still fail a request under contention). Reads (availability, snapshot,
//! verify) run in one REPEATABLE READ, read-only transaction each: a
//! consistent snapshot that never waits for the lock.
//!
//! Durability: every connection sets `synchronous_commit = on`
//! (PostgreSQL's default), so a commit is acknowledged after its WAL record
//! is flushed to disk: an acknowledged request survives a crash. A lock
//! wait gives up after `lock_timeout`, the store timeout ([`StoreOptions`],
//! 5 s by default, as the SQLite back end's busy timeout), refusing with
//! E147 rather than hanging; so do the wait for a connection of the pool and
//! connecting. The work itself is not bounded: `ledger init` (which loads
//! the stock with COPY), `rebuild` and a wave's commit run as long as they
//! need once they hold the lock.
//!
//! Schema: the tables of the SQLite back end (`meta`, `events`, `requests`,
//! `stock`, `network`, `claims`) in the database the URL names (its default
//! schema); `events.seq` is an identity column (numbers of rolled-back
//! transactions are skipped: versions grow but may have gaps) and triggers
//! refuse any UPDATE, DELETE or TRUNCATE of the history. Times are kept as
//! fixed-width text in the "C" collation, compared as SQLite compares them.
//!
//! Connections: an r2d2 pool per ledger ([`POOL_SIZE`] at most; each
//! connection keeps the statements it prepared), over
//! plain TCP or a Unix socket: this build has no TLS (`sslmode=require` is
//! refused when connecting), so keep the database on loopback or a private
//! network. Errors of the connection or the database are E147 naming the
//! URL without its password.
//!
//! Threads: the client is synchronous and blocks on a small tokio runtime of
//! its own. A server calls it from blocking threads (tokio's
//! `spawn_blocking`), never from inside an async task, where tokio refuses
//! to block on a second runtime.
//!
//! [`rules`]: super::rules

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use postgres::config::Host;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{FromSql, Type};
use postgres::{Client, Config, IsolationLevel, NoTls, Row, Statement, Transaction};
use r2d2_postgres::PostgresConnectionManager;
use r2d2_postgres::r2d2::{Pool, PooledConnection};

use crate::input::format::{LoadedScenario, ScenarioFile};

use super::rules::{self, Base, Store};
use super::stored::{self, base_of, redact, write_state};
use super::{
    Answer, ChannelRow, Claim, ClaimKind, Clock, Event, Guard, Ledger, LedgerAvailability, LedgerError,
    NetRow, Request, Snapshot, State, StockRow, StoreOptions, VerifyReport,
};

/// The schema version this code writes and reads (the SQLite back end's).
pub const SCHEMA_VERSION: i64 = super::sqlite::SCHEMA_VERSION;

/// Connections a ledger keeps open at most (each request uses one).
pub const POOL_SIZE: u32 = 8;

/// The advisory lock every write transaction takes ("domopt" in ASCII).
const WRITE_LOCK: i64 = 0x646f_6d6f_7074;

/// Options of every session: the durability and the bounded lock wait the
/// ledger relies on, whatever the server's or database's defaults.
fn session_options(timeout: Duration) -> String {
    let ms = timeout.as_millis().max(1);
    format!("-c synchronous_commit=on -c lock_timeout={ms}ms")
}

const SCHEMA: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request TEXT NOT NULL,
    at TEXT COLLATE "C" NOT NULL,
    payload TEXT NOT NULL
);
CREATE FUNCTION domopt_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event history is append-only';
END $$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION domopt_events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION domopt_events_append_only();
CREATE TABLE requests (id TEXT PRIMARY KEY, content TEXT NOT NULL, answer TEXT NOT NULL);
CREATE TABLE stock (
    node TEXT NOT NULL, sku TEXT NOT NULL,
    on_hand BIGINT NOT NULL, safety BIGINT NOT NULL,
    inbound BIGINT NOT NULL, inbound_date TEXT,
    held BIGINT NOT NULL, reserved BIGINT NOT NULL, committed BIGINT NOT NULL,
    PRIMARY KEY (sku, node)
);
CREATE TABLE network (sku TEXT PRIMARY KEY, held BIGINT NOT NULL, reserved BIGINT NOT NULL);
CREATE TABLE claims (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, order_id TEXT, status TEXT NOT NULL,
    expires TEXT COLLATE "C", body TEXT NOT NULL
);
CREATE INDEX claims_by_order ON claims (order_id, status);
CREATE INDEX claims_due ON claims (status, kind, expires);
"#;

/// The named channels' claims per (SKU, node or '' for the network), added
/// in schema 3.
const CHANNEL_TABLE: &str = "
CREATE TABLE channel_claims (
    sku TEXT NOT NULL, node TEXT NOT NULL, channel TEXT NOT NULL,
    held BIGINT NOT NULL, reserved BIGINT NOT NULL,
    PRIMARY KEY (sku, node, channel)
);
";

/// Empties the tables of the state (not the history).
const CLEAR_STATE: &str =
    "DELETE FROM stock; DELETE FROM network; DELETE FROM claims; DELETE FROM channel_claims;";

type Manager = PostgresConnectionManager<NoTls>;

/// A ledger in a PostgreSQL database, shared by every process that opens
/// the same URL.
pub struct PostgresLedger {
    /// Always `Some` but in `drop`, which takes it to a thread of its own.
    pool: Option<Pool<Manager>>,
    base: Base,
    clock: Arc<dyn Clock>,
    /// The URL without its password, for messages.
    shown: String,
}

/// A client closes its connection by blocking on its own runtime, which
/// tokio forbids on a thread that runs async tasks (the server drops its
/// ledger there at shutdown): the pool is closed on a thread of its own.
impl Drop for PostgresLedger {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

impl std::fmt::Debug for PostgresLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresLedger")
            .field("url", &self.shown)
            .finish()
    }
}

impl PostgresLedger {
    /// Makes a ledger in the database `url` names (which must exist and
    /// hold no ledger: E149 otherwise) from a scenario's network and
    /// inventory (its orders are left out), validated with cost model
    /// `model`.
    pub fn create(
        url: &str,
        scenario: &LoadedScenario,
        model: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, LedgerError> {
        Self::create_with(url, scenario, model, clock, StoreOptions::default())
    }

    /// [`create`](Self::create) with `options`.
    pub fn create_with(
        url: &str,
        scenario: &LoadedScenario,
        model: &str,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
    ) -> Result<Self, LedgerError> {
        let (config, shown) = config_of(url, options.timeout)?;
        let mut file = scenario.file.clone();
        file.orders.clear();
        let base = base_of(&file, model)?;
        let mut client = connect(&config, &shown)?;
        let now = clock.now();
        let meta = [
            ("schema_version", SCHEMA_VERSION.to_string()),
            ("model", model.to_string()),
            ("scenario", serde_json::to_string(&file)?),
            ("created", now.to_string()),
        ];
        let mut statements = Statements::default();
        in_transaction(&mut client, &shown, &mut statements, true, |store| {
            if store.has_ledger()? {
                return Err(LedgerError::Exists(store.shown.to_string()));
            }
            store
                .tx
                .batch_execute(&format!("{SCHEMA}{CHANNEL_TABLE}"))
                .map_err(db_error(store.shown))?;
            for (k, v) in &meta {
                store.run("INSERT INTO meta (key, value) VALUES ($1, $2)", &[k, v])?;
            }
            load_initial(store, &file, now)
        })?;
        Ok(PostgresLedger {
            pool: Some(pool(config, options.timeout)?),
            base,
            clock,
            shown,
        })
    }

    /// Opens the ledger in the database `url` names.
    pub fn open(url: &str, clock: Arc<dyn Clock>) -> Result<Self, LedgerError> {
        Self::open_with(url, clock, StoreOptions::default())
    }

    /// Opens the ledger in the database `url` names, with `options`.
    pub fn open_with(
        url: &str,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
    ) -> Result<Self, LedgerError> {
        let (config, shown) = config_of(url, options.timeout)?;
        let mut client = connect(&config, &shown)?;
        let mut statements = Statements::default();
        // A write transaction: opening upgrades a ledger of schema 2.
        let (model, scenario) = in_transaction(&mut client, &shown, &mut statements, true, |store| {
            if !store.has_ledger()? {
                return Err(LedgerError::Store(format!(
                    "{} holds no domopt ledger: make one with `domopt ledger init`",
                    store.shown
                )));
            }
            let version = store.meta("schema_version")?;
            if version.as_deref() == Some("2") {
                store.upgrade_from_2()?;
            } else if version.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
                return Err(LedgerError::Store(format!(
                    "{}: schema version {}, this domopt reads {SCHEMA_VERSION}",
                    store.shown,
                    version.unwrap_or_default()
                )));
            }
            Ok((store.meta("model")?, store.meta("scenario")?))
        })?;
        let file: ScenarioFile = serde_json::from_str(&scenario.unwrap_or_default())?;
        Ok(PostgresLedger {
            pool: Some(pool(config, options.timeout)?),
            base: base_of(&file, &model.unwrap_or_default())?,
            clock,
            shown,
        })
    }

    /// The URL it was opened with, without its password.
    pub fn url(&self) -> &str {
        &self.shown
    }

    fn connection(&self) -> Result<PooledConnection<Manager>, LedgerError> {
        let pool = self.pool.as_ref().ok_or_else(|| {
            LedgerError::Store(format!("{}: the ledger is being closed", self.shown))
        })?;
        pool.get()
            .map_err(|e| LedgerError::Store(format!("{}: no connection: {e}", self.shown)))
    }

    /// Runs `f` in one write transaction holding the ledger's advisory
    /// lock, committed only on `Ok` (dropped, it rolls back).
    fn write<T>(
        &self,
        f: impl FnOnce(&mut PgStore<'_, '_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        self.transaction(true, f)
    }

    /// Runs `f` in one read-only REPEATABLE READ transaction.
    fn read<T>(
        &self,
        f: impl FnOnce(&mut PgStore<'_, '_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        self.transaction(false, f)
    }

    /// Runs `f` in a transaction on a connection of the pool, with the
    /// statements that connection prepared before (kept with it).
    fn transaction<T>(
        &self,
        write: bool,
        f: impl FnOnce(&mut PgStore<'_, '_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let mut conn = self.connection()?;
        let mut statements = PooledConnection::extensions_mut(&mut conn)
            .remove::<Statements>()
            .unwrap_or_default();
        let out = in_transaction(&mut conn, &self.shown, &mut statements, write, f);
        PooledConnection::extensions_mut(&mut conn).insert(statements);
        out
    }

    fn compare(&self, stored: &State, events: &[Event]) -> VerifyReport {
        stored::compare(&self.base, stored, events, self.clock.now().date())
    }
}

impl Ledger for PostgresLedger {
    fn execute(&self, request: &Request) -> Result<Answer, LedgerError> {
        let now = self.clock.now();
        self.write(|store| rules::execute(store, &self.base, request, now))
    }

    fn execute_all(
        &self,
        requests: &[Request],
        guard: Option<&Guard>,
    ) -> Result<Vec<Answer>, LedgerError> {
        let now = self.clock.now();
        self.write(|store| rules::execute_all(store, &self.base, requests, guard, now))
    }

    fn expire(&self) -> Result<Vec<String>, LedgerError> {
        let now = self.clock.now();
        self.write(|store| rules::expire(store, &self.base, now))
    }

    fn availability(
        &self,
        sku: &str,
        channel: Option<&str>,
        at: Option<NaiveDateTime>,
    ) -> Result<LedgerAvailability, LedgerError> {
        rules::check_id("SKU", sku)?;
        if let Some(c) = channel {
            rules::check_id("channel", c)?;
        }
        let at = at.unwrap_or_else(|| self.clock.now());
        let state = self.read(|store| rules::sku_state(store, sku))?;
        self.base.availability(&state, sku, channel, at)
    }

    fn claim(&self, id: &str) -> Result<Option<Claim>, LedgerError> {
        rules::check_id("claim", id)?;
        self.read(|store| store.claim(id))
    }

    fn snapshot(&self) -> Result<Snapshot, LedgerError> {
        self.read(|store| {
            let state = store.read_all()?;
            let row = store.one("SELECT COALESCE(MAX(seq), 0) FROM events", &[])?;
            Ok(Snapshot {
                state,
                seq: col(&row, 0)?,
                at: self.clock.now(),
            })
        })
    }

    fn version(&self) -> Result<i64, LedgerError> {
        self.read(|store| {
            let row = store.one("SELECT COALESCE(MAX(seq), 0) FROM events", &[])?;
            col(&row, 0)
        })
    }

    fn base(&self) -> &Base {
        &self.base
    }

    fn verify(&self) -> Result<VerifyReport, LedgerError> {
        let (stored, events) = self.read(|store| Ok((store.read_all()?, store.read_events()?)))?;
        Ok(self.compare(&stored, &events))
    }

    fn rebuild(&self) -> Result<VerifyReport, LedgerError> {
        self.write(|store| {
            let stored = store.read_all()?;
            let events = store.read_events()?;
            let report = self.compare(&stored, &events);
            store
                .tx
                .batch_execute(CLEAR_STATE)
                .map_err(db_error(store.shown))?;
            write_state(store, &State::replay(&events))?;
            Ok(report)
        })
    }
}

/// The connection settings of `url` with the ledger's session options
/// (waits bounded by `timeout`), and the URL as messages show it (no
/// password).
fn config_of(url: &str, timeout: Duration) -> Result<(Config, String), LedgerError> {
    let mut config: Config = url.parse().map_err(|e| LedgerError::BadUrl {
        url: redact(url),
        detail: error_text(&e),
    })?;
    let session = session_options(timeout);
    let options = match config.get_options() {
        Some(o) if !o.trim().is_empty() => format!("{o} {session}"),
        _ => session,
    };
    config.options(&options);
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(timeout);
    }
    // A connection whose server went away (a host down, a network cut)
    // would otherwise wait for an answer for hours: TCP keepalives find it
    // dead within about a minute, unless the URL set its own.
    if config.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
        config.keepalives_idle(Duration::from_secs(30));
        config.keepalives_interval(Duration::from_secs(10));
        config.keepalives_retries(3);
    }
    if config.get_application_name().is_none() {
        config.application_name("domopt");
    }
    let shown = shown(&config);
    Ok((config, shown))
}

/// `postgres://USER@HOST:PORT/DB`, from the parsed settings: never the
/// password, wherever the URL gave it.
fn shown(config: &Config) -> String {
    let user = config.get_user().map_or(String::new(), |u| format!("{u}@"));
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            };
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect();
    let db = config.get_dbname().unwrap_or_default();
    format!("postgres://{user}{}/{db}", hosts.join(","))
}

/// An error and its causes, one after the other (the client's own text
/// leaves out the server's message, which is in the cause).
fn error_text(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Maps a client or database error to E147, naming the database.
fn db_error(shown: &str) -> impl Fn(postgres::Error) -> LedgerError + '_ {
    move |e| LedgerError::Store(format!("{shown}: {}", error_text(&e)))
}

/// One connection now, so that a wrong URL, password or database fails at
/// once with the server's reason (the pool would retry until its timeout).
/// A server that answered and refused (password, database) is told apart
/// from one that could not be reached (no such host, nothing listening, no
/// answer within the timeout): both are E147, the URL having parsed.
fn connect(config: &Config, shown: &str) -> Result<Client, LedgerError> {
    config.connect(NoTls).map_err(|e| {
        // `shown` is postgres://USER@HOSTS/DB: the hosts are between.
        let rest = shown.split_once("://").map_or(shown, |(_, r)| r);
        let rest = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        let host = rest.split('/').next().unwrap_or_default();
        let what = if e.as_db_error().is_some() {
            format!("the database server {host} refused the connection")
        } else {
            format!("the database server {host} could not be reached")
        };
        LedgerError::Store(format!("{what} ({shown}): {}", error_text(&e)))
    })
}

/// The pool of a ledger: connections are made on demand (none is kept
/// idle beyond use), checked before use, replaced when broken.
fn pool(config: Config, timeout: Duration) -> Result<Pool<Manager>, LedgerError> {
    Pool::builder()
        .max_size(POOL_SIZE)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .build(PostgresConnectionManager::new(config, NoTls))
        .map_err(|e| LedgerError::Store(format!("connection pool: {e}")))
}

/// Runs `f` in a transaction on `client`: a write takes the ledger's
/// advisory lock first; a read is a read-only REPEATABLE READ snapshot.
/// Committed only on `Ok` (dropped, it rolls back).
fn in_transaction<T>(
    client: &mut Client,
    shown: &str,
    statements: &mut Statements,
    write: bool,
    f: impl FnOnce(&mut PgStore<'_, '_>) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    let err = db_error(shown);
    let mut tx = if write {
        let mut tx = client.transaction().map_err(&err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(|e| lock_error(shown, e))?;
        tx
    } else {
        client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(&err)?
    };
    let out = f(&mut PgStore {
        tx: &mut tx,
        shown,
        statements,
    })?;
    tx.commit().map_err(&err)?;
    Ok(out)
}

/// E147 for the write lock not taken within `lock_timeout`, saying so.
fn lock_error(shown: &str, e: postgres::Error) -> LedgerError {
    if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
        return LedgerError::Store(format!(
            "{shown}: the write lock was not free within the store timeout \
             (another writer holds it): try again"
        ));
    }
    db_error(shown)(e)
}

/// Loads a new ledger's history and state: the initial events of the
/// scenario's inventory and the state they fold to. The events, stock rows
/// and claims (hundreds of thousands on a large network) go in by binary
/// COPY, one stream per table rather than a round trip per row; whatever
/// else the state holds is written row by row.
fn load_initial(
    store: &mut PgStore<'_, '_>,
    file: &ScenarioFile,
    now: NaiveDateTime,
) -> Result<(), LedgerError> {
    let events = rules::initial_events(&file.inventory, now);
    let mut state = State::default();
    for e in &events {
        state.apply(e);
    }
    let at = time_key(now);
    let text = Type::TEXT;
    let mut rows = Vec::with_capacity(events.len());
    for e in &events {
        rows.push(serde_json::to_string(e)?);
    }
    copy_rows(
        store,
        "COPY events (request, at, payload) FROM STDIN (FORMAT binary)",
        &[text.clone(), text.clone(), text.clone()],
        rows.iter(),
        |w, payload| w.write(&[&"init", &at, payload]),
    )?;
    let stock = std::mem::take(&mut state.stock);
    copy_rows(
        store,
        &format!("COPY stock ({STOCK_COLUMNS}) FROM STDIN (FORMAT binary)"),
        &[
            text.clone(),
            text.clone(),
            Type::INT8,
            Type::INT8,
            Type::INT8,
            text.clone(),
            Type::INT8,
            Type::INT8,
            Type::INT8,
        ],
        stock.values(),
        |w, r| {
            let date = r.inbound_date.map(|d| d.to_string());
            w.write(&[
                &r.node,
                &r.sku,
                &r.on_hand,
                &r.safety,
                &r.inbound,
                &date,
                &r.held,
                &r.reserved,
                &r.committed,
            ])
        },
    )?;
    let claims = std::mem::take(&mut state.claims);
    let mut bodies = Vec::with_capacity(claims.len());
    for c in claims.values() {
        bodies.push((c, serde_json::to_string(c)?));
    }
    copy_rows(
        store,
        "COPY claims (id, kind, order_id, status, expires, body) FROM STDIN (FORMAT binary)",
        &[text.clone(), text.clone(), text.clone(), text.clone(), text.clone(), text],
        bodies.iter(),
        |w, (c, body)| {
            let kind = match c.kind {
                ClaimKind::Hold => "hold",
                ClaimKind::Reservation => "reservation",
            };
            let expires = c.expires.map(time_key);
            w.write(&[&c.id, &kind, &c.order, &c.status.as_str(), &expires, body])
        },
    )?;
    write_state(store, &state)
}

/// Streams `rows` into one binary COPY of columns of `types`.
fn copy_rows<T>(
    store: &mut PgStore<'_, '_>,
    sql: &str,
    types: &[Type],
    rows: impl Iterator<Item = T>,
    write: impl Fn(&mut BinaryCopyInWriter<'_>, T) -> Result<(), postgres::Error>,
) -> Result<(), LedgerError> {
    let err = db_error(store.shown);
    let sink = store.tx.copy_in(sql).map_err(&err)?;
    let mut writer = BinaryCopyInWriter::new(sink, types);
    for row in rows {
        write(&mut writer, row).map_err(&err)?;
    }
    writer.finish().map_err(&err)?;
    Ok(())
}

/// The statements a connection prepared, by their SQL: each later use is
/// one round trip instead of two (prepare, then execute).
#[derive(Default)]
struct Statements(HashMap<String, Statement>);

/// Times in the events and claims tables, fixed width so that text order
/// (collation "C") is time order; as the SQLite back end writes them.
fn time_key(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.9f").to_string()
}

const STOCK_COLUMNS: &str =
    "node, sku, on_hand, safety, inbound, inbound_date, held, reserved, committed";

/// Column `i` of a row, or E147 when the stored type is not the one the
/// schema has (a database changed by hand).
fn col<'r, T: FromSql<'r>>(r: &'r Row, i: usize) -> Result<T, LedgerError> {
    r.try_get(i)
        .map_err(|e| LedgerError::Store(format!("a stored row does not read: {}", error_text(&e))))
}

fn stock_row(r: &Row) -> Result<StockRow, LedgerError> {
    let date: Option<String> = col(r, 5)?;
    Ok(StockRow {
        node: col(r, 0)?,
        sku: col(r, 1)?,
        on_hand: col(r, 2)?,
        safety: col(r, 3)?,
        inbound: col(r, 4)?,
        inbound_date: date.and_then(|d| d.parse().ok()),
        held: col(r, 6)?,
        reserved: col(r, 7)?,
        committed: col(r, 8)?,
    })
}

const CHANNEL_COLUMNS: &str = "sku, node, channel, held, reserved";

/// A channel row; the network's is stored with node ''.
fn channel_row(r: &Row) -> Result<ChannelRow, LedgerError> {
    let node: String = col(r, 1)?;
    Ok(ChannelRow {
        sku: col(r, 0)?,
        node: (!node.is_empty()).then_some(node),
        channel: col(r, 2)?,
        held: col(r, 3)?,
        reserved: col(r, 4)?,
    })
}

fn net_row(r: &Row) -> Result<NetRow, LedgerError> {
    Ok(NetRow {
        sku: col(r, 0)?,
        held: col(r, 1)?,
        reserved: col(r, 2)?,
    })
}

/// A JSON record of column `i`.
fn json<T: serde::de::DeserializeOwned>(r: &Row, i: usize) -> Result<T, LedgerError> {
    Ok(serde_json::from_str(col(r, i)?)?)
}

/// The PostgreSQL transaction an operation runs in.
struct PgStore<'a, 't> {
    tx: &'a mut Transaction<'t>,
    shown: &'a str,
    statements: &'a mut Statements,
}

type Param<'p> = &'p (dyn postgres::types::ToSql + Sync);

impl PgStore<'_, '_> {
    /// The prepared statement of `sql` on this connection.
    fn statement(&mut self, sql: &str) -> Result<Statement, LedgerError> {
        if let Some(s) = self.statements.0.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql).map_err(db_error(self.shown))?;
        self.statements.0.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    fn rows(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, LedgerError> {
        let s = self.statement(sql)?;
        self.tx.query(&s, params).map_err(db_error(self.shown))
    }

    fn one(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Row, LedgerError> {
        let s = self.statement(sql)?;
        self.tx.query_one(&s, params).map_err(db_error(self.shown))
    }

    fn run(&mut self, sql: &str, params: &[Param<'_>]) -> Result<(), LedgerError> {
        let s = self.statement(sql)?;
        self.tx
            .execute(&s, params)
            .map(|_| ())
            .map_err(db_error(self.shown))
    }

    /// Whether the database already holds a ledger (its `meta` table).
    fn has_ledger(&mut self) -> Result<bool, LedgerError> {
        let row = self.one("SELECT to_regclass('meta') IS NOT NULL", &[])?;
        col(&row, 0)
    }

    fn meta(&mut self, key: &str) -> Result<Option<String>, LedgerError> {
        let rows = self.rows("SELECT value FROM meta WHERE key = $1", &[&key])?;
        rows.first().map(|r| col(r, 0)).transpose()
    }

    /// Schema 2 had no per-channel claim rows: adds their table, filled
    /// from the replay of the history (in the caller's transaction).
    fn upgrade_from_2(&mut self) -> Result<(), LedgerError> {
        let events = self.read_events()?;
        self.tx.batch_execute(CHANNEL_TABLE).map_err(db_error(self.shown))?;
        for r in State::replay(&events).channels.values() {
            self.put_channel(r)?;
        }
        self.run(
            "UPDATE meta SET value = $1 WHERE key = 'schema_version'",
            &[&SCHEMA_VERSION.to_string()],
        )
    }

    fn read_all(&mut self) -> Result<State, LedgerError> {
        let mut s = State::default();
        for r in self.rows(&format!("SELECT {STOCK_COLUMNS} FROM stock"), &[])? {
            let r = stock_row(&r)?;
            s.stock.insert((r.node.clone(), r.sku.clone()), r);
        }
        for r in self.rows("SELECT sku, held, reserved FROM network", &[])? {
            let r = net_row(&r)?;
            s.network.insert(r.sku.clone(), r);
        }
        for r in self.rows("SELECT body FROM claims", &[])? {
            let c: Claim = json(&r, 0)?;
            s.claims.insert(c.id.clone(), c);
        }
        for r in self.rows(&format!("SELECT {CHANNEL_COLUMNS} FROM channel_claims"), &[])? {
            let r = channel_row(&r)?;
            s.channels.insert(r.key(), r);
        }
        Ok(s)
    }

    fn read_events(&mut self) -> Result<Vec<Event>, LedgerError> {
        self.rows("SELECT payload FROM events ORDER BY seq", &[])?
            .iter()
            .map(|r| json(r, 0))
            .collect()
    }
}

impl Store for PgStore<'_, '_> {
    fn stored_request(&mut self, id: &str) -> Result<Option<(String, String)>, LedgerError> {
        let rows = self.rows("SELECT content, answer FROM requests WHERE id = $1", &[&id])?;
        rows.first()
            .map(|r| Ok((col(r, 0)?, col(r, 1)?)))
            .transpose()
    }

    fn put_request(&mut self, id: &str, content: &str, answer: &str) -> Result<(), LedgerError> {
        self.run(
            "INSERT INTO requests (id, content, answer) VALUES ($1, $2, $3)",
            &[&id, &content, &answer],
        )
    }

    fn stock_of(&mut self, sku: &str) -> Result<Vec<StockRow>, LedgerError> {
        let sql = format!("SELECT {STOCK_COLUMNS} FROM stock WHERE sku = $1");
        self.rows(&sql, &[&sku])?.iter().map(stock_row).collect()
    }

    fn network_of(&mut self, sku: &str) -> Result<Option<NetRow>, LedgerError> {
        let rows = self.rows(
            "SELECT sku, held, reserved FROM network WHERE sku = $1",
            &[&sku],
        )?;
        rows.first().map(net_row).transpose()
    }

    fn claim(&mut self, id: &str) -> Result<Option<Claim>, LedgerError> {
        let rows = self.rows("SELECT body FROM claims WHERE id = $1", &[&id])?;
        rows.first().map(|r| json(r, 0)).transpose()
    }

    fn active_claims_of_order(&mut self, order: &str) -> Result<Vec<Claim>, LedgerError> {
        self.rows(
            "SELECT body FROM claims WHERE order_id = $1 AND status = 'active' ORDER BY id COLLATE \"C\"",
            &[&order],
        )?
        .iter()
        .map(|r| json(r, 0))
        .collect()
    }

    fn due_holds(&mut self, now: NaiveDateTime) -> Result<Vec<String>, LedgerError> {
        let rows = self.rows(
            "SELECT id FROM claims WHERE status = 'active' AND kind = 'hold' AND expires <= $1 \
             ORDER BY expires, id COLLATE \"C\"",
            &[&time_key(now)],
        )?;
        rows.iter().map(|r| col(r, 0)).collect()
    }

    fn events_after(&mut self, seq: i64) -> Result<Vec<(i64, Event)>, LedgerError> {
        self.rows(
            "SELECT seq, payload FROM events WHERE seq > $1 ORDER BY seq",
            &[&seq],
        )?
        .iter()
        .map(|r| Ok((col(r, 0)?, json(r, 1)?)))
        .collect()
    }

    fn append(&mut self, request: &str, at: NaiveDateTime, e: &Event) -> Result<i64, LedgerError> {
        let row = self.one(
            "INSERT INTO events (request, at, payload) VALUES ($1, $2, $3) RETURNING seq",
            &[&request, &time_key(at), &serde_json::to_string(e)?],
        )?;
        col(&row, 0)
    }

    fn put_stock(&mut self, r: &StockRow) -> Result<(), LedgerError> {
        let sql = format!(
            "INSERT INTO stock ({STOCK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (node, sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, \
             safety = EXCLUDED.safety, inbound = EXCLUDED.inbound, \
             inbound_date = EXCLUDED.inbound_date, held = EXCLUDED.held, \
             reserved = EXCLUDED.reserved, committed = EXCLUDED.committed"
        );
        self.run(
            &sql,
            &[
                &r.node,
                &r.sku,
                &r.on_hand,
                &r.safety,
                &r.inbound,
                &r.inbound_date.map(|d| d.to_string()),
                &r.held,
                &r.reserved,
                &r.committed,
            ],
        )
    }

    fn channels_of(&mut self, sku: &str) -> Result<Vec<ChannelRow>, LedgerError> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channel_claims WHERE sku = $1");
        self.rows(&sql, &[&sku])?.iter().map(channel_row).collect()
    }

    fn put_channel(&mut self, r: &ChannelRow) -> Result<(), LedgerError> {
        self.run(
            "INSERT INTO channel_claims (sku, node, channel, held, reserved) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (sku, node, channel) DO UPDATE SET held = EXCLUDED.held, reserved = EXCLUDED.reserved",
            &[&r.sku, &r.node.as_deref().unwrap_or(""), &r.channel, &r.held, &r.reserved],
        )
    }

    fn put_network(&mut self, r: &NetRow) -> Result<(), LedgerError> {
        self.run(
            "INSERT INTO network (sku, held, reserved) VALUES ($1, $2, $3) \
             ON CONFLICT (sku) DO UPDATE SET held = EXCLUDED.held, reserved = EXCLUDED.reserved",
            &[&r.sku, &r.held, &r.reserved],
        )
    }

    fn put_claim(&mut self, c: &Claim) -> Result<(), LedgerError> {
        let kind = match c.kind {
            ClaimKind::Hold => "hold",
            ClaimKind::Reservation => "reservation",
        };
        self.run(
            "INSERT INTO claims (id, kind, order_id, status, expires, body) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, order_id = EXCLUDED.order_id, \
             status = EXCLUDED.status, expires = EXCLUDED.expires, body = EXCLUDED.body",
            &[
                &c.id,
                &kind,
                &c.order,
                &c.status.as_str(),
                &c.expires.map(time_key),
                &serde_json::to_string(c)?,
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_database_without_its_password() {
        for url in [
            "postgres://domopt:s3cret@127.0.0.1:5432/shop",
            "postgresql://domopt@127.0.0.1/shop?password=s3cret",
        ] {
            let (_, shown) = config_of(url, Duration::from_secs(5)).unwrap();
            assert_eq!(shown, "postgres://domopt@127.0.0.1:5432/shop", "{url}");
        }
    }

    #[test]
    fn an_unreachable_database_is_a_store_error_that_names_it_without_its_password() {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let e = PostgresLedger::open(
            "postgres://domopt:s3cret@127.0.0.1:1/shop",
            Arc::new(super::super::SystemClock),
        )
        .unwrap_err();
        assert_eq!(e.code(), crate::IssueCode::LedgerStore);
        let text = e.to_string();
        assert!(text.contains("postgres://domopt@127.0.0.1:1/shop"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn a_host_that_cannot_be_reached_is_named_as_such_while_a_malformed_url_is_e151() {
        let clock = || Arc::new(super::super::SystemClock);
        for (url, host) in [
            ("postgres://nohost", "nohost:5432"),
            ("postgres://domopt@127.0.0.1:1/shop", "127.0.0.1:1"),
        ] {
            let e = PostgresLedger::open(url, clock()).unwrap_err();
            assert_eq!(e.code(), crate::IssueCode::LedgerStore, "{url}");
            let text = e.to_string();
            assert!(
                text.contains(&format!("the database server {host} could not be reached")),
                "{text}"
            );
        }
        for url in ["postgres://u@h:notaport/db", "postgres://u@h/db?sslmode=nonsense"] {
            let e = PostgresLedger::open(url, clock()).unwrap_err();
            assert_eq!(e.code(), crate::IssueCode::BadLedgerUrl, "{url}");
        }
    }
}
