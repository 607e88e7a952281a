// How the module fails: one kind per SPEC §4.5 cause, one syslog priority
// per kind, and one PAM return code per kind and hook type.
#pragma once

#include <string>

namespace secstore::module {

enum class FailureKind {
  Argument,     // unknown or malformed module argument (LOG_ERR)
  Config,       // unreadable, malformed or unsafe file or chroot dir (LOG_ALERT)
  UnknownUser,  // a named user NSS does not know (LOG_ERR)
  Capability,   // a capability this process cannot grant or drop (LOG_ERR)
  System,       // a system call failed while applying (LOG_CRIT)
  Denied,       // require=/require_path= not satisfied (LOG_NOTICE)
};

struct Failure {
  FailureKind kind;
  std::string message;  // the whole syslog line after libpam's prefix
};

int syslog_priority(FailureKind kind);

// The PAM return code each kind maps to, per hook type. Every code is a
// failure: the module never answers PAM_IGNORE on error (SPEC §4.5).
struct HookCodes {
  int error;         // everything that is not one of the two below
  int unknown_user;  // FailureKind::UnknownUser
  int denied;        // FailureKind::Denied

  int code_for(FailureKind kind) const;
};

// session: PAM_SESSION_ERR for every error (SPEC §4.5), PAM_PERM_DENIED for
// a denial.
HookCodes session_codes();
// account: a configuration error fails closed with PAM_SERVICE_ERR (the
// code Linux-PAM modules give for a broken setup; it is never success, so
// `required` refuses the login), an unknown user with PAM_USER_UNKNOWN (the
// account type's own code for it), a denial with PAM_PERM_DENIED.
HookCodes account_codes();
// setcred: PAM_CRED_ERR, PAM_USER_UNKNOWN.
HookCodes setcred_codes();
// authenticate: only its arguments can be wrong: PAM_SERVICE_ERR.
HookCodes authenticate_codes();

}  // namespace secstore::module
