#!/bin/bash
# make system-check: real su/runuser/login, sudo, sudo-rs, cron and a login
# program that does not cooperate, in a fresh Debian chroot with our .debs
# installed, pam_secstore's results beside pam_cap's (the release's own
# libpam-cap).
#
#   tests/system/run.sh [bookworm|trixie] --debs build/deb   (make system-check DIST=...)
#   tests/system/run.sh [bookworm|trixie] --raw build        (before make deb works)
#
# Needs root (chroot, mount). Writes only under build/system/ (override with
# SECSTORE_SYSTEM_DIR): the cached roots in cache/, this release's root and
# results in DIST/; the host's /etc is never touched. Exit status 0 when
# every cell is as expected; the last line is "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${SECSTORE_SYSTEM_DIR:-$here/../../build/system}
dist=bookworm
case ${1:-} in bookworm | trixie) dist=$1; shift ;; esac
mode=${1:---debs}
from=${2:-$here/../../build/deb}

if [ "$(id -u)" != 0 ]; then
  echo "system-check: needs root (chroot and mount); run it as root" >&2
  exit 2
fi
start=$(date +%s)
mkdir -p "$work"
work=$(cd "$work" && pwd)
cache=$work/cache
work=$work/$dist
mkdir -p "$work"
root=$work/root
listener_pid=""

unmount_all() {
  local m
  # Deepest first: /srv/guest/proc sits inside the root.
  for m in $(awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
}
cleanup() {
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
  unmount_all
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tarball=$("$here/build-root.sh" system "$cache" "$dist")
unmount_all
# Never rm -rf through a mount (the host's /proc, ptys) left by a killed run.
if awk -v r="$root/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
  echo "system-check: something is still mounted under $root; unmount it first" >&2
  exit 2
fi
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
"$here/prepare-root.sh" "$root" "$mode" "$from"

mount -t proc proc "$root/proc"
mount -t proc proc "$root/srv/guest/proc"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$root/dev/pts"
rm -f "$root/dev/ptmx"
ln -s pts/ptmx "$root/dev/ptmx"

syslog=$root/var/log/secstore-test.log
: >"$syslog"
python3 "$here/files/syslog-listener.py" "$root/dev/log" "$syslog" &
listener_pid=$!
for _ in $(seq 50); do grep -q ready "$syslog" 2>/dev/null && break; sleep 0.1; done
# The jail sees the same ptys and the same /dev/log.
mount --bind "$root/dev/pts" "$root/srv/guest/dev/pts"
mount --bind "$root/dev/log" "$root/srv/guest/dev/log"
ln -sf pts/ptmx "$root/srv/guest/dev/ptmx"

echo "system-check: running the login programs in $root"
cells_start=$(date +%s)
chroot "$root" /usr/local/share/secstore-test/cells.sh /var/log/secstore-test.log >"$work/cells.txt"
cells_seconds=$(($(date +%s) - cells_start))
cp "$syslog" "$work/syslog.txt"

baseline=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
echo "system-check: $(($(date +%s) - start)) s in all, $cells_seconds s of it running login programs; raw cells in $work/cells.txt"
echo
echo "Login programs x scenarios, in a $("$here/release-name.sh" "$root") chroot (CapBnd 'all' = $baseline here)"
echo "$("$here/release-name.sh" "$root" --versions)"
echo
cat "$here/expected.txt" $(ls "$here/expected-$dist.txt" 2>/dev/null) >"$work/expected.txt"
set +e
"$here/render.sh" "$work/cells.txt" "$work/expected.txt" "$baseline" "$root"
status=$?
exit $status
