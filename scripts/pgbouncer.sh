#!/usr/bin/env bash
# PgBouncer in transaction pooling mode in front of the local PostgreSQL, for kata's tests.
#
#   scripts/pgbouncer.sh start   # installs pgbouncer if missing, listens on 127.0.0.1:6432
#   scripts/pgbouncer.sh url     # prints the URL kata connects to (KATA_TEST_PGBOUNCER)
#   scripts/pgbouncer.sh stop    # stops it by pid and removes its directory
#
# PostgreSQL is 127.0.0.1:5432 with trust authentication (KATA_PGBOUNCER_UPSTREAM_PORT to
# change the port). PgBouncer gets its own configuration in KATA_PGBOUNCER_DIR (default
# /tmp/kata-pgbouncer), lets any database through to the server, and runs as the user
# `postgres` because it refuses to run as root. The pool is deliberately small (4 server
# connections per database) so that concurrent clients really share server connections.
set -euo pipefail

DIR=${KATA_PGBOUNCER_DIR:-/tmp/kata-pgbouncer}
PORT=${KATA_PGBOUNCER_PORT:-6432}
UPSTREAM_PORT=${KATA_PGBOUNCER_UPSTREAM_PORT:-5432}
RUN_AS=postgres

url() { echo "postgres://postgres@127.0.0.1:$PORT/postgres"; }
pid() { cat "$DIR/pgbouncer.pid" 2>/dev/null || true; }
alive() { local p; p=$(pid); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

as_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

start() {
  if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
    echo "pgbouncer: installing the pgbouncer package"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null
  fi
  if alive; then
    echo "pgbouncer: one from an earlier run is still up; stopping it first"
    stop
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  # trust: no password is checked, but the user must be listed.
  echo '"postgres" ""' >"$DIR/userlist.txt"
  cat >"$DIR/pgbouncer.ini" <<EOF
[databases]
; Any database name goes to the same server, as the same user.
* = host=127.0.0.1 port=$UPSTREAM_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir = $DIR
auth_type = trust
auth_file = $DIR/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 4
max_client_conn = 1000
; Startup parameters PgBouncer cannot carry from one server connection to the next.
ignore_startup_parameters = extra_float_digits
pidfile = $DIR/pgbouncer.pid
logfile = $DIR/pgbouncer.log
EOF
  if [ "$(id -u)" = 0 ]; then chown -R "$RUN_AS" "$DIR"; fi
  as_user /usr/sbin/pgbouncer -d "$DIR/pgbouncer.ini"
  for _ in $(seq 1 50); do
    if alive && pg_isready -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
      echo "pgbouncer: $(pgbouncer --version | head -n1) in transaction mode: $(url)"
      return 0
    fi
    sleep 0.2
  done
  echo "pgbouncer: did not start; its log:" >&2
  tail -n 20 "$DIR/pgbouncer.log" >&2 || true
  exit 1
}

stop() {
  if alive; then
    local p
    p=$(pid)
    kill -TERM "$p"
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$p" 2>/dev/null || true
  fi
  rm -rf "$DIR"
  echo "pgbouncer: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
