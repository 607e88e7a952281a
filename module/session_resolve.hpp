// From PAM items and module arguments to a resolved session: the steps every
// hook shares (SPEC §4.3, §4.5), each failure a single Failure.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "args.hpp"
#include "failure.hpp"
#include "pam_items.hpp"
#include "secstore/conf.hpp"
#include "secstore/session.hpp"
#include "secstore/store.hpp"

namespace secstore::module {

struct PamSession {
  Store store;
  Config conf;
  ResolvedSession session;
};

// Loads the store and the configuration for the service (both must be safe
// files), decides whether the session is anonymous, resolves it, and checks
// that every group the configuration names exists.
std::variant<PamSession, Failure> resolve_pam_session(const ModuleArgs& args,
                                                      const PamIdentity& who);

}  // namespace secstore::module
