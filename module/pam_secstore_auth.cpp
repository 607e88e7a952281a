// auth (SPEC §4.1): setcred(PAM_ESTABLISH_CRED) adds the session's
// supplemental_groups, for a session that passes the gate as open's would;
// the module makes no authentication decision.
#include <syslog.h>

#include "hooks.hpp"
#include "support.hpp"

namespace secstore::module {

int setcred(pam_handle_t* pamh, int flags, int argc, const char** argv, ProcessChanges& changes) {
  // Deleting, refreshing or reinitialising: the groups added at establish
  // belong to the process now; there is nothing of ours to change.
  if (!(flags & PAM_ESTABLISH_CRED)) return PAM_SUCCESS;
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) return fail(pamh, Hook::Setcred, flags, Failure{FailureKind::Argument, parsed.error, {}});

  // After a successful open on this handle (util-linux login's order) the
  // process may be chrooted already: use what open resolved and gated, read
  // nothing. Before it (su, runuser), resolve and gate here.
  std::optional<std::vector<gid_t>> gids = remembered_session_groups(pamh);
  if (!gids) {
    auto decided = decide(pamh, *parsed.args);
    if (auto* failure = std::get_if<Failure>(&decided)) return fail(pamh, Hook::Setcred, flags, *failure);
    const PamDecision& d = std::get<PamDecision>(decided);
    if (auto denied = check_requirements(d, *parsed.args)) return fail(pamh, Hook::Setcred, flags, *denied);
    gids = d.session.plan.supplemental_gids;
  }
  if (auto failure = changes.add_supplementary_groups(*gids)) return fail(pamh, Hook::Setcred, flags, *failure);
  if (parsed.args->debug && !gids->empty())
    log_line(pamh, LOG_DEBUG, "added " + std::to_string(gids->size()) + " supplemental group(s)");
  return PAM_SUCCESS;
}

int authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) return fail(pamh, Hook::Authenticate, flags, Failure{FailureKind::Argument, parsed.error, {}});
  // Not an error: this module has no say in authentication. It is listed in
  // `auth` only so that pam_setcred reaches it.
  return PAM_IGNORE;
}

}  // namespace secstore::module

SECSTORE_PAM_HOOK pam_sm_setcred(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  return secstore::module::guarded(pamh, "setcred", PAM_CRED_ERR, [&] {
    secstore::module::SystemProcess process;
    return secstore::module::setcred(pamh, flags, argc, argv, process);
  });
}

SECSTORE_PAM_HOOK pam_sm_authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  return secstore::module::guarded(pamh, "authenticate", PAM_SERVICE_ERR,
                                   [&] { return secstore::module::authenticate(pamh, flags, argc, argv); });
}
