#!/usr/bin/env bash
# Resident memory across list reloads: starts `cartelscreen serve` (release
# build) on OFAC SDN (a copy that alternates between two published
# versions), the consolidated list and the UN list from ../shared, puts it
# under load, then reloads it RELOADS times, each time with the other OFAC
# version and a second of load after it.
#
#   benches/reload.sh [RELOADS]
#
# Prints the resident memory after the warm-up (RSS_FRESH_KB), after each
# reload and its load (RSS_KB reload=N kb=...), the peak (RSS_PEAK_KB,
# VmHWM) and the ratio of the last to the fresh (RSS_RATIO).
set -euo pipefail
cd "$(dirname "$0")/.."
RELOADS="${1:-20}"
SHARED="../shared/data"
BIN=target/release/cartelscreen
WORK="$(mktemp -d)"
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }
cargo build --release --quiet

VERSIONS=("$SHARED/ofac/current" "$SHARED/ofac/2026-02-25")
mkdir -p "$WORK/ofac"
cp "${VERSIONS[0]}"/*.csv "$WORK/ofac/"

"$BIN" keys create --id bench --scope screen --scope admin --json > "$WORK/key.json"
python3 - "$WORK" <<'PY'
import json, sys
d = json.load(open(f"{sys.argv[1]}/key.json"))
e = d["entry"]
open(f"{sys.argv[1]}/key", "w").write(d["key"])
with open(f"{sys.argv[1]}/bench.toml", "w") as f:
    f.write('[log]\nformat = "json"\n\n[rate_limit]\nper_second = 0\n\n')
    f.write('[reload]\nwatch = false\ninterval_secs = 0\n\n[audit]\nenabled = false\n')
    f.write(f'sqlite_path = "{sys.argv[1]}/audit.sqlite3"\n\n')
    f.write(f'[[auth.keys]]\nid = "{e["id"]}"\nsha256 = "{e["sha256"]}"\nscopes = ["screen", "admin"]\n')
PY
KEY="$(cat "$WORK/key")"
cat > "$WORK/screen.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
local names = {"Joaquin Guzman Loera", "Transportes del Norte SA de CV", "Maria Lopez Hernandez",
               "Cartel de Jalisco Nueva Generacion", "Comercializadora Ejemplo SA", "Ruben Oseguera"}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, '{"name": "' .. names[(i % #names) + 1] .. '", "country": "MX"}')
end
EOF

LISTS=(--lists "$WORK/ofac" --lists "$SHARED/ofac-consolidated/2025-12-19" --lists "$SHARED/un/2026-02-27")
"$BIN" --config "$WORK/bench.toml" "${LISTS[@]}" serve --port 0 > "$WORK/stdout" 2> "$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do
  grep -q listening "$WORK/stdout" 2>/dev/null && break
  sleep 0.1
done
ADDR="$(sed -n 's#listening on ##p' "$WORK/stdout")"
[ -n "$ADDR" ] || { echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
rss() { awk '/^VmRSS/{print $2}' "/proc/$SERVER/status"; }

wrk -t2 -c16 -d3s -s "$WORK/screen.lua" "$ADDR/v1/screen" > /dev/null
FRESH=$(rss)
echo "RSS_FRESH_KB $FRESH"
LAST=$FRESH
for i in $(seq 1 "$RELOADS"); do
  cp "${VERSIONS[$((i % 2))]}"/*.csv "$WORK/ofac/"
  outcome=$(curl -s -X POST -H "Authorization: Bearer $KEY" "$ADDR/v1/lists/reload?accept_shrink=true")
  echo "$outcome" | grep -q '"error"' && { echo "reload $i failed: $outcome" >&2; exit 1; }
  wrk -t2 -c16 -d1s -s "$WORK/screen.lua" "$ADDR/v1/screen" > /dev/null
  LAST=$(rss)
  echo "RSS_KB reload=$i kb=$LAST outcome=$(echo "$outcome" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("outcome"))')"
done
echo "RSS_PEAK_KB $(awk '/^VmHWM/{print $2}' "/proc/$SERVER/status")"
awk -v a="$LAST" -v b="$FRESH" 'BEGIN { printf "RSS_RATIO %.2f\n", a / b }'
