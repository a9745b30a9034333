#!/usr/bin/env bash
# A PostgreSQL hot standby of the local server, for kata's replica tests (tests/replicas.rs).
#
#   scripts/pg-replica.sh start    base backup of 127.0.0.1:5432 (pg_basebackup -R, through a
#                                  replication slot), then a streaming hot standby on port
#                                  5433; prints the URL to export as KATA_TEST_PG_REPLICA
#   scripts/pg-replica.sh stop     stops it by its pid, drops the slot, removes its data
#   scripts/pg-replica.sh halt     stops the standby server only (the tests' "replica down")
#   scripts/pg-replica.sh resume   starts it again on the same data
#   scripts/pg-replica.sh url      prints the URL
#
# Settings (environment): KATA_PG_PRIMARY_PORT (5432), KATA_PG_REPLICA_PORT (5433),
# KATA_PG_REPLICA_DIR (/tmp/kata-pg-replica). The primary must accept replication
# connections from 127.0.0.1: when its pg_hba.conf has no `replication` line, start adds a
# trust line for 127.0.0.1 and reloads it (once: the line is then there).
set -euo pipefail

primary_port=${KATA_PG_PRIMARY_PORT:-5432}
port=${KATA_PG_REPLICA_PORT:-5433}
dir=${KATA_PG_REPLICA_DIR:-/tmp/kata-pg-replica}
data=$dir/data
slot=kata_replica
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
url="postgres://postgres@127.0.0.1:$port/postgres"

# Runs a command as the postgres OS user (the server refuses to run as root).
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

primary_sql() {
  psql -X -q -At -h 127.0.0.1 -p "$primary_port" -U postgres -d postgres -c "$1"
}

running() {
  [ -f "$data/postmaster.pid" ] && kill -0 "$(head -n1 "$data/postmaster.pid")" 2>/dev/null
}

allow_replication() {
  local hba
  hba=$(primary_sql "SHOW hba_file")
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]' "$hba"; then
    echo "pg-replica: allowing replication connections from 127.0.0.1 in $hba" >&2
    printf '\n# added by kata scripts/pg-replica.sh\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
    primary_sql "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
  fi
}

# The standby's own settings: those a hot standby needs at least as high as its primary's.
write_config() {
  local setting
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$dir'"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    echo "wal_receiver_status_interval = 1s"
    echo "shared_buffers = 32MB"
    echo "timezone = 'UTC'"
    for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
      max_locks_per_transaction; do
      echo "$setting = $(primary_sql "SHOW $setting")"
    done
  } >"$data/postgresql.conf"
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$data/pg_hba.conf"
  : >"$data/pg_ident.conf"
  chown postgres:postgres "$data/postgresql.conf" "$data/pg_hba.conf" "$data/pg_ident.conf"
}

start_server() {
  as_postgres "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 start >/dev/null
  # Ready means accepting read-only connections as a standby.
  for _ in $(seq 1 60); do
    if [ "$(psql -X -At -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]; then
      return 0
    fi
    sleep 0.25
  done
  echo "pg-replica: the standby did not come up; its log:" >&2
  tail -n 30 "$dir/server.log" >&2
  return 1
}

stop_server() {
  if running; then
    local pid
    pid=$(head -n1 "$data/postmaster.pid")
    kill -INT "$pid" # fast shutdown
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 0.1
    done
    kill -QUIT "$pid" 2>/dev/null || true
  fi
}

case "${1:-}" in
  start)
    if running; then
      echo "$url"
      exit 0
    fi
    [ -n "$bin" ] || { echo "pg-replica: no /usr/lib/postgresql/*/bin" >&2; exit 1; }
    allow_replication
    primary_sql "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot' AND NOT active" >/dev/null
    rm -rf "$dir"
    mkdir -p "$dir"
    chown postgres:postgres "$dir"
    as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$data" \
      -R -X stream -C -S "$slot" -c fast
    write_config
    start_server
    echo "$url"
    ;;
  stop)
    stop_server
    primary_sql "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot' AND NOT active" >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  halt)
    stop_server
    ;;
  resume)
    running || start_server
    ;;
  url)
    echo "$url"
    ;;
  *)
    echo "usage: $0 start|stop|halt|resume|url" >&2
    exit 2
    ;;
esac
