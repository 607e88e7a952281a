#include "deferred_ambient.hpp"

#include <security/pam_modules.h>
#include <sys/prctl.h>
#include <syslog.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include "log.hpp"

namespace secstore::module {
namespace {

struct DeferredAmbient {
  CapMask mask;
};

// In the login program's child, after its setuid: the kept permitted set and
// the inheritable set raised at open make each capability raisable.
void raise_ambient(pam_handle_t* pamh, CapMask mask) {
  std::string failed;
  for (unsigned cap = 0; cap < 64; ++cap) {
    if (!((mask >> cap) & 1u)) continue;
    if (cap_set_ambient(static_cast<cap_value_t>(cap), CAP_SET) != 0) {
      if (!failed.empty()) failed += ',';
      failed += capability_list(CapMask{1} << cap) + " (" + std::strerror(errno) + ")";
    }
  }
  // Keep-caps has done its job; exec would clear it, but the child may not exec.
  prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  if (!failed.empty())
    log_line(pamh, LOG_ERR, "cannot raise ambient capabilities for the session's shell: " + failed);
}

}  // namespace

void deferred_ambient_cleanup(pam_handle_t* pamh, void* data, int error_status) {
  std::unique_ptr<DeferredAmbient> owned(static_cast<DeferredAmbient*>(data));
  // Replaced by a later open on the same handle, or withdrawn: just free.
  if (!owned || (error_status & PAM_DATA_REPLACE) || !(error_status & PAM_DATA_SILENT)) return;
  // Nothing may leave this function by exception: libpam calls it from C.
  try {
    raise_ambient(pamh, owned->mask);
  } catch (...) {
  }
}

std::optional<Failure> register_deferred_ambient(pam_handle_t* pamh, CapMask mask) {
  auto data = std::unique_ptr<DeferredAmbient>(new (std::nothrow) DeferredAmbient{mask});
  if (!data) return Failure{FailureKind::System, "out of memory registering the session's ambient set"};
  int rc = pam_set_data(pamh, kAmbientDataName, data.get(), deferred_ambient_cleanup);
  if (rc != PAM_SUCCESS)
    return Failure{FailureKind::System, std::string("cannot register the session's ambient set: ") +
                                            pam_strerror(pamh, rc)};
  data.release();  // libpam owns it now and hands it back to the cleanup
  return std::nullopt;
}

void cancel_deferred_ambient(pam_handle_t* pamh) {
  // Replacing the data makes libpam call the old cleanup with PAM_DATA_REPLACE.
  pam_set_data(pamh, kAmbientDataName, nullptr, nullptr);
}

}  // namespace secstore::module
