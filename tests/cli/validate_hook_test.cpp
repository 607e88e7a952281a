// `secstore check --store %s` / `--conf %s` as configuration management runs
// it (Ansible's `validate`, Puppet's `validate_cmd`, Salt's `check_cmd`):
// the new content goes to a temporary file the tool makes (mode 0600, in its
// own temporary directory, beside the target, or owned by the login user),
// the hook runs on that file, and the file is renamed over the target only
// when the hook exits 0. The hook judges the content: 0 for a good file, 1
// with file:line:col for a typo, never 2 for what the host lacks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "needs_root.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kOldStore = "set \"A\" permissions [VIEW_SERVER]\n";
constexpr const char* kNewStore =
    "set \"A\" permissions [VIEW_SERVER]\n"
    "set roles for user \"alice\" [\"A\"]\n";
constexpr const char* kTypoStore =
    "set \"A\" permissions [VIEW_SERVER]\n"
    "set roles for usr \"alice\" [\"A\"]\n";

struct Deployed {
  CommandResult hook;
  std::string staged;  // the temporary file the hook was run on
};

// What the tools do: stage `text` in `staging` (mode 0600, like mkstemp),
// run the hook with %s replaced by the staged file, rename it over `target`
// on exit 0 and delete it otherwise.
Deployed deploy(const std::string& option, const std::string& text, const std::string& staging,
                const std::string& target) {
  Deployed d;
  d.staged = staging + "/.secstore-tmp-source";
  {
    std::FILE* f = std::fopen(d.staged.c_str(), "w");
    if (f == nullptr) throw std::runtime_error("cannot stage " + d.staged);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  ::chmod(d.staged.c_str(), 0600);
  d.hook = run_secstore({"check", option, d.staged});
  if (d.hook.exit_code == 0)
    std::filesystem::rename(d.staged, target);
  else
    std::filesystem::remove(d.staged);
  return d;
}

class ValidateHook : public ::testing::Test {
 protected:
  void SetUp() override {
    ::chmod(etc.path().c_str(), 0755);
    target = etc.write("Security.store", kOldStore);
  }
  TempDir etc;      // where the target lives (/etc/security on a host)
  TempDir staging;  // the tool's temporary directory (Ansible's ~/.ansible/tmp, Salt's /tmp)
  std::string target;
};

TEST_F(ValidateHook, AGoodStoreIsInstalled) {
  auto d = deploy("--store", kNewStore, staging.path(), target);
  EXPECT_EQ(d.hook.exit_code, 0) << d.hook.err;
  // Not root's when the tests run as another user: then a warning too.
  EXPECT_THAT(d.hook.out, StartsWith(d.staged + ": ok"));
  EXPECT_EQ(read_text(target), kNewStore);
}

TEST_F(ValidateHook, ATypoIsRefusedWithItsLineAndTheTargetIsUnchanged) {
  auto d = deploy("--store", kTypoStore, staging.path(), target);
  EXPECT_EQ(d.hook.exit_code, 1);
  EXPECT_THAT(d.hook.err, HasSubstr(d.staged + ":2:15: error: "));
  EXPECT_THAT(d.hook.err, HasSubstr("usr"));
  EXPECT_THAT(d.hook.out, StartsWith(d.staged + ": invalid, 1 error"));
  EXPECT_EQ(read_text(target), kOldStore);
}

TEST_F(ValidateHook, AFileStagedBesideTheTargetIsJudgedAlone) {
  // Puppet's temporary file is in the target's directory: the store's
  // drop-ins are Security.store.d/, not the temporary file's.
  etc.write("Security.store.d/host.store", "set roles for user \"bob\" [\"A\"]\n");
  auto d = deploy("--store", kNewStore, etc.path(), target);
  EXPECT_EQ(d.hook.exit_code, 0) << d.hook.err;
  EXPECT_EQ(read_text(target), kNewStore);
}

TEST_F(ValidateHook, AConfigurationIsJudgedTheSameWay) {
  const std::string conf = etc.write("secstore.conf", "");
  auto bad = deploy("--conf", "Security {\n  usr = alice\n}\n", staging.path(), conf);
  EXPECT_EQ(bad.hook.exit_code, 1);
  EXPECT_THAT(bad.hook.err, HasSubstr(bad.staged + ":2:3: error: unknown option \"usr\""));
  EXPECT_EQ(read_text(conf), "");
  const std::string good = "Security {\n  user = alice\n  capabilities = \"^cap_net_bind_service\"\n}\n";
  auto ok = deploy("--conf", good, staging.path(), conf);
  EXPECT_EQ(ok.hook.exit_code, 0) << ok.hook.err;
  EXPECT_EQ(read_text(conf), good);
}

TEST_F(ValidateHook, AHostWithoutTheInstalledConfigurationStillJudgesTheStore) {
  // The first run on a new host: the store arrives before secstore.conf.
  if (::access(SECSTORE_DEFAULT_CONF, F_OK) == 0)
    GTEST_SKIP() << "this host has " << SECSTORE_DEFAULT_CONF << "; the case is a host without one";
  auto d = deploy("--store", kNewStore, staging.path(), target);
  EXPECT_EQ(d.hook.exit_code, 0) << d.hook.err;
  EXPECT_THAT(d.hook.out, StartsWith(d.staged + ": ok"));
  EXPECT_THAT(d.hook.out, Not(HasSubstr("secstore.conf")));
  EXPECT_EQ(read_text(target), kNewStore);
  auto typo = deploy("--store", kTypoStore, staging.path(), target);
  EXPECT_EQ(typo.hook.exit_code, 1);
  EXPECT_EQ(read_text(target), kNewStore);
}

TEST_F(ValidateHook, AFileTheLoginUserStagedIsJudgedOnItsContent) {
  // Ansible with `become` stages the file in the login user's
  // ~/.ansible/tmp, owned by that user: where the file is now says nothing
  // of the root-owned file it becomes, so that is a warning, not a refusal.
  SECSTORE_NEEDS_ROOT("stages the file as another user");
  const std::string home = staging.path() + "/home";
  std::filesystem::create_directories(home + "/.ansible/tmp");
  for (const auto& p : {home, home + "/.ansible", home + "/.ansible/tmp"}) ASSERT_EQ(::chown(p.c_str(), 65534, 65534), 0);
  auto d = deploy("--store", kNewStore, home + "/.ansible/tmp", target);
  EXPECT_EQ(d.hook.exit_code, 0) << d.hook.err;
  EXPECT_THAT(d.hook.err, HasSubstr(d.staged + ": warning: pam_secstore would refuse this file: its directory " + home +
                                    " is owned by uid 65534, not by root"));
  EXPECT_EQ(read_text(target), kNewStore);
  auto typo = deploy("--store", kTypoStore, home + "/.ansible/tmp", target);
  EXPECT_EQ(typo.hook.exit_code, 1);
  EXPECT_THAT(typo.hook.err, HasSubstr(typo.staged + ":2:15: error: "));
  EXPECT_EQ(read_text(target), kNewStore);
}

}  // namespace
}  // namespace secstore_test
