// pam_secstore.so with a compiled store index (secstore compile) through the
// real libpam: the module answers from the index when it matches the store,
// and when it does not, it says so in one warning and reads the text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <security/pam_appl.h>
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
#include "secstore/store_index.hpp"

namespace secstore::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// An index that records the real store's identity but answers from another
// text: a session that gets its roles proves the module read the index.
constexpr const char* kMarkedText = "set roles for named sessions [\"from-the-index\"]\n";

class IndexedPam : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("the module refuses files not owned by root");
    if (!test_users_ready()) GTEST_SKIP() << "useradd could not create the test users";
    store_ = tree_.write("Security.store", read_source("tests/data/pam/Security.store"));
    conf_ = tree_.write("secstore.conf", read_source("tests/data/pam/secstore.conf"));
    confdir_ = tree_.mkdir("pam.d");
  }

  void write_marked_index() {
    auto marked = Store::parse(kMarkedText, "marked.store");
    ASSERT_TRUE(marked.ok());
    ASSERT_TRUE(compile_store_index(*marked.value, store_).ok());
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
  auto compiled = compile_store_index(store_, FileSafety{true});
  ASSERT_TRUE(compiled.ok());
  const PamOutcome indexed = run(kAlice);
  ASSERT_EQ(indexed.open_rc, PAM_SUCCESS) << all_lines(indexed);
  EXPECT_EQ(env_value(indexed, "SECSTORE_ROLES"), "alice-home,operator,staff,viewer");
  EXPECT_EQ(indexed.env, text.env);
  EXPECT_EQ(indexed.after_open, text.after_open);
  ASSERT_EQ(indexed.lines.size(), 1u) << all_lines(indexed);
  EXPECT_EQ(indexed.lines[0].level, LOG_INFO);
}

TEST_F(IndexedPam, TheModuleAnswersFromAMatchingIndex) {
  write_marked_index();
  const PamOutcome o = run(kAlice);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(env_value(o, "SECSTORE_ROLES"), "from-the-index");
  ASSERT_EQ(o.lines.size(), 1u) << all_lines(o);
}

TEST_F(IndexedPam, AStaleIndexIsReportedOnceAndTheTextAnswers) {
  write_marked_index();
  struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  ASSERT_EQ(::utimensat(AT_FDCWD, store_.c_str(), now, 0), 0);
  const PamOutcome o = run(kAlice);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(env_value(o, "SECSTORE_ROLES"), "alice-home,operator,staff,viewer");
  ASSERT_EQ(o.lines.size(), 2u) << all_lines(o);
  EXPECT_EQ(o.lines[0].level, LOG_WARNING);
  EXPECT_THAT(o.lines[0].text, StartsWith("pam_secstore(secstore-test:session): " + store_ + ".idx: not used, "));
  EXPECT_THAT(o.lines[0].text, HasSubstr("the store has changed since it was compiled"));
  EXPECT_EQ(o.lines[1].level, LOG_INFO);
}

TEST_F(IndexedPam, ADamagedEntryIsReportedOnceAndTheTextAnswers) {
  write_marked_index();
  const std::string index = store_ + ".idx";
  std::string bytes;
  {
    std::ifstream in(index, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    bytes = ss.str();
  }
  bytes[bytes.size() - 2] ^= 0x20;  // inside the only entry's role name
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
  ASSERT_TRUE(compile_store_index(store_, FileSafety{true}).ok());
  const PamOutcome allowed = run(kAlice, "require_path=net/eu:READ_TOPIC");
  EXPECT_EQ(allowed.open_rc, PAM_SUCCESS) << all_lines(allowed);
  const PamOutcome denied = run(kAlice, "require_path=net/eu:UPDATE_TOPIC");
  EXPECT_EQ(denied.open_rc, PAM_PERM_DENIED) << all_lines(denied);
  ASSERT_EQ(denied.lines.size(), 1u) << all_lines(denied);
  EXPECT_THAT(denied.lines[0].text, HasSubstr("lacks UPDATE_TOPIC on path \"net/eu\""));
  // The marked index gives no path permissions at all: the answer is its.
  write_marked_index();
  const PamOutcome marked = run(kAlice, "require_path=net/eu:READ_TOPIC");
  EXPECT_EQ(marked.open_rc, PAM_PERM_DENIED) << all_lines(marked);
}

}  // namespace
}  // namespace secstore::test
