// Who runs the command: the user locks are checked against (SPEC §5 apply),
// and, through sudo, what the command may be pointed at. sudoers may give
// users `secstore apply` as root; that must not become a way to read files
// they cannot read, or to write files other than the policy.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "options.hpp"

namespace secstore::cli {

// The user who ran sudo, when root runs the command with SUDO_UID set (only
// root can set it for a root process; a root shell from `sudo -i` has it
// too, and `env -u SUDO_UID` is root's own).
struct SudoCaller {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  std::vector<gid_t> groups;
};

struct SudoCheck {
  std::optional<SudoCaller> caller;
  std::string error;  // SUDO_UID set but not a user: nobody is guessed
};
SudoCheck sudo_caller();

// Whom a locked role's principal is compared with (SPEC §5, secstore(1)):
// the REAL uid, so that a setuid wrapper cannot make one user act as
// another. Root through sudo acts for the user who ran sudo and overrides a
// lock only with --force; root's own login overrides them. Every override
// is logged.
struct Invoker {
  std::string user;         // the name locks are checked against
  bool overrides_locks = false;
  std::string description;  // for the log line: `root` or `root (sudo from "alice", uid 1000)`
  bool through_sudo = false;
};
Invoker invoker_of_this_process(bool force, const std::optional<SudoCaller>& sudo);

// Through sudo: "" when the files the options name may be used for the
// caller, else why not. Every command works only on the default store and
// configuration (and --pam only in /etc/pam.d); a file import-pam-cap reads
// must be one pam_secstore could use (no one but root can swap it) that the
// caller may read.
std::string sudo_refusal(const SudoCaller& caller, const std::string& command, const ParsedOptions& options);

// Through sudo: "" when `st` (of a file the caller named, as opened) is one
// the caller owns.
std::string sudo_refuses_unowned(const SudoCaller& caller, const std::string& path, const struct stat& st);

}  // namespace secstore::cli
