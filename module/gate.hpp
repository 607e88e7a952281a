// require= and require_path= (SPEC §4.2): the permissions a session must hold
// for the module to let it through.
#pragma once

#include <optional>
#include <string>

#include "args.hpp"
#include "failure.hpp"
#include "secstore/session.hpp"
#include "secstore/store.hpp"

namespace secstore::module {

// Who a session is, for log lines: `user "alice"`, or `anonymous session
// (user "guest")`, or `anonymous session (no user)`.
std::string describe_session(bool anonymous, const std::string& user);

// nullopt when every requirement holds; otherwise a FailureKind::Denied
// naming the user and every missing permission. `path_held` is what the
// session holds at each of args.required_paths (same order; a missing entry
// holds nothing, so a short list fails closed).
std::optional<Failure> check_requirements(const ResolvedSession& session, const ModuleArgs& args,
                                          const std::vector<PathPermissions>& path_held);

}  // namespace secstore::module
