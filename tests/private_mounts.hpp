// The one way a test process gets mounts of its own (a private /etc/passwd,
// /etc/security, /dev/log): a new mount namespace whose mounts, "/" first,
// are private, so that nothing it mounts reaches the host.
//
// Some testbeds cannot give that: autopkgtest's unshare backend runs the
// tests chrooted into a directory that is not a mount point, and the kernel
// refuses to change the propagation of "/" there (EINVAL). A test that needs
// private mounts starts with
//
//   SECSTORE_NEEDS_PRIVATE_MOUNTS("a private /etc/passwd");
//
// and is skipped with the reason on such a testbed; the host's `make
// check`, system-check and vm-check run it.
#pragma once

#include <gtest/gtest.h>
#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

namespace secstore_test {

// In the calling process: a mount namespace of its own with "/" private.
inline bool enter_private_mount_namespace() {
  return ::unshare(CLONE_NEWNS) == 0 && ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
}

// Whether enter_private_mount_namespace() works here, tried in a child.
inline bool private_mounts_available() {
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) ::_exit(enter_private_mount_namespace() ? 0 : 1);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace secstore_test

// Also needs root: only root may unshare a mount namespace here.
#define SECSTORE_NEEDS_PRIVATE_MOUNTS(why)                                                         \
  do {                                                                                             \
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: " << (why);                                 \
    if (!::secstore_test::private_mounts_available())                                              \
      GTEST_SKIP() << "needs a private mount namespace (" << (why)                                 \
                   << "): \"/\" cannot be made private here (a chroot whose root is no mount point)"; \
  } while (0)
