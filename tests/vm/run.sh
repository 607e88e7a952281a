#!/bin/bash
# make vm-check: the system-check root booted as a guest under qemu (TCG),
# systemd as init, sshd running. Logs in over SSH (key) and on the serial
# console (login, password), runs a systemd service with PAMName=/User=,
# repeats the chroot matrix inside the guest, and prints the matrix with
# pam_cap beside ours.
#
#   tests/vm/run.sh [bookworm|trixie] --debs build/deb  |  --raw build
#
# Work files in build/vm/DIST/; the root tarball is cached with the
# system-check ones (build/system/cache/).
#
# Bounded: the guest powers itself off (and a watchdog unit forces it), and
# this script kills qemu after VM_TIMEOUT seconds. The guest's network is
# qemu's user mode with restrict=on: no traffic leaves it except the one
# forwarded port, bound to 127.0.0.1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
system=$here/../system
dist=bookworm
case ${1:-} in bookworm | trixie) dist=$1; shift ;; esac
work=${SECSTORE_VM_DIR:-$here/../../build/vm}/$dist
cache=${SECSTORE_SYSTEM_DIR:-$here/../../build/system}/cache
mode=${1:---debs}
from=${2:-$here/../../build/deb}
timeout_s=${VM_TIMEOUT:-1800}
accel=${VM_ACCEL:-tcg,thread=multi}
cpu=${VM_CPU:-max}  # with VM_ACCEL=kvm (not what CI has), VM_CPU=host

if [ "$(id -u)" != 0 ]; then
  echo "vm-check: needs root (chroot, file capabilities in the image)" >&2
  exit 2
fi
for tool in qemu-system-x86_64 mkfs.ext4 ssh ssh-keygen socat expect; do
  command -v "$tool" >/dev/null || { echo "vm-check: $tool is missing (make deps)" >&2; exit 2; }
done
start=$(date +%s)
mkdir -p "$work" "$cache"
work=$(cd "$work" && pwd)
root=$work/root
qemu_pid=""
cleanup() {
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then kill "$qemu_pid"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ the image
tarball=$("$system/build-root.sh" vm "$cache" "$dist")
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
"$system/prepare-root.sh" "$root" "$mode" "$from"
rm -f "$work/id_test" "$work/id_test.pub"
ssh-keygen -q -t ed25519 -N '' -C secstore-vm-test -f "$work/id_test"
"$here/setup-guest.sh" "$root" "$work/id_test.pub"
cp "$root"/boot/vmlinuz-* "$work/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/initrd.img"
rm -f "$work/disk.img"
mkfs.ext4 -q -F -L secstore-root -d "$root" "$work/disk.img" 2G
image_s=$(($(date +%s) - start))
echo "vm-check: image ready in $image_s s"

# ------------------------------------------------------------ boot
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rm -f "$work/serial.sock" "$work/console.log"
boot_start=$(date +%s)
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
  -accel "$accel" -machine q35 -cpu "$cpu" -m 1024 -smp 2 \
  -nographic -no-reboot -monitor none \
  -kernel "$work/vmlinuz" -initrd "$work/initrd.img" \
  -append "root=/dev/vda rw console=ttyS0 panic=-1 quiet" \
  -drive "file=$work/disk.img,if=virtio,format=raw" \
  -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" \
  -device virtio-net-pci,netdev=net0 \
  -chardev "socket,id=serial0,path=$work/serial.sock,server=on,wait=off,logfile=$work/console.log" \
  -serial chardev:serial0 </dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!

ssh_to() {  # user command...
  local user=$1
  shift
  timeout 120 ssh -F /dev/null -i "$work/id_test" -p "$port" -o BatchMode=yes -o ConnectTimeout=10 \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    "$user@127.0.0.1" "$@"
}
wait_for_flag() {  # flag seconds
  local deadline=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$qemu_pid" 2>/dev/null || { echo "vm-check: the guest stopped early" >&2; return 1; }
    ssh_to alice "test -e /run/secstore-test/$1" </dev/null 2>/dev/null && return 0
    sleep 3
  done
  echo "vm-check: no $1 from the guest in $2 s" >&2
  return 1
}

probe=/usr/local/share/secstore-test/probe.sh
cells=$work/cells-host.txt
: >"$cells"
declare -A scenario_of=([alice]=named [bob]=group [root]=root [erin]=inh-only)
status=0
if wait_for_flag ready-ours-plain 900; then
  echo "vm-check: guest up, sshd answering after $(($(date +%s) - boot_start)) s"
  for phase in ours-plain ours-shell pam_cap-plain pam_cap-shell; do
    impl=${phase%-*}
    program=ssh
    [ "${phase#*-}" = shell ] && program=ssh+shell
    wait_for_flag "ready-$phase" 600 || { status=1; break; }
    users="alice bob root"
    # erin's login shell is secstore-shell in every phase (vm-driver.sh).
    [ "$program" = ssh+shell ] && users+=" erin"
    for user in $users; do
      line=$(ssh_to "$user" ". $probe" </dev/null 2>&1 | grep -oE 'PROBE .* END' || true)
      echo "CELL $impl ${scenario_of[$user]} $program ${line:-REFUSED no probe line}" >>"$cells"
    done
    if [ "$program" = ssh ]; then
      expect -f "$here/files/console.exp" "$work/serial.sock" "$probe" \
        alice:alice-pw bob:bob-pw root:root-pw | tr -d '\r' | while read -r _ user rest; do
        echo "CELL $impl ${scenario_of[$user]} console-login ${rest/#FAILED/REFUSED}" >>"$cells"
      done
    fi
    ssh_to alice "touch /run/secstore-test/done-$phase" </dev/null || { status=1; break; }
  done
  wait_for_flag finished 300 || status=1
  ssh_to alice "cat /var/lib/secstore-test/cells.txt" </dev/null >"$work/cells-guest.txt" || status=1
  ssh_to alice "cat /var/lib/secstore-test/index.txt" </dev/null >"$work/index.txt" 2>&1 || status=1
  ssh_to alice "cat /var/lib/secstore-test/getcap.txt /var/lib/secstore-test/driver.log" </dev/null \
    >"$work/guest-notes.txt" 2>&1 || true
  baseline=$(ssh_to alice "awk '/^CapBnd:/ { print \$2 }' /proc/1/status" </dev/null) || status=1
  ssh_to alice "touch /run/secstore-test/collected" </dev/null || true
else
  status=1
fi

# ------------------------------------------------------------ power-off
# A guest that completed powers itself off; one that did not is stopped.
if [ "$status" != 0 ] && kill -0 "$qemu_pid" 2>/dev/null; then kill "$qemu_pid"; fi
if [ -n "$qemu_pid" ]; then
  wait "$qemu_pid" || true
  qemu_pid=""
fi
total_s=$(($(date +%s) - start))
echo "vm-check: guest powered off; $total_s s in all ($(($(date +%s) - boot_start)) s booted)"
if [ "$status" != 0 ]; then
  echo "vm-check: the guest run did not complete; see $work/console.log and $work/qemu.log" >&2
  tail -n 30 "$work/console.log" >&2 || true
  echo "0 passed, 1 failed"
  exit 1
fi
grep -h '^Security\|secstore-shell\|^driver' "$work/guest-notes.txt" | head -n 3 | sed 's/^/guest: /'
cat "$work/cells-guest.txt" "$cells" >"$work/cells.txt"
cat "$system/expected.txt" $(ls "$system/expected-$dist.txt" 2>/dev/null) \
  "$here/expected-vm.txt" $(ls "$here/expected-vm-$dist.txt" 2>/dev/null) >"$work/expected.txt"
echo
echo "Login programs x scenarios in the booted $("$system/release-name.sh" "$root") guest (CapBnd 'all' = $baseline there)"
echo "$("$system/release-name.sh" "$root" --versions)"
echo
# The package's secstore-compile.path recompiles the index after a hand edit.
echo
sed 's/^/guest: /' "$work/index.txt"
index_ok=0
grep -q '^INDEX compiled' "$work/index.txt" || index_ok=1
rc=0
"$system/render.sh" "$work/cells.txt" "$work/expected.txt" "$baseline" "$root" || rc=$?
if [ "$index_ok" != 0 ]; then
  echo "vm-check: FAIL: the compiled policy was not recompiled after a hand edit (see above)"
  exit 1
fi
exit "$rc"
