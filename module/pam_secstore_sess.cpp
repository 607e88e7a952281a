// session (SPEC §4.1): open resolves, gates, applies the plan and exports
// the environment; close has nothing to undo (the cleanup of the PAM data
// ends what open began, process.hpp) and logs only with `debug`.
#include <syslog.h>

#include "hooks.hpp"
#include "support.hpp"

namespace secstore::module {

int open_session(pam_handle_t* pamh, int flags, int argc, const char** argv, ProcessChanges& changes) {
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) return fail(pamh, Hook::Session, flags, Failure{FailureKind::Argument, parsed.error, {}});
  const ModuleArgs& args = *parsed.args;
  auto decided = decide(pamh, args);
  if (auto* failure = std::get_if<Failure>(&decided)) return fail(pamh, Hook::Session, flags, *failure);
  const PamDecision& d = std::get<PamDecision>(decided);
  const Session& s = d.session;
  if (args.debug) log_line(pamh, LOG_DEBUG, "resolved " + summarize_session(s) + ": " + explain_decision(s));
  if (auto denied = check_requirements(d, args)) return fail(pamh, Hook::Session, flags, *denied);

  // The environment first: pam_putenv can fail, and after the bounding set
  // has changed nothing may fail any more.
  // Built once: the environment and the session's line both list the roles.
  const std::string roles = args.noenv ? std::string() : roles_variable(s);
  const std::string* const exported_roles = args.noenv ? nullptr : &roles;
  if (exported_roles)
    if (auto failure = export_session_env(pamh, s, roles)) return fail(pamh, Hook::Session, flags, *failure);
  if (auto failure = remember_session_groups(pamh, s.plan.supplemental_gids)) {
    if (!args.noenv) unexport_session_env(pamh);
    return fail(pamh, Hook::Session, flags, *failure);
  }
  if (auto failure = changes.apply_session_plan(pamh, s.plan, !args.nokeepcaps)) {
    forget_session_groups(pamh);
    if (!args.noenv) unexport_session_env(pamh);
    return fail(pamh, Hook::Session, flags, *failure);
  }
  // SPEC §4.7: what a session gets is worth a line; nothing is not (every
  // cron job would add one beside pam_unix's).
  if (s.plan.grants_anything())
    log_line(pamh, LOG_INFO, summarize_session(s, "session opened for ", exported_roles));
  else if (args.debug)
    log_line(pamh, LOG_DEBUG, summarize_session(s, "session opened for ", exported_roles) + ", which gets nothing");
  return PAM_SUCCESS;
}

int close_session(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) return fail(pamh, Hook::Session, flags, Failure{FailureKind::Argument, parsed.error, {}});
  if (parsed.args->debug) {
    const void* user = nullptr;
    pam_get_item(pamh, PAM_USER, &user);
    log_line(pamh, LOG_DEBUG,
             "session closed for " + describe_subject(user && *static_cast<const char*>(user)
                                                          ? SessionSubject::named(static_cast<const char*>(user), {})
                                                          : SessionSubject::anonymous_session()));
  }
  return PAM_SUCCESS;
}

}  // namespace secstore::module

SECSTORE_PAM_HOOK pam_sm_open_session(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  return secstore::module::guarded(pamh, "open_session", PAM_SESSION_ERR, [&] {
    secstore::module::SystemProcess process;
    return secstore::module::open_session(pamh, flags, argc, argv, process);
  });
}

SECSTORE_PAM_HOOK pam_sm_close_session(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  return secstore::module::guarded(pamh, "close_session", PAM_SESSION_ERR,
                                   [&] { return secstore::module::close_session(pamh, flags, argc, argv); });
}
