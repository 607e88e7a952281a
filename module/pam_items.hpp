// The PAM items the module reads. PAM_USER is read with pam_get_item, never
// pam_get_user: a session module must not prompt.
#pragma once

#include <security/pam_modules.h>

#include <string>

namespace secstore::module {

struct PamIdentity {
  std::string user;     // empty when PAM_USER is unset or empty
  std::string service;  // empty when PAM_SERVICE is unset
};

PamIdentity read_pam_identity(pam_handle_t* pamh);

}  // namespace secstore::module
