#!/usr/bin/env bash
# bench/model_monitor.sh — one run of a model monitor (drift.create_model_monitor,
# issue 8) over COLUMNS numeric columns and a WINDOW_ROWS-row window, against
# a 100k-row baseline: the per-run time the README states (best of $RUNS);
# then the same monitor measuring its model's quality too (prediction_column
# and label_column: realized metrics and the CBPE estimate, in the same scan).
# A run is timed whole (drift.run_monitor: the check as the owner, the
# results, the column rows, the alert); the script then checks that the runs
# judged every row of the window and wrote a row per column, so that a
# failing check (which records an error quickly) cannot pass for a fast run.
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
SELECT drift.drop_monitor(m, if_exists => true)
  FROM unnest(ARRAY['bench_model_monitor', 'bench_model_quality']) m;
DROP TABLE IF EXISTS bench_mm_train, bench_mm_live;
-- features, and a score whose label follows it
SELECT format('CREATE TABLE bench_mm_train AS SELECT %s, s AS score, random() < s AS label'
              ' FROM generate_series(1, 100000) g, LATERAL (SELECT random() AS s) x',
              string_agg(format('round((random() * %s)::numeric, 2)::float8 AS f%s', c, c), ', '))
  FROM generate_series(1, :columns) c \gexec
SELECT format('CREATE TABLE bench_mm_live AS SELECT now() - random() * interval ''1 hour'' AS ts, %s,'
              ' s AS score, random() < s * 0.9 AS label'
              ' FROM generate_series(1, %s) g, LATERAL (SELECT random() AS s) x',
              string_agg(format('round((random() * %s * 1.05)::numeric, 2)::float8 AS f%s', c, c), ', '),
              :window_rows)
  FROM generate_series(1, :columns) c \gexec
SELECT count(*) FROM drift.capture_baseline('bench_model_monitor', 'bench_mm_train', replace => true,
                                            prediction_column => 'score', label_column => 'label');
SELECT array_agg('f' || c ORDER BY c) AS features FROM generate_series(1, :columns) c \gset
SELECT drift.create_model_monitor('bench_model_monitor', 'bench_mm_live', 'bench_model_monitor',
                                  time_column => 'ts', window_size => '2 hours', paused => true,
                                  columns => :'features');
SELECT drift.create_model_monitor('bench_model_quality', 'bench_mm_live', 'bench_model_monitor',
                                  time_column => 'ts', window_size => '2 hours', paused => true,
                                  columns => :'features', prediction_column => 'score',
                                  label_column => 'label');
SQL

read -r run quality <<<"$(best_ms_each "" "SELECT count(*) FROM drift.run_monitor('bench_model_monitor');" \
                                          "SELECT count(*) FROM drift.run_monitor('bench_model_quality');")"
printf '%-62s %10s ms\n' "one model-monitor run, $COLUMNS columns x $WINDOW_ROWS rows" "$run"
printf '%-62s %10s ms\n' "the same with prediction and label (quality, CBPE estimate)" "$quality"
bad=$(psql_q -At -v columns="$COLUMNS" -v window_rows="$WINDOW_ROWS" <<'SQL'
SELECT count(*) FILTER (WHERE r.state = 'error' OR r.n_current <> :window_rows
                           OR (SELECT count(*) FROM drift.model_results c
                                WHERE c.result_id = r.result_id) <> :columns
                           OR r.monitor = 'bench_model_quality'
                              AND NOT EXISTS (SELECT 1 FROM drift.model_quality q
                                               WHERE q.result_id = r.result_id
                                                 AND q.realized IS NOT NULL
                                                 AND q.estimated IS NOT NULL))
  FROM drift.results r WHERE r.monitor IN ('bench_model_monitor', 'bench_model_quality')
SQL
)
[ "$bad" = 0 ] || { echo "$bad run(s) did not judge $WINDOW_ROWS rows x $COLUMNS columns:" >&2
  psql_q -c "SELECT monitor, state, n_current, error FROM drift.results WHERE monitor LIKE 'bench\_model\_%'" >&2; exit 1; }
