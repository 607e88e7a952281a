// pam_secstore's arguments (SPEC §4.2): parsed by the module at every hook
// call, and by `secstore check --pam` for the lines of a pam.d file, so the
// two cannot disagree about what a stack means.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "secstore/permissions.hpp"

#pragma GCC visibility push(default)

namespace secstore {

// require_path=PATH:PERM[,PERM]
struct PathRequirement {
  std::string path;  // as written; the store normalises it when evaluating
  PathPermissions permissions;
};

// anonymous=LIST: user names, and @group entries for every member of a group.
struct AnonymousList {
  std::vector<std::string> users{"anonymous"};
  std::vector<std::string> groups;
};

struct ModuleArgs {
  std::string store_path;  // default_policy_files().store unless store= says
  std::string conf_path;   // default_policy_files().conf unless conf= says
  bool debug = false;
  bool noenv = false;
  // Never set PR_SET_KEEPCAPS: for stacks whose program never calls
  // pam_end(PAM_DATA_SILENT) in its child (sshd), where the session then gets
  // its grant in the inheritable set only (secstore-shell raises it).
  bool nokeepcaps = false;
  AnonymousList anonymous;
  GlobalPermissions required;                // union of every require=
  std::vector<PathRequirement> required_paths;  // one per require_path=, in order
};

struct ParsedArgs {
  std::optional<ModuleArgs> args;
  std::string error;  // the one-line reason, set exactly when args is not
};

// Later store=/conf=/anonymous= replace earlier ones; require= and
// require_path= accumulate. store= and conf= must be absolute paths: a
// relative one would be read from whatever directory the login program runs
// in. The same parser checks pam.d lines for `secstore check --pam`.
ParsedArgs parse_module_args(int argc, const char** argv);

}  // namespace secstore

#pragma GCC visibility pop
