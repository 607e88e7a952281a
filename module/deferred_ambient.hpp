// Getting ambient capabilities to the user's shell (SPEC §4.4).
//
// The kernel clears the ambient set when a process's uids go from 0 to
// non-zero, so ambient capabilities raised at session open never survive the
// login program's setuid. Instead, at open the module raises the inheritable
// set, sets PR_SET_KEEPCAPS (permitted survives setuid) and registers PAM data
// whose cleanup raises ambient from the kept permitted set. Login programs
// that cooperate fork, setuid in the child, and then call
// pam_end(pamh, PAM_SUCCESS | PAM_DATA_SILENT) there: that cleanup sees
// PAM_DATA_SILENT, raises ambient, clears KEEPCAPS, and the shell the child
// then execs has the capabilities permitted and effective.
//
// What each login program gets:
//  - util-linux su, runuser and login (Debian 12), shadow su/login, and
//    systemd services with PAMName=: they call pam_end(PAM_DATA_SILENT) in the
//    child, so the shell gets the granted ambient capabilities, the
//    inheritable set and the bounding-set drops.
//  - OpenSSH sshd does not call pam_end(PAM_DATA_SILENT) in the child
//    (openssh-portable#520), so its sessions get the inheritable set and the
//    bounding-set drops only: inheritable alone gives an ordinary binary
//    nothing. The supported way to reach an ssh session's shell is a
//    login-shell wrapper carrying file-inheritable capabilities for exactly
//    the grantable ones (setcap cap_x=i), which raises ambient from
//    inheritable and execs the real shell (pam_secstore(8)).
//  - In the parent (no PAM_DATA_SILENT) the cleanup only frees its data.
#pragma once

#include <security/pam_modules.h>

#include <optional>

#include "capability_apply.hpp"
#include "failure.hpp"

namespace secstore::module {

inline constexpr const char* kAmbientDataName = "pam_secstore_ambient";

// Registers (or replaces) the deferred raise of `mask` on this handle.
std::optional<Failure> register_deferred_ambient(pam_handle_t* pamh, CapMask mask);
// Withdraws it (a session that failed after registering gets nothing later).
void cancel_deferred_ambient(pam_handle_t* pamh);

// The pam_set_data cleanup; exposed for the unit tests.
void deferred_ambient_cleanup(pam_handle_t* pamh, void* data, int error_status);

}  // namespace secstore::module
