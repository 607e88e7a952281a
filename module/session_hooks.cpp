// session open and close (SPEC §4.1).
#include <security/pam_modules.h>
#include <syslog.h>

#include "gate.hpp"
#include "hooks.hpp"
#include "log.hpp"
#include "session_env.hpp"
#include "session_groups.hpp"
#include "session_resolve.hpp"
#include "session_summary.hpp"

namespace secstore::module {

int open_session(pam_handle_t* pamh, int /*flags*/, int argc, const char** argv,
                 ProcessChanges& changes) {
  const HookCodes codes = session_codes();
  auto fail = [&](const Failure& failure) {
    log_failure(pamh, failure);
    return codes.code_for(failure.kind);
  };
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) return fail(*parsed.failure);
  const ModuleArgs& args = *parsed.args;

  auto resolved = resolve_pam_session(args, read_pam_identity(pamh), warn_to(pamh));
  if (auto* failure = std::get_if<Failure>(&resolved)) return fail(*failure);
  const PamSession& s = std::get<PamSession>(resolved);
  // NSS is asked here, before any change: after a chroot it may not answer.
  auto groups = resolve_supplemental_groups(s.session.plan);
  if (auto* failure = std::get_if<Failure>(&groups)) return fail(*failure);
  if (args.debug)
    log_line(pamh, LOG_DEBUG, "resolved " + summarize_session(s.session) + ": " +
                                  explain_decision(s.session));
  if (auto denied = check_requirements(s.session, args, s.required_path_held)) return fail(*denied);

  // The environment first: pam_putenv can fail, and after the bounding set
  // has changed nothing may fail any more.
  if (!args.noenv) {
    if (auto failure = export_session_env(pamh, s.session.identity.anonymous, s.session.role_names))
      return fail(*failure);
  }
  // For a setcred after this open (util-linux login's order): it adds these
  // instead of reading files the chroot may have hidden.
  if (auto failure = remember_session_groups(pamh, std::get<std::vector<gid_t>>(groups))) {
    if (!args.noenv) unexport_session_env(pamh);
    return fail(*failure);
  }
  if (auto failure = changes.apply_session_plan(pamh, s.session.plan)) {
    forget_session_groups(pamh);
    if (!args.noenv) unexport_session_env(pamh);
    return fail(*failure);
  }
  log_line(pamh, LOG_INFO, "session opened for " + summarize_session(s.session));
  return PAM_SUCCESS;
}

int close_session(pam_handle_t* pamh, int /*flags*/, int argc, const char** argv) {
  auto parsed = parse_module_args(argc, argv);
  if (!parsed.args) {
    log_failure(pamh, *parsed.failure);
    return session_codes().code_for(parsed.failure->kind);
  }
  // Capabilities granted at open stay with the processes that got them; there
  // is nothing to undo here, only to record, and only with `debug`: the open
  // line already says who got what, and each syslog line is a socket connect.
  if (!parsed.args->debug) return PAM_SUCCESS;
  const PamIdentity who = read_pam_identity(pamh);
  log_line(pamh, LOG_DEBUG,
           "session closed for " + (who.user.empty() ? std::string("a session with no user")
                                                     : "user \"" + who.user + "\""));
  return PAM_SUCCESS;
}

}  // namespace secstore::module
