#!/usr/bin/env bash
# scripts/demo.sh — pg_drift's demo on a throw-away local cluster.
#
# Installs what is missing, builds and installs the extension, starts a
# private cluster, loads a training table and a week of predictions in which
# one feature drifts from mid-week, prints the day-by-day drift report, and
# removes the cluster again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_packages
prepare_workdir
build_and_install
start_cluster
as_pg createdb demo
as_pg psql -X -q -d demo -f "$BUILD_DIR/scripts/demo.sql"
stop_cluster
