//! Ledger URLs: which back end a command or server uses. `sqlite:PATH`,
//! `sqlite://PATH` or a bare path name the embedded SQLite file;
//! `postgres://` or `postgresql://` a PostgreSQL database shared by several
//! servers (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`, the connection
//! string of libpq; builds with the `postgres` feature).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::input::format::LoadedScenario;

#[cfg(feature = "postgres")]
use super::postgres::PostgresLedger;
use super::sqlite::SqliteLedger;
use super::stored::redact;
use super::{Clock, Ledger, LedgerError};

/// A parsed ledger URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://user:pass@host:port/db`).
    Postgres(String),
}

impl std::str::FromStr for LedgerUrl {
    type Err = LedgerError;

    fn from_str(url: &str) -> Result<Self, LedgerError> {
        let bad = |detail: &str| LedgerError::BadUrl {
            url: url.into(),
            detail: detail.into(),
        };
        let trimmed = url.trim();
        if trimmed.is_empty() {
            return Err(bad("empty"));
        }
        if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
            return Ok(LedgerUrl::Postgres(trimmed.to_string()));
        }
        let path = trimmed
            .strip_prefix("sqlite://")
            .or_else(|| trimmed.strip_prefix("sqlite:"));
        match path {
            Some("") => Err(bad("no file after `sqlite:`")),
            Some(p) => Ok(LedgerUrl::Sqlite(PathBuf::from(p))),
            None if has_scheme(trimmed) => Err(bad(
                "unknown scheme: use sqlite:PATH, a path, or postgres://user@host/db",
            )),
            None => Ok(LedgerUrl::Sqlite(PathBuf::from(trimmed))),
        }
    }
}

/// The file's path, or the PostgreSQL URL without its password.
impl std::fmt::Display for LedgerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LedgerUrl::Sqlite(path) => write!(f, "{}", path.display()),
            LedgerUrl::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// `scheme:` before any `/` (a Windows-free world: `C:` is not a concern).
fn has_scheme(s: &str) -> bool {
    s.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && !scheme.contains('/')
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// How long a request waits for the ledger's store by default: see
/// [`StoreOptions`].
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest store timeout accepted (an hour): beyond it a caller would
/// rather know that the store does not answer.
pub const MAX_STORE_TIMEOUT: Duration = Duration::from_secs(3600);

/// How a ledger is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// How long a request waits for the store before it is refused with
    /// E147: for the write lock (SQLite's busy timeout, PostgreSQL's
    /// `lock_timeout`), for a connection of the pool, and to connect.
    /// It bounds waiting, never the work done once the lock is held: a
    /// wave's commit, `ledger init` and `rebuild` run as long as they need
    /// (and requests waiting behind them give up after this time).
    pub timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            timeout: DEFAULT_STORE_TIMEOUT,
        }
    }
}

impl StoreOptions {
    /// Options with a store timeout of `timeout`: more than zero and at
    /// most [`MAX_STORE_TIMEOUT`], E120 otherwise.
    pub fn with_timeout(timeout: Duration) -> Result<Self, crate::error::DomoptError> {
        if timeout.is_zero() || timeout > MAX_STORE_TIMEOUT {
            return Err(crate::error::DomoptError::Settings {
                field: "store timeout".into(),
                detail: format!(
                    "{} s: more than 0 and at most {} s",
                    timeout.as_secs_f64(),
                    MAX_STORE_TIMEOUT.as_secs()
                ),
            });
        }
        Ok(StoreOptions { timeout })
    }
}

/// Opens the ledger at `url`, with the default [`StoreOptions`].
pub fn open(url: &str, clock: Arc<dyn Clock>) -> Result<Box<dyn Ledger>, LedgerError> {
    open_with(url, clock, StoreOptions::default())
}

/// Opens the ledger at `url` with `options`.
pub fn open_with(
    url: &str,
    clock: Arc<dyn Clock>,
    options: StoreOptions,
) -> Result<Box<dyn Ledger>, LedgerError> {
    match url.parse()? {
        LedgerUrl::Sqlite(path) => Ok(Box::new(SqliteLedger::open_with(&path, clock, options)?)),
        #[cfg(feature = "postgres")]
        LedgerUrl::Postgres(url) => Ok(Box::new(PostgresLedger::open_with(
            &url, clock, options,
        )?)),
        #[cfg(not(feature = "postgres"))]
        LedgerUrl::Postgres(_) => Err(postgres_missing(url)),
    }
}

/// Makes a ledger at `url` from a scenario's network and inventory, with
/// the default [`StoreOptions`].
pub fn create(
    url: &str,
    scenario: &LoadedScenario,
    model: &str,
    clock: Arc<dyn Clock>,
) -> Result<Box<dyn Ledger>, LedgerError> {
    create_with(url, scenario, model, clock, StoreOptions::default())
}

/// Makes a ledger at `url` from a scenario's network and inventory, with
/// `options`.
pub fn create_with(
    url: &str,
    scenario: &LoadedScenario,
    model: &str,
    clock: Arc<dyn Clock>,
    options: StoreOptions,
) -> Result<Box<dyn Ledger>, LedgerError> {
    match url.parse()? {
        LedgerUrl::Sqlite(path) => Ok(Box::new(SqliteLedger::create_with(
            &path, scenario, model, clock, options,
        )?)),
        #[cfg(feature = "postgres")]
        LedgerUrl::Postgres(url) => Ok(Box::new(PostgresLedger::create_with(
            &url, scenario, model, clock, options,
        )?)),
        #[cfg(not(feature = "postgres"))]
        LedgerUrl::Postgres(_) => Err(postgres_missing(url)),
    }
}

/// A build without the `postgres` feature (the library alone).
#[cfg(not(feature = "postgres"))]
fn postgres_missing(url: &str) -> LedgerError {
    LedgerError::BadUrl {
        url: url.into(),
        detail: "the PostgreSQL back end is not in this build".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<LedgerUrl> {
        s.parse().ok()
    }

    #[test]
    fn paths_and_sqlite_urls_name_a_file_and_postgres_urls_a_database() {
        let file = |p: &str| Some(LedgerUrl::Sqlite(PathBuf::from(p)));
        assert_eq!(parse("target/l.db"), file("target/l.db"));
        assert_eq!(parse("sqlite:target/l.db"), file("target/l.db"));
        assert_eq!(parse("sqlite:///tmp/l.db"), file("/tmp/l.db"));
        assert_eq!(
            parse("postgres://u@127.0.0.1/db"),
            Some(LedgerUrl::Postgres("postgres://u@127.0.0.1/db".into()))
        );
    }

    #[test]
    fn a_postgres_url_shows_without_its_password() {
        let shown = |s: &str| parse(s).map(|u| u.to_string());
        assert_eq!(
            shown("postgres://u:s3cret@h:5/db?password=x").as_deref(),
            Some("postgres://u@h:5/db")
        );
        assert_eq!(shown("target/l.db").as_deref(), Some("target/l.db"));
    }

    #[test]
    fn an_unknown_scheme_or_an_empty_url_is_refused_with_its_code() {
        for url in ["", "  ", "mysql://x/y", "sqlite:", "http://localhost"] {
            let e = url.parse::<LedgerUrl>().unwrap_err();
            assert_eq!(e.code(), crate::IssueCode::BadLedgerUrl, "{url}");
        }
    }
}
