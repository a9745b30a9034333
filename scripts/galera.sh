#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on this machine, for kata's Galera tests.
#
#   scripts/galera.sh start   # installs galera-4 if missing, starts nodes on 3307, 3308, 3309
#   scripts/galera.sh urls    # prints the nodes' URLs, comma-separated (KATA_TEST_GALERA)
#   scripts/galera.sh stop    # stops the nodes by pid and removes their data
#
# Each node is the installed MariaDB (/usr/sbin/mariadbd) with its own data directory,
# socket, SQL port and Galera ports, reading only its own option file (never /etc/mysql),
# so the main server on 3306 is not touched. The first node bootstraps the cluster
# (--wsrep-new-cluster); the others join it one after the other by rsync state transfer.
# The directory is KATA_GALERA_DIR (default /tmp/kata-galera).
set -euo pipefail

DIR=${KATA_GALERA_DIR:-/tmp/kata-galera}
NODES=(1 2 3)
sql_port() { echo $((3306 + $1)); }   # 3307 3308 3309
gcomm_port() { echo $((4570 + $1)); } # group communication: 4571 4572 4573
ist_port() { echo $((4580 + $1)); }   # incremental state transfer
sst_port() { echo $((4590 + $1)); }   # full state transfer (rsync)

node_dir() { echo "$DIR/node$1"; }
pid_of() { cat "$(node_dir "$1")/mariadbd.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
client() { mariadb --no-defaults -uroot -S "$(node_dir "$1")/mariadbd.sock" -N -B "${@:2}"; }

urls() {
  local out=()
  for n in "${NODES[@]}"; do out+=("mysql://root@127.0.0.1:$(sql_port "$n")/test"); done
  (IFS=,; echo "${out[*]}")
}

write_config() {
  local n=$1 d peers=()
  d=$(node_dir "$n")
  for m in "${NODES[@]}"; do peers+=("127.0.0.1:$(gcomm_port "$m")"); done
  cat >"$d/my.cnf" <<EOF
[mariadbd]
user=mysql
datadir=$d/data
socket=$d/mariadbd.sock
pid-file=$d/mariadbd.pid
log-error=$d/error.log
port=$(sql_port "$n")
bind-address=127.0.0.1
skip-name-resolve
# Small: four servers share this machine.
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
performance_schema=OFF
# What Galera requires.
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=kata
wsrep_cluster_address=gcomm://$(IFS=,; echo "${peers[*]}")
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$(gcomm_port "$n")
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$(sst_port "$n")
# A read waits until the node has applied what the cluster committed before it began
# (causal reads), so a row written through one node is seen through any other.
wsrep_sync_wait=1
# A killed node is declared dead after about two seconds (default: 5 s suspect, 15 s
# inactive), so the survivors go on serving quickly.
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$(gcomm_port "$n");ist.recv_addr=127.0.0.1:$(ist_port "$n");gcache.size=32M;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT1.5S;evs.inactive_timeout=PT2S;evs.install_timeout=PT2S"
EOF
}

wait_synced() {
  local n=$1 state=""
  for _ in $(seq 1 120); do
    if ! alive "$n"; then
      echo "galera: node $n died; its log:" >&2
      tail -n 40 "$(node_dir "$n")/error.log" >&2 || true
      return 1
    fi
    state=$(client "$n" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2 || true)
    [ "$state" = "Synced" ] && return 0
    sleep 0.5
  done
  echo "galera: node $n not synced after 60 s (state: ${state:-none}); its log:" >&2
  tail -n 40 "$(node_dir "$n")/error.log" >&2 || true
  return 1
}

start_node() {
  local n=$1 d
  d=$(node_dir "$n")
  # The pid file is written by mariadbd itself once it runs as `mysql`.
  /usr/sbin/mariadbd --defaults-file="$d/my.cnf" "${@:2}" >>"$d/stdout.log" 2>&1 &
  for _ in $(seq 1 100); do [ -s "$d/mariadbd.pid" ] && break; sleep 0.2; done
}

start() {
  if [ ! -e /usr/lib/galera/libgalera_smm.so ]; then
    echo "galera: installing galera-4"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q galera-4 rsync >/dev/null
  fi
  command -v rsync >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q rsync >/dev/null
  for n in "${NODES[@]}"; do
    if alive "$n"; then
      echo "galera: a cluster from an earlier run is still up; stopping it first"
      stop
      break
    fi
  done
  rm -rf "$DIR"
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  # One system database, copied to every node: a joiner's data is replaced by the state
  # transfer anyway, but it needs a valid one to start from.
  mariadb-install-db --no-defaults --user=mysql --datadir="$DIR/seed" \
    --auth-root-authentication-method=normal --skip-test-db >"$DIR/install.log" 2>&1 ||
    { cat "$DIR/install.log" >&2; exit 1; }
  for n in "${NODES[@]}"; do
    mkdir -p "$(node_dir "$n")"
    cp -a "$DIR/seed" "$(node_dir "$n")/data"
    write_config "$n"
    chown -R mysql:mysql "$(node_dir "$n")"
  done
  rm -rf "$DIR/seed"

  start_node 1 --wsrep-new-cluster
  wait_synced 1
  # root over TCP without a password, as the main server; the database the URLs name.
  client 1 -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    CREATE DATABASE IF NOT EXISTS test;"
  for n in "${NODES[@]:1}"; do
    start_node "$n"
    wait_synced "$n"
  done
  local size
  size=$(client 1 -e "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
  echo "galera: ${size}-node cluster up: $(urls)"
}

stop() {
  local pids=()
  for n in "${NODES[@]}"; do
    if alive "$n"; then
      pid=$(pid_of "$n")
      kill -TERM "$pid"
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "galera: pid $pid did not stop in 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$DIR"
  echo "galera: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  urls) urls ;;
  *) echo "usage: $0 start|stop|urls" >&2; exit 2 ;;
esac
