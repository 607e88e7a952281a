#!/bin/bash
# Runs inside the test root (a chroot or the booted guest), as root: for each
# implementation (ours = pam_secstore.so, pam_cap = libpam-cap's pam_cap.so)
# and scenario, writes the PAM stacks and configuration into THIS root's /etc,
# runs the real login programs and prints one line per cell:
#
#   CELL <impl> <scenario> <program> <PROBE ... END | REFUSED rc=N ... | AMB names | NA why>
#   LOG  <impl> <scenario> <program> <syslog line logged during the cell>
#
# It decides nothing: the host (tests/system/run.sh) holds the expected
# values and prints the matrix.
#
#   cells.sh [SYSLOG_FILE]   (default: no log capture; in the guest: journal)
set -u

here=/usr/local/share/secstore-test
probe=$here/probe.sh
libexec=/usr/local/libexec/secstore-test
jail=/srv/guest
syslog_file=${1:-}
security=/etc/security

# ------------------------------------------------------------ configuration
# Every PAM service a program below opens a session with: sshd too, whose
# session line secstore-shell reads; secstore-pamend for pam-end-probe.
services="su su-l runuser runuser-l login sudo sudo-i cron sshd secstore-pamend"
ours_args="anonymous=guest"
ours_services=$services
. "$here/pam-stack.sh"  # write_ours_stack

# pam_cap's documented place is auth (it has no session hooks); "keepcaps
# defer" is its mode for login programs that call pam_end(PAM_DATA_SILENT)
# after setuid. It goes FIRST in auth so pam_rootok cannot skip it for
# root-run su/runuser: the best case for the peer.
write_pam_cap_stack() {  # auth_control
  local control=$1 service
  for service in $services; do
    {
      echo "# written by tests/system cells.sh: pam_cap (the peer) under test"
      echo "auth     $control   pam_cap.so config=$security/capability-test.conf keepcaps defer"
      echo "auth     sufficient pam_rootok.so"
      echo "auth     required   pam_unix.so"
      echo "account  required   pam_permit.so"
      echo "session  required   pam_unix.so"
      [ -n "${ours_session_after:-}" ] && echo "session  required   $ours_session_after"
      echo "password required   pam_deny.so"
    } >"/etc/pam.d/$service"
  done
}

# Root confined to cap_net_bind_service alone (the su-to-root and
# inherited-root scenarios), in both implementations' files.
confine_root_to_nbs() {  # file from to
  sed -i "s/$2/$3/" "$1"
  grep -q "$3" "$1" || { echo "cells.sh: could not confine root in $1" >&2; return 1; }
}

install_ours_files() {  # normal|broken|unsafe|root-nbs
  install -m 0644 -o root -g root "$here/Security.store" "$security/Security.store"
  install -m 0644 -o root -g root "$here/secstore.conf" "$security/secstore.conf"
  case $1 in
    broken) echo 'set "oops" permissions [NO_SUCH_PERMISSION]' >>"$security/Security.store" ;;
    unsafe) chmod 0666 "$security/Security.store" ;;
    root-nbs) confine_root_to_nbs "$security/secstore.conf" \
      'capabilities = "cap_dac_override,cap_net_bind_service=eip"' 'capabilities = "^cap_net_bind_service"' ;;
  esac
}

install_pam_cap_files() {  # normal|broken|unsafe|root-nbs
  install -m 0644 -o root -g root "$here/capability-test.conf" "$security/capability-test.conf"
  case $1 in
    # A line for alice that does not parse, ahead of her good one.
    broken) sed -i '1i ^cap_no_such_capability alice' "$security/capability-test.conf" ;;
    unsafe) chmod 0666 "$security/capability-test.conf" ;;
    root-nbs) confine_root_to_nbs "$security/capability-test.conf" \
      '^\^cap_dac_override,\^cap_net_bind_service,' '!cap_dac_override,^cap_net_bind_service,' ;;
  esac
}

# scenario -> user, files, session control, require=, a later session line
scenario_setup() {  # impl scenario ; prints the user
  local impl=$1 scenario=$2 user files=normal control=required require=""
  ours_session_after=""
  case $scenario in
    named) user=alice ;;
    group) user=bob ;;
    guest) user=guest ;;
    root) user=root ;;
    inh-only) user=erin ;;
    require-ok) user=alice require="require=CONTROL_SERVER" ;;
    require-deny) user=charlie require="require=CONTROL_SERVER" ;;
    broken-req) user=alice files=broken ;;
    broken-opt) user=alice files=broken control=optional ;;
    unsafe) user=alice files=unsafe ;;
    su-to-root | inherited-root) user=root files=root-nbs ;;
    pam-end) user=alice ;;
    pam-end-jail) user=guest ;;
    pam-end-deny) user=alice ours_session_after=pam_deny.so ;;
    pam-end-deny-jail) user=guest ours_session_after=pam_deny.so ;;
    *) echo "cells.sh: unknown scenario $scenario" >&2; return 1 ;;
  esac
  if [ "$impl" = ours ]; then
    install_ours_files "$files" || return 1
    write_ours_stack "$control" "$require"
  else
    install_pam_cap_files "$files" || return 1
    write_pam_cap_stack "$control"
  fi
  echo "$user"
}

# ------------------------------------------------------------ programs
# Each prints what the program and the shell wrote; the shell sources the
# probe so it reports its own /proc/<pid>/status. Every program runs as
# root, as an administrator (or cron) would start it.
run_program() {  # program user
  local program=$1 user=$2
  case $program in
    su-l) su - "$user" -c ". $probe" ;;
    su) su "$user" -c ". $probe" ;;
    runuser-l) runuser -l "$user" -c ". $probe" ;;
    runuser-u) runuser -u "$user" -- /bin/bash -c ". $probe" ;;
    login) expect -f "$here/login.exp" "$user" "$probe" ;;
    sudo-i) sudo -i -u "$user" . "$probe" ;;  # the user's login shell, service sudo-i
    sudo-u) sudo -u "$user" /bin/bash -c ". $probe" ;;
    sudo-rs-i) sudo-rs -i -u "$user" . "$probe" ;;  # sudo-rs opens service sudo for both
    sudo-rs-u) sudo-rs -u "$user" /bin/bash -c ". $probe" ;;
    su-rs-l) su-rs - "$user" -c ". $probe" ;;
    cron) run_cron_job "$user" ;;
    pamtester) pamtester pamtester "$user" open_session ;;  # PAM's session open alone
    setpriv) su - "$user" -c "setpriv --dump" ;;
    capsh) su - "$user" -c "/usr/sbin/capsh --print" ;;
    # su - USER typed in bob's own session, which was granted cap_net_raw.
    su-l-from-bob) expect -f "$here/su-from.exp" bob "$user" "$user-pw" "$probe" ;;
    # runuser started by a process whose inheritable set is not empty.
    runuser-l-inh) capsh --inh=cap_sys_admin,cap_sys_ptrace -- -c "runuser -l $user -c '. $probe'" ;;
    pam-end-probe) "$libexec/pam-end-probe" secstore-pamend "$user" ;;
  esac
}

# A cron job for the user: an @reboot line in /etc/cron.d, which cron runs
# as soon as it starts when /run/crond.reboot is absent (so no waiting for
# the next minute); the job sources the probe and writes where its HOME is
# (inside the jail for a chrooted session). cron prints PAM's refusal on
# its own stderr (and syslog); either ends the wait.
run_cron_job() {  # user
  local user=$1 home out err pid
  home=$(getent passwd "$user" | cut -d: -f6)
  rm -f "$home/cron-probe.txt" "$jail$home/cron-probe.txt" /run/crond.reboot /run/crond.pid
  printf 'SHELL=/bin/bash\n@reboot %s . %s >"$HOME/cron-probe.txt" 2>&1\n' "$user" "$probe" \
    >/etc/cron.d/secstore-test
  err=$(mktemp)
  cron -f 2>"$err" &
  pid=$!
  for _ in $(seq 100); do
    grep -qs ' END' "$home/cron-probe.txt" "$jail$home/cron-probe.txt" && break
    [ -s "$err" ] && break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f /etc/cron.d/secstore-test
  cat "$home/cron-probe.txt" "$jail$home/cron-probe.txt" "$err" 2>/dev/null
  rm -f "$err"
  grep -qs ' END' "$home/cron-probe.txt" "$jail$home/cron-probe.txt"
}

# Why a program cannot run in this root, or nothing.
not_here() {  # program
  case $1 in
    sudo-rs-* | su-rs-*) command -v sudo-rs >/dev/null || echo "sudo-rs is not in this release" ;;
  esac
}

# Reduces a program's output to the one cell line.
summarize() {  # program rc output
  local program=$1 rc=$2 output=$3 line
  case $program in
    setpriv)
      line=$(grep -m1 '^Ambient capabilities:' <<<"$output" | sed 's/^Ambient capabilities: *//')
      [ "$rc" = 0 ] && [ -n "$line" ] && { echo "AMB ${line// /}"; return; } ;;
    capsh)
      line=$(grep -m1 '^Ambient set =' <<<"$output" | sed 's/^Ambient set =//; s/cap_//g')
      [ "$rc" = 0 ] && grep -q '^Ambient set =' <<<"$output" && { echo "AMB ${line:-[none]}"; return; } ;;
    pamtester)
      [ "$rc" = 0 ] && { echo "OPENED $(tail -n1 <<<"$output")"; return; } ;;
    pam-end-probe)
      line=$(grep -oE 'PAMEND .* END' <<<"$output" | head -n1)
      [ "$rc" = 0 ] && [ -n "$line" ] && { echo "$line"; return; } ;;
    *)
      line=$(tr -d '\r' <<<"$output" | grep -oE 'PROBE .* END' | head -n1)
      [ "$rc" = 0 ] && [ -n "$line" ] && { echo "$line"; return; } ;;
  esac
  local why
  why=$(tr -d '\r' <<<"$output" | grep -v '^\s*$' | grep -v '^spawn ' | tail -n1)
  echo "REFUSED rc=$rc ${why:0:160}"
}

# Each cell writes a marker line to syslog before it runs; at the end the
# whole log is read once and split at the markers, so a line belongs to the
# cell that caused it. The log is the syslog file the chroot harness
# captures, or (the booted guest) the journal, whose error-or-worse lines
# get the "<83>" (authpriv.err) prefix the file's lines carry, so render.sh
# reads both alike.
log_marker() {  # impl scenario program
  logger -p authpriv.info -t secstore-test "CELL-BEGIN $1 $2 $3"
}

read_whole_log() {
  if [ -n "$syslog_file" ]; then
    cat "$syslog_file"
  else
    sleep 1  # journald may still be storing the last cell's lines
    journalctl -q -b -o short --no-pager -p 0..3 >/tmp/secstore-test-errors.txt 2>/dev/null
    journalctl -q -b -o short --no-pager 2>/dev/null |
      awk 'NR == FNR { error[$0] = 1; next } { print (($0 in error) ? "<83>" : "") $0 }' \
        /tmp/secstore-test-errors.txt -
  fi
}

# No program here opens an sshd session: a line of service sshd is the
# booted guest's host polling for its flag files over ssh, at whatever moment
# (even while the next scenario's files are half written), not the cell's.
log_lines_by_cell() {
  read_whole_log | awk '
    /secstore-test.*CELL-BEGIN / { sub(/.*CELL-BEGIN /, ""); cell = $0; next }
    /(pam_secstore|pam_cap)\(sshd:/ { next }
    cell != "" && /pam_secstore|pam_cap/ { print "LOG " cell " " $0 }'
}

# One program for one user in a clean environment, reduced to a cell line's
# tail (PROBE ... END, REFUSED rc=N why, AMB names, OPENED why).
run_cell() {  # program user
  local output rc
  output=$(cd / && timeout 30 env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
    HOME=/root bash "$here/cells.sh" --run "$1" "$2" </dev/null 2>&1)
  rc=$?
  summarize "$1" "$rc" "$output"
}

if [ "${1:-}" = --run ]; then  # one program, in the clean environment set below
  run_program "$2" "$3"
  exit
fi
if [ "${1:-}" = --cell ]; then  # one cell, for drivers that decide elsewhere (tests/fleet)
  run_cell "$2" "$3"
  exit
fi

# CELLS_IMPLS, CELLS_PROGRAMS, CELLS_SCENARIOS narrow the run (the booted
# guest, where every cell costs seconds under TCG, runs fewer).
programs=${CELLS_PROGRAMS:-"su-l su runuser-l runuser-u login sudo-i sudo-u sudo-rs-i sudo-rs-u su-rs-l cron setpriv capsh"}
ours_scenarios="named group guest root inh-only require-ok require-deny broken-req broken-opt unsafe"
pam_cap_scenarios="named group root inh-only broken-req broken-opt unsafe"
# The reproductions of security fixes: one program each, both implementations
# (pam_cap has no chroot, so no jail cells).
ours_fixes="su-to-root inherited-root pam-end pam-end-jail pam-end-deny pam-end-deny-jail"
pam_cap_fixes="su-to-root inherited-root pam-end pam-end-deny"
fix_program() {
  case $1 in
    su-to-root) echo su-l-from-bob ;;
    inherited-root) echo runuser-l-inh ;;
    pam-end*) echo pam-end-probe ;;
  esac
}

run_one() {  # impl scenario program user
  local why
  if [ "$2" = guest ] && { [ "$3" = setpriv ] || [ "$3" = capsh ]; }; then
    echo "CELL $1 $2 $3 NA the guest jail holds only bash"
    return
  fi
  why=$(not_here "$3")
  if [ -n "$why" ]; then
    echo "CELL $1 $2 $3 NA $why"
    return
  fi
  log_marker "$1" "$2" "$3"
  echo "CELL $1 $2 $3 $(run_cell "$3" "$4")"
}

for impl in ${CELLS_IMPLS:-ours pam_cap}; do
  if [ "$impl" = ours ]; then
    scenarios="$ours_scenarios $ours_fixes"
  else
    scenarios="$pam_cap_scenarios $pam_cap_fixes"
  fi
  for scenario in $scenarios; do
    case " ${CELLS_SCENARIOS:-$scenarios} " in *" $scenario "*) ;; *) continue ;; esac
    user=$(scenario_setup "$impl" "$scenario") || exit 2
    fix=$(fix_program "$scenario")
    for program in ${fix:-$programs}; do
      run_one "$impl" "$scenario" "$program" "$user"
    done
  done
done
log_lines_by_cell
