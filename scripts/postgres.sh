#!/usr/bin/env sh
# Makes the local PostgreSQL ready for the ledger's PostgreSQL tests: starts
# the cluster when it is down, creates the login role `domopt` (password
# `domopt`, CREATEDB) when missing, and waits until it accepts connections on
# 127.0.0.1:5432. Idempotent; exits non-zero, saying why, when it cannot.
# The tests then connect as postgres://domopt:domopt@127.0.0.1:5432/postgres
# (override with DOMOPT_TEST_POSTGRES) and make one database per test.
# Needs root and Debian's postgresql packages (pg_lsclusters, pg_ctlcluster),
# which it installs with apt-get when they are missing.
set -eu
fail() { echo "scripts/postgres.sh: $*" >&2; exit 1; }
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 \
    || fail "PostgreSQL is not installed and there is no apt-get: install it and re-run"
  echo "scripts/postgres.sh: installing PostgreSQL (Debian's postgresql)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
    || fail "apt-get install postgresql failed"
fi
# The first cluster listed: on these machines, 15 main.
set -- $(pg_lsclusters --no-header | head -n 1)
[ $# -ge 4 ] || fail "no PostgreSQL cluster (pg_lsclusters lists none)"
version=$1 cluster=$2 port=$3 status=$4
[ "$port" = 5432 ] || fail "cluster $version/$cluster listens on $port, the tests use 5432"
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }
if [ "$status" != online ]; then
  echo "scripts/postgres.sh: starting PostgreSQL $version/$cluster" >&2
  pg_ctlcluster "$version" "$cluster" start \
    || fail "pg_ctlcluster $version $cluster start failed (see /var/log/postgresql/)"
fi
# 64 racing connections per test, two tests at a time, and the servers' pools:
# more than the default 100 connections.
max=$(psql_admin -tA -c "SHOW max_connections")
if [ "$max" -lt 300 ]; then
  echo "scripts/postgres.sh: max_connections $max -> 300 (restarts the cluster)" >&2
  psql_admin -c "ALTER SYSTEM SET max_connections = 300"
  pg_ctlcluster "$version" "$cluster" restart || fail "restart failed"
fi
psql_admin -d postgres <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'domopt') THEN
    CREATE ROLE domopt LOGIN CREATEDB PASSWORD 'domopt';
  END IF;
END $$;
SQL
# Connections over TCP with the password, as the tests make them.
i=0
until PGPASSWORD=domopt psql -X -q -h 127.0.0.1 -p "$port" -U domopt -d postgres \
  -c "SELECT 1" >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -lt 30 ] || fail "PostgreSQL does not accept domopt's connections on 127.0.0.1:$port after 30 s"
  sleep 1
done
echo "scripts/postgres.sh: PostgreSQL $version/$cluster ready on 127.0.0.1:$port (role domopt)" >&2
