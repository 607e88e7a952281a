#!/bin/bash
# Runs in the booted guest as root (secstore-test.service), in phases the host
# (tests/vm/run.sh) follows through flag files in /run/secstore-test:
#   1. the chroot matrix again (cells.sh), now on a real kernel with systemd,
#      journald as syslog and the full bounding set;
#   2. for each of ours/pam_cap x plain shell/secstore-shell: writes the sshd,
#      login and service PAM stacks, sets the users' login shell, reads the
#      caps of a systemd service with PAMName= and User=, then says
#      "ready-PHASE" and waits for the host's "done-PHASE" (ssh and serial
#      console logins happen from the host meanwhile);
#   3. says "finished", waits for the host's "collected" (at most 5 min)
#      and powers the guest off. A watchdog unit powers it off anyway.
set -u
flags=/run/secstore-test
out=/var/lib/secstore-test
share=/usr/local/share/secstore-test
wrapper=/usr/libexec/secstore/secstore-shell
mkdir -p "$flags" "$out"
chmod 1777 "$flags"
chmod 0755 "$out"
exec >>"$out/driver.log" 2>&1
echo "driver: start $(date +%T)"

# What the package's postinst did to the wrapper (it needs file caps =i).
{ getcap "$wrapper" || echo "no $wrapper"; } >"$out/getcap.txt" 2>&1

# The guest's jail needs what the chroot harness bind-mounts on the host.
mount -t proc proc /srv/guest/proc
mount --bind /dev/pts /srv/guest/dev/pts
mount --bind "$(readlink -f /dev/log)" /srv/guest/dev/log
ln -sf pts/ptmx /srv/guest/dev/ptmx

# The chroot ran every program and the reproductions of fixes already; here
# every cell costs seconds under TCG, so three programs (one of each kind)
# and the grid's scenarios, ours and pam_cap.
CELLS_PROGRAMS="su-l runuser-u login" \
  CELLS_SCENARIOS="named group guest root inh-only require-ok require-deny broken-req broken-opt unsafe" \
  "$share/cells.sh" >"$out/cells.txt" 2>"$out/cells.err"
echo "driver: chroot matrix done $(date +%T)"

install -m 0644 "$share/Security.store" "$share/secstore.conf" "$share/capability-test.conf" /etc/security/

# The package's path unit keeps the compiled policy current: compile once,
# let the unit settle, then edit the store by hand as an admin would (no
# `secstore apply`) and give the unit ten seconds to compile it again. The
# appended role is held by nobody, so the matrix below sees the same policy.
index=/etc/security/Security.store.idx
{
  echo "unit: $(systemctl is-enabled secstore-compile.path 2>&1) $(systemctl is-active secstore-compile.path 2>&1)"
  secstore compile && sleep 2
  before=$(stat -c %Y.%i "$index" 2>/dev/null)
  echo 'set "vm-hand-edit" permissions [VIEW_SERVER]' >>/etc/security/Security.store
  verdict="INDEX stale 10 s after a hand edit ($(secstore check 2>&1 | grep 'does not use it' | head -n 1))"
  for tenth in $(seq 100); do
    if [ "$(stat -c %Y.%i "$index" 2>/dev/null)" != "$before" ] && ! secstore check 2>&1 | grep -q 'does not use it'; then
      verdict="INDEX compiled $((tenth / 10)).$((tenth % 10)) s after a hand edit"
      break
    fi
    sleep 0.1
  done
  echo "$verdict"
} >"$out/index.txt" 2>&1
echo "driver: index check done $(date +%T)"

# sshd's stack has `nokeepcaps` (pam_secstore(8)): sshd never ends the
# handle in its child, so KEEPCAPS would only keep root's permitted set
# across its setuid until the exec; the grant reaches the session in CapInh,
# and secstore-shell raises what the policy grants as ambient.
write_stacks() {  # ours|pam_cap
  local service args
  for service in sshd login secstore-svc secstore-svc-nokeepcaps; do
    args="anonymous=guest"
    case $service in sshd | *-nokeepcaps) args+=" nokeepcaps" ;; esac
    {
      echo "# written by tests/vm vm-driver.sh"
      if [ "$1" = ours ]; then
        echo "auth     optional   pam_secstore.so $args"
      else
        echo "auth     optional   pam_cap.so config=/etc/security/capability-test.conf keepcaps defer"
      fi
      echo "auth     required   pam_unix.so"
      echo "account  required   pam_unix.so"
      echo "session  required   pam_unix.so"
      [ "$1" = ours ] && echo "session  required   pam_secstore.so $args"
      echo "password required   pam_deny.so"
    } >"/etc/pam.d/.$service.new"
    # Renamed into place: the host's ssh polls come in while the stacks
    # change, and an sshd reading a file being rewritten in place can read
    # a line spliced from the old text and the new.
    mv -f "/etc/pam.d/.$service.new" "/etc/pam.d/$service"
  done
}

# The probe's line from a PAMName= service (a unit, or systemd-run's
# transient one), or why there is none.
service_cell() {  # impl user program output unit
  local line
  line=$(grep -oE 'PROBE .* END' <<<"$4" | head -n1)
  [ -z "$line" ] && line="REFUSED $(grep -v '^\s*$' <<<"$4" | tail -n 1) $(systemctl status --no-pager -n 3 "$5" 2>&1 | tail -n 1)"
  echo "CELL $1 $(scenario_of "$2") $3 $line" >>"$out/cells.txt"
}

scenario_of() {
  case $1 in alice) echo named ;; bob) echo group ;; root) echo root ;; erin) echo inh-only ;; esac
}

# erin's login shell is the packaged secstore-shell in every phase: her
# inheritable-only grant must stay inheritable-only over ssh.
usermod -s "$wrapper" erin

for phase in ours-plain ours-shell pam_cap-plain pam_cap-shell; do
  impl=${phase%-*}
  shell=/bin/bash
  [ "${phase#*-}" = shell ] && shell=$wrapper
  write_stacks "$impl"
  for user in alice bob root; do usermod -s "$shell" "$user"; done
  if [ "$shell" = /bin/bash ]; then
    for user in alice bob root; do
      rm -f "$out/svc-$user.txt"
      timeout 60 systemctl start "secstore-svc-probe@$user.service"
      service_cell "$impl" "$user" systemd-svc "$(cat "$out/svc-$user.txt" 2>/dev/null)" \
        "secstore-svc-probe@$user.service"
      # The same through a transient unit on a pty, as an admin types it
      # (script(1) gives systemd-run the terminal --pty forwards).
      unit=secstore-run-$impl-$user
      output=$(timeout 60 script -qec "systemd-run --quiet --pty --wait --collect --unit=$unit \
        -p PAMName=secstore-svc -p User=$user /bin/bash -c '. $share/probe.sh'" /dev/null </dev/null 2>&1 | tr -d '\r')
      service_cell "$impl" "$user" systemd-run "$output" "$unit.service"
    done
    # systemd's own session process, "(sd-pam)", forked after the open: it
    # changes to the user and ends the handle (PAM_DATA_SILENT) when the
    # service stops. What does it hold meanwhile, with the stack as above
    # and with nokeepcaps (secstore-svc-nokeepcaps)?
    for user in alice bob; do
      for service in secstore-svc secstore-svc-nokeepcaps; do
        unit=secstore-hold-$impl-$user-$service
        timeout 60 systemd-run --quiet --unit="$unit" -p PAMName="$service" -p User="$user" /bin/sleep 60
        output=""
        for _ in $(seq 20); do
          for pid in $(cat "/sys/fs/cgroup$(systemctl show -P ControlGroup "$unit")/cgroup.procs" 2>/dev/null); do
            [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "(sd-pam)" ] &&
              output=$(SECSTORE_PROBE_PID=$pid bash -c ". $share/probe.sh")
          done
          [ -n "$output" ] && break
          sleep 0.5
        done
        program=systemd-sd-pam
        [ "$service" = secstore-svc-nokeepcaps ] && program=systemd-sd-pam-nk
        service_cell "$impl" "$user" "$program" "$output" "$unit.service"
        systemctl stop "$unit" 2>/dev/null
      done
    done
  fi
  echo "driver: ready-$phase $(date +%T)"
  touch "$flags/ready-$phase"
  for _ in $(seq 600); do [ -e "$flags/done-$phase" ] && break; sleep 1; done
done

echo "driver: finished $(date +%T)"
touch "$flags/finished"
# The host reads the results over ssh, then says "collected".
for _ in $(seq 300); do [ -e "$flags/collected" ] && break; sleep 1; done
echo "driver: powering off $(date +%T)"
systemctl poweroff
