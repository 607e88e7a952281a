#!/bin/bash
# Names the Debian release of a test root, or (--versions) the versions of
# the programs and the peer that the matrix runs in it.
#
#   release-name.sh ROOT [--versions]
set -euo pipefail
root=${1:?usage: release-name.sh ROOT [--versions]}
if [ "${2:-}" != --versions ]; then
  major=$(cut -d. -f1 "$root/etc/debian_version")
  case $major in
    12) echo "Debian 12 (bookworm)" ;;
    13) echo "Debian 13 (trixie)" ;;
    *) echo "Debian $(cat "$root/etc/debian_version")" ;;
  esac
  exit 0
fi
line=""
for pkg in util-linux sudo sudo-rs cron openssh-server systemd libpam-cap libpam0g; do
  version=$(chroot "$root" dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
  [ -n "$version" ] && line+="${line:+, }$pkg $version"
done
echo "$line"
