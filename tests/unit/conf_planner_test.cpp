// Which Security scopes apply to a session and what they add up to
// (SPEC §3): selectors, unions, chroot conflicts, root exclusivity, lint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>

#include "conf_test_support.hpp"

namespace secstore::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::uint64_t kBind = cap_bit(CAP_NET_BIND_SERVICE);
const std::uint64_t kRaw = cap_bit(CAP_NET_RAW);
const std::uint64_t kDacOverride = cap_bit(CAP_DAC_OVERRIDE);
const std::uint64_t kSysAdmin = cap_bit(CAP_SYS_ADMIN);

SessionFacts alice() {
  SessionFacts f;
  f.user = "alice";
  f.uid = 1000;
  f.group_names = {"alice", "netops"};
  f.gids = {1000, 2000};
  f.roles = {"OPERATOR", "VIEWER"};
  return f;
}

SessionFacts root_session() {
  SessionFacts f;
  f.user = "root";
  f.uid = 0;
  f.group_names = {"root"};
  f.gids = {0};
  return f;
}

Config conf_of(const std::string& text) {
  auto conf = parse_conf(text);
  EXPECT_TRUE(conf.ok()) << first_error(conf);
  return conf.value.value_or(Config());
}

SessionPlan plan_of(const Config& conf, const SessionFacts& facts) {
  auto plan = conf.plan(facts);
  EXPECT_TRUE(plan.ok()) << (plan.first_error() ? plan.first_error()->str() : "");
  return plan.value.value_or(SessionPlan{});
}

bool matches(const std::string& selectors, const SessionFacts& facts) {
  Config conf = conf_of("Security {\n" + selectors + "\n}\n");
  return !plan_of(conf, facts).matched.empty();
}

TEST(ConfPlan, ScopeWithoutSelectorMatchesEverySession) {
  EXPECT_TRUE(matches("", alice()));
  EXPECT_TRUE(matches("", root_session()));
  SessionFacts anonymous;
  anonymous.anonymous = true;
  EXPECT_TRUE(matches("", anonymous));
}

TEST(ConfPlan, UserSelectorMatchesNameOrUid) {
  EXPECT_TRUE(matches("user = alice", alice()));
  EXPECT_TRUE(matches("user = 1000", alice()));
  EXPECT_FALSE(matches("user = bob", alice()));
  EXPECT_FALSE(matches("user = 1001", alice()));
  SessionFacts unknown_uid = alice();
  unknown_uid.uid.reset();
  EXPECT_FALSE(matches("user = 1000", unknown_uid));
  EXPECT_TRUE(matches("user = alice", unknown_uid));
}

TEST(ConfPlan, GroupSelectorMatchesNameOrGid) {
  EXPECT_TRUE(matches("group = netops", alice()));
  EXPECT_TRUE(matches("group = 2000", alice()));
  EXPECT_TRUE(matches("group = \"alice\"", alice()));
  EXPECT_FALSE(matches("group = wheel", alice()));
  EXPECT_FALSE(matches("group = 2001", alice()));
}

TEST(ConfPlan, RoleSelectorMatchesAnyListedRole) {
  EXPECT_TRUE(matches("role = OPERATOR", alice()));
  EXPECT_TRUE(matches("role = ( ADMIN VIEWER )", alice()));
  EXPECT_FALSE(matches("role = ( ADMIN AUDITOR )", alice()));
  EXPECT_FALSE(matches("role = operator", alice()));  // role names are case-sensitive
}

TEST(ConfPlan, AllSelectorsMustMatch) {
  EXPECT_TRUE(matches("user = alice\ngroup = netops\nrole = OPERATOR", alice()));
  EXPECT_FALSE(matches("user = alice\ngroup = wheel", alice()));
  EXPECT_FALSE(matches("user = bob\ngroup = netops", alice()));
  EXPECT_FALSE(matches("group = netops\nrole = ADMIN", alice()));
}

TEST(ConfPlan, AnonymousSessionWithoutUserMatchesNoUserSelector) {
  SessionFacts anonymous;
  anonymous.anonymous = true;
  EXPECT_FALSE(matches("user = alice", anonymous));
  EXPECT_FALSE(matches("user = 0", anonymous));
}

TEST(ConfPlan, MatchingScopesCombineByUnion) {
  Config conf = conf_of(
      "Security \"one\" { user = alice\n capabilities = \"cap_net_bind_service+ep\"\n"
      "  supplemental_groups = ( audio video ) }\n"
      "Security \"other\" { user = bob\n capabilities = \"cap_sys_admin+ep\" }\n"
      "Security \"two\" { group = netops\n capabilities = \"^cap_net_raw,!cap_sys_admin\"\n"
      "  supplemental_groups = ( video plugdev ) }\n");
  SessionPlan plan = plan_of(conf, alice());
  ASSERT_EQ(plan.matched.size(), 2u);
  EXPECT_EQ(plan.matched[0].name, "one");
  EXPECT_EQ(plan.matched[1].name, "two");
  EXPECT_EQ(plan.matched[1].where.line, 6u);
  EXPECT_EQ(plan.caps.ambient, kBind | kRaw);
  EXPECT_EQ(plan.caps.inheritable, kBind | kRaw);
  EXPECT_EQ(plan.caps.bounding_drop, kSysAdmin);
  EXPECT_THAT(plan.supplemental_groups, ElementsAre("audio", "video", "plugdev"));
  EXPECT_FALSE(plan.root_exclusive);
  EXPECT_FALSE(plan.chroot.has_value());
}

TEST(ConfPlan, TwoDifferentChrootsAreAnErrorNamingBothScopes) {
  Config conf = conf_of(
      "Security \"web\" {\n  user = alice\n  chroot = \"/srv/web\"\n}\n"
      "Security \"ops\" {\n  group = netops\n  chroot = \"/srv/ops\"\n}\n");
  auto plan = conf.plan(alice());
  ASSERT_FALSE(plan.ok());
  std::string error = plan.first_error()->str();
  EXPECT_THAT(error, HasSubstr("test.conf:7:12: error:"));
  EXPECT_THAT(error, HasSubstr("\"/srv/web\" from Security \"web\" (test.conf:1:1)"));
  EXPECT_THAT(error, HasSubstr("\"/srv/ops\" from Security \"ops\" (test.conf:5:1)"));
  // A session that matches only one of them is fine.
  SessionFacts bob = alice();
  bob.user = "bob";
  bob.uid = 1001;
  EXPECT_EQ(plan_of(conf, bob).chroot, "/srv/ops");
}

TEST(ConfPlan, SameChrootTwiceIsNoConflict) {
  Config conf = conf_of(
      "Security { user = alice\n chroot = \"/srv/jail\" }\n"
      "Security { group = netops\n chroot = \"/srv//jail/\" }\n");
  EXPECT_EQ(plan_of(conf, alice()).chroot, "/srv/jail");
}

TEST(ConfPlan, RootWithCapabilitiesKeepsOnlyThose) {
  Config conf = conf_of("Security { capabilities = \"cap_net_bind_service+ep\" }\n");
  SessionPlan plan = plan_of(conf, root_session());
  EXPECT_TRUE(plan.root_exclusive);
  EXPECT_EQ(plan.caps.ambient, kBind);
  EXPECT_EQ(plan.caps.bounding_drop, all_capabilities_mask() & ~kBind);
  EXPECT_NE(plan.caps.bounding_drop & kDacOverride, 0u);
}

TEST(ConfPlan, RootExclusivityKeepsInheritableOnlyCapabilities) {
  Config conf = conf_of("Security { user = 0\n capabilities = \"cap_net_raw+i\" }\n");
  SessionPlan plan = plan_of(conf, root_session());
  EXPECT_TRUE(plan.root_exclusive);
  EXPECT_EQ(plan.caps.bounding_drop, all_capabilities_mask() & ~kRaw);
}

TEST(ConfPlan, RootWithoutCapabilitiesOptionIsNotConfined) {
  Config conf = conf_of("Security { supplemental_groups = ( audio ) }\n"
                        "Security { user = alice\n capabilities = \"cap_net_raw+ep\" }\n");
  SessionPlan plan = plan_of(conf, root_session());
  EXPECT_FALSE(plan.root_exclusive);
  EXPECT_EQ(plan.caps.bounding_drop, 0u);
}

TEST(ConfPlan, NonRootIsNotConfined) {
  Config conf = conf_of("Security { capabilities = \"cap_net_bind_service+ep\" }\n");
  SessionPlan plan = plan_of(conf, alice());
  EXPECT_FALSE(plan.root_exclusive);
  EXPECT_EQ(plan.caps.bounding_drop, 0u);
}

TEST(ConfScopes, RepeatedOptionIsAnError) {
  auto conf = parse_conf("Security {\n  user = alice\n  USER = bob\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:3:3: error:"));
  EXPECT_THAT(first_error(conf), HasSubstr("set twice"));
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:3"));
}

TEST(ConfScopes, SameOptionInTwoScopesIsFine) {
  EXPECT_TRUE(parse_conf("Security { user = a }\nSecurity { user = b }\n").ok());
}

TEST(ConfScopes, ChrootMustBeAbsolute) {
  auto conf = parse_conf("Security {\n  chroot = \"srv/jail\"\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:12: error: chroot must be an absolute"));
}

TEST(ConfScopes, SingleValueOptionsRefuseLists) {
  auto conf = parse_conf("Security {\n  user = ( a b )\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:10: error: user takes one value"));
}

TEST(ConfScopes, EmptyRoleListIsAnError) {
  auto conf = parse_conf("Security {\n  role = ( )\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:10"));
}

TEST(ConfScopes, GroupReferencesNameGroupsWithTheirPlace) {
  Config conf = conf_of("Security {\n  group = netops\n  supplemental_groups = ( audio 44 )\n}\n");
  auto refs = conf.group_references();
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].first, "netops");
  EXPECT_EQ(refs[0].second.line, 2u);
  EXPECT_EQ(refs[1].first, "audio");
  EXPECT_EQ(refs[1].second.column, 27u);
}

TEST(ConfLint, WarnsAboutEveryScopeThatMayConfineRoot) {
  Config conf = conf_of(
      "Security \"all\" {\n  capabilities = \"cap_net_bind_service+ep\"\n}\n"
      "Security \"root\" {\n  user = root\n  capabilities = \"^cap_net_raw\"\n}\n"
      "Security \"uid0\" {\n  user = 0\n  capabilities = \"cap_net_raw+ep\"\n}\n"
      "Security \"netops\" {\n  group = netops\n  capabilities = \"cap_net_raw+ep\"\n}\n"
      "Security \"alice\" {\n  user = alice\n  capabilities = \"cap_net_raw+ep\"\n}\n"
      "Security \"nocaps\" {\n  chroot = \"/srv\"\n}\n");
  auto warnings = conf.lint();
  ASSERT_EQ(warnings.size(), 4u);
  EXPECT_EQ(warnings[0].where.line, 2u);
  EXPECT_EQ(warnings[1].where.line, 6u);
  EXPECT_EQ(warnings[2].where.line, 10u);
  EXPECT_EQ(warnings[3].where.line, 14u);
  for (const auto& w : warnings) {
    EXPECT_EQ(w.severity, Severity::Warning);
    EXPECT_THAT(w.message, HasSubstr("cap_dac_override"));
    EXPECT_THAT(w.message, HasSubstr("bounding set"));
  }
  EXPECT_THAT(warnings[0].message, HasSubstr("no user selector"));
}

TEST(ConfLint, ExampleCapabilityIsOneRootWouldLose) {
  Config conf = conf_of("Security { capabilities = \"cap_dac_override+ep\" }\n");
  auto warnings = conf.lint();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].message, Not(HasSubstr("cap_dac_override")));
  EXPECT_THAT(warnings[0].message, HasSubstr("cap_sys_admin"));
}

TEST(ConfLint, ScopeThatChangesNothingIsAWarning) {
  Config conf = conf_of("Security {\n  user = alice\n}\n\nSecurity \"g\" { supplemental_groups = audio }\n");
  auto warnings = conf.lint();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].str(), "test.conf:1:1: warning: this Security scope changes nothing for the "
                               "sessions it matches: it has no capabilities, chroot or "
                               "supplemental_groups");
}

TEST(ConfLint, CapabilityGrantedAndDroppedIsAWarning) {
  Config conf = conf_of("Security {\n  user = nobody\n  capabilities = \"^cap_net_raw,!cap_net_raw,!cap_sys_admin\"\n}\n");
  auto warnings = conf.lint();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].where.line, 3u);
  EXPECT_THAT(warnings[0].message, HasSubstr(": cap_net_raw;"));
}

TEST(ConfLint, NothingToSayAboutAHarmlessFile) {
  EXPECT_THAT(conf_of("Security { user = nobody\n capabilities = \"cap_net_raw+ep\" }\n").lint(),
              IsEmpty());
}

}  // namespace
}  // namespace secstore::test
