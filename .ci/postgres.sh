# Start a throw-away PostgreSQL cluster on loopback for the test suite (sourced by .ci/run).
# Each run gets its own directory (mktemp) and a free port, so checkouts side by side never
# touch each other's cluster; stop_postgres stops this run's cluster and deletes only its folder.
# PG_DIR and PG_PORT may be set beforehand to choose them (PG_DIR must not exist yet).

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  echo "$d"
}

pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgres() {
  if [ -z "$(pg_bin)" ]; then
    echo "PostgreSQL missing: installing with apt"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  fi
  local bin run_as
  bin=$(pg_bin)
  run_as=""
  if [ "$(id -u)" = 0 ]; then run_as="runuser -u postgres --"; fi
  if [ -n "${PG_DIR:-}" ]; then
    mkdir "$PG_DIR" || { echo "$PG_DIR exists: choose another PG_DIR" >&2; return 1; }
  else
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gridgov-pg.XXXXXX")
  fi
  PG_PORT="${PG_PORT:-$(pg_free_port)}"
  PG_URL="postgres://gridgov:gridgov@127.0.0.1:${PG_PORT}/gridgov"
  PG_OWNED_DIR="$PG_DIR"
  [ -n "$run_as" ] && chown postgres "$PG_DIR"
  $run_as "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  $run_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -c "CREATE ROLE gridgov LOGIN SUPERUSER PASSWORD 'gridgov'" >/dev/null
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -c "CREATE DATABASE gridgov OWNER gridgov" >/dev/null
  export PG_DIR PG_PORT PG_URL
}

stop_postgres() {
  local bin run_as
  [ -n "${PG_OWNED_DIR:-}" ] || return 0
  bin=$(pg_bin)
  run_as=""
  if [ "$(id -u)" = 0 ]; then run_as="runuser -u postgres --"; fi
  $run_as "$bin/pg_ctl" -D "$PG_OWNED_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf -- "$PG_OWNED_DIR"
  PG_OWNED_DIR=""
}
