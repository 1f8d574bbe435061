//! A PostgreSQL database per test, for the tests that run on both ledger
//! back ends: made on the server `DOMOPT_TEST_POSTGRES` names (default
//! `postgres://domopt:domopt@127.0.0.1:5432/postgres`, which
//! `scripts/postgres.sh` readies) and dropped when the test ends. A test
//! fails, saying what to run, when PostgreSQL is not reachable.

use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The admin URL of the PostgreSQL the tests use.
fn admin_url() -> String {
    std::env::var("DOMOPT_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://domopt:domopt@127.0.0.1:5432/postgres".into())
}

/// A connection to `url`, or a failure that says how to get PostgreSQL
/// ready.
pub fn connect(url: &str) -> ::postgres::Client {
    let mut config: ::postgres::Config = url.parse().expect("a PostgreSQL URL");
    config.connect_timeout(Duration::from_secs(5));
    config.connect(::postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable ({e:?}): run scripts/postgres.sh (it starts the \
             cluster and makes the domopt role), or set DOMOPT_TEST_POSTGRES to an admin URL"
        )
    })
}

/// `url` with another database name.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, ""), |(b, q)| (b, q));
    let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{server}/{db}{query}")
}

/// A database made for one test, dropped when the test ends.
pub struct TestDatabase {
    name: String,
}

impl TestDatabase {
    pub fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        static SWEEP: Once = Once::new();
        let mut admin = connect(&admin_url());
        SWEEP.call_once(|| drop_left_over(&mut admin));
        let name = format!(
            "domopt_t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        TestDatabase { name }
    }

    pub fn url(&self) -> String {
        with_database(&admin_url(), &self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Best effort: a database left over is swept by a later run.
        let admin = admin_url()
            .parse::<::postgres::Config>()
            .map(|c| c.connect(::postgres::NoTls));
        if let Ok(Ok(mut admin)) = admin {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = admin.batch_execute(&sql);
        }
    }
}

/// Drops the test databases of test processes that are gone (killed
/// before their databases were dropped).
fn drop_left_over(admin: &mut ::postgres::Client) {
    let Ok(rows) = admin.query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'domopt\\_t\\_%'",
        &[],
    ) else {
        return;
    };
    for row in rows {
        let name: String = row.get(0);
        let pid = name.split('_').nth(2).unwrap_or_default();
        if !Path::new("/proc").join(pid).exists() {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Each named test function, taking a `Backend` (an enum of the test file
/// with `Sqlite` and `Postgres`), as `sqlite::NAME` and `postgres::NAME`.
#[allow(unused_macros)]
macro_rules! on_both_back_ends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(super::Backend::Sqlite)
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name(super::Backend::Postgres)
            })*
        }
    };
}
