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
#
# Needs root. The prepared root is a cached tarball (build/fleet/cache/,
# tests/system/build-root.sh fleet); each run unpacks it afresh, installs
# our packages and runs tests/fleet/cases.sh in the namespaces. Exit status
# 0 when every case passed; the last line is "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
system=$here/../system
dist=${1:-bookworm}
mode=${2:---debs}
from=${3:-$here/../../build/deb}
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
root=$work/$dist/root

tarball=$("$system/build-root.sh" fleet "$work/cache" "$dist")
# The namespaces' mounts are private to them; one still visible here means a
# namespace of an earlier run is alive. Never rm -rf through it.
if awk -v r="$root/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
  echo "fleet-check: something is still mounted under $root; unmount it first" >&2
  exit 2
fi
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" --numeric-owner -xf "$tarball"
unpacked=$(date +%s)

# Maintainer scripts run by dpkg -i below must start nothing: the daemons
# are started by cases.sh, inside the namespaces.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
"$system/install-ours.sh" "$root" "$mode" "$from"
"$here/prepare-root.sh" "$root"
prepared=$(date +%s)
echo "fleet-check: $dist root ready in $((prepared - start)) s (unpack $((unpacked - start)) s)"

set +e
unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
  "$here/cases.sh" "$root" "$system/files/syslog-listener.py" | tee "$work/$dist/cases.txt"
status=${PIPESTATUS[0]}
set -e
echo "fleet-check: $dist: $(($(date +%s) - start)) s in all; output in $work/$dist/cases.txt"
grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/$dist/cases.txt" | tail -n 1 || {
  echo "0 passed, 1 failed"
  exit 1
}
exit "$status"
