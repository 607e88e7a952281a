#!/bin/bash
# Turns an unpacked fleet root (tests/system/build-root.sh fleet) with our
# packages installed into the fleet-check root: the local account, homes for
# the directory's people, the policy files, both NSS clients' configuration,
# the PAM stacks and the NSS probe (compiled here, against the root's own
# glibc). Writes only under ROOT; starts nothing.
#
#   prepare-root.sh ROOT
set -euo pipefail

root=${1:?usage: prepare-root.sh ROOT}
here=$(cd "$(dirname "$0")" && pwd)
system=$here/../system
fleet_share=/usr/local/share/secstore-fleet
test_share=/usr/local/share/secstore-test

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# The login drivers and the probe of system-check, reused as they are.
install -d "$root$test_share" "$root$fleet_share"
install -m 0644 "$system/files/probe.sh" "$system/files/login.exp" "$system/files/pam-stack.sh" \
  "$root$test_share/"
install -m 0755 "$system/files/cells.sh" "$root$test_share/"
install -m 0644 "$here/files/directory.ldif" "$here/files/nss-probe.c" "$root$fleet_share/"
echo main >"$root/.secstore-root"
echo 'PS1='"'"'SHELL-READY\$ '"'" >>"$root/etc/bash.bashrc"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"

# lena is local (files) but a member of the directory's group pingers.
in_root useradd -M -u 1500 -s /bin/bash lena
install -d -m 0755 -o 1500 -g 1500 "$root/home/lena"
# The directory's people (tests/fleet/files/directory.ldif) get homes here,
# as pam_mkhomedir or an automounter would give them.
for entry in dana:6001:5000 erin:6002:5000 frank:6003:5000 gina:6004:5001 hank:6005:5000; do
  IFS=: read -r name uid gid <<<"$entry"
  install -d -m 0755 -o "$uid" -g "$gid" "$root/home/$name"
done

install -m 0644 -o root -g root "$here/files/Security.store" "$here/files/secstore.conf" "$root/etc/security/"
install -d -m 0755 "$root/etc/security/secstore.d"
install -m 0644 -o root -g root "$here/files/runuser-l.conf" "$root/etc/security/secstore.d/"
install -m 0600 -o root -g root "$here/files/sssd.conf" "$root/etc/sssd/sssd.conf"
install -m 0640 "$here/files/nslcd.conf" "$root/etc/nslcd.conf"
in_root chgrp nslcd /etc/nslcd.conf

# Every login program's stack, and pamtester's (the session hook alone):
# account requires AUTHENTICATE (every named session has it through
# "staff"), so `login -f` runs pam_secstore's account hook before login
# resolves the user itself.
in_root bash -c ". $test_share/pam-stack.sh
  ours_args= ours_services='su su-l runuser runuser-l login pamtester'
  write_ours_stack required require=AUTHENTICATE"

in_root gcc -O2 -Wall -Wextra -Werror -o /usr/local/bin/nss-probe "$fleet_share/nss-probe.c"
echo "prepare-root: local user lena, directory people dana erin frank gina hank, probe built"
