#!/usr/bin/env bash
# bench/ks.sh — ks_drift and drift_profile_agg against their comparisons.
#
# Usage: PGHOST=... PGPORT=... [PGDATABASE=...] [ROWS=10000000] [RUNS=3] [FORMS_ONLY=1] bench/ks.sh
# Every form of the streaming test is timed against avg(x): the named
# baseline, the profile value (drift.baseline(...)), and the baseline as $n
# parameters planned as monitors run them (SPI_execute_with_args plans once
# with the values, like EXECUTE's custom plan); the $n forms under a generic
# plan are shown for information.  FORMS_ONLY=1 stops after those (issue 12: best of 7 on 5M rows).
# Needs pg_drift installed in the database (created if missing) and, for the
# SciPy comparison, Debian's python3-scipy (/usr/bin/python3).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROWS=${ROWS:-10000000}
BASE_ROWS=${BASE_ROWS:-100000}

echo "building $ROWS current rows and a $BASE_ROWS-value baseline ..." >&2
psql_q <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
DROP TABLE IF EXISTS bench_current, bench_training;
SELECT setseed(0.5);
CREATE TABLE bench_training AS
  SELECT sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x
    FROM generate_series(1, $BASE_ROWS);
CREATE TABLE bench_current AS
  SELECT 0.05 + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x,
         (random() * 999)::int AS slice
    FROM generate_series(1, $ROWS);
VACUUM ANALYZE bench_training;
VACUUM ANALYZE bench_current;
SELECT count(*) FROM drift.capture_baseline('bench', 'bench_training', columns => ARRAY['x'], replace => true);
SQL

serial="SET max_parallel_workers_per_gather = 0;"
parallel="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"

# every form round-robin against avg(x); $n parameters as monitors pass
# them (custom plan), then, for information, under a generic plan (timed in
# a round of their own, against their own avg(x))
prepare="PREPARE ks_p(text, text) AS SELECT ks_drift(x, \$1, \$2) FROM bench_current;
PREPARE ks_pp(drift_profile) AS SELECT ks_drift(x, \$1) FROM bench_current;"
read -r avg ks ks_prof ks_param ks_pprof <<<"$(best_ms_each "$serial SET plan_cache_mode = force_custom_plan; $prepare" \
  "SELECT avg(x) FROM bench_current;" \
  "SELECT ks_drift(x, 'bench', 'x') FROM bench_current;" \
  "SELECT ks_drift(x, drift.baseline('bench', 'x')) FROM bench_current;" \
  "EXECUTE ks_p('bench', 'x');" \
  "EXECUTE ks_pp(drift.baseline('bench', 'x'));")"
read -r gavg ks_gparam ks_gpprof <<<"$(best_ms_each "$serial SET plan_cache_mode = force_generic_plan; $prepare" \
  "SELECT avg(x) FROM bench_current;" \
  "EXECUTE ks_p('bench', 'x');" \
  "EXECUTE ks_pp(drift.baseline('bench', 'x'));")"
forms=$(cat <<FORMS
  SELECT avg(x)                              $avg
  ks_drift(x, 'bench', 'x')                  $ks      ratio to avg(x): $(ratio "$ks" "$avg")  (target <= 1.3)
  ks_drift(x, drift.baseline('bench', 'x'))  $ks_prof      ratio to avg(x): $(ratio "$ks_prof" "$avg")  (target <= 1.3)
  ks_drift(x, \$1, \$2) (as monitors)        $ks_param      ratio to avg(x): $(ratio "$ks_param" "$avg")  (target <= 1.3)
  ks_drift(x, \$1::drift_profile) (monitors) $ks_pprof      ratio to avg(x): $(ratio "$ks_pprof" "$avg")  (target <= 1.3)
  ks_drift(x, \$1, \$2) (generic plan)       $ks_gparam      ratio to avg(x): $(ratio "$ks_gparam" "$gavg")  (information)
  ks_drift(x, \$1::drift_profile) (generic)  $ks_gpprof      ratio to avg(x): $(ratio "$ks_gpprof" "$gavg")  (information)
FORMS
)
if [ "${FORMS_ONLY:-0}" = 1 ]; then
  printf '\nks_drift forms: %s current rows, %s-value baseline (best of %s, ms)\n%s\n' \
    "$ROWS" "$BASE_ROWS" "$RUNS" "$forms"
  exit 0
fi
# the machine's own ceiling for a 2-worker scan of this table
avg_par=$(best_ms "$parallel" "SELECT avg(x) FROM bench_current;")
ks_par=$(best_ms "$parallel" "SELECT ks_drift(x, 'bench', 'x') FROM bench_current;")

# The same two-sample KS statistic in plain SQL: ECDFs by window functions.
plain_sql="WITH pooled AS (SELECT x, 1 AS b, 0 AS c FROM bench_training
                            UNION ALL SELECT x, 0, 1 FROM bench_current),
     ecdf AS (SELECT sum(b) OVER w AS cb, sum(c) OVER w AS cc FROM pooled
              WINDOW w AS (ORDER BY x RANGE UNBOUNDED PRECEDING))
SELECT max(abs(cb::float8 / $BASE_ROWS - cc::float8 / $ROWS)) FROM ecdf;"
plain=$(RUNS=1 best_ms "$serial SET work_mem = '1GB';" "$plain_sql")

# Export to Python and run SciPy, as teams do today.
scipy_ms=""
if /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
  start=$(date +%s%N)
  /usr/bin/python3 - <<'PY'
import subprocess, numpy as np
from scipy.stats import ks_2samp
def fetch(table):
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-c", f"COPY {table} (x) TO STDOUT"],
                         check=True, capture_output=True).stdout
    return np.array(out.split(), dtype=np.float64)
ks_2samp(fetch("bench_training"), fetch("bench_current"))
PY
  scipy_ms=$(( ($(date +%s%N) - start) / 1000000 ))
fi

# Building an exact profile of every row against an exact median.
profile_setup="$serial SET pg_drift.exact_profile_limit = 50000000; SET work_mem = '1GB';"
median=$(RUNS=1 best_ms "$profile_setup" "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM bench_current;")
profile=$(RUNS=1 best_ms "$profile_setup" "SELECT drift_profile_agg(x) IS NOT NULL FROM bench_current;")

# Memory: the streaming state's size, and a 1000-slice GROUP BY's peak.
state_bytes=$(psql_q -A -t <<'SQL'
CREATE AGGREGATE pg_temp.ks_state(float8, text, text) (SFUNC = ks_drift_named_trans, STYPE = drift_stream_state);
SELECT pg_column_size(pg_temp.ks_state(x, 'bench', 'x')) FROM bench_current;
SQL
)
slices_ms=$(RUNS=1 best_ms "$serial" "SELECT slice, ks_drift(x, 'bench', 'x') FROM bench_current GROUP BY slice;")
peak_kb=$(psql_q -A -t <<'SQL'
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FROM (SELECT slice, ks_drift(x, 'bench', 'x') FROM bench_current GROUP BY slice) s \g /dev/null
SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\s+([0-9]+)');
SQL
)

cat <<REPORT

ks_drift benchmark: $ROWS current rows, $BASE_ROWS-value baseline (best of $RUNS, ms)
$forms
  ks_drift streaming (2 parallel workers)    $ks_par      speed-up: $(ratio "$ks" "$ks_par")  (target >= 1.7)
  avg(x) (2 parallel workers), for scale     $avg_par      speed-up: $(ratio "$avg" "$avg_par")
  KS in plain SQL (window functions)         $plain      ks_drift is $(ratio "$plain" "$ks")x faster  (target >= 7)
  COPY to Python + scipy.stats.ks_2samp      ${scipy_ms:-n/a}      ks_drift is $( [ -n "$scipy_ms" ] && ratio "$scipy_ms" "$ks" || echo n/a)x faster  (target >= 7)
  percentile_cont(0.5)                       $median
  drift_profile_agg (exact, every value)     $profile      ratio to percentile_cont: $(ratio "$profile" "$median")  (target <= 0.6)
  streaming state size                       $state_bytes bytes (O(baseline distinct values), independent of rows)
  GROUP BY 1000 slices                       $slices_ms ms, backend peak RSS ${peak_kb} kB
REPORT
