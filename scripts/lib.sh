# scripts/lib.sh — shared set-up for the demo and the test suite.
#
# Sourced by scripts/demo.sh and scripts/test.sh.  Installs what the project
# needs from Debian's packages, builds and installs the extension from a copy
# of the checkout that the postgres user can read (the checkout itself may sit
# in /root), and starts/stops throw-away clusters as an unprivileged user
# (PostgreSQL refuses to run as root).

set -euo pipefail

# The Debian release's own PostgreSQL, unless PG_MAJOR says otherwise:
# Debian 12 (bookworm) ships 15, Debian 13 (trixie) 17, forky 18 (forky and
# sid have no VERSION_ID; sid names itself after the testing release).
debian_pg_major() {
  local VERSION_ID="" VERSION_CODENAME=""
  # shellcheck disable=SC1091
  if [ -r /etc/os-release ]; then . /etc/os-release; fi
  case "${VERSION_ID:-}:${VERSION_CODENAME:-}" in
    12:*|*:bookworm) echo 15 ;;
    13:*|*:trixie) echo 17 ;;
    *:forky|*:sid) echo 18 ;;
    *) echo "lib.sh: unknown Debian release ${VERSION_ID:-}${VERSION_CODENAME:+ ($VERSION_CODENAME)}; set PG_MAJOR" >&2
       return 1 ;;
  esac
}
PG_MAJOR=${PG_MAJOR:-$(debian_pg_major)}
# PG_BIN may point at another installation of the same major version.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
PG_CONFIG=$PG_BIN/pg_config
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# pkg-config, libmicrohttpd-dev and libcurl4-openssl-dev: pg_drift_listen's
# /metrics server and Alertmanager client (tools/Makefile)
PACKAGES=(gcc make libc6-dev perl libipc-run-perl libpq-dev procps
          pkg-config libmicrohttpd-dev libcurl4-openssl-dev
          "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" "postgresql-client-$PG_MAJOR")

log() { printf '\n== %s\n' "$*" >&2; }

# Run a command as the cluster's unprivileged owner.  From root, runuser
# starts it in a directory that user can read (the caller's may be /root),
# so nothing complains that it "could not change directory"; every path
# given to it is absolute.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$PG_USER" -- env PATH="$PG_BIN:$PATH" "$@")
  else
    env PATH="$PG_BIN:$PATH" "$@"
  fi
}

# Install missing Debian packages (apt-get update only when something is missing).
ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's prometheus packages start a service on their default ports where
  # systemd runs; the tests start their own on free ports, so a service that
  # this install (not the machine's owner) started is stopped and disabled.
  if [ -d /run/systemd/system ]; then
    for p in "${missing[@]}"; do
      case "$p" in
        prometheus|prometheus-alertmanager)
          $sudo systemctl disable --now "$p" >/dev/null 2>&1 || true ;;
      esac
    done
  fi
}

# Generate a locale if the system lacks it (the tests run a monitor check
# under translated messages: decisions must not depend on message text).
ensure_locale() {
  local loc=$1 sudo=""
  locale -a 2>/dev/null | grep -qix "${loc%%.*}.utf8" && return 0
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "generating the $loc locale"
  grep -q "^$loc UTF-8" /etc/locale.gen 2>/dev/null || echo "$loc UTF-8" | $sudo tee -a /etc/locale.gen >/dev/null
  $sudo locale-gen >/dev/null
}

# Make a private work directory owned by the cluster user and copy the tree in.
prepare_workdir() {
  if [ "$(id -u)" -eq 0 ]; then PG_USER=postgres; else PG_USER=$(id -un); fi
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pg_drift.XXXXXX")
  chmod 755 "$WORK_DIR"
  trap cleanup EXIT
  tar -C "$SRC_DIR" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude=results \
      --exclude=tmp_check -cf - . | tar -C "$WORK_DIR" -xf -
  BUILD_DIR=$WORK_DIR
  [ "$(id -u)" -ne 0 ] || chown -R "$PG_USER" "$WORK_DIR"
}

# Build as the unprivileged user, install as root.
build_and_install() {
  log "building pg_drift"
  as_pg make -C "$BUILD_DIR" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
  log "installing pg_drift"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo make -C "$BUILD_DIR" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
}

# Start a cluster in $WORK_DIR/data listening only on a socket in $WORK_DIR.
start_cluster() {
  PGDATA=$WORK_DIR/data
  export PGHOST=$WORK_DIR PGPORT=5432 PGUSER=$PG_USER
  log "starting a throw-away cluster in $PGDATA"
  as_pg initdb -D "$PGDATA" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK_DIR'
max_worker_processes = 16
max_parallel_workers = 8
${EXTRA_CONF:-}
CONF
  as_pg pg_ctl -D "$PGDATA" -l "$WORK_DIR/server.log" -w start >/dev/null
  CLUSTER_RUNNING=1
}

stop_cluster() {
  if [ "${CLUSTER_RUNNING:-0}" = 1 ]; then
    as_pg pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null || true
    CLUSTER_RUNNING=0
  fi
}

cleanup() {
  stop_cluster
  if [ -n "${WORK_DIR:-}" ] && [ -z "${KEEP_WORKDIR:-}" ]; then rm -rf "$WORK_DIR"; fi
}
