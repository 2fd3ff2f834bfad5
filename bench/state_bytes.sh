#!/bin/bash
# bench/state_bytes.sh — the partial-state bytes of every aggregate that
# Citus pushes down (SPEC.md section 8, issue 13), as Citus ships them: the
# text output of the state type.
#
#   PGHOST=... PGPORT=... PGDATABASE=... bench/state_bytes.sh [rows] [shards]
#
# Builds a baseline (a numeric column of 726 distinct values, a column of 40
# categories, a labelled score) and a table of $ROWS (default 1M) rows, then
# runs each aggregate's own transition function as a pg_temp aggregate
# (SFUNC and STYPE of the real one, no final function), whose result is the
# partial state a Citus worker computes, and measures length(state::text):
#   one state  — all rows in one state (one shard holding every row);
#   per shard  — the rows split into $SHARDS (default 32) groups, the largest
#                group's state and the sum of all, what the coordinator reads.
# roc_auc, whose state keeps counts per distinct score, is shown for
# continuous scores (every row its own score) and for scores rounded to 4
# decimals.  Prints a markdown table.  Creates and drops sb_train, sb_live.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh
ROWS=${1:-1000000}
SHARDS=${2:-32}

psql_q >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
DROP TABLE IF EXISTS sb_train, sb_live;
SELECT drift.drop_baseline(name) FROM drift.baselines WHERE name = 'sb_bench';
CREATE TABLE sb_train AS
  SELECT (g % 726)::float8 AS x, 'c' || (g % 40) AS c, random() AS score, random() < 0.3 AS y
    FROM generate_series(1, 100000) g;
SELECT count(*) FROM drift.capture_baseline('sb_bench', 'sb_train', columns => ARRAY['x', 'c'],
                                          target_column => 'score');
CREATE TABLE sb_live AS
  SELECT g, (random() * 800)::int::float8 AS x, 'c' || (random() * 45)::int AS c,
         s AS score, round(s::numeric, 4)::float8 AS score4, random() < s AS y,
         random() * 10 AS yhat, random() * 10 AS yv, 'l' || (random() * 5)::int AS lp, 'l' || (random() * 5)::int AS la
    FROM (SELECT g, random() AS s FROM generate_series(1, $ROWS) g) r;
VACUUM ANALYZE sb_live;
SQL

# name | transition function | argument types | state type | arguments
AGGS=$(cat <<'LIST'
ks_drift (named)|ks_drift_named_trans|float8, text, text|drift_stream_state|x, 'sb_bench', 'x'
ks_drift (profile)|ks_drift_profile_trans|float8, drift_profile|drift_stream_state|x, drift.baseline('sb_bench', 'x')
psi_drift, js_drift (numeric)|binned_drift_named_trans|float8, text, text|drift_stream_state|x, 'sb_bench', 'x'
chi2_drift, psi_drift (categorical)|categorical_named_trans|text, text, text|drift_category_state|c, 'sb_bench', 'c'
unseen_category_share|unseen_share_named_trans|text, text, text|drift_stream_state|c, 'sb_bench', 'c'
zscore_drift|zscore_drift_named_trans|float8, text, text|drift_mean_state|x, 'sb_bench', 'x'
null_rate_drift|null_rate_drift_named_trans|float8, text, text|drift_integrity_state|x, 'sb_bench', 'x'
out_of_range_share|out_of_range_share_named_trans|float8, text, text|drift_integrity_state|x, 'sb_bench', 'x'
corr_drift|corr_drift_named_trans|float8, float8, text, text|drift_corr_state|x, score, 'sb_bench', 'x'
binary_metrics|binary_metrics_trans|float8, bool, float8|drift_binary_metrics_state|score, y, 0.5
regression_metrics|regression_metrics_trans|float8, float8|drift_regression_metrics_state|yhat, yv
log_loss|log_loss_trans|float8, bool|drift_metric_mean_state|score, y
multiclass_metrics (5 labels)|multiclass_metrics_trans|text, text|drift_multiclass_metrics_state|lp, la
roc_auc (continuous scores)|roc_auc_trans|float8, bool|drift_roc_state|score, y
roc_auc (scores to 4 decimals)|roc_auc_trans|float8, bool|drift_roc_state|score4, y
LIST
)

echo "Partial-state text bytes, $ROWS rows ($SHARDS shards: $((ROWS / SHARDS)) rows each)"
echo
echo "| aggregate | one state of $ROWS rows | largest of $SHARDS shard states | all $SHARDS shard states |"
echo "|---|---:|---:|---:|"
i=0
while IFS='|' read -r name fn types stype args; do
  i=$((i + 1))
  row=$(psql_q -At -F ' ' <<SQL
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
CREATE AGGREGATE pg_temp.sb_$i($types) (SFUNC = $fn, STYPE = $stype);
SELECT (SELECT length(pg_temp.sb_$i($args)::text) FROM sb_live),
       max(n), sum(n)
  FROM (SELECT length(pg_temp.sb_$i($args)::text) AS n FROM sb_live GROUP BY g % $SHARDS) s;
SQL
)
  read -r one largest total <<<"$row"
  echo "| $name | $one | $largest | $total |"
done <<<"$AGGS"

psql_q >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE sb_train, sb_live;
SELECT drift.drop_baseline('sb_bench');
SQL
