#!/usr/bin/env bash
# scripts/test.sh — run every pg_drift test on a fresh Debian machine.
#
# Installs what is missing (compiler, the Debian release's PostgreSQL — 15 on
# Debian 12, 17 on Debian 13, 18 on forky; see lib.sh — and its server
# headers, the TAP test modules), builds and installs the extension, then runs:
#   1. unit tests of the pure statistics code (no server),
#   2. pg_regress on a throw-away cluster,
#   3. the TAP tests (each starts its own clusters).
# Options:
#   --valgrind   run the pg_regress suite with the server under valgrind
#                (slow; the check made before resolving an issue that adds C)
# Environment:
#   REGRESS_TESTS="03_ks 40_hostile_states"  run only these pg_regress files
#   TAP_TESTS="test/t/001_parallel.pl"      run only these TAP files
#                (e.g. the ones a change touches, under valgrind)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VALGRIND=0
for arg in "$@"; do
  case "$arg" in
    --valgrind) VALGRIND=1 ;;
    *) echo "usage: $0 [--valgrind]" >&2; exit 2 ;;
  esac
done

extra=()
[ "$VALGRIND" = 1 ] && extra+=(valgrind)
# prometheus (with promtool) and prometheus-alertmanager: the servers that
# test/t/110_prometheus.pl and 111_alertmanager.pl run; test/t/120_report_chromium.pl
# renders drift.report() in Debian's headless Chromium (package chromium on
# Debian 12 and 13) with the fonts its CSS names
extra+=(prometheus prometheus-alertmanager chromium fonts-dejavu-core)
ensure_packages locales "${extra[@]}"
ensure_locale de_DE.UTF-8
prepare_workdir
build_and_install

passed=0
failed=0
run_suite() {
  local name=$1; shift
  log "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name" >&2
  fi
}

show_regression_diffs() {
  if [ -f "$BUILD_DIR/regression.diffs" ]; then
    head -n 300 "$BUILD_DIR/regression.diffs" >&2
  fi
  return 1
}

regress() {
  local only=()
  [ -n "${REGRESS_TESTS:-}" ] && only=(REGRESS="$REGRESS_TESTS")
  as_pg make -C "$BUILD_DIR" -s installcheck PG_CONFIG="$PG_CONFIG" "${only[@]}" || show_regression_diffs
}

if [ "$VALGRIND" = 1 ]; then
  # The postmaster and every backend run under memcheck; errors whose stack
  # passes through pg_drift fail the run (a nonzero valgrind exit status
  # would make the postmaster treat the backend as crashed, so none is set).
  start_cluster_valgrind() {
    PGDATA=$WORK_DIR/data
    export PGHOST=$WORK_DIR PGPORT=5432 PGUSER=$PG_USER
    as_pg initdb -D "$PGDATA" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    printf "listen_addresses = ''\nunix_socket_directories = '%s'\n" "$WORK_DIR" >> "$PGDATA/postgresql.conf"
    as_pg bash -c "valgrind --quiet --trace-children=yes --track-origins=yes \
      --suppressions='$BUILD_DIR/test/valgrind.supp' \
      --log-file='$WORK_DIR/valgrind.%p.log' \
      postgres -D '$PGDATA' > '$WORK_DIR/server.log' 2>&1 &"
    for _ in $(seq 1 120); do as_pg pg_isready -q && break; sleep 1; done
    CLUSTER_RUNNING=1
  }
  start_cluster_valgrind
  run_suite "pg_regress under valgrind" regress
  stop_cluster
  if grep -l "ERROR SUMMARY: [1-9]\|Invalid\|uninitialised\|definitely lost" "$WORK_DIR"/valgrind.*.log 2>/dev/null \
       | xargs -r grep -l "pg_drift" >/dev/null 2>&1; then
    grep -h -B2 -A25 "pg_drift" "$WORK_DIR"/valgrind.*.log | head -n 200 >&2
    failed=$((failed + 1))
    echo "FAILED: valgrind found errors in pg_drift code" >&2
  fi
  echo "valgrind: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi

run_suite "unit tests of the statistics code" as_pg make -C "$BUILD_DIR" -s unitcheck PG_CONFIG="$PG_CONFIG"

start_cluster
run_suite "pg_regress" regress
stop_cluster

tap_only=()
[ -n "${TAP_TESTS:-}" ] && tap_only=(PROVE_TESTS="$TAP_TESTS")
run_suite "TAP tests" as_pg make -C "$BUILD_DIR" -s tapcheck PG_CONFIG="$PG_CONFIG" PROVE_FLAGS="--timer" "${tap_only[@]}"

echo
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
