// SPEC §4.6: SECSTORE_SESSION and SECSTORE_ROLES in the PAM environment.
#pragma once

#include <security/pam_modules.h>

#include <optional>
#include <string>
#include <vector>

#include "failure.hpp"

namespace secstore::module {

// "SECSTORE_SESSION=named" / "SECSTORE_SESSION=anonymous"
std::string session_variable(bool anonymous);
// "SECSTORE_ROLES=A,B,C" from names already sorted by the library.
std::string roles_variable(const std::vector<std::string>& sorted_roles);

// Puts both with pam_putenv; on failure removes what it put.
std::optional<Failure> export_session_env(pam_handle_t* pamh, bool anonymous,
                                          const std::vector<std::string>& sorted_roles);
// Removes both (used when applying the session fails after the export).
void unexport_session_env(pam_handle_t* pamh);

}  // namespace secstore::module
