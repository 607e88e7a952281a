// What pam_secstore decides for a session, given its arguments, PAM_USER and
// PAM_SERVICE: the policy for the service (index or text), who the session
// is (SPEC §4.3, one question to the name service), its roles and plan, and
// what it holds at each require_path=. pam_secstore and secstore-shell both
// call this, so the shell raises exactly what the module granted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "secstore/module_args.hpp"
#include "secstore/session.hpp"

#pragma GCC visibility push(default)

namespace secstore {

enum class Refusal {
  Config,       // a file is unreadable, malformed or unsafe; a plan error
  UnknownUser,  // a named user the name service does not know
  NameService,  // the name service could not answer
};

struct ModuleDecision {
  std::optional<Session> session;
  std::vector<PathPermissions> required_held;  // one per require_path=, in order
  std::vector<Diagnostic> warnings;            // an index that cannot be used, ...
  // When there is no session: why, in one line.
  Refusal refusal = Refusal::Config;
  std::string refusal_message;
};

ModuleDecision decide_module_session(const ModuleArgs& args, const std::string& pam_user,
                                     const std::string& pam_service);

}  // namespace secstore

#pragma GCC visibility pop
