#!/bin/bash
# Turns an extracted Debian root into the test root: installs our packages,
# adds the test users and groups, builds the guest's chroot jail and copies
# the test files in. Everything it writes is under ROOT; it never touches the
# host's /etc.
#
#   prepare-root.sh ROOT --debs DIR      the .debs from `make deb` (dpkg -i)
#   prepare-root.sh ROOT --raw BUILDDIR  fallback: build/pam_secstore.so and
#                                        build/secstore copied in by hand
set -euo pipefail

root=${1:?usage: prepare-root.sh ROOT --debs DIR | --raw BUILDDIR}
mode=${2:?usage: prepare-root.sh ROOT --debs DIR | --raw BUILDDIR}
from=${3:?usage: prepare-root.sh ROOT --debs DIR | --raw BUILDDIR}
here=$(cd "$(dirname "$0")" && pwd)
multiarch=x86_64-linux-gnu

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# ------------------------------------------------------------ our packages
"$here/install-ours.sh" "$root" "$mode" "$from"

# ------------------------------------------------------------ users and groups
# Homes are made empty (no skel): the shell's prompt then comes from
# /etc/bash.bashrc, which the login driver (login.exp) waits for.
in_root groupadd -g 2001 netops
in_root groupadd -g 2002 probes
add_user() {  # name uid [groups]
  in_root useradd -M -u "$2" -s /bin/bash ${3:+-G "$3"} "$1"
  install -d -m 0755 -o "$2" -g "$2" "$root/home/$1"
}
add_user alice 1001
add_user bob 1002 netops
add_user charlie 1003
add_user guest 1004
# erin's grant is inheritable only; her login shell is secstore-shell (below).
add_user erin 1005
# sudo resolves this machine's name (the chroot keeps the host's).
echo "127.0.1.1 $(hostname)" >>"$root/etc/hosts"
# root's password: su - root typed in a user's own session asks for it.
echo root:root-pw | in_root chpasswd
echo 'PS1='"'"'SHELL-READY\$ '"'" >>"$root/etc/bash.bashrc"

# ------------------------------------------------------------ test files
share=$root/usr/local/share/secstore-test
install -d "$share"
install -m 0644 "$here/files/probe.sh" "$here/files/login.exp" "$here/files/pam-stack.sh" \
  "$here/files/Security.store" "$here/files/secstore.conf" "$here/files/capability-test.conf" "$share/"
install -m 0644 "$here/files/su-from.exp" "$share/"
install -m 0755 "$here/files/cells.sh" "$share/"
# erin's login shell: a copy of the packaged secstore-shell given file
# capabilities the way the package's postinst gives them (setcap all=i), so
# the cells do not depend on what dpkg left on the installed one.
libexec=$root/usr/local/libexec/secstore-test
install -d "$libexec"
install -m 0755 "$root/usr/libexec/secstore/secstore-shell" "$libexec/secstore-shell"
in_root setcap all=i /usr/local/libexec/secstore-test/secstore-shell
in_root usermod -s /usr/local/libexec/secstore-test/secstore-shell erin
# A login program that ends the PAM handle without PAM_DATA_SILENT and then
# changes to the user (tests/system/files/pam-end-probe.c); built here with
# this machine's compiler against libpam.so.0, which every release keeps.
cc -O2 -Wall -Wextra -Werror -o "$libexec/pam-end-probe" "$here/files/pam-end-probe.c" -lpam
echo main >"$root/.secstore-root"

# ------------------------------------------------------------ the guest's jail
# Only bash, its libraries and the probe: what an anonymous session that is
# chrooted at session open can run.
jail=$root/srv/guest
install -d "$jail/usr/bin" "$jail/usr/lib/$multiarch" "$jail/usr/lib64" "$jail/proc" \
  "$jail/home/guest" "$jail/dev" "$jail/usr/local/share/secstore-test"
chown 1004:1004 "$jail/home/guest"
for link in bin lib lib64; do ln -sfn "usr/$link" "$jail/$link"; done
cp -a "$root/usr/bin/bash" "$jail/usr/bin/"
# Merged /usr: /lib/x and /usr/lib/x are one file, so place both under usr/.
in_jail_usr() { echo "$jail/usr${1#/usr}"; }
for lib in $(in_root ldd /usr/bin/bash | grep -o '/[^ ]*'); do
  real=$(in_root readlink -f "$lib")
  install -D -m 0755 "$root$real" "$(in_jail_usr "$real")"
  if [ "$(in_jail_usr "$lib")" != "$(in_jail_usr "$real")" ]; then
    mkdir -p "$(dirname "$(in_jail_usr "$lib")")"
    ln -sf "$real" "$(in_jail_usr "$lib")"
  fi
done
cp -a "$root/dev/null" "$root/dev/zero" "$root/dev/tty" "$jail/dev/"
# login looks the user up again after the session chrooted it, and its shell
# needs the pty: a jail for login needs etc/passwd, etc/group and dev/pts.
install -d "$jail/etc" "$jail/dev/pts"
grep -E '^(root|guest):' "$root/etc/passwd" >"$jail/etc/passwd"
grep -E '^(root|guest):' "$root/etc/group" >"$jail/etc/group"
cp "$root/etc/nsswitch.conf" "$jail/etc/"
: >"$jail/dev/log"  # run.sh binds the test's syslog socket here
install -m 0644 "$here/files/probe.sh" "$jail/usr/local/share/secstore-test/"
echo guest >"$jail/.secstore-root"
in_root /usr/sbin/chroot /srv/guest /bin/bash -c 'echo jail ok' >/dev/null
echo "prepare-root: users alice bob(netops) charlie guest erin, jail /srv/guest ready"
