// `secstore audit` against sessions opened through the real module: the
// audit of the test users says what explain says, and --live finds a
// session's shell by its environment and flags one whose capabilities were
// raised after the open, or that the policy no longer grants.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <security/pam_appl.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/audit_support.hpp"
#include "cli/run_command.hpp"
#include "module/temp_tree.hpp"
#include "pam/pam_harness.hpp"
#include "pam/test_users.hpp"

namespace secstore::test {
namespace {

using ::testing::HasSubstr;

constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }

// The row of `pid` in `audit --live`'s table.
std::string row_of(const std::string& table, pid_t pid) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(std::to_string(pid) + " ", 0) == 0) return line;
  return "";
}

// Whether `pid` runs `command` yet (the harness reports it before its exec).
bool runs(pid_t pid, const std::string& command) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (std::getline(comm, name) && name == command) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class AuditLive : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "opening a real session and reading /proc/PID/environ need root";
    if (!test_users_ready()) GTEST_SKIP() << "useradd could not create the test users";
    store_ = tree_.write("Security.store", read_source("tests/data/pam/Security.store"));
    conf_ = tree_.write("secstore.conf", read_source("tests/data/pam/secstore.conf"));
    confdir_ = tree_.mkdir("pam.d");
    // The sessions' shells outlive the harness's child: adopt them, so that
    // they can be reaped here.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  }
  void TearDown() override {
    for (pid_t pid : alive_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
  }

  // A session of alice opened as su opens it, whose shell keeps running.
  pid_t open_session(std::uint64_t raise_after_open = 0) {
    write_service(confdir_, "store=" + store_ + " conf=" + conf_);
    PamScenario scenario;
    scenario.confdir = confdir_;
    scenario.user = kAlice;
    scenario.setuid_to = uid_of(kAlice);
    scenario.raise_inheritable_after_open = raise_after_open;
    scenario.keep_alive = true;
    PamOutcome o = run_pam(scenario, tree_.path("syslog"));
    EXPECT_EQ(o.child_error, "");
    EXPECT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
    if (!o.alive) {
      ADD_FAILURE() << "the session's shell was not left running";
      return -1;
    }
    alive_.push_back(*o.alive);
    EXPECT_TRUE(runs(*o.alive, "sleep"));
    return *o.alive;
  }

  secstore_test::CommandResult live(const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"audit", "--live", "--store", store_, "--conf", conf_, "--users", kAlice};
    args.insert(args.end(), more.begin(), more.end());
    return secstore_test::run_secstore(args);
  }

  TempTree tree_;
  std::string store_, conf_, confdir_;
  std::vector<pid_t> alive_;
};

TEST_F(AuditLive, FindsTheShellOfARealSessionAndFlagsOneRaisedAfterTheOpen) {
  const pid_t plain = open_session();
  const pid_t raised = open_session(bit(CAP_SYS_PTRACE));
  ASSERT_GT(plain, 0);
  ASSERT_GT(raised, 0);
  auto r = live();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // one process is beyond the policy
  EXPECT_THAT(r.out, HasSubstr(" processes from secstore sessions, 1 beyond what the policy grants now\n"));
  const std::string uid = std::to_string(uid_of(kAlice));
  // PID USER UID SERVICE SESSION ROLES AMBIENT INHERITABLE STATUS
  std::istringstream plain_row(row_of(r.out, plain));
  std::vector<std::string> cells;
  for (std::string cell; plain_row >> cell;) cells.push_back(cell);
  EXPECT_EQ(cells, (std::vector<std::string>{std::to_string(plain), kAlice, uid, "?", "named",
                                             "alice-home,operator,staff,viewer", "cap_net_bind_service",
                                             "cap_net_bind_service,cap_net_raw", "ok"}))
      << r.out;
  EXPECT_THAT(row_of(r.out, raised), HasSubstr("cap_net_bind_service,cap_net_raw,cap_sys_ptrace  EXCEEDS: "
                                               "inheritable cap_sys_ptrace (compared with (default))"))
      << r.out;

  auto json = live({"--json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_THAT(json.out, HasSubstr("{\"pid\": " + std::to_string(raised) + ", \"command\": \"sleep\", \"user\": \"" +
                                  kAlice + "\", \"uid\": " + uid + ", \"service\": null, \"session\": \"named\", "
                                  "\"roles_at_login\": [\"alice-home\", \"operator\", \"staff\", \"viewer\"]"));
  EXPECT_THAT(json.out, HasSubstr("\"exceeds\": true, \"excess\": {\"ambient\": [], \"inheritable\": "
                                  "[\"cap_sys_ptrace\"], \"bounding\": []}"));
}

TEST_F(AuditLive, FlagsASessionThePolicyNoLongerGrants) {
  const pid_t pid = open_session();
  ASSERT_GT(pid, 0);
  auto before = live();
  EXPECT_EQ(before.exit_code, 0) << before.out << before.err;
  EXPECT_THAT(row_of(before.out, pid), HasSubstr("  ok"));
  // The operators' scope goes away after the login.
  tree_.write("secstore.conf", "Security \"viewers\" {\n  role = viewer\n  capabilities = \"cap_net_raw=i\"\n}\n");
  auto after = live();
  EXPECT_EQ(after.exit_code, 1) << after.out << after.err;
  EXPECT_THAT(row_of(after.out, pid), HasSubstr("EXCEEDS: ambient cap_net_bind_service; inheritable "
                                                "cap_net_bind_service (compared with (default))"));
}

TEST_F(AuditLive, TheAuditOfTheTestUsersIsWhatExplainSays) {
  const std::vector<std::string> files = {"--store", store_, "--conf", conf_};
  auto audit = secstore_test::run_secstore(
      {"audit", "--store", store_, "--conf", conf_, "--users", std::string(kAlice) + "," + kBob, "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_EQ(secstore_test::audit_entry_count(audit.out), 2u);
  for (const char* user : {kAlice, kBob}) secstore_test::expect_audit_entry_is_explain(audit.out, files, user, std::nullopt);
  EXPECT_THAT(audit.out, HasSubstr("\"exposure\": {\"score\": 1, \"level\": \"low\", \"summary\": null, "
                                   "\"capabilities\": [{\"name\": \"cap_net_bind_service\", \"set\": \"ambient\""));
}

}  // namespace
}  // namespace secstore::test
