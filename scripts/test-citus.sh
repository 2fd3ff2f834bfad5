#!/usr/bin/env bash
# scripts/test-citus.sh CITUS_SRC_DIR — pg_drift on a real three-node Citus cluster.
#
# Citus is not in Debian's packages, so this is not part of scripts/test.sh;
# run it before changing anything that Citus runs (SPEC.md section 8).  It
#   1. builds Citus from CITUS_SRC_DIR (github:citusdata/citus v13.2.2 for
#      PostgreSQL 15; see scripts/citus_lib.sh) unless that tree is already
#      built for this PostgreSQL, and installs it into the PostgreSQL that
#      PG_BIN names (default: Debian's own), with pg_drift built from a copy
#      of this checkout;
#   2. starts a coordinator and two workers on 127.0.0.1 (free ports from
#      CITUS_PORT, default 15432; own directories; stopped on exit), creates
#      the extensions, captures a baseline on the coordinator and distributes
#      a table by a key column (ROWS rows, default 20000) beside a local copy;
#   3. runs every aggregate family (drift tests in their named, profile and
#      $n forms, integrity, concept drift, metrics, calibration, profiles,
#      sketches, the dataset-level functions): plain, GROUP BY a
#      non-distribution column, GROUP BY the distribution column, and as
#      window functions partitioned both ways, each compared with the same
#      query on the local copy (numbers to a relative 1e-9, everything else
#      exactly), and reads from EXPLAIN whether Citus pushed the aggregate
#      down to the shards or gathered the rows;
#   4. checks that baselines reach every node (scripts/citus_baselines.sql):
#      capture, replace and drop on the coordinator, row-level security on
#      the workers, a stale and a missing copy (their SQLSTATE and hint),
#      drift.citus_sync_baselines() for a node added later.
# It prints a summary per family and exits non-zero on any difference or
# failure.  Environment: PG_BIN, ROWS, CITUS_PORT, KEEP_WORKDIR=1 (keep the
# nodes' directories and logs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$SRC_DIR/scripts/citus_lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 CITUS_SRC_DIR" >&2; exit 2; }
CITUS_SRC=$1
ROWS=${ROWS:-20000}

citus_setup "$CITUS_SRC"

q() { as_pg psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

log "loading $ROWS rows, distributed (t_dist, tp_dist) and local (t_local, tp_local)"
q -v rows="$ROWS" -f "$BUILD_DIR/scripts/citus_data.sql" >/dev/null

# The families: "family|table|aggregate expression".  The table is t (rows)
# or tp (per-group profiles of t); t_dist and t_local are compared.
FAMILIES=(
  "ks_drift|t|ks_drift(x, 'b', 'x')"
  "ks_drift|t|ks_drift(x, 'b', 'x', 'greater')"
  "ks_drift|t|ks_drift(x, drift.baseline('b', 'x'))"
  "psi_drift|t|psi_drift(x, 'b', 'x')"
  "psi_drift|t|psi_drift(x, 'b', 'x', 20, 'uniform')"
  "psi_drift|t|psi_drift(x, drift.baseline('b', 'x'), 10)"
  "js_drift|t|js_drift(x, 'b', 'x')"
  "hellinger_drift|t|hellinger_drift(x, 'b', 'x', 8)"
  "kl_drift|t|kl_drift(x, 'b', 'x')"
  "zscore_drift|t|zscore_drift(x, 'b', 'x')"
  "zscore_drift|t|zscore_drift(x, drift.baseline('b', 'x'))"
  "wasserstein_drift|t|wasserstein_drift(x, 'b', 'x')"
  "wasserstein_drift|t|wasserstein_norm_drift(x, drift.baseline('b', 'x'))"
  "proportion_z_drift|t|proportion_z_drift(flag, 'b', 'flag')"
  "proportion_z_drift|t|proportion_z_drift(yn, 'b', 'yn')"
  "chi2_drift|t|chi2_drift(c, 'b', 'c')"
  "chi2_drift|t|chi2_drift(c, drift.baseline('b', 'c'))"
  "chi2_drift|t|chi2_drift_details(c, 'b', 'c')"
  "categorical distances|t|psi_drift(c, 'b', 'c')"
  "categorical distances|t|js_drift(c, 'b', 'c')"
  "categorical distances|t|linf_drift(c, drift.baseline('b', 'c'))"
  "categorical distances|t|tvd_drift(c, 'b', 'c')"
  "integrity|t|null_rate_drift(x, 'b', 'x')"
  "integrity|t|null_rate_drift(c, drift.baseline('b', 'c'))"
  "integrity|t|out_of_range_share(x, 'b', 'x')"
  "integrity|t|unseen_category_share(c, 'b', 'c')"
  "corr_drift|t|corr_drift(x, y, 'b', 'x')"
  "corr_drift|t|corr_drift(x, y, 0.5::float8, 1000::bigint)"
  "drift_quantile|t|sum(drift_quantile(x, 'b', 'x'))"
  "binary_metrics|t|binary_metrics(pred, label)"
  "binary_metrics|t|binary_metrics(score, label, 0.5)"
  "regression_metrics|t|regression_metrics(score, truth)"
  "log_loss, brier_score|t|log_loss(score, label)"
  "log_loss, brier_score|t|brier_score(score, label)"
  "roc_auc|t|roc_auc(score, label)"
  "multiclass_metrics|t|multiclass_metrics(cls_pred, cls)"
  "calibration (CBPE)|t|isotonic_calibration(score, label)"
  "calibration (CBPE)|t|estimated_binary_metrics(score, 0.5, 'b', 'score')"
  "calibration (CBPE)|t|estimated_binary_metrics(score, 0.5, drift.baseline_calibration('b', 'score'))"
  "profiles|t|drift_profile_agg(x)"
  "profiles|t|drift_profile_agg(c)"
  "profiles|tp|drift_profile_merge(p)"
)
# Whole functions over a relation (plain only): {T} is the table.  A
# sketch's entries depend on the order in which partial sketches merge, so
# it is checked against its promise instead: every entry's cumulative count
# is within the sketch's stated rank error of the exact rank of that value
# in the local rows (the query prints true on both sides).
FUNCTIONS=(
  "sketches|WITH s AS MATERIALIZED (SELECT drift_sketch_agg(x, 64)::text::jsonb AS j FROM {T}), e AS (SELECT (j->'values'->>(i - 1))::float8 AS v, sum((j->'counts'->>(i - 1))::bigint) OVER (ORDER BY i) AS cum, (j->>'count')::bigint AS n, (j->>'rank_error')::float8 AS eps FROM s, generate_series(1, jsonb_array_length(j->'values')) i) SELECT count(*) > 1 AND bool_and(abs(cum - (SELECT count(*) FROM t_local WHERE x <= v)) <= eps * n + 1) FROM e"
  "dataset_drift|SELECT column_name, test, statistic, p_value, drifted FROM drift.dataset_drift('b', '{T}', columns => ARRAY['x', 'c', 'flag']) ORDER BY 1"
  "dataset_drift|SELECT column_name, null_rate_current, out_of_range_share, unseen_category_share FROM drift.dataset_integrity('b', '{T}') ORDER BY 1"
)

# Compare two outputs: "exact", "equal" (numbers within a relative 1e-9) or "DIFFERENT".
compare() {
  if cmp -s "$1" "$2"; then echo exact; return; fi
  awk -v other="$2" '
    function split_nums(s, nums,    n, rest) {
      n = 0; rest = s; skel = ""
      while (match(rest, /-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) {
        skel = skel substr(rest, 1, RSTART - 1) "#"
        nums[++n] = substr(rest, RSTART, RLENGTH) + 0
        rest = substr(rest, RSTART + RLENGTH)
      }
      skel = skel rest
      return n
    }
    {
      if ((getline o < other) <= 0) { bad = 1; exit }
      delete a; delete b
      na = split_nums($0, a); sa = skel
      nb = split_nums(o, b); sb = skel
      if (na != nb || sa != sb) { bad = 1; exit }
      for (i = 1; i <= na; i++) {
        d = a[i] - b[i]; if (d < 0) d = -d
        m = a[i] < 0 ? -a[i] : a[i]
        if (d > 1e-12 && d > 1e-9 * m) { bad = 1; exit }
      }
    }
    END { if (!bad && (getline o < other) > 0) bad = 1; print bad ? "DIFFERENT" : "equal" }
  ' "$1"
}

# Where the aggregate ran: "pushed" when the shards' plan aggregates (a
# partial aggregate, a whole group or a window per shard), else "gathered".
where_run() {
  if q -c "EXPLAIN (VERBOSE, COSTS OFF) $1" \
       | sed -n '/->  Task$/,$p' | grep -Eq '(Aggregate|WindowAgg)$'; then
    echo pushed
  else
    echo gathered
  fi
}

declare -A VERDICT PLACES
ORDER=()
failures=0
OUT=$WORK_DIR/out
mkdir -p "$OUT"

# check FAMILY VARIANT SETUP QUERY: run SETUP then QUERY on the distributed
# tables ({T} -> t_dist, {TP} -> tp_dist, {S} -> dist) and on the local ones,
# record whether the results are equal and where Citus ran the aggregate.
check() {
  local family=$1 variant=$2 result place side
  local -A sql
  for side in dist local; do
    sql[$side]=$(printf '%s\n%s' "$3" "$4" | sed "s/{T}/t_$side/g; s/{TP}/tp_$side/g; s/{S}/$side/g")
    if ! q <<<"${sql[$side]}" >"$OUT/$side" 2>"$OUT/err"; then
      { echo "FAILED $family / $variant on $side:"; echo "${sql[$side]}"; cat "$OUT/err"; } >&2
      result=ERROR
    fi
  done
  if [ -z "${result:-}" ]; then
    result=$(compare "$OUT/dist" "$OUT/local")
    if [ "$result" = DIFFERENT ]; then
      { echo "DIFFERENT $family / $variant:"; echo "${sql[dist]}"; diff "$OUT/dist" "$OUT/local" | head -n 6 || true; } >&2
    fi
  fi
  place=$(printf '%s\nEXPLAIN (VERBOSE, COSTS OFF) %s' "$(sed '$d' <<<"${sql[dist]}")" "$(tail -n 1 <<<"${sql[dist]}")" \
          | q 2>/dev/null | sed -n '/->  Task$/,$p' | grep -Eq '(Aggregate|WindowAgg)$' && echo pushed || echo gathered)
  case "$result" in exact|equal) ;; *) failures=$((failures + 1)) ;; esac
  [ -n "${VERDICT[$family]+x}" ] || { ORDER+=("$family"); VERDICT[$family]=equal; PLACES[$family]=""; }
  case "$result" in exact|equal) ;; *) VERDICT[$family]=$result ;; esac
  PLACES[$family]+="$variant=$place "
}

log "comparing every family on t_dist and t_local"
for entry in "${FAMILIES[@]}"; do
  IFS='|' read -r family tab expr <<<"$entry"
  T="{T}"; [ "$tab" = tp ] && T="{TP}"
  sel="$expr"
  case "$expr" in drift_profile_agg*|drift_profile_merge*|drift_sketch_agg*|isotonic_calibration*)
    sel="$expr::text" ;; esac
  check "$family" plain "" "SELECT $sel FROM $T"
  check "$family" "group" "" "SELECT g, $sel FROM $T GROUP BY g ORDER BY g"
  check "$family" "group-dist" "" "SELECT k, $sel FROM $T GROUP BY k ORDER BY k"
  check "$family" "window" "" "SELECT id, v FROM (SELECT id, ($expr OVER (PARTITION BY g ORDER BY id ROWS BETWEEN 49 PRECEDING AND CURRENT ROW))::text AS v FROM (SELECT * FROM $T WHERE id <= 3000) s) w WHERE id % 41 = 0 ORDER BY id"
  check "$family" "window-dist" "" "SELECT id, v FROM (SELECT id, ($expr OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 9 PRECEDING AND CURRENT ROW))::text AS v FROM (SELECT * FROM $T WHERE id <= 3000) s) w WHERE id % 41 = 0 ORDER BY id"
  # the $n form: the baseline's name and column as parameters of a prepared statement
  if [[ "$expr" =~ \'b\',\ \'([a-z_]+)\' ]]; then
    col=${BASH_REMATCH[1]}
    check "$family" '$n' "PREPARE p_{S}(text, text) AS SELECT ${sel/\'b\', \'$col\'/\$1, \$2} FROM $T;" \
      "EXECUTE p_{S}('b', '$col');"
    check "$family" '$n' "PREPARE p_{S}(text, text) AS SELECT g, ${sel/\'b\', \'$col\'/\$1, \$2} FROM $T GROUP BY g ORDER BY g;" \
      "EXECUTE p_{S}('b', '$col');"
  fi
done
for entry in "${FUNCTIONS[@]}"; do
  IFS='|' read -r family sql <<<"$entry"
  check "$family" plain "" "$sql"
done

echo
echo "== Citus $(q -c "SELECT extversion FROM pg_extension WHERE extname = 'citus'"), $ROWS rows in $(q -c "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 't_dist'::regclass") shards on 2 workers: each query on t_dist against t_local"
printf '%-22s %-9s %s\n' family result "where each form ran (from EXPLAIN): plain, GROUP BY g, GROUP BY the distribution key k, windows over g and over k, \$n"
for family in "${ORDER[@]}"; do
  printf '%-22s %-9s %s\n' "$family" "${VERDICT[$family]}" \
    "$(printf '%s\n' ${PLACES[$family]} | awk -F= '
         !($1 in seen) { seen[$1] = 1; order[++n] = $1 }
         !(($1, $2) in both) { both[$1, $2] = 1; places[$1] = places[$1] (places[$1] ? "/" : "") $2 }
         END { for (i = 1; i <= n; i++) printf "%s%s %s", (i > 1 ? ", " : ""), order[i], places[order[i]] }')"
done

log "baselines on every node"
if q -v coordinator="$CITUS_PORT" -v worker1=$((CITUS_PORT + 1)) -v worker2=$((CITUS_PORT + 2)) \
     -v functions="$BUILD_DIR/scripts/citus_test_functions.sql" -f "$BUILD_DIR/scripts/citus_baselines.sql"; then
  echo "baselines on every node: ok"
  log "a node added later"
  citus_start_node $((CITUS_PORT + 3))
  if q -c "SELECT citus_add_node('127.0.0.1', $((CITUS_PORT + 3)))" >/dev/null \
     && q -v newport=$((CITUS_PORT + 3)) -v functions="$BUILD_DIR/scripts/citus_test_functions.sql" \
          -f "$BUILD_DIR/scripts/citus_new_node.sql"; then
    echo "a node added later: ok"
  else
    echo "a node added later: FAILED" >&2
    failures=$((failures + 1))
  fi
else
  echo "baselines on every node: FAILED" >&2
  failures=$((failures + 1))
fi

echo
if [ "$failures" -eq 0 ]; then
  echo "test-citus: every result equals the local one"
else
  echo "test-citus: $failures failure(s)" >&2
  exit 1
fi
