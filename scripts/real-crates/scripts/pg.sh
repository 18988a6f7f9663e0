#!/usr/bin/env bash
# A local PostgreSQL for rust-postgres's tests, set up as its docker-compose.yml does
# (port 5433 on loopback, its docker/sql_setup.sh: users, hba rules, SSL, extensions), with the
# PostgreSQL 15 installed on this machine instead of a container.
# The certificate that script installs (and the crate's test/server.crt, which its TLS tests
# trust) expired on 2026-06-26; `start` renews both with the same key and subject when expired,
# so the 11 TLS tests run instead of failing on the handshake (a test-fixture change in src/).
# Usage: pg.sh start | stop | status
set -euo pipefail
PGDATA=${PGDATA:-/var/tmp/realcrates-pg}
BIN=/usr/lib/postgresql/15/bin
SRC=${REAL_CRATES_DIR:-/work/realcrates}/src/rust-postgres
SETUP=$SRC/docker/sql_setup.sh
as_pg() { su postgres -s /bin/bash -c "$*"; }
# Re-issues the expired self-signed certificate: same key, same subject, valid 10 years.
renew_cert() {
  openssl x509 -checkend 0 -noout -in "$SRC/test/server.crt" >/dev/null 2>&1 && return 0
  local key; key=$(mktemp)
  sed -n '/BEGIN RSA PRIVATE KEY/,/END RSA PRIVATE KEY/p' "$SETUP" > "$key"
  openssl req -new -x509 -key "$key" -days 3650 -sha256 \
    -subj "/C=AU/ST=Some-State/O=Internet Widgits Pty Ltd/CN=localhost" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "subjectAltName=DNS:localhost" \
    -out "$SRC/test/server.crt"
  openssl x509 -in "$SRC/test/server.crt" -outform der -out "$SRC/test/server.der"
  rm -f "$key"
  if [ -f "$PGDATA/server.crt" ]; then
    cp "$SRC/test/server.crt" "$PGDATA/server.crt"; chown postgres:postgres "$PGDATA/server.crt"
    if as_pg "$BIN/pg_ctl -D $PGDATA status" >/dev/null 2>&1; then
      as_pg "$BIN/pg_ctl -D $PGDATA -l $PGDATA/log -w restart" >/dev/null
    fi
  fi
  echo "renewed the expired test certificate ($SRC/test/server.crt)"
}
case "${1:-}" in
start)
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"; chown postgres:postgres "$PGDATA"; chmod 700 "$PGDATA"
    as_pg "$BIN/initdb -D $PGDATA -U postgres --auth=trust" >/dev/null
    # only loopback; socket in /tmp
    printf "listen_addresses = '127.0.0.1,::1'\nunix_socket_directories = '/tmp'\nport = 5433\n" >> "$PGDATA/postgresql.conf"
    as_pg "$BIN/pg_ctl -D $PGDATA -l $PGDATA/log -w start" >/dev/null
    cp "$SETUP" /tmp/realcrates-sql_setup.sh; chmod 755 /tmp/realcrates-sql_setup.sh
    as_pg "PGDATA=$PGDATA POSTGRES_USER=postgres PGHOST=/tmp PGPORT=5433 bash /tmp/realcrates-sql_setup.sh" >/dev/null
    as_pg "$BIN/pg_ctl -D $PGDATA -l $PGDATA/log -w restart" >/dev/null
  elif ! as_pg "$BIN/pg_ctl -D $PGDATA status" >/dev/null 2>&1; then
    as_pg "$BIN/pg_ctl -D $PGDATA -l $PGDATA/log -w start" >/dev/null
  fi
  renew_cert
  echo "postgres up on 127.0.0.1:5433 ($PGDATA)"
  ;;
stop) as_pg "$BIN/pg_ctl -D $PGDATA -w stop" ;;
status) as_pg "$BIN/pg_ctl -D $PGDATA status" ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
