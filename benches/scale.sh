#!/usr/bin/env bash
# How screening cost grows with the lists: OFAC SDN, consolidated and UN
# (about 16,000 entries) alone, then with an internal list of 100,000,
# 400,000 and 1,000,000 generated Mexican and US persons and companies
# (unique names; persons with birth dates; RFCs). Each size runs
# `cartelscreen bench` over the held-out query mix (7,080 queries, one
# thread) and reports load + index time, resident memory and latency.
#
# Usage: benches/scale.sh [SIZES...]   (default: 0 100000 400000 1000000)
# Needs ../shared beside the project, python3 and /usr/bin/time.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="$here/../shared/data"
bin="$here/target/release/cartelscreen"
[ -x "$bin" ] || (cd "$here" && cargo build --release)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(0 100000 400000 1000000)
max=0
for n in "${sizes[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
if [ "$max" -gt 0 ]; then
  # About 1.55 rows per unique name at a million: draw twice as many rows.
  "$bin" gen counterparties --rows $((max * 2 + 10000)) --listed 0 --header en --seed 18 -o "$work/rows.csv" 2>/dev/null
fi
lists=(--lists "$shared/ofac/current" --lists "$shared/ofac-consolidated/2025-12-19" --lists "$shared/un/2026-02-27")
printf '| internal entries | entities | load + index | resident after load | peak resident | first pass median / p90 / p99 | later passes median / p90 / p99 |\n'
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
for n in "${sizes[@]}"; do
  extra=()
  if [ "$n" -gt 0 ]; then
    python3 "$here/benches/scale/make_list.py" "$work/rows.csv" "$n" "$work/internal_$n.csv"
    extra=(--lists "$work/internal_$n.csv")
  fi
  /usr/bin/time -f '%M' -o "$work/peak" "$bin" "${lists[@]}" "${extra[@]}" bench \
    --cases "$here/tests/data/heldout/heldout.csv" --passes 3 --json > "$work/out.json" 2>/dev/null
  python3 - "$n" "$work/out.json" "$(tail -1 "$work/peak")" <<'PY'
import json, sys
n, path, peak_kb = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open(path))
f, l = r["first_pass"], r["later_passes"]
fmt = lambda s: f'{s["median_us"]:.1f} / {s["p90_us"]:.1f} / {s["p99_us"]:.1f} µs'
print(f'| {int(n):,} | {r["entities"]:,} | {r["load_ms"] / 1000:.2f} s | {r["rss_mb_after_load"]:.0f} MB '
      f'| {peak_kb / 1024:.0f} MB | {fmt(f)} | {fmt(l)} |')
PY
done
