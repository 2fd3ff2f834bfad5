#!/bin/bash
# bench/cbpe.sh — estimated_binary_metrics (CBPE, SPEC.md section 10) against
# binary_metrics on the same rows (SPEC.md section 7: target <= 1.5x).
#
#   PGHOST=... PGPORT=... PGDATABASE=... bench/cbpe.sh [rows]
#
# Builds a 100k-row labelled baseline (drift.capture_baseline stores the
# score's isotonic calibration) and a table of 10M (rows) scores, then
# times, best of $RUNS interleaved rounds, one backend (no parallel workers,
# so that the ratio is per-core work):
#   estimated_binary_metrics(score, 0.5, baseline, column)  vs
#   binary_metrics(score, actual, 0.5), the labelled metrics it estimates,
# for continuous scores (every row a distinct score: the expected ROC curve
# then sweeps 10M points, O(n log n)) and for scores rounded to 4 decimals
# (at most 10001 distinct scores, as many deployed models emit); roc_auc on
# the labels, whose state is the same per-score run, is shown for scale.
# Needs the pg_drift extension; creates and drops cbpe_train, cbpe_current.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh
ROWS=${1:-10000000}

psql_q >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
DROP TABLE IF EXISTS cbpe_train, cbpe_current;
SELECT drift.drop_baseline(name) FROM drift.baselines WHERE name = 'cbpe_bench';
CREATE TABLE cbpe_train AS
  SELECT s AS score, s4 AS score4, random() < s * s AS actual
    FROM (SELECT r AS s, round(r::numeric, 4)::float8 AS s4
            FROM (SELECT random() AS r FROM generate_series(1, 100000)) g) x;
SELECT count(*) FROM drift.capture_baseline('cbpe_bench', 'cbpe_train',
         columns => ARRAY['score'], prediction_column => 'score', label_column => 'actual');
SELECT drift.capture_calibration('cbpe_bench', 'cbpe_train', 'score4', 'actual') IS NOT NULL;
CREATE TABLE cbpe_current AS
  SELECT s AS score, round(s::numeric, 4)::float8 AS score4, random() < s * s AS actual
    FROM (SELECT random() AS s FROM generate_series(1, $ROWS)) g;
VACUUM ANALYZE cbpe_current;
SQL

read -r EST BIN AUC EST4 BIN4 <<<"$(best_ms_each 'SET max_parallel_workers_per_gather = 0;' \
  "SELECT (estimated_binary_metrics(score, 0.5, 'cbpe_bench', 'score')).f1 FROM cbpe_current;" \
  "SELECT (binary_metrics(score, actual, 0.5)).f1 FROM cbpe_current;" \
  "SELECT roc_auc(score, actual) FROM cbpe_current;" \
  "SELECT (estimated_binary_metrics(score4, 0.5, 'cbpe_bench', 'score4')).f1 FROM cbpe_current;" \
  "SELECT (binary_metrics(score4, actual, 0.5)).f1 FROM cbpe_current;")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }

echo "rows=$ROWS, best of $RUNS interleaved rounds, one backend"
printf '%-58s %10s ms\n' "binary_metrics(score, actual, 0.5), continuous scores" "$BIN"
printf '%-58s %10s ms  %sx (target <= 1.5x)\n' "estimated_binary_metrics, continuous scores" "$EST" "$(ratio "$EST" "$BIN")"
printf '%-58s %10s ms  %sx\n' "roc_auc(score, actual), continuous scores" "$AUC" "$(ratio "$AUC" "$BIN")"
printf '%-58s %10s ms\n' "binary_metrics, scores rounded to 4 decimals" "$BIN4"
printf '%-58s %10s ms  %sx (target <= 1.5x)\n' "estimated_binary_metrics, scores rounded to 4 decimals" "$EST4" "$(ratio "$EST4" "$BIN4")"

psql_q -c "SET client_min_messages = warning" -c "SELECT drift.drop_baseline('cbpe_bench')" \
  -c "DROP TABLE cbpe_train, cbpe_current" >/dev/null
