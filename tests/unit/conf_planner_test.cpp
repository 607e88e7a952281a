// Which Security scopes apply to a session and what they add up to
// (SPEC §3): selectors, unions, chroot conflicts, root exclusivity, lint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>

#include "conf/data.hpp"
#include "conf_test_support.hpp"
#include "secstore/capabilities.hpp"

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

// Who a session is and the roles it holds.
struct Facts {
  SessionSubject who;
  std::vector<std::string> roles;
};

// What the name service of this imaginary host says.
const ResolvedNames kNames{{{"alice", 1000}, {"bob", 1001}, {"root", 0}, {"toor", 0}, {"nobody", 65534}},
                           {{"alice", 1000}, {"netops", 2000}, {"wheel", 10}, {"root", 0}, {"audio", 29},
                            {"video", 44}, {"plugdev", 46}}};

Facts alice() { return {subject_of("alice", 1000, {{"alice", 1000}, {"netops", 2000}}), {"OPERATOR", "VIEWER"}}; }

Facts root_session() { return {subject_of("root", 0, {{"root", 0}}), {}}; }

Facts anonymous_session() { return {SessionSubject::anonymous_session(), {}}; }

Config conf_of(const std::string& text) {
  auto conf = parse_conf(text);
  EXPECT_TRUE(conf.ok()) << first_error(conf);
  return conf.value.value_or(Config());
}

Outcome<SessionPlan> plan_outcome(const Config& conf, const Facts& facts) {
  return plan_for(conf, facts.who, facts.roles, kNames);
}

SessionPlan plan_of(const Config& conf, const Facts& facts) {
  auto plan = plan_outcome(conf, facts);
  EXPECT_TRUE(plan.ok()) << (plan.first_error() ? plan.first_error()->str() : "");
  return plan.value.value_or(SessionPlan{});
}

bool matches(const std::string& selectors, const Facts& facts) {
  Config conf = conf_of("Security {\n" + selectors + "\n}\n");
  return !plan_of(conf, facts).matched.empty();
}

TEST(ConfPlan, ScopeWithoutSelectorMatchesEverySession) {
  EXPECT_TRUE(matches("", alice()));
  EXPECT_TRUE(matches("", root_session()));
  EXPECT_TRUE(matches("", anonymous_session()));
}

TEST(ConfPlan, UserSelectorMatchesTheAccountByUid) {
  EXPECT_TRUE(matches("user = alice", alice()));
  EXPECT_TRUE(matches("user = 1000", alice()));
  EXPECT_FALSE(matches("user = bob", alice()));
  EXPECT_FALSE(matches("user = 1001", alice()));
  // No account here (--groups for a user served elsewhere): only the name.
  Facts no_account = alice();
  no_account.who.uid.reset();
  EXPECT_FALSE(matches("user = 1000", no_account));
  EXPECT_TRUE(matches("user = alice", no_account));
}

TEST(ConfPlan, EveryAccountWithUidZeroIsRoot) {
  // SPEC §3: toor (uid 0) is matched by `user = root`, and is root.
  Facts toor{subject_of("toor", 0, {{"root", 0}}), {}};
  EXPECT_TRUE(matches("user = root", toor));
  EXPECT_TRUE(matches("user = 0", toor));
  SessionPlan plan = plan_of(conf_of("Security { user = root\n capabilities = \"^cap_net_raw\" }\n"), toor);
  EXPECT_TRUE(plan.root_exclusive);
}

TEST(ConfPlan, AUserNamedLikeAUidIsNotThatUid) {
  // A user named "1001" is not uid 1001: all digits are always a uid.
  Facts digits{subject_of("1001", 4242, {}), {}};
  EXPECT_FALSE(matches("user = 1001", digits));
  EXPECT_TRUE(matches("user = 4242", digits));
}

TEST(ConfPlan, AUserTheNameServiceDoesNotKnowMatchesNobody) {
  EXPECT_FALSE(matches("user = ghost", alice()));
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

// Held means held whole, in byte order: a prefix, an extension, a name
// differing only in a byte above 0x7f are other roles.
TEST(ConfPlan, RoleSelectorMatchesWholeNamesInByteOrder) {
  Config conf = conf_of("Security {\n  role = ( OP \"OPERATOR\xc3\xa9\" )\n  capabilities = \"cap_kill+i\"\n}\n");
  const std::vector<std::string> others = {"O", "OPE", "OPERATOR", "OPERATORS", "OPERATOR\xc3\xa8", "\xc3\xa9", "op"};
  auto plan = plan_for(conf, alice().who, others);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan.value->matched.empty());
  for (const std::string held : {"OP", "OPERATOR\xc3\xa9"}) {
    auto with = others;
    with.push_back(held);
    plan = plan_for(conf, alice().who, with);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan.value->matched.size(), 1u) << held;
  }
}

TEST(ConfPlan, AllSelectorsMustMatch) {
  EXPECT_TRUE(matches("user = alice\ngroup = netops\nrole = OPERATOR", alice()));
  EXPECT_FALSE(matches("user = alice\ngroup = wheel", alice()));
  EXPECT_FALSE(matches("user = bob\ngroup = netops", alice()));
  EXPECT_FALSE(matches("group = netops\nrole = ADMIN", alice()));
}

TEST(ConfPlan, AnonymousSessionWithoutUserMatchesNoUserSelector) {
  EXPECT_FALSE(matches("user = alice", anonymous_session()));
  EXPECT_FALSE(matches("user = 0", anonymous_session()));
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
  auto plan = plan_outcome(conf, alice());
  ASSERT_FALSE(plan.ok());
  std::string error = plan.first_error()->str();
  EXPECT_THAT(error, HasSubstr("test.conf:7:12: error:"));
  EXPECT_THAT(error, HasSubstr("\"/srv/web\" from Security \"web\" (test.conf:1:1)"));
  EXPECT_THAT(error, HasSubstr("\"/srv/ops\" from Security \"ops\" (test.conf:5:1)"));
  // A session that matches only one of them is fine.
  Facts bob = alice();
  bob.who.user = "bob";
  bob.who.uid = 1001;
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
  EXPECT_EQ(plan.caps.bounding_drop, all_capabilities() & ~kBind);
  EXPECT_NE(plan.caps.bounding_drop & kDacOverride, 0u);
  // What root inherited leaves its inheritable set too (else exec would
  // make it permitted again).
  EXPECT_EQ(plan.inheritable_clear, all_capabilities() & ~kBind);
}

TEST(ConfPlan, RootExclusivityKeepsInheritableOnlyCapabilities) {
  Config conf = conf_of("Security { user = 0\n capabilities = \"cap_net_raw+i\" }\n");
  SessionPlan plan = plan_of(conf, root_session());
  EXPECT_TRUE(plan.root_exclusive);
  EXPECT_EQ(plan.caps.bounding_drop, all_capabilities() & ~kRaw);
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

// SPEC §3: all digits are an id, and an id is 32 bits with -1 reserved.
// Past that, the reader refuses the value where it is written, rather
// than let it wrap (4294967296 was gid 0) or be looked up as a name.
TEST(ConfScopes, IdsPastTheirRangeAreErrors) {
  struct Case {
    std::string option;
    std::string message;
  };
  for (const Case& c : {Case{"user = 4294967296", "test.conf:2:10: error: \"4294967296\" is not a uid: a uid is a number from 0 to 4294967294"},
                        Case{"group = 4294967295", "test.conf:2:11: error: \"4294967295\" is not a gid: a gid is a number from 0 to 4294967294"},
                        Case{"supplemental_groups = ( audio 99999999999999999999 )",
                             "test.conf:2:33: error: \"99999999999999999999\" is not a gid: a gid is a number from 0 to 4294967294"}}) {
    SCOPED_TRACE(c.option);
    auto conf = parse_conf("Security {\n  " + c.option + "\n}\n");
    ASSERT_FALSE(conf.ok());
    EXPECT_EQ(first_error(conf), c.message);
  }
  // The largest id, and leading zeros, are ids like any other.
  SessionPlan plan = plan_of(conf_of("Security { supplemental_groups = ( 4294967294 00000000000000000044 ) }\n"), alice());
  EXPECT_THAT(plan.supplemental_gids, ElementsAre(4294967294u, 44u));
  EXPECT_TRUE(matches("  user = 0000001000", alice()));
}

// The planner does not lean on the reader for that: a compiled index is
// planned from its bytes, so digits past the range that reach it name no
// group, and no session is planned.
TEST(ConfPlan, DigitsPastTheRangeOfIdsNameNoGroupEvenPastTheReader) {
  for (const char* digits : {"4294967296", "4294967295", "99999999999999999999"}) {
    SCOPED_TRACE(digits);
    const detail::SettingView group{digits, {}};
    detail::ScopeView scope;
    scope.supplemental_groups = std::span<const detail::SettingView>(&group, 1);
    const Facts facts = alice();
    SessionAccess access;
    access.role_names = facts.roles;
    auto plan = detail::plan_session(std::span<const detail::ScopeView>(&scope, 1), facts.who, access, kNames,
                                     kernel_capability_count());
    ASSERT_FALSE(plan.ok());
    EXPECT_THAT(plan.first_error()->str(), HasSubstr(std::string("group \"") + digits + "\" does not exist"));
  }
}

TEST(ConfScopes, NamesNeededAreTheNonNumericUsersAndGroups) {
  Config conf = conf_of("Security {\n  user = alice\n  group = netops\n  supplemental_groups = ( audio 44 )\n}\n"
                        "Security { user = 0 }\n");
  const NamesNeeded needed = conf.names_needed();
  EXPECT_THAT(needed.users, ElementsAre("alice"));
  EXPECT_THAT(needed.groups, ElementsAre("netops", "audio"));
}

TEST(ConfPlan, AGroupTheNameServiceDoesNotKnowRefusesEverySession) {
  Config conf = conf_of("Security {\n  user = bob\n  supplemental_groups = ( audio nosuch )\n}\n");
  auto plan = plan_outcome(conf, alice());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.first_error()->str(), "test.conf:3:33: error: group \"nosuch\" does not exist");
}

TEST(ConfPlan, SupplementalGroupsAreResolved) {
  SessionPlan plan = plan_of(conf_of("Security { supplemental_groups = ( audio 44 video ) }\n"), alice());
  EXPECT_THAT(plan.supplemental_gids, ElementsAre(29u, 44u));
}

// SPEC §3: root is warned about exactly the scopes its sessions match.
std::vector<Diagnostic> root_warnings(const Config& conf, const Facts& root, bool roles_known = true,
                                      std::vector<std::string> from_groups = {}) {
  SessionAccess access;
  access.role_names = root.roles;
  return conf.root_confinement(root.who, access, kNames, roles_known, from_groups);
}

TEST(ConfRoot, WarnsAboutEveryScopeRootMatches) {
  Config conf = conf_of(
      "Security \"all\" {\n  capabilities = \"cap_net_bind_service+ep\"\n}\n"
      "Security \"root\" {\n  user = root\n  capabilities = \"^cap_net_raw\"\n}\n"
      "Security \"uid0\" {\n  user = 0\n  capabilities = \"cap_net_raw+ep\"\n}\n"
      "Security \"netops\" {\n  group = netops\n  capabilities = \"cap_net_raw+ep\"\n}\n"
      "Security \"alice\" {\n  user = alice\n  capabilities = \"cap_net_raw+ep\"\n}\n"
      "Security \"ops\" {\n  role = OPERATOR\n  capabilities = \"cap_net_raw+ep\"\n}\n"
      "Security \"nocaps\" {\n  chroot = \"/srv\"\n}\n");
  auto warnings = root_warnings(conf, root_session());
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0].where.line, 2u);
  EXPECT_EQ(warnings[1].where.line, 6u);
  EXPECT_EQ(warnings[2].where.line, 10u);
  for (const auto& w : warnings) {
    EXPECT_EQ(w.severity, Severity::Warning);
    EXPECT_THAT(w.message, HasSubstr("confines root's sessions"));
    EXPECT_THAT(w.message, HasSubstr("cap_dac_override"));
  }
  // In the group, and holding the role: "could", since both can change.
  Facts member{subject_of("root", 0, {{"root", 0}, {"netops", 2000}}), {"OPERATOR"}};
  warnings = root_warnings(conf, member, true, {"OPERATOR"});
  ASSERT_EQ(warnings.size(), 5u);
  EXPECT_THAT(warnings[3].message, HasSubstr("could confine root"));
  EXPECT_THAT(warnings[4].message, HasSubstr("could confine root"));
}

TEST(ConfRoot, RoleScopesCouldConfineRootWhenTheStoreIsNotAtHand) {
  Config conf = conf_of("Security {\n  role = OPERATOR\n  capabilities = \"cap_net_raw+ep\"\n}\n");
  EXPECT_THAT(root_warnings(conf, root_session()), IsEmpty());
  auto warnings = root_warnings(conf, root_session(), /*roles_known=*/false);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].message, HasSubstr("could confine root"));
}

TEST(ConfRoot, ExampleCapabilityIsOneRootWouldLose) {
  Config conf = conf_of("Security { capabilities = \"cap_dac_override+ep\" }\n");
  auto warnings = root_warnings(conf, root_session());
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
