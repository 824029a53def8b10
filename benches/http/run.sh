#!/usr/bin/env bash
# HTTP load benchmark: starts `cartelscreen serve` (release build) with OFAC
# SDN + consolidated + UN from ../shared, then drives it with wrk on loopback.
#
#   benches/http/run.sh [DURATION] [CONNECTIONS] [ROUTE]
#
# ROUTE is `screen` (POST /v1/screen, default), `match` (POST /match/default)
# or `message` (POST /v1/screen/message with the file MESSAGE as the body,
# default tests/data/messages/mt700_clean.fin).
# AUDIT=sqlite (default: a fresh SQLite trail in the work folder), AUDIT=off
# (no trail: the baseline), or AUDIT=postgres with AUDIT_URL=postgres://...
# Every 10 s it samples the server's resident memory. Prints wrk's summary
# as JSON (SUMMARY {...}), the memory samples (RSS_KB t=... kb=...), the
# server's CPU time per answered request over the measured run
# (CPU_US_PER_REQUEST), and with a trail the audit writer's group commits
# over that run (AUDIT_COMMITS commits=... records=... seconds=...).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-30s}"
CONNECTIONS="${2:-64}"
ROUTE="${3:-screen}"
AUDIT="${AUDIT:-sqlite}"
SHARED="../shared/data"
BIN=target/release/cartelscreen
WORK="$(mktemp -d)"
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }
cargo build --release --quiet

LISTS=(--lists "$SHARED/ofac/current" --lists "$SHARED/ofac-consolidated/2025-12-19" --lists "$SHARED/un/2026-02-27")
"$BIN" "${LISTS[@]}" gen variants -o "$WORK/variants.csv"
"$BIN" gen negatives --count 10000 -o "$WORK/negatives.csv"
python3 benches/http/make_bodies.py "$WORK/variants.csv" "$WORK/negatives.csv" "$WORK"

"$BIN" keys create --id bench --scope screen --json > "$WORK/key.json"
AUDIT="$AUDIT" AUDIT_URL="${AUDIT_URL:-}" python3 - "$WORK" <<'PY'
import json, os, sys
d = json.load(open(f"{sys.argv[1]}/key.json"))
e = d["entry"]
open(f"{sys.argv[1]}/key", "w").write(d["key"])
with open(f"{sys.argv[1]}/bench.toml", "w") as f:
    f.write('[log]\nformat = "json"\n\n[auth]\nopen_metrics = true\n\n[rate_limit]\nper_second = 0\n\n[reload]\nwatch = false\ninterval_secs = 0\n\n')
    audit = os.environ["AUDIT"]
    if audit == "off":
        f.write('[audit]\nenabled = false\n' f'sqlite_path = "{sys.argv[1]}/audit.sqlite3"\n\n')
    elif audit == "postgres":
        f.write(f'[audit]\nurl = "{os.environ["AUDIT_URL"]}"\n\n')
    else:
        f.write(f'[audit]\nsqlite_path = "{sys.argv[1]}/audit.sqlite3"\n\n')
    f.write(f'[[auth.keys]]\nid = "{e["id"]}"\nsha256 = "{e["sha256"]}"\nscopes = ["screen"]\n')
PY

"$BIN" --config "$WORK/bench.toml" "${LISTS[@]}" serve --port 0 > "$WORK/stdout" 2> "$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do
  grep -q listening "$WORK/stdout" 2>/dev/null && break
  sleep 0.1
done
ADDR="$(sed -n 's#listening on ##p' "$WORK/stdout")"
[ -n "$ADDR" ] || { echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
MESSAGE="${MESSAGE:-tests/data/messages/mt700_clean.fin}"
SCRIPT=benches/http/bodies.lua
case "$ROUTE" in
  screen) PATH_="/v1/screen" ;;
  match) PATH_="/match/default" ;;
  message) PATH_="/v1/screen/message"; SCRIPT=benches/http/message.lua ;;
  *) echo "unknown route $ROUTE" >&2; exit 2 ;;
esac
if [ "$ROUTE" = message ]; then
  echo "server $ADDR pid $SERVER, message $MESSAGE, $CONNECTIONS connections, $DURATION, audit $AUDIT"
else
  echo "server $ADDR pid $SERVER, $(grep -c . "$WORK/$ROUTE.jsonl") bodies, $CONNECTIONS connections, $DURATION, audit $AUDIT"
fi
export MESSAGE

# Warm-up, then the measured run.
BODIES="$WORK/$ROUTE.jsonl" KEY="$(cat "$WORK/key")" wrk -t2 -c"$CONNECTIONS" -d5s -s "$SCRIPT" "$ADDR$PATH_" > /dev/null
grep VmRSS /proc/$SERVER/status | awk '{print "RSS_KB t=warm kb=" $2}'
( t=0; while kill -0 "$SERVER" 2>/dev/null; do sleep 10; t=$((t+10)); grep VmRSS /proc/$SERVER/status 2>/dev/null | awk -v t=$t '{print "RSS_KB t=" t " kb=" $2}'; done ) &
SAMPLER=$!
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
writer() { curl -s "$ADDR/metrics" | awk '/^cartelscreen_audit_(commits|records_written|commit_seconds)_total /{printf "%s ", $2}'; }
CPU0=$(cpu_ticks); W0=$(writer)
BODIES="$WORK/$ROUTE.jsonl" KEY="$(cat "$WORK/key")" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$SCRIPT" "$ADDR$PATH_" | tee "$WORK/wrk.out"
CPU1=$(cpu_ticks); W1=$(writer)
REQUESTS=$(sed -n 's/^SUMMARY .*"requests":\([0-9]*\).*/\1/p' "$WORK/wrk.out")
TICK=$(getconf CLK_TCK)
awk -v a="$CPU0" -v b="$CPU1" -v n="$REQUESTS" -v t="$TICK" 'BEGIN { if (n > 0) printf "CPU_US_PER_REQUEST %.1f\n", (b - a) / t * 1e6 / n }'
if [ -n "$W1" ]; then
  read -r c0 r0 s0 <<< "$W0"; read -r c1 r1 s1 <<< "$W1"
  awk -v c="$((c1 - c0))" -v r="$((r1 - r0))" -v s0="$s0" -v s1="$s1" 'BEGIN { printf "AUDIT_COMMITS commits=%d records=%d seconds=%.3f records_per_commit=%.1f ms_per_commit=%.3f\n", c, r, s1 - s0, (c ? r / c : 0), (c ? (s1 - s0) * 1000 / c : 0) }'
fi
kill $SAMPLER 2>/dev/null || true
grep VmRSS /proc/$SERVER/status | awk '{print "RSS_KB t=end kb=" $2}'
echo "server log lines: $(wc -l < "$WORK/server.log"), errors logged: $(grep -c '"status":5' "$WORK/server.log" || true)"
if [ "$AUDIT" != "off" ]; then
  kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true
  echo "audit records written: $("$BIN" --config "$WORK/bench.toml" audit export --format jsonl 2>/dev/null | wc -l)"
fi
