#!/bin/bash
# Benchmark: streaming psi_drift against a stored baseline vs avg(x) on the same
# table (issue 3: target <= 1.25x).  Not part of the test suite.
#
#   PGHOST=... PGPORT=... PGDATABASE=... bench/psi.sh
#
# Builds a ROWS-row float8 table (default 10M) and captures a baseline from a
# BASE-row training sample (default 100k values), then times each query RUNS
# times (default 3), alternating the two, and reports the best time of each
# and their ratio.  Both queries use the server's default parallel settings.
set -euo pipefail
ROWS=${ROWS:-10000000}
BASE=${BASE:-100000}
RUNS=${RUNS:-3}
DIR=$(cd "$(dirname "$0")" && pwd)
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

echo "setting up: $ROWS rows, baseline of $BASE values"
"${PSQL[@]}" -v rows="$ROWS" -v base="$BASE" -f "$DIR/psi.sql"

# best wall time (ms) of one query over RUNS runs, reported by psql's \timing
time_query() {
	printf '\\timing on\n%s\n' "$1" | "${PSQL[@]}" -o /dev/null | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}

AVG_Q="SELECT avg(x) FROM bench_psi;"
PSI_Q="SELECT psi_drift(x, 'bench_psi_base', 'x') FROM bench_psi;"
"${PSQL[@]}" -c "$AVG_Q" -c "$PSI_Q"	# warm the cache
"${PSQL[@]}" -c "$PSI_Q"

best_avg=""; best_psi=""
for i in $(seq "$RUNS"); do
	a=$(time_query "$AVG_Q")
	p=$(time_query "$PSI_Q")
	echo "run $i: avg(x) ${a} ms, psi_drift ${p} ms"
	best_avg=$(awk -v a="$a" -v b="$best_avg" 'BEGIN { print (b == "" || a < b) ? a : b }')
	best_psi=$(awk -v a="$p" -v b="$best_psi" 'BEGIN { print (b == "" || a < b) ? a : b }')
done
echo "best of $RUNS: avg(x) ${best_avg} ms, psi_drift ${best_psi} ms"
awk -v a="$best_avg" -v p="$best_psi" 'BEGIN { printf "ratio psi_drift / avg(x): %.3f (target <= 1.25)\n", p / a }'
