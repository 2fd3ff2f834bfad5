# bench/lib.sh — helpers shared by the benchmark scripts.
#
# Benchmarks are measurements, never pass/fail tests.  Each query runs
# several times in one session and the best time is kept, so that a noisy
# neighbour on a shared machine inflates no ratio.

set -euo pipefail
: "${PGDATABASE:=postgres}"
export PGDATABASE
RUNS=${RUNS:-3}

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# best_ms "label" "SET ...;" "SELECT ..." : best wall time in ms over $RUNS runs
# (the query result is discarded; \timing measures server time plus round trip).
best_ms() {
  local setup=$1 sql=$2 out best
  out=$( { echo "$setup"; echo '\timing on'; for _ in $(seq "$RUNS"); do echo "$sql"; done; } \
         | psql_q -o /dev/null 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
  best=$(printf '%s\n' "$out" | sort -g | head -n 1)
  [ -n "$best" ] || { echo "query failed: $sql" >&2; printf '%s\n' "$out" >&2; exit 1; }
  printf '%s' "$best"
}

# best_ms_each "SET ...;" "SELECT 1" "SELECT 2" ... : the best wall time in ms
# of each query, space-separated, over $RUNS rounds that run every query
# once in turn (after one warm-up round), so that a noisy neighbour slows
# every query alike and the ratios between them stay fair.
best_ms_each() {
  local setup=$1 out; shift
  local n=$#
  out=$( { echo "$setup"; printf '%s\n' "$@"; echo '\timing on';
           for _ in $(seq "$RUNS"); do printf '%s\n' "$@"; done; } \
         | psql_q -o /dev/null 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
  [ "$(printf '%s\n' "$out" | grep -c .)" -eq $((n * RUNS)) ] \
    || { echo "a query failed: $*" >&2; printf '%s\n' "$out" >&2; exit 1; }
  for i in $(seq 0 $((n - 1))); do
    printf '%s\n' "$out" | awk -v n="$n" -v i="$i" '(NR - 1) % n == i' | sort -g | head -n 1
  done | paste -sd ' '
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
