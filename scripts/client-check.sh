#!/usr/bin/env bash
# Checks the contract and the TypeScript client in clients/typescript against it and a live server:
#   1. installs the pinned tools (npm ci) and lints openapi/openapi.json with Spectral and the
#      repository's .spectral.yaml: any warning or error fails;
#   2. regenerates src/schema.d.ts from openapi/openapi.json and fails if it differs from the
#      committed one (the contract changed: review and commit it);
#   3. type-checks the client (a contract change that breaks a front end fails here);
#   4. runs src/cycle.ts against a throwaway server on SQLite with the demo data: the whole early
#      help cycle as every role (the demo users), failing if it exercises fewer than 60 of the
#      contract's operations or if the measured journey takes more than 41 requests; the counts it
#      keeps in clients/typescript/README.md must match the committed ones.
# The static checks (1-3) run first, so contract drift is reported without starting a server.
# Run from the repository root: scripts/client-check.sh. Needs Python 3.11+, make, node 20+ and npm.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
CLIENT="$ROOT/clients/typescript"
FH="$ROOT/.venv/bin/familyhub"
PY="$ROOT/.venv/bin/python"

step() { printf '\n==> %s (%ss)\n' "$1" "$SECONDS"; }
fail() { printf '\nclient-check FAILED: %s\n' "$1" >&2; exit 1; }

for tool in node npm make; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" -ge 20 ] || fail "node 20 or newer is needed (found $(node --version))"

# A scratch directory (database, server log, the committed types) and the server, both removed
# on exit however the script ends.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/familyhub-client-check.XXXXXX")
SERVER_PID=""
cleanup() {
    local status=$?
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -s "$TMP/server.log" ]; then
        printf '\n--- last lines of the server log ---\n' >&2
        tail -n 30 "$TMP/server.log" >&2 || true
    fi
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Python environment"
if [ ! -x "$FH" ]; then
    make venv
fi
[ -x "$FH" ] || fail "make venv did not install $FH"

# --- the client against the contract --------------------------------------------------------
cd "$CLIENT"

step "npm ci"
# Spectral pulls in @scarf/scarf, whose install script reports downloads: not from here.
SCARF_ANALYTICS=false npm ci --no-audit --no-fund

step "Spectral: lint the contract (.spectral.yaml; warnings fail)"
npm run --silent lint:contract || fail "Spectral found problems in openapi/openapi.json (see above)"

step "npm run generate (must reproduce the committed src/schema.d.ts)"
[ -f src/schema.d.ts ] || fail "clients/typescript/src/schema.d.ts is missing: run npm run generate and commit it"
cp src/schema.d.ts "$TMP/schema.committed.d.ts"
npm run generate
if ! cmp -s "$TMP/schema.committed.d.ts" src/schema.d.ts; then
    diff -u "$TMP/schema.committed.d.ts" src/schema.d.ts | head -n 80 || true
    echo
    if npm run typecheck >/dev/null 2>&1; then
        verdict="the client still type-checks against the new types"
    else
        verdict="and the client NO LONGER type-checks against them (npm run typecheck shows where)"
    fi
    fail "openapi/openapi.json has changed since clients/typescript/src/schema.d.ts was generated; \
$verdict. The regenerated file is left in place: review it and commit it."
fi
echo "src/schema.d.ts is up to date"

step "npm run typecheck"
npm run typecheck

# --- the client against a live server -------------------------------------------------------
cd "$ROOT"
export FAMILYHUB_DATABASE_URL="sqlite:///$TMP/db.sqlite3"

step "Database: migrate and load the demo data ($TMP/db.sqlite3)"
"$FH" migrate
"$FH" demo-data

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export FAMILYHUB_API="http://127.0.0.1:$PORT"

step "Server on $FAMILYHUB_API"
"$FH" serve --host 127.0.0.1 --port "$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
healthy=""
for _ in $(seq 1 120); do
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited before it was healthy"
    if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2).read()' \
        "$FAMILYHUB_API/health" >/dev/null 2>&1; then
        healthy=yes
        break
    fi
    sleep 0.25
done
[ -n "$healthy" ] || fail "the server did not answer $FAMILYHUB_API/health within 30 seconds"
echo "healthy"

step "Tokens for the demo users, one for every role"
# The variable src/cycle.ts reads, and the demo user it holds a token for.
TOKENS=(
    LEAD_TOKEN=lena.lead
    QA_TOKEN=quinn.qa
    LINK_TOKEN=lee.link
    MANAGER_TOKEN=mo.manager
    ADMIN_TOKEN=ada.admin
    REPORTING_TOKEN=reports
    AUDITOR_TOKEN=aud.auditor
    SCHOOL_TOKEN=sam.school
)
# All in one Python process: `familyhub token` per user is a start-up of seconds each.
"$PY" - "$TMP" "${TOKENS[@]}" <<'PYTHON' || fail "familyhub token failed"
import contextlib
import sys

from app.cli import token

scratch = sys.argv[1]
for pair in sys.argv[2:]:
    variable, user = pair.split("=", 1)
    with open(f"{scratch}/token.{variable}", "w") as out, contextlib.redirect_stdout(out):
        token(user=f"{user}@familyhub.example", hours=8)
PYTHON
for pair in "${TOKENS[@]}"; do
    export "${pair%%=*}=$(<"$TMP/token.${pair%%=*}")"
    printf '%s (%s@) ' "${pair%%=*}" "${pair#*=}"
done
echo "issued"

step "npm run cycle"
cd "$CLIENT"
cp README.md "$TMP/README.committed.md"
npm run cycle
if ! cmp -s "$TMP/README.committed.md" README.md; then
    diff -u "$TMP/README.committed.md" README.md || true
    fail "the journey's request count or the coverage in clients/typescript/README.md changed; \
the updated README is left in place: review it and commit it."
fi

printf '\nclient-check passed in %ss\n' "$SECONDS"
