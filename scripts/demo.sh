#!/usr/bin/env bash
# scripts/demo.sh — pg_drift's demo on a throw-away local cluster.
#
# Installs what is missing, builds and installs the extension, starts a
# private cluster with the background worker preloaded, loads a training table
# and a week of predictions in which one feature drifts from mid-week, and
# then tells the whole story: the baseline, day-by-day drift tests, monitors
# running over the simulated week, the alerts as pg_drift_listen receives
# them live, the history kept in drift.results, model quality estimated
# before the labels arrive (CBPE) beside the realized quality once they do,
# and drift.report()'s HTML page (written to $PG_DRIFT_REPORT, default
# /tmp/pg_drift_report.html).  The cluster is removed at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_packages
prepare_workdir
build_and_install
EXTRA_CONF="shared_preload_libraries = 'pg_drift'"
start_cluster
as_pg createdb demo
as_pg psql -X -q -d demo -f "$BUILD_DIR/scripts/demo.sql"

# pg_drift_listen LISTENs while the monitors run and prints one JSON line per alert.
# It is stopped by its own PID, never by name (other listeners may be running):
# the shell that as_pg starts writes its PID and then becomes the listener.
alerts=$WORK_DIR/alerts.jsonl
listen_pid=$WORK_DIR/listen.pid
as_pg sh -c 'echo $$ > "$1"; exec "$2" "dbname=demo"' listen "$listen_pid" "$PG_BIN/pg_drift_listen" \
  > "$alerts" 2> "$WORK_DIR/listen.log" &
listen_job=$!
for _ in $(seq 1 50); do [ -s "$listen_pid" ] && break; sleep 0.1; done
sleep 1
as_pg psql -X -q -d demo -f "$BUILD_DIR/scripts/demo_monitors.sql"
sleep 1
kill -INT "$(cat "$listen_pid")" || true
wait "$listen_job" || true
printf '\n== 10. What pg_drift_listen printed while the week ran (one JSON line per alert)\n'
cat "$alerts"
# Quality before the labels arrive (CBPE): estimated F1 beside realized F1.
as_pg psql -X -q -d demo -f "$BUILD_DIR/scripts/demo_cbpe.sql"

# drift.report(): the week as one self-contained HTML page (charts with the
# thresholds and alerts, baseline-vs-current histograms, latest results).
# Written outside the work directory, which is removed at the end.
report=${PG_DRIFT_REPORT:-${TMPDIR:-/tmp}/pg_drift_report.html}
as_pg psql -X -q -At -d demo -c 'SELECT drift.report()' > "$report"
printf '\n== 13. drift.report(): the monitors, their alerts and the drifted histogram on one page\n'
printf '   written to %s (open it in a browser; no network needed)\n' "$report"
stop_cluster
