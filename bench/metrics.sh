#!/bin/bash
# bench/metrics.sh — moving-window model-quality metrics against the built-in
# window sums and the hand-written SQL they replace (SPEC.md section 7).
#
#   PGHOST=... PGPORT=... PGDATABASE=... bench/metrics.sh [rows] [frame]
#
# Builds a table of 1M (rows) predictions, then times, side by side in one run
# and best of 3-5 interleaved runs (psql \timing, each query wrapped in max() so that output is
# not what is measured), over ORDER BY id ROWS (frame - 1) PRECEDING:
#   (binary_metrics(predicted, actual) OVER w).f1 (one result, as SPEC.md's
#     example)  vs  sum(int) OVER w (one built-in sum with one result, target
#     <= 1.5x); binary_metrics with all four metrics read  vs  the four metrics
#     as hand-written CASE sums (target: faster);
#   regression_metrics(yhat, y) OVER w  vs  sum(numeric) OVER w (the O(1)
#     built-in sum; PostgreSQL has no inverse for float sums), the metrics
#     hand-written with numeric sums (float sums are not invertible, so O(1)
#     hand-written SQL needs numeric), and sum(float8) OVER w, which is
#     O(frame) per row and therefore timed on the first FLOAT_ROWS rows only.
# Needs the pg_drift extension in the database; creates and drops bench_metrics.
set -euo pipefail
ROWS=${1:-1000000}
FRAME=${2:-10000}
PRECEDING=$((FRAME - 1))
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

"${PSQL[@]}" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
DROP TABLE IF EXISTS bench_metrics;
CREATE TABLE bench_metrics AS
  SELECT g AS id,
         (hashint4(g) % 100) < 40 AS actual,
         (hashint4(g + 7) % 100) < 35 AS predicted,
         (1e3 + (hashint4(g) % 1000) / 10.0)::float8 AS y,
         (1e3 + (hashint4(g) % 1000) / 10.0 + (hashint4(g + 3) % 100) / 25.0 - 2)::float8 AS yhat
    FROM generate_series(1, $ROWS) g;
ALTER TABLE bench_metrics ADD PRIMARY KEY (id);
VACUUM ANALYZE bench_metrics;
SQL

W="WINDOW w AS (ORDER BY id ROWS $PRECEDING PRECEDING)"

# one run of a query, in milliseconds (psql \timing)
timed() {
  "${PSQL[@]}" -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
}
# best of N runs of several queries, run interleaved (round after round) so
# that a change of machine load mid-run affects them alike; sets T[name]
declare -A T
race() {
  local n=$1; shift
  local -a names=() sqls=()
  while [ $# -gt 0 ]; do names+=("$1"); sqls+=("$2"); shift 2; done
  for _ in $(seq "$n"); do
    for i in "${!names[@]}"; do
      local t; t=$(timed "${sqls[$i]}")
      if [ -z "${T[${names[$i]}]:-}" ] || awk -v a="$t" -v b="${T[${names[$i]}]}" 'BEGIN{exit !(a<b)}'; then
        T[${names[$i]}]=$t
      fi
    done
  done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3g", a/b}'; }

echo "rows=$ROWS frame=$FRAME (ROWS $PRECEDING PRECEDING), best of 5 (binary) or 3 (regression) interleaved runs"

race 5 \
  BIN "SELECT max((b).accuracy), max((b).precision), max((b).recall), max((b).f1)
  FROM (SELECT binary_metrics(predicted, actual) OVER w AS b FROM bench_metrics $W) s" \
  BIN1 "SELECT max(f) FROM (SELECT (binary_metrics(predicted, actual) OVER w).f1 AS f FROM bench_metrics $W) s" \
  SUM "SELECT max(s) FROM (SELECT sum(predicted::int) OVER w AS s FROM bench_metrics $W) s" \
  CASE "SELECT max((tp + tn)::float8 / nullif(tp + fp + tn + fn, 0)),
       max(tp::float8 / nullif(tp + fp, 0)), max(tp::float8 / nullif(tp + fn, 0)),
       max(2 * tp::float8 / nullif(2 * tp + fp + fn, 0))
  FROM (SELECT sum(CASE WHEN predicted AND actual THEN 1 ELSE 0 END) OVER w AS tp,
               sum(CASE WHEN predicted AND NOT actual THEN 1 ELSE 0 END) OVER w AS fp,
               sum(CASE WHEN NOT predicted AND NOT actual THEN 1 ELSE 0 END) OVER w AS tn,
               sum(CASE WHEN NOT predicted AND actual THEN 1 ELSE 0 END) OVER w AS fn
          FROM bench_metrics $W) s"
T_BIN=${T[BIN]}; T_BIN1=${T[BIN1]}; T_SUM=${T[SUM]}; T_CASE=${T[CASE]}
echo
echo "binary_metrics OVER w, 4 metrics ${T_BIN} ms"
echo "(binary_metrics OVER w).f1       ${T_BIN1} ms"
echo "sum(int) OVER w (one sum)        ${T_SUM} ms   (binary_metrics OVER w).f1 / sum = $(ratio "$T_BIN1" "$T_SUM")  (target <= 1.5);  4 metrics / sum = $(ratio "$T_BIN" "$T_SUM")"
echo "hand-written CASE sums OVER w    ${T_CASE} ms   binary_metrics / CASE sums = $(ratio "$T_BIN" "$T_CASE")  (target < 1)"

race 3 \
  REG "SELECT max((r).mse), max((r).mae), max((r).r2), max((r).bias)
  FROM (SELECT regression_metrics(yhat, y) OVER w AS r FROM bench_metrics $W) s" \
  NUM "SELECT max(s) FROM (SELECT sum(y::numeric) OVER w AS s FROM bench_metrics $W) s" \
  HAND "SELECT max(sse / n), max(sae / n), max(1 - sse / nullif(sa2 - sa * sa / n, 0)), max(se / n)
  FROM (SELECT count(*) OVER w AS n,
               sum(((yhat - y) * (yhat - y))::numeric) OVER w AS sse,
               sum(abs(yhat - y)::numeric) OVER w AS sae,
               sum((yhat - y)::numeric) OVER w AS se,
               sum(y::numeric) OVER w AS sa,
               sum(y::numeric * y::numeric) OVER w AS sa2
          FROM bench_metrics $W) s"
T_REG=${T[REG]}; T_NUM=${T[NUM]}; T_HAND=${T[HAND]}
# sum(float8) OVER a moving frame is recomputed for every row (PostgreSQL
# has no inverse for float sums): O(rows x frame).  On all rows it runs for
# well over ten minutes, so it is timed on the first FLOAT_ROWS rows, with
# regression_metrics on the same rows for the ratio.
FLOAT_ROWS=${FLOAT_ROWS:-50000}
race 1 \
  FLT "SELECT max(s) FROM (SELECT sum(y) OVER w AS s FROM bench_metrics WHERE id <= $FLOAT_ROWS $W) s" \
  REGSUB "SELECT max((r).mse), max((r).mae), max((r).r2), max((r).bias)
  FROM (SELECT regression_metrics(yhat, y) OVER w AS r FROM bench_metrics WHERE id <= $FLOAT_ROWS $W) s"
T_FLT=${T[FLT]}; T_REG_SUB=${T[REGSUB]}
echo
echo "regression_metrics OVER w        ${T_REG} ms"
echo "sum(numeric) OVER w (one sum)    ${T_NUM} ms   regression_metrics / sum(numeric) = $(ratio "$T_REG" "$T_NUM")"
echo "hand-written numeric sums OVER w ${T_HAND} ms   regression_metrics / hand-written = $(ratio "$T_REG" "$T_HAND")  (target < 1)"
echo "on the first $FLOAT_ROWS rows: regression_metrics ${T_REG_SUB} ms, sum(float8) OVER w ${T_FLT} ms (1 run each, O(frame) per row): ratio $(ratio "$T_REG_SUB" "$T_FLT")"

"${PSQL[@]}" -c "DROP TABLE bench_metrics"
