#!/usr/bin/env bash
# Checks the contract and the TypeScript client in clients/typescript against it and a live server:
#   1. installs the pinned tools (npm ci) and lints openapi/openapi.json with Spectral and the
#      repository's .spectral.yaml: any warning or error fails;
#   2. regenerates src/schema.d.ts from openapi/openapi.json and fails if it differs from the
#      committed one (the contract changed: review and commit it);
#   3. type-checks the client (a contract change that breaks a front end fails here);
#   4. runs src/cycle.ts, a new family through the whole early help cycle, against a throwaway
#      server on SQLite with the demo data, signed in as the demo users.
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

step "Tokens for the demo users"
# Issued side by side: each `familyhub token` is a Python start-up of a couple of seconds.
token_pids=()
for who in lena.lead quinn.qa lee.link mo.manager; do
    "$FH" token --user "$who@familyhub.example" >"$TMP/token.$who" &
    token_pids+=("$!")
done
for pid in "${token_pids[@]}"; do
    wait "$pid" || fail "familyhub token failed"
done
LEAD_TOKEN=$(<"$TMP/token.lena.lead")
QA_TOKEN=$(<"$TMP/token.quinn.qa")
LINK_TOKEN=$(<"$TMP/token.lee.link")
MANAGER_TOKEN=$(<"$TMP/token.mo.manager")
export LEAD_TOKEN QA_TOKEN LINK_TOKEN MANAGER_TOKEN
echo "lead (lena.lead@), QA (quinn.qa@), link worker (lee.link@) and manager (mo.manager@) tokens issued"

step "npm run cycle"
cd "$CLIENT"
npm run cycle

printf '\nclient-check passed in %ss\n' "$SECONDS"
