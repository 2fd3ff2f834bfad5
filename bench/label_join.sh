#!/bin/bash
# bench/label_join.sh — one run of a monitor whose labels are in another
# table (label_relation, joined on join_column) against the same monitor over
# a table that holds the labels itself (SPEC.md section 10; issue 9).
#
#   PGHOST=... PGPORT=... PGDATABASE=... bench/label_join.sh [rows_per_window]
#
# 8 daily windows of 10k (rows_per_window) predictions, every one labelled.
# Times drift.run_monitor (best of $RUNS interleaved rounds, as_of fixed) of
#   f1 over predictions with their label column (the same-table monitor);
#   f1 with label_relation, no horizon (the join and the coverage);
#   f1 with label_relation and label_horizon '7 days': each run also checks
#     the 7 earlier windows for changed labels (none changed: nothing is
#     recorded for them, but each is recomputed to compare).
# Needs the pg_drift extension; creates and drops lj_bench_*.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh
N=${1:-10000}

psql_q >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
SELECT drift.drop_monitor(name) FROM drift.monitors WHERE name LIKE 'lj\_bench\_%';
DROP TABLE IF EXISTS lj_bench_preds, lj_bench_labels;
CREATE TABLE lj_bench_preds AS
  SELECT g AS id, timestamptz '2026-06-01 00:00+00' + (g - 1) * interval '1 day' / $N AS ts,
         hashint4(g) % 3 = 0 AS predicted, hashint4(g + 1) % 4 = 0 AS actual
    FROM generate_series(1, 8 * $N) g;
CREATE INDEX ON lj_bench_preds (ts);
CREATE TABLE lj_bench_labels AS SELECT id, actual AS is_fraud FROM lj_bench_preds;
ALTER TABLE lj_bench_labels ADD PRIMARY KEY (id);
VACUUM ANALYZE lj_bench_preds, lj_bench_labels;
SELECT drift.create_monitor('lj_bench_same', 'lj_bench_preds', metric => 'f1',
       column_name => 'predicted', label_column => 'actual', lower_bound => 0,
       time_column => 'ts', window_size => '1 day');
SELECT drift.create_monitor('lj_bench_join', 'lj_bench_preds', metric => 'f1',
       column_name => 'predicted', label_column => 'is_fraud', lower_bound => 0,
       time_column => 'ts', window_size => '1 day', label_relation => 'lj_bench_labels',
       join_column => 'id');
SELECT drift.create_monitor('lj_bench_horizon', 'lj_bench_preds', metric => 'f1',
       column_name => 'predicted', label_column => 'is_fraud', lower_bound => 0,
       time_column => 'ts', window_size => '1 day', label_relation => 'lj_bench_labels',
       join_column => 'id', label_horizon => '7 days');
-- the 7 earlier windows judged once, as a week of runs would have
SELECT count(*) FROM generate_series(1, 7) d,
       LATERAL drift.run_monitor('lj_bench_horizon',
                                 as_of => timestamptz '2026-06-01 00:00+00' + d * interval '1 day') r;
SQL

AS_OF="timestamptz '2026-06-09 00:00+00'"
read -r SAME JOIN HORIZON <<<"$(best_ms_each 'SET client_min_messages = warning;' \
  "SELECT count(*) FROM drift.run_monitor('lj_bench_same', as_of => $AS_OF);" \
  "SELECT count(*) FROM drift.run_monitor('lj_bench_join', as_of => $AS_OF);" \
  "SELECT count(*) FROM drift.run_monitor('lj_bench_horizon', as_of => $AS_OF);")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }

echo "window of $N predictions, best of $RUNS interleaved rounds"
printf '%-62s %9s ms\n' "f1 monitor, labels in the same table" "$SAME"
printf '%-62s %9s ms  %sx\n' "f1 monitor, labels joined from another table" "$JOIN" "$(ratio "$JOIN" "$SAME")"
printf '%-62s %9s ms  %sx\n' "the same with label_horizon (7 earlier windows checked)" "$HORIZON" "$(ratio "$HORIZON" "$SAME")"

psql_q >/dev/null -c "SET client_min_messages = warning" \
  -c "SELECT drift.drop_monitor(name) FROM drift.monitors WHERE name LIKE 'lj\_bench\_%'" \
  -c "DROP TABLE lj_bench_preds, lj_bench_labels"
