// `secstore audit`: every account of this host through the shipped example
// configurations says what explain says; exposure ratings as documented;
// pam.d stacks and their require= lines; the role graph.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <sstream>

#include "audit_support.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The accounts --all-local is to list: /etc/passwd, each name once.
std::vector<std::string> passwd_accounts() {
  std::vector<std::string> names;
  std::set<std::string> seen;
  FILE* f = std::fopen("/etc/passwd", "re");
  if (f == nullptr) return names;
  while (struct passwd* pw = ::fgetpwent(f))
    if (*pw->pw_name && seen.insert(pw->pw_name).second) names.push_back(pw->pw_name);
  std::fclose(f);
  return names;
}

// The line of `text` that starts with `prefix`.
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}

// The line of `text` that holds every one of `parts`.
std::string line_with(const std::string& text, const std::vector<std::string>& parts) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    bool all = true;
    for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) return line;
  }
  return "";
}

class Audit : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_SKIP() << "audit reads the files as pam_secstore does, which accepts only root-owned files: run as root";
  }
};

struct Example {
  const char* dir;
  std::vector<std::optional<std::string>> services;
};

// The real-libpam tests add and remove their users in /etc/passwd while
// they hold this lock (tests/pam/test_users.cpp), here or in another tree:
// hold it too, so that the accounts stay put between audit and explain.
class AccountsLock {
 public:
  AccountsLock() {
    fd_ = ::open("/run/lock/secstore-pam-tests.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) fd_ = ::open("/tmp/secstore-pam-tests.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~AccountsLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  AccountsLock(const AccountsLock&) = delete;
  AccountsLock& operator=(const AccountsLock&) = delete;

 private:
  int fd_ = -1;
};

TEST_F(Audit, EveryAccountOfTheShippedExamplesIsWhatExplainSays) {
  AccountsLock lock;
  const auto accounts = passwd_accounts();
  ASSERT_FALSE(accounts.empty());
  for (const Example& example : {Example{"web-deploy", {std::nullopt}}, Example{"netops", {std::nullopt}},
                                 Example{"root-service", {std::nullopt, "backup"}},
                                 Example{"anonymous-guests", {std::nullopt}}}) {
    SCOPED_TRACE(example.dir);
    const std::string dir = source_path("conf/examples/") + example.dir;
    const std::vector<std::string> files = {"--store", dir + "/Security.store", "--conf", dir + "/secstore.conf"};
    std::vector<std::string> args = {"audit", "--all-local", "--json"};
    args.insert(args.begin() + 1, files.begin(), files.end());
    auto audit = run_secstore(args);
    ASSERT_EQ(audit.exit_code, 0) << audit.err;
    EXPECT_EQ(audit.err, "");
    EXPECT_THAT(audit.out, StartsWith("{\"schema\": 1, \"accounts\": {\"from\": \"/etc/passwd\", \"count\": " +
                                      std::to_string(accounts.size()) + ", \"not_enumerated\": \"accounts served by a "
                                      "directory (LDAP, sssd, winbind) are not enumerated: name them with --users\"}"));
    EXPECT_EQ(audit_entry_count(audit.out), accounts.size() * example.services.size());
    for (const auto& service : example.services)
      for (const auto& user : accounts) expect_audit_entry_is_explain(audit.out, files, user, service);
  }
}

TEST_F(Audit, TheTableIsSortedByExposureAndSaysWhatIsNotEnumerated) {
  AccountsLock lock;
  const std::string dir = source_path("conf/examples/root-service");
  auto r = run_secstore({"audit", "--store", dir + "/Security.store", "--conf", dir + "/secstore.conf"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("secstore audit: " + std::to_string(passwd_accounts().size()) +
                                " accounts from /etc/passwd (accounts served by a directory (LDAP, sssd, winbind) are "
                                "not enumerated: name them with --users)\nservices: (default), backup\n\n"
                                "EXPOSURE  ACCOUNT  UID  SERVICE    ROLES      CAPABILITIES"));
  EXPECT_THAT(r.out, HasSubstr("\n10 ROOT   root     0    (default)  superuser  uid 0, not confined: every capability\n"
                               " 7 HIGH   root     0    backup     superuser  ^cap_dac_read_search (uid 0 keeps only these)\n"));
  EXPECT_THAT(r.out, HasSubstr("\nno roles and nothing granted in backup: "));
  // Then what explain says, and the capability that makes the rating.
  EXPECT_THAT(r.out, HasSubstr("\nroot, service backup: 7 HIGH\n  session: named, user \"root\" (uid 0, root)\n"));
  EXPECT_THAT(r.out, HasSubstr("  exposure: high (uid 0, confined to these capabilities)\n"
                               "    cap_dac_read_search: high, read every file and directory"));
}

// The ratings are part of the interface: a change here is a change to
// secstore(1) and to every script that reads the score.
TEST(AuditRatings, EveryCapabilityHasItsDocumentedLevel) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"cap_chown", "near-root"}, {"cap_dac_override", "near-root"}, {"cap_dac_read_search", "high"},
      {"cap_fowner", "near-root"}, {"cap_fsetid", "medium"}, {"cap_kill", "medium"},
      {"cap_setgid", "near-root"}, {"cap_setuid", "near-root"}, {"cap_setpcap", "high"},
      {"cap_linux_immutable", "medium"}, {"cap_net_bind_service", "low"}, {"cap_net_broadcast", "low"},
      {"cap_net_admin", "high"}, {"cap_net_raw", "medium"}, {"cap_ipc_lock", "low"},
      {"cap_ipc_owner", "medium"}, {"cap_sys_module", "near-root"}, {"cap_sys_rawio", "near-root"},
      {"cap_sys_chroot", "medium"}, {"cap_sys_ptrace", "near-root"}, {"cap_sys_pacct", "low"},
      {"cap_sys_admin", "near-root"}, {"cap_sys_boot", "near-root"}, {"cap_sys_nice", "low"},
      {"cap_sys_resource", "low"}, {"cap_sys_time", "medium"}, {"cap_sys_tty_config", "low"},
      {"cap_mknod", "high"}, {"cap_lease", "low"}, {"cap_audit_write", "low"},
      {"cap_audit_control", "medium"}, {"cap_setfcap", "near-root"}, {"cap_mac_override", "high"},
      {"cap_mac_admin", "high"}, {"cap_syslog", "medium"}, {"cap_wake_alarm", "low"},
      {"cap_block_suspend", "low"}, {"cap_audit_read", "low"}, {"cap_perfmon", "medium"},
      {"cap_bpf", "high"}, {"cap_checkpoint_restore", "medium"},
  };
  auto r = run_secstore({"audit", "--ratings"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::vector<std::pair<std::string, std::string>> got;
  std::vector<std::string> reasons;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name, level;
    words >> name >> level;
    got.emplace_back(name, level);
    std::string reason;
    std::getline(words >> std::ws, reason);
    reasons.push_back(reason);
  }
  EXPECT_EQ(got, expected);
  // secstore(1) documents each with the same level and reasoning.
  std::string man = read_text(source_path("doc/secstore.1"));
  for (std::size_t at; (at = man.find("\\-")) != std::string::npos;) man.replace(at, 2, "-");
  for (std::size_t i = 0; i < got.size(); ++i) {
    const std::string row = got[i].first + "\t" + got[i].second + "\tT{\n" + reasons[i] + "\nT}";
    EXPECT_TRUE(man.find(row) != std::string::npos) << "secstore(1) EXPOSURE lacks the row\n" << row;
  }
}

// Accounts every Debian system has, given grants that span the scale.
TEST_F(Audit, SessionsAreRatedByTheirMostDangerousCapability) {
  TempDir dir;
  const auto store = dir.write("Security.store", "");
  const auto conf = dir.write("secstore.conf",
                              "Security { user = nobody\n capabilities = \"^cap_net_bind_service\" }\n"
                              "Security { user = daemon\n capabilities = \"cap_sys_admin=i\" }\n"
                              "Security { user = bin\n capabilities = \"^cap_sys_ptrace,^cap_net_raw\" }\n"
                              "Security { user = sys\n capabilities = \"!cap_sys_admin\" }\n");
  auto r = run_secstore({"audit", "--store", store, "--conf", conf, "--users", "nobody,daemon,bin,sys,root"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(line_starting(r.out, "10 ROOT "), HasSubstr(" root "));
  EXPECT_THAT(line_starting(r.out, " 9 NEAR-ROOT "), HasSubstr(" bin "));
  EXPECT_THAT(line_starting(r.out, " 9 NEAR-ROOT "), HasSubstr("^cap_net_raw,^cap_sys_ptrace"));
  // Inheritable only: a level lower.
  EXPECT_THAT(line_starting(r.out, " 7 HIGH "), HasSubstr(" daemon "));
  EXPECT_THAT(line_starting(r.out, " 1 LOW "), HasSubstr(" nobody "));
  // A bounding drop is reported, not rated.
  EXPECT_THAT(line_starting(r.out, " 0 NONE "), HasSubstr("!cap_sys_admin"));
  EXPECT_THAT(r.out, HasSubstr("    cap_sys_admin (inheritable only): high, mount file systems"));

  auto json = run_secstore({"audit", "--store", store, "--conf", conf, "--users", "bin", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"exposure\": {\"score\": 9, \"level\": \"near-root\", \"summary\": null, "
                                  "\"capabilities\": [{\"name\": \"cap_sys_ptrace\", \"set\": \"ambient\", "
                                  "\"level\": \"near-root\", \"reason\": \"trace and inject code into every process, "
                                  "root's included\"}, {\"name\": \"cap_net_raw\", \"set\": \"ambient\", "
                                  "\"level\": \"medium\""));
}

TEST_F(Audit, PamStacksGateAccountsWithTheirRequireLines) {
  TempDir dir;
  const auto store = dir.write("Security.store", "set \"ops\" permissions [CONTROL_SERVER]\n"
                                                 "set roles for user \"root\" [\"ops\"]\n");
  const auto conf = dir.write("secstore.conf", "");
  const std::string files = "store=" + store + " conf=" + conf;
  dir.write("pam.d/common-session", "session required pam_secstore.so " + files + "\n");
  dir.write("pam.d/sshd", "@include common-session\naccount required pam_secstore.so " + files +
                              " require=CONTROL_SERVER\n");
  dir.write("pam.d/cron", "@include common-session\naccount optional pam_secstore.so " + files +
                              " require=MODIFY_SECURITY\n");
  dir.write("pam.d/passwd", "password required pam_unix.so\n");
  auto r = run_secstore({"audit", "--pam", dir.path() + "/pam.d", "--users", "root,nobody", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The services are the stacks that load the module; common-* are included, not run.
  EXPECT_THAT(r.out, HasSubstr("\"services\": [{\"name\": \"cron\", \"pam\": \"" + dir.path() + "/pam.d/cron\"}, "
                               "{\"name\": \"sshd\", \"pam\": \"" + dir.path() + "/pam.d/sshd\"}]"));
  EXPECT_THAT(r.out, HasSubstr("\"refused\": true, \"refusal\": \"" + dir.path() +
                               "/pam.d/sshd:2: lacks CONTROL_SERVER\", \"pam\": [{\"where\": {\"file\": \"" + dir.path() +
                               "/pam.d/common-session\", \"line\": 1, \"column\": null}, \"type\": \"session\", "
                               "\"control\": \"required\", \"result\": \"passes\""));
  EXPECT_THAT(r.out, HasSubstr("\"type\": \"account\", \"control\": \"optional\", \"result\": \"fails\", "
                               "\"lacks\": [\"MODIFY_SECURITY\"]"));

  auto text = run_secstore({"audit", "--pam", dir.path() + "/pam.d", "--users", "root,nobody"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(line_starting(text.out, " - REFUSED  nobody"), HasSubstr("sshd:2: lacks CONTROL_SERVER"));
  EXPECT_NE(line_with(text.out, {"10 ROOT", " root ", " cron ", "cron:2 fails: lacks MODIFY_SECURITY"}), "") << text.out;
  EXPECT_NE(line_with(text.out, {"10 ROOT", " root ", " sshd ", " ops "}), "") << text.out;
}

TEST_F(Audit, AnUnknownAccountIsRefusedAndAnUnsafeFileIsAnError) {
  TempDir dir;
  const auto store = dir.write("Security.store", "");
  const auto conf = dir.write("secstore.conf", "");
  auto r = run_secstore({"audit", "--store", store, "--conf", conf, "--users", "secstore-no-such-user"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("secstore audit: 1 account named with --users\n"));
  EXPECT_THAT(r.out, HasSubstr(" - REFUSED  secstore-no-such-user  -    (default)  -      -             unknown user "
                               "\"secstore-no-such-user\": the name service does not know it\n"));

  const auto unsafe = dir.write("unsafe.store", "", 0666);
  r = run_secstore({"audit", "--store", unsafe, "--conf", conf, "--users", "root", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("{\"schema\": 1, \"error\": \"" + unsafe + ": error: refusing an unsafe file"));
}

TEST(AuditDot, TheRoleGraphShowsWhoGetsWhichRoleAndIncludes) {
  TempDir dir;
  const auto store = dir.write("Security.store",
                               "set roles for named sessions [\"viewer\"]\n"
                               "set roles for group \"ops\" [\"operator\"]\n"
                               "set roles for user \"we\\\"ird\" [\"operator\"]\n"
                               "set \"operator\" includes [\"viewer\"]\n"
                               "set \"lonely\" permissions []\n");
  auto r = run_secstore({"audit", "--dot", "--store", store});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("digraph roles {\n"));
  EXPECT_THAT(r.out, HasSubstr("\"sessions:named\" -> \"role:viewer\" [tooltip=\"" + store + ":1\"];\n"));
  EXPECT_THAT(r.out, HasSubstr("\"group:ops\" -> \"role:operator\""));
  EXPECT_THAT(r.out, HasSubstr("\"user:we\\\"ird\" [shape=box, style=\"filled\", fillcolor=\"#e8eef7\", "
                               "label=\"user we\\\"ird\"];\n"));
  EXPECT_THAT(r.out, HasSubstr("\"role:operator\" -> \"role:viewer\" [style=dashed, label=\"includes\"];\n"));
  EXPECT_THAT(r.out, HasSubstr("\"role:lonely\" [shape=ellipse, label=\"lonely\"];\n"));
  EXPECT_THAT(r.out, testing::EndsWith("}\n"));
}

TEST(AuditUsage, ModesAndAccountsExcludeEachOther) {
  auto r = run_secstore({"audit", "--users", "a", "--all-local"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore audit: --users and --all-local cannot be used together\n"));
  r = run_secstore({"audit", "--live", "--dot"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_secstore({"audit", "--dot", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore audit: --json goes with the audit and --live only\n"));
  r = run_secstore({"audit", "--service", "../x"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace secstore_test
