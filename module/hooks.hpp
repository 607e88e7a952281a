// The hooks as ordinary C++ functions, one file per hook family
// (pam_secstore_{sess,acct,auth}.cpp, each beside its extern "C" pam_sm_*).
// The unit tests call these with a fake ProcessChanges and a fake libpam.
#pragma once

#include <security/pam_modules.h>

#include "process.hpp"

namespace secstore::module {

int open_session(pam_handle_t* pamh, int flags, int argc, const char** argv, ProcessChanges& changes);
int close_session(pam_handle_t* pamh, int flags, int argc, const char** argv);
int acct_mgmt(pam_handle_t* pamh, int flags, int argc, const char** argv);
int setcred(pam_handle_t* pamh, int flags, int argc, const char** argv, ProcessChanges& changes);
int authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv);

}  // namespace secstore::module

// What libpam calls: the module exports these and nothing else (module.map).
#define SECSTORE_PAM_HOOK extern "C" __attribute__((visibility("default"))) int
