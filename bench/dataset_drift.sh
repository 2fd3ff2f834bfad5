#!/usr/bin/env bash
# bench/dataset_drift.sh — the whole-model check (drift.dataset_drift, SPEC.md
# section 7 and 9, issue 8) over ROWS current rows x 25 columns (20 numeric,
# 5 categorical, automatic tests) against a BASE_ROWS-row baseline, beside
#   * one query computing avg() of every numeric and max() of every
#     categorical column over the same rows (target: dataset_drift <= 1.6 x), and
#   * the same check as 25 single-column queries (dataset_drift with one
#     column each, one scan each; target: dataset_drift >= 3.5 x faster).
#
# Then the wide part: WIDE_COLUMNS (default 200) columns of the same mix over
# WIDE_ROWS (default 1M) rows, one dataset_drift run, its time and the
# backend's peak memory (WIDE_COLUMNS=0 skips it).  Peak memory: VmHWM (the
# peak resident set) of the backend's /proc/PID/status, read by the backend
# itself (pg_read_file: run as a superuser, on the server's host), after
# avg()/max() of every column and again after dataset_drift, in one session
# with serial plans; the difference is what dataset_drift needed beyond a
# scan of the same rows (the shared buffers both touched count in both).
#
# Usage: PGHOST=... PGPORT=... [PGDATABASE=...] [ROWS=1000000] [BASE_ROWS=100000]
#        [WIDE_COLUMNS=200] [WIDE_ROWS=1000000] bench/dataset_drift.sh
# Needs pg_drift installed in the server (the extension is created if missing).
# Best of $RUNS (default 3) rounds, serial plans; queries take turns in each
# round so that a noisy neighbour slows them alike.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROWS=${ROWS:-1000000}
BASE_ROWS=${BASE_ROWS:-100000}
WIDE_COLUMNS=${WIDE_COLUMNS:-200}
WIDE_ROWS=${WIDE_ROWS:-1000000}

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

[ "$WIDE_COLUMNS" -gt 0 ] || exit 0
echo "building $WIDE_ROWS current rows and a $BASE_ROWS-row baseline ($WIDE_COLUMNS columns) ..." >&2
psql_q -v wide_rows="$WIDE_ROWS" -v base_rows="$BASE_ROWS" -v wide_columns="$WIDE_COLUMNS" \
  -f "$(dirname "${BASH_SOURCE[0]}")/dataset_drift_wide.sql" >/dev/null
psql_q -At -F ' ' <<'SQL' | {
SET max_parallel_workers_per_gather = 0;
CREATE FUNCTION pg_temp.peak_kb() RETURNS bigint LANGUAGE sql AS $$
  SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status')
                   FROM 'VmHWM:\s*(\d+) kB')::bigint $$;
CREATE FUNCTION pg_temp.ms(t timestamptz) RETURNS numeric LANGUAGE sql AS $$
  SELECT round((extract(epoch FROM clock_timestamp() - t) * 1000)::numeric, 0) $$;
SELECT format('SELECT %s FROM bench_wide_cur',
              string_agg(CASE WHEN a.atttypid = 'text'::regtype THEN format('max(%I)', a.attname)
                              ELSE format('avg(%I)', a.attname) END, ', ' ORDER BY a.attnum)) AS plain
  FROM pg_attribute a WHERE a.attrelid = 'bench_wide_cur'::regclass AND a.attnum > 0 \gset
\o /dev/null
SELECT clock_timestamp() AS t0 \gset
:plain;
SELECT pg_temp.ms(:'t0') AS plain_ms, pg_temp.peak_kb() AS plain_kb \gset
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FILTER (WHERE drifted) AS n_drifted, count(*) AS n_columns
  FROM drift.dataset_drift('bench_wide', 'bench_wide_cur') \gset
SELECT pg_temp.ms(:'t0') AS whole_ms, pg_temp.peak_kb() AS whole_kb \gset
\o
SELECT :plain_ms, :plain_kb, :whole_ms, :whole_kb, :n_columns, :n_drifted;
SQL
  read -r plain_ms plain_kb whole_ms whole_kb n_columns n_drifted
  [ "$n_columns" -eq "$WIDE_COLUMNS" ] \
    || { echo "dataset_drift checked $n_columns columns, not $WIDE_COLUMNS" >&2; exit 1; }
  printf '%-62s %10s ms  peak backend memory %s MB\n' \
    "avg()/max() of $WIDE_COLUMNS columns x $WIDE_ROWS rows" "$plain_ms" "$((plain_kb / 1024))"
  printf '%-62s %10s ms  peak backend memory %s MB (+%s MB), %s drifted\n' \
    "drift.dataset_drift, $WIDE_COLUMNS columns, one scan" "$whole_ms" "$((whole_kb / 1024))" \
    "$(((whole_kb - plain_kb) / 1024))" "$n_drifted"
}
