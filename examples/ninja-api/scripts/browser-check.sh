#!/usr/bin/env bash
# Opens /api/docs (Swagger UI) and /api/redoc (ReDoc) of the tutorial's API in headless
# Chromium with every outside request sent to a dead proxy (so the pages must render from
# what the service itself serves), checks that every operation of /api/openapi.json is
# listed on both pages, and keeps a screenshot of each in examples/ninja-api/screenshots/.
# Installs Debian's chromium when it is missing. Usage: examples/ninja-api/scripts/browser-check.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

port="${PORT:-18765}"
work="$(mktemp -d)"
cargo build -q -p ninja-api
DATABASE_URL='sqlite::memory:' ADDR="127.0.0.1:$port" RUST_LOG=warn "$root/target/debug/ninja-api" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/openapi.json" -o "$work/openapi.json" 2>/dev/null && break
  sleep 0.1
done
test -s "$work/openapi.json"

browse() { # browse URL OUT_KIND OUT_FILE
  local profile
  profile="$(mktemp -d "$work/profile.XXXX")"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --proxy-server="http://127.0.0.1:9" \
    --window-size=1280,2200 --virtual-time-budget=15000 "--$2$3" "$1" 2>/dev/null
}

browse "http://127.0.0.1:$port/api/docs" "dump-dom" "" >"$work/docs.html"
browse "http://127.0.0.1:$port/api/redoc" "dump-dom" "" >"$work/redoc.html"
mkdir -p "$here/screenshots"
browse "http://127.0.0.1:$port/api/docs" "screenshot=" "$here/screenshots/swagger-ui.png" || true
browse "http://127.0.0.1:$port/api/redoc" "screenshot=" "$here/screenshots/redoc.png" || true

python3 - "$work" <<'PY'
import html, json, re, sys
work = sys.argv[1]
spec = json.load(open(f"{work}/openapi.json"))
docs = html.unescape(open(f"{work}/docs.html").read())
redoc = html.unescape(open(f"{work}/redoc.html").read())
ops = [(m.upper(), p, o.get("summary", "")) for p, item in spec["paths"].items() for m, o in item.items()]
missing = []
for method, path, summary in ops:
    # Swagger UI: one block per operation, with its method and data-path.
    block = re.search(r'opblock-summary-method">%s<.*?data-path="%s"' % (method, re.escape(path)), docs, re.S)
    if not block:
        missing.append(f"Swagger UI: {method} {path}")
    # ReDoc: each operation's summary in the menu, and its path in the endpoint box.
    if summary not in redoc or path not in redoc:
        missing.append(f"ReDoc: {method} {path} ({summary})")
print(f"{len(ops)} operations in openapi.json")
if missing:
    print("not listed:", *missing, sep="\n  ")
    sys.exit(1)
print(f"browser check: {len(ops)} passed, 0 failed (every operation on /api/docs and /api/redoc)")
PY
