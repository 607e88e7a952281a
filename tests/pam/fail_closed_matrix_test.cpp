// The fail-closed matrix (SPEC §4.5, issue 8): every bad input we can name,
// fed to the real module through real libpam. For each one: the exact PAM
// return code, exactly one syslog line that names the cause, no SECSTORE_*
// variable exported, and the process's capability sets, groups, ids, root
// and open descriptors exactly as they were. The matrix is printed.
//
// "Unreadable" needs care: the test runs as root, and root reads a mode-000
// file. So that case drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
// effective set first (a root login program without DAC override); the
// other ways a path cannot be read (through a regular file: ENOTDIR; a
// dangling symlink) are separate rows named for what they are.
#include <gtest/gtest.h>
#include <security/pam_appl.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "needs_root.hpp"
#include "pam/matrix_harness.hpp"

namespace secstore::testing {
namespace {

constexpr uid_t kNobody = 65534;  // Debian's "nobody"; owns the "not root's" files

const char* const kGoodStore =
    "set \"ops\" permissions [VIEW_SERVER]\n"
    "set \"ops\" default path permissions [READ_TOPIC]\n"
    "set roles for named sessions [\"ops\"]\n";
const char* const kGoodConf = "# grants nothing\n";

// One row's files and arguments, made fresh in a private directory.
struct CaseFiles {
  const TempDir& dir;
  std::string store;
  std::string conf;
  std::string args;  // more module arguments
  std::string user = "root";
  bool without_dac_override = false;
};

struct MatrixCase {
  std::string input;  // what is wrong, as the matrix prints it
  Hook hook = Hook::OpenSession;
  std::function<void(CaseFiles&)> setup;
  int expected_rc;
  int expected_priority;              // of the one line; unused for PAM_SUCCESS
  std::vector<std::string> mentions;  // each must be in that line; "@DIR@" is the case's dir
};

void write_store(CaseFiles& f, const std::string& text, mode_t mode = 0644, uid_t uid = 0) {
  write_file(f.store, text, mode, uid);
}
void write_conf(CaseFiles& f, const std::string& text, mode_t mode = 0644, uid_t uid = 0) {
  write_file(f.conf, text, mode, uid);
}

std::vector<MatrixCase> matrix() {
  const int kSessionErr = PAM_SESSION_ERR;
  std::vector<MatrixCase> m;
  auto add = [&](std::string input, std::function<void(CaseFiles&)> setup, int rc, int priority,
                 std::vector<std::string> mentions, Hook hook = Hook::OpenSession) {
    m.push_back(MatrixCase{std::move(input), hook, std::move(setup), rc, priority,
                           std::move(mentions)});
  };

  // --- files that cannot be read at all
  add("store missing", [](CaseFiles& f) { f.store = f.dir / "absent.store"; }, kSessionErr,
      LOG_ALERT, {"@DIR@/absent.store", "No such file"});
  add("conf missing", [](CaseFiles& f) { f.conf = f.dir / "absent.conf"; }, kSessionErr, LOG_ALERT,
      {"@DIR@/absent.conf", "No such file"});
  add("store unreadable (mode 0000, root without DAC override)",
      [](CaseFiles& f) {
        write_store(f, kGoodStore, 0000);
        f.without_dac_override = true;
      },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store", "Permission denied"});
  add("store path through a regular file (ENOTDIR)",
      [](CaseFiles& f) {
        write_file(f.dir / "plain", "");
        f.store = f.dir / "plain/Security.store";
      },
      kSessionErr, LOG_ALERT, {"@DIR@/plain/Security.store", "Not a directory"});
  add("store is a dangling symlink",
      [](CaseFiles& f) {
        std::filesystem::create_symlink(f.dir / "gone.store", f.dir / "dangling.store");
        f.store = f.dir / "dangling.store";
      },
      kSessionErr, LOG_ALERT, {"@DIR@/dangling.store", "No such file"});
  add("store is a directory",
      [](CaseFiles& f) {
        std::filesystem::create_directory(f.dir / "adir");
        f.store = f.dir / "adir";
      },
      kSessionErr, LOG_ALERT, {"@DIR@/adir", "directory"});
  add("store is a FIFO (must not block)",
      [](CaseFiles& f) {
        ::mkfifo((f.dir / "fifo").c_str(), 0644);
        f.store = f.dir / "fifo";
      },
      kSessionErr, LOG_ALERT, {"@DIR@/fifo", "special file"});
  add("store is /dev/null", [](CaseFiles& f) { f.store = "/dev/null"; }, kSessionErr, LOG_ALERT,
      {"/dev/null", "special file"});

  // --- files that are unsafe (SPEC §4.5)
  add("store is a symlink to a user-owned file",
      [](CaseFiles& f) {
        write_file(f.dir / "users.store", kGoodStore, 0644, kNobody);
        std::filesystem::remove(f.store);
        std::filesystem::create_symlink(f.dir / "users.store", f.store);
      },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store", "owned by uid 65534"});
  add("store group-writable (0664)", [](CaseFiles& f) { write_store(f, kGoodStore, 0664); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store", "writable by its group"});
  add("store world-writable (0666)", [](CaseFiles& f) { write_store(f, kGoodStore, 0666); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store", "writable by others"});
  add("store not root-owned (uid 65534)",
      [](CaseFiles& f) { write_store(f, kGoodStore, 0644, kNobody); }, kSessionErr, LOG_ALERT,
      {"@DIR@/Security.store", "owned by uid 65534"});
  add("conf world-writable (0666)", [](CaseFiles& f) { write_conf(f, kGoodConf, 0666); },
      kSessionErr, LOG_ALERT, {"@DIR@/secstore.conf", "writable by others"});
  add("conf not root-owned (uid 65534)",
      [](CaseFiles& f) { write_conf(f, kGoodConf, 0644, kNobody); }, kSessionErr, LOG_ALERT,
      {"@DIR@/secstore.conf", "owned by uid 65534"});
  add("conf includes a world-writable file",
      [](CaseFiles& f) {
        write_conf(f, "include \"more.conf\"\n");
        write_file(f.dir / "more.conf", "Security { }\n", 0666);
      },
      kSessionErr, LOG_ALERT, {"@DIR@/more.conf", "writable by others"});
  add("per-service conf (secstore.d/matrix.conf) world-writable",
      [](CaseFiles& f) { write_file(f.dir / "secstore.d/matrix.conf", "Security { }\n", 0666); },
      kSessionErr, LOG_ALERT, {"@DIR@/secstore.d/matrix.conf", "writable by others"});

  // --- files that are malformed
  add("store truncated mid-statement",
      [](CaseFiles& f) { write_store(f, "set \"ops\" permissions [VIEW_SERVER]\nset \"ops\" path \"x\" perm"); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store:2:"});
  add("store: unknown permission",
      [](CaseFiles& f) { write_store(f, "set \"ops\" permissions [FLY_KITE]\n"); }, kSessionErr,
      LOG_ALERT, {"@DIR@/Security.store:1:", "FLY_KITE"});
  add("store: path permission in a global list",
      [](CaseFiles& f) { write_store(f, "set \"ops\" permissions [READ_TOPIC]\n"); }, kSessionErr,
      LOG_ALERT, {"@DIR@/Security.store:1:", "READ_TOPIC"});
  add("store: NUL byte",
      [](CaseFiles& f) { write_store(f, std::string("set \"ops\" permissions\0 []\n", 27)); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store:1:"});
  add("store: role include cycle",
      [](CaseFiles& f) {
        write_store(f, "set \"A\" includes [\"B\"]\nset \"B\" includes [\"A\"]\n");
      },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store:2:", "includes itself"});
  add("conf truncated mid-scope",
      [](CaseFiles& f) { write_conf(f, "Security \"x\" {\n  user = root\n"); }, kSessionErr,
      LOG_ALERT, {"@DIR@/secstore.conf:"});
  add("conf: unknown option",
      [](CaseFiles& f) { write_conf(f, "Security {\n  colour = blue\n}\n"); }, kSessionErr,
      LOG_ALERT, {"@DIR@/secstore.conf:2:", "colour"});
  add("conf: include cycle",
      [](CaseFiles& f) {
        write_conf(f, "include \"loop.conf\"\n");
        write_file(f.dir / "loop.conf", "include \"secstore.conf\"\n");
      },
      kSessionErr, LOG_ALERT, {"@DIR@/", "secstore.conf"});
  add("conf: unknown capability",
      [](CaseFiles& f) { write_conf(f, "Security { capabilities = \"cap_fly_kite+ep\" }\n"); },
      kSessionErr, LOG_ALERT, {"@DIR@/secstore.conf:1:", "cap_fly_kite"});
  add("conf: two chroots for one session",
      [](CaseFiles& f) {
        write_conf(f, "Security \"one\" { chroot = \"/srv/one\" }\nSecurity \"two\" { chroot = \"/srv/two\" }\n");
      },
      kSessionErr, LOG_ALERT, {"/srv/one", "/srv/two"});
  add("conf: chroot not root-owned",
      [](CaseFiles& f) {
        std::filesystem::create_directory(f.dir / "jail");
        ::chown((f.dir / "jail").c_str(), kNobody, kNobody);
        write_conf(f, "Security { chroot = \"" + (f.dir / "jail") + "\" }\n");
      },
      kSessionErr, LOG_ALERT, {"@DIR@/jail"});
  add("conf: chroot missing",
      [](CaseFiles& f) { write_conf(f, "Security { chroot = \"" + (f.dir / "nojail") + "\" }\n"); },
      kSessionErr, LOG_ALERT, {"@DIR@/nojail"});
  add("conf: unknown group (selector)",
      [](CaseFiles& f) {
        write_conf(f, "Security { group = nosuchgroup_matrix capabilities = \"cap_chown=i\" }\n");
      },
      kSessionErr, LOG_ALERT, {"nosuchgroup_matrix"});
  add("conf: unknown group (supplemental_groups)",
      [](CaseFiles& f) {
        write_conf(f, "Security { supplemental_groups = ( nosuchgroup_matrix ) }\n");
      },
      kSessionErr, LOG_ALERT, {"nosuchgroup_matrix"});

  // --- what the process cannot do (cap_sys_resource is dropped from the
  // child's bounding set before every row, as in this sandbox)
  add("capability outside the bounding set (root)",
      [](CaseFiles& f) {
        write_conf(f, "Security { user = root capabilities = \"^cap_sys_resource\" }\n");
      },
      kSessionErr, LOG_ERR, {"cap_sys_resource"});
  add("capability outside the bounding set (nobody)",
      [](CaseFiles& f) {
        f.user = "nobody";
        write_conf(f, "Security { user = nobody capabilities = \"cap_net_raw,cap_sys_resource=eip\" }\n");
      },
      kSessionErr, LOG_ERR, {"cap_sys_resource"});

  // --- who the session is, and what the stack asks
  add("unknown user", [](CaseFiles& f) { f.user = "nosuchuser_matrix"; }, kSessionErr, LOG_ERR,
      {"nosuchuser_matrix"});
  add("argument typo (requre=)", [](CaseFiles& f) { f.args = "requre=VIEW_SERVER"; }, kSessionErr,
      LOG_ERR, {"requre=VIEW_SERVER"});
  add("argument: unknown permission in require=", [](CaseFiles& f) { f.args = "require=FLY_KITE"; },
      kSessionErr, LOG_ERR, {"FLY_KITE"});
  add("argument: require_path= without a permission",
      [](CaseFiles& f) { f.args = "require_path=x/y"; }, kSessionErr, LOG_ERR,
      {"require_path=x/y"});
  add("require= not held", [](CaseFiles& f) { f.args = "require=CONTROL_SERVER"; }, PAM_PERM_DENIED,
      LOG_NOTICE, {"root", "CONTROL_SERVER"});
  add("require_path= not held", [](CaseFiles& f) { f.args = "require_path=x/y:UPDATE_TOPIC"; },
      PAM_PERM_DENIED, LOG_NOTICE, {"root", "UPDATE_TOPIC"});

  // --- empty files are valid: accepted, granting nothing
  add("store empty (valid: no roles)", [](CaseFiles& f) { write_store(f, ""); }, PAM_SUCCESS, 0, {});
  add("conf empty (valid: no scopes)", [](CaseFiles& f) { write_conf(f, ""); }, PAM_SUCCESS, 0, {});
  add("store empty, require=VIEW_SERVER",
      [](CaseFiles& f) {
        write_store(f, "");
        f.args = "require=VIEW_SERVER";
      },
      PAM_PERM_DENIED, LOG_NOTICE, {"VIEW_SERVER"});

  // --- the account hook fails closed with its own codes
  add("store missing", [](CaseFiles& f) { f.store = f.dir / "absent.store"; }, PAM_SERVICE_ERR,
      LOG_ALERT, {"@DIR@/absent.store"}, Hook::Account);
  add("unknown user", [](CaseFiles& f) { f.user = "nosuchuser_matrix"; }, PAM_USER_UNKNOWN, LOG_ERR,
      {"nosuchuser_matrix"}, Hook::Account);
  add("require= not held", [](CaseFiles& f) { f.args = "require=CONTROL_SERVER"; }, PAM_PERM_DENIED,
      LOG_NOTICE, {"CONTROL_SERVER"}, Hook::Account);
  add("argument typo (requre=)", [](CaseFiles& f) { f.args = "requre=VIEW_SERVER"; },
      PAM_SERVICE_ERR, LOG_ERR, {"requre=VIEW_SERVER"}, Hook::Account);
  return m;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
  return text;
}

// Lowers the effective set of this (child) process as a case asks, and takes
// cap_sys_resource out of its bounding set so that "outside the bounding
// set" means the same on every machine.
std::string prepare_child(const CaseFiles& f) {
  if (prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) != 0) return "cannot drop cap_sys_resource";
  if (f.without_dac_override) {
    cap_t caps = cap_get_proc();
    cap_value_t dac[] = {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH};
    bool ok = caps != nullptr && cap_set_flag(caps, CAP_EFFECTIVE, 2, dac, CAP_CLEAR) == 0 &&
              cap_set_proc(caps) == 0;
    if (caps) cap_free(caps);
    if (!ok) return "cannot drop DAC override";
  }
  return "";
}

const char* hook_type(Hook h) { return h == Hook::Account ? "account" : "session"; }

struct Row {
  std::string input, hook, expected, got, line;
};

TEST(FailClosedMatrix, EveryBadInputIsRefusedWithOneLineAndNothingChanged) {
  SECSTORE_NEEDS_ROOT("files owned by others, chroot, capabilities");
  std::vector<Row> rows;
  for (const MatrixCase& c : matrix()) {
    SCOPED_TRACE(std::string(hook_name(c.hook)) + ": " + c.input);
    TempDir dir;
    CaseFiles files{dir, dir / "Security.store", dir / "secstore.conf", "", "root", false};
    write_store(files, kGoodStore);
    write_conf(files, kGoodConf);
    c.setup(files);
    PamConfDir pamd;
    pamd.add_service("matrix", std::string(hook_type(c.hook)) + " required @MODULE@ store=" +
                                   files.store + " conf=" + files.conf + " " + files.args + "\n");

    ChildResult child = run_in_child([&] {
      if (std::string e = prepare_child(files); !e.empty()) return "error " + e + "\n";
      return serialize(run_pam(pamd.path(), "matrix", files.user.c_str(), c.hook));
    });
    ASSERT_TRUE(WIFEXITED(child.status) && WEXITSTATUS(child.status) == 0)
        << "the child running the module died (status " << child.status << ")";
    std::optional<PamRun> run = deserialize(child.output);
    ASSERT_TRUE(run) << child.output;
    ASSERT_EQ(run->start_rc, PAM_SUCCESS);

    EXPECT_EQ(pam_code_name(run->rc), pam_code_name(c.expected_rc));
    EXPECT_EQ(run->state_change, "") << "the process changed";
    std::string line;
    if (c.expected_rc == PAM_SUCCESS) {
      for (const auto& l : run->log)
        EXPECT_GT(l.priority, LOG_WARNING) << "a valid input logged a problem: " << l.text;
    } else {
      for (const auto& e : run->env) EXPECT_NE(e.rfind("SECSTORE_", 0), 0u) << "exported " << e;
      EXPECT_EQ(run->log.size(), 1u) << "expected exactly one syslog line";
      if (!run->log.empty()) {
        line = run->log.front().text;
        EXPECT_EQ(priority_name(run->log.front().priority), priority_name(c.expected_priority))
            << line;
        for (const auto& m : c.mentions)
          EXPECT_NE(line.find(replace_all(m, "@DIR@", dir.path())), std::string::npos)
              << "the line does not name \"" << m << "\": " << line;
      }
    }
    rows.push_back(Row{c.input, hook_type(c.hook), pam_code_name(c.expected_rc),
                       pam_code_name(run->rc),
                       replace_all(line, dir.path(), "DIR")});
  }

  std::cout << "\nfail-closed matrix (input -> PAM code, syslog line; DIR is the case's directory)\n";
  for (const auto& r : rows)
    std::cout << "  " << r.hook << " | " << r.input << " -> " << r.got
              << (r.got == r.expected ? "" : "  [expected " + r.expected + "]")
              << (r.line.empty() ? "" : " | " + r.line) << "\n";
}

}  // namespace
}  // namespace secstore::testing
