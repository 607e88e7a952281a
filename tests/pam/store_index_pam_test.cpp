// pam_secstore.so with a compiled policy (secstore compile) through the real
// libpam: the module answers from the index when every file it was compiled
// from is unchanged, reading none of their text; when one has changed, or
// the index is damaged, it says so in one warning and reads the text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <security/pam_appl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "needs_root.hpp"
#include "module/temp_tree.hpp"
#include "pam/pam_harness.hpp"
#include "pam/test_users.hpp"
#include "secstore/policy.hpp"

namespace secstore::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Whether anything read the files' contents while it watched (inotify
// IN_ACCESS: a read, not an open or a stat).
class ReadWatch {
 public:
  explicit ReadWatch(const std::vector<std::string>& files) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    for (const auto& f : files) ::inotify_add_watch(fd_, f.c_str(), IN_ACCESS);
  }
  ~ReadWatch() { ::close(fd_); }
  bool anything_read() const {
    char buf[4096];
    return ::read(fd_, buf, sizeof buf) > 0;
  }

 private:
  int fd_;
};

class IndexedPam : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("the module refuses files not owned by root");
    if (!test_users_ready()) GTEST_SKIP() << "useradd could not create the test users";
    store_ = tree_.write("Security.store", read_source("tests/data/pam/Security.store"));
    conf_ = tree_.write("secstore.conf", read_source("tests/data/pam/secstore.conf"));
    confdir_ = tree_.mkdir("pam.d");
  }

  void compile() {
    auto compiled = compile_policy(PolicyFiles{store_, conf_, {}}, FileSafety{true});
    ASSERT_TRUE(compiled.ok()) << compiled.first_error()->str();
  }

  PamOutcome run(const std::string& user, const std::string& extra = "") {
    write_service(confdir_, "store=" + store_ + " conf=" + conf_ + " " + extra);
    PamScenario scenario;
    scenario.confdir = confdir_;
    scenario.user = user;
    PamOutcome o = run_pam(scenario, tree_.path("syslog"));
    EXPECT_EQ(o.child_error, "");
    return o;
  }

  TempTree tree_;
  std::string store_, conf_, confdir_;
};

TEST_F(IndexedPam, ACompiledIndexGivesTheSameSessionAsTheText) {
  const PamOutcome text = run(kAlice);
  ASSERT_EQ(text.open_rc, PAM_SUCCESS) << all_lines(text);
  compile();
  const PamOutcome indexed = run(kAlice);
  ASSERT_EQ(indexed.open_rc, PAM_SUCCESS) << all_lines(indexed);
  EXPECT_EQ(env_value(indexed, "SECSTORE_ROLES"), "alice-home,operator,staff,viewer");
  EXPECT_EQ(indexed.env, text.env);
  EXPECT_EQ(indexed.after_open, text.after_open);
  ASSERT_EQ(indexed.lines.size(), 1u) << all_lines(indexed);
  EXPECT_EQ(indexed.lines[0].level, LOG_INFO);
}

TEST_F(IndexedPam, TheModuleReadsNoTextFromACurrentIndex) {
  compile();
  {
    ReadWatch watch({store_, conf_});
    const PamOutcome o = run(kAlice);
    ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
    EXPECT_FALSE(watch.anything_read()) << "the module read the text although the index is current";
  }
  // The watch can see a read: with the index stale, the text is read.
  struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  ASSERT_EQ(::utimensat(AT_FDCWD, conf_.c_str(), now, 0), 0);
  ReadWatch watch({store_, conf_});
  const PamOutcome o = run(kAlice);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_TRUE(watch.anything_read());
}

TEST_F(IndexedPam, AStaleIndexIsReportedOnceAndTheTextAnswers) {
  compile();
  tree_.write("Security.store", read_source("tests/data/pam/Security.store") +
                                    "set roles for user \"" + std::string(kAlice) + "\" [\"edited\"]\n");
  const PamOutcome o = run(kAlice);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(env_value(o, "SECSTORE_ROLES"), "edited,operator,staff,viewer");
  ASSERT_EQ(o.lines.size(), 2u) << all_lines(o);
  EXPECT_EQ(o.lines[0].level, LOG_WARNING);
  EXPECT_THAT(o.lines[0].text, StartsWith("pam_secstore(secstore-test:session): " + store_ + ".idx: warning: not used, "));
  EXPECT_THAT(o.lines[0].text, HasSubstr(store_ + " has changed since it was compiled"));
}

TEST_F(IndexedPam, ADamagedEntryIsReportedOnceAndTheTextAnswers) {
  compile();
  const std::string index = store_ + ".idx";
  std::string bytes;
  {
    std::ifstream in(index, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    bytes = ss.str();
  }
  // Inside the entry that gives alice her own role.
  const auto at = bytes.find("alice-home");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 2] ^= 0x20;
  {
    int fd = ::open(index.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
  const PamOutcome o = run(kAlice);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(env_value(o, "SECSTORE_ROLES"), "alice-home,operator,staff,viewer");
  ASSERT_EQ(o.lines.size(), 2u) << all_lines(o);
  EXPECT_EQ(o.lines[0].level, LOG_WARNING);
  EXPECT_THAT(o.lines[0].text, HasSubstr("an entry is damaged"));
}

TEST_F(IndexedPam, RequirePathIsAnsweredFromTheIndex) {
  compile();
  ReadWatch watch({store_, conf_});
  const PamOutcome allowed = run(kAlice, "require_path=net/eu:READ_TOPIC");
  EXPECT_EQ(allowed.open_rc, PAM_SUCCESS) << all_lines(allowed);
  const PamOutcome denied = run(kAlice, "require_path=net/eu:UPDATE_TOPIC");
  EXPECT_EQ(denied.open_rc, PAM_PERM_DENIED) << all_lines(denied);
  ASSERT_EQ(denied.lines.size(), 1u) << all_lines(denied);
  EXPECT_THAT(denied.lines[0].text, HasSubstr("lacks UPDATE_TOPIC on path \"net/eu\""));
  EXPECT_FALSE(watch.anything_read());
}

}  // namespace
}  // namespace secstore::test
