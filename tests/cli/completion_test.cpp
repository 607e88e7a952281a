// The bash completion (conf/bash-completion/secstore) in a real bash with
// bash-completion loaded, against the built command: subcommands, each
// subcommand's options (from its --help), permission names for `can`, and
// the users the store gives roles to.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kBashCompletion = "/usr/share/bash-completion/bash_completion";

// What bash offers for the words typed so far (the last one is completed).
std::string complete(const std::string& words) {
  TempDir dir;
  const std::string script = dir.write(
      "complete.sh",
      std::string("source ") + kBashCompletion + "\nsource " + source_path("conf/bash-completion/secstore") +
          "\nCOMP_WORDS=(" + words + ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\nCOMP_LINE=\"${COMP_WORDS[*]}\"\n"
          "COMP_POINT=${#COMP_LINE}\n_secstore\nprintf '%s\\n' \"${COMPREPLY[@]}\" | sort\n");
  const std::string build = SECSTORE_BUILD_DIR;
  const std::string command = "PATH=" + build + ":$PATH LD_LIBRARY_PATH=" + build + " bash " + script + " 2>&1";
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

class Completion : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kBashCompletion)) GTEST_SKIP() << "bash-completion is not installed";
  }
};

TEST_F(Completion, Subcommands) {
  EXPECT_EQ(complete("secstore ch"), "check\n");
  const std::string all = complete("secstore ''");
  for (const char* c : {"check\n", "edit\n", "explain\n", "can\n", "apply\n", "dump\n", "compile\n", "--version\n"})
    EXPECT_THAT(all, HasSubstr(c));
}

TEST_F(Completion, EachSubcommandsOwnOptions) {
  EXPECT_EQ(complete("secstore apply --dr"), "--dry-run\n");
  EXPECT_EQ(complete("secstore can --q"), "--quiet\n");
  EXPECT_THAT(complete("secstore check --"), HasSubstr("--pam\n"));
  EXPECT_THAT(complete("secstore check --"), Not(HasSubstr("--json")));
}

TEST_F(Completion, PermissionNamesForCan) {
  EXPECT_EQ(complete("secstore can --user alice READ_T"), "READ_TOPIC\nREAD_TOPIC_VIEWS\n");
  EXPECT_EQ(complete("secstore can --user alice CONTROL"), "CONTROL_SERVER\n");
}

TEST_F(Completion, UsersAndGroupsTheStoreNames) {
  TempDir dir;
  const std::string store = dir.write("Security.store",
                                      "set roles for user \"web-deploy-zz\" [\"A\"]\n"
                                      "set roles for group \"netops-zz\" [\"A\"]\n");
  EXPECT_EQ(complete("secstore explain --store " + store + " --user web-dep"), "web-deploy-zz\n");
  EXPECT_EQ(complete("secstore explain --store " + store + " --user alice --groups users,netops"), "users,netops-zz\n");
}

// Root presses TAB, and the names come from a store (which others may have
// written) and the directory: a name is offered as it is, never run.
TEST_F(Completion, ANameIsNeverExpanded) {
  TempDir dir;
  const std::string ran = dir.path() + "/RAN";
  const std::string store = dir.write("Security.store",
                                      "set roles for user \"$(touch " + ran + ")x\" [\"A\"]\n"
                                      "set roles for user \"`touch " + ran + "`y\" [\"A\"]\n"
                                      "set roles for group \"*\" [\"A\"]\n");
  const std::string users = complete("secstore explain --store " + store + " --user ''");
  // Offered quoted, so that taking one does not run it either.
  EXPECT_THAT(users, HasSubstr("\\$\\(touch\\ " + ran + "\\)x\n"));
  EXPECT_THAT(users, HasSubstr("\\`touch\\ " + ran + "\\`y\n"));
  EXPECT_THAT(complete("secstore explain --store " + store + " --user alice --groups ''"), HasSubstr("\\*\n"));
  EXPECT_FALSE(std::filesystem::exists(ran)) << "completion ran a command found in a name";
}

}  // namespace
}  // namespace secstore_test
