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
// naming the user and every missing permission. `store` may be null when
// the session was resolved from the compiled index, which has no paths:
// then no path permission is held (the module uses the index only without
// require_path=).
std::optional<Failure> check_requirements(const Store* store, const ResolvedSession& session,
                                          const ModuleArgs& args);

}  // namespace secstore::module
