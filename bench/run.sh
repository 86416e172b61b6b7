#!/usr/bin/env bash
# The whole benchmark in one command: fresh database, migrations, county-sized data set, the
# service under uvicorn with production settings (2 workers), the load driver, the chronology
# scenario, the results tables.
#
#   bench/run.sh                       # defaults: 50,000 families, seed 2026, 45 s mixed runs
#   BENCH_SCALE=10 bench/run.sh        # 10x the families
#   BENCH_SKIP_GENERATE=1 bench/run.sh # reuse the data already in familyhub_bench
#   BENCH_REPLICA=1 bench/run.sh       # the reports read from a local streaming replica
#
# BENCH_REPLICA=1 starts a hot standby of the cluster on 127.0.0.1:5433 (bench/replica.sh, with
# pg_basebackup) once the data is loaded, and serves with FAMILYHUB_READ_REPLICA_URL pointing at
# it: the reports and the timeliness summary read there while the mixed load, and every report's
# audit entry, go to the primary. The replica is stopped and its files and slot removed at exit.
#
# Needs PostgreSQL on 127.0.0.1:5432 with trust authentication for user postgres (as `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."

PGHOST_URL=${BENCH_PG:-postgresql+psycopg://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-familyhub_bench}
PORT=${BENCH_PORT:-18765}
CEILING_PORT=${BENCH_CEILING_PORT:-18766}
SCALE=${BENCH_SCALE:-1}
SEED=${BENCH_SEED:-2026}
SECONDS_MIXED=${BENCH_SECONDS:-45}
CONCURRENCY=${BENCH_CONCURRENCY:-48}
OUT=bench/out
mkdir -p "$OUT"

export FAMILYHUB_DATABASE_URL="$PGHOST_URL/$DB"
export FAMILYHUB_ENV=production
export FAMILYHUB_LOG_LEVEL=warning
# A fresh non-demo secret: production settings refuse the demo one. Tokens are minted with it.
export FAMILYHUB_AUTH_HS256_SECRET=${FAMILYHUB_AUTH_HS256_SECRET:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')}
# Production refuses the published demo audit key too. The generator seals the entries it writes
# (registering the staff is audited) with the same key the service then seals with; kept in
# $OUT so a BENCH_SKIP_GENERATE run continues the same chain.
if [[ -z "${FAMILYHUB_AUDIT_KEY:-}" ]]; then
  if [[ -n "${BENCH_SKIP_GENERATE:-}" && -s "$OUT/audit.key" ]]; then
    FAMILYHUB_AUDIT_KEY=$(cat "$OUT/audit.key")
  else
    FAMILYHUB_AUDIT_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')
    (umask 077 && echo "$FAMILYHUB_AUDIT_KEY" > "$OUT/audit.key")
  fi
fi
export FAMILYHUB_AUDIT_KEY

if [[ -z "${BENCH_SKIP_GENERATE:-}" ]]; then
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  .venv/bin/familyhub migrate
  .venv/bin/python bench/generate.py --scale "$SCALE" --seed "$SEED" --summary-json "$OUT/generate.json" | tee "$OUT/generate.log"
fi

SERVER=
CEILING=
REPLICA=
cleanup() {
  for pid in $SERVER $CEILING; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [[ -n "$REPLICA" ]]; then bench/replica.sh stop || true; fi
}
trap cleanup EXIT

if [[ -n "${BENCH_REPLICA:-}" ]]; then
  REPLICA=1
  bench/replica.sh start
  FAMILYHUB_READ_REPLICA_URL=$(BENCH_DB="$DB" bench/replica.sh url)
  export FAMILYHUB_READ_REPLICA_URL
fi

.venv/bin/familyhub serve --host 127.0.0.1 --port "$PORT" --workers 2 > "$OUT/server.log" 2>&1 &
SERVER=$!
# The ceiling (bench/ceiling.py): the same stack bare, beside the service, on the same rows, so
# every scenario is measured against it in the same minutes.
.venv/bin/uvicorn bench.ceiling:app --host 127.0.0.1 --port "$CEILING_PORT" --workers 2 \
  --no-access-log --log-level warning > "$OUT/ceiling.log" 2>&1 &
CEILING=$!
for url in "http://127.0.0.1:$PORT/ready" "http://127.0.0.1:$CEILING_PORT/ready"; do
  for _ in $(seq 1 120); do
    if curl -fs "$url" > /dev/null; then break; fi
    sleep 0.5
  done
  curl -fs "$url" > /dev/null || { echo "$url did not become ready"; cat "$OUT/server.log" "$OUT/ceiling.log"; exit 1; }
done

.venv/bin/python bench/load.py --base-url "http://127.0.0.1:$PORT" --server-pid "$SERVER" \
  --ceiling-url "http://127.0.0.1:$CEILING_PORT" \
  --seconds "$SECONDS_MIXED" --concurrency "$CONCURRENCY" --out "$OUT/load.json" | tee "$OUT/load.log"

# Issue 19: the first page of a long family's chronology (bench/chronology.py), beside the ceiling.
.venv/bin/python bench/chronology.py --base-url "http://127.0.0.1:$PORT" \
  --ceiling-url "http://127.0.0.1:$CEILING_PORT" --out "$OUT/chronology.json" | tee "$OUT/chronology.log"

if [[ -n "$REPLICA" ]]; then
  # How far behind the primary the replica ended the run (replay_lag: the last change's delay).
  bench/replica.sh status | tee "$OUT/replica.txt"
fi
