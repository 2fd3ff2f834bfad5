#!/usr/bin/env bash
# bench/model_monitor.sh — one run of a model monitor (drift.create_model_monitor,
# issue 8) over COLUMNS numeric columns and a WINDOW_ROWS-row window, against
# a 100k-row baseline: the per-run time the README states (best of $RUNS).
#
# Usage: PGHOST=... PGPORT=... [PGDATABASE=...] [COLUMNS=100] [WINDOW_ROWS=10000] bench/model_monitor.sh
# Needs pg_drift installed in the server (the extension is created if missing).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COLUMNS=${COLUMNS:-100}
WINDOW_ROWS=${WINDOW_ROWS:-10000}

echo "building a $COLUMNS-column baseline (100000 rows) and a $WINDOW_ROWS-row window ..." >&2
psql_q -v columns="$COLUMNS" -v window_rows="$WINDOW_ROWS" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
SELECT drift.drop_monitor('bench_model_monitor', if_exists => true);
DROP TABLE IF EXISTS bench_mm_train, bench_mm_live;
SELECT format('CREATE TABLE bench_mm_train AS SELECT %s FROM generate_series(1, 100000) g',
              string_agg(format('round((random() * %s)::numeric, 2)::float8 AS f%s', c, c), ', '))
  FROM generate_series(1, :columns) c \gexec
SELECT format('CREATE TABLE bench_mm_live AS SELECT now() - random() * interval ''1 hour'' AS ts, %s'
              ' FROM generate_series(1, %s) g',
              string_agg(format('round((random() * %s * 1.05)::numeric, 2)::float8 AS f%s', c, c), ', '),
              :window_rows)
  FROM generate_series(1, :columns) c \gexec
SELECT count(*) FROM drift.capture_baseline('bench_model_monitor', 'bench_mm_train', replace => true);
SELECT drift.create_model_monitor('bench_model_monitor', 'bench_mm_live', 'bench_model_monitor',
                                  time_column => 'ts', window_size => '2 hours', paused => true);
SQL

run=$(best_ms "" "SELECT count(*) FROM drift.run_monitor('bench_model_monitor');")
printf '%-62s %10s ms\n' "one model-monitor run, $COLUMNS columns x $WINDOW_ROWS rows" "$run"
