//! The embedded back end: one SQLite file (bundled, nothing to install), in
//! WAL mode with `synchronous=FULL`, so that an acknowledged write survives
//! a crash. Each operation is one `BEGIN IMMEDIATE` transaction: writers,
//! whether threads or processes, take the file's write lock in turn and
//! wait for it (the store timeout, then E147), so requests for the last units are decided
//! one after the other on the state the previous one left.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::NaiveDateTime;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::input::format::{LoadedScenario, ScenarioFile};

use super::rules::{self, Base, Store};
use super::stored::{self, base_of, write_state};
use super::{
    Answer, ChannelRow, Claim, Clock, Event, Guard, Ledger, LedgerAvailability, LedgerError, NetRow,
    Request, Snapshot, State, StockRow, StoreOptions, VerifyReport,
};

/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: i64 = 3;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    request TEXT NOT NULL,
    at TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
CREATE TABLE requests (id TEXT PRIMARY KEY, content TEXT NOT NULL, answer TEXT NOT NULL);
CREATE TABLE stock (
    node TEXT NOT NULL, sku TEXT NOT NULL,
    on_hand INTEGER NOT NULL, safety INTEGER NOT NULL,
    inbound INTEGER NOT NULL, inbound_date TEXT,
    held INTEGER NOT NULL, reserved INTEGER NOT NULL, committed INTEGER NOT NULL,
    PRIMARY KEY (sku, node)
) WITHOUT ROWID;
CREATE TABLE network (sku TEXT PRIMARY KEY, held INTEGER NOT NULL, reserved INTEGER NOT NULL);
CREATE TABLE claims (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, order_id TEXT, status TEXT NOT NULL,
    expires TEXT, body TEXT NOT NULL
);
CREATE INDEX claims_by_order ON claims (order_id, status);
CREATE INDEX claims_due ON claims (status, kind, expires);
";

/// The named channels' claims per (SKU, node or '' for the network), added
/// in schema 3.
const CHANNEL_TABLE: &str = "
CREATE TABLE channel_claims (
    sku TEXT NOT NULL, node TEXT NOT NULL, channel TEXT NOT NULL,
    held INTEGER NOT NULL, reserved INTEGER NOT NULL,
    PRIMARY KEY (sku, node, channel)
) WITHOUT ROWID;
";

/// A ledger in one SQLite file.
pub struct SqliteLedger {
    conn: Mutex<Connection>,
    base: Base,
    clock: Arc<dyn Clock>,
    path: PathBuf,
    /// How long a writer waits for the file's write lock.
    timeout: Duration,
}

impl std::fmt::Debug for SqliteLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLedger").field("path", &self.path).finish()
    }
}

impl SqliteLedger {
    /// Makes a ledger at `path` (which must not exist, or be empty) from a
    /// scenario's network and inventory (its orders are left out), the
    /// scenario validated with cost model `model`.
    pub fn create(
        path: &Path,
        scenario: &LoadedScenario,
        model: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, LedgerError> {
        Self::create_with(path, scenario, model, clock, StoreOptions::default())
    }

    /// [`create`](Self::create) with `options`.
    pub fn create_with(
        path: &Path,
        scenario: &LoadedScenario,
        model: &str,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
    ) -> Result<Self, LedgerError> {
        Self::check_vacant(path)?;
        let mut file = scenario.file.clone();
        file.orders.clear();
        let base = base_of(&file, model)?;
        let mut conn = connect(path, OpenFlags::SQLITE_OPEN_CREATE, options.timeout)?;
        let now = clock.now();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(SCHEMA)?;
        tx.execute_batch(CHANNEL_TABLE)?;
        let meta = [
            ("schema_version", SCHEMA_VERSION.to_string()),
            ("model", model.to_string()),
            ("scenario", serde_json::to_string(&file)?),
            ("created", now.to_string()),
        ];
        for (k, v) in meta {
            tx.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", params![k, v])?;
        }
        {
            let mut store = SqliteStore { tx: &tx };
            let mut state = State::default();
            for e in rules::initial_events(&file.inventory, now) {
                state.apply(&e);
                store.append("init", now, &e)?;
            }
            write_state(&mut store, &state)?;
        }
        tx.commit()?;
        Ok(SqliteLedger {
            conn: Mutex::new(conn),
            base,
            clock,
            path: path.to_path_buf(),
            timeout: options.timeout,
        })
    }

    /// Whether a ledger may be made at `path`: nothing there, or an empty
    /// file. E149 when it holds a ledger already; E147 when it is a
    /// directory, or a file that is not a domopt ledger (left untouched).
    pub fn check_vacant(path: &Path) -> Result<(), LedgerError> {
        let Ok(m) = std::fs::metadata(path) else {
            return Ok(());
        };
        let shown = path.display();
        if m.is_dir() {
            return Err(LedgerError::Store(format!(
                "{shown} is a directory, not a ledger file: name a file in it"
            )));
        }
        if m.len() == 0 {
            return Ok(());
        }
        if is_ledger(path) {
            return Err(LedgerError::Exists(shown.to_string()));
        }
        Err(LedgerError::Store(format!(
            "{shown} is a file that is not a domopt ledger: it is left untouched; name a new file"
        )))
    }

    /// Opens the ledger at `path`.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, LedgerError> {
        Self::open_with(path, clock, StoreOptions::default())
    }

    /// Opens the ledger at `path` with `options`.
    pub fn open_with(
        path: &Path,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
    ) -> Result<Self, LedgerError> {
        if !path.is_file() {
            return Err(LedgerError::Store(format!(
                "no ledger at {}: make one with `domopt ledger init`",
                path.display()
            )));
        }
        let conn = connect(path, OpenFlags::empty(), options.timeout)?;
        let version: Option<String> = meta(&conn, "schema_version")
            .map_err(|_| LedgerError::Store(format!("{} is not a domopt ledger", path.display())))?;
        let mut conn = conn;
        if version.as_deref() == Some("2") {
            upgrade_from_2(&mut conn)?;
        } else if version.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            return Err(LedgerError::Store(format!(
                "{}: schema version {}, this domopt reads {SCHEMA_VERSION}",
                path.display(),
                version.unwrap_or_default()
            )));
        }
        let model = meta(&conn, "model")?.unwrap_or_default();
        let file: ScenarioFile = serde_json::from_str(&meta(&conn, "scenario")?.unwrap_or_default())?;
        Ok(SqliteLedger {
            conn: Mutex::new(conn),
            base: base_of(&file, &model)?,
            clock,
            path: path.to_path_buf(),
            timeout: options.timeout,
        })
    }

    /// Its file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed only on `Ok`.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut SqliteStore<'_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.busy(e))?;
        let out = f(&mut SqliteStore { tx: &tx })?;
        tx.commit()?;
        Ok(out)
    }

    /// E147 for a write lock not free within the timeout (another writer,
    /// thread or process, holds it), saying so; other errors as they are.
    fn busy(&self, e: rusqlite::Error) -> LedgerError {
        if e.sqlite_error_code() != Some(rusqlite::ErrorCode::DatabaseBusy) {
            return e.into();
        }
        LedgerError::Store(format!(
            "{}: the write lock was not free within the store timeout of {} s \
             (another writer holds it): try again",
            self.path.display(),
            self.timeout.as_secs_f64()
        ))
    }

    /// The stored state, read in one transaction.
    fn read_state(&self) -> Result<(State, Vec<Event>), LedgerError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = (read_all(&tx)?, read_events(&tx)?);
        tx.commit()?;
        Ok(out)
    }

    fn compare(&self, stored: &State, events: &[Event]) -> VerifyReport {
        stored::compare(&self.base, stored, events, self.clock.now().date())
    }
}

impl Ledger for SqliteLedger {
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
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let state = rules::sku_state(&mut SqliteStore { tx: &tx }, sku)?;
        tx.commit()?;
        self.base.availability(&state, sku, channel, at)
    }

    fn claim(&self, id: &str) -> Result<Option<Claim>, LedgerError> {
        rules::check_id("claim", id)?;
        let conn = self.lock();
        claim_by_id(&conn, id)
    }

    fn snapshot(&self) -> Result<Snapshot, LedgerError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let state = read_all(&tx)?;
        let seq: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
        tx.commit()?;
        Ok(Snapshot {
            state,
            seq,
            at: self.clock.now(),
        })
    }

    fn version(&self) -> Result<i64, LedgerError> {
        let conn = self.lock();
        Ok(conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?)
    }

    fn base(&self) -> &Base {
        &self.base
    }

    fn verify(&self) -> Result<VerifyReport, LedgerError> {
        let (stored, events) = self.read_state()?;
        Ok(self.compare(&stored, &events))
    }

    fn rebuild(&self) -> Result<VerifyReport, LedgerError> {
        self.write(|store| {
            let stored = read_all(store.tx)?;
            let events = read_events(store.tx)?;
            let report = self.compare(&stored, &events);
            store
                .tx
                .execute_batch(CLEAR_STATE)?;
            write_state(store, &State::replay(&events))?;
            Ok(report)
        })
    }
}

/// Empties the tables of the state (not the history).
const CLEAR_STATE: &str =
    "DELETE FROM stock; DELETE FROM network; DELETE FROM claims; DELETE FROM channel_claims;";

/// Schema 2 had no per-channel claim rows: adds their table, filled from
/// the replay of the history, in one transaction.
fn upgrade_from_2(conn: &mut Connection) -> Result<(), LedgerError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let events = read_events(&tx)?;
    tx.execute_batch(CHANNEL_TABLE)?;
    {
        let mut store = SqliteStore { tx: &tx };
        for r in State::replay(&events).channels.values() {
            store.put_channel(r)?;
        }
    }
    tx.execute("UPDATE meta SET value = ?1 WHERE key = 'schema_version'", [SCHEMA_VERSION.to_string()])?;
    tx.commit()?;
    Ok(())
}


/// Whether the file at `path` holds a domopt ledger (an SQLite database
/// with the ledger's `meta` table), read without writing anything; a file
/// that cannot be read as one counts as a ledger only if it looks like
/// SQLite, so that nothing is ever overwritten on a doubt.
fn is_ledger(path: &Path) -> bool {
    let mut head = [0u8; 16];
    let sqlite = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0");
    if !sqlite {
        return false;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(path, flags) else {
        return true;
    };
    match meta(&conn, "schema_version") {
        Ok(v) => v.is_some(),
        Err(LedgerError::Store(text)) => !text.contains("no such table"),
        Err(_) => true,
    }
}

/// A connection with the durability and locking the ledger relies on: a
/// writer waits `timeout` for the file's write lock.
fn connect(path: &Path, extra: OpenFlags, timeout: Duration) -> Result<Connection, LedgerError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | extra;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(timeout)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(LedgerError::Store(format!("journal mode {mode}, WAL wanted")));
    }
    // A large network's stock table is hundreds of megabytes: reads go
    // through a memory map and a 64 MiB page cache rather than a read call
    // per page.
    conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;")?;
    Ok(conn)
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>, LedgerError> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

fn claim_by_id(conn: &Connection, id: &str) -> Result<Option<Claim>, LedgerError> {
    let body: Option<String> = conn
        .query_row("SELECT body FROM claims WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

/// Times in the claims table, fixed width so that text order is time order.
fn time_key(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.9f").to_string()
}

fn stock_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StockRow> {
    let date: Option<String> = r.get(5)?;
    Ok(StockRow {
        node: r.get(0)?,
        sku: r.get(1)?,
        on_hand: r.get(2)?,
        safety: r.get(3)?,
        inbound: r.get(4)?,
        inbound_date: date.and_then(|d| d.parse().ok()),
        held: r.get(6)?,
        reserved: r.get(7)?,
        committed: r.get(8)?,
    })
}

const CHANNEL_COLUMNS: &str = "sku, node, channel, held, reserved";

/// A channel row; the network's is stored with node ''.
fn channel_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChannelRow> {
    let node: String = r.get(1)?;
    Ok(ChannelRow {
        sku: r.get(0)?,
        node: (!node.is_empty()).then_some(node),
        channel: r.get(2)?,
        held: r.get(3)?,
        reserved: r.get(4)?,
    })
}

const STOCK_COLUMNS: &str =
    "node, sku, on_hand, safety, inbound, inbound_date, held, reserved, committed";

fn read_all(conn: &Connection) -> Result<State, LedgerError> {
    let mut s = State::default();
    let mut q = conn.prepare(&format!("SELECT {STOCK_COLUMNS} FROM stock"))?;
    for r in q.query_map([], stock_row)? {
        let r = r?;
        s.stock.insert((r.node.clone(), r.sku.clone()), r);
    }
    let mut q = conn.prepare("SELECT sku, held, reserved FROM network")?;
    for r in q.query_map([], |r| {
        Ok(NetRow {
            sku: r.get(0)?,
            held: r.get(1)?,
            reserved: r.get(2)?,
        })
    })? {
        let r = r?;
        s.network.insert(r.sku.clone(), r);
    }
    let mut q = conn.prepare("SELECT body FROM claims")?;
    for body in q.query_map([], |r| r.get::<_, String>(0))? {
        let c: Claim = serde_json::from_str(&body?)?;
        s.claims.insert(c.id.clone(), c);
    }
    let mut q = conn.prepare(&format!("SELECT {CHANNEL_COLUMNS} FROM channel_claims"))?;
    for r in q.query_map([], channel_row)? {
        let r = r?;
        s.channels.insert(r.key(), r);
    }
    Ok(s)
}

fn read_events(conn: &Connection) -> Result<Vec<Event>, LedgerError> {
    let mut q = conn.prepare("SELECT payload FROM events ORDER BY seq")?;
    let rows = q.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for p in rows {
        out.push(serde_json::from_str(&p?)?);
    }
    Ok(out)
}

/// The SQLite transaction an operation runs in.
struct SqliteStore<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

impl Store for SqliteStore<'_> {
    fn stored_request(&mut self, id: &str) -> Result<Option<(String, String)>, LedgerError> {
        Ok(self
            .tx
            .query_row(
                "SELECT content, answer FROM requests WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn put_request(&mut self, id: &str, content: &str, answer: &str) -> Result<(), LedgerError> {
        self.tx.execute(
            "INSERT INTO requests (id, content, answer) VALUES (?1, ?2, ?3)",
            params![id, content, answer],
        )?;
        Ok(())
    }

    fn stock_of(&mut self, sku: &str) -> Result<Vec<StockRow>, LedgerError> {
        let mut q = self
            .tx
            .prepare_cached(&format!("SELECT {STOCK_COLUMNS} FROM stock WHERE sku = ?1"))?;
        let rows = q.query_map([sku], stock_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn network_of(&mut self, sku: &str) -> Result<Option<NetRow>, LedgerError> {
        Ok(self
            .tx
            .query_row(
                "SELECT sku, held, reserved FROM network WHERE sku = ?1",
                [sku],
                |r| {
                    Ok(NetRow {
                        sku: r.get(0)?,
                        held: r.get(1)?,
                        reserved: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn claim(&mut self, id: &str) -> Result<Option<Claim>, LedgerError> {
        claim_by_id(self.tx, id)
    }

    fn active_claims_of_order(&mut self, order: &str) -> Result<Vec<Claim>, LedgerError> {
        let mut q = self.tx.prepare_cached(
            "SELECT body FROM claims WHERE order_id = ?1 AND status = 'active' ORDER BY id",
        )?;
        let bodies = q.query_map([order], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for b in bodies {
            out.push(serde_json::from_str(&b?)?);
        }
        Ok(out)
    }

    fn due_holds(&mut self, now: NaiveDateTime) -> Result<Vec<String>, LedgerError> {
        let mut q = self.tx.prepare_cached(
            "SELECT id FROM claims WHERE status = 'active' AND kind = 'hold' AND expires <= ?1 \
             ORDER BY expires, id",
        )?;
        let ids = q.query_map([time_key(now)], |r| r.get::<_, String>(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    fn events_after(&mut self, seq: i64) -> Result<Vec<(i64, Event)>, LedgerError> {
        let mut q = self
            .tx
            .prepare_cached("SELECT seq, payload FROM events WHERE seq > ?1 ORDER BY seq")?;
        let rows = q.query_map([seq], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (n, payload) = row?;
            out.push((n, serde_json::from_str(&payload)?));
        }
        Ok(out)
    }

    fn append(&mut self, request: &str, at: NaiveDateTime, e: &Event) -> Result<i64, LedgerError> {
        self.tx.execute(
            "INSERT INTO events (request, at, payload) VALUES (?1, ?2, ?3)",
            params![request, time_key(at), serde_json::to_string(e)?],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    fn put_stock(&mut self, r: &StockRow) -> Result<(), LedgerError> {
        self.tx.execute(
            &format!(
                "INSERT OR REPLACE INTO stock ({STOCK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                r.node,
                r.sku,
                r.on_hand,
                r.safety,
                r.inbound,
                r.inbound_date.map(|d| d.to_string()),
                r.held,
                r.reserved,
                r.committed
            ],
        )?;
        Ok(())
    }

    fn channels_of(&mut self, sku: &str) -> Result<Vec<ChannelRow>, LedgerError> {
        let mut q = self
            .tx
            .prepare_cached(&format!("SELECT {CHANNEL_COLUMNS} FROM channel_claims WHERE sku = ?1"))?;
        let rows = q.query_map([sku], channel_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn put_channel(&mut self, r: &ChannelRow) -> Result<(), LedgerError> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO channel_claims (sku, node, channel, held, reserved) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![r.sku, r.node.as_deref().unwrap_or(""), r.channel, r.held, r.reserved])?;
        Ok(())
    }

    fn put_network(&mut self, r: &NetRow) -> Result<(), LedgerError> {
        self.tx.execute(
            "INSERT OR REPLACE INTO network (sku, held, reserved) VALUES (?1, ?2, ?3)",
            params![r.sku, r.held, r.reserved],
        )?;
        Ok(())
    }

    fn put_claim(&mut self, c: &Claim) -> Result<(), LedgerError> {
        let kind = match c.kind {
            super::ClaimKind::Hold => "hold",
            super::ClaimKind::Reservation => "reservation",
        };
        self.tx.execute(
            "INSERT OR REPLACE INTO claims (id, kind, order_id, status, expires, body) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                c.id,
                kind,
                c.order,
                c.status.as_str(),
                c.expires.map(time_key),
                serde_json::to_string(c)?
            ],
        )?;
        Ok(())
    }
}
