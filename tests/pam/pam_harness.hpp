// One PAM transaction through the real libpam and the built module, in a
// forked child running as root, the way util-linux su drives it: setcred,
// account, open_session, then (if asked) setuid to the target user and
// pam_end(PAM_SUCCESS | PAM_DATA_SILENT) as su's child does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "syslog_capture.hpp"

namespace secstore::test {

// The process as the child saw it, read with libcap and prctl (a chroot has
// no /proc).
struct ProcessState {
  std::uint64_t inheritable = 0, permitted = 0, effective = 0, ambient = 0, bounding = 0;
  int keepcaps = -1;
  std::vector<gid_t> groups;
  bool marker_at_root = false;  // "/secstore-marker" exists: we are in the test chroot
  bool operator==(const ProcessState&) const = default;
};

struct PamScenario {
  std::string confdir;            // holds the service file "secstore-test"
  std::optional<std::string> user;  // nullopt: pam_start with no user
  bool setcred = false;
  bool account = false;
  bool open = true;
  // pam_setcred(PAM_ESTABLISH_CRED) after open, in whatever the session made
  // of the process (util-linux login's order; a chroot is already entered).
  bool setcred_after_open = false;
  std::optional<uid_t> setuid_to;  // after a successful open
  // Instead: pam_end(h, status) as the login program's parent would, then
  // setuid to this user and try to regain root (SPEC §4.4: nothing may be
  // left that lets it).
  std::optional<uid_t> end_then_setuid_to;
  // Raised into the inheritable set before the transaction, as a login
  // program started under `capsh --inh=...` would hold them.
  std::uint64_t inheritable_before = 0;
  // passwd lines ("name:x:uid:gid::/nonexistent:/usr/sbin/nologin") that only
  // this child sees: it runs in a private mount namespace with a copy of
  // /etc/passwd holding them bound over the real one (this machine's file
  // is never written).
  std::vector<std::string> extra_passwd;
  // Capabilities something else raises in the inheritable set right after
  // the open, while the process is still root (as a later module could).
  std::uint64_t raise_inheritable_after_open = 0;
  // After setuid_to and pam_end(PAM_DATA_SILENT): leave a process running
  // `sleep 120` with the session's PAM environment and capability sets, as
  // the user's shell would be (PamOutcome::alive; the caller kills it).
  bool keep_alive = false;
};

struct PamOutcome {
  int setcred_rc = -1, account_rc = -1, open_rc = -1, setcred_after_open_rc = -1;
  std::vector<std::string> env;  // pam_getenvlist after open
  ProcessState before;           // just before pam_open_session
  ProcessState after_open;
  std::optional<ProcessState> after_setcred;  // with setcred_after_open
  std::optional<ProcessState> after_end;  // after setuid + pam_end(SILENT)
  // What a program the user then runs sees: CapInh/CapPrm/CapEff/CapBnd/CapAmb
  // from /proc/self/status of `sh -c grep` started after pam_end(SILENT).
  std::optional<ProcessState> shell;
  // After pam_end in the "parent" (end_then_setuid_to): the state right
  // after pam_end, then after the setuid, and what it could still do.
  std::optional<ProcessState> after_parent_end;
  std::optional<ProcessState> after_parent_setuid;
  // What a program left with the process could still do as root:
  // "raise=ok|refused shadow=read|refused setresuid=ok|refused" (raise: make
  // the effective set the permitted set, and hold at least one capability).
  std::string escalation;
  std::vector<SyslogLine> lines;          // everything libpam and the module logged
  std::vector<std::string> told;          // what the conversation showed the user
  std::string child_error;                // the child could not run the scenario
  std::optional<pid_t> alive;             // keep_alive: the process left running
};

// Writes confdir/secstore-test: auth, account and session lines loading the
// built module by absolute path with `args`, then `more_session` (e.g. a
// later module that fails the open: "session required pam_deny.so").
void write_service(const std::string& confdir, const std::string& args, const std::string& more_session = "");

PamOutcome run_pam(const PamScenario& scenario, const std::string& syslog_path);

std::string describe(const ProcessState& s);
// So that gtest prints a state as capability masks.
void PrintTo(const ProcessState& s, std::ostream* out);

// SECSTORE_SOURCE_DIR/relative, whole.
std::string read_source(const std::string& relative);
// The value of NAME in the session's PAM environment, if it was exported.
std::optional<std::string> env_value(const PamOutcome& o, const std::string& name);
// The captured syslog lines, one a line, for failure messages.
std::string all_lines(const PamOutcome& o);

}  // namespace secstore::test
