#!/bin/bash
# Builds (or reuses) a cached Debian root tarball and prints its path.
#
#   tests/system/build-root.sh system|vm|fleet CACHE_DIR [DIST]
#
# DIST is bookworm (the default) or trixie. The cache key is a hash of
# everything that shapes the tarball (package list, mirror, hooks, preseed),
# so changing any of them builds a new one and an unchanged list costs
# nothing. "vm" is the "system" root plus a kernel, systemd as init, D-Bus
# and sshd: the same programs and the same PAM, one more layer. "fleet" is
# the "system" root without sudo and cron, plus a directory service and both
# NSS clients (tests/fleet/): slapd,
# nslcd with libnss-ldapd, sssd-ldap with libnss-sss (sssd-tools for
# sss_cache), libnss-systemd (Debian's default "files systemd" order),
# pamtester, and a C compiler for the NSS probe. debconf is preseeded from
# tests/fleet/files/debconf.preseed before any of them is configured, and
# mmdebstrap's own policy-rc.d keeps their maintainer scripts from starting
# anything on this machine.
set -euo pipefail

usage="usage: build-root.sh system|vm|fleet CACHE_DIR [bookworm|trixie]"
kind=${1:?$usage}
cache=${2:?$usage}
dist=${3:-bookworm}
case $dist in
  bookworm | trixie) ;;
  *) echo "build-root.sh: unknown DIST '$dist' (bookworm or trixie)" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
mirror=${SECSTORE_MIRROR:-http://deb.debian.org/debian}
security_mirror=${SECSTORE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# What a login needs, what the tests drive it with, and the peer (pam_cap).
# libcap2, libpam0g, libstdc++6 are our packages' run-time dependencies:
# listing them lets `dpkg -i` succeed without an archive in the chroot.
packages=(util-linux login passwd libcap2-bin libpam-modules libpam-modules-bin
  libpam-runtime libpam-cap expect procps libcap2 libpam0g libstdc++6 libgcc-s1)
# The other programs that open PAM sessions in the matrix: sudo, cron, and
# sudo-rs (sudo-rs, su-rs), which is in Debian 13 only.
if [ "$kind" != fleet ]; then
  packages+=(sudo cron)
  [ "$dist" = trixie ] && packages+=(sudo-rs)
fi
if [ "$kind" = vm ]; then
  # dbus: systemd-run (--pty) talks to the manager over the system bus.
  packages+=(linux-image-amd64 initramfs-tools systemd systemd-sysv udev dbus
    openssh-server openssh-client)
elif [ "$kind" = fleet ]; then
  packages+=(slapd ldap-utils nslcd libnss-ldapd sssd-ldap sssd-common sssd-tools libnss-sss
    libnss-systemd pamtester gcc libc6-dev)
elif [ "$kind" != system ]; then
  echo "build-root.sh: unknown kind '$kind' (system, vm or fleet)" >&2
  exit 2
fi

# The initrd needs only what boots a virtio disk; "list" keeps it small.
initrd_modules="virtio_pci virtio_blk virtio_net ext4"
essential_hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=list > "$1/etc/initramfs-tools/conf.d/secstore-vm"'
customize_hook='if [ -x "$1/usr/sbin/update-initramfs" ]; then printf "%s\n" '"$initrd_modules"' >> "$1/etc/initramfs-tools/modules" && chroot "$1" update-initramfs -u -k all; fi'
dpkg_opts=('path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/locale/*'
  'path-include=/usr/share/locale/locale.alias' 'path-exclude=/usr/share/doc/*'
  'path-include=/usr/share/doc/*/copyright' 'path-exclude=/usr/share/info/*')

preseed_hook=""
if [ "$kind" = fleet ]; then
  preseed=$here/../fleet/files/debconf.preseed
  preseed_hook='chroot "$1" debconf-set-selections < "'"$preseed"'"'
  key_extra=$(sha256sum <"$preseed")
fi

key_text="$kind ${packages[*]} $mirror $security_mirror $essential_hook $customize_hook ${dpkg_opts[*]}${key_extra:+ $key_extra}"
key=$(printf '%s' "$key_text" | sha256sum | cut -c1-16)
tarball="$cache/$dist-$kind-$key.tar"

if [ -s "$tarball" ]; then
  echo "$tarball"
  exit 0
fi

mkdir -p "$cache"
start=$(date +%s)
echo "build-root: creating $tarball with mmdebstrap (about a minute)" >&2
dpkg_args=()
for opt in "${dpkg_opts[@]}"; do dpkg_args+=(--dpkgopt="$opt"); done
[ -n "$preseed_hook" ] && dpkg_args+=(--essential-hook="$preseed_hook")
mmdebstrap --variant=minbase --mode=root --format=tar \
  --include="$(IFS=,; echo "${packages[*]}")" \
  "${dpkg_args[@]}" \
  --essential-hook="$essential_hook" \
  --customize-hook="$customize_hook" \
  "$dist" "$tarball.tmp" \
  "deb $mirror $dist main" \
  "deb $mirror $dist-updates main" \
  "deb $security_mirror $dist-security main" >&2
mv "$tarball.tmp" "$tarball"
echo "build-root: $tarball built in $(( $(date +%s) - start )) s" >&2
echo "$tarball"
