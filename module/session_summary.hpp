// One-line descriptions of a resolved session for the log.
#pragma once

#include <string>

#include "secstore/session.hpp"

namespace secstore::module {

// `user "alice" (named; roles A,B; ambient cap_x; inheritable cap_x;
// bounding drop cap_y; chroot /srv; groups ops)` — empty parts left out.
std::string summarize_session(const ResolvedSession& session);

// For `debug`: the session's global permissions and the scopes that made its
// plan, e.g. `global permissions CONTROL_SERVER,VIEW_SERVER; scopes "ops"
// (/etc/security/secstore.conf:3)`.
std::string explain_decision(const ResolvedSession& session);

}  // namespace secstore::module
