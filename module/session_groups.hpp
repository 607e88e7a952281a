// A session's supplemental_groups as gids, and how setcred finds the ones
// open_session already resolved on the same handle. util-linux login calls
// pam_setcred(PAM_ESTABLISH_CRED) after pam_open_session; by then a chrooted
// session no longer sees /etc/security or the name service's files, so
// setcred must not read them again.
#pragma once

#include <security/pam_modules.h>
#include <sys/types.h>

#include <optional>
#include <variant>
#include <vector>

#include "failure.hpp"
#include "secstore/conf.hpp"

namespace secstore::module {

inline constexpr const char* kGroupsDataName = "pam_secstore_groups";

// Each of the plan's supplemental_groups through NSS; an unknown name is a
// configuration failure naming it.
std::variant<std::vector<gid_t>, Failure> resolve_supplemental_groups(const SessionPlan& plan);

// Keeps the gids as PAM data on the handle (freed by libpam's cleanup).
std::optional<Failure> remember_session_groups(pam_handle_t* pamh, const std::vector<gid_t>& gids);
// What open_session kept on this handle, or nullopt when it has not run (or
// did not succeed): setcred then resolves the session itself.
std::optional<std::vector<gid_t>> remembered_session_groups(pam_handle_t* pamh);
// Withdraws them (open_session failed after remembering).
void forget_session_groups(pam_handle_t* pamh);

}  // namespace secstore::module
