#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster on loopback, exported as
# ENFORCEMENT_TEST_POSTGRES_URL; the cluster is stopped and removed afterwards.
# Without PostgreSQL binaries the command runs alone (the PostgreSQL tests then skip, except under CI=true).
set -uo pipefail
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ -n "${ENFORCEMENT_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi
# PGPORT_TEST, or a port the kernel reports free (two runs side by side must not collide).
port=${PGPORT_TEST:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
dir=$(mktemp -d /tmp/enforcement-pg.XXXXXX)
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
cleanup() { as_pg "$pg_bin/pg_ctl -D $dir/data -m immediate stop" >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
as_pg "$pg_bin/initdb -D $dir/data -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
if ! as_pg "$pg_bin/pg_ctl -D $dir/data -w -l $dir/log start -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\"" >/dev/null; then
  echo "with-postgres.sh: PostgreSQL did not start on port $port:" >&2
  tail -n 5 "$dir/log" >&2
  exit 1
fi
export ENFORCEMENT_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
"$@"
