#include "audit_switch.hpp"

#include <dlfcn.h>
#include <errno.h>

#include <atomic>

namespace {

// The one piece of global state in the bench: an interposed C symbol has no
// other place to find its setting. It is written once, before any fork.
std::atomic<bool> g_audit_enabled{false};

using AuditOpenFn = int (*)();

}  // namespace

namespace secstore::bench {

void set_audit_enabled(bool enabled) { g_audit_enabled.store(enabled); }
bool audit_enabled() { return g_audit_enabled.load(); }

}  // namespace secstore::bench

// Exported from the executable (-Wl,--export-dynamic-symbol=audit_open), so
// the dynamic linker resolves libpam's reference to it before libaudit's.
extern "C" __attribute__((visibility("default"))) int audit_open() {
  if (!g_audit_enabled.load()) {
    errno = EPROTONOSUPPORT;
    return -1;
  }
  auto real = reinterpret_cast<AuditOpenFn>(dlsym(RTLD_NEXT, "audit_open"));
  if (real == nullptr) {
    errno = EPROTONOSUPPORT;
    return -1;
  }
  return real();
}
