#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on loopback for tests.
#   eval "$(.ci/postgres.sh start)"   # exports DATABASE_URL and PG_TMPDIR
#   .ci/postgres.sh stop "$PG_TMPDIR"
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/portal-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    as_postgres "$PG_BIN/initdb" -D "$dir/data" -A trust -E UTF8 --no-sync -U postgres >"$dir/initdb.log" 2>&1
    # Test-only settings: durability off for speed; nothing here is worth keeping.
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-h 127.0.0.1 -p $port -k $dir -F -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
      start >/dev/null
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres portal
    echo "export PG_TMPDIR=$dir"
    echo "export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$port/portal"
    ;;
  stop)
    dir=${2:?usage: postgres.sh stop DIR}
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
