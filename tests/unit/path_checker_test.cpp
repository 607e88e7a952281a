// PathChecker: a session's path permissions compiled once must answer
// exactly as Store::path_permissions does, and hold only the part of the
// store that can change the session's answers. Both go through the one path
// walk (lib/src/eval/walk.cpp); the differential test below also compares
// them with a literal reading of SPEC §2.3 written here, so the walk itself
// is checked against the contract and not only against itself.
#include "secstore/path_checker.hpp"

#include <map>

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "eval/role_set.hpp"
#include "store/access.hpp"
#include "store_test_support.hpp"

namespace secstore::testing {
namespace {

Names checker_names(const Store& s, const std::vector<std::string>& roles, const std::string& path) {
  return sorted(names_of(s.path_checker(s.closure_of(roles)).permissions(path)));
}

// SPEC §2.3's worked example, every path row (the global row asks no path).
struct WorkedRow {
  std::string after;  // a statement appended to the example first, or ""
  std::vector<std::string> roles;
  std::string path;
  Names expected;
};

const WorkedRow kWorkedRows[] = {
    {"", {"A"}, "q", {"READ_TOPIC"}},
    {"", {"A"}, "x/w", {"UPDATE_TOPIC"}},
    {"", {"A"}, "x/y/z", {}},
    {"", {"A", "B"}, "x", {"SELECT_TOPIC", "UPDATE_TOPIC"}},
    {"", {"A", "B"}, "x/y", {"SELECT_TOPIC"}},
    {"", {"A", "B"}, "x/y/z/w", {"MODIFY_TOPIC"}},
    {"", {"A"}, "iso", {}},
    {"", {"B"}, "iso/in/deep", {"READ_TOPIC"}},
    {"", {"C"}, "x", {"UPDATE_TOPIC"}},
    {"remove \"A\" permissions for path \"x/y\"\n", {"A"}, "x/y/z", {"UPDATE_TOPIC"}},
    {"deisolate path \"iso\"\n", {"A"}, "iso", {"READ_TOPIC"}},
};

class CheckerWorkedExample : public ::testing::Test {
 protected:
  static std::string text() { return read_test_file("tests/data/stores/worked-example.store"); }
  Store store = must_parse(text(), "worked-example.store");
};

TEST_F(CheckerWorkedExample, EveryPathRowOfTheSpec) {
  for (const auto& row : kWorkedRows) {
    const Store s = row.after.empty() ? store : must_parse(text() + row.after);
    EXPECT_EQ(checker_names(s, row.roles, row.path), row.expected)
        << "path \"" << row.path << "\", " << row.roles.size() << " roles, after \"" << row.after << "\"";
  }
}

TEST_F(CheckerWorkedExample, PathsAreNormalisedFirst) {
  const PathChecker checker = store.path_checker(store.closure_of({"A", "B"}));
  EXPECT_EQ(sorted(names_of(checker.permissions("//x///y/z/w/"))), Names({"MODIFY_TOPIC"}));
  EXPECT_EQ(sorted(names_of(checker.permissions("/x/"))), Names({"SELECT_TOPIC", "UPDATE_TOPIC"}));
  EXPECT_TRUE(checker.permissions("").empty());
  EXPECT_TRUE(checker.permissions("///").empty());
}

// --- Differential: random stores, sessions and paths --------------------

// Few short segments, so that nodes nest deeply and often; "ab" is a
// sibling of "a", not below it (SPEC §2.3: inheritance goes by segments).
const char* const kSegments[] = {"a", "b", "ab", "c"};

std::string random_path(std::mt19937& rng, unsigned max_depth) {
  std::string p = kSegments[rng() % 4];
  for (unsigned d = 1 + rng() % max_depth; d > 1; --d) p += std::string("/") + kSegments[rng() % 4];
  return p;
}

// Path permission lists with EXPOSE_BRANCH in about half of them, and empty
// ones often: the rules most easily got wrong.
std::string random_list(std::mt19937& rng) {
  const char* names[] = {"READ_TOPIC", "UPDATE_TOPIC", "SELECT_TOPIC", "EXPOSE_BRANCH", "EXPOSE_BRANCH"};
  std::string out = "[";
  for (unsigned n = rng() % 3; n > 0; --n) out += std::string(out.size() > 1 ? ", " : "") + names[rng() % 5];
  return out + "]";
}

std::string random_store(unsigned seed, unsigned& roles) {
  std::mt19937 rng(seed);
  roles = 1 + rng() % 10;
  auto role = [](unsigned i) { return "\"r" + std::to_string(i) + "\""; };
  std::string text;
  for (unsigned i = 0; i < roles; ++i) text += "set " + role(i) + " permissions []\n";  // every role exists
  for (unsigned k = rng() % 40; k > 0; --k) {
    const unsigned r = rng() % roles;
    switch (rng() % 10) {
      case 0:
      case 1:
        text += "set " + role(r) + " default path permissions " + random_list(rng) + "\n";
        break;
      case 2:
        text += "remove " + role(r) + " permissions for path \"" + random_path(rng, 4) + "\"\n";
        break;
      case 3:
      case 4:
        text += "isolate path \"" + random_path(rng, 4) + "\"\n";
        break;
      case 5:
        text += "deisolate path \"" + random_path(rng, 4) + "\"\n";
        break;
      case 6:
        if (r > 0) text += "set " + role(r) + " includes [" + role(rng() % r) + "]\n";  // acyclic
        break;
      default:
        text += "set " + role(r) + " path \"" + random_path(rng, 5) + "\" permissions " + random_list(rng) + "\n";
    }
  }
  return text;
}

RoleSet random_session(std::mt19937& rng, const Store& store, unsigned roles) {
  std::vector<std::string> names;
  for (unsigned i = 0; i < roles; ++i)
    if (rng() % 3 == 0) names.push_back("r" + std::to_string(i));
  return store.closure_of(names);
}

// SPEC §2.3 as written: "for each role in the closure, walk from the path up
// through its ancestors; at each level, if the role has an assignment there,
// that assignment (possibly empty) is the role's answer; otherwise, if that
// level is isolated, the role's answer is empty; if the walk ends with
// neither, the answer is the role's default path permissions. The session's
// permissions are the union of its roles' answers. EXPOSE_BRANCH held at a
// path is held at every path below it."
PathPermissions spec_answer(const detail::StoreData& d, const std::vector<std::uint32_t>& roles,
                            const std::string& normal) {
  std::vector<std::string> levels;  // the path, then each ancestor
  for (std::string p = normal;; p = p.substr(0, p.rfind('/'))) {
    levels.push_back(p);
    if (p.find('/') == std::string::npos) break;
  }
  auto node_at = [&](const std::string& p) -> const detail::PathNode* {
    for (const auto& n : d.nodes)
      if (n.path == p) return &n;
    return nullptr;
  };
  auto union_at = [&](std::size_t from) {
    PathPermissions all;
    for (auto role : roles) {
      PathPermissions answer = d.roles[role].default_path;
      for (std::size_t l = from; l < levels.size(); ++l) {
        const detail::PathNode* n = node_at(levels[l]);
        if (n == nullptr) continue;
        auto a = std::find_if(n->assignments.begin(), n->assignments.end(),
                              [&](const detail::RoleAssignment& x) { return x.role == role; });
        if (a != n->assignments.end()) {
          answer = a->permissions;
          break;
        }
        if (n->isolated) {
          answer = {};
          break;
        }
      }
      all |= answer;
    }
    return all;
  };
  PathPermissions result = union_at(0);
  for (std::size_t above = 1; above < levels.size(); ++above)
    if (union_at(above).has(PathPermission::EXPOSE_BRANCH)) result.add(PathPermission::EXPOSE_BRANCH);
  return result;
}

std::string random_query(std::mt19937& rng) {
  std::string p = random_path(rng, 8);  // deeper than any node
  switch (rng() % 8) {
    case 0:
      return "/" + p;
    case 1:
      return p + "/";
    case 2: {
      const auto slash = p.find('/');
      return slash == std::string::npos ? "//" + p : p.insert(slash, "/");
    }
    case 3:
      return rng() % 2 ? "" : "/";
    case 4:
      return "zz/" + p;  // under nothing the store names
    default:
      return p;
  }
}

TEST(PathCheckerDifferential, AnswersAsStorePathPermissionsOnRandomStores) {
  std::size_t compared = 0;
  for (unsigned seed = 1; seed <= 400; ++seed) {
    unsigned roles = 0;
    const std::string text = random_store(seed, roles);
    const Store store = must_parse(text);
    std::mt19937 rng(seed * 7919);
    for (int s = 0; s < 6; ++s) {
      const RoleSet session = random_session(rng, store, roles);
      const auto& data = detail::StoreAccess::data(store);
      const auto span = detail::RoleSetAccess::ids_for(session, detail::StoreAccess::shared(store).get());
      const std::vector<std::uint32_t> ids(span.begin(), span.end());
      const PathChecker checker = store.path_checker(session);
      for (int q = 0; q < 40; ++q) {
        const std::string path = random_query(rng);
        const auto normal = normalize_path(path);
        const Names expected = normal ? names_of(spec_answer(data, ids, *normal)) : Names{};
        ASSERT_EQ(names_of(store.path_permissions(session, path)), expected)
            << "path \"" << path << "\", session of " << session.size() << " roles, store:\n"
            << text;
        ASSERT_EQ(names_of(checker.permissions(path)), expected)
            << "path \"" << path << "\", session of " << session.size() << " roles, store:\n"
            << text;
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 400u * 6 * 40);
}

// --- What the checker holds ----------------------------------------------

TEST(PathCheckerEntries, AnIsolationThatChangesNothingForTheSessionIsPruned) {
  const std::string base =
      "set \"A\" default path permissions [READ_TOPIC]\n"
      "set \"A\" path \"p\" permissions []\n";
  const Store without = must_parse(base);
  // A already has nothing at p, so isolating p/q changes none of A's answers.
  const Store useless = must_parse(base + "isolate path \"p/q\"\n");
  // A has READ_TOPIC at r by default; isolating r takes it away.
  const Store useful = must_parse(base + "isolate path \"r\"\n");
  const auto entries = [](const Store& s) { return s.path_checker(s.closure_of({"A"})).entries(); };
  EXPECT_EQ(entries(without), 1u);
  EXPECT_EQ(entries(useless), 1u);
  EXPECT_EQ(entries(useful), 2u);
  const PathChecker checker = useful.path_checker(useful.closure_of({"A"}));
  EXPECT_TRUE(checker.permissions("r/s").empty());
  EXPECT_EQ(names_of(checker.permissions("s")), Names({"READ_TOPIC"}));
}

TEST(PathCheckerEntries, WhetherAnIsolationMattersDependsOnTheSession) {
  const Store s = must_parse(
      "set \"A\" default path permissions [READ_TOPIC]\n"
      "set \"B\" default path permissions []\n"
      "isolate path \"r\"\n");
  EXPECT_EQ(s.path_checker(s.closure_of({"A"})).entries(), 1u);
  EXPECT_EQ(s.path_checker(s.closure_of({"B"})).entries(), 0u);  // B has nothing anywhere
}

TEST(PathCheckerEntries, AnIsolationBelowAnAssignmentStillEmptiesTheOtherRoles) {
  const Store s = must_parse(
      "set \"A\" path \"p\" permissions [READ_TOPIC]\n"
      "set \"B\" path \"p\" permissions [UPDATE_TOPIC]\n"
      "set \"A\" path \"p/q\" permissions [READ_TOPIC]\n"
      "isolate path \"p/q\"\n");
  const PathChecker checker = s.path_checker(s.closure_of({"A", "B"}));
  EXPECT_EQ(checker.entries(), 2u);
  EXPECT_EQ(names_of(checker.permissions("p/q/r")), Names({"READ_TOPIC"}));
  EXPECT_EQ(s.path_checker(s.closure_of({"A"})).entries(), 1u);  // for A alone p/q changes nothing
}

TEST(PathCheckerEntries, ANodeThatChangesStatesButNotTheirUnionIsNotHeld) {
  const Store s = must_parse(
      "set \"A\" default path permissions [READ_TOPIC]\n"
      "set \"B\" default path permissions [READ_TOPIC]\n"
      "set \"A\" path \"p\" permissions []\n"
      "set \"A\" path \"p/q\" permissions [UPDATE_TOPIC]\n");
  // At p, A has nothing but B still has READ_TOPIC: the session's answer is
  // the one above, so only p/q is held, and p/q's answer still counts B's.
  const PathChecker checker = s.path_checker(s.closure_of({"A", "B"}));
  EXPECT_EQ(checker.entries(), 1u);
  EXPECT_EQ(sorted(names_of(checker.permissions("p/q/r"))), Names({"READ_TOPIC", "UPDATE_TOPIC"}));
  EXPECT_EQ(s.path_checker(s.closure_of({"A"})).entries(), 2u);
}

TEST(PathCheckerEntries, OnlyTheSessionsPartOfTheStoreIsHeld) {
  std::string text = "set \"A\" path \"mine\" permissions [READ_TOPIC]\n";
  for (int i = 0; i < 1000; ++i)
    text += "set \"Z\" path \"other/" + std::to_string(i) + "\" permissions [READ_TOPIC]\n";
  const Store s = must_parse(text);
  EXPECT_EQ(s.path_checker(s.closure_of({"A"})).entries(), 1u);
  EXPECT_EQ(s.path_checker(s.closure_of({"Z"})).entries(), 1000u);
}

TEST(PathChecker, OutlivesItsStore) {
  auto store = std::make_unique<Store>(must_parse("set \"A\" path \"p/q\" permissions [ACQUIRE_LOCK]\n"));
  const PathChecker checker = store->path_checker(store->closure_of({"A"}));
  store.reset();
  EXPECT_EQ(names_of(checker.permissions("p/q/r")), Names({"ACQUIRE_LOCK"}));
  EXPECT_TRUE(checker.permissions("p").empty());
}

TEST(PathChecker, ADefaultCheckerGrantsNothing) {
  const PathChecker checker;
  EXPECT_TRUE(checker.permissions("a/b").empty());
  EXPECT_EQ(checker.entries(), 0u);
}

TEST(PathChecker, LongSegmentsAndDeepPathsAreFound) {
  const std::string long_segment(100, 'x');
  const std::string deep = "a/b/c/d/e/f/g/h/i/j/k/" + long_segment + "/l";
  const Store s = must_parse("set \"A\" path \"" + deep + "\" permissions [SEND_TO_SESSION]\n" + "set \"A\" path \"" +
                             long_segment + "\" permissions [READ_TOPIC]\n");
  const PathChecker checker = s.path_checker(s.closure_of({"A"}));
  EXPECT_EQ(names_of(checker.permissions(deep + "/m/n")), Names({"SEND_TO_SESSION"}));
  EXPECT_TRUE(checker.permissions(deep.substr(0, deep.size() - 2) + "/lm").empty());
  EXPECT_EQ(names_of(checker.permissions(long_segment + "/z")), Names({"READ_TOPIC"}));
  EXPECT_TRUE(checker.permissions(long_segment + "y").empty());
}

}  // namespace
}  // namespace secstore::testing
