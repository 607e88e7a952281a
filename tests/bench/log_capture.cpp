#include "log_capture.hpp"

#include <dlfcn.h>

#include <cstdarg>
#include <cstdio>

namespace {

// Like audit_switch's flag: an interposed C symbol has no other place to
// keep what it was given. Each measuring child has its own copy.
char g_last_log[1024];

}  // namespace

namespace secstore::bench {

std::string last_log() { return g_last_log; }
void clear_last_log() { g_last_log[0] = '\0'; }

}  // namespace secstore::bench

// Exported from the executable (-Wl,--export-dynamic-symbol=__syslog_chk):
// libpam's pam_vsyslog binds here before glibc's.
extern "C" __attribute__((visibility("default"))) void __syslog_chk(int priority, int flag, const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::vsnprintf(g_last_log, sizeof g_last_log, format, args);
  va_end(args);
  // Then the write every row would make without the bench, so that what is
  // timed does not change.
  using VsyslogChk = void (*)(int, int, const char*, va_list);
  if (auto real = reinterpret_cast<VsyslogChk>(dlsym(RTLD_DEFAULT, "__vsyslog_chk"))) {
    va_start(args, format);
    real(priority, flag, format, args);
    va_end(args);
  }
}
