#!/usr/bin/env bash
# A local PostgreSQL streaming replica of the benchmark's cluster, for the reports to read from
# (FAMILYHUB_READ_REPLICA_URL) while the mixed load runs on the primary.
#
#   bench/replica.sh start    # base backup of 127.0.0.1:5432, hot standby on 127.0.0.1:5433
#   bench/replica.sh status   # the primary's pg_stat_replication row for it, and its lag
#   bench/replica.sh url      # the replica's URL for database $BENCH_DB (familyhub_bench)
#   bench/replica.sh stop     # stop it, drop its replication slot, delete its files
#
# `start` takes a base backup with pg_basebackup into a temporary directory (the whole cluster,
# through a physical replication slot so the primary keeps the WAL the standby still needs), writes
# the standby its own configuration and starts it with pg_ctl, as the postgres user (PostgreSQL
# will not run as root), then waits until the primary reports it streaming. The primary must let
# postgres make replication connections from 127.0.0.1: if its pg_hba.conf has no such line, one
# (trust, loopback only, as the benchmark's own connections) is added, marked, and removed again by
# `stop`. `stop` always drops the slot: a slot left behind would keep the primary's WAL forever.
#
# Environment: BENCH_REPLICA_PORT (5433), BENCH_REPLICA_DIR (/tmp/familyhub-bench-replica),
# BENCH_DB (familyhub_bench), BENCH_PRIMARY_PORT (5432).
set -euo pipefail

PRIMARY_PORT=${BENCH_PRIMARY_PORT:-5432}
PORT=${BENCH_REPLICA_PORT:-5433}
DIR=${BENCH_REPLICA_DIR:-/tmp/familyhub-bench-replica}
DB=${BENCH_DB:-familyhub_bench}
SLOT=familyhub_bench_replica
HBA_MARK="# added by familyhub bench/replica.sh"

BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$BIN" ]]; then BIN=$(dirname "$(command -v pg_ctl)"); fi

primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -X -At -v ON_ERROR_STOP=1 "$@"; }

as_postgres() {
  if [[ $(id -un) == postgres ]]; then "$@"
  elif [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"
  else sudo -u postgres -- "$@"
  fi
}

streaming() {
  [[ $(primary -c "SELECT state FROM pg_stat_replication WHERE application_name = '$SLOT'") == streaming ]]
}

allow_replication() {
  local hba
  hba=$(primary -c "SHOW hba_file")
  if [[ $(primary -c "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)
        AND type = 'host' AND address = '127.0.0.1' AND auth_method = 'trust'") != 0 ]]; then
    return
  fi
  echo "replica: letting postgres make replication connections from 127.0.0.1 ($hba)"
  printf 'host replication postgres 127.0.0.1/32 trust %s\n' "$HBA_MARK" >> "$hba"
  primary -c "SELECT pg_reload_conf()" > /dev/null
}

forget_replication() {
  local hba
  hba=$(primary -c "SHOW hba_file")
  if grep -qF "$HBA_MARK" "$hba"; then
    # Rewritten in place (same file, owner and mode), without the line this script added.
    local kept
    kept=$(grep -vF "$HBA_MARK" "$hba")
    printf '%s\n' "$kept" > "$hba"
    primary -c "SELECT pg_reload_conf()" > /dev/null
  fi
}

start() {
  if [[ -e "$DIR" ]]; then
    echo "replica: $DIR exists; run '$0 stop' first" >&2
    exit 1
  fi
  if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    echo "replica: something already listens on 127.0.0.1:$PORT" >&2
    exit 1
  fi
  allow_replication
  mkdir -p "$DIR"
  chown postgres: "$DIR" 2>/dev/null || true
  chmod 700 "$DIR"
  echo "replica: base backup of 127.0.0.1:$PRIMARY_PORT into $DIR/data"
  as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/data" \
    --checkpoint=fast --wal-method=stream --write-recovery-conf --create-slot --slot="$SLOT"
  # Debian keeps the configuration out of the data directory, so the standby gets its own. The
  # base backup's postgresql.auto.conf holds primary_conninfo and primary_slot_name (-R).
  as_postgres tee "$DIR/data/postgresql.conf" > /dev/null <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
cluster_name = '$SLOT'
hot_standby = on
# Long report queries are not cancelled for rows vacuum removed on the primary; the primary keeps
# them until the standby's queries end.
hot_standby_feedback = on
max_connections = 100
shared_buffers = 128MB
EOF
  as_postgres tee "$DIR/data/pg_hba.conf" > /dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_postgres touch "$DIR/data/pg_ident.conf"
  as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/replica.log" -w -t 120 start > /dev/null
  for _ in $(seq 1 120); do
    if streaming; then break; fi
    sleep 0.5
  done
  if ! streaming; then
    echo "replica: started but not streaming; see $DIR/replica.log" >&2
    exit 1
  fi
  echo "replica: streaming on 127.0.0.1:$PORT ($(url))"
}

stop() {
  if [[ -f "$DIR/data/postmaster.pid" ]]; then
    as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 120 stop > /dev/null || true
  fi
  if [[ $(primary -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'") != 0 ]]; then
    primary -c "SELECT pg_drop_replication_slot('$SLOT')" > /dev/null
  fi
  forget_replication
  rm -rf "$DIR"
  echo "replica: stopped, slot dropped, $DIR removed"
}

status() {
  primary -c "SELECT application_name, state, sent_lsn, replay_lsn, replay_lag
    FROM pg_stat_replication WHERE application_name = '$SLOT'"
}

url() {
  echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
