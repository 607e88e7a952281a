#!/bin/bash
# Makes a prepared test root (tests/system/prepare-root.sh) bootable as the
# test guest: fstab, network by systemd-networkd, sshd with the host's test
# key for the test users, console passwords, the driver and watchdog units.
# Writes only under ROOT.
#
#   setup-guest.sh ROOT SSH_PUBLIC_KEY_FILE
set -euo pipefail
root=${1:?usage: setup-guest.sh ROOT SSH_PUBLIC_KEY_FILE}
pubkey=${2:?usage: setup-guest.sh ROOT SSH_PUBLIC_KEY_FILE}
here=$(cd "$(dirname "$0")" && pwd)

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"
echo secstore-vm >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 secstore-vm\n' >"$root/etc/hosts"

install -d "$root/etc/systemd/network"
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\n' >"$root/etc/systemd/network/10-test.network"

# Console passwords (login on ttyS0 asks for one); ssh uses the key only.
printf '%s\n' alice:alice-pw bob:bob-pw root:root-pw charlie:charlie-pw | in_root chpasswd

for user in alice bob charlie erin root; do
  home=$(in_root getent passwd "$user" | cut -d: -f6)
  uid=$(in_root id -u "$user")
  install -d -m 0700 -o "$uid" -g "$uid" "$root$home/.ssh"
  install -m 0600 -o "$uid" -g "$uid" "$pubkey" "$root$home/.ssh/authorized_keys"
done
[ -e "$root/etc/ssh/ssh_host_ed25519_key" ] || in_root ssh-keygen -A
cat >"$root/etc/ssh/sshd_config.d/secstore-test.conf" <<'CONF'
# tests/vm: key logins only, and quickly.
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
CONF

install -m 0755 "$here/files/vm-driver.sh" "$root/usr/local/share/secstore-test/"
install -m 0644 "$here/files/secstore-test.service" "$here/files/secstore-test-watchdog.service" \
  "$here/files/secstore-svc-probe@.service" "$root/etc/systemd/system/"
in_root systemctl enable systemd-networkd.service ssh.service secstore-test.service \
  secstore-test-watchdog.service >/dev/null 2>&1
# Nothing here needs the network to be "online"; do not wait for it.
in_root systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1 || true
echo "setup-guest: sshd, networkd, driver and watchdog enabled"
