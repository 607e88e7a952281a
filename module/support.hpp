// What every hook family shares (as pam_unix's support.c): PAM items, the
// syslog lines, the return code of each failure, and the pipeline
//
//   arguments -> policy (index or text) -> who (the name service, once)
//             -> resolve (roles, permissions, plan) -> gate (require=)
//
// after which the session hook applies the plan (process.hpp).
#pragma once

#include <security/pam_modules.h>
#include <sys/types.h>

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "secstore/module_args.hpp"
#include "secstore/policy.hpp"
#include "secstore/session.hpp"

namespace secstore::module {

// One kind per SPEC §4.5 cause: one syslog priority each, and one PAM
// return code per kind and hook type.
enum class FailureKind {
  Argument,     // unknown or malformed module argument (LOG_ERR)
  Config,       // unreadable, malformed or unsafe file or directory (LOG_ALERT)
  UnknownUser,  // a named user the name service does not know (LOG_ERR)
  NameService,  // the name service could not answer (LOG_ERR)
  Capability,   // a capability this process cannot grant or drop (LOG_ERR)
  System,       // a system call failed while applying (LOG_CRIT)
  Denied,       // require=/require_path= not satisfied (LOG_NOTICE)
};

struct Failure {
  FailureKind kind;
  std::string message;  // the whole syslog line after libpam's prefix
  // For Denied: what the user is told through the conversation.
  std::string user_message;
};

int syslog_priority(FailureKind kind);

// Every code is a failure: the module never answers PAM_IGNORE on error.
enum class Hook { Session, Account, Setcred, Authenticate };
int pam_code(Hook hook, FailureKind kind);

void log_line(pam_handle_t* pamh, int priority, const std::string& text);
// Logs the failure's one line; tells a denied user why, unless PAM_SILENT.
int fail(pam_handle_t* pamh, Hook hook, int flags, const Failure& failure);

// `user "alice" (uid 1001)`, `anonymous session (user "guest", uid 1002)`,
// `anonymous session (no user)`: names escaped (SPEC §4.7).
std::string describe_subject(const SessionSubject& who);

struct PamDecision {
  Session session;
  std::vector<PathPermissions> required_held;  // one per require_path=, in order
};

// The pipeline up to the gate: the policy for this service, who the
// session is, its roles and plan, and what it holds at each require_path=.
// Warnings (an index that cannot be used) are logged here, once.
std::variant<PamDecision, Failure> decide(pam_handle_t* pamh, const ModuleArgs& args);

// require= and require_path=: nullopt when every requirement holds.
std::optional<Failure> check_requirements(const PamDecision& decision, const ModuleArgs& args);

// SECSTORE_ROLES=..., as export_session_env sets it: built once, for the
// environment and for the session's line.
std::string roles_variable(const Session& session);

// `user "alice" (uid 1001) (named; roles A,B; ambient cap_x; ...)` — what
// the session got, for its LOG_INFO line, after `lead` ("session opened for ").
// `roles_variable`, if given, is roles_variable(session).
std::string summarize_session(const Session& session, std::string_view lead = {},
                              const std::string* roles_variable = nullptr);
// For `debug`: global permissions and the scopes that made the plan.
std::string explain_decision(const Session& session);

// SPEC §4.6 in the PAM environment; on failure nothing is left set.
// `roles_variable`: roles_variable(session).
std::optional<Failure> export_session_env(pam_handle_t* pamh, const Session& session,
                                          const std::string& roles_variable);
void unexport_session_env(pam_handle_t* pamh);

// The plan's supplemental gids as PAM data, for a setcred after open on the
// same handle (util-linux login's order): by then a chrooted session can no
// longer read the files or the name service.
std::optional<Failure> remember_session_groups(pam_handle_t* pamh, const std::vector<gid_t>& gids);
std::optional<std::vector<gid_t>> remembered_session_groups(pam_handle_t* pamh);
void forget_session_groups(pam_handle_t* pamh);

// The body of every pam_sm_*: no exception may cross into libpam's C, and
// one that escapes is an error like any other (one line, fail closed).
template <class Body>
int guarded(pam_handle_t* pamh, const char* hook, int error_code, Body body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    log_line(pamh, 2 /* LOG_CRIT */, std::string("internal error in ") + hook + ": " + e.what());
  } catch (...) {
    log_line(pamh, 2 /* LOG_CRIT */, std::string("internal error in ") + hook);
  }
  return error_code;
}

}  // namespace secstore::module
