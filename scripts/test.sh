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
# The library alone, as an embedding crate gets it: no CLI, chart or progress crates.
cargo clippy --release --all-targets --no-default-features -- -D warnings
# The Python package's binding crate (python/, a member of the workspace).
cargo clippy --release -p domopt-python -- -D warnings
# The ledger's PostgreSQL tests need the local cluster up, with the domopt role.
./scripts/postgres.sh
cargo test --release
# The Python package: built with maturin into a venv under target/, then pytest.
./scripts/python.sh
# The library's API documentation, links included.
RUSTDOCFLAGS="-D warnings" cargo doc --release --no-deps --no-default-features
