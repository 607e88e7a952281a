// `secstore apply` in the library (SPEC §5): scripts as one transaction
// after the store, role locks, and the locked, atomic file replacement.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "needs_root.hpp"
#include "secstore/file_update.hpp"
#include "secstore/store_file.hpp"
#include "store_test_support.hpp"

namespace secstore::testing {
namespace {

Outcome<Store> run_script(const std::string& store, const std::string& script, const std::string& who = "root") {
  return Store::parse_with_script(store, "Security.store", script, "edit.script", who, who == "root");
}

std::string errors_of(const Outcome<Store>& out) { return diagnostics_of(out); }

TEST(StoreScript, ScriptStatementsApplyAfterTheStore) {
  auto out = run_script("set \"A\" permissions [AUTHENTICATE]\nset \"B\" permissions [VIEW_SERVER]\n",
                        "set \"A\" permissions [CONTROL_SERVER]\n");
  ASSERT_TRUE(out.ok()) << errors_of(out);
  EXPECT_EQ(global_names(*out.value, {"A"}), Names({"CONTROL_SERVER"}));
  EXPECT_EQ(global_names(*out.value, {"B"}), Names({"VIEW_SERVER"}));
}

TEST(StoreScript, ErrorsAreLocatedInTheScript) {
  auto out = run_script("set \"A\" permissions []\n", "isolate path \"p\"\nset \"A\" permissions [READ_TOPIC]\n");
  ASSERT_FALSE(out.ok());
  ASSERT_NE(out.first_error(), nullptr);
  EXPECT_EQ(out.first_error()->where.file, "edit.script");
  EXPECT_EQ(out.first_error()->where.line, 2u);
  EXPECT_EQ(out.first_error()->where.column, 22u);
}

TEST(StoreScript, CycleClosedByTheScriptIsReportedInTheScript) {
  auto out = run_script("set \"A\" includes [\"B\"]\n", "\n\nset \"B\" includes [\"A\"]\n");
  ASSERT_NE(out.first_error(), nullptr);
  EXPECT_EQ(out.first_error()->str(), "edit.script:3:1: error: role \"B\" includes itself: B -> A -> B");
}

TEST(StoreScript, EveryChangeToALockedRoleIsRefusedForOtherUsers) {
  const std::string store =
      "set \"R\" path \"p\" permissions [READ_TOPIC]\n"
      "set role \"R\" locked by principal \"bob\"\n";
  for (const char* statement : {"set \"R\" permissions [AUTHENTICATE]", "set \"R\" default path permissions []",
                                "set \"R\" path \"q\" permissions [READ_TOPIC]",
                                "remove \"R\" permissions for path \"p\"", "set \"R\" includes [\"S\"]",
                                "set role \"R\" locked by principal \"alice\""}) {
    auto out = run_script(store, std::string("# edit\n") + statement + "\n", "alice");
    ASSERT_FALSE(out.ok()) << statement;
    ASSERT_NE(out.first_error(), nullptr);
    EXPECT_EQ(out.first_error()->str(),
              "edit.script:2:1: error: role \"R\" is locked by principal \"bob\": only \"bob\" or root may "
              "change it, not \"alice\"")
        << statement;
    EXPECT_TRUE(run_script(store, statement, "bob").ok()) << statement;
    EXPECT_TRUE(run_script(store, statement, "root").ok()) << statement;
  }
}

TEST(StoreScript, OverridingALockIsSaidEveryTime) {
  const std::string store = "set role \"R\" locked by principal \"bob\"\n";
  auto out = run_script(store, "set \"R\" permissions []\nset \"R\" includes []\n", "root");
  ASSERT_TRUE(out.ok()) << errors_of(out);
  std::vector<std::string> said;
  for (const auto& d : out.diagnostics) said.push_back(d.str());
  EXPECT_EQ(said, (std::vector<std::string>{
                      "edit.script:1:1: warning: role \"R\" is locked by principal \"bob\"; changed by \"root\", "
                      "overriding the lock",
                      "edit.script:2:1: warning: role \"R\" is locked by principal \"bob\"; changed by \"root\", "
                      "overriding the lock"}));
  // The principal itself overrides nothing.
  EXPECT_TRUE(run_script(store, "set \"R\" permissions []\n", "bob").diagnostics.empty());
}

TEST(StoreScript, OtherRolesAndSessionListsStayEditable) {
  const std::string store = "set role \"R\" locked by principal \"bob\"\n";
  auto out = run_script(store,
                        "set \"S\" includes [\"R\"]\nset roles for user \"alice\" [\"R\"]\n"
                        "set roles for named sessions [\"R\"]\n",
                        "alice");
  EXPECT_TRUE(out.ok()) << errors_of(out);
}

TEST(StoreScript, ALockTakenInTheScriptBindsTheRestOfIt) {
  auto out = run_script("", "set role \"R\" locked by principal \"bob\"\nset \"R\" permissions []\n", "alice");
  ASSERT_NE(out.first_error(), nullptr);
  EXPECT_EQ(out.first_error()->where.line, 2u);
}

TEST(StoreScript, LocksInTheStoreItselfBindNobody) {
  // The store's own statements were written by whoever could write the file.
  EXPECT_TRUE(run_script("set role \"R\" locked by principal \"bob\"\nset \"R\" permissions []\n", "", "alice").ok());
}

// A private directory for store files, removed afterwards. On tmpfs when
// there is one: these tests are about locking and atomic replacement, and
// on a busy disk thousands of fsyncs would make them take minutes.
class StoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/dev/shm/secstore-apply-XXXXXX";
    if (::access("/dev/shm", W_OK) != 0) std::memcpy(templ, "/tmp/sec", 8);
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
    path_ = dir_ + "/Security.store";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& text, mode_t mode = 0644) {
    std::ofstream(path_, std::ios::trunc) << text;
    ::chmod(path_.c_str(), mode);
  }
  std::string read() const { return read_test_file_abs(path_); }
  static std::string read_test_file_abs(const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  Outcome<AppliedScript> apply(const std::string& script, const std::string& who = "root") {
    return apply_script_to_store_file(path_, script, "edit.script", who, who == "root", FileSafety{false});
  }
  // Whether anyone holds the store's lock right now.
  bool lock_is_free() const {
    int fd = ::open(lock_file_path(path_).c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return true;
    bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd);
    return free;
  }
  std::vector<std::string> leftover_temporaries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_))
      if (e.path().filename().string().rfind(".Security.store.tmp-", 0) == 0) out.push_back(e.path());
    return out;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(StoreFileTest, ScriptErrorLeavesTheFileUntouched) {
  const std::string original = "# hand-written\nset \"A\" permissions [AUTHENTICATE]\n";
  write(original);
  struct stat before {};
  ASSERT_EQ(::stat(path_.c_str(), &before), 0);
  auto out = apply("set \"B\" permissions []\nset \"A\" permissions [FLY]\n");
  EXPECT_FALSE(out.ok());
  ASSERT_NE(out.first_error(), nullptr);
  EXPECT_EQ(out.first_error()->where.file, "edit.script");
  EXPECT_EQ(read(), original);
  struct stat after {};
  ASSERT_EQ(::stat(path_.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_TRUE(leftover_temporaries().empty());
  EXPECT_TRUE(lock_is_free());
}

TEST_F(StoreFileTest, LockedRoleRefusalLeavesTheFileUntouched) {
  const std::string original = "set role \"R\" locked by principal \"bob\"\n";
  write(original);
  auto out = apply("set \"R\" permissions [AUTHENTICATE]\n", "alice");
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(read(), original);
  auto by_bob = apply("set \"R\" permissions [AUTHENTICATE]\n", "bob");
  ASSERT_TRUE(by_bob.ok()) << diagnostics_of(Outcome<Store>{});
  EXPECT_EQ(global_names(by_bob.value->store, {"R"}), Names({"AUTHENTICATE"}));
}

TEST_F(StoreFileTest, AppliedScriptKeepsTheFileAsWrittenWithTheOldOwnerAndMode) {
  SECSTORE_NEEDS_ROOT("it gives the store another owner (chown)");
  write("# comment\nset 'A' permissions [authenticate]\n", 0640);
  ASSERT_EQ(::chown(path_.c_str(), 4321, 4322), 0);
  struct stat before {};
  ASSERT_EQ(::stat(path_.c_str(), &before), 0);
  auto out = apply("set \"B\" includes [\"A\"]\n");
  ASSERT_TRUE(out.ok()) << out.diagnostics.size();
  EXPECT_TRUE(out.value->changed);
  EXPECT_EQ(read(), "# comment\nset 'A' permissions [authenticate]\nset \"B\" includes [\"A\"]\n");
  EXPECT_EQ(out.value->diff, "--- " + path_ + "\n+++ " + path_ + " (after edit.script)\n@@ -1,2 +1,3 @@\n"
                             " # comment\n set 'A' permissions [authenticate]\n+set \"B\" includes [\"A\"]\n");
  struct stat after {};
  ASSERT_EQ(::stat(path_.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino) << "the file must be replaced by rename, not rewritten in place";
  EXPECT_EQ(after.st_mode & 07777, 0640u);
  EXPECT_EQ(after.st_uid, 4321u);
  EXPECT_EQ(after.st_gid, 4322u);
  EXPECT_TRUE(leftover_temporaries().empty());
  EXPECT_TRUE(lock_is_free());
}

TEST_F(StoreFileTest, ScriptThatChangesNothingKeepsTheFileAsWritten) {
  const std::string original = "# keep me\nset \"A\" permissions [AUTHENTICATE]\n";
  write(original);
  auto out = apply("set \"A\" permissions [AUTHENTICATE]   # same again\n");
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out.value->changed);
  EXPECT_EQ(read(), original);
}

TEST_F(StoreFileTest, MissingStoreIsCreatedFromTheScript) {
  auto out = apply("set roles for named sessions [\"user\"]\n");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(read(), "set roles for named sessions [\"user\"]\n");
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_F(StoreFileTest, ASymlinkedStoreKeepsItsSymlink) {
  const std::string real = dir_ + "/real.store";
  std::ofstream(real) << "set \"A\" permissions []\n";
  ASSERT_EQ(::symlink("real.store", path_.c_str()), 0);
  ASSERT_TRUE(apply("set \"B\" permissions []\n").ok());
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(read_test_file_abs(real), "set \"A\" permissions []\nset \"B\" permissions []\n");
}

TEST_F(StoreFileTest, ReplacingTheFileKeepsItsMode) {
  write("set \"A\" permissions []\n", 0600);
  auto out = replace_file_atomically(path_, "set \"Z\" permissions []\n");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(read(), "set \"Z\" permissions []\n");
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(StoreFileTest, AnUnreadableStoreIsAnErrorAndNothingIsWritten) {
  ASSERT_EQ(::mkdir(path_.c_str(), 0755), 0);
  auto out = apply("set \"A\" permissions []\n");
  EXPECT_FALSE(out.ok());
  EXPECT_TRUE(std::filesystem::is_directory(path_));
}

// Which edits of each writer ("w<W>_<N>") a store holds; they must be
// 0..k-1 for some k, since each writer applies its edits in order: only
// then is it a store that some committed transaction produced.
std::string check_prefixes(const Store& s, int writers, std::vector<int>& counts) {
  std::vector<std::set<int>> held(writers);
  const std::string dump = s.dump();
  for (std::size_t at = dump.find("\"w"); at != std::string::npos; at = dump.find("\"w", at + 1)) {
    int w = -1, n = -1;
    if (std::sscanf(dump.c_str() + at, "\"w%d_%d\"", &w, &n) != 2) continue;
    if (w < 0 || w >= writers) return "an edit from an unknown writer: " + dump.substr(at, 20);
    held[w].insert(n);
  }
  counts.assign(writers, 0);
  for (int w = 0; w < writers; ++w) {
    if (!held[w].empty() && (*held[w].begin() != 0 || *held[w].rbegin() + 1 != static_cast<int>(held[w].size())))
      return "writer " + std::to_string(w) + " has " + std::to_string(held[w].size()) + " edits, the last being " +
             std::to_string(*held[w].rbegin()) + ": some edit in between is missing";
    counts[w] = static_cast<int>(held[w].size());
  }
  return "";
}

TEST_F(StoreFileTest, ConcurrentAppliesLoseNoEditAndReadersSeeOnlyWholeStores) {
  constexpr int kWriters = 8, kEdits = 200;
  write("set roles for named sessions [\"base\"]\n");
  std::vector<pid_t> writers;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int n = 0; n < kEdits; ++n) {
        const std::string role = "w" + std::to_string(w) + "_" + std::to_string(n);
        auto out = apply_script_to_store_file(
            path_, "set \"" + role + "\" path \"" + role + "\" permissions [READ_TOPIC]\n", "edit", "root", true,
            FileSafety{false});
        if (!out.ok()) ::_exit(1);
      }
      ::_exit(0);
    }
    writers.push_back(pid);
  }
  // This process reads while they write, as the PAM module would.
  int reads = 0, running = kWriters, failed_writers = 0;
  std::string violation;
  std::vector<int> counts, last(kWriters, 0);
  while (running > 0 || reads == 0) {
    auto file = read_config_file(path_, FileSafety{false});
    if (!file.ok()) {
      violation = "read failed: " + file.diagnostics.front().str();
      break;
    }
    auto parsed = Store::parse(file.value->text, path_);
    if (!parsed.ok()) {
      violation = "a reader saw an invalid store: " + diagnostics_of(parsed);
      break;
    }
    violation = check_prefixes(*parsed.value, kWriters, counts);
    if (!violation.empty()) break;
    for (int w = 0; w < kWriters; ++w)
      if (counts[w] < last[w]) violation = "a reader saw an older store after a newer one";
    if (!violation.empty()) break;
    last = counts;
    ++reads;
    int status = 0;
    pid_t done;
    while ((done = ::waitpid(-1, &status, WNOHANG)) > 0) {
      --running;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed_writers;
    }
  }
  for (; running > 0; --running) {
    int status = 0;
    ::waitpid(-1, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed_writers;
  }
  EXPECT_EQ(violation, "");
  EXPECT_EQ(failed_writers, 0);
  auto final_store = Store::parse(read(), path_);
  ASSERT_TRUE(final_store.ok());
  ASSERT_EQ(check_prefixes(*final_store.value, kWriters, counts), "");
  for (int w = 0; w < kWriters; ++w) EXPECT_EQ(counts[w], kEdits) << "writer " << w << " lost edits";
  EXPECT_EQ(final_store.value->resolve(as_session(false, "u", {})).role_names, Names({"base"}));
  EXPECT_GT(reads, 1);
  EXPECT_TRUE(leftover_temporaries().empty());
  RecordProperty("reads", reads);
}

TEST_F(StoreFileTest, SigkillAtAnyPointLeavesOldOrNewAndNoLock) {
  write("");
  std::mt19937 rng(20261123);
  int committed_total = 0;
  for (int round = 0; round < 25; ++round) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int n = 0;; ++n) {
        const std::string role = "w" + std::to_string(round) + "_" + std::to_string(n);
        apply_script_to_store_file(path_, "set \"" + role + "\" permissions [AUTHENTICATE]\n", "edit", "root", true,
                                   FileSafety{false});
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));

    EXPECT_TRUE(lock_is_free()) << "round " << round;
    auto parsed = Store::parse(read(), path_);
    ASSERT_TRUE(parsed.ok()) << "round " << round << ": " << diagnostics_of(parsed);
    std::vector<int> counts;
    ASSERT_EQ(check_prefixes(*parsed.value, round + 1, counts), "") << "round " << round;
    committed_total += counts[round];
  }
  // The next apply neither blocks nor trips over a killed writer's leftovers.
  auto out = apply("set \"after\" permissions []\n");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out.value->store.has_role("after"));
  EXPECT_TRUE(leftover_temporaries().empty());
  RecordProperty("committed", committed_total);
}

}  // namespace
}  // namespace secstore::testing
