#!/usr/bin/env bash
# The OpenAPI document is the contract; this proves it against the real
# service (the release binary, auth on, one key with every scope):
#   1. openapi-spec-validator validates /openapi.json;
#   2. schemathesis runs every operation with all its checks, a fixed seed
#      and a bounded number of examples: any failure fails CI;
#   3. openapi-python-client generates a client from the document, and a
#      small script uses it, unchanged, to screen a counterparty, a
#      transaction and a SWIFT message.
# Tools are pinned and installed into a venv under target/. Needs ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENAPI_SPEC_VALIDATOR=0.9.0
SCHEMATHESIS=4.32.5
OPENAPI_PYTHON_CLIENT=0.29.1
XLWT=1.3.0
SEED="${CONTRACT_SEED:-17}"
MAX_EXAMPLES="${CONTRACT_MAX_EXAMPLES:-20}"

ROOT="$PWD"
SHARED="../shared"
BIN="${CARTELSCREEN_BIN:-target/release/cartelscreen}"
VENV="$PWD/target/contract-venv"
WORK="$PWD/target/contract"
started=$(date +%s)

if [ ! -x "$BIN" ]; then
  cargo build --release
fi

want="openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR schemathesis==$SCHEMATHESIS openapi-python-client==$OPENAPI_PYTHON_CLIENT xlwt==$XLWT"
if [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$want" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install --quiet $want
  echo "$want" > "$VENV/.pins"
fi

rm -rf "$WORK"
mkdir -p "$WORK/fixtures"

# One key with every scope, as an operator makes it.
"$BIN" keys create --id contract --scope screen --scope admin --scope analyst --json > "$WORK/key.json"
KEY=$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$WORK/key.json")
HASH=$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["entry"]["sha256"])' "$WORK/key.json")
cat > "$WORK/contract.toml" <<EOF
[lists]
download_when_missing = false
[reload]
watch = false
interval_secs = 0
[audit]
sqlite_path = "$WORK/audit.sqlite3"
checkpoint_interval_secs = 0
verify_interval_hours = 0
[auth]
required = true
[[auth.keys]]
id = "contract"
sha256 = "$HASH"
scopes = ["screen", "admin", "analyst"]
EOF

# Files the fuzzer uploads to POST /v1/batch: a workbook written by the
# service's own batch command, an Excel 97-2003 one written by xlwt, and a
# real OpenDocument spreadsheet.
printf 'name,country,reference\nCarteles Unidos,MX,r-1\nGrupo Impergoza,MX,r-2\n' > "$WORK/fixtures/counterparties.csv"
"$BIN" --config "$WORK/contract.toml" --lists "$SHARED/data/ofac/current" batch --quiet --format xlsx \
  -o "$WORK/fixtures/counterparties.xlsx" "$WORK/fixtures/counterparties.csv"
cp tests/data/batch/proveedores.ods "$WORK/fixtures/counterparties.ods"
mkdir -p "$WORK/fixtures/messages"
cp tests/data/messages/*.fin tests/data/messages/*.xml "$WORK/fixtures/messages/"
"$VENV/bin/python" - "$WORK/fixtures/counterparties.xls" <<'EOF'
import sys
import xlwt  # a real Excel 97-2003 workbook, for the application/vnd.ms-excel body

book = xlwt.Workbook()
sheet = book.add_sheet("Counterparties")
rows = [("name", "country", "reference"), ("Carteles Unidos", "MX", "r-1"), ("Grupo Impergoza", "MX", "r-2")]
for r, row in enumerate(rows):
    for c, value in enumerate(row):
        sheet.write(r, c, value)
book.save(sys.argv[1])
EOF

: > "$WORK/server.out"
"$BIN" --config "$WORK/contract.toml" --lists "$SHARED/data/ofac/current" serve --port 0 \
  > "$WORK/server.out" 2> "$WORK/server.err" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 1 120); do
  URL=$(sed -n 's/^listening on //p' "$WORK/server.out" | head -1)
  [ -n "$URL" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.err" >&2; exit 1; }
  sleep 0.5
done
[ -n "$URL" ] || { echo "the server did not start" >&2; exit 1; }
echo "server at $URL"

echo "== openapi-spec-validator $OPENAPI_SPEC_VALIDATOR"
curl -sf "$URL/openapi.json" -o "$WORK/openapi.json"
"$VENV/bin/openapi-spec-validator" "$WORK/openapi.json"

# Every check runs; CONTRACT_EXCLUDED_CHECKS=a,b leaves some out while
# investigating a failure.
EXCLUDED_CHECKS="${CONTRACT_EXCLUDED_CHECKS-}"
echo "== schemathesis $SCHEMATHESIS: every operation, all checks but [$EXCLUDED_CHECKS], seed $SEED, at most $MAX_EXAMPLES examples each"
# Run from $WORK: schemathesis keeps its cache in the working directory.
fuzz() {
  (cd "$WORK" && CONTRACT_FIXTURES="$WORK/fixtures" SCHEMATHESIS_HOOKS="$ROOT/.ci/contract/hooks.py" \
    "$VENV/bin/schemathesis" run "$URL/openapi.json" \
    --checks all \
    ${EXCLUDED_CHECKS:+--exclude-checks "$EXCLUDED_CHECKS"} \
    --header "Authorization: Bearer $KEY" \
    --seed "$SEED" \
    --max-examples "$MAX_EXAMPLES" \
    --no-color \
    --report junit --report-dir "$WORK/report" "$@") \
    | tee -a "$WORK/schemathesis.txt"
}
: > "$WORK/schemathesis.txt"
# Generated cases on every operation; the documented examples on every
# operation but the file upload, whose CSV and spreadsheet examples
# schemathesis cannot serialise (the generated phases upload real files
# through the hooks).
fuzz --phases coverage,fuzzing,stateful
fuzz --phases examples --exclude-path /v1/batch

echo "== openapi-python-client $OPENAPI_PYTHON_CLIENT: generate, install, use"
mkdir -p "$WORK/client"
"$VENV/bin/openapi-python-client" generate --path "$WORK/openapi.json" --meta none \
  --output-path "$WORK/client/cartelscreen_client" > "$WORK/client.log"
PYTHONPATH="$WORK/client" "$VENV/bin/python" .ci/contract/use_client.py "$URL" "$KEY" tests/data/messages/mt700_listed.fin

echo "contract passed in $(( $(date +%s) - started )) s"
