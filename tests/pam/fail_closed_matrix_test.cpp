// The fail-closed matrix (SPEC §4.5): every bad input we can name, fed to
// the real module through real libpam. For each one: the exact PAM return
// code, exactly one syslog line that names the cause, no SECSTORE_*
// variable exported, and the process's capability sets, groups, ids, root
// and open descriptors exactly as they were. The matrix is printed.
//
// And `secstore check` with the same files (SPEC §5): for every row the
// files cause, it exits 0 exactly when the module opened the session, and
// otherwise names the module's own reason, in the module's words. Rows that
// depend on who the session is, on the process, or on the stack's line are
// left out of that comparison, each with why (the stack's arguments are
// compared with `secstore check --pam` instead).
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
#include "cli/run_command.hpp"
#include "pam/matrix_harness.hpp"
#include "secstore/policy.hpp"

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

// What a row's outcome depends on, for the comparison with `secstore check`.
enum class Cause {
  Files,    // the files alone: check must agree with the module
  Stack,    // the pam.d line's arguments: `check --pam` must agree
  Session,  // who logs in (an unknown user, a require= not held): explain's to show
  Process,  // what the login program's process may do: not a property of the files
};

struct MatrixCase {
  std::string input;  // what is wrong, as the matrix prints it
  Hook hook = Hook::OpenSession;
  std::function<void(CaseFiles&)> setup;
  int expected_rc;
  int expected_priority;              // of the one line; unused for PAM_SUCCESS
  std::vector<std::string> mentions;  // each must be in that line; "@DIR@" is the case's dir
  Cause cause = Cause::Files;
  bool warns = false;  // a valid input that the module warns about (a stale index)
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
                 std::vector<std::string> mentions, Hook hook = Hook::OpenSession, Cause cause = Cause::Files) {
    m.push_back(MatrixCase{std::move(input), hook, std::move(setup), rc, priority, std::move(mentions), cause});
  };
  auto session_row = [&](std::string input, std::function<void(CaseFiles&)> setup, int rc, int priority,
                         std::vector<std::string> mentions, Cause cause, Hook hook = Hook::OpenSession) {
    add(std::move(input), std::move(setup), rc, priority, std::move(mentions), hook, cause);
  };

  // --- files that cannot be read at all
  add("store missing", [](CaseFiles& f) { f.store = f.dir / "absent.store"; }, kSessionErr,
      LOG_ALERT, {"@DIR@/absent.store", "No such file"});
  add("conf missing", [](CaseFiles& f) { f.conf = f.dir / "absent.conf"; }, kSessionErr, LOG_ALERT,
      {"@DIR@/absent.conf", "No such file"});
  session_row("store unreadable (mode 0000, root without DAC override)",
              [](CaseFiles& f) {
                write_store(f, kGoodStore, 0000);
                f.without_dac_override = true;
              },
              kSessionErr, LOG_ALERT, {"@DIR@/Security.store", "Permission denied"}, Cause::Process);
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
      kSessionErr, LOG_ALERT, {"@DIR@/fifo", "found a FIFO"});
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
  // Whoever can write secstore.d can plant an override that gives root its
  // bounding set back: a symlink to an empty root-owned file.
  add("secstore.d/ world-writable, an override planted in it",
      [](CaseFiles& f) {
        write_conf(f, "Security { user = root capabilities = \"^cap_net_bind_service\" }\n");
        write_file(f.dir / "empty", "");
        std::filesystem::create_directory(f.dir / "secstore.d");
        ::chmod((f.dir / "secstore.d").c_str(), 0777);
        std::filesystem::create_symlink(f.dir / "empty", f.dir / "secstore.d/matrix.conf");
      },
      kSessionErr, LOG_ALERT, {"@DIR@/secstore.d", "refusing an unsafe directory", "writable by others"});
  add("conf in a world-writable directory",
      [](CaseFiles& f) {
        std::filesystem::create_directory(f.dir / "open");
        ::chmod((f.dir / "open").c_str(), 0777);
        f.conf = f.dir / "open/secstore.conf";
        write_conf(f, kGoodConf);
      },
      kSessionErr, LOG_ALERT, {"@DIR@/open/secstore.conf", "its directory @DIR@/open is writable by others"});
  add("store in a group-writable directory",
      [](CaseFiles& f) {
        std::filesystem::create_directory(f.dir / "grp");
        ::chmod((f.dir / "grp").c_str(), 0775);
        f.store = f.dir / "grp/Security.store";
        write_store(f, kGoodStore);
      },
      kSessionErr, LOG_ALERT, {"@DIR@/grp/Security.store", "its directory @DIR@/grp is writable by its group"});
  add("store drop-in not root-owned",
      [](CaseFiles& f) { write_file(f.store + ".d/host.store", "set roles for user \"x\" [\"ops\"]\n", 0644, kNobody); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store.d/host.store", "owned by uid 65534"});
  add("store drop-in directory world-writable",
      [](CaseFiles& f) {
        std::filesystem::create_directory(f.store + ".d");
        ::chmod((f.store + ".d").c_str(), 0777);
      },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store.d", "refusing an unsafe directory"});

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
  // A stack without require_path= reads the path statements only to check
  // them (no path tree is built): an error there still refuses.
  add("store: global permission in a path list",
      [](CaseFiles& f) { write_store(f, "set \"ops\" path \"x\" permissions [AUTHENTICATE]\n"); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store:1:", "AUTHENTICATE"});
  add("store: a path that normalises to nothing",
      [](CaseFiles& f) { write_store(f, "set \"ops\" permissions [VIEW_SERVER]\nisolate path \"//\"\n"); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store:2:", "non-empty path"});
  add("store: words after a path statement",
      [](CaseFiles& f) { write_store(f, "set \"ops\" path \"x\" permissions [READ_TOPIC] now\n"); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store:1:", "now"});
  add("store: NUL byte",
      [](CaseFiles& f) { write_store(f, std::string("set \"ops\" permissions\0 []\n", 27)); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store:1:"});
  add("store drop-in malformed (names its own file:line)",
      [](CaseFiles& f) { write_file(f.store + ".d/10-host.store", "\nset \"ops\" permissions [FLY]\n"); },
      kSessionErr, LOG_ALERT, {"@DIR@/Security.store.d/10-host.store:2:", "FLY"});
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
  // SPEC §3: at most 256 files and 16 MiB per load.
  add("conf: includes that fan out (each file includes the next twice)",
      [](CaseFiles& f) {
        for (int i = 0; i < 12; ++i)
          write_file(f.dir / ("fan" + std::to_string(i) + ".conf"),
                     "include \"fan" + std::to_string(i + 1) + ".conf\"\ninclude \"fan" + std::to_string(i + 1) + ".conf\"\n");
        write_file(f.dir / "fan12.conf", "");
        write_conf(f, "include \"fan0.conf\"\n");
      },
      kSessionErr, LOG_ALERT, {"at most 256 files"});
  add("conf: include of /proc/self/pagemap",
      [](CaseFiles& f) { write_conf(f, "include \"/proc/self/pagemap\"\n"); }, kSessionErr, LOG_ALERT,
      {"/proc/self/pagemap", "16 MiB"});
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
        if (::chown((f.dir / "jail").c_str(), kNobody, kNobody) != 0) throw std::runtime_error("chown failed");
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
  // An all-digit value is an id (SPEC §3), and ids are 32 bits with -1
  // reserved: one past that range must not wrap to gid 0 (the root group),
  // nor one past any integer be used as if it had a value.
  add("conf: gid 2^32 (supplemental_groups)",
      [](CaseFiles& f) { write_conf(f, "Security { supplemental_groups = ( 4294967296 ) }\n"); }, kSessionErr,
      LOG_ALERT, {"@DIR@/secstore.conf:1:", "4294967296", "4294967294"});
  add("conf: gid past any integer (supplemental_groups)",
      [](CaseFiles& f) { write_conf(f, "Security { supplemental_groups = ( 99999999999999999999 ) }\n"); },
      kSessionErr, LOG_ALERT, {"@DIR@/secstore.conf:1:", "99999999999999999999"});
  add("conf: gid -1 (supplemental_groups)",
      [](CaseFiles& f) { write_conf(f, "Security { supplemental_groups = ( 4294967295 ) }\n"); }, kSessionErr,
      LOG_ALERT, {"@DIR@/secstore.conf:1:", "4294967295"});
  add("conf: uid 2^32 (selector)",
      [](CaseFiles& f) { write_conf(f, "Security { user = 4294967296 capabilities = \"cap_chown=i\" }\n"); },
      kSessionErr, LOG_ALERT, {"@DIR@/secstore.conf:1:", "4294967296"});
  add("conf: gid 2^32 (selector)",
      [](CaseFiles& f) { write_conf(f, "Security { group = 4294967296 capabilities = \"cap_chown=i\" }\n"); },
      kSessionErr, LOG_ALERT, {"@DIR@/secstore.conf:1:", "4294967296"});

  // --- what the process cannot do (cap_sys_resource is dropped from the
  // child's bounding set before every row, as in this sandbox)
  session_row("capability outside the bounding set (root)",
              [](CaseFiles& f) {
                write_conf(f, "Security { user = root capabilities = \"^cap_sys_resource\" }\n");
              },
              kSessionErr, LOG_ERR, {"cap_sys_resource"}, Cause::Process);
  session_row("capability outside the bounding set (nobody)",
              [](CaseFiles& f) {
                f.user = "nobody";
                write_conf(f, "Security { user = nobody capabilities = \"cap_net_raw,cap_sys_resource=eip\" }\n");
              },
              kSessionErr, LOG_ERR, {"cap_sys_resource"}, Cause::Process);

  // --- who the session is, and what the stack asks
  session_row("unknown user", [](CaseFiles& f) { f.user = "nosuchuser_matrix"; }, kSessionErr, LOG_ERR,
              {"nosuchuser_matrix"}, Cause::Session);
  session_row("argument typo (requre=)", [](CaseFiles& f) { f.args = "requre=VIEW_SERVER"; }, kSessionErr,
              LOG_ERR, {"requre=VIEW_SERVER", "did you mean require?"}, Cause::Stack);
  session_row("argument: unknown permission in require=", [](CaseFiles& f) { f.args = "require=FLY_KITE"; },
              kSessionErr, LOG_ERR, {"FLY_KITE"}, Cause::Stack);
  session_row("argument: require_path= without a permission", [](CaseFiles& f) { f.args = "require_path=x/y"; },
              kSessionErr, LOG_ERR, {"require_path=x/y"}, Cause::Stack);
  session_row("argument: relative store= (read from the program's working directory)",
              [](CaseFiles& f) { f.args = "store=Security.store"; }, kSessionErr, LOG_ERR,
              {"store=Security.store", "must be absolute"}, Cause::Stack);
  session_row("require= not held", [](CaseFiles& f) { f.args = "require=CONTROL_SERVER"; }, PAM_PERM_DENIED,
              LOG_NOTICE, {"root", "CONTROL_SERVER"}, Cause::Session);
  session_row("require_path= not held", [](CaseFiles& f) { f.args = "require_path=x/y:UPDATE_TOPIC"; },
              PAM_PERM_DENIED, LOG_NOTICE, {"root", "UPDATE_TOPIC"}, Cause::Session);

  // --- empty files are valid: accepted, granting nothing
  add("store empty (valid: no roles)", [](CaseFiles& f) { write_store(f, ""); }, PAM_SUCCESS, 0, {});
  add("conf empty (valid: no scopes)", [](CaseFiles& f) { write_conf(f, ""); }, PAM_SUCCESS, 0, {});
  session_row("store empty, require=VIEW_SERVER",
              [](CaseFiles& f) {
                write_store(f, "");
                f.args = "require=VIEW_SERVER";
              },
              PAM_PERM_DENIED, LOG_NOTICE, {"VIEW_SERVER"}, Cause::Session);
  add("store and conf valid", [](CaseFiles&) {}, PAM_SUCCESS, 0, {});
  add("drop-in adds roles (valid)",
      [](CaseFiles& f) { write_file(f.store + ".d/10-host.store", "set roles for user \"root\" [\"ops\"]\n"); },
      PAM_SUCCESS, 0, {});

  // --- a compiled index the module cannot use: a warning, and the text answers
  auto compiled_then = [](std::function<void(CaseFiles&)> spoil) {
    return [spoil](CaseFiles& f) {
      auto compiled = compile_policy(PolicyFiles{f.store, f.conf, {}}, FileSafety{true});
      if (!compiled.ok()) throw std::runtime_error("compile failed");
      spoil(f);
    };
  };
  m.push_back(MatrixCase{"index current (valid)", Hook::OpenSession, compiled_then([](CaseFiles&) {}), PAM_SUCCESS, 0,
                         {}, Cause::Files, false});
  m.push_back(MatrixCase{"index stale (the store edited after compile)", Hook::OpenSession,
                         compiled_then([](CaseFiles& f) { write_store(f, std::string(kGoodStore) + "\n"); }), PAM_SUCCESS,
                         0, {}, Cause::Files, true});
  m.push_back(MatrixCase{"index world-writable", Hook::OpenSession,
                         compiled_then([](CaseFiles& f) { ::chmod((f.store + ".idx").c_str(), 0666); }), PAM_SUCCESS, 0,
                         {}, Cause::Files, true});

  // --- the account hook fails closed with its own codes
  add("store missing", [](CaseFiles& f) { f.store = f.dir / "absent.store"; }, PAM_SERVICE_ERR,
      LOG_ALERT, {"@DIR@/absent.store"}, Hook::Account);
  session_row("unknown user", [](CaseFiles& f) { f.user = "nosuchuser_matrix"; }, PAM_USER_UNKNOWN, LOG_ERR,
              {"nosuchuser_matrix"}, Cause::Session, Hook::Account);
  session_row("require= not held", [](CaseFiles& f) { f.args = "require=CONTROL_SERVER"; }, PAM_PERM_DENIED,
              LOG_NOTICE, {"CONTROL_SERVER"}, Cause::Session, Hook::Account);
  session_row("argument typo (requre=)", [](CaseFiles& f) { f.args = "requre=VIEW_SERVER"; }, PAM_SERVICE_ERR,
              LOG_ERR, {"requre=VIEW_SERVER"}, Cause::Stack, Hook::Account);
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

// The module's line without the "pam_secstore(service:hook): " that
// pam_syslog puts before it.
std::string reason_of(const std::string& line) {
  const std::string tag = "): ";
  auto at = line.find(tag);
  return line.rfind("pam_secstore(", 0) == 0 && at != std::string::npos ? line.substr(at + tag.size()) : line;
}

const char* why_left_out(Cause cause) {
  switch (cause) {
    case Cause::Session: return "depends on who logs in: `secstore explain` shows it";
    case Cause::Process: return "depends on the login program's process, not on the files";
    default: return "";
  }
}

// Runs `secstore check` on the row's files (or `check --pam` on its line)
// and says how it compared; a disagreement is a test failure.
std::string compare_with_check(const MatrixCase& c, const CaseFiles& f, const PamConfDir& pamd, int module_rc,
                               const std::string& line) {
  const std::string name = std::string(hook_type(c.hook)) + " | " + c.input;
  if (c.cause == Cause::Session || c.cause == Cause::Process) return name + ": left out (" + why_left_out(c.cause) + ")";
  std::vector<std::string> args = {"check"};
  if (c.cause == Cause::Stack)
    args.insert(args.end(), {"--pam", pamd.path() + "/matrix"});
  else
    args.insert(args.end(), {"--store", f.store, "--conf", f.conf});
  secstore_test::CommandResult r = secstore_test::run_secstore(args);
  const bool module_opened = module_rc == PAM_SUCCESS;
  EXPECT_EQ(r.exit_code == 0, module_opened)
      << name << ": secstore check exited " << r.exit_code << " but the module returned " << pam_code_name(module_rc)
      << "\n" << r.out << r.err;
  if (!module_opened) {
    EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << name << ": exit " << r.exit_code;
    const std::string reason = reason_of(line);
    EXPECT_NE((r.out + r.err).find(reason), std::string::npos)
        << name << ": check does not give the module's reason \"" << reason << "\":\n" << r.out << r.err;
  }
  return name + ": check exit " + std::to_string(r.exit_code) + (c.cause == Cause::Stack ? " (--pam)" : "");
}

TEST(FailClosedMatrix, EveryBadInputIsRefusedWithOneLineAndNothingChanged) {
  SECSTORE_NEEDS_ROOT("files owned by others, chroot, capabilities");
  std::vector<Row> rows;
  std::vector<std::string> agreement;
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
      int warnings = 0;
      for (const auto& l : run->log) {
        if (c.warns && l.priority == LOG_WARNING && warnings++ == 0) continue;
        EXPECT_GT(l.priority, LOG_WARNING) << "a valid input logged a problem: " << l.text;
      }
      if (c.warns) {
        EXPECT_EQ(warnings, 1) << "expected one warning";
      }
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
    agreement.push_back(compare_with_check(c, files, pamd, run->rc, line));
  }

  std::cout << "\nfail-closed matrix (input -> PAM code, syslog line; DIR is the case's directory)\n";
  for (const auto& r : rows)
    std::cout << "  " << r.hook << " | " << r.input << " -> " << r.got
              << (r.got == r.expected ? "" : "  [expected " + r.expected + "]")
              << (r.line.empty() ? "" : " | " + r.line) << "\n";
  std::cout << "\nsecstore check beside the module\n";
  for (const auto& a : agreement) std::cout << "  " << a << "\n";
}

}  // namespace
}  // namespace secstore::testing
