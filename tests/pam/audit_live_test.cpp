// `secstore audit` against sessions opened through the real module: the
// audit of the test users says what explain says, and --live finds a
// session's shell by its environment and flags one whose capabilities were
// raised after the open, or that the policy no longer grants.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <security/pam_appl.h>
#include <grp.h>
#include <pthread.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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

// How a process started by AuditLive::hold keeps what it holds.
enum class Holder {
  Exec,         // runs `sleep` with the environment given
  LeaderExits,  // its main thread exits; a worker thread keeps the sets
  WorkerOnly,   // its main thread clears its own sets; a worker keeps them
};

void* sleep_forever(void*) {
  for (;;) ::pause();
}

// In a child of the test: becomes `uid` holding `ambient` in its ambient
// (so inheritable and permitted) set, as no session of the policy gave it.
[[noreturn]] void hold_in_child(uid_t uid, gid_t gid, std::uint64_t ambient, Holder how,
                                const std::vector<std::string>& env, int ready) {
  ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
  if (::setgroups(0, nullptr) != 0 || ::setresgid(gid, gid, gid) != 0 || ::setresuid(uid, uid, uid) != 0) _exit(120);
  cap_t caps = cap_init();
  for (int c = 0; c < 64; ++c) {
    if (!(ambient & bit(c))) continue;
    cap_value_t v = c;
    cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
    cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
  }
  if (cap_set_proc(caps) != 0) _exit(121);
  cap_free(caps);
  for (int c = 0; c < 64; ++c)
    if ((ambient & bit(c)) && ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0) _exit(122);
  if (how == Holder::Exec) {
    std::vector<char*> envp;
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    char* argv[] = {const_cast<char*>("sleep"), const_cast<char*>("900"), nullptr};
    (void)!::write(ready, "x", 1);
    ::execve("/bin/sleep", argv, envp.data());
    _exit(123);
  }
  pthread_t worker;
  if (::pthread_create(&worker, nullptr, sleep_forever, nullptr) != 0) _exit(124);
  if (how == Holder::WorkerOnly) {
    // capset(2) and PR_CAP_AMBIENT change the calling thread only.
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    cap_t none = cap_init();
    if (cap_set_proc(none) != 0) _exit(125);
    cap_free(none);
    (void)!::write(ready, "x", 1);
    sleep_forever(nullptr);
  }
  (void)!::write(ready, "x", 1);
  // The main thread alone ends (pthread_exit would unwind through the test
  // framework's frames, which this copy of the test has no use for).
  ::syscall(SYS_exit, 0);
  _exit(126);
}

// Whether /proc/PID/status says `field` is `value` yet.
bool status_says(pid_t pid, const std::string& field, const std::string& value) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind(field + ":\t", 0) == 0 && line.find(value) != std::string::npos) return true;
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

  // A process of alice, started here rather than by a session, that holds
  // `ambient` and keeps it as `how` says.
  pid_t hold(std::uint64_t ambient, Holder how, const std::vector<std::string>& env = {}) {
    int ready[2];
    if (::pipe(ready) != 0) return -1;
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(ready[0]);
      hold_in_child(uid_of(kAlice), gid_of_group(kOpsGroup), ambient, how, env, ready[1]);
    }
    ::close(ready[1]);
    char byte = 0;
    const bool started = pid > 0 && ::read(ready[0], &byte, 1) == 1;
    ::close(ready[0]);
    if (pid > 0) alive_.push_back(pid);
    if (!started) {
      ADD_FAILURE() << "the holding process did not start";
      return -1;
    }
    bool settled = true;
    if (how == Holder::Exec) settled = runs(pid, "sleep");
    if (how == Holder::LeaderExits) settled = status_says(pid, "State", "Z");
    if (how == Holder::WorkerOnly) settled = status_says(pid, "CapAmb", "0000000000000000");
    EXPECT_TRUE(settled) << "the holding process did not settle";
    return pid;
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
  EXPECT_THAT(r.out, HasSubstr(" processes of secstore sessions or holding ambient or inheritable capabilities, 1 beyond what the policy grants now\n"));
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

TEST_F(AuditLive, RolesFromTheEnvironmentReachTheTerminalEscaped) {
  // Any user can put anything in its own environment.
  const pid_t pid = hold(0, Holder::Exec,
                         {"SECSTORE_SESSION=named", "SECSTORE_ROLES=%1B[1A%1B[2Kstaff,raw\x1b[2J\xc2\x9b" "1A"});
  ASSERT_GT(pid, 0);
  auto r = live();
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\xc2\x9b"), std::string::npos) << r.out;
  EXPECT_THAT(row_of(r.out, pid), HasSubstr(" \\x1B[1A\\x1B[2Kstaff,raw\\x1B[2J\\xC2\\x9B1A ")) << r.out;
}

TEST_F(AuditLive, FlagsAProcessWithoutTheMarkerThatHoldsMore) {
  // What rewriting the marker in place (environ[i][0] = 'X') leaves.
  const pid_t rewritten = hold(bit(CAP_SYS_PTRACE), Holder::Exec, {"XECSTORE_SESSION=named"});
  const pid_t bare = hold(bit(CAP_SYS_PTRACE), Holder::Exec);
  ASSERT_GT(rewritten, 0);
  ASSERT_GT(bare, 0);
  auto r = live();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  for (pid_t pid : {rewritten, bare})
    EXPECT_THAT(row_of(r.out, pid), HasSubstr("  EXCEEDS: ambient cap_sys_ptrace; inheritable cap_sys_ptrace"))
        << r.out;
}

TEST_F(AuditLive, FlagsAWorkerThreadThatHoldsMoreWhateverTheMainThreadDoes) {
  // Capability sets are per thread: the main thread exits, or clears its
  // own sets, and a worker keeps cap_sys_ptrace.
  const pid_t leader_gone = hold(bit(CAP_SYS_PTRACE), Holder::LeaderExits);
  const pid_t leader_cleared = hold(bit(CAP_SYS_PTRACE), Holder::WorkerOnly);
  ASSERT_GT(leader_gone, 0);
  ASSERT_GT(leader_cleared, 0);
  auto r = live();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  for (pid_t pid : {leader_gone, leader_cleared})
    EXPECT_THAT(row_of(r.out, pid), HasSubstr("  EXCEEDS: ambient cap_sys_ptrace")) << r.out;
}

TEST_F(AuditLive, AForgedMarkerDoesNotChangeWhatAProcessIsComparedWith) {
  // alice's sessions get cap_net_bind_service ambient; an anonymous one of
  // hers would get nothing. The marker is the process's own word.
  const pid_t named = hold(bit(CAP_NET_BIND_SERVICE), Holder::Exec, {"SECSTORE_SESSION=named"});
  const pid_t claims_anonymous = hold(bit(CAP_NET_BIND_SERVICE), Holder::Exec, {"SECSTORE_SESSION=anonymous"});
  ASSERT_GT(named, 0);
  ASSERT_GT(claims_anonymous, 0);
  auto r = live();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(row_of(r.out, named), HasSubstr("  ok")) << r.out;
  EXPECT_THAT(row_of(r.out, claims_anonymous), HasSubstr("  ok")) << r.out;
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
