// account (SPEC §4.1): resolve the session and gate it; no process changes.
#include <syslog.h>

#include "hooks.hpp"
#include "support.hpp"

namespace secstore::module {

int acct_mgmt(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) return fail(pamh, Hook::Account, flags, Failure{FailureKind::Argument, parsed.error, {}});
  auto decided = decide(pamh, *parsed.args);
  if (auto* failure = std::get_if<Failure>(&decided)) return fail(pamh, Hook::Account, flags, *failure);
  const PamDecision& d = std::get<PamDecision>(decided);
  if (auto denied = check_requirements(d, *parsed.args)) return fail(pamh, Hook::Account, flags, *denied);
  if (parsed.args->debug)
    log_line(pamh, LOG_DEBUG, "account allowed for " + summarize_session(d.session) + ": " + explain_decision(d.session));
  return PAM_SUCCESS;
}

}  // namespace secstore::module

SECSTORE_PAM_HOOK pam_sm_acct_mgmt(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  return secstore::module::guarded(pamh, "acct_mgmt", PAM_SERVICE_ERR,
                                   [&] { return secstore::module::acct_mgmt(pamh, flags, argc, argv); });
}
