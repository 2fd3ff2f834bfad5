#!/usr/bin/env bash
# bench/dataset_drift.sh — the whole-model check (drift.dataset_drift, SPEC.md
# section 7 and 9, issue 8) over ROWS current rows x 25 columns (20 numeric,
# 5 categorical, automatic tests) against a BASE_ROWS-row baseline, beside
#   * one query computing avg() of every numeric and max() of every
#     categorical column over the same rows (target: dataset_drift <= 1.6 x), and
#   * the same check as 25 single-column queries (dataset_drift with one
#     column each, one scan each; target: dataset_drift >= 3.5 x faster).
#
# Usage: PGHOST=... PGPORT=... [PGDATABASE=...] [ROWS=1000000] [BASE_ROWS=100000] bench/dataset_drift.sh
# Needs pg_drift installed in the server (the extension is created if missing).
# Best of $RUNS (default 3) rounds, serial plans; queries take turns in each
# round so that a noisy neighbour slows them alike.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROWS=${ROWS:-1000000}
BASE_ROWS=${BASE_ROWS:-100000}

echo "building $ROWS current rows and a $BASE_ROWS-row baseline (25 columns) ..." >&2
psql_q -v rows="$ROWS" -v base_rows="$BASE_ROWS" -f "$(dirname "${BASH_SOURCE[0]}")/dataset_drift.sql" >/dev/null

serial="SET max_parallel_workers_per_gather = 0;"
cols=$(psql_q -At -c "SELECT string_agg(column_name, ' ' ORDER BY column_name) FROM drift.baseline_columns WHERE baseline_name = 'bench_model'")
aggs=""
singles=""
for c in $cols; do
  case $c in c*) aggs="$aggs, max($c)";; *) aggs="$aggs, avg($c)";; esac
  singles="$singles PERFORM count(*) FROM drift.dataset_drift('bench_model', 'bench_model_cur', columns => ARRAY['$c']);"
done
plain="SELECT ${aggs#, } FROM bench_model_cur;"
whole="SELECT count(*) FROM drift.dataset_drift('bench_model', 'bench_model_cur');"
single="DO \$\$ BEGIN $singles END \$\$;"

read -r t_plain t_whole t_single <<<"$(best_ms_each "$serial" "$plain" "$whole" "$single")"
printf '%-62s %10s ms\n' "avg() of 20 numeric + max() of 5 categorical (one query)" "$t_plain"
printf '%-62s %10s ms  %sx the avg()/max() query (target <= 1.6)\n' \
  "drift.dataset_drift, 25 columns, one scan" "$t_whole" "$(ratio "$t_whole" "$t_plain")"
printf '%-62s %10s ms  dataset_drift is %sx faster (target >= 3.5)\n' \
  "25 single-column dataset_drift queries" "$t_single" "$(ratio "$t_single" "$t_whole")"
psql_q -c "SELECT column_name, test, round(statistic::numeric, 4) AS statistic, drifted, rank
             FROM drift.dataset_drift('bench_model', 'bench_model_cur') WHERE rank <= 3 ORDER BY rank"
