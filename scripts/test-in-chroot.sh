#!/usr/bin/env bash
# scripts/test-in-chroot.sh — run the README's test command on a bare Debian release.
#
# Usage (as root): bash scripts/test-in-chroot.sh RELEASE [test.sh|demo.sh]
#        e.g. bash scripts/test-in-chroot.sh forky
#
# Creates (or reuses) a minimal debootstrap chroot of RELEASE under
# $CHROOT_BASE (default /var/tmp/pg_drift-chroots), mounts proc, dev and sys
# in it, copies this checkout to /root/pg_drift inside (where the postgres
# user cannot read it, as on a newcomer's machine), and runs
# `bash scripts/test.sh` (or the demo) there unchanged: lib.sh picks the release's
# PostgreSQL and installs it.  Everything it mounted is unmounted on exit,
# whatever happens; mounts that were already there are left alone.
#
# forky (Debian 14, PostgreSQL 18) has no debootstrap script of its own yet:
# trixie's is used, and apt inside is told to accept the mirror's expired
# Release file for testing/unstable (Acquire::Check-Valid-Until=false).
set -euo pipefail

COMMAND=${2:-test.sh}
if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ "$COMMAND" != test.sh ] && [ "$COMMAND" != demo.sh ]; }; then
  echo "usage: $0 RELEASE [test.sh|demo.sh]   (e.g. trixie or forky)" >&2
  exit 2
fi
RELEASE=$1
CHROOT_BASE=${CHROOT_BASE:-/var/tmp/pg_drift-chroots}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
ROOT=$CHROOT_BASE/$RELEASE
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

[ "$(id -u)" -eq 0 ] || { echo "$0: must run as root (debootstrap, mount, chroot)" >&2; exit 1; }

log() { printf '\n== %s\n' "$*" >&2; }

case "$RELEASE" in
  forky|sid|testing|unstable) SCRIPT=/usr/share/debootstrap/scripts/trixie; ROLLING=1 ;;
  *) SCRIPT=""; ROLLING=0 ;;
esac

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
  log "debootstrap $RELEASE into $ROOT"
  mkdir -p "$CHROOT_BASE"
  rm -rf "$ROOT.partial"
  # shellcheck disable=SC2086  # $SCRIPT is empty or one path
  debootstrap --variant=minbase "$RELEASE" "$ROOT.partial" "$MIRROR" $SCRIPT >&2
  mv "$ROOT.partial" "$ROOT"
fi
if [ "$ROLLING" = 1 ]; then
  echo 'Acquire::Check-Valid-Until "false";' > "$ROOT/etc/apt/apt.conf.d/99pg-drift-valid-until"
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

# Mount what is not mounted yet and remember it, so the trap undoes exactly that.
MOUNTED=()
unmount_all() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    umount -R "${MOUNTED[i]}" 2>/dev/null || umount -R -l "${MOUNTED[i]}" || true
  done
}
trap unmount_all EXIT
mount_once() {
  local target=$ROOT/$1; shift
  mountpoint -q "$target" && return 0
  mount "$@" "$target"
  MOUNTED+=("$target")
}
mount_once proc -t proc proc
mount_once sys -t sysfs sysfs
mount_once dev --rbind /dev
mount --make-rslave "$ROOT/dev"

log "copying the checkout to $ROOT/root/pg_drift"
rm -rf "$ROOT/root/pg_drift"
mkdir -p "$ROOT/root/pg_drift"
tar -C "$SRC_DIR" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude=results \
    --exclude=tmp_check -cf - . | tar -C "$ROOT/root/pg_drift" -xf -
chmod 700 "$ROOT/root"

log "running bash scripts/$COMMAND in $RELEASE"
start=$(date +%s)
status=0
chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c 'cd /root/pg_drift && . /etc/os-release && echo "Debian ${VERSION:-$VERSION_CODENAME}" && bash "scripts/$1"' run "$COMMAND" \
  || status=$?
log "$RELEASE: exit status $status after $(( $(date +%s) - start )) s"
exit "$status"
