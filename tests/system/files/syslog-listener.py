#!/usr/bin/python3
"""A /dev/log for the chroot: binds a unix datagram socket at the given path
and appends every message to the log file, one per line, until killed.

The chroot has no syslog daemon; this lets the test see the one line the
module promises to log when it refuses a session (SPEC 4.5)."""
import os
import socket
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: syslog-listener.py SOCKET_PATH LOG_FILE", file=sys.stderr)
        return 2
    socket_path, log_path = sys.argv[1], sys.argv[2]
    if os.path.lexists(socket_path):
        os.unlink(socket_path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(socket_path)
    os.chmod(socket_path, 0o666)
    with open(log_path, "a", buffering=1, encoding="utf-8", errors="replace") as log:
        print("ready", file=log)
        while True:
            data = sock.recv(65536)
            log.write(data.decode("utf-8", "replace").rstrip("\n\0") + "\n")


if __name__ == "__main__":
    sys.exit(main())
