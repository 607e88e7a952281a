#include "syslog_capture.hpp"

#include <syslog.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace secstore::test {
namespace {

// Test-only process state: where the interposed syslog writes (a file a
// parent can read after its child exits), and the lines of this process.
int capture_fd = -1;
std::vector<secstore::testing::LogLine>& lines_in_process() {
  static std::vector<secstore::testing::LogLine> lines;
  return lines;
}

void write_line(int priority, const char* format, va_list args) {
  char* text = nullptr;
  if (vasprintf(&text, format, args) < 0) return;
  lines_in_process().push_back(secstore::testing::LogLine{LOG_PRI(priority), text});
  if (capture_fd < 0) {
    std::free(text);
    return;
  }
  // One record a line: facility, level, text (newlines in text flattened).
  std::string record = std::to_string(priority & LOG_FACMASK) + "\t" +
                       std::to_string(LOG_PRI(priority)) + "\t";
  for (const char* p = text; *p; ++p) record += (*p == '\n' ? ' ' : *p);
  record += '\n';
  std::free(text);
  ssize_t ignored = ::write(capture_fd, record.data(), record.size());
  (void)ignored;
}

}  // namespace

void capture_syslog_to(int fd) { capture_fd = fd; }

std::vector<SyslogLine> read_captured_syslog(const std::string& path) {
  std::vector<SyslogLine> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto tab1 = line.find('\t');
    auto tab2 = line.find('\t', tab1 + 1);
    if (tab1 == std::string::npos || tab2 == std::string::npos) continue;
    lines.push_back(SyslogLine{std::stoi(line.substr(0, tab1)),
                               std::stoi(line.substr(tab1 + 1, tab2 - tab1 - 1)),
                               line.substr(tab2 + 1)});
  }
  return lines;
}

}  // namespace secstore::test

namespace secstore::testing {

void clear_captured_syslog() { secstore::test::lines_in_process().clear(); }
std::vector<LogLine> captured_syslog() { return secstore::test::lines_in_process(); }

std::string priority_name(int level) {
  static const char* const names[] = {"LOG_EMERG",   "LOG_ALERT",  "LOG_CRIT", "LOG_ERR",
                                      "LOG_WARNING", "LOG_NOTICE", "LOG_INFO", "LOG_DEBUG"};
  if (level >= 0 && level < 8) return names[level];
  return "priority " + std::to_string(level);
}

}  // namespace secstore::testing

#define SECSTORE_EXPORT __attribute__((visibility("default")))

extern "C" {

SECSTORE_EXPORT void vsyslog(int priority, const char* format, va_list args) {
  secstore::test::write_line(priority, format, args);
}

SECSTORE_EXPORT void __vsyslog_chk(int priority, int /*flag*/, const char* format, va_list args) {
  secstore::test::write_line(priority, format, args);
}

SECSTORE_EXPORT void syslog(int priority, const char* format, ...) {
  va_list args;
  va_start(args, format);
  secstore::test::write_line(priority, format, args);
  va_end(args);
}

SECSTORE_EXPORT void __syslog_chk(int priority, int /*flag*/, const char* format, ...) {
  va_list args;
  va_start(args, format);
  secstore::test::write_line(priority, format, args);
  va_end(args);
}

}  // extern "C"
