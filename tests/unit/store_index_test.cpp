// The compiled store index (secstore/store_index.hpp, issue 7): it answers
// exactly what parsing the text answers, and it never answers when it is
// stale, damaged or unsafe.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "needs_root.hpp"
#include "secstore/store_index.hpp"
#include "store_index_format.hpp"
#include "store_test_support.hpp"

namespace secstore::testing {
namespace {

namespace fs = std::filesystem;

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

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  ::chmod(path.c_str(), 0644);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the text says about a session, in the index's terms.
SessionRoles from_text(const Store& store, const SessionIdentity& who) {
  SessionRoles out;
  out.roles = store.resolve(who);
  out.role_names = store.role_names(out.roles);
  out.global = store.global_permissions(out.roles);
  return out;
}

void expect_same(const Store& store, const StoreIndex& index, const SessionIdentity& who,
                 const std::vector<std::string>& paths, const std::string& context) {
  std::string problem;
  auto indexed = index.session_roles(who, problem);
  ASSERT_TRUE(indexed.has_value()) << context << ": " << problem;
  const SessionRoles text = from_text(store, who);
  EXPECT_EQ(indexed->role_names, text.role_names) << context;
  EXPECT_EQ(indexed->roles.ids, text.roles.ids) << context;
  EXPECT_EQ(indexed->global.bits, text.global.bits) << context;
  for (const auto& path : paths) {
    auto held = index.path_permissions(indexed->roles, path, problem);
    ASSERT_TRUE(held.has_value()) << context << ", path " << path << ": " << problem;
    EXPECT_EQ(names_of(*held), names_of(store.path_permissions(text.roles, path)))
        << context << ", path \"" << path << "\"";
  }
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

// Compiles `text` as a store in `dir` and checks every session the store
// can tell apart against the parsed text.
void expect_index_matches_text(const IndexDir& dir, const std::string& text, const std::string& context) {
  const std::string path = dir.file("Security.store");
  write_file(path, text);
  auto compiled = compile_store_index(path, FileSafety{true});
  ASSERT_TRUE(compiled.ok()) << context << ": "
                             << (compiled.first_error() ? compiled.first_error()->str() : "");
  EXPECT_EQ(*compiled.value, path + ".idx");
  auto opened = StoreIndex::open(path);
  ASSERT_TRUE(opened.index.has_value()) << context << ": " << opened.problem;
  const Store store = must_parse(text, path);
  EXPECT_EQ(opened.index->has_group_roles(), store.has_group_roles()) << context;
  std::vector<std::string> users, groups;
  subjects_of(text, users, groups);
  EXPECT_EQ(store.has_group_roles(), groups.size() > 1) << context;  // groups[0] is a made-up one
  const auto paths = paths_of(text);
  expect_same(store, *opened.index, SessionIdentity{true, "", {}}, paths, context + ", anonymous");
  for (const auto& user : users) {
    expect_same(store, *opened.index, SessionIdentity{false, user, {}}, paths, context + ", user " + user);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      std::vector<std::string> some(groups.begin() + static_cast<std::ptrdiff_t>(g), groups.end());
      expect_same(store, *opened.index, SessionIdentity{false, user, some}, {},
                  context + ", user " + user + " with " + std::to_string(some.size()) + " groups");
    }
  }
}

TEST(StoreIndex, AnswersAsTheTextDoesForEveryTestStore) {
  SECSTORE_NEEDS_ROOT("the index and its store must be owned by root");
  IndexDir dir;
  for (const char* file : {"tests/data/stores/rich.store", "tests/data/stores/worked-example.store",
                           "tests/data/cli/worked-example.store", "tests/data/pam/Security.store"})
    expect_index_matches_text(dir, read_test_file(file), file);
  expect_index_matches_text(dir, "", "an empty store");
}

TEST(StoreIndex, AnswersAsTheTextDoesForGeneratedStores) {
  SECSTORE_NEEDS_ROOT("the index and its store must be owned by root");
  IndexDir dir;
  for (unsigned seed = 1; seed <= 60; ++seed)
    expect_index_matches_text(dir, generated_store(seed), "generated store " + std::to_string(seed));
}

class StoreIndexUse : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("the index and its store must be owned by root");
    write_file(store_, kText);
    auto compiled = compile_store_index(store_, FileSafety{true});
    ASSERT_TRUE(compiled.ok());
    auto opened = StoreIndex::open(store_);
    ASSERT_TRUE(opened.index.has_value()) << opened.problem;
  }

  // The problem StoreIndex::open reports; "" when the index is used.
  std::string open_problem() {
    auto opened = StoreIndex::open(store_);
    EXPECT_NE(opened.index.has_value(), !opened.problem.empty()) << opened.problem;
    return opened.problem;
  }

  static constexpr const char* kText =
      "set \"A\" permissions [VIEW_SESSION]\n"
      "set \"B\" includes [\"A\"]\n"
      "set roles for named sessions [\"B\"]\n"
      "set roles for user \"alice\" [\"C\"]\n";
  IndexDir dir_;
  std::string store_ = dir_.file("Security.store");
  std::string index_ = store_ + ".idx";
};

TEST_F(StoreIndexUse, NoIndexIsNoProblem) {
  ::unlink(index_.c_str());
  auto opened = StoreIndex::open(store_);
  EXPECT_FALSE(opened.index.has_value());
  EXPECT_EQ(opened.problem, "");
}

TEST_F(StoreIndexUse, TouchingTheStoreMakesItStale) {
  struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  ASSERT_EQ(::utimensat(AT_FDCWD, store_.c_str(), times, 0), 0);
  EXPECT_NE(open_problem().find("the store has changed since it was compiled"), std::string::npos);
}

TEST_F(StoreIndexUse, AnInPlaceEditOfTheSameSizeAndMtimeIsSeenByItsCtime) {
  struct stat before {};
  ASSERT_EQ(::stat(store_.c_str(), &before), 0);
  std::string text = kText;
  text[text.find("alice")] = 'e';  // "elice": same size
  {
    int fd = ::open(store_.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, store_.c_str(), times, 0), 0);
  struct stat after {};
  ASSERT_EQ(::stat(store_.c_str(), &after), 0);
  ASSERT_EQ(after.st_size, before.st_size);
  ASSERT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_NE(open_problem().find("the store has changed since it was compiled"), std::string::npos);
}

TEST_F(StoreIndexUse, AStoreRenamedIntoPlaceMakesItStale) {
  const std::string replacement = dir_.file("new.store");
  write_file(replacement, kText);
  ASSERT_EQ(::rename(replacement.c_str(), store_.c_str()), 0);
  EXPECT_NE(open_problem().find("the store has changed"), std::string::npos);
}

TEST_F(StoreIndexUse, TheIndexOfAnotherStoreIsNotUsed) {
  const std::string other = dir_.file("other.store");
  write_file(other, "set roles for named sessions [\"Z\"]\n");
  ASSERT_TRUE(compile_store_index(other, FileSafety{true}).ok());
  ASSERT_EQ(::rename((other + ".idx").c_str(), index_.c_str()), 0);
  EXPECT_NE(open_problem().find("the store has changed"), std::string::npos);
}

TEST_F(StoreIndexUse, ATruncatedIndexIsNotUsed) {
  for (off_t size : {off_t{0}, off_t{40}, static_cast<off_t>(fs::file_size(index_) - 1)}) {
    ASSERT_EQ(::truncate(index_.c_str(), size), 0);
    EXPECT_NE(open_problem(), "") << "size " << size;
  }
}

TEST_F(StoreIndexUse, ADamagedHeaderIsNotUsed) {
  std::string bytes = read_file(index_);
  bytes[20] ^= 0x40;  // inside the recorded identity
  write_file(index_, bytes);
  EXPECT_NE(open_problem().find("header is damaged"), std::string::npos);
}

TEST_F(StoreIndexUse, EveryDamagedByteBeyondTheHeaderIsSeenWhenRead) {
  const std::string good = read_file(index_);
  auto opened = StoreIndex::open(store_);
  ASSERT_TRUE(opened.index);
  std::string problem;
  const auto expected = opened.index->session_roles(SessionIdentity{false, "alice", {}}, problem);
  ASSERT_TRUE(expected);
  EXPECT_EQ(expected->role_names, (Names{"A", "B", "C"}));
  const std::size_t header = sizeof(detail::IndexHeader);  // every byte after it
  for (std::size_t at = header; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] ^= 0x01;
    write_file(index_, bad);
    auto damaged = StoreIndex::open(store_);
    if (!damaged.index) continue;  // refused at open: fine
    std::string why;
    auto roles = damaged.index->session_roles(SessionIdentity{false, "alice", {}}, why);
    if (roles) {
      // A byte the lookup did not read: the answer must still be right.
      EXPECT_EQ(roles->role_names, expected->role_names) << "byte " << at;
      EXPECT_EQ(roles->global.bits, expected->global.bits) << "byte " << at;
    } else {
      EXPECT_NE(why, "") << "byte " << at;
    }
  }
}

TEST_F(StoreIndexUse, AnIndexNotOwnedByRootIsNotUsed) {
  ASSERT_EQ(::chown(index_.c_str(), 1, 1), 0);
  EXPECT_NE(open_problem().find("owned by root"), std::string::npos);
}

TEST_F(StoreIndexUse, AGroupWritableIndexIsNotUsed) {
  ASSERT_EQ(::chmod(index_.c_str(), 0664), 0);
  EXPECT_NE(open_problem().find("not writable by group or others"), std::string::npos);
}

TEST_F(StoreIndexUse, AnUnsafeStoreIsLeftToTheTextPath) {
  ASSERT_EQ(::chmod(store_.c_str(), 0666), 0);
  auto opened = StoreIndex::open(store_);
  EXPECT_FALSE(opened.index.has_value());
  EXPECT_EQ(opened.problem, "");  // the text path refuses the store and says why
}

TEST(StoreIndexCompile, ReportsTheStoresErrorsAndWritesNothing) {
  IndexDir dir;
  const std::string path = dir.file("bad.store");
  write_file(path, "set \"A\" includes [\"A\"]\n");
  auto compiled = compile_store_index(path, FileSafety{false});
  EXPECT_FALSE(compiled.ok());
  ASSERT_NE(compiled.first_error(), nullptr);
  EXPECT_EQ(compiled.first_error()->where.file, path);
  EXPECT_FALSE(fs::exists(path + ".idx"));
}

}  // namespace
}  // namespace secstore::testing
