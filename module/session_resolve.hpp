// From PAM items and module arguments to a resolved session: the steps every
// hook shares (SPEC §4.3, §4.5), each failure a single Failure.
#pragma once

#include <functional>
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
  // The parsed store; unset when the session came from the compiled index
  // (secstore/store_index.hpp).
  std::optional<Store> store;
  Config conf;
  ResolvedSession session;
  // What the session holds at each require_path= path, in argument order.
  std::vector<PathPermissions> required_path_held;
};

// Loads the store (from its compiled index when one matches it, else the
// text) and the configuration for the service (both must be safe files),
// decides whether the session is anonymous, resolves it, and checks that
// every group the configuration names exists. An index that exists but
// cannot be used is reported through `warn` (one line), and the text is
// read instead.
std::variant<PamSession, Failure> resolve_pam_session(
    const ModuleArgs& args, const PamIdentity& who,
    const std::function<void(const std::string&)>& warn);

}  // namespace secstore::module
