#!/bin/bash
# Installs our packages into an extracted Debian root: the .debs from
# `make deb` with dpkg -i, or (fallback) the built module and command copied
# in by hand. Used by prepare-root.sh (system-check, vm-check) and by
# tests/fleet/run.sh (fleet-check). Writes only under ROOT.
#
#   install-ours.sh ROOT --debs DIR      the .debs from `make deb` (dpkg -i)
#   install-ours.sh ROOT --raw BUILDDIR  build/pam_secstore.so and build/secstore
set -euo pipefail

root=${1:?usage: install-ours.sh ROOT --debs DIR | --raw BUILDDIR}
mode=${2:?usage: install-ours.sh ROOT --debs DIR | --raw BUILDDIR}
from=${3:?usage: install-ours.sh ROOT --debs DIR | --raw BUILDDIR}
multiarch=x86_64-linux-gnu

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

case $mode in
  --debs)
    mapfile -t debs < <(find "$from" -maxdepth 1 -name '*.deb' ! -name '*-dbgsym_*' ! -name '*-dev_*' | sort)
    if [ "${#debs[@]}" -eq 0 ]; then
      echo "install-ours: no .deb in $from (run make deb)" >&2
      exit 2
    fi
    mkdir -p "$root/tmp/debs"
    cp "${debs[@]}" "$root/tmp/debs/"
    echo "install-ours: dpkg -i $(cd "$root/tmp/debs" && echo *.deb)"
    in_root sh -c 'dpkg -i /tmp/debs/*.deb' >"$root/tmp/dpkg-i.log" 2>&1 || {
      cat "$root/tmp/dpkg-i.log" >&2
      exit 2
    }
    rm -rf "$root/tmp/debs"
    ;;
  --raw)
    echo "install-ours: no .debs: copying $from/pam_secstore.so and $from/secstore in"
    install -D -m 0644 "$from/pam_secstore.so" "$root/lib/$multiarch/security/pam_secstore.so"
    install -D -m 0755 "$from/secstore" "$root/usr/bin/secstore"
    if [ -f "$from/secstore-shell" ]; then
      install -D -m 0755 "$from/secstore-shell" "$root/usr/libexec/secstore/secstore-shell"
      in_root setcap all=i /usr/libexec/secstore/secstore-shell
    fi
    ;;
  *) echo "install-ours: unknown mode $mode" >&2; exit 2 ;;
esac
[ -f "$root/lib/$multiarch/security/pam_secstore.so" ] || {
  echo "install-ours: pam_secstore.so did not land in /lib/$multiarch/security" >&2
  exit 2
}
