// pam_secstore.so through the real libpam (pam_start_confdir with a private
// service directory): what a login program and its user would see.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <security/pam_appl.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "needs_root.hpp"
#include "module/temp_tree.hpp"
#include "pam/pam_harness.hpp"
#include "pam/test_users.hpp"

namespace secstore::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }

class RealPam : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("the module refuses files not owned by root and changes capabilities");
    if (!test_users_ready()) GTEST_SKIP() << "useradd could not create the test users";
    store_ = tree_.write("Security.store", read_source("tests/data/pam/Security.store"));
    conf_ = tree_.write("secstore.conf", read_source("tests/data/pam/secstore.conf"));
    confdir_ = tree_.mkdir("pam.d");
  }

  PamOutcome run(std::optional<std::string> user, const std::string& extra = "",
                 PamScenario scenario = {}) {
    write_service(confdir_, "store=" + store_ + " conf=" + conf_ + " " + extra);
    scenario.confdir = confdir_;
    scenario.user = std::move(user);
    PamOutcome o = run_pam(scenario, tree_.path("syslog"));
    EXPECT_EQ(o.child_error, "");
    return o;
  }
  // Opens, then setuid to the user and pam_end(PAM_DATA_SILENT) as su does.
  PamOutcome login(const std::string& user, const std::string& extra = "") {
    PamScenario scenario;
    scenario.setuid_to = uid_of(user);
    return run(user, extra, scenario);
  }

  // SPEC §4.5: the session failed, nothing changed, one line said why.
  void expect_refused(const PamOutcome& o, int rc, int level, const std::string& says) {
    EXPECT_EQ(o.open_rc, rc) << pam_strerror(nullptr, o.open_rc);
    EXPECT_EQ(o.after_open, o.before) << "the process changed although the session failed";
    EXPECT_FALSE(env_value(o, "SECSTORE_SESSION"));
    EXPECT_FALSE(env_value(o, "SECSTORE_ROLES"));
    ASSERT_EQ(o.lines.size(), 1u) << "expected exactly one syslog line, got:\n" << all_lines(o);
    EXPECT_EQ(o.lines[0].facility, LOG_AUTHPRIV);
    EXPECT_EQ(o.lines[0].level, level);
    EXPECT_THAT(o.lines[0].text, StartsWith("pam_secstore(secstore-test:session): "));
    EXPECT_THAT(o.lines[0].text, HasSubstr(says));
  }

  TempTree tree_;
  std::string store_, conf_, confdir_;
};

TEST_F(RealPam, AnOperatorsShellGetsTheAmbientCapability) {
  PamOutcome o = login(kAlice);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(env_value(o, "SECSTORE_SESSION"), "named");
  EXPECT_EQ(env_value(o, "SECSTORE_ROLES"), "alice-home,operator,staff,viewer");
  // At open: inheritable raised (ambient via the +ep scope, cap_net_raw via the
  // role scope), ambient waits for the child, keep-caps is set.
  EXPECT_EQ(o.after_open.inheritable, bit(CAP_NET_BIND_SERVICE) | bit(CAP_NET_RAW));
  EXPECT_EQ(o.after_open.ambient, 0u);
  EXPECT_EQ(o.after_open.keepcaps, 1);
  ASSERT_TRUE(o.after_end);
  EXPECT_EQ(o.after_end->ambient, bit(CAP_NET_BIND_SERVICE)) << describe(*o.after_end);
  EXPECT_EQ(o.after_end->inheritable, bit(CAP_NET_BIND_SERVICE) | bit(CAP_NET_RAW));
  EXPECT_EQ(o.after_end->keepcaps, 0);
  // And what the user's programs see: permitted and effective through ambient.
  ASSERT_TRUE(o.shell);
  EXPECT_EQ(o.shell->ambient, bit(CAP_NET_BIND_SERVICE)) << describe(*o.shell);
  EXPECT_EQ(o.shell->effective, bit(CAP_NET_BIND_SERVICE)) << describe(*o.shell);
  EXPECT_EQ(o.shell->permitted, bit(CAP_NET_BIND_SERVICE)) << describe(*o.shell);
  ASSERT_EQ(o.lines.size(), 1u) << all_lines(o);
  EXPECT_EQ(o.lines[0].level, LOG_INFO);
  EXPECT_THAT(o.lines[0].text,
              StartsWith("pam_secstore(secstore-test:session): session opened for user \"secstore-t-alice\""));
}

TEST_F(RealPam, AUserOutsideTheGroupsGetsOnlyItsOwnScope) {
  PamOutcome o = login(kBob);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(env_value(o, "SECSTORE_ROLES"), "staff");
  EXPECT_EQ(o.after_open.inheritable, 0u);
  EXPECT_EQ(o.after_open.bounding & bit(CAP_SYS_MODULE), 0u) << "bob's scope drops cap_sys_module";
  EXPECT_EQ(o.after_open.bounding | bit(CAP_SYS_MODULE), o.before.bounding);
  ASSERT_TRUE(o.after_end);
  EXPECT_EQ(o.after_end->ambient, 0u);
  ASSERT_TRUE(o.shell);
  EXPECT_EQ(o.shell->effective, 0u) << describe(*o.shell);
  EXPECT_EQ(o.shell->bounding & bit(CAP_SYS_MODULE), 0u) << "the drop reaches bob's programs";
}

TEST_F(RealPam, ASessionWithNoUserIsAnonymous) {
  PamOutcome o = run(std::nullopt);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(env_value(o, "SECSTORE_SESSION"), "anonymous");
  EXPECT_EQ(env_value(o, "SECSTORE_ROLES"), "guest");
  EXPECT_EQ(o.after_open, o.before) << "no scope applies to anonymous sessions";
}

TEST_F(RealPam, MembersOfAnAnonymousGroupAreAnonymous) {
  PamOutcome o = run(std::string(kBob), std::string("anonymous=guest,@") + kGuestsGroup);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(env_value(o, "SECSTORE_SESSION"), "anonymous");
  EXPECT_EQ(env_value(o, "SECSTORE_ROLES"), "guest");
  // Roles follow the session (guest only), but a `user =` scope follows the
  // Unix user whose process this is (lib/src/session.cpp): bob's sessions
  // never get cap_sys_module back, named or not.
  EXPECT_EQ(o.after_open.bounding & bit(CAP_SYS_MODULE), 0u);
}

TEST_F(RealPam, NoenvKeepsThePamEnvironmentClean) {
  PamOutcome o = run(std::string(kAlice), "noenv");
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_FALSE(env_value(o, "SECSTORE_SESSION"));
  EXPECT_FALSE(env_value(o, "SECSTORE_ROLES"));
}

TEST_F(RealPam, RequireLetsAnOperatorIn) {
  PamScenario scenario;
  scenario.account = true;
  PamOutcome o = run(std::string(kAlice), "require=CONTROL_SERVER", scenario);
  EXPECT_EQ(o.account_rc, PAM_SUCCESS);
  EXPECT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
}

TEST_F(RealPam, RequireKeepsOthersOutWithOneNotice) {
  PamOutcome o = run(std::string(kBob), "require=CONTROL_SERVER");
  expect_refused(o, PAM_PERM_DENIED, LOG_NOTICE,
                 "user \"secstore-t-bob\" denied: the session (roles staff) lacks CONTROL_SERVER");
}

TEST_F(RealPam, TheAccountStackDeniesWithoutTouchingTheProcess) {
  PamScenario scenario;
  scenario.account = true;
  scenario.open = false;
  PamOutcome o = run(std::string(kBob), "require=CONTROL_SERVER", scenario);
  EXPECT_EQ(o.account_rc, PAM_PERM_DENIED);
  EXPECT_EQ(o.after_open, o.before);
  ASSERT_EQ(o.lines.size(), 1u) << all_lines(o);
  EXPECT_EQ(o.lines[0].level, LOG_NOTICE);
  EXPECT_THAT(o.lines[0].text, StartsWith("pam_secstore(secstore-test:account): "));
}

TEST_F(RealPam, RequirePathFollowsRoleInheritance) {
  PamOutcome o = run(std::string(kAlice), "require_path=net/eth0:READ_TOPIC require_path=home/alice:UPDATE_TOPIC");
  EXPECT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  PamOutcome denied = run(std::string(kBob), "require_path=net/eth0:READ_TOPIC");
  expect_refused(denied, PAM_PERM_DENIED, LOG_NOTICE,
                 "lacks READ_TOPIC on path \"net/eth0\"");
}

TEST_F(RealPam, AMissingStoreFailsTheSession) {
  ::unlink(store_.c_str());
  expect_refused(run(std::string(kAlice)), PAM_SESSION_ERR, LOG_ALERT,
                 store_ + ": error: cannot open the file: No such file or directory");
}

TEST_F(RealPam, AStoreThatIsADirectoryFailsTheSession) {
  ::unlink(store_.c_str());
  tree_.mkdir("Security.store");
  expect_refused(run(std::string(kAlice)), PAM_SESSION_ERR, LOG_ALERT,
                 store_ + ": error: expected a regular file, found a directory");
}

TEST_F(RealPam, AMalformedStoreFailsTheSessionNamingTheLine) {
  tree_.write("Security.store", read_source("tests/data/pam/Security.store") +
                                    "set \"late\" permissions [READ_TOPIC]\n");
  expect_refused(run(std::string(kAlice)), PAM_SESSION_ERR, LOG_ALERT, store_ + ":14:");
}

TEST_F(RealPam, AWorldWritableConfigurationFailsTheSession) {
  ASSERT_EQ(::chmod(conf_.c_str(), 0666), 0);
  expect_refused(run(std::string(kAlice)), PAM_SESSION_ERR, LOG_ALERT,
                 conf_ + ": error: refusing an unsafe file: it is writable by others (mode 0666)");
}

TEST_F(RealPam, AGroupWritableStoreFailsTheSession) {
  ASSERT_EQ(::chmod(store_.c_str(), 0664), 0);
  expect_refused(run(std::string(kAlice)), PAM_SESSION_ERR, LOG_ALERT,
                 "refusing an unsafe file: it is writable by its group (mode 0664)");
}

TEST_F(RealPam, AStoreNotOwnedByRootFailsTheSession) {
  ASSERT_EQ(::chown(store_.c_str(), uid_of(kBob), 0), 0);
  expect_refused(run(std::string(kAlice)), PAM_SESSION_ERR, LOG_ALERT,
                 "refusing an unsafe file: it is owned by uid " + std::to_string(uid_of(kBob)));
}

TEST_F(RealPam, AnUnknownUserFailsTheSession) {
  expect_refused(run(std::string("secstore-t-nobody-such")), PAM_SESSION_ERR, LOG_ERR,
                 "unknown user \"secstore-t-nobody-such\"");
}

TEST_F(RealPam, AnUnknownCapabilityFailsTheSessionNamingTheLine) {
  tree_.write("secstore.conf", "Security {\n  user = secstore-t-alice\n  capabilities = \"cap_net_bind_servic+ep\"\n}\n");
  expect_refused(run(std::string(kAlice)), PAM_SESSION_ERR, LOG_ALERT, conf_ + ":3:");
}

TEST_F(RealPam, ACapabilityOutsideTheBoundingSetIsRefusedWithNothingApplied) {
  if (cap_get_bound(CAP_SYS_RESOURCE) == 1)
    GTEST_SKIP() << "cap_sys_resource is in this machine's bounding set; the sandbox this was written for lacks it";
  // Everything else in the plan would be grantable: none of it may happen.
  tree_.write("secstore.conf",
              "Security {\n  user = secstore-t-alice\n"
              "  capabilities = \"cap_net_bind_service,cap_sys_resource+ep\"\n}\n"
              "Security {\n  user = secstore-t-alice\n  capabilities = \"!cap_sys_module\"\n}\n");
  expect_refused(run(std::string(kAlice)), PAM_SESSION_ERR, LOG_ERR,
                 "capability cap_sys_resource cannot be granted: it is not in this process's bounding set");
}

TEST_F(RealPam, ARootSessionKeepsExactlyItsCapabilities) {
  tree_.write("secstore.conf", "Security \"root\" {\n  user = root\n  capabilities = \"cap_net_bind_service+ep\"\n}\n");
  PamOutcome o = login("root");
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(o.after_open.bounding, bit(CAP_NET_BIND_SERVICE)) << describe(o.after_open);
  ASSERT_TRUE(o.after_end);
  EXPECT_EQ(o.after_end->ambient, bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(o.after_end->bounding, bit(CAP_NET_BIND_SERVICE));
  EXPECT_THAT(o.lines.at(0).text, HasSubstr("root exclusive"));
}

TEST_F(RealPam, TheSessionIsConfinedToItsChroot) {
  std::string jail = tree_.mkdir("jail");
  tree_.write("jail/secstore-marker", "");
  tree_.write("secstore.conf", "Security {\n  user = secstore-t-bob\n  chroot = \"" + jail + "\"\n}\n");
  PamOutcome o = run(std::string(kBob));
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_FALSE(o.before.marker_at_root);
  EXPECT_TRUE(o.after_open.marker_at_root) << "/secstore-marker is visible at / only inside the jail";
}

TEST_F(RealPam, AWritableChrootIsRefusedWithNothingApplied) {
  std::string jail = tree_.mkdir("jail", 0775);
  tree_.write("jail/secstore-marker", "");
  tree_.write("secstore.conf", "Security {\n  user = secstore-t-alice\n  chroot = \"" + jail +
                                   "\"\n  capabilities = \"cap_net_bind_service+ep\"\n}\n");
  PamOutcome o = run(std::string(kAlice));
  expect_refused(o, PAM_SESSION_ERR, LOG_ALERT,
                 "chroot directory \"" + jail + "\" is writable by group or others (mode 0775)");
  EXPECT_FALSE(o.after_open.marker_at_root);
}

TEST_F(RealPam, EstablishingCredentialsAddsSupplementalGroups) {
  PamScenario scenario;
  scenario.setcred = true;
  PamOutcome o = run(std::string(kAlice), "", scenario);
  EXPECT_EQ(o.setcred_rc, PAM_SUCCESS) << all_lines(o);
  gid_t extra = gid_of_group(kExtraGroup);
  EXPECT_NE(std::find(o.before.groups.begin(), o.before.groups.end(), extra), o.before.groups.end())
      << "setcred ran before the state was read";
  PamOutcome bob = run(std::string(kBob), "", scenario);
  EXPECT_EQ(bob.setcred_rc, PAM_SUCCESS);
  EXPECT_EQ(std::find(bob.before.groups.begin(), bob.before.groups.end(), extra), bob.before.groups.end());
}

// util-linux login calls pam_setcred after pam_open_session: by then the
// process is inside the session's chroot, where the store, the configuration
// and the user's NSS files do not exist. setcred adds what open resolved.
TEST_F(RealPam, EstablishingCredentialsInsideTheChrootAfterOpenAddsTheGroups) {
  std::string jail = tree_.mkdir("jail");
  tree_.write("jail/secstore-marker", "");
  tree_.write("secstore.conf", "Security {\n  user = secstore-t-bob\n  chroot = \"" + jail +
                                   "\"\n  supplemental_groups = ( secstore-t-extra )\n}\n");
  PamScenario scenario;
  scenario.setcred_after_open = true;
  PamOutcome o = run(std::string(kBob), "", scenario);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  ASSERT_TRUE(o.after_setcred);
  EXPECT_TRUE(o.after_setcred->marker_at_root) << "setcred did not run inside the jail";
  EXPECT_EQ(o.setcred_after_open_rc, PAM_SUCCESS) << all_lines(o);
  gid_t extra = gid_of_group(kExtraGroup);
  EXPECT_EQ(std::count(o.after_open.groups.begin(), o.after_open.groups.end(), extra), 0);
  EXPECT_EQ(std::count(o.after_setcred->groups.begin(), o.after_setcred->groups.end(), extra), 1);
  for (const auto& line : o.lines) EXPECT_GT(line.level, LOG_WARNING) << line.text;
}

TEST_F(RealPam, AnUnknownArgumentFailsEveryStack) {
  PamScenario scenario;
  scenario.setcred = true;
  scenario.account = true;
  PamOutcome o = run(std::string(kAlice), "requires=CONTROL_SERVER", scenario);
  EXPECT_EQ(o.setcred_rc, PAM_CRED_ERR);
  EXPECT_EQ(o.account_rc, PAM_SERVICE_ERR);
  EXPECT_EQ(o.open_rc, PAM_SESSION_ERR);
  EXPECT_EQ(o.after_open, o.before);
  ASSERT_EQ(o.lines.size(), 3u) << all_lines(o);
  for (const auto& l : o.lines) {
    EXPECT_EQ(l.level, LOG_ERR);
    EXPECT_THAT(l.text, HasSubstr("unknown argument \"requires=CONTROL_SERVER\""));
  }
}

}  // namespace
}  // namespace secstore::test
