#!/bin/bash
# make fleet-check: pam_secstore on a host whose identities come from a
# directory. A real slapd serves people and posixGroups; NSS reaches it
# through sssd, and then through nslcd; real su, runuser, login and
# pamtester sessions must get the roles and capabilities that LDAP group
# membership gives, `secstore explain` must say the same, and a directory
# outage must fail the way SPEC 4.5 says. Everything runs in a Debian root
# under build/fleet/, inside its own network, mount and PID namespaces
# (loopback only), so no daemon can reach or outlive anything here.
#
#   tests/fleet/run.sh [bookworm|trixie] [--debs DIR | --raw BUILDDIR]
#                      [--bench BENCH PAM_CAP [BENCH_ARGS...]]
#
# With --bench (make fleet-bench), the same root runs tests/fleet/bench.sh
# instead of the cases: the bench binary BENCH and Debian's PAM_CAP
# (pam_cap.so) are copied into it, and the session rows are timed with sssd
# and then nslcd as the name service.
#
# Needs root. The root is a cached tarball (build/fleet/cache/,
# tests/system/build-root.sh fleet), unpacked once beside it; each run
# mounts it under a fresh overlay inside the namespaces, installs our
# packages and runs tests/fleet/cases.sh. Exit status 0 when every case
# passed; the last line is "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
system=$here/../system

# Inside the namespaces (run.sh re-runs itself through unshare): the root is
# BASE under a fresh overlay; our packages go in, the test files and users,
# and cases.sh takes over as PID 1.
if [ "${1:-}" = --in-namespace ]; then
  base=$2 run=$3 mode=$4 from=$5 start=$6
  shift 6
  root=$run/root
  mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/overlay-work" "$root"
  # Maintainer scripts run by dpkg -i must start nothing: cases.sh starts
  # the daemons.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  "$system/install-ours.sh" "$root" "$mode" "$from"
  "$here/prepare-root.sh" "$root"
  echo "fleet-check: root ready in $(($(date +%s) - start)) s"
  if [ "${1:-}" = --bench ]; then
    bench_dir=/usr/local/lib/secstore-bench
    install -d "$root$bench_dir"
    install -m 0755 "$2" "$root$bench_dir/secstore-bench"
    install -m 0644 "$3" "$root$bench_dir/pam_cap.so"
    # A build tree's module (--raw) needs its library, which no package put there.
    if [ "$mode" = --raw ]; then install -m 0644 "$from/libsecstore.so.1" "$root/usr/lib/"; fi
    exec "$here/bench.sh" "$root" "$bench_dir/secstore-bench" "$bench_dir/pam_cap.so" "${@:4}"
  fi
  exec "$here/cases.sh" "$root" "$system/files/syslog-listener.py"
fi
dist=${1:-bookworm}
mode=${2:---debs}
from=${3:-$here/../../build/deb}
bench=()
if [ "${4:-}" = --bench ]; then
  bench=("${@:4}")
  [ "${#bench[@]}" -ge 3 ] || { echo "fleet-check: --bench BENCH PAM_CAP [BENCH_ARGS...]" >&2; exit 2; }
  bench[1]=$(realpath "${bench[1]}") bench[2]=$(realpath "${bench[2]}")
fi
work=${SECSTORE_FLEET_DIR:-$here/../../build/fleet}

if [ "$(id -u)" != 0 ]; then
  echo "fleet-check: needs root (chroot, namespaces, mount); run it as root" >&2
  exit 2
fi
for tool in unshare ip python3; do
  command -v "$tool" >/dev/null || { echo "fleet-check: $tool is missing" >&2; exit 2; }
done
start=$(date +%s)
mkdir -p "$work"
work=$(cd "$work" && pwd)
run=$work/$dist
root=$run/root

# The cached tarball is unpacked once into BASE; each run sees it through an
# overlay whose upper layer is new, so nothing of an earlier run is left and
# nothing large is unpacked or deleted again.
tarball=$("$system/build-root.sh" fleet "$work/cache" "$dist")
base=${tarball%.tar}.d
if [ ! -d "$base" ]; then
  rm -rf "$base.tmp" "$work/cache/$dist-fleet-"*.d  # older keys
  mkdir -p "$base.tmp"
  tar -C "$base.tmp" --numeric-owner -xf "$tarball"
  mv "$base.tmp" "$base"
fi
# The overlay is mounted in the namespaces only; one visible here means a
# namespace of an earlier run is alive. Never rm -rf through it.
if awk -v r="$root" '$2 == r || index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
  echo "fleet-check: something is still mounted on $root; unmount it first" >&2
  exit 2
fi
rm -rf "$run/upper" "$run/overlay-work" "$root"
mkdir -p "$run/upper" "$run/overlay-work" "$root"

set +e
if [ "${#bench[@]}" -gt 0 ]; then
  unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
    "$0" --in-namespace "$base" "$run" "$mode" "$from" "$start" "${bench[@]}" | tee "$run/bench.txt"
  status=${PIPESTATUS[0]}
  echo "fleet-bench: $dist: $(($(date +%s) - start)) s in all; output in $run/bench.txt, exit $status"
  exit "$status"
fi
unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
  "$0" --in-namespace "$base" "$run" "$mode" "$from" "$start" | tee "$run/cases.txt"
status=${PIPESTATUS[0]}
set -e
echo "fleet-check: $dist: $(($(date +%s) - start)) s in all; output in $run/cases.txt," \
  "the root's changes (syslog: var/log/fleet-syslog.log) in $run/upper"
grep -E '^[0-9]+ passed, [0-9]+ failed' "$run/cases.txt" | tail -n 1 || {
  echo "0 passed, 1 failed"
  exit 1
}
exit "$status"
