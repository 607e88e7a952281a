// A whole site configuration (tests/data/conf/site): main file, an include
// directory and a per-service override, read and planned as the module would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>

#include "conf_test_support.hpp"

namespace secstore::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kSite = std::string(SECSTORE_SOURCE_DIR) + "/tests/data/conf/site";

// The checked-out files are root-owned only when root checked them out.
FileSafety fixture_safety() {
  struct stat st {};
  return FileSafety{::stat((kSite + "/secstore.conf").c_str(), &st) == 0 && st.st_uid == 0 &&
                    (st.st_mode & 022) == 0};
}

Config site(std::string_view service = "") {
  auto conf = Config::load_for_service(kSite + "/secstore.conf", service, fixture_safety());
  EXPECT_TRUE(conf.ok()) << first_error(conf);
  return conf.value.value_or(Config());
}

SessionFacts netops_member() {
  SessionFacts f;
  f.user = "carol";
  f.uid = 1002;
  f.group_names = {"carol", "netops"};
  f.gids = {1002, 3000};
  f.roles = {"NETADMIN"};
  return f;
}

TEST(ConfFixture, ReadsTheIncludeDirectoryInNameOrder) {
  EXPECT_THAT(site().files_read(),
              ElementsAre(kSite + "/secstore.conf", kSite + "/secstore.conf.d/10-netops.conf",
                          kSite + "/secstore.conf.d/20-backup.conf"));
}

TEST(ConfFixture, NetopsMemberGetsRawSocketsAndInterfaces) {
  auto plan = site().plan(netops_member());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan.value->matched.size(), 1u);
  EXPECT_EQ(plan.value->matched[0].name, "netops");
  EXPECT_EQ(plan.value->caps.ambient, cap_bit(CAP_NET_RAW) | cap_bit(CAP_NET_ADMIN));
  EXPECT_EQ(plan.value->caps.bounding_drop, cap_bit(CAP_SYS_MODULE));
  EXPECT_THAT(plan.value->supplemental_groups, ElementsAre("wireshark"));
  EXPECT_FALSE(plan.value->chroot.has_value());
}

TEST(ConfFixture, NetopsGroupWithoutTheRoleGetsNothing) {
  SessionFacts f = netops_member();
  f.roles.clear();
  auto plan = site().plan(f);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan.value->matched, IsEmpty());
}

TEST(ConfFixture, BackupUserIsChrootedWithInheritableReadSearch) {
  SessionFacts f;
  f.user = "backup";
  f.uid = 34;
  auto plan = site().plan(f);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value->chroot, "/srv/backup");
  EXPECT_EQ(plan.value->caps.ambient, 0u);
  EXPECT_EQ(plan.value->caps.inheritable, cap_bit(CAP_DAC_READ_SEARCH));
  EXPECT_THAT(plan.value->supplemental_groups, ElementsAre("disk", "wireshark"));
}

TEST(ConfFixture, SshdOverrideKeepsOnlyTheGroup) {
  auto plan = site("sshd").plan(netops_member());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan.value->matched.size(), 1u);
  EXPECT_EQ(plan.value->matched[0].name, "sshd");
  EXPECT_TRUE(plan.value->caps.empty());
  EXPECT_THAT(plan.value->supplemental_groups, ElementsAre("wireshark"));
}

TEST(ConfFixture, LintWarnsThatTheGroupScopeCouldConfineRoot) {
  // "web" and "backup" name their users; "netops" selects by group and role,
  // which root could hold.
  auto warnings = site().lint();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].where.file, kSite + "/secstore.conf.d/10-netops.conf");
  EXPECT_EQ(warnings[0].where.line, 5u);
  EXPECT_EQ(warnings[0].where.column, 18u);
}

}  // namespace
}  // namespace secstore::test
