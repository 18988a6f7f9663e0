#!/usr/bin/env bash
set -euo pipefail
PGDATA=${PGDATA:-/var/tmp/realsvc-pg}
BIN=/usr/lib/postgresql/15/bin
as_pg() { su postgres -s /bin/bash -c "$*"; }
case "${1:-}" in
start)
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"; chown postgres:postgres "$PGDATA"; chmod 700 "$PGDATA"
    as_pg "$BIN/initdb -D $PGDATA -U postgres --auth=trust" >/dev/null
    printf "listen_addresses = '127.0.0.1,::1'\nunix_socket_directories = '/tmp'\nport = 5432\n" >> "$PGDATA/postgresql.conf"
  fi
  as_pg "$BIN/pg_ctl -D $PGDATA status" >/dev/null 2>&1 || as_pg "$BIN/pg_ctl -D $PGDATA -l $PGDATA/log -w start" >/dev/null
  echo "postgres up on localhost:5432 ($PGDATA)";;
stop) as_pg "$BIN/pg_ctl -D $PGDATA -w stop" ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
