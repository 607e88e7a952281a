// SPEC §2.3: what a parsed store means.
#include <gtest/gtest.h>

#include "store/data.hpp"
#include "store_test_support.hpp"

namespace secstore::testing {
namespace {

TEST(StorePaths, NormaliseDropsOuterSlashesAndCollapsesDoubles) {
  EXPECT_EQ(normalize_path("/a//b/"), "a/b");
  EXPECT_EQ(normalize_path("a"), "a");
  EXPECT_EQ(normalize_path("///x///y///z///"), "x/y/z");
  EXPECT_FALSE(normalize_path(""));
  EXPECT_FALSE(normalize_path("///"));
}

// The parser's shortcut (a path already normal is used as written, found
// eight bytes a step) agrees with normalize_path on every path of up to 19
// bytes of 'a' and '/': every place a "//" can straddle or end a step.
TEST(StorePaths, TheNormalFormShortcutAgreesWithNormalisingEveryShortPath) {
  for (unsigned length = 0; length <= 19; ++length) {
    for (std::uint32_t bits = 0; bits < (1u << length); ++bits) {
      std::string path;
      for (unsigned i = 0; i < length; ++i) path += (bits >> i) & 1 ? '/' : 'a';
      std::string storage;
      const std::string_view shortcut = detail::normal_view(path, storage);
      const auto normal = normalize_path(path);
      ASSERT_EQ(std::string(shortcut), normal.value_or("")) << "path \"" << path << "\"";
      if (normal && *normal == path) {
        ASSERT_EQ(shortcut.data(), path.data()) << "path \"" << path << "\" was copied";
      }
    }
  }
}

TEST(StorePaths, StatementPathsAreNormalised) {
  Store s = must_parse("set \"A\" path \"/a//b/\" permissions [READ_TOPIC]\n");
  EXPECT_EQ(path_names(s, {"A"}, "a/b"), Names({"READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "//a/b//"), Names({"READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "a/b/c"), Names({"READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "a"), Names{});
}

TEST(StorePaths, EmptyPathInAStatementIsAnError) {
  for (const char* text : {"isolate path \"\"\n", "set \"A\" path \"//\" permissions []\n",
                           "remove \"A\" permissions for path \"/\"\n"}) {
    auto out = Store::parse(text, "s.store");
    EXPECT_FALSE(out.ok()) << text;
    ASSERT_NE(out.first_error(), nullptr);
    EXPECT_NE(out.first_error()->message.find("expected a non-empty path"), std::string::npos)
        << out.first_error()->str();
  }
}

TEST(StorePaths, EmptyPathHasNoPermissions) {
  Store s = must_parse("set \"A\" default path permissions [READ_TOPIC]\n");
  EXPECT_EQ(path_names(s, {"A"}, ""), Names{});
  EXPECT_EQ(path_names(s, {"A"}, "/"), Names{});
}

TEST(StorePaths, InheritanceGoesBySegmentsNotByCharacters) {
  Store s = must_parse("set \"A\" path \"foo/bar\" permissions [READ_TOPIC]\n");
  EXPECT_EQ(path_names(s, {"A"}, "foo/bar/x"), Names({"READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "foo/barbaz"), Names{});
  EXPECT_EQ(path_names(s, {"A"}, "foo/ba"), Names{});
}

TEST(StorePaths, DeepPathsBeyondTheInlineBufferWork) {
  std::string deep, isolated, above_isolation;
  for (int i = 0; i < 100; ++i) {
    deep += "s" + std::to_string(i) + "/";
    if (i == 39) above_isolation = deep + "x";  // 41 levels: past the 32 kept inline
    if (i == 49) isolated = deep;
  }
  Store s = must_parse("set \"A\" path \"s0/s1\" permissions [READ_TOPIC]\nisolate path \"" + isolated + "\"\n");
  EXPECT_EQ(path_names(s, {"A"}, above_isolation), Names({"READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, deep + "leaf"), Names{});
  EXPECT_EQ(path_names(s, {"A"}, "s0/s1/s2"), Names({"READ_TOPIC"}));
}

TEST(StoreModel, LastSetWinsWithoutMerging) {
  Store s = must_parse(
      "set \"A\" permissions [AUTHENTICATE, VIEW_SERVER]\n"
      "set \"A\" permissions [CONTROL_SERVER]\n"
      "set \"A\" path \"p\" permissions [READ_TOPIC, UPDATE_TOPIC]\n"
      "set \"A\" path \"p\" permissions [SELECT_TOPIC]\n"
      "set \"A\" default path permissions [READ_TOPIC]\n"
      "set \"A\" default path permissions []\n"
      "set \"A\" includes [\"B\"]\n"
      "set \"A\" includes [\"C\"]\n"
      "set roles for named sessions [\"A\"]\n"
      "set roles for named sessions [\"B\"]\n");
  EXPECT_EQ(global_names(s, {"A"}), Names({"CONTROL_SERVER"}));
  EXPECT_EQ(path_names(s, {"A"}, "p"), Names({"SELECT_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "q"), Names{});
  EXPECT_EQ(s.role_names(s.closure_of({"A"})), Names({"A", "C"}));
  EXPECT_EQ(s.resolve(as_session(false, "u", {})).role_names, Names({"B"}));
}

TEST(StoreModel, RemoveOfAMissingAssignmentIsAWarningAndChangesNothing) {
  auto out = Store::parse(
      "set \"A\" path \"p\" permissions [READ_TOPIC]\n"
      "remove \"A\" permissions for path \"q\"\n"
      "remove \"B\" permissions for path \"p\"\n",
      "s.store");
  ASSERT_TRUE(out.ok()) << diagnostics_of(out);
  ASSERT_EQ(out.diagnostics.size(), 2u);
  EXPECT_EQ(out.diagnostics[0].str(),
            "s.store:2:1: warning: role \"A\" has no permissions for path \"q\" to remove; this statement changes nothing");
  EXPECT_EQ(out.diagnostics[1].where.line, 3u);
  EXPECT_EQ(path_names(*out.value, {"A"}, "p"), Names({"READ_TOPIC"}));
}

TEST(StoreModel, RemoveTwiceWarnsTheSecondTime) {
  auto out = Store::parse(
      "set \"A\" path \"p\" permissions [READ_TOPIC]\n"
      "remove \"A\" permissions for path \"/p/\"\n"
      "remove \"A\" permissions for path \"p\"\n",
      "s.store");
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out.diagnostics.size(), 1u);
  EXPECT_EQ(out.diagnostics[0].where.line, 3u);
}

TEST(StoreModel, AssignmentAtAnIsolatedLevelWinsOverTheIsolation) {
  Store s = must_parse(
      "set \"A\" default path permissions [READ_TOPIC]\n"
      "set \"A\" path \"iso\" permissions [UPDATE_TOPIC]\n"
      "isolate path \"iso\"\n");
  EXPECT_EQ(path_names(s, {"A"}, "iso"), Names({"UPDATE_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "iso/x"), Names({"UPDATE_TOPIC"}));
}

TEST(StoreModel, IsolationCutsOffAncestorAssignments) {
  Store s = must_parse(
      "set \"A\" path \"a\" permissions [READ_TOPIC]\n"
      "isolate path \"a/b\"\n");
  EXPECT_EQ(path_names(s, {"A"}, "a/x"), Names({"READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "a/b/c"), Names{});
}

TEST(StoreModel, RolesExistByBeingNamedAnywhere) {
  Store s = must_parse("set \"A\" includes [\"B\"]\nset roles for user \"u\" [\"C\"]\nremove \"D\" permissions for path \"p\"\n");
  EXPECT_TRUE(s.has_role("A"));
  EXPECT_TRUE(s.has_role("B"));
  EXPECT_TRUE(s.has_role("C"));
  EXPECT_TRUE(s.has_role("D"));
  EXPECT_FALSE(s.has_role("E"));
}

TEST(StoreModel, IncludesAreTransitive) {
  Store s = must_parse(
      "set \"A\" includes [\"B\"]\nset \"B\" includes [\"C\"]\nset \"C\" permissions [VIEW_SERVER]\n"
      "set \"C\" path \"p\" permissions [READ_TOPIC]\n");
  EXPECT_EQ(s.role_names(s.closure_of({"A"})), Names({"A", "B", "C"}));
  EXPECT_EQ(global_names(s, {"A"}), Names({"VIEW_SERVER"}));
  EXPECT_EQ(path_names(s, {"A"}, "p/q"), Names({"READ_TOPIC"}));
}

TEST(StoreModel, DiamondIncludesGiveEachRoleOnce) {
  Store s = must_parse("set \"A\" includes [\"B\", \"C\"]\nset \"B\" includes [\"D\"]\nset \"C\" includes [\"D\"]\n");
  EXPECT_EQ(s.closure_of({"A"}).size(), 4u);
}

TEST(StoreModel, LargeClosuresAreComplete) {
  std::string text = "set \"root\" includes [";
  for (int i = 0; i < 200; ++i) text += " \"r" + std::to_string(i) + "\"";
  text += "]\n";
  for (int i = 0; i < 199; ++i) text += "set \"r" + std::to_string(i) + "\" includes [\"r" + std::to_string(i + 1) + "\"]\n";
  Store s = must_parse(text);
  EXPECT_EQ(s.closure_of({"root"}).size(), 201u);
}

TEST(StoreModel, ManyRolesAtOnePathAreAllConsidered) {
  // More roles than the evaluator keeps inline, all assigning one path.
  std::string text;
  for (int i = 0; i < 100; ++i) {
    const std::string role = "r" + std::to_string(1000 + i);
    text += "set \"" + role + "\" path \"p\" permissions [" + (i == 99 ? "ACQUIRE_LOCK" : "") + "]\n";
    text += "set \"" + role + "\" default path permissions [READ_TOPIC]\n";
  }
  text += "set \"r1050\" path \"p/q\" permissions [UPDATE_TOPIC]\nisolate path \"p/q\"\n";
  Store s = must_parse(text);
  std::vector<std::string> all;
  for (int i = 0; i < 100; ++i) all.push_back("r" + std::to_string(1000 + i));
  EXPECT_EQ(path_names(s, all, "p"), Names({"ACQUIRE_LOCK"}));
  EXPECT_EQ(path_names(s, all, "p/q/r"), Names({"UPDATE_TOPIC"}));
  EXPECT_EQ(path_names(s, all, "elsewhere"), Names({"READ_TOPIC"}));
}

TEST(StoreModel, ARoleSetFromAnotherStoreHoldsNothingHere) {
  // RoleSet is opaque and remembers its store: another store's set (even of
  // the same text) is not trusted to index this one.
  const std::string text = read_test_file("tests/data/stores/worked-example.store");
  Store s = must_parse(text);
  Store other = must_parse(text);
  const RoleSet mine = s.closure_of({"A", "B"});
  const RoleSet foreign = other.closure_of({"A", "B"});
  EXPECT_EQ(mine.size(), foreign.size());
  for (const char* path : {"x", "x/y", "x/y/z/w", "iso/in/deep", "q"}) {
    EXPECT_FALSE(s.path_permissions(mine, path).empty()) << path;
    EXPECT_TRUE(s.path_permissions(foreign, path).empty()) << path;
  }
  EXPECT_TRUE(s.global_permissions(foreign).empty());
  EXPECT_TRUE(s.role_names(foreign).empty());
}

TEST(StoreCycles, DirectSelfIncludeIsAnErrorShowingTheCycle) {
  auto out = Store::parse("set \"A\" permissions []\nset \"A\" includes [\"A\"]\n", "s.store");
  EXPECT_FALSE(out.ok());
  ASSERT_NE(out.first_error(), nullptr);
  EXPECT_EQ(out.first_error()->str(), "s.store:2:1: error: role \"A\" includes itself: A -> A");
}

TEST(StoreCycles, IndirectCycleIsReportedAtTheStatementThatClosesIt) {
  auto out = Store::parse(
      "set \"A\" includes [\"B\"]\n"
      "set \"B\" includes [\"C\"]\n"
      "set \"X\" permissions []\n"
      "set \"C\" includes [\"A\"]\n",
      "s.store");
  EXPECT_FALSE(out.ok());
  ASSERT_NE(out.first_error(), nullptr);
  EXPECT_EQ(out.first_error()->str(), "s.store:4:1: error: role \"C\" includes itself: C -> A -> B -> C");
}

TEST(StoreCycles, TwoRoleCycle) {
  auto out = Store::parse("set \"B\" includes [\"A\"]\nset \"A\" includes [\"B\"]\n", "s.store");
  ASSERT_NE(out.first_error(), nullptr);
  EXPECT_EQ(out.first_error()->str(), "s.store:2:1: error: role \"A\" includes itself: A -> B -> A");
}

TEST(StoreCycles, ACycleReplacedLaterIsNoCycle) {
  Store s = must_parse("set \"A\" includes [\"B\"]\nset \"B\" includes [\"A\"]\nset \"B\" includes []\n");
  EXPECT_EQ(s.role_names(s.closure_of({"A"})), Names({"A", "B"}));
}

TEST(StoreSessions, AnonymousSessionGetsOnlyAnonymousRoles) {
  Store s = must_parse(
      "set roles for anonymous sessions [\"guest\"]\n"
      "set roles for named sessions [\"member\"]\n"
      "set roles for user \"anonymous\" [\"nobody\"]\n");
  EXPECT_EQ(s.resolve(as_session(true, "", {})).role_names, Names({"guest"}));
  EXPECT_EQ(s.resolve(as_session(true, "anonymous", {"users"})).role_names, Names({"guest"}));
}

TEST(StoreSessions, NamedSessionGetsNamedUserAndEveryGroupsRoles) {
  Store s = must_parse(
      "set roles for anonymous sessions [\"guest\"]\n"
      "set roles for named sessions [\"member\"]\n"
      "set roles for user \"alice\" [\"A\"]\n"
      "set roles for user \"bob\" [\"B\"]\n"
      "set roles for group \"netops\" [\"N\"]\n"
      "set roles for group \"wheel\" [\"W\"]\n"
      "set roles for group \"staff\" [\"S\"]\n"
      "set \"W\" includes [\"admin\"]\n");
  EXPECT_EQ(s.resolve(as_session(false, "alice", {"netops", "wheel"})).role_names, Names({"A", "N", "W", "admin", "member"}));
  EXPECT_EQ(s.resolve(as_session(false, "bob", {})).role_names, Names({"B", "member"}));
  EXPECT_EQ(s.resolve(as_session(false, "carol", {"unknown"})).role_names, Names({"member"}));
}

TEST(StoreSessions, EmptyUserOrGroupNameIsAnError) {
  auto out = Store::parse("set roles for user \"\" [\"A\"]\nset roles for group '' []\n", "s.store");
  EXPECT_FALSE(out.ok());
  ASSERT_EQ(out.diagnostics.size(), 2u);
  EXPECT_EQ(out.diagnostics[0].str(), "s.store:1:20: error: expected a user name, found an empty string");
  EXPECT_EQ(out.diagnostics[1].str(), "s.store:2:21: error: expected a group name, found an empty string");
}

TEST(StoreSessions, UserAndGroupNamesAreCaseSensitive) {
  Store s = must_parse("set roles for user \"Alice\" [\"A\"]\nset roles for group \"Ops\" [\"O\"]\n");
  EXPECT_TRUE(s.resolve(as_session(false, "alice", {"ops"})).roles.empty());
  EXPECT_EQ(s.resolve(as_session(false, "Alice", {"Ops"})).role_names, Names({"A", "O"}));
}

TEST(StoreSessions, NoSessionRolesMeansNoRoles) {
  Store s = must_parse("set \"A\" permissions [AUTHENTICATE]\n");
  EXPECT_TRUE(s.resolve(as_session(false, "alice", {"g"})).roles.empty());
  EXPECT_TRUE(s.resolve(as_session(true, "", {})).roles.empty());
  EXPECT_TRUE(s.global_permissions(s.resolve(as_session(true, "", {})).roles).empty());
}

TEST(StoreExpose, ExposeBranchIsHeldBelowWhereItIsHeld) {
  Store s = must_parse(
      "set \"A\" path \"a\" permissions [EXPOSE_BRANCH, READ_TOPIC]\n"
      "set \"A\" path \"a/b\" permissions [UPDATE_TOPIC]\n");
  EXPECT_EQ(path_names(s, {"A"}, "a"), Names({"EXPOSE_BRANCH", "READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "a/b"), Names({"EXPOSE_BRANCH", "UPDATE_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "a/b/c"), Names({"EXPOSE_BRANCH", "UPDATE_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "z"), Names{});
}

TEST(StoreExpose, ExposeBranchCrossesIsolationBelow) {
  Store s = must_parse("set \"A\" path \"a\" permissions [EXPOSE_BRANCH]\nisolate path \"a/b\"\n");
  EXPECT_EQ(path_names(s, {"A"}, "a/b/c"), Names({"EXPOSE_BRANCH"}));
}

TEST(StoreExpose, ExposeBranchFromOneRoleReachesTheSessionBelow) {
  Store s = must_parse(
      "set \"A\" path \"a\" permissions [EXPOSE_BRANCH]\n"
      "set \"A\" path \"a/b\" permissions []\n"
      "set \"B\" path \"a/b\" permissions [READ_TOPIC]\n");
  EXPECT_EQ(path_names(s, {"A", "B"}, "a/b"), Names({"EXPOSE_BRANCH", "READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"B"}, "a/b"), Names({"READ_TOPIC"}));
}

TEST(StoreExplain, RolesSayWhichStatementGaveThem) {
  Store s = must_parse(
      "set roles for named sessions [\"member\"]\n"
      "set roles for user \"alice\" [\"C\"]\n"
      "set roles for group \"ops\" [\"member\"]\n"
      "set \"C\" includes [\"A\"]\n",
      "e.store");
  auto origins = s.explain_roles(as_session(false, "alice", {"ops"}));
  ASSERT_EQ(origins.size(), 4u);
  EXPECT_EQ(origins[0].role, "member");
  EXPECT_EQ(origins[0].reason, "roles for named sessions");
  EXPECT_EQ(origins[0].where.line, 1u);
  EXPECT_EQ(origins[0].where.file, "e.store");
  EXPECT_EQ(origins[1].role, "C");
  EXPECT_EQ(origins[1].reason, "roles for user \"alice\"");
  EXPECT_EQ(origins[2].role, "member");
  EXPECT_EQ(origins[2].reason, "roles for group \"ops\"");
  EXPECT_EQ(origins[2].where.line, 3u);
  EXPECT_EQ(origins[3].role, "A");
  EXPECT_EQ(origins[3].reason, "included by \"C\"");
  EXPECT_EQ(origins[3].where.line, 4u);
}

TEST(StoreExplain, AnonymousRolesSayTheirList) {
  Store s = must_parse("set roles for anonymous sessions [\"guest\"]\n");
  auto origins = s.explain_roles(as_session(true, "", {}));
  ASSERT_EQ(origins.size(), 1u);
  EXPECT_EQ(origins[0].reason, "roles for anonymous sessions");
}

TEST(StoreGraph, RoleGrantsListEveryRoleListInForce) {
  Store s = must_parse(
      "set roles for group \"ops\" [\"member\"]\n"
      "set roles for user \"zed\" [\"C\", \"C\"]\n"
      "set roles for user \"alice\" [\"A\"]\n"
      "set roles for named sessions [\"old\"]\n"
      "set roles for named sessions [\"member\"]\n"
      "set roles for anonymous sessions []\n"
      "set \"C\" includes [\"B\", \"A\"]\n",
      "g.store");
  auto grants = s.role_grants();
  ASSERT_EQ(grants.size(), 5u);
  EXPECT_EQ(grants[0].to, RoleGrant::To::NamedSessions);
  EXPECT_EQ(grants[0].roles, Names({"member"}));  // the last set wins
  EXPECT_EQ(grants[0].where.line, 5u);
  EXPECT_EQ(grants[1].to, RoleGrant::To::AnonymousSessions);
  EXPECT_TRUE(grants[1].roles.empty());
  EXPECT_EQ(grants[2].to, RoleGrant::To::User);
  EXPECT_EQ(grants[2].name, "alice");
  EXPECT_EQ(grants[3].name, "zed");
  EXPECT_EQ(grants[3].roles, Names({"C"}));
  EXPECT_EQ(grants[4].to, RoleGrant::To::Group);
  EXPECT_EQ(grants[4].name, "ops");
  EXPECT_EQ(grants[4].where.file, "g.store");
  EXPECT_EQ(s.includes_of("C"), Names({"A", "B"}));
  EXPECT_TRUE(s.includes_of("A").empty());
  EXPECT_TRUE(s.includes_of("nobody").empty());
}

TEST(StoreExplain, PathDecisionsNameTheDecidingStatement) {
  Store s = must_parse(read_test_file("tests/data/stores/worked-example.store"), "w.store");
  auto roles = s.closure_of({"A", "B"});
  auto at_xyz = s.explain_path(roles, "/x/y/z/");
  ASSERT_EQ(at_xyz.size(), 2u);
  EXPECT_EQ(at_xyz[0].role, "A");
  EXPECT_EQ(at_xyz[0].kind, PathDecision::Kind::Assignment);
  EXPECT_EQ(at_xyz[0].at_path, "x/y");
  EXPECT_EQ(at_xyz[0].where.line, 5u);
  EXPECT_TRUE(at_xyz[0].permissions.empty());
  EXPECT_EQ(at_xyz[1].role, "B");
  EXPECT_EQ(at_xyz[1].kind, PathDecision::Kind::Assignment);
  EXPECT_EQ(at_xyz[1].at_path, "x/y/z");
  EXPECT_EQ(at_xyz[1].where.line, 7u);

  auto at_q = s.explain_path(roles, "q");
  EXPECT_EQ(at_q[0].kind, PathDecision::Kind::Default);
  EXPECT_EQ(at_q[0].where.line, 3u);
  EXPECT_EQ(names_of(at_q[0].permissions), Names({"READ_TOPIC"}));

  auto at_iso = s.explain_path(s.closure_of({"A"}), "iso/x");
  ASSERT_EQ(at_iso.size(), 1u);
  EXPECT_EQ(at_iso[0].kind, PathDecision::Kind::Isolated);
  EXPECT_EQ(at_iso[0].at_path, "iso");
  EXPECT_EQ(at_iso[0].where.line, 10u);

  auto no_default = s.explain_path(s.closure_of({"C"}), "q");
  ASSERT_EQ(no_default.size(), 2u);
  EXPECT_EQ(no_default[1].role, "C");
  EXPECT_EQ(no_default[1].kind, PathDecision::Kind::NoDefault);
}

TEST(StoreExplain, InheritedExposeBranchSaysWhereItCameFrom) {
  Store s = must_parse("set \"A\" path \"a\" permissions [EXPOSE_BRANCH]\nset \"A\" path \"a/b\" permissions []\n");
  auto d = s.explain_path(s.closure_of({"A"}), "a/b/c");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].at_path, "a/b");
  EXPECT_EQ(d[0].expose_branch_from, "a");
  EXPECT_EQ(d[0].expose_branch_where.line, 1u);
  EXPECT_EQ(names_of(d[0].permissions), Names({"EXPOSE_BRANCH"}));
}

TEST(StoreExplain, ExplainAgreesWithEvaluationOnTheWorkedExample) {
  Store s = must_parse(read_test_file("tests/data/stores/worked-example.store"));
  auto roles = s.closure_of({"A", "B", "C"});
  for (const char* path : {"q", "x", "x/w", "x/y", "x/y/z", "x/y/z/w", "iso", "iso/in", "iso/in/deep"}) {
    PathPermissions from_explain;
    for (const auto& d : s.explain_path(roles, path)) from_explain |= d.permissions;
    EXPECT_EQ(from_explain, s.path_permissions(roles, path)) << path;
  }
}

}  // namespace
}  // namespace secstore::testing
