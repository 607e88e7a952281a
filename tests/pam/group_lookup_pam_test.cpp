// The module asks NSS for a user's supplementary groups (getgrouplist, most
// of a login's cost with nss_systemd) only when something names a group:
// the store's group roles, a `group =` selector, an @group in anonymous=.
// Through the real libpam, with the store as text and compiled.
#include <gtest/gtest.h>
#include <security/pam_appl.h>
#include <unistd.h>

#include <string>

#include "needs_root.hpp"
#include "module/temp_tree.hpp"
#include "pam/nss_probe.hpp"
#include "pam/pam_harness.hpp"
#include "pam/test_users.hpp"
#include "secstore/policy.hpp"

namespace secstore::test {
namespace {

constexpr const char* kStoreWithoutGroups =
    "set roles for named sessions [\"staff\"]\n"
    "set roles for user \"secstore-t-alice\" [\"alice-home\"]\n"
    "set \"staff\" permissions [AUTHENTICATE]\n";
constexpr const char* kStoreWithGroups =
    "set roles for named sessions [\"staff\"]\n"
    "set roles for group \"secstore-t-ops\" [\"operator\"]\n";
constexpr const char* kConfWithoutGroups =
    "Security \"alice\" {\n  user = secstore-t-alice\n  capabilities = \"cap_net_raw=i\"\n}\n";
constexpr const char* kConfWithGroupSelector =
    "Security \"ops\" {\n  group = secstore-t-ops\n  capabilities = \"cap_net_raw=i\"\n}\n";

class GroupLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("the module refuses files not owned by root");
    if (!test_users_ready()) GTEST_SKIP() << "useradd could not create the test users";
    confdir_ = tree_.mkdir("pam.d");
  }

  // Opens a session for alice (a member of secstore-t-ops) and returns how
  // many times the module called getgrouplist.
  int calls_for(const std::string& store_text, const std::string& conf_text, bool compiled = false,
                const std::string& extra = "") {
    const std::string store = tree_.write("Security.store", store_text);
    const std::string conf = tree_.write("secstore.conf", conf_text);
    if (compiled) {
      auto index = compile_policy(PolicyFiles{store, conf, {}}, FileSafety{true});
      EXPECT_TRUE(index.ok());
    }
    write_service(confdir_, "store=" + store + " conf=" + conf + " " + extra);
    const std::string probe = tree_.path("getgrouplist-calls");
    note_getgrouplist_calls_in(probe);
    PamScenario scenario;
    scenario.confdir = confdir_;
    scenario.user = kAlice;
    outcome_ = run_pam(scenario, tree_.path("syslog"));
    note_getgrouplist_calls_in("/dev/null");
    EXPECT_EQ(outcome_.child_error, "");
    EXPECT_EQ(outcome_.open_rc, PAM_SUCCESS) << all_lines(outcome_);
    return getgrouplist_calls_in(probe);
  }

  TempTree tree_;
  std::string confdir_;
  PamOutcome outcome_;
};

TEST_F(GroupLookup, NotAskedWhenNothingNamesAGroup) {
  EXPECT_EQ(calls_for(kStoreWithoutGroups, kConfWithoutGroups), 0);
  EXPECT_EQ(env_value(outcome_, "SECSTORE_ROLES"), "alice-home,staff");
  EXPECT_EQ(outcome_.after_open.inheritable & (1ull << 13), 1ull << 13) << describe(outcome_.after_open);
}

TEST_F(GroupLookup, NotAskedFromACompiledStoreWithoutGroupRoles) {
  EXPECT_EQ(calls_for(kStoreWithoutGroups, kConfWithoutGroups, true), 0);
  EXPECT_EQ(env_value(outcome_, "SECSTORE_ROLES"), "alice-home,staff");
}

TEST_F(GroupLookup, AskedWhenTheStoreHasGroupRoles) {
  EXPECT_GE(calls_for(kStoreWithGroups, kConfWithoutGroups), 1);
  EXPECT_EQ(env_value(outcome_, "SECSTORE_ROLES"), "operator,staff");
}

TEST_F(GroupLookup, AskedWhenACompiledStoreHasGroupRoles) {
  EXPECT_GE(calls_for(kStoreWithGroups, kConfWithoutGroups, true), 1);
  EXPECT_EQ(env_value(outcome_, "SECSTORE_ROLES"), "operator,staff");
}

TEST_F(GroupLookup, AskedWhenAScopeSelectsByGroup) {
  EXPECT_GE(calls_for(kStoreWithoutGroups, kConfWithGroupSelector), 1);
  // The selector matched: alice is in secstore-t-ops only as a supplementary group.
  EXPECT_EQ(outcome_.after_open.inheritable & (1ull << 13), 1ull << 13) << describe(outcome_.after_open);
}

TEST_F(GroupLookup, AskedWhenAnonymousNamesAGroup) {
  EXPECT_GE(calls_for(kStoreWithoutGroups, kConfWithoutGroups, false, "anonymous=@secstore-t-ops"), 1);
  EXPECT_EQ(env_value(outcome_, "SECSTORE_SESSION"), "anonymous");
}

}  // namespace
}  // namespace secstore::test
