#include "failure.hpp"

#include <security/pam_modules.h>
#include <syslog.h>

namespace secstore::module {

int syslog_priority(FailureKind kind) {
  switch (kind) {
    case FailureKind::Argument: return LOG_ERR;
    case FailureKind::Config: return LOG_ALERT;
    case FailureKind::UnknownUser: return LOG_ERR;
    case FailureKind::Capability: return LOG_ERR;
    case FailureKind::System: return LOG_CRIT;
    case FailureKind::Denied: return LOG_NOTICE;
  }
  return LOG_ERR;
}

int HookCodes::code_for(FailureKind kind) const {
  switch (kind) {
    case FailureKind::UnknownUser: return unknown_user;
    case FailureKind::Denied: return denied;
    default: return error;
  }
}

HookCodes session_codes() { return {PAM_SESSION_ERR, PAM_SESSION_ERR, PAM_PERM_DENIED}; }
HookCodes account_codes() { return {PAM_SERVICE_ERR, PAM_USER_UNKNOWN, PAM_PERM_DENIED}; }
HookCodes setcred_codes() { return {PAM_CRED_ERR, PAM_USER_UNKNOWN, PAM_PERM_DENIED}; }
HookCodes authenticate_codes() { return {PAM_SERVICE_ERR, PAM_USER_UNKNOWN, PAM_PERM_DENIED}; }

}  // namespace secstore::module
