// auth (SPEC §4.1): setcred(PAM_ESTABLISH_CRED) adds the session's
// supplemental_groups; the module makes no authentication decision.
#include <security/pam_modules.h>
#include <syslog.h>

#include "hooks.hpp"
#include "log.hpp"
#include "session_groups.hpp"
#include "session_resolve.hpp"

namespace secstore::module {

int setcred(pam_handle_t* pamh, int flags, int argc, const char** argv, ProcessChanges& changes) {
  // Deleting, refreshing or reinitialising: the groups added at establish
  // belong to the process now; there is nothing of ours to change.
  if (!(flags & PAM_ESTABLISH_CRED)) return PAM_SUCCESS;
  const HookCodes codes = setcred_codes();
  auto fail = [&](const Failure& failure) {
    log_failure(pamh, failure);
    return codes.code_for(failure.kind);
  };
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) return fail(*parsed.failure);

  // After open_session on this handle (util-linux login's order), the
  // process may be chrooted already: use what open resolved, read nothing.
  // Before it (su, runuser), resolve the session here.
  std::optional<std::vector<gid_t>> gids = remembered_session_groups(pamh);
  if (!gids) {
    auto resolved = resolve_pam_session(*parsed.args, read_pam_identity(pamh), warn_to(pamh));
    if (auto* failure = std::get_if<Failure>(&resolved)) return fail(*failure);
    auto looked_up = resolve_supplemental_groups(std::get<PamSession>(resolved).session.plan);
    if (auto* failure = std::get_if<Failure>(&looked_up)) return fail(*failure);
    gids = std::move(std::get<std::vector<gid_t>>(looked_up));
  }
  if (auto failure = changes.add_supplementary_groups(*gids)) return fail(*failure);
  if (parsed.args->debug && !gids->empty())
    log_line(pamh, LOG_DEBUG, "added " + std::to_string(gids->size()) + " supplemental group(s)");
  return PAM_SUCCESS;
}

int authenticate(pam_handle_t* pamh, int /*flags*/, int argc, const char** argv) {
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) {
    log_failure(pamh, *parsed.failure);
    return authenticate_codes().code_for(parsed.failure->kind);
  }
  // Not an error: this module has no say in authentication. It is listed in
  // `auth` only so that pam_setcred reaches it.
  return PAM_IGNORE;
}

}  // namespace secstore::module
