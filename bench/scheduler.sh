#!/usr/bin/env bash
# bench/scheduler.sh — the background worker under load, and at rest.
#
#   1000 monitors (KS against a 1000-value baseline), all due every minute, each
#   reading a 10k-row window of one predictions table through an index on
#   created_at.  SPREAD=1 (default): due times spread over the minute, as
#   monitors created at different times are; SPREAD=0: all due at the same
#   second (the worst case).
#   Scheduling lag = results.run_at - results.scheduled_for (the slot it ran
#   for), p50/p99/max over MINUTES minutes; target p99 < 5 s.  Then every
#   monitor is paused and the worker's CPU is read from /proc over IDLE_SECS
#   seconds: the launcher's own utime+stime plus the postmaster's cutime+cstime
#   (CPU of exited children: the short-lived schedulers); target: nothing
#   measurable.
#
# Usage (as a non-root user that can run initdb, with pg_drift installed into
# the PostgreSQL of PG_CONFIG):
#   [PG_CONFIG=pg_config] [MONITORS=1000] [MINUTES=3] [IDLE_SECS=60] [SPREAD=1] bench/scheduler.sh
# Starts and stops its own throw-away cluster (it needs shared_preload_libraries).
set -euo pipefail
PG_CONFIG=${PG_CONFIG:-pg_config}
MONITORS=${MONITORS:-1000}
SPREAD=${SPREAD:-1}
MINUTES=${MINUTES:-3}
IDLE_SECS=${IDLE_SECS:-60}
BIN=$("$PG_CONFIG" --bindir)
DIR=$(mktemp -d /tmp/pg_drift_bench_sched.XXXXXX)
PORT=${PORT:-54329}
export PGHOST=$DIR PGPORT=$PORT PGDATABASE=postgres
trap '"$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT

"$BIN/initdb" -D "$DIR/data" -A trust >/dev/null
cat >> "$DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$DIR'
port = $PORT
shared_preload_libraries = 'pg_drift'
max_worker_processes = 16
CONF
"$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null
psql_q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "building the table (10k rows a minute, 15 minutes around now) and $MONITORS monitors (SPREAD=$SPREAD) ..." >&2
psql_q -o /dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_drift;
SELECT setseed(0.5);
CREATE TABLE training AS
  SELECT round((random() * 100)::numeric, 1)::float8 AS amount FROM generate_series(1, 100000);
SELECT count(*) FROM drift.capture_baseline('bench', 'training', columns => ARRAY['amount']);
CREATE TABLE predictions AS
  SELECT now() - interval '2 minutes' + g * interval '6 milliseconds' AS created_at,
         random() * 100 AS amount
    FROM generate_series(1, 150000) g;
CREATE INDEX ON predictions (created_at);
VACUUM ANALYZE predictions;
SELECT count(drift.create_monitor('m' || g, 'predictions', column_name => 'amount',
                                  baseline => 'bench', time_column => 'created_at',
                                  window_size => '1 minute', schedule => '1 minute',
                                  paused => true))
  FROM generate_series(1, $MONITORS) g;
UPDATE drift.monitors
   SET paused = false,
       next_run = date_trunc('minute', now()) + interval '1 minute'
                  + CASE WHEN $SPREAD = 1 THEN (monitor_id % 60) * interval '1 second'
                         ELSE interval '0' END;
SELECT drift._wake_scheduler();
SQL
psql_q -Atc "SELECT 'rows in one window: ' || count(*) FROM predictions
              WHERE created_at >= now() - interval '1 minute' AND created_at < now()" >&2

echo "running for $MINUTES minute(s) ..." >&2
sleep $(( MINUTES * 60 + 65 ))

psql_q <<'SQL'
\pset footer off
SELECT count(*) AS runs, count(DISTINCT scheduled_for) AS slots,
       count(*) FILTER (WHERE state = 'error') AS errors,
       round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY run_at - scheduled_for))::numeric, 3) AS lag_p50_s,
       round(extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY run_at - scheduled_for))::numeric, 3) AS lag_p99_s,
       round(extract(epoch FROM max(run_at - scheduled_for))::numeric, 3) AS lag_max_s
  FROM drift.results WHERE scheduled_for IS NOT NULL;
SELECT to_char(date_trunc('minute', scheduled_for), 'HH24:MI') AS minute, count(*) AS monitors_run,
       round(extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY run_at - scheduled_for))::numeric, 3) AS lag_p99_s
  FROM drift.results WHERE scheduled_for IS NOT NULL GROUP BY 1 ORDER BY 1;
SQL

# idle: every monitor paused
psql_q -c "UPDATE drift.monitors SET paused = true" >/dev/null
sleep 5
PM=$(head -1 "$DIR/data/postmaster.pid")
LAUNCHER=$(psql_q -Atc "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_drift launcher'")
TICK=$(getconf CLK_TCK)
cpu() {  # launcher utime+stime + postmaster cutime+cstime, in ticks
  local l p
  l=$(awk '{ print $14 + $15 }' "/proc/$LAUNCHER/stat")
  p=$(awk '{ print $16 + $17 }' "/proc/$PM/stat")
  echo $(( l + p ))
}
echo "idle for $IDLE_SECS s (launcher pid $LAUNCHER) ..." >&2
c0=$(cpu); sleep "$IDLE_SECS"; c1=$(cpu)
awk -v d=$(( c1 - c0 )) -v t="$TICK" -v s="$IDLE_SECS" \
  'BEGIN { printf "idle worker CPU: %d ticks = %.3f s over %d s (%.3f%% of one core)\n", d, d / t, s, 100 * d / t / s }'
