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
syslog_file=${1:-}
security=/etc/security

# ------------------------------------------------------------ configuration
ours_args="anonymous=guest"
. "$here/pam-stack.sh"  # write_ours_stack

# pam_cap's documented place is auth (it has no session hooks); "keepcaps
# defer" is its mode for login programs that call pam_end(PAM_DATA_SILENT)
# after setuid. It goes FIRST in auth so pam_rootok cannot skip it for
# root-run su/runuser: the best case for the peer.
write_pam_cap_stack() {  # auth_control
  local control=$1 service
  for service in su su-l runuser runuser-l login; do
    {
      echo "# written by tests/system cells.sh: pam_cap (the peer) under test"
      echo "auth     $control   pam_cap.so config=$security/capability-test.conf keepcaps defer"
      echo "auth     sufficient pam_rootok.so"
      echo "auth     required   pam_deny.so"
      echo "account  required   pam_permit.so"
      echo "session  required   pam_unix.so"
      echo "password required   pam_deny.so"
    } >"/etc/pam.d/$service"
  done
}

install_ours_files() {  # normal|broken|unsafe
  install -m 0644 -o root -g root "$here/Security.store" "$security/Security.store"
  install -m 0644 -o root -g root "$here/secstore.conf" "$security/secstore.conf"
  case $1 in
    broken) echo 'set "oops" permissions [NO_SUCH_PERMISSION]' >>"$security/Security.store" ;;
    unsafe) chmod 0666 "$security/Security.store" ;;
  esac
}

install_pam_cap_files() {  # normal|broken|unsafe
  install -m 0644 -o root -g root "$here/capability-test.conf" "$security/capability-test.conf"
  case $1 in
    # A line for alice that does not parse, ahead of her good one.
    broken) sed -i '1i ^cap_no_such_capability alice' "$security/capability-test.conf" ;;
    unsafe) chmod 0666 "$security/capability-test.conf" ;;
  esac
}

# scenario -> "user files session_control require"
scenario_setup() {  # impl scenario ; prints the user
  local impl=$1 scenario=$2 user files=normal control=required require=""
  case $scenario in
    named) user=alice ;;
    group) user=bob ;;
    guest) user=guest ;;
    root) user=root ;;
    require-ok) user=alice require="require=CONTROL_SERVER" ;;
    require-deny) user=charlie require="require=CONTROL_SERVER" ;;
    broken-req) user=alice files=broken ;;
    broken-opt) user=alice files=broken control=optional ;;
    unsafe) user=alice files=unsafe ;;
    *) echo "cells.sh: unknown scenario $scenario" >&2; return 1 ;;
  esac
  if [ "$impl" = ours ]; then
    install_ours_files "$files"
    write_ours_stack "$control" "$require"
  else
    install_pam_cap_files "$files"
    write_pam_cap_stack "$control"
  fi
  echo "$user"
}

# ------------------------------------------------------------ programs
# Each prints what the program and the shell wrote; the shell sources the
# probe so it reports its own /proc/<pid>/status.
run_program() {  # program user
  local program=$1 user=$2
  case $program in
    su-l) su - "$user" -c ". $probe" ;;
    su) su "$user" -c ". $probe" ;;
    runuser-l) runuser -l "$user" -c ". $probe" ;;
    runuser-u) runuser -u "$user" -- /bin/bash -c ". $probe" ;;
    login) expect -f "$here/login.exp" "$user" "$probe" ;;
    pamtester) pamtester pamtester "$user" open_session ;;  # PAM's session open alone
    setpriv) su - "$user" -c "setpriv --dump" ;;
    capsh) su - "$user" -c "/usr/sbin/capsh --print" ;;
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

log_lines_by_cell() {
  read_whole_log | awk '
    /secstore-test.*CELL-BEGIN / { sub(/.*CELL-BEGIN /, ""); cell = $0; next }
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

# CELLS_IMPLS, CELLS_PROGRAMS narrow the run (the booted guest, where every
# cell costs seconds under TCG, runs ours only).
programs=${CELLS_PROGRAMS:-"su-l su runuser-l runuser-u login setpriv capsh"}
ours_scenarios="named group guest root require-ok require-deny broken-req broken-opt unsafe"
pam_cap_scenarios="named group root broken-req broken-opt unsafe"

for impl in ${CELLS_IMPLS:-ours pam_cap}; do
  if [ "$impl" = ours ]; then scenarios=$ours_scenarios; else scenarios=$pam_cap_scenarios; fi
  for scenario in $scenarios; do
    user=$(scenario_setup "$impl" "$scenario") || exit 2
    for program in $programs; do
      if [ "$scenario" = guest ] && { [ "$program" = setpriv ] || [ "$program" = capsh ]; }; then
        echo "CELL $impl $scenario $program NA the guest jail holds only bash"
        continue
      fi
      log_marker "$impl" "$scenario" "$program"
      echo "CELL $impl $scenario $program $(run_cell "$program" "$user")"
    done
  done
done
log_lines_by_cell
