#!/usr/bin/env bash
# Rapport on Citus, outside the suite (issue 24 point 4; docs/ARCHITECTURE.md "Running on Citus").
#
#   CITUS_SRC=/path/to/citus scripts/citus.sh      (npm run citus)
#
# Builds Citus from its source when PostgreSQL 15 does not have it yet (Debian's archive has
# no Citus package): a checkout of https://github.com/citusdata/citus at a release that
# supports PostgreSQL 15 (v13.2.2 was used; v14 needs PostgreSQL 16 or later), with
# postgresql-server-dev-15, liblz4-dev, libzstd-dev and libkrb5-dev installed, as root (make install writes
# into PostgreSQL's directories). Then starts a throwaway cluster — a coordinator and two
# workers, each its own PostgreSQL 15 on ports RAPPORT_CITUS_PORT (default 5441) to +2, in a
# temporary directory, run as the postgres user — runs scripts/citus-check.ts against it and
# stops and removes the cluster. The shared server on 5432 is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PORT=${RAPPORT_CITUS_PORT:-5441}

if [ ! -f "$(pg_config --pkglibdir)/citus.so" ]; then
  : "${CITUS_SRC:?Citus is not installed: set CITUS_SRC to a Citus source checkout (v13.x for PostgreSQL 15)}"
  echo "Building Citus from $CITUS_SRC"
  # PostgreSQL 15.20's headers declare have_createdb_privilege(), which Citus 13 defines as a
  # static compatibility function for PostgreSQL 15: rename Citus's unused copy (once), so its
  # callers use PostgreSQL's.
  compat="$CITUS_SRC/src/include/pg_version_compat.h"
  if grep -q 'have_createdb_privilege' /usr/include/postgresql/15/server/commands/dbcommands.h &&
    ! grep -q citus_have_createdb_privilege "$compat"; then
    sed -i 's/^have_createdb_privilege(void)$/citus_have_createdb_privilege(void)/' "$compat"
  fi
  (cd "$CITUS_SRC" && { [ -f Makefile.global ] || ./configure --without-libcurl; } &&
    make -j"$(nproc)" with_llvm=no && make install with_llvm=no)
fi

WORK=$(mktemp -d /tmp/rapport-citus-XXXXXX)
chown postgres "$WORK"
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  for i in 0 1 2; do
    [ -d "$WORK/n$i" ] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/n$i" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

for i in 0 1 2; do
  as_pg "$PG_BIN/initdb" -D "$WORK/n$i" -A trust -U postgres >/dev/null
  cat >>"$WORK/n$i/postgresql.conf" <<EOF
port = $((PORT + i))
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
shared_preload_libraries = 'citus'
max_connections = 200
wal_level = logical
fsync = off
EOF
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/n$i" -l "$WORK/n$i.log" -w start >/dev/null
  psql -h 127.0.0.1 -p $((PORT + i)) -U postgres -qAtc 'create extension citus'
done
psql -h 127.0.0.1 -p "$PORT" -U postgres -qAt \
  -c "select citus_set_coordinator_host('127.0.0.1', $PORT)" \
  -c "select citus_add_node('127.0.0.1', $((PORT + 1)))" \
  -c "select citus_add_node('127.0.0.1', $((PORT + 2)))" >/dev/null

RAPPORT_CITUS_URL="postgres://postgres@127.0.0.1:$PORT/postgres" node --import tsx scripts/citus-check.ts
