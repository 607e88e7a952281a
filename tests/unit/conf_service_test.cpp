// Per-service override (SPEC §3): DIR/secstore.d/SERVICE.conf replaces the
// main file's Security scopes for that PAM service.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>

#include "needs_root.hpp"
#include "conf_test_support.hpp"

namespace secstore::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

SessionSubject alice() { return subject_of("alice", 1000); }

std::vector<std::string> matched_names(const Outcome<Config>& conf) {
  std::vector<std::string> names;
  if (!conf.ok()) return {"(load failed: " + first_error(conf) + ")"};
  auto plan = plan_for(*conf.value, alice());
  if (plan.ok())
    for (const auto& s : plan.value->matched) names.push_back(s.name);
  return names;
}

class ConfService : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("secstore.conf", "Security \"main\" { capabilities = \"cap_net_raw+ep\" }\n");
    dir.write("secstore.d/sshd.conf",
              "Security \"sshd\" { capabilities = \"cap_net_bind_service+ep\" }\n");
  }
  ConfTempDir dir;
};

TEST_F(ConfService, OverrideReplacesTheMainScopes) {
  auto conf = Config::load_for_service(dir / "secstore.conf", "sshd", test_safety());
  EXPECT_THAT(matched_names(conf), ElementsAre("sshd"));
  EXPECT_EQ(plan_for(*conf.value, alice()).value->caps.ambient, cap_bit(CAP_NET_BIND_SERVICE));
  EXPECT_THAT(files_read(*conf.value), ElementsAre(dir / "secstore.conf", dir / "secstore.d/sshd.conf"));
}

TEST_F(ConfService, ServiceWithoutOverrideUsesTheMainFile) {
  EXPECT_THAT(matched_names(Config::load_for_service(dir / "secstore.conf", "login", test_safety())),
              ElementsAre("main"));
  EXPECT_THAT(matched_names(Config::load_for_service(dir / "secstore.conf", "", test_safety())),
              ElementsAre("main"));
}

TEST_F(ConfService, MainFileMustStillParse) {
  dir.write("secstore.conf", "Security {\n  bogus = 1\n}\n");
  auto conf = Config::load_for_service(dir / "secstore.conf", "sshd", test_safety());
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("secstore.conf:2:3: error: unknown option"));
}

TEST_F(ConfService, ErrorInTheOverrideIsAnError) {
  dir.write("secstore.d/sshd.conf", "Security {\n  capabilities = \"cap_nonsense+ep\"\n}\n");
  auto conf = Config::load_for_service(dir / "secstore.conf", "sshd", test_safety());
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("secstore.d/sshd.conf:2:18: error:"));
  EXPECT_THAT(first_error(conf), HasSubstr("cap_nonsense"));
}

TEST_F(ConfService, OverrideIncludesResolveAgainstSecstoreD) {
  dir.write("secstore.d/common.inc", "Security \"common\" { }\n");
  dir.write("secstore.d/su.conf", "include \"common.inc\"\n");
  EXPECT_THAT(matched_names(Config::load_for_service(dir / "secstore.conf", "su", test_safety())),
              ElementsAre("common"));
}

TEST_F(ConfService, NamesThatAreNotFileNamesAreRefused) {
  dir.write("evil.conf", "Security \"evil\" { }\n");
  for (const char* service : {"../evil", "a/b", ".hidden", ".."}) {
    auto conf = Config::load_for_service(dir / "secstore.conf", service, test_safety());
    EXPECT_FALSE(conf.ok()) << service;
    EXPECT_THAT(first_error(conf), HasSubstr("cannot name a file")) << service;
  }
}

TEST_F(ConfService, UnsafeOverrideIsRefused) {
  SECSTORE_NEEDS_ROOT("the files it writes must be owned by root");
  dir.write("secstore.d/sshd.conf", "Security \"sshd\" { }\n", 0646);
  auto conf = Config::load_for_service(dir / "secstore.conf", "sshd", FileSafety{true});
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("unsafe"));
}

TEST_F(ConfService, AWritableOverrideDirectoryIsRefused) {
  // Whoever can write secstore.d can plant an override for any service
  // (here one that would give root back its whole bounding set).
  SECSTORE_NEEDS_ROOT("to own the files it writes");
  dir.mkdir("secstore.d", 0777);
  for (const char* service : {"sshd", "login"}) {
    auto conf = Config::load_for_service(dir / "secstore.conf", service, FileSafety{true});
    ASSERT_FALSE(conf.ok()) << service;
    EXPECT_EQ(first_error(conf), dir / "secstore.d" + ": error: refusing an unsafe directory: it is writable by "
                                                       "others (mode 0777)");
  }
}

TEST_F(ConfService, AMainFileInAWritableDirectoryIsRefused) {
  SECSTORE_NEEDS_ROOT("to own the files it writes");
  ::chmod(dir.path().c_str(), 0777);
  auto conf = Config::load_for_service(dir / "secstore.conf", "sshd", FileSafety{true});
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("refusing an unsafe file: its directory " + dir.path() +
                                           " is writable by others (mode 0777)"));
}

}  // namespace
}  // namespace secstore::test
