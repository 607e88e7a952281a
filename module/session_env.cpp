#include "session_env.hpp"

#include <security/pam_modules.h>

#include <cstring>

namespace secstore::module {

std::string session_variable(bool anonymous) {
  return std::string("SECSTORE_SESSION=") + (anonymous ? "anonymous" : "named");
}

std::string roles_variable(const std::vector<std::string>& sorted_roles) {
  std::string out = "SECSTORE_ROLES=";
  for (size_t i = 0; i < sorted_roles.size(); ++i) {
    if (i != 0) out += ',';
    out += sorted_roles[i];
  }
  return out;
}

std::optional<Failure> export_session_env(pam_handle_t* pamh, bool anonymous,
                                          const std::vector<std::string>& sorted_roles) {
  for (const auto& variable : {session_variable(anonymous), roles_variable(sorted_roles)}) {
    int rc = pam_putenv(pamh, variable.c_str());
    if (rc != PAM_SUCCESS) {
      unexport_session_env(pamh);
      return Failure{FailureKind::System, "cannot set " + variable.substr(0, variable.find('=')) +
                                              " in the PAM environment: " +
                                              pam_strerror(pamh, rc)};
    }
  }
  return std::nullopt;
}

void unexport_session_env(pam_handle_t* pamh) {
  // A name without '=' deletes the variable; deleting an absent one is
  // PAM_BAD_ITEM, which is fine here.
  pam_putenv(pamh, "SECSTORE_SESSION");
  pam_putenv(pamh, "SECSTORE_ROLES");
}

}  // namespace secstore::module
