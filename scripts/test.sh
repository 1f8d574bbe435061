#!/usr/bin/env sh
# Every test of the project: formatting, lints, unit, golden, CLI, property and
# exhaustive tests, and the Python package's tests (scripts/python.sh).
# Installs HiGHS's build prerequisites if missing, and starts the local
# PostgreSQL for the ledger's PostgreSQL tests (scripts/postgres.sh).
# Release profile throughout so that HiGHS is compiled once.
set -eu
cd "$(dirname "$0")/.."
./scripts/prereqs.sh
cargo fmt --check
cargo clippy --release --all-targets -- -D warnings
# The Python package's binding crate (python/, a member of the workspace). It
# builds the library as an embedding crate gets it, without the CLI and the
# HTTP service, so this also lints the library alone. (A lint of the targets
# with --no-default-features would not: the tests' dev-dependency on domopt
# turns the default features back on.)
cargo clippy --release -p domopt-python -- -D warnings
# The ledger's PostgreSQL tests need the local cluster up, with the domopt role.
./scripts/postgres.sh
# One build of the workspace: the tests, the CLI and the Python extension
# (target/release/lib_domopt.so, which scripts/python.sh tests) under one
# resolution of features. Built on its own, the extension would get other
# features in the crates below it (the tests' dev-dependencies and the CLI
# turn on more) and compile nearly all of them again, seven minutes of CI.
cargo build --release --workspace --lib --bins --tests --examples
cargo test --release --workspace
# The Python package: laid out from that build in a venv under target/, then
# pytest.
./scripts/python.sh
# The library's API documentation, links included, with the default features
# (as docs.rs builds it). Without them the build scripts' own dependencies
# resolve with other features (zstd's build asks for cc's "parallel") and HiGHS
# would be compiled a second time, four minutes of CI.
RUSTDOCFLAGS="-D warnings" cargo doc --release --no-deps --lib
