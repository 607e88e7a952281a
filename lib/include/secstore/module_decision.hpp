// What pam_secstore decides for a session, given its arguments, PAM_USER and
// PAM_SERVICE: the policy for the service (index or text), who the session
// is (SPEC §4.3, one question to the name service), its roles and plan, and
// what it holds at each require_path=. pam_secstore, secstore-shell and
// `secstore audit` all call this, so the shell raises exactly what the
// module granted and the audit reports exactly that.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "secstore/module_args.hpp"
#include "secstore/nss.hpp"
#include "secstore/policy.hpp"
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
// The same with the policy already open (for args' files and the service),
// for a caller that asks about many users. `at_least` is the least group
// detail asked of the name service: asking for more than the policy needs
// changes no answer, and lets a report name every group.
ModuleDecision decide_module_session(const Policy& policy, const ModuleArgs& args, const std::string& pam_user,
                                     GroupDetail at_least = GroupDetail::PrimaryOnly);

// require= and require_path= (SPEC §4.2) against a decided session: each
// permission it lacks, as "CONTROL_SERVER" or "READ_TOPIC on path \"x\""
// (names escaped for a log line); empty when every requirement holds.
std::vector<std::string> missing_requirements(const ModuleArgs& args, const Session& session,
                                              const std::vector<PathPermissions>& required_held);

}  // namespace secstore

#pragma GCC visibility pop
