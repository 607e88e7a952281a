// The module's arguments (SPEC §4.2), parsed once per hook call.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "failure.hpp"
#include "secstore/permissions.hpp"

namespace secstore::module {

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
  std::string store_path = SECSTORE_DEFAULT_STORE;
  std::string conf_path = SECSTORE_DEFAULT_CONF;
  bool debug = false;
  bool noenv = false;
  AnonymousList anonymous;
  GlobalPermissions required;                // union of every require=
  std::vector<PathRequirement> required_paths;  // one per require_path=, in order
};

struct ParsedArgs {
  std::optional<ModuleArgs> args;
  std::optional<Failure> failure;  // FailureKind::Argument, set exactly when args is not
};

// Later store=/conf=/anonymous= replace earlier ones; require= and
// require_path= accumulate.
ParsedArgs parse_module_args(int argc, const char** argv);

}  // namespace secstore::module
