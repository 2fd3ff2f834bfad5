#!/usr/bin/env bash
# Benchmark: pushed-down pg_drift aggregates on a three-node Citus cluster
# (issue 13: each <= 3x avg(x) on the same distributed table).  Not part of
# the test suite; Citus is built or installed from a source tree as by
# scripts/test-citus.sh (scripts/citus_lib.sh).
#
#   PG_BIN=... [ROWS=1000000] [BASE=100000] [RUNS=3] bench/citus.sh CITUS_SRC_DIR
#
# Starts a coordinator and two workers, loads ROWS rows into a table
# distributed by k (32 shards) and into a local copy, captures a baseline
# from a BASE-row training sample, then times each query RUNS times in
# rounds (bench/lib.sh's best_ms_each) and prints the best time, its ratio
# to avg(x) on the distributed table, and the same query on the local table
# (serial plan) with the distributed/local ratio.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
source "$SRC_DIR/scripts/citus_lib.sh"
[ $# -eq 1 ] || { echo "usage: $0 CITUS_SRC_DIR" >&2; exit 2; }
ROWS=${ROWS:-1000000}
BASE=${BASE:-100000}

citus_setup "$1"
# bench/lib.sh's psql runs as the postgres user
psql() { as_pg psql "$@"; }
source "$SRC_DIR/bench/lib.sh"

echo "setting up: $ROWS rows distributed and local, baseline of $BASE values"
psql_q -v rows="$ROWS" -v base="$BASE" >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT setseed(0.42);
CREATE TABLE bench_citus_train AS
  SELECT random() + random() + random() AS x,
         (ARRAY['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])[1 + floor(random() * 8)::int] AS c
    FROM generate_series(1, :base);
SELECT count(*) FROM drift.capture_baseline('bench_citus', 'bench_citus_train');
CREATE TABLE bench_citus_local AS
  SELECT i % 1000 AS k, 0.1 + 1.1 * (random() + random() + random()) AS x,
         (ARRAY['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])[1 + floor(random() * 8)::int] AS c,
         random() AS score, false AS label
    FROM generate_series(1, :rows) i;
UPDATE bench_citus_local SET label = random() < score;
CREATE TABLE bench_citus_dist (LIKE bench_citus_local);
SELECT create_distributed_table('bench_citus_dist', 'k');
INSERT INTO bench_citus_dist SELECT * FROM bench_citus_local;
VACUUM ANALYZE bench_citus_local;
VACUUM ANALYZE bench_citus_dist;
SQL

NAMES=("avg(x)" "ks_drift(x, 'bench_citus', 'x')" "psi_drift(x, 'bench_citus', 'x')"
       "chi2_drift(c, 'bench_citus', 'c')" "binary_metrics(score, label, 0.5)" "roc_auc(score, label)")
queries() {
  local t=$1 n
  for n in "${NAMES[@]}"; do printf 'SELECT %s FROM %s;\n' "$n" "$t"; done
}
mapfile -t DQ < <(queries bench_citus_dist)
mapfile -t LQ < <(queries bench_citus_local)
read -r -a dist <<<"$(best_ms_each "SET client_min_messages = warning;" "${DQ[@]}")"
read -r -a loc <<<"$(best_ms_each "SET max_parallel_workers_per_gather = 0;" "${LQ[@]}")"
echo "best of $RUNS, $ROWS rows in 32 shards on 2 workers, $BASE-value baseline (ms)"
printf '  %-36s %10s %8s %10s %8s\n' query distributed "/avg(x)" local "dist/local"
for i in "${!NAMES[@]}"; do
  printf '  %-36s %10s %8s %10s %8s\n' "${NAMES[i]}" "${dist[i]}" "$(ratio "${dist[i]}" "${dist[0]}")" \
    "${loc[i]}" "$(ratio "${dist[i]}" "${loc[i]}")"
done
echo "target: each pushed-down aggregate <= 3x avg(x) on the distributed table"
