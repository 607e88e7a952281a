// What the shared objects export: the module only PAM's entry points, the
// library exactly what debian/libsecstore1.symbols says. A symbol that drifts
// is caught here in seconds instead of at the end of a package build.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "capi/run_shell.hpp"

namespace {

using secstore_test::run_shell;
using Output = secstore_test::ShellOutput;

bool have(const char* program) {
  return run_shell(std::string("command -v ") + program + " >/dev/null").status == 0;
}

const std::string build = SECSTORE_BUILD_DIR;
const std::string source = SECSTORE_SOURCE_DIR;

}  // namespace

// authenticate, setcred, acct_mgmt, open_session, close_session: no chauthtok.
TEST(Exports, TheModuleExportsOnlyPamEntryPoints) {
  if (!have("nm")) GTEST_SKIP() << "nm (binutils) is not installed";
  Output nm = run_shell("nm -D --defined-only " + build + "/pam_secstore.so");
  ASSERT_EQ(nm.status, 0) << nm.text;
  std::istringstream lines(nm.text);
  std::string line;
  int entry_points = 0;
  while (std::getline(lines, line)) {
    std::string name = line.substr(line.rfind(' ') + 1);
    EXPECT_EQ(name.rfind("pam_sm_", 0), 0U) << "pam_secstore.so exports " << name;
    ++entry_points;
  }
  EXPECT_EQ(entry_points, 5) << nm.text;
}

TEST(Exports, TheSymbolsFileMatchesTheLibrary) {
  if (!have("dpkg-gensymbols") || !have("c++filt")) GTEST_SKIP() << "dpkg-dev or binutils is not installed";
  Output check = run_shell("cd " + source + " && debian/update-symbols --check " + build + "/libsecstore.so.1.0.0");
  EXPECT_EQ(check.status, 0) << check.text;
}
