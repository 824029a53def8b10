#!/usr/bin/env bash
# Brings up a local PostgreSQL for the store conformance tests and prints
# the URL to give them on stdout (and nothing else; progress goes to stderr):
#
#   export CARTELSCREEN_TEST_POSTGRES_URL="$(.ci/postgres.sh)"
#   cargo test --release --lib store::
#
# Run as root on Debian 12. Idempotent: installs the server if missing,
# starts the cluster if it is down, creates the role `cartelscreen`
# (password `cartelscreen`, LOGIN CREATEDB) and the database
# `cartelscreen_test` it owns if they are absent.
set -euo pipefail

# Everything but the final URL goes to stderr.
exec 3>&1 1>&2

ROLE=cartelscreen
PASSWORD=cartelscreen
DATABASE=cartelscreen_test

log() { echo "postgres.sh: $*" >&2; }

as_postgres() {
  if command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi

# The newest installed server version.
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if [ -z "$VERSION" ]; then
  log "no PostgreSQL server under /usr/lib/postgresql"
  exit 2
fi

if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
  log "creating cluster $VERSION/main"
  pg_createcluster "$VERSION" main
fi

PORT="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" { print $3 }')"
STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" { print $4 }')"
if [ "$STATUS" != "online" ]; then
  log "starting cluster $VERSION/main on port $PORT"
  # The server daemonizes and would keep inherited descriptors open: give
  # it none of ours (a caller's `$(...)` would otherwise wait for it).
  START_LOG="$(mktemp)"
  if ! pg_ctlcluster "$VERSION" main start </dev/null >"$START_LOG" 2>&1 3>&-; then
    cat "$START_LOG" >&2
    service postgresql start </dev/null >"$START_LOG" 2>&1 3>&- || { cat "$START_LOG" >&2; rm -f "$START_LOG"; exit 1; }
  fi
  rm -f "$START_LOG"
fi

log "waiting for the server"
for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    break
  fi
  sleep 1
done
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
  log "PostgreSQL did not become ready on 127.0.0.1:$PORT"
  exit 1
fi

psql_admin() {
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@"
}

if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  log "creating role $ROLE"
  psql_admin -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'"
else
  psql_admin -c "ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'"
fi

if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
  log "creating database $DATABASE"
  psql_admin -c "CREATE DATABASE $DATABASE OWNER $ROLE"
fi

log "ready"
echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE" >&3
