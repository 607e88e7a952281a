// account (SPEC §4.1): resolve the session and gate it; no process changes.
#include <security/pam_modules.h>
#include <syslog.h>

#include "gate.hpp"
#include "hooks.hpp"
#include "log.hpp"
#include "session_resolve.hpp"
#include "session_summary.hpp"

namespace secstore::module {

int acct_mgmt(pam_handle_t* pamh, int /*flags*/, int argc, const char** argv) {
  const HookCodes codes = account_codes();
  auto fail = [&](const Failure& failure) {
    log_failure(pamh, failure);
    return codes.code_for(failure.kind);
  };
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) return fail(*parsed.failure);
  auto resolved = resolve_pam_session(*parsed.args, read_pam_identity(pamh), warn_to(pamh));
  if (auto* failure = std::get_if<Failure>(&resolved)) return fail(*failure);
  const PamSession& s = std::get<PamSession>(resolved);
  if (auto denied = check_requirements(s.session, *parsed.args, s.required_path_held))
    return fail(*denied);
  if (parsed.args->debug)
    log_line(pamh, LOG_DEBUG, "account allowed for " + summarize_session(s.session) + ": " +
                                  explain_decision(s.session));
  return PAM_SUCCESS;
}

}  // namespace secstore::module
