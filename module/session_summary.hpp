// One-line descriptions of a resolved session for the log.
#pragma once

#include <string>

#include "secstore/session.hpp"

namespace secstore::module {

// `user "alice" (named; roles A,B; ambient cap_x; inheritable cap_x;
// bounding drop cap_y; chroot /srv; groups ops)` — empty parts left out.
std::string summarize_session(const ResolvedSession& session);

}  // namespace secstore::module
