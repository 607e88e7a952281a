// The compiled policy (SPEC §3, `secstore compile`): read through Policy, it
// answers exactly what the text answers — roles, permissions at every path,
// and the plan — and it is never used when any file it was compiled from
// has changed, when it is damaged, or when it is unsafe.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "needs_root.hpp"
#include "index/format.hpp"
#include "policy/opening.hpp"
#include "secstore/policy.hpp"
#include "store_test_support.hpp"

namespace secstore::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class IndexDir {
 public:
  IndexDir() {
    std::string pattern = (fs::temp_directory_path() / "secstore-index-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  IndexDir(const IndexDir&) = delete;
  IndexDir& operator=(const IndexDir&) = delete;
  ~IndexDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text, mode_t mode = 0644) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  ::chmod(path.c_str(), mode);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Policy open_as(const PolicyFiles& files, bool use_index, std::vector<Diagnostic>* warnings = nullptr) {
  auto opened = Policy::open(files, Policy::Options{FileSafety{true}, use_index});
  std::string all;
  for (const auto& d : opened.diagnostics) all += d.str() + "\n";
  EXPECT_TRUE(opened.ok()) << all;
  if (warnings) *warnings = opened.diagnostics;
  return std::move(*opened.value);
}

// Both answers for one session: roles, global permissions, plan, and the
// permissions at each path.
void expect_same(const Policy& text, const Policy& compiled, const SessionSubject& who,
                 const std::vector<std::string>& paths, const std::string& context) {
  const ResolvedNames names;
  auto a = text.resolve(who, names, kernel_capability_count());
  auto b = compiled.resolve(who, names, kernel_capability_count());
  ASSERT_EQ(a.ok(), b.ok()) << context;
  auto texts = [](const std::vector<Diagnostic>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(d.str());
    return out;
  };
  if (!a.ok()) {
    EXPECT_EQ(texts(b.diagnostics), texts(a.diagnostics)) << context;
    return;
  }
  EXPECT_TRUE(b.diagnostics.empty()) << context << ": " << b.diagnostics.front().str();
  ASSERT_EQ(b.value->plan.matched.size(), a.value->plan.matched.size()) << context;
  for (std::size_t i = 0; i < a.value->plan.matched.size(); ++i) {
    EXPECT_EQ(b.value->plan.matched[i].name, a.value->plan.matched[i].name) << context;
    EXPECT_EQ(b.value->plan.matched[i].where.file, a.value->plan.matched[i].where.file) << context;
    EXPECT_EQ(b.value->plan.matched[i].where.line, a.value->plan.matched[i].where.line) << context;
    EXPECT_EQ(b.value->plan.matched[i].where.column, a.value->plan.matched[i].where.column) << context;
  }
  EXPECT_EQ(b.value->plan.supplemental_groups, a.value->plan.supplemental_groups) << context;
  EXPECT_EQ(b.value->access.role_names, a.value->access.role_names) << context;
  EXPECT_EQ(b.value->access.global.bits, a.value->access.global.bits) << context;
  EXPECT_EQ(b.value->plan.caps, a.value->plan.caps) << context;
  EXPECT_EQ(b.value->plan.chroot, a.value->plan.chroot) << context;
  EXPECT_EQ(b.value->plan.root_exclusive, a.value->plan.root_exclusive) << context;
  auto held_a = text.path_permissions(*a.value, paths);
  auto held_b = compiled.path_permissions(*b.value, paths);
  ASSERT_TRUE(held_a.ok() && held_b.ok()) << context;
  EXPECT_TRUE(held_b.diagnostics.empty()) << context;
  for (std::size_t i = 0; i < paths.size(); ++i)
    EXPECT_EQ(names_of((*held_b.value)[i]), names_of((*held_a.value)[i])) << context << ", path \"" << paths[i] << "\"";
}

// The text as pam_secstore reads it for a session without require_path=.
Policy open_without_paths(const PolicyFiles& files) {
  auto opened = detail::PolicyOpening::open(files, Policy::Options{FileSafety{true}, false},
                                            detail::StoreParts::WithoutPaths);
  std::string all;
  for (const auto& d : opened.diagnostics) all += d.str() + "\n";
  EXPECT_TRUE(opened.ok()) << all;
  return std::move(*opened.value);
}

// Every quoted path a store names, with a child and its parents, plus a few
// it does not name (and forms that need normalising).
std::vector<std::string> paths_of(const std::string& text) {
  std::vector<std::string> paths = {"nowhere", "nowhere/deeper", "/x//y/", "", "/"};
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    for (const char* key : {"path ", "topic "}) {
      auto at = line.find(key);
      if (at == std::string::npos) continue;
      at += std::string(key).size();
      if (at >= line.size() || (line[at] != '"' && line[at] != '\'')) continue;
      auto end = line.find(line[at], at + 1);
      if (end == std::string::npos) continue;
      std::string p = line.substr(at + 1, end - at - 1);
      paths.push_back(p);
      paths.push_back(p + "/below/deeper");
      for (auto slash = p.rfind('/'); slash != std::string::npos && slash > 0; slash = p.rfind('/', slash - 1))
        paths.push_back(p.substr(0, slash));
    }
  }
  return paths;
}

// Users and groups a store names, plus one of each it does not.
void subjects_of(const std::string& text, std::vector<std::string>& users, std::vector<std::string>& groups) {
  users = {"nobody-in-the-store"};
  groups = {"no-such-group"};
  std::istringstream lines(text);
  std::string line;
  auto quoted_after = [&](const std::string& key, std::vector<std::string>& into) {
    auto at = line.find(key);
    if (at == std::string::npos) return;
    at += key.size();
    const char quote = line[at];
    auto end = line.find(quote, at + 1);
    if (end != std::string::npos) into.push_back(line.substr(at + 1, end - at - 1));
  };
  while (std::getline(lines, line)) {
    quoted_after("for user ", users);
    quoted_after("for group ", groups);
  }
}

// A random, valid store: roles with global permissions, acyclic includes
// (a role includes only lower-numbered ones), session lists set more than
// once (the last one wins), and user and group lists.
std::string generated_store(unsigned seed) {
  std::mt19937 rng(seed);
  const char* globals[] = {"AUTHENTICATE", "VIEW_SESSION", "MODIFY_SESSION", "VIEW_SERVER",
                           "CONTROL_SERVER", "VIEW_SECURITY"};
  auto pick = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
  const char* path_perms[] = {"READ_TOPIC", "EXPOSE_BRANCH", "READ_TOPIC, EXPOSE_BRANCH", ""};
  const char* paths[] = {"a", "a/b", "a/b/c", "a/bc", "x/y", "x", "a/b/c/d/e"};
  const unsigned roles = 3 + pick(40);
  auto role = [](unsigned i) { return "\"role" + std::to_string(i) + "\""; };
  auto role_list = [&](unsigned max) {
    std::string out = "[";
    const unsigned n = pick(max + 1);
    for (unsigned i = 0; i < n; ++i) out += (i ? ", " : "") + role(pick(roles));
    return out + "]";
  };
  std::string text;
  for (unsigned i = 0; i < roles; ++i) {
    if (pick(3) != 0) text += "set " + role(i) + " permissions [" + globals[pick(6)] + "]\n";
    if (i > 0 && pick(2) == 0) {
      text += "set " + role(i) + " includes [";
      const unsigned n = 1 + pick(3);
      for (unsigned k = 0; k < n; ++k) text += (k ? ", " : "") + role(pick(i));
      text += "]\n";
    }
    if (pick(3) == 0) text += "set " + role(i) + " default path permissions [" + path_perms[pick(4)] + "]\n";
    for (unsigned k = pick(4); k > 0; --k)
      text += "set " + role(i) + " path \"" + paths[pick(7)] + "\" permissions [" + path_perms[pick(4)] + "]\n";
    if (pick(5) == 0) text += "remove " + role(i) + " permissions for path \"" + paths[pick(7)] + "\"\n";
  }
  for (unsigned k = pick(3); k > 0; --k) text += std::string("isolate path \"") + paths[pick(7)] + "\"\n";
  if (pick(3) == 0) text += std::string("deisolate path \"") + paths[pick(7)] + "\"\n";
  for (unsigned k = 0; k < 1 + pick(3); ++k) text += "set roles for named sessions " + role_list(4) + "\n";
  if (pick(3) != 0) text += "set roles for anonymous sessions " + role_list(3) + "\n";
  for (unsigned u = 0; u < pick(30); ++u)
    text += "set roles for user \"user" + std::to_string(pick(20)) + "\" " + role_list(5) + "\n";
  for (unsigned g = 0; g < pick(30); ++g)
    text += "set roles for group 'grp" + std::to_string(pick(20)) + "' " + role_list(5) + "\n";
  return text;
}

// A configuration whose scopes select by the generated roles, so that plans
// differ between sessions.
const char* kRoleConf =
    "Security \"r1\" { role = role1\n capabilities = \"cap_net_raw+ep\" }\n"
    "Security \"r2\" { role = ( role2 role7 )\n capabilities = \"^cap_net_bind_service,!cap_sys_module\" }\n"
    "Security \"r3\" { role = role3\n capabilities = \"cap_chown+i\" }\n"
    // Names the store may lack, a prefix and an extension of real ones, and
    // a case difference: the index numbers roles, the text compares names.
    "Security \"r4\" { role = ( nosuch role1x ROLE1 role )\n capabilities = \"cap_kill+i\" }\n"
    "Security \"r5\" { role = ( role12 role39 nosuch )\n capabilities = \"cap_fowner+i\" }\n";

// Compiles `text` (with `conf`) in `dir` and checks every session the store
// can tell apart against the parsed text.
void expect_compiled_matches_text(const IndexDir& dir, const std::string& text, const std::string& conf,
                                  const std::string& context) {
  const PolicyFiles files{dir.file("Security.store"), dir.file("secstore.conf"), {}};
  write_file(files.store, text);
  write_file(files.conf, conf);
  auto compiled = compile_policy(files, FileSafety{true});
  ASSERT_TRUE(compiled.ok()) << context << ": " << (compiled.first_error() ? compiled.first_error()->str() : "");
  EXPECT_EQ(*compiled.value, files.store + ".idx");
  const Policy from_index = open_as(files, true);
  const Policy from_text = open_as(files, false);
  const Policy for_session = open_without_paths(files);
  ASSERT_EQ(from_index.form(), Policy::Form::Compiled) << context;
  ASSERT_EQ(from_text.form(), Policy::Form::Text) << context;
  EXPECT_EQ(from_index.group_detail(), from_text.group_detail()) << context;
  std::vector<std::string> users, groups;
  subjects_of(text, users, groups);
  const auto paths = paths_of(text);
  EXPECT_EQ(for_session.group_detail(), from_text.group_detail()) << context;
  expect_same(from_text, from_index, SessionSubject::anonymous_session(), paths, context + ", anonymous");
  expect_same(from_text, for_session, SessionSubject::anonymous_session(), {}, context + ", anonymous, no paths");
  for (const auto& user : users) {
    expect_same(from_text, from_index, SessionSubject::named(user, {}), paths, context + ", user " + user);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      std::vector<std::string> some(groups.begin() + static_cast<std::ptrdiff_t>(g), groups.end());
      expect_same(from_text, from_index, SessionSubject::named(user, some), {},
                  context + ", user " + user + " with " + std::to_string(some.size()) + " groups");
      expect_same(from_text, for_session, SessionSubject::named(user, some), {},
                  context + ", user " + user + " with " + std::to_string(some.size()) + " groups, no paths");
    }
  }
}

TEST(CompiledPolicy, AnswersAsTheTextDoesForEveryTestStore) {
  SECSTORE_NEEDS_ROOT("the index and its sources must be owned by root");
  IndexDir dir;
  for (const char* file : {"tests/data/stores/rich.store", "tests/data/stores/worked-example.store",
                           "tests/data/cli/worked-example.store", "tests/data/pam/Security.store"})
    expect_compiled_matches_text(dir, read_test_file(file), "", file);
  expect_compiled_matches_text(dir, "", "", "an empty store");
}

// pam_secstore without require_path= reads the text WithoutPaths: the
// session it resolves is the whole store's (here its role comes through an
// include, and a scope selects by it), and a path question is refused, not
// answered "nothing".
TEST(PolicyWithoutPaths, GivesTheSameSessionAndRefusesPathQuestions) {
  IndexDir dir;
  const PolicyFiles files{dir.file("Security.store"), dir.file("secstore.conf"), {}};
  write_file(files.store,
             "set \"viewer\" path \"a/b\" permissions [READ_TOPIC]\n"
             "set \"top\" includes [\"viewer\"]\n"
             "remove \"viewer\" permissions for path \"nowhere\"\n"
             "isolate path \"a\"\n"
             "set roles for named sessions [\"top\"]\n");
  write_file(files.conf, "Security { role = viewer\n capabilities = \"cap_net_raw+i\" }\n");
  const Policy::Options options{FileSafety{false}, false};
  auto full = Policy::open(files, options);
  auto lean = detail::PolicyOpening::open(files, options, detail::StoreParts::WithoutPaths);
  ASSERT_TRUE(full.ok() && lean.ok());
  // The full text warns that the removal removes nothing; without the tree
  // that cannot be known, and is not said. (Not root, both also warn that
  // the module would refuse these files.)
  auto removals = [](const std::vector<Diagnostic>& ds) {
    std::size_t n = 0;
    for (const auto& d : ds) n += d.str().find("to remove; this statement changes nothing") != std::string::npos;
    return n;
  };
  EXPECT_EQ(removals(full.diagnostics), 1u);
  EXPECT_EQ(removals(lean.diagnostics), 0u);
  EXPECT_EQ(lean.diagnostics.size(), full.diagnostics.size() - 1);

  const ResolvedNames names;
  auto a = full.value->resolve(SessionSubject::named("alice", {}), names, kernel_capability_count());
  auto b = lean.value->resolve(SessionSubject::named("alice", {}), names, kernel_capability_count());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b.value->access.role_names, (std::vector<std::string>{"top", "viewer"}));
  EXPECT_EQ(b.value->access.role_names, a.value->access.role_names);
  EXPECT_EQ(b.value->plan.caps, a.value->plan.caps);
  ASSERT_EQ(b.value->plan.matched.size(), 1u);

  const std::vector<std::string> none;
  EXPECT_TRUE(lean.value->path_permissions(*b.value, none).ok());
  const std::vector<std::string> one = {"a/b"};
  auto held = lean.value->path_permissions(*b.value, one);
  ASSERT_FALSE(held.ok());
  EXPECT_THAT(held.diagnostics.front().str(), HasSubstr("cannot answer for a path"));
  auto really = full.value->path_permissions(*a.value, one);
  ASSERT_TRUE(really.ok());
  EXPECT_EQ(names_of(really.value->front()), (std::vector<std::string>{"READ_TOPIC"}));
  EXPECT_FALSE(lean.value->store_text().ok());
  EXPECT_TRUE(full.value->store_text().ok());
}

// A named session's roles from the index are the named sessions' list, the
// user's and the groups', closed under includes: for a user with a list, with
// an empty one, without one, with a group's; an anonymous session gets none
// of them.
TEST(CompiledPolicy, ANamedSessionsRolesAreTheNamedUserAndGroupLists) {
  SECSTORE_NEEDS_ROOT("the index and its sources must be owned by root");
  IndexDir dir;
  const std::string text =
      "set \"base\" permissions [VIEW_SESSION]\n"
      "set \"everyone\" includes [\"base\"]\n"
      "set \"ops\" permissions [VIEW_SERVER]\n"
      "set \"dev\" permissions [READ_TOPIC_VIEWS]\n"
      "set roles for named sessions [\"everyone\"]\n"
      "set roles for user \"alice\" [\"ops\"]\n"
      "set roles for user \"carol\" []\n"
      "set roles for group \"staff\" [\"dev\"]\n";
  expect_compiled_matches_text(dir, text, "", "named roles with user lists");
  const Policy from_index = open_as(PolicyFiles{dir.file("Security.store"), dir.file("secstore.conf"), {}}, true);
  ASSERT_EQ(from_index.form(), Policy::Form::Compiled);
  auto roles_of = [&](const SessionSubject& who) {
    auto s = from_index.resolve(who, ResolvedNames{}, kernel_capability_count());
    return s.ok() ? s.value->access.role_names : std::vector<std::string>{"(failed)"};
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(roles_of(SessionSubject::named("alice", {})), (Names{"base", "everyone", "ops"}));
  EXPECT_EQ(roles_of(SessionSubject::named("carol", {})), (Names{"base", "everyone"}));
  EXPECT_EQ(roles_of(SessionSubject::named("bob", {})), (Names{"base", "everyone"}));
  EXPECT_EQ(roles_of(SessionSubject::named("bob", {"staff"})), (Names{"base", "dev", "everyone"}));
  EXPECT_EQ(roles_of(SessionSubject::named("alice", {"staff"})), (Names{"base", "dev", "everyone", "ops"}));
  EXPECT_EQ(roles_of(SessionSubject::anonymous_session()), Names{});
}

// The index grows with the store, not with users times roles: every
// session list is closed under includes on its own, and the named
// sessions' list is one entry, not a copy in each user's (300 named roles
// for 2,000 users would be some 10 MB a compile, in memory twice).
TEST(CompiledPolicy, TheIndexGrowsWithTheStoreNotWithUsersTimesRoles) {
  SECSTORE_NEEDS_ROOT("the index and its sources must be owned by root");
  IndexDir dir;
  std::string text, named;
  for (int r = 0; r < 300; ++r) {
    text += "set \"role-" + std::to_string(r) + "\" permissions [VIEW_SESSION]\n";
    named += std::string(named.empty() ? "" : ", ") + "\"role-" + std::to_string(r) + "\"";
  }
  text += "set roles for named sessions [" + named + "]\n";
  for (int u = 0; u < 2000; ++u) text += "set roles for user \"user-" + std::to_string(u) + "\" []\n";
  const PolicyFiles files{dir.file("Security.store"), dir.file("secstore.conf"), {}};
  write_file(files.store, text);
  write_file(files.conf, "");
  auto compiled = compile_policy(files, FileSafety{true});
  ASSERT_TRUE(compiled.ok()) << (compiled.first_error() ? compiled.first_error()->str() : "");
  const auto index_size = fs::file_size(*compiled.value);
  EXPECT_LT(index_size, 4 * text.size()) << "a " << text.size() << "-byte store gave a " << index_size
                                          << "-byte index";
}

TEST(CompiledPolicy, AnswersAsTheTextDoesForGeneratedStores) {
  SECSTORE_NEEDS_ROOT("the index and its sources must be owned by root");
  IndexDir dir;
  for (unsigned seed = 1; seed <= 60; ++seed)
    expect_compiled_matches_text(dir, generated_store(seed), kRoleConf, "generated store " + std::to_string(seed));
}

// A session open decodes a main configuration's scopes in storage of its
// own and spills to the heap past it: configurations from a few scopes to
// some hundreds (the entry and its views each past that storage) must plan
// as the text does on both sides of that line.
TEST(CompiledPolicy, AnswersAsTheTextDoesHoweverManyScopesTheConfigurationHas) {
  SECSTORE_NEEDS_ROOT("the index and its sources must be owned by root");
  IndexDir dir;
  const std::string store = generated_store(7);
  for (unsigned count : {1u, 8u, 16u, 20u, 24u, 40u, 200u}) {
    std::string conf;
    for (unsigned i = 0; i < count; ++i) {
      conf += "Security \"s" + std::to_string(i) + "\" { role = (";
      for (unsigned k = 0; k < 1 + i % 9; ++k) conf += " role" + std::to_string((i * 7 + k * 3) % 45);
      conf += " )\n capabilities = \"cap_kill+i\" }\n";
      if (i % 5 == 0) conf += "Security { user = user" + std::to_string(i % 20) + "\n capabilities = \"cap_chown+i\" }\n";
    }
    expect_compiled_matches_text(dir, store, conf, std::to_string(count) + " role scopes");
  }
}

// A plan asks the index's role numbers whether a session holds a scope's
// role in a bit set of the numbers it holds, or by search past the set's
// reach (4096): numbers on both sides of it, held and not, must plan as the
// text's names do.
TEST(CompiledPolicy, AnswersAsTheTextDoesWhenTheStoreNumbersThousandsOfRoles) {
  SECSTORE_NEEDS_ROOT("the index and its sources must be owned by root");
  IndexDir dir;
  auto role = [](unsigned i) {
    std::string digits = std::to_string(i);
    return "r" + std::string(4 - digits.size(), '0') + digits;  // numbered in name order
  };
  std::string store;
  for (unsigned i = 0; i < 4100; ++i) store += "set \"" + role(i) + "\" permissions [AUTHENTICATE]\n";
  store += "set roles for anonymous sessions [\"" + role(1) + "\", \"" + role(4095) + "\"]\n";
  store += "set roles for named sessions [\"" + role(1) + "\", \"" + role(4099) + "\"]\n";
  store += "set roles for user \"user1\" [\"" + role(4096) + "\"]\n";
  std::string conf;
  for (unsigned i : {0u, 1u, 63u, 64u, 4095u, 4096u, 4098u, 4099u})
    conf += "Security \"s" + std::to_string(i) + "\" { role = ( nosuch " + role(i) + " )\n capabilities = \"cap_kill+i\" }\n";
  expect_compiled_matches_text(dir, store, conf, "4100 roles");
}

class CompiledPolicyUse : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("the index and its sources must be owned by root");
    write_file(files_.store, kText);
    write_file(files_.conf, "include \"conf.d\"\n");
    write_file(dir_.file("conf.d/10-alice.conf"), "Security { role = C\n capabilities = \"cap_net_raw+ep\" }\n");
    compile();
  }

  std::vector<std::string> refusal_from_both(const SessionSubject& who);
  void compile() {
    auto compiled = compile_policy(files_, FileSafety{true});
    ASSERT_TRUE(compiled.ok()) << compiled.first_error()->str();
    ASSERT_EQ(open_problem(), "");
  }

  // Why Policy::open does not use the index; "" when it does.
  std::string open_problem() {
    auto opened = Policy::open(files_, Policy::Options{});
    EXPECT_TRUE(opened.ok());
    if (!opened.ok()) return "(not opened)";
    if (fs::exists(index_)) {
      EXPECT_EQ(opened.value->form() == Policy::Form::Compiled, opened.diagnostics.empty());
    }
    return opened.diagnostics.empty() ? std::string() : opened.diagnostics.front().str();
  }

  static constexpr const char* kText =
      "set \"A\" permissions [VIEW_SESSION]\n"
      "set \"B\" includes [\"A\"]\n"
      "set roles for named sessions [\"B\"]\n"
      "set roles for user \"alice\" [\"C\"]\n";
  IndexDir dir_;
  PolicyFiles files_{dir_.file("Security.store"), dir_.file("secstore.conf"), {}};
  std::string index_ = files_.store + ".idx";
};

TEST_F(CompiledPolicyUse, NoIndexIsNoProblem) {
  ::unlink(index_.c_str());
  EXPECT_EQ(open_problem(), "");
  EXPECT_EQ(stale_index_reason(files_), std::nullopt);
}

TEST_F(CompiledPolicyUse, TheModuleReadsNoTextFromACurrentIndex) {
  // With the index current, the text could be gone: nothing reads it.
  const Policy p = open_as(files_, true);
  ASSERT_EQ(p.form(), Policy::Form::Compiled);
  EXPECT_EQ(stale_index_reason(files_), "");
  auto session = p.resolve(SessionSubject::named("alice", {}), {}, kernel_capability_count());
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session.value->access.role_names, (Names{"A", "B", "C"}));
  EXPECT_EQ(session.value->plan.caps.ambient, CapabilityMask{1} << 13);  // cap_net_raw
}

TEST_F(CompiledPolicyUse, TouchingTheStoreMakesItStale) {
  struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  ASSERT_EQ(::utimensat(AT_FDCWD, files_.store.c_str(), times, 0), 0);
  EXPECT_THAT(open_problem(), HasSubstr(files_.store + " has changed since it was compiled"));
  EXPECT_THAT(*stale_index_reason(files_), HasSubstr("has changed"));
}

TEST_F(CompiledPolicyUse, EditingAnIncludedFileMakesItStale) {
  write_file(dir_.file("conf.d/10-alice.conf"), "Security { role = C\n capabilities = \"cap_sys_admin+ep\" }\n");
  EXPECT_THAT(open_problem(), HasSubstr("10-alice.conf has changed"));
}

TEST_F(CompiledPolicyUse, AFileAddedToAnIncludedDirectoryMakesItStale) {
  write_file(dir_.file("conf.d/20-more.conf"), "Security { capabilities = \"cap_sys_admin+ep\" }\n");
  EXPECT_THAT(open_problem(), HasSubstr("conf.d has changed"));
}

TEST_F(CompiledPolicyUse, AnOverrideDirectoryOrADropInDirectoryAppearingMakesItStale) {
  write_file(dir_.file("secstore.d/sshd.conf"), "Security { }\n");
  EXPECT_THAT(open_problem(), HasSubstr("secstore.d exists now"));
  compile();
  write_file(dir_.file("Security.store.d/host.store"), "set roles for user \"bob\" [\"A\"]\n");
  EXPECT_THAT(open_problem(), HasSubstr("Security.store.d exists now"));
}

TEST_F(CompiledPolicyUse, AnInPlaceEditOfTheSameSizeAndMtimeIsSeenByItsCtime) {
  struct stat before {};
  ASSERT_EQ(::stat(files_.store.c_str(), &before), 0);
  std::string text = kText;
  text[text.find("alice")] = 'e';  // "elice": same size
  {
    int fd = ::open(files_.store.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, files_.store.c_str(), times, 0), 0);
  EXPECT_THAT(open_problem(), HasSubstr("has changed since it was compiled"));
}

TEST_F(CompiledPolicyUse, TheIndexOfOtherFilesIsNotUsed) {
  PolicyFiles other = files_;
  other.conf = dir_.file("other.conf");
  write_file(other.conf, "");
  EXPECT_THAT(Policy::open(other, Policy::Options{}).diagnostics.front().message,
              HasSubstr("it was compiled for the configuration " + files_.conf));
}

TEST_F(CompiledPolicyUse, ATruncatedIndexIsNotUsed) {
  for (off_t size : {off_t{0}, off_t{40}, static_cast<off_t>(fs::file_size(index_) - 1)}) {
    ASSERT_EQ(::truncate(index_.c_str(), size), 0);
    EXPECT_NE(open_problem(), "") << "size " << size;
  }
}

TEST_F(CompiledPolicyUse, ADamagedHeaderIsNotUsed) {
  std::string bytes = read_file(index_);
  bytes[20] ^= 0x40;
  write_file(index_, bytes);
  EXPECT_THAT(open_problem(), HasSubstr("header is damaged"));
}

TEST_F(CompiledPolicyUse, EveryDamagedByteIsRefusedOrAnsweredRightly) {
  const std::string good = read_file(index_);
  const SessionSubject alice = SessionSubject::named("alice", {});
  auto expected = open_as(files_, false).resolve(alice, {}, kernel_capability_count());
  ASSERT_TRUE(expected.ok());
  for (std::size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] ^= 0x01;
    write_file(index_, bad);
    auto opened = Policy::open(files_, Policy::Options{});
    ASSERT_TRUE(opened.ok()) << "byte " << at;
    auto got = opened.value->resolve(alice, {}, kernel_capability_count());
    ASSERT_TRUE(got.ok()) << "byte " << at;
    // Whatever the damage, the answer is the text's; if the index was used
    // and an entry it needed was damaged, a warning says so.
    EXPECT_EQ(got.value->access.role_names, expected.value->access.role_names) << "byte " << at;
    EXPECT_EQ(got.value->access.global.bits, expected.value->access.global.bits) << "byte " << at;
    EXPECT_EQ(got.value->plan.caps, expected.value->plan.caps) << "byte " << at;
  }
}

TEST_F(CompiledPolicyUse, AnIndexNotOwnedByRootIsNotUsed) {
  ASSERT_EQ(::chown(index_.c_str(), 1, 1), 0);
  EXPECT_THAT(open_problem(), HasSubstr("refusing an unsafe file: it is owned by uid 1, not by root"));
}

TEST_F(CompiledPolicyUse, AGroupWritableIndexIsNotUsed) {
  ASSERT_EQ(::chmod(index_.c_str(), 0664), 0);
  EXPECT_THAT(open_problem(), HasSubstr("writable by its group (mode 0664)"));
}

TEST_F(CompiledPolicyUse, ADirectoryAboveTheSourcesMadeWritableStopsTheIndex) {
  // The sources are checked by name in their directory, walked once: that
  // walk holds the directory to the whole rule. (The text is refused too.)
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0775), 0);
  EXPECT_THAT(stale_index_reason(files_).value_or(""), HasSubstr("writable by its group (mode 0775)"));
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0700), 0);
  EXPECT_EQ(stale_index_reason(files_), "");
  ASSERT_EQ(::chmod(dir_.file("conf.d").c_str(), 0777), 0);
  EXPECT_THAT(stale_index_reason(files_).value_or(""), HasSubstr("writable by others (mode 0777)"));
}

TEST_F(CompiledPolicyUse, TheDirectoryHoldingTheIndexMadeWritableStopsIt) {
  // The store and its index alone in their directory, which no other
  // source's walk passes through: only the check of that directory itself
  // as the one the index is looked up in stands between a group that may
  // write there and the index.
  PolicyFiles apart{dir_.file("apart/Security.store"), files_.conf, {}};
  write_file(apart.store, kText);
  auto compiled = compile_policy(apart, FileSafety{true});
  ASSERT_TRUE(compiled.ok()) << compiled.first_error()->str();
  EXPECT_EQ(stale_index_reason(apart), "");
  ASSERT_EQ(::chmod(dir_.file("apart").c_str(), 0775), 0);
  EXPECT_THAT(stale_index_reason(apart).value_or(""),
              HasSubstr("refusing an unsafe file: its directory " + dir_.file("apart") +
                        " is writable by its group (mode 0775)"));
}

TEST_F(CompiledPolicyUse, ASourceMadeUnsafeStopsTheIndex) {
  ASSERT_EQ(::chmod(dir_.file("conf.d/10-alice.conf").c_str(), 0666), 0);
  EXPECT_THAT(stale_index_reason(files_).value_or(""), HasSubstr("10-alice.conf"));
}

TEST_F(CompiledPolicyUse, ASourceReachedThroughASymbolicLinkIsStillCurrent) {
  // The link is resolved and checked by the whole walk, as the text reads it.
  fs::rename(dir_.file("conf.d/10-alice.conf"), dir_.file("10-alice.real"));
  ASSERT_EQ(::symlink("../10-alice.real", dir_.file("conf.d/10-alice.conf").c_str()), 0);
  compile();
  EXPECT_EQ(open_problem(), "");
  write_file(dir_.file("10-alice.real"), "Security { role = C\n capabilities = \"cap_sys_admin+ep\" }\n");
  EXPECT_THAT(open_problem(), HasSubstr("10-alice.conf has changed"));
}

// Compiles, then resolves `who` from the index and from the text, which must
// both refuse with the same messages; those messages.
std::vector<std::string> CompiledPolicyUse::refusal_from_both(const SessionSubject& who) {
  compile();
  const Policy compiled = open_as(files_, true);
  EXPECT_EQ(compiled.form(), Policy::Form::Compiled);
  const Policy text = open_as(files_, false);
  auto from_index = compiled.resolve(who, {}, kernel_capability_count());
  auto from_text = text.resolve(who, {}, kernel_capability_count());
  EXPECT_FALSE(from_index.ok());
  EXPECT_FALSE(from_text.ok());
  std::vector<std::string> a, b;
  for (const auto& d : from_index.diagnostics) a.push_back(d.str());
  for (const auto& d : from_text.diagnostics) b.push_back(d.str());
  EXPECT_EQ(a, b);
  return a;
}

TEST_F(CompiledPolicyUse, APlanThatFailsNamesWhereAsTheTextDoes) {
  write_file(dir_.file("conf.d/20-group.conf"),
             "Security \"g\" {\n group = no-such-group-here\n supplemental_groups = ( nor-this-one )\n"
             " capabilities = \"cap_net_raw+ep\" }\n");
  const std::vector<std::string> a = refusal_from_both(SessionSubject::named("alice", {}));
  ASSERT_FALSE(a.empty());
  EXPECT_THAT(a.front(), HasSubstr("20-group.conf:2:"));
}

TEST_F(CompiledPolicyUse, TwoChrootsAreNamedAsTheTextNamesThem) {
  write_file(dir_.file("conf.d/30-jails.conf"),
             "Security \"one\" {\n user = alice\n chroot = \"/srv/one\" }\n"
             "Security \"two\" {\n user = alice\n chroot = \"/srv/two\" }\n");
  const std::vector<std::string> a = refusal_from_both(SessionSubject::named("alice", {}));
  ASSERT_FALSE(a.empty());
  EXPECT_THAT(a.front(), HasSubstr("30-jails.conf:6:11:"));
  EXPECT_THAT(a.front(), HasSubstr("Security \"one\" ("));
}

TEST_F(CompiledPolicyUse, AnUnsafeStoreIsRefusedByTheText) {
  ASSERT_EQ(::chmod(files_.store.c_str(), 0666), 0);
  auto opened = Policy::open(files_, Policy::Options{});
  EXPECT_FALSE(opened.ok());
  ASSERT_NE(opened.first_error(), nullptr);
  EXPECT_EQ(opened.first_error()->str(),
            files_.store + ": error: refusing an unsafe file: it is writable by others (mode 0666)");
}

TEST_F(CompiledPolicyUse, TheIndexIsNoMoreReadableThanItsSources) {
  struct stat st {};
  ASSERT_EQ(::stat(index_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  ASSERT_EQ(::chmod(files_.store.c_str(), 0600), 0);
  compile();
  ASSERT_EQ(::stat(index_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, 0u);
}

TEST(CompiledPolicyCompile, ReportsTheErrorsAndWritesNothing) {
  IndexDir dir;
  const PolicyFiles files{dir.file("bad.store"), dir.file("secstore.conf"), {}};
  write_file(files.store, "set \"A\" includes [\"A\"]\n");
  write_file(files.conf, "");
  auto compiled = compile_policy(files, FileSafety{false});
  EXPECT_FALSE(compiled.ok());
  ASSERT_NE(compiled.first_error(), nullptr);
  EXPECT_EQ(compiled.first_error()->where.file, files.store);
  EXPECT_FALSE(fs::exists(files.store + ".idx"));
}

}  // namespace
}  // namespace secstore::testing
