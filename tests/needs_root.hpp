// The one way a test says it needs root, shared by every suite (unit,
// module, pam, cli, capi).
//
// Debian's build daemons run `make check` as an ordinary user
// (dpkg-buildpackage with Rules-Requires-Root: no), where files a test writes
// are not owned by root, so pam_secstore and `secstore check` rightly call
// them unsafe, and nothing may change capabilities, chroot or other users'
// files. A test that depends on any of that starts with
//
//   SECSTORE_NEEDS_ROOT("the module accepts only root-owned files");
//
// and is then reported as skipped, with that reason, instead of failing.
// The same tests run as root in CI (`make check`) and in the autopkgtest
// `root-tests` (debian/tests/control, needs-root).
//
// A macro, not a function: GTEST_SKIP() must return from the test body (or
// SetUp) itself.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#define SECSTORE_NEEDS_ROOT(why)                                   \
  do {                                                             \
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: " << (why); \
  } while (0)
