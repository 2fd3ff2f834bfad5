#!/bin/bash
# Benchmark: streaming psi_drift in every form against avg(x) on the same
# table (issue 12: target <= 1.15x).  Not part of the test suite.
#
#   PGHOST=... PGPORT=... PGDATABASE=... [ROWS=10000000] [BASE=100000] [RUNS=3] bench/psi.sh
#
# Builds a ROWS-row float8 table and captures a baseline from a BASE-row
# training sample (about as many distinct values), then times each query
# RUNS times, round-robin so that a noisy neighbour hits every form alike,
# and reports the best time of each and its ratio to avg(x).  The forms:
# the named baseline, the profile value (drift.baseline(...)), and the
# baseline as $n parameters, by name and as a profile, planned as monitors
# run them: a monitor's check goes through SPI_execute_with_args, which plans
# once with the values (PARAM_FLAG_CONST, folded like EXECUTE's custom
# plan).  The same under a generic plan (what a driver's long-lived prepared
# statement may get) is shown too, for information.  Serial plans.
# bench/lib.sh's best_ms_each does the timing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROWS=${ROWS:-10000000}
BASE=${BASE:-100000}
DIR=$(cd "$(dirname "$0")" && pwd)

echo "setting up: $ROWS rows, baseline of $BASE values"
psql_q -v rows="$ROWS" -v base="$BASE" -f "$DIR/psi.sql"

prepare="PREPARE psi_n(text, text) AS SELECT psi_drift(x, \$1, \$2) FROM bench_psi;
PREPARE psi_p(drift_profile) AS SELECT psi_drift(x, \$1) FROM bench_psi;"
NAMES=("avg(x)" "psi_drift(x, 'bench_psi_base', 'x')" "psi_drift(x, drift.baseline(...))"
       "psi_drift(x, \$1, \$2) (as monitors)" "psi_drift(x, \$1::drift_profile) (as monitors)")
read -r -a best <<<"$(best_ms_each "SET max_parallel_workers_per_gather = 0;
SET plan_cache_mode = force_custom_plan; $prepare" \
  "SELECT avg(x) FROM bench_psi;" \
  "SELECT psi_drift(x, 'bench_psi_base', 'x') FROM bench_psi;" \
  "SELECT psi_drift(x, drift.baseline('bench_psi_base', 'x')) FROM bench_psi;" \
  "EXECUTE psi_n('bench_psi_base', 'x');" \
  "EXECUTE psi_p(drift.baseline('bench_psi_base', 'x'));")"
GNAMES=("avg(x)" "psi_drift(x, \$1, \$2) (generic plan; info)" "psi_drift(x, \$1::drift_profile) (generic; info)")
read -r -a gbest <<<"$(best_ms_each "SET max_parallel_workers_per_gather = 0;
SET plan_cache_mode = force_generic_plan; $prepare" \
  "SELECT avg(x) FROM bench_psi;" \
  "EXECUTE psi_n('bench_psi_base', 'x');" \
  "EXECUTE psi_p(drift.baseline('bench_psi_base', 'x'));")"
echo "best of $RUNS, $ROWS rows, $BASE-value baseline (ms; ratio to avg(x), target <= 1.15):"
for i in "${!NAMES[@]}"; do
	printf '  %-42s %9s  %s\n' "${NAMES[i]}" "${best[i]}" "$(ratio "${best[i]}" "${best[0]}")"
done
echo "for information, under a generic plan (own round, ratio to its own avg(x)):"
for i in 1 2; do
	printf '  %-42s %9s  %s\n' "${GNAMES[i]}" "${gbest[i]}" "$(ratio "${gbest[i]}" "${gbest[0]}")"
done
