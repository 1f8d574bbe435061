//! The integration tests, built as one test binary: each file of `tests/` is
//! a module named after what it tests, and the library is linked once rather
//! than once per file (`cargo test --release --test integration golden::` runs
//! one module). The shared helpers are declared first, so that their macros
//! are in scope in every module after them.

mod common;
#[macro_use]
#[path = "common/postgres.rs"]
mod test_postgres;
#[path = "common/ledger.rs"]
mod test_ledger;

#[cfg(feature = "cli")]
mod atomic_write;
mod calendars;
mod check_mutations;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "columnar")]
mod columnar;
#[cfg(feature = "cli")]
mod examples;
mod exhaustive;
mod explain;
mod extremes;
#[cfg(feature = "cli")]
mod fuzz;
mod golden;
mod layering;
#[cfg(feature = "cli")]
mod ledger;
#[cfg(feature = "cli")]
mod ledger_edges;
mod ledger_fuzz;
#[cfg(feature = "cli")]
mod ledger_wave;
mod overlap;
mod promise;
mod promise_agreement;
mod properties;
mod reroute;
mod research_formats;
#[cfg(feature = "cli")]
mod returns;
#[cfg(feature = "serve")]
mod serve;
#[cfg(feature = "cli")]
mod serve_ledger;
mod simulate;
mod solve_record;
mod transfers;
mod tune;
mod validation;
