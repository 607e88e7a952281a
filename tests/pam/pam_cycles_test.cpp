// SPEC §7 reliability: thousands of session open/close cycles through the
// real libpam leak neither file descriptors nor memory.
#include <dirent.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <security/pam_appl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "needs_root.hpp"
#include "module/child_process.hpp"
#include "module/temp_tree.hpp"
#include "pam/pam_harness.hpp"
#include "pam/test_users.hpp"

namespace secstore::test {
namespace {

int open_descriptors() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
  }
  return n;
}

int refuse_conversation(int, const struct pam_message**, struct pam_response**, void*) {
  return PAM_CONV_ERR;
}

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(SECSTORE_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One whole transaction, as a login program makes it; returns open's code.
int one_session(const std::string& confdir, const char* user) {
  struct pam_conv conv = {refuse_conversation, nullptr};
  pam_handle_t* pamh = nullptr;
  if (pam_start_confdir("secstore-test", user, &conv, confdir.c_str(), &pamh) != PAM_SUCCESS) return -1;
  int rc = pam_open_session(pamh, 0);
  if (rc == PAM_SUCCESS) pam_close_session(pamh, 0);
  pam_end(pamh, rc);
  return rc;
}

TEST(PamCycles, ThousandsOfSessionsLeakNoDescriptorsOrMemory) {
  SECSTORE_NEEDS_ROOT("the module accepts only root-owned files");
  if (!test_users_ready()) GTEST_SKIP() << "useradd could not create the test users";
  TempTree tree;
  std::string store = tree.write("Security.store", read_source("tests/data/pam/Security.store"));
  std::string conf = tree.write("secstore.conf", read_source("tests/data/pam/secstore.conf"));
  std::string confdir = tree.mkdir("pam.d");
  write_service(confdir, "store=" + store + " conf=" + conf + " require=VIEW_SERVER");

  auto child = run_in_child([&] {
    // Warm up: the first cycles load libraries and fill caches for good.
    for (int i = 0; i < 50; ++i) one_session(confdir, kAlice);
    secstore::testing::clear_captured_syslog();
    int fds_before = open_descriptors();
    size_t heap_before = mallinfo2().uordblks;
    int failures = 0, denials = 0;
    for (int i = 0; i < 1000; ++i) {
      if (one_session(confdir, kAlice) != PAM_SUCCESS) ++failures;
      if (one_session(confdir, kBob) != PAM_PERM_DENIED) ++denials;  // the error path too
      // The test binary keeps every captured syslog line in memory: not ours to count.
      secstore::testing::clear_captured_syslog();
    }
    std::ostringstream out;
    out << failures << ' ' << denials << ' ' << open_descriptors() - fds_before << ' '
        << static_cast<long long>(mallinfo2().uordblks) - static_cast<long long>(heap_before);
    return out.str();
  });
  ASSERT_EQ(child.exit_status, 0);
  std::istringstream in(child.report);
  int failures = -1, unexpected = -1, fd_growth = -1;
  long long heap_growth = -1;
  in >> failures >> unexpected >> fd_growth >> heap_growth;
  EXPECT_EQ(failures, 0) << "alice's sessions must open";
  EXPECT_EQ(unexpected, 0) << "bob's sessions must be denied";
  EXPECT_EQ(fd_growth, 0) << "file descriptors leaked over 2000 transactions";
  // 2000 transactions: even 8 bytes lost each would show as 16 KiB.
  EXPECT_LT(heap_growth, 16 * 1024) << "heap grew by " << heap_growth << " bytes";
}

}  // namespace
}  // namespace secstore::test
