#!/bin/bash
# make fleet-bench: the bench's name-service rows with the directory as the
# name service. Runs as PID 1 of the namespaces of tests/fleet/run.sh, in the
# root fleet-check uses: slapd serves the people and posixGroups, sssd (then
# nslcd) is NSS, and secstore-bench times the session rows for a directory
# user in directory groups (frank: fleetusers, netadmins, pingers).
#
#   bench.sh ROOT BENCH PAM_CAP [BENCH_ARGS...]   (BENCH, PAM_CAP: paths in ROOT)
#
# Exits non-zero when a daemon does not come up or a measurement is broken;
# timings are printed, never judged.
set -euo pipefail

root=${1:?usage: bench.sh ROOT BENCH PAM_CAP [BENCH_ARGS...]}
bench=${2:?usage: bench.sh ROOT BENCH PAM_CAP [BENCH_ARGS...]}
pam_cap=${3:?usage: bench.sh ROOT BENCH PAM_CAP [BENCH_ARGS...]}
shift 3
user=frank
# shellcheck source=tests/fleet/lib.sh
. "$(dirname "$0")/lib.sh"

mount_root_namespace
# The module as our package installed it, not the build tree's.
module=$(in_root find /usr/lib /lib -path '*/security/pam_secstore.so' -print -quit)
[ -n "$module" ] || { echo "fleet-bench: pam_secstore.so is not installed in the root" >&2; exit 2; }
echo "fleet-bench: $(versions); module $module"

run_bench() {  # label bench-args...: the rows, the user's groups from the current NSS
  local label=$1
  shift
  echo "=== fleet-bench: $label"
  in_root id "$user"
  in_root "$bench" --module="$module" --pam-cap="$pam_cap" --work="/var/tmp/secstore-bench-$label" \
    --json="/var/tmp/secstore-bench-$label.json" --user="$user" --directory-groups --sizes=1000 \
    --no-audit-pass --no-nss-files-pass "$@"
}

reset_directory
start_slapd
set_nsswitch "files sss"
wipe_sssd_cache
start_sssd
# A warm cache, as a host that has served this user before: sssd's first
# answer goes to the directory, later ones come from its cache.
for _ in 1 2 3; do in_root id "$user" >/dev/null; done
lookup_costs "sssd (files sss), warm" "$user" lena root
run_bench sssd "$@"

# sssd off before nslcd: both would answer otherwise.
stop_sssd || true
wipe_sssd_cache
set_nsswitch "files ldap"
start_nslcd
lookup_costs "nslcd (files ldap), no cache" "$user" lena root
run_bench nslcd "$@"

set_nsswitch files
lookup_costs "files only" lena root
echo "fleet-bench: done"
