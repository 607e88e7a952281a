// The module's hooks as ordinary C++ functions; module/pam_hooks.cpp wraps
// each in an extern "C" pam_sm_* that catches everything. The unit tests call
// these directly, with a fake ProcessChanges and a fake libpam.
#pragma once

#include <security/pam_modules.h>

#include "process_changes.hpp"

namespace secstore::module {

int open_session(pam_handle_t* pamh, int flags, int argc, const char** argv,
                 ProcessChanges& changes);
int close_session(pam_handle_t* pamh, int flags, int argc, const char** argv);
int acct_mgmt(pam_handle_t* pamh, int flags, int argc, const char** argv);
int setcred(pam_handle_t* pamh, int flags, int argc, const char** argv, ProcessChanges& changes);
int authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv);

}  // namespace secstore::module
