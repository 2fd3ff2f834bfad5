#!/usr/bin/env bash
# bench/chi2.sh — streaming chi2_drift on a 50-category text column against
# SELECT category, count(*) ... GROUP BY category on the same table (the work
# any categorical comparison must at least do).  Target (SPEC.md section 7,
# issue 3): chi2_drift <= 1.5 x the GROUP BY.
#
# Usage: PGHOST=... PGPORT=... [PGDATABASE=...] [ROWS=10000000] [BASE_ROWS=100000] bench/chi2.sh
# Needs pg_drift installed in the server (the extension is created if missing).
# Best of $RUNS (default 3) runs per query, serial plans, then parallel ones.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROWS=${ROWS:-10000000}
BASE_ROWS=${BASE_ROWS:-100000}

echo "building $ROWS current rows and a $BASE_ROWS-row baseline (50 categories) ..." >&2
psql_q -v rows="$ROWS" -v base_rows="$BASE_ROWS" -f "$(dirname "${BASH_SOURCE[0]}")/chi2.sql" >/dev/null

serial="SET max_parallel_workers_per_gather = 0;"
parallel="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
group_by="SELECT category, count(*) FROM bench_cat_current GROUP BY category;"
chi2="SELECT chi2_drift(category, 'bench_cat', 'category') FROM bench_cat_current;"
profile="SELECT chi2_drift(category, drift.baseline('bench_cat', 'category')) FROM bench_cat_current;"

gb=$(best_ms "$serial" "$group_by")
c2=$(best_ms "$serial" "$chi2")
c2p=$(best_ms "$serial" "$profile")
gb_par=$(best_ms "$parallel" "$group_by")
c2_par=$(best_ms "$parallel" "$chi2")

printf '%-58s %10s ms\n' "GROUP BY category, count(*) (serial)" "$gb"
printf '%-58s %10s ms  %sx GROUP BY (target <= 1.5)\n' "chi2_drift(category, 'bench_cat', 'category') (serial)" "$c2" "$(ratio "$c2" "$gb")"
printf '%-58s %10s ms  %sx GROUP BY\n' "chi2_drift(category, profile) (serial)" "$c2p" "$(ratio "$c2p" "$gb")"
printf '%-58s %10s ms\n' "GROUP BY category, count(*) (2 workers)" "$gb_par"
printf '%-58s %10s ms  %sx GROUP BY, %sx faster than serial\n' "chi2_drift (2 workers)" "$c2_par" "$(ratio "$c2_par" "$gb_par")" "$(ratio "$c2" "$c2_par")"
