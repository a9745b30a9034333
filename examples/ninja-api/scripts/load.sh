#!/usr/bin/env bash
# Load test of the tutorial's API on this machine: GET /api/users/{random id} and
# GET /api/v2/users?page=3&size=10, 64 connections, 10 s each, with wrk (installed from
# Debian when missing). The service runs in release mode on 127.0.0.1 over a SQLite file
# (or LOAD_DATABASE_URL, e.g. a PostgreSQL URL) seeded with 1,000 users.
# Usage: examples/ninja-api/scripts/load.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

port="${PORT:-18766}"
duration="${DURATION:-10s}"
work="$(mktemp -d)"
url="${LOAD_DATABASE_URL:-sqlite://$work/load.sqlite3?mode=rwc}"
cargo build -q --release -p ninja-api
DATABASE_URL="$url" ADDR="127.0.0.1:$port" RUST_LOG=error "$root/target/release/ninja-api" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/hello" >/dev/null 2>&1 && break
  sleep 0.1
done

# 1,000 users, 100 per request, each batch in one transaction.
for batch in $(seq 0 9); do
  python3 -c "import json,sys; b=int(sys.argv[1]); print(json.dumps([{'username': f'load{b*100+i:04d}', 'email': f'load{b*100+i}@example.com'} for i in range(100)]))" "$batch" \
    | curl -fsS -X POST -H 'content-type: application/json' --data-binary @- "http://127.0.0.1:$port/api/bulk-create" >/dev/null
done
total=$(curl -fsS "http://127.0.0.1:$port/api/v2/users?page=1&size=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['pagination']['total'])")
first=$(curl -fsS "http://127.0.0.1:$port/api/v2/users?page=1&size=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['users'][0]['id'])")
echo "seeded $total users (first id $first) in ${url%%:*}"

run() { # run NAME ARGS...
  local name="$1"; shift
  wrk -t2 -c64 -d"$duration" --latency "$@" >"$work/wrk.txt"
  python3 - "$name" "$work/wrk.txt" <<'PY'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
print(f"| {name} | {float(rps):,.0f} | {lat.get('50')} | {lat.get('99')} | {errors} |")
PY
}
echo "| endpoint | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
FIRST=$first USERS=$total run "GET /api/users/{random id}" -s "$here/scripts/random-user.lua" "http://127.0.0.1:$port"
run "GET /api/v2/users?page=3&size=10" "http://127.0.0.1:$port/api/v2/users?page=3&size=10"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk -t2 -c64 -d$duration"
