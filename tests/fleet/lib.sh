# What tests/fleet/cases.sh and tests/fleet/bench.sh share: running in the
# fleet root, and starting and stopping its directory and NSS daemons. Both
# run as PID 1 of the namespaces of tests/fleet/run.sh, with $root set to the
# prepared root; sourced, it defines functions and runs nothing.
# shellcheck shell=bash

: "${root:?lib.sh needs root set to the prepared root}"
fleet_share=/usr/local/share/secstore-fleet
# shellcheck disable=SC2054  # the commas are in one argument, the bind DN
admin=(-x -H ldapi:/// -D cn=admin,dc=secstore,dc=test -w fleet-admin-pw)

in_root() { chroot "$root" env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
note() { echo "      $*"; }
# shellcheck disable=SC2016  # ${Version} is dpkg-query's, not the shell's
versions() {  # the directory side's package versions, for the first line
  echo "slapd $(in_root dpkg-query -W -f '${Version}' slapd), sssd $(in_root dpkg-query -W -f '${Version}' sssd-common), nslcd $(in_root dpkg-query -W -f '${Version}' nslcd), glibc $(in_root dpkg-query -W -f '${Version}' libc6)"
}

# ------------------------------------------------------------ the namespace
mount_root_namespace() {  # proc, ptys and a fresh /run in the root; loopback up
  ip link set lo up
  mount -t proc proc "$root/proc"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$root/dev/pts"
  rm -f "$root/dev/ptmx"
  ln -s pts/ptmx "$root/dev/ptmx"
  mount -t tmpfs -o mode=0755 tmpfs "$root/run"  # a fresh /run, as at boot
  install -d -m 1777 "$root/run/lock"
}

# ------------------------------------------------------------ daemons
# A daemon has stopped when its process is gone or a zombie (this script, as
# PID 1 of the namespace, reaps the daemons that were reparented to it).
stop_pidfile() {  # pidfile
  local pid
  pid=$(cat "$root$1" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 100); do
    { [ ! -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; } && return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
}
wait_for() {  # seconds what command...: until the command succeeds
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "fleet-check: $what did not come up in $seconds s" >&2
  return 1
}

# The directory a phase starts from: a wiped database, directory.ldif loaded.
reset_directory() {
  in_root sh -c "rm -rf /var/lib/ldap/* && slapadd -q -b dc=secstore,dc=test -l $fleet_share/directory.ldif &&
    chown -R openldap:openldap /var/lib/ldap"
}
start_slapd() {
  in_root install -d -o openldap -g openldap /run/slapd
  in_root slapd -h "ldapi:/// ldap://127.0.0.1:3890/" -u openldap -g openldap
  wait_for 20 slapd in_root ldapsearch -x -H ldap://127.0.0.1:3890/ -b dc=secstore,dc=test -s base
}
stop_slapd() { stop_pidfile /run/slapd/slapd.pid; }
ldap_modify() { in_root ldapmodify "${admin[@]}" >/dev/null; }  # LDIF on stdin

wipe_sssd_cache() { rm -f "$root"/var/lib/sss/db/* "$root"/var/lib/sss/mc/*; }
start_sssd() {
  in_root sssd -D
  wait_for 20 sssd test -S "$root/var/lib/sss/pipes/nss"
}
stop_sssd() { stop_pidfile /run/sssd.pid; }
start_nslcd() {
  in_root install -d -o nslcd -g nslcd /run/nslcd
  in_root nslcd
  wait_for 20 nslcd test -S "$root/run/nslcd/socket"
}
stop_nslcd() { stop_pidfile /run/nslcd/nslcd.pid; }

set_nsswitch() {  # the passwd and group sources, e.g. "files sss"
  printf 'passwd: %s\ngroup: %s\nshadow: files\nhosts: files\n' "$1" "$1" >"$root/etc/nsswitch.conf"
}

lookup_costs() {  # label names...: microseconds per getpwnam_r + getgrouplist
  local label=$1
  shift
  in_root nss-probe --time 1000 "$@" | sed "s|^TIME |COST  $label: |"
}
