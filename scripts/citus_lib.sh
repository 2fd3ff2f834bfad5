# scripts/citus_lib.sh — a throw-away Citus cluster for scripts/test-citus.sh
# and bench/citus.sh.
#
# Sourced after scripts/lib.sh (which provides as_pg, log, WORK_DIR, PG_BIN,
# PG_CONFIG).  Citus is not packaged by Debian, so it is built from a source
# tree (github:citusdata/citus, v13.2.2 supports PostgreSQL 15) and installed
# into the PostgreSQL that PG_BIN names; then a coordinator and two workers
# run as the postgres user on 127.0.0.1, each in its own directory under
# WORK_DIR, and are stopped by pg_ctl when the script exits.

CITUS_NODES=()          # data directories of the running nodes, coordinator first
CITUS_PORTS=()

# Citus's build needs these besides what lib.sh installs (Debian 12 and 13).
CITUS_PACKAGES=(liblz4-dev libzstd-dev libkrb5-dev libssl-dev libselinux1-dev
                libxslt1-dev libpam0g-dev libreadline-dev zlib1g-dev)

# Debian's 15.x already defines have_createdb_privilege, which Citus 13.2.2
# defines again for PostgreSQL 15: wrap Citus's copy in #if 0 (once).
citus_patch_tree() {
  local h=$1/src/include/pg_version_compat.h
  [ -f "$h" ] || { echo "citus_lib.sh: $1 is not a Citus source tree" >&2; return 1; }
  if grep -q '^static inline bool$' "$h" \
     && ! awk '/^#if 0$/ { held = NR } /^have_createdb_privilege\(void\)$/ { if (held == NR - 2) found = 1 }
               END { exit !found }' "$h"; then
    perl -0pi -e 's/\nstatic inline bool\nhave_createdb_privilege\(void\)\n\{(.*?)\n\}\n/\n#if 0\nstatic inline bool\nhave_createdb_privilege(void)\n{$1\n}\n#endif\n/s' "$h"
  fi
}

# citus_install SRC: install Citus from the source tree SRC into PG_BIN's
# PostgreSQL.  A tree already built (configured with this PG_CONFIG, or with
# another installation of the same PostgreSQL build) is installed as built:
# make install into a staging directory, then its lib and extension files
# are copied into this installation's directories.  An unbuilt tree is
# patched, configured and built first, in a copy when it is not writable.
citus_install() {
  local src=$1 stage built_with
  src=$(cd "$src" && pwd)
  if [ ! -f "$src/src/backend/distributed/citus.so" ]; then
    ensure_packages "${CITUS_PACKAGES[@]}"
    if [ ! -w "$src" ]; then
      cp -a "$src" "$WORK_DIR/citus-src"
      src=$WORK_DIR/citus-src
    fi
    citus_patch_tree "$src"
    log "building Citus in $src"
    (cd "$src" && ./configure -q PG_CONFIG="$PG_CONFIG" >/dev/null && make -s -j"$(nproc)" >/dev/null)
  fi
  built_with=$(sed -n 's/^PG_CONFIG:=//p' "$src/Makefile.global")
  if [ "$("$built_with" --version)" != "$("$PG_CONFIG" --version)" ]; then
    echo "citus_lib.sh: $src was built for $("$built_with" --version), not $("$PG_CONFIG" --version)" >&2
    return 1
  fi
  log "installing Citus into $("$PG_CONFIG" --pkglibdir)"
  stage=$WORK_DIR/citus-stage
  # a copy, so that make may write its stamps anywhere
  [ -w "$src" ] || { cp -a "$src" "$WORK_DIR/citus-src" && src=$WORK_DIR/citus-src; }
  make -C "$src" -s install DESTDIR="$stage" >/dev/null
  # install(1) writes a new file, where cp would overwrite a library that a
  # running server has mapped (and crash it)
  install -m 755 "$stage$("$built_with" --pkglibdir)"/*.so "$("$PG_CONFIG" --pkglibdir)/"
  if [ -d "$stage$("$built_with" --pkglibdir)/citus_decoders" ]; then
    cp -r "$stage$("$built_with" --pkglibdir)/citus_decoders" "$("$PG_CONFIG" --pkglibdir)/"
  fi
  cp "$stage$("$built_with" --sharedir)"/extension/* "$("$PG_CONFIG" --sharedir)/extension/"
}

# A port p with p, p+1, ... p+n-1 all free on 127.0.0.1, from CITUS_PORT (default 15432).
citus_free_ports() {
  local n=$1 p=${CITUS_PORT:-15432} i busy
  while :; do
    busy=0
    for i in $(seq 0 $((n - 1))); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$((p + i))") 2>/dev/null; then busy=1; break; fi
    done
    [ "$busy" = 0 ] && { echo "$p"; return; }
    p=$((p + n))
  done
}

# citus_start_node PORT: initdb and start one node with Citus preloaded.
citus_start_node() {
  local port=$1 dir=$WORK_DIR/node$1
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown "$PG_USER" "$dir"
  as_pg initdb -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'citus'
max_worker_processes = 16
max_connections = 200
${CITUS_EXTRA_CONF:-}
CONF
  as_pg pg_ctl -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
  CITUS_NODES+=("$dir/data")
  CITUS_PORTS+=("$port")
  as_pg psql -X -q -h 127.0.0.1 -p "$port" -U "$PG_USER" -d postgres -c 'CREATE EXTENSION citus' >/dev/null
}

# Start a coordinator and two workers, register them, create pg_drift.
# Sets CITUS_PORT (the coordinator's) and exports PGHOST/PGPORT for it.
citus_start_cluster() {
  local base
  base=$(citus_free_ports 4)
  log "starting a Citus coordinator on 127.0.0.1:$base and workers on $((base + 1)), $((base + 2))"
  for i in 0 1 2; do citus_start_node $((base + i)); done
  CITUS_PORT=$base
  export PGHOST=127.0.0.1 PGPORT=$base PGUSER=$PG_USER PGDATABASE=postgres
  as_pg psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT citus_set_coordinator_host('127.0.0.1', $base);
SELECT citus_add_node('127.0.0.1', $((base + 1)));
SELECT citus_add_node('127.0.0.1', $((base + 2)));
CREATE EXTENSION pg_drift;
SQL
}

citus_stop_cluster() {
  local d
  for d in "${CITUS_NODES[@]}"; do as_pg pg_ctl -D "$d" -m fast -w stop >/dev/null 2>&1 || true; done
  CITUS_NODES=()
}

# lib.sh's cleanup, for a Citus cluster: stop every node, remove WORK_DIR.
cleanup() {
  citus_stop_cluster
  if [ -n "${WORK_DIR:-}" ] && [ -z "${KEEP_WORKDIR:-}" ]; then rm -rf "$WORK_DIR"; fi
}

# citus_setup CITUS_SRC_DIR: everything before the first query -- packages,
# a private copy of the checkout, Citus and pg_drift installed, the cluster
# started (stopped again on exit).
citus_setup() {
  ensure_packages
  prepare_workdir
  citus_install "$1"
  build_and_install
  citus_start_cluster
}
