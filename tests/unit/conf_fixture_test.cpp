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

SessionSubject netops_member() { return subject_of("carol", 1002, {{"carol", 1002}, {"netops", 3000}}); }

// What the name service says of the names the site mentions, on a host that
// has them all.
const ResolvedNames kNames{{{"www-data", 33}, {"backup", 34}},
                           {{"netops", 3000}, {"wireshark", 3001}, {"disk", 6}}};

Outcome<SessionPlan> plan_of(const Config& conf, const SessionSubject& who, std::vector<std::string> roles) {
  return plan_for(conf, who, std::move(roles), kNames);
}

TEST(ConfFixture, ReadsTheIncludeDirectoryInNameOrder) {
  EXPECT_THAT(files_read(site()), ElementsAre(kSite + "/secstore.conf", kSite + "/secstore.conf.d/10-netops.conf",
                                 kSite + "/secstore.conf.d/20-backup.conf"));
}

TEST(ConfFixture, NetopsMemberGetsRawSocketsAndInterfaces) {
  auto plan = plan_of(site(), netops_member(), {"NETADMIN"});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan.value->matched.size(), 1u);
  EXPECT_EQ(plan.value->matched[0].name, "netops");
  EXPECT_EQ(plan.value->caps.ambient, cap_bit(CAP_NET_RAW) | cap_bit(CAP_NET_ADMIN));
  EXPECT_EQ(plan.value->caps.bounding_drop, cap_bit(CAP_SYS_MODULE));
  EXPECT_THAT(plan.value->supplemental_groups, ElementsAre("wireshark"));
  EXPECT_FALSE(plan.value->chroot.has_value());
}

TEST(ConfFixture, NetopsGroupWithoutTheRoleGetsNothing) {
  auto plan = plan_of(site(), netops_member(), {});
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan.value->matched, IsEmpty());
}

TEST(ConfFixture, BackupUserIsChrootedWithInheritableReadSearch) {
  auto plan = plan_of(site(), subject_of("backup", 34), {});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value->chroot, "/srv/backup");
  EXPECT_EQ(plan.value->caps.ambient, 0u);
  EXPECT_EQ(plan.value->caps.inheritable, cap_bit(CAP_DAC_READ_SEARCH));
  EXPECT_THAT(plan.value->supplemental_groups, ElementsAre("disk", "wireshark"));
}

TEST(ConfFixture, SshdOverrideKeepsOnlyTheGroup) {
  auto plan = plan_of(site("sshd"), netops_member(), {"NETADMIN"});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan.value->matched.size(), 1u);
  EXPECT_EQ(plan.value->matched[0].name, "sshd");
  EXPECT_TRUE(plan.value->caps.empty());
  EXPECT_THAT(plan.value->supplemental_groups, ElementsAre("wireshark"));
}

TEST(ConfFixture, RootIsWarnedOnlyAboutTheScopeItCouldMatch) {
  // "web" and "backup" name their users; "netops" selects by group and
  // role: root in group netops holding NETOPS through that group could match.
  const SessionSubject root = subject_of("root", 0, {{"root", 0}, {"netops", 3000}});
  SessionAccess access;
  access.role_names = {"NETOPS"};
  auto warnings = site().root_confinement(root, access, kNames, true, {"NETOPS"});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].where.file, kSite + "/secstore.conf.d/10-netops.conf");
  EXPECT_EQ(warnings[0].where.line, 5u);
  EXPECT_EQ(warnings[0].where.column, 18u);
  EXPECT_THAT(warnings[0].message, ::testing::HasSubstr("could confine root"));
  // Root outside the group: nothing to warn about.
  EXPECT_THAT(site().root_confinement(subject_of("root", 0, {{"root", 0}}), access, kNames, true, {}), IsEmpty());
}

}  // namespace
}  // namespace secstore::test
