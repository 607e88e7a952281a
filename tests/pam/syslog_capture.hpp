// libpam's pam_syslog ends in __syslog_chk (glibc, _FORTIFY_SOURCE). This
// test binary defines syslog, vsyslog and their _chk forms, and the dynamic
// linker binds libpam's calls to these definitions (the executable comes
// first in symbol lookup), so every line the module logs lands in a file the
// test reads instead of the system log.
#pragma once

#include <string>
#include <vector>

namespace secstore::test {

struct SyslogLine {
  int facility;  // LOG_FAC(priority) << 3, e.g. LOG_AUTHPRIV
  int level;     // LOG_PRI(priority), e.g. LOG_ERR
  std::string text;
};

// Lines go to `fd` from now on (in this process and children forked after);
// -1 stops capturing.
void capture_syslog_to(int fd);
// Parses what the capture file holds.
std::vector<SyslogLine> read_captured_syslog(const std::string& path);

}  // namespace secstore::test

// The same capture for tests/pam/matrix_harness.hpp (fail-closed matrix),
// which reads the lines back in the process that logged them.
namespace secstore::testing {

struct LogLine {
  int priority;  // the level only: LOG_ERR, LOG_ALERT, ...
  std::string text;
};

void clear_captured_syslog();
std::vector<LogLine> captured_syslog();
// "LOG_ALERT", "LOG_ERR", ... for readable assertion messages.
std::string priority_name(int level);

}  // namespace secstore::testing
