// One session through the one way in (SPEC §2.3, §3, §4.3, §5 --groups):
// who it is from the name service or a given group list, its roles from the
// store and its plan from the configuration, through Policy.
#include "secstore/policy.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>

#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "conf_test_support.hpp"
#include "private_mounts.hpp"
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

class SessionResolve : public ::testing::Test {
 protected:
  Policy policy(const std::string& conf = "") {
    const PolicyFiles files{dir_.write("Security.store", kStore), dir_.write("secstore.conf", conf), {}};
    auto p = Policy::open(files, Policy::Options{test_safety(), false});
    EXPECT_TRUE(p.ok()) << (p.first_error() ? p.first_error()->str() : "");
    return std::move(*p.value);
  }

  Outcome<Session> resolve(const Policy& p, const SessionSubject& who) {
    auto names = lookup_names(p.names_needed());
    EXPECT_TRUE(names.ok());
    return p.resolve(who, *names.value, kernel_capability_count());
  }

  Session resolve_ok(const std::string& conf, const SessionSubject& who) {
    auto r = resolve(policy(conf), who);
    EXPECT_TRUE(r.ok()) << (r.first_error() ? r.first_error()->str() : "");
    return r.value.value_or(Session{});
  }

  static SessionSubject account(const std::string& user) {
    auto found = lookup_subject(user, GroupDetail::IdsAndNames);
    EXPECT_EQ(found.status, LookupStatus::Found) << found.message;
    return found.subject;
  }

  ConfTempDir dir_;
};

std::vector<std::string> group_names(const SessionSubject& who) {
  std::vector<std::string> out;
  for (const auto& g : who.groups) out.push_back(g.name);
  return out;
}

TEST_F(SessionResolve, NamedUserComesFromTheNameService) {
  Session s = resolve_ok("", account("root"));
  EXPECT_FALSE(s.subject.anonymous);
  EXPECT_EQ(s.subject.uid, uid_t{0});
  EXPECT_THAT(group_names(s.subject), Contains("root"));
  EXPECT_THAT(s.access.role_names, ElementsAre("ADMIN", "STAFF"));
  EXPECT_TRUE(s.access.global.has(GlobalPermission::CONTROL_SERVER));
  EXPECT_TRUE(s.access.global.has(GlobalPermission::VIEW_SESSION));
  EXPECT_FALSE(s.access.global.has(GlobalPermission::AUTHENTICATE));
}

TEST_F(SessionResolve, GroupRolesComeFromTheAccountsGroups) {
  auto nobody = lookup_subject("nobody", GroupDetail::IdsAndNames);
  if (nobody.status != LookupStatus::Found) GTEST_SKIP() << "this system has no user nobody";
  const auto groups = group_names(nobody.subject);
  if (!std::count(groups.begin(), groups.end(), "nogroup"))
    GTEST_SKIP() << "nobody is not in nogroup here";
  EXPECT_THAT(resolve_ok("", nobody.subject).access.role_names, ElementsAre("OPS", "STAFF", "VIEWER"));
}

TEST_F(SessionResolve, GivenGroupsAreTheWholeMembershipAndTheUserNeedNotExist) {
  Session s = resolve_ok("", SessionSubject::named("no-such-user-xq7", {"netops", "root"}));
  EXPECT_FALSE(s.subject.uid.has_value());
  EXPECT_THAT(s.access.role_names, ElementsAre("OPS", "STAFF", "VIEWER"));
  EXPECT_THAT(resolve_ok("", SessionSubject::named("root", {}, 0)).access.role_names, ElementsAre("ADMIN", "STAFF"));
}

TEST_F(SessionResolve, AnonymousSessionHasAnonymousRolesAndNoGroups) {
  Session s = resolve_ok("", SessionSubject::anonymous_session());
  EXPECT_TRUE(s.subject.anonymous);
  EXPECT_THAT(s.subject.groups, IsEmpty());
  EXPECT_THAT(s.access.role_names, ElementsAre("GUEST"));
  EXPECT_TRUE(s.access.global.has(GlobalPermission::AUTHENTICATE));
}

TEST_F(SessionResolve, AnonymousRootIsStillConfinedByRootExclusivity) {
  Session s = resolve_ok("Security { capabilities = \"cap_net_bind_service+ep\" }\n",
                         SessionSubject::anonymous_session("root", 0));
  EXPECT_THAT(s.access.role_names, ElementsAre("GUEST"));
  EXPECT_TRUE(s.plan.root_exclusive);
}

TEST_F(SessionResolve, PlanUsesRolesAfterClosure) {
  Session s = resolve_ok(
      "Security \"viewers\" {\n  role = VIEWER\n  capabilities = \"cap_net_raw+ep\"\n}\n"
      "Security \"admins\" {\n  role = ADMIN\n  supplemental_groups = ( 4 )\n}\n",
      SessionSubject::named("someone", {"netops"}));
  ASSERT_EQ(s.plan.matched.size(), 1u);
  EXPECT_EQ(s.plan.matched[0].name, "viewers");
  EXPECT_EQ(s.plan.caps.ambient, cap_bit(CAP_NET_RAW));
  EXPECT_FALSE(s.plan.root_exclusive);
}

TEST_F(SessionResolve, RootSessionWithCapabilitiesIsExclusive) {
  Session s = resolve_ok("Security {\n  user = root\n  capabilities = \"cap_net_bind_service+ep\"\n}\n", account("root"));
  EXPECT_TRUE(s.plan.root_exclusive);
  EXPECT_EQ(s.plan.caps.bounding_drop, all_capabilities() & ~cap_bit(CAP_NET_BIND_SERVICE));
}

TEST_F(SessionResolve, PlanErrorsArePropagated) {
  auto r = resolve(policy("Security { chroot = \"/a\" }\nSecurity { user = root\n chroot = \"/b\" }\n"), account("root"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.first_error()->str(), HasSubstr("two different chroots"));
}

// An entry larger than the first buffer (a group with thousands of
// members) must be read whole after ERANGE, not reported as unavailable.
TEST(Nss, ReadsAGroupLargerThanTheFirstBuffer) {
  SECSTORE_NEEDS_PRIVATE_MOUNTS("a private /etc/group");
  char dir[] = "/tmp/secstore-nss-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string group_file = std::string(dir) + "/group";
  {
    std::ifstream in("/etc/group");
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream out(group_file);
    out << text.str();
    if (!text.str().empty() && text.str().back() != '\n') out << '\n';
    // 40,000 bytes of members: ten times the first buffer, so it grows
    // more than once.
    out << "secstore-huge:x:64900:";
    for (int i = 0; i < 4000; ++i) out << "member" << 1000 + i << ',';
    out << "root\n";
  }
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!secstore_test::enter_private_mount_namespace() ||
        ::mount(group_file.c_str(), "/etc/group", nullptr, MS_BIND, nullptr) != 0)
      ::_exit(10);
    const auto root = lookup_subject("root", GroupDetail::IdsAndNames);
    if (root.status != LookupStatus::Found) ::_exit(11);
    bool seen = false;
    for (const auto& g : root.subject.groups) seen = seen || (g.name == "secstore-huge" && g.gid == gid_t{64900});
    if (!seen) ::_exit(12);
    const auto huge = lookup_group("secstore-huge");
    ::_exit(huge.status == LookupStatus::Found && huge.gid == gid_t{64900} ? 0 : 13);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::unlink(group_file.c_str());
  ::rmdir(dir);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: no private /etc/group; 11: root not found; 12: the large group "
                                       "missing from root's groups; 13: lookup_group failed on it";
}

TEST(Nss, LooksUpAccountsAndGroups) {
  auto root = lookup_subject("root", GroupDetail::IdsAndNames);
  ASSERT_EQ(root.status, LookupStatus::Found);
  EXPECT_EQ(root.subject.uid, uid_t{0});
  ASSERT_FALSE(root.subject.groups.empty());
  EXPECT_EQ(root.subject.groups.front(), (SessionGroup{"root", 0}));
  auto primary = lookup_subject("root", GroupDetail::PrimaryOnly);
  EXPECT_EQ(primary.subject.groups.size(), 1u);
  auto ids = lookup_subject("root", GroupDetail::Ids);
  EXPECT_EQ(ids.subject.groups.size(), root.subject.groups.size());
  EXPECT_EQ(ids.subject.groups.front().name, "root");  // the primary group keeps its name

  auto unknown = lookup_subject("no-such-user-xq7", GroupDetail::IdsAndNames);
  EXPECT_EQ(unknown.status, LookupStatus::Unknown);
  EXPECT_EQ(unknown.message, "unknown user \"no-such-user-xq7\": the name service does not know it");
  EXPECT_EQ(lookup_subject("", GroupDetail::Ids).status, LookupStatus::Unknown);

  EXPECT_EQ(lookup_group("root").gid, gid_t{0});
  EXPECT_EQ(lookup_group("0").status, LookupStatus::Found);
  EXPECT_EQ(lookup_group("no-such-group-xq7").status, LookupStatus::Unknown);
  EXPECT_EQ(user_name(0), "root");

  auto names = lookup_names(NamesNeeded{{"root", "no-such-user-xq7"}, {"root", "no-such-group-xq7"}});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names.value->users.at("root"), 0u);
  EXPECT_EQ(names.value->users.count("no-such-user-xq7"), 0u);
  EXPECT_EQ(names.value->groups.at("root"), 0u);
  EXPECT_EQ(names.value->groups.count("no-such-group-xq7"), 0u);
}

}  // namespace
}  // namespace secstore::test
