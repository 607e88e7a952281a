// resolve_session (SPEC §2.3, §3, §4.3, §5 --groups): NSS or the given group
// list, roles from the store, and the conf plan for that session.
#include "secstore/session.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>

#include "conf_test_support.hpp"
#include "secstore/nss.hpp"

namespace secstore::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const char* const kStore =
    "set \"ADMIN\" permissions [CONTROL_SERVER]\n"
    "set \"OPS\" includes [\"VIEWER\"]\n"
    "set \"VIEWER\" permissions [VIEW_SERVER]\n"
    "set \"GUEST\" permissions [AUTHENTICATE]\n"
    "set \"STAFF\" permissions [VIEW_SESSION]\n"
    "set roles for named sessions [\"STAFF\"]\n"
    "set roles for anonymous sessions [\"GUEST\"]\n"
    "set roles for user \"root\" [\"ADMIN\"]\n"
    "set roles for group \"netops\" [\"OPS\"]\n"
    "set roles for group \"nogroup\" [\"OPS\"]\n";

Store store() {
  auto s = Store::parse(kStore, "Security.store");
  EXPECT_TRUE(s.ok()) << (s.first_error() ? s.first_error()->str() : "");
  return s.value.value_or(Store());
}

Config conf(const std::string& text) {
  auto c = parse_conf(text);
  EXPECT_TRUE(c.ok()) << first_error(c);
  return c.value.value_or(Config());
}

ResolvedSession resolve_ok(const Config& config, const SessionRequest& request) {
  auto r = resolve_session(store(), config, request);
  EXPECT_TRUE(r.ok()) << (r.first_error() ? r.first_error()->str() : "");
  return r.value.value_or(ResolvedSession{});
}

SessionRequest named(const std::string& user) {
  SessionRequest r;
  r.user = user;
  return r;
}

TEST(ResolveSession, NamedUserComesFromNss) {
  ResolvedSession s = resolve_ok(Config(), named("root"));
  EXPECT_FALSE(s.facts.anonymous);
  EXPECT_EQ(s.facts.uid, uid_t{0});
  EXPECT_THAT(s.facts.group_names, Contains("root"));
  EXPECT_THAT(s.facts.gids, Contains(gid_t{0}));
  EXPECT_EQ(s.identity.user, "root");
  EXPECT_THAT(s.role_names, ElementsAre("ADMIN", "STAFF"));
  EXPECT_EQ(s.facts.roles, s.role_names);
  EXPECT_TRUE(s.global.has(GlobalPermission::CONTROL_SERVER));
  EXPECT_TRUE(s.global.has(GlobalPermission::VIEW_SESSION));
  EXPECT_FALSE(s.global.has(GlobalPermission::AUTHENTICATE));
}

TEST(ResolveSession, GroupRolesComeFromNssGroups) {
  // nobody's primary group is nogroup on Debian.
  auto nobody = lookup_user("nobody");
  if (!nobody) GTEST_SKIP() << "this system has no user nobody";
  ResolvedSession s = resolve_ok(Config(), named("nobody"));
  EXPECT_EQ(s.facts.group_names, nobody->group_names);
  if (std::find(nobody->group_names.begin(), nobody->group_names.end(), "nogroup") ==
      nobody->group_names.end())
    GTEST_SKIP() << "nobody is not in nogroup here";
  EXPECT_THAT(s.role_names, ElementsAre("OPS", "STAFF", "VIEWER"));
}

TEST(ResolveSession, UnknownNamedUserIsAnError) {
  auto r = resolve_session(store(), Config(), named("no-such-user-xq7"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.first_error()->message, "user \"no-such-user-xq7\" is not known to the system (NSS)");
}

TEST(ResolveSession, NamedSessionNeedsAUser) {
  auto r = resolve_session(store(), Config(), named(""));
  ASSERT_FALSE(r.ok());
}

TEST(ResolveSession, GivenGroupsReplaceNssAndTheUserNeedNotExist) {
  SessionRequest request = named("no-such-user-xq7");
  request.groups = std::vector<std::string>{"netops", "root"};
  ResolvedSession s = resolve_ok(Config(), request);
  EXPECT_FALSE(s.facts.uid.has_value());
  EXPECT_THAT(s.facts.group_names, ElementsAre("netops", "root"));
  EXPECT_THAT(s.facts.gids, ElementsAre(gid_t{0}));  // only root is known to NSS
  EXPECT_THAT(s.identity.groups, ElementsAre("netops", "root"));
  EXPECT_THAT(s.role_names, ElementsAre("OPS", "STAFF", "VIEWER"));
}

TEST(ResolveSession, GivenGroupsKeepTheUidOfAKnownUser) {
  SessionRequest request = named("root");
  request.groups = std::vector<std::string>{};
  ResolvedSession s = resolve_ok(Config(), request);
  EXPECT_EQ(s.facts.uid, uid_t{0});
  EXPECT_THAT(s.facts.group_names, IsEmpty());
  EXPECT_THAT(s.role_names, ElementsAre("ADMIN", "STAFF"));
}

TEST(ResolveSession, AnonymousSessionHasAnonymousRolesAndNoGroups) {
  SessionRequest request;
  request.anonymous = true;
  ResolvedSession s = resolve_ok(Config(), request);
  EXPECT_TRUE(s.facts.anonymous);
  EXPECT_TRUE(s.identity.anonymous);
  EXPECT_THAT(s.facts.group_names, IsEmpty());
  EXPECT_THAT(s.role_names, ElementsAre("GUEST"));
  EXPECT_TRUE(s.global.has(GlobalPermission::AUTHENTICATE));
}

TEST(ResolveSession, AnonymousRootIsStillConfinedByRootExclusivity) {
  SessionRequest request;
  request.anonymous = true;
  request.user = "root";
  ResolvedSession s =
      resolve_ok(conf("Security { capabilities = \"cap_net_bind_service+ep\" }\n"), request);
  EXPECT_THAT(s.role_names, ElementsAre("GUEST"));
  EXPECT_TRUE(s.identity.user.empty());
  EXPECT_TRUE(s.plan.root_exclusive);
}

TEST(ResolveSession, PlanUsesRolesAfterClosure) {
  Config c = conf("Security \"viewers\" {\n  role = VIEWER\n  capabilities = \"cap_net_raw+ep\"\n}\n"
                  "Security \"admins\" {\n  role = ADMIN\n  supplemental_groups = ( adm )\n}\n");
  SessionRequest request = named("someone");
  request.groups = std::vector<std::string>{"netops"};
  ResolvedSession s = resolve_ok(c, request);
  ASSERT_EQ(s.plan.matched.size(), 1u);
  EXPECT_EQ(s.plan.matched[0].name, "viewers");
  EXPECT_EQ(s.plan.caps.ambient, cap_bit(CAP_NET_RAW));
  EXPECT_FALSE(s.plan.root_exclusive);
}

TEST(ResolveSession, RootSessionWithCapabilitiesIsExclusive) {
  Config c = conf("Security {\n  user = root\n  capabilities = \"cap_net_bind_service+ep\"\n}\n");
  ResolvedSession s = resolve_ok(c, named("root"));
  EXPECT_TRUE(s.plan.root_exclusive);
  EXPECT_EQ(s.plan.caps.bounding_drop, all_capabilities_mask() & ~cap_bit(CAP_NET_BIND_SERVICE));
}

TEST(ResolveSession, PlanErrorsArePropagated) {
  Config c = conf("Security { chroot = \"/a\" }\nSecurity { user = root\n chroot = \"/b\" }\n");
  auto r = resolve_session(store(), c, named("root"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.first_error()->str(), HasSubstr("two different chroots"));
}

TEST(Nss, LooksUpUsersAndGroups) {
  auto root = lookup_user("root");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->uid, 0u);
  ASSERT_FALSE(root->gids.empty());
  EXPECT_EQ(root->gids.front(), root->gid);
  EXPECT_EQ(root->group_names.size(), root->gids.size());
  EXPECT_EQ(root->group_names.front(), "root");
  EXPECT_FALSE(lookup_user("no-such-user-xq7").has_value());
  EXPECT_FALSE(lookup_user("").has_value());
  EXPECT_EQ(lookup_group("root"), gid_t{0});
  EXPECT_EQ(lookup_group("0"), gid_t{0});
  EXPECT_FALSE(lookup_group("no-such-group-xq7").has_value());
  EXPECT_EQ(group_name(0), "root");
}

}  // namespace
}  // namespace secstore::test
