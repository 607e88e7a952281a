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

# The chroot ran every program already; here every cell costs seconds under
# TCG, so three programs (one of each kind), ours and pam_cap.
CELLS_PROGRAMS="su-l runuser-u login" "$share/cells.sh" >"$out/cells.txt" 2>"$out/cells.err"
echo "driver: chroot matrix done $(date +%T)"

install -m 0644 "$share/Security.store" "$share/secstore.conf" "$share/capability-test.conf" /etc/security/

write_stacks() {  # ours|pam_cap
  local service
  for service in sshd login secstore-svc; do
    {
      echo "# written by tests/vm vm-driver.sh"
      if [ "$1" = ours ]; then
        echo "auth     optional   pam_secstore.so anonymous=guest"
      else
        echo "auth     optional   pam_cap.so config=/etc/security/capability-test.conf keepcaps defer"
      fi
      echo "auth     required   pam_unix.so"
      echo "account  required   pam_unix.so"
      echo "session  required   pam_unix.so"
      [ "$1" = ours ] && echo "session  required   pam_secstore.so anonymous=guest"
      echo "password required   pam_deny.so"
    } >"/etc/pam.d/$service"
  done
}

scenario_of() {
  case $1 in alice) echo named ;; bob) echo group ;; root) echo root ;; esac
}

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
      line=$(grep -oE 'PROBE .* END' "$out/svc-$user.txt" 2>/dev/null)
      if [ -z "$line" ]; then
        line="REFUSED $(systemctl status --no-pager -n 3 "secstore-svc-probe@$user.service" 2>&1 | tail -n 1)"
      fi
      echo "CELL $impl $(scenario_of "$user") systemd-svc $line" >>"$out/cells.txt"
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
