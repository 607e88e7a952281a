// The only symbols the module exports (module/module.map). Each hook is a thin
// wrapper: no exception may cross into libpam's C, and an exception is an
// error like any other — it fails closed with one log line.
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <syslog.h>

#include <exception>

#include "hooks.hpp"

namespace {

int internal_error(pam_handle_t* pamh, const char* hook, int code, const char* what) {
  pam_syslog(pamh, LOG_CRIT, "internal error in %s: %s", hook, what);
  return code;
}

template <class Body>
int guarded(pam_handle_t* pamh, const char* hook, int error_code, Body body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    return internal_error(pamh, hook, error_code, e.what());
  } catch (...) {
    return internal_error(pamh, hook, error_code, "unknown exception");
  }
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int pam_sm_open_session(pam_handle_t* pamh, int flags,
                                                               int argc, const char** argv) {
  return guarded(pamh, "open_session", PAM_SESSION_ERR, [&] {
    secstore::module::SystemProcessChanges changes;
    return secstore::module::open_session(pamh, flags, argc, argv, changes);
  });
}

__attribute__((visibility("default"))) int pam_sm_close_session(pam_handle_t* pamh, int flags,
                                                                int argc, const char** argv) {
  return guarded(pamh, "close_session", PAM_SESSION_ERR,
                 [&] { return secstore::module::close_session(pamh, flags, argc, argv); });
}

__attribute__((visibility("default"))) int pam_sm_acct_mgmt(pam_handle_t* pamh, int flags,
                                                            int argc, const char** argv) {
  return guarded(pamh, "acct_mgmt", PAM_SERVICE_ERR,
                 [&] { return secstore::module::acct_mgmt(pamh, flags, argc, argv); });
}

__attribute__((visibility("default"))) int pam_sm_setcred(pam_handle_t* pamh, int flags,
                                                          int argc, const char** argv) {
  return guarded(pamh, "setcred", PAM_CRED_ERR, [&] {
    secstore::module::SystemProcessChanges changes;
    return secstore::module::setcred(pamh, flags, argc, argv, changes);
  });
}

__attribute__((visibility("default"))) int pam_sm_authenticate(pam_handle_t* pamh, int flags,
                                                               int argc, const char** argv) {
  return guarded(pamh, "authenticate", PAM_SERVICE_ERR,
                 [&] { return secstore::module::authenticate(pamh, flags, argc, argv); });
}

}  // extern "C"
