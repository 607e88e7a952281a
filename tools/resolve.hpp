// What `explain`, `can` and `check` ask of a policy about one session, done
// as the module does it: the names it mentions from the name service, then
// Policy::resolve and Policy::path_permissions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "secstore/policy.hpp"

namespace secstore::cli {

struct Resolved {
  std::optional<Session> session;
  std::vector<PathPermissions> held;  // at each path asked about
  std::vector<Diagnostic> diagnostics;
  int failure_exit = 0;
};

// With `hypothetical` (--groups: an account served elsewhere), a group the
// configuration names that this host does not know matches by name, with a
// warning, instead of refusing the session as the module would here.
Resolved resolve_with(const Policy& policy, const SessionSubject& who, const std::vector<std::string>& paths,
                      bool hypothetical = false);

}  // namespace secstore::cli
