#include "log.hpp"

#include <security/pam_ext.h>
#include <syslog.h>

namespace secstore::module {

void log_line(pam_handle_t* pamh, int priority, const std::string& text) {
  // "%s": the text holds file names and user names, never a format.
  pam_syslog(pamh, priority, "%s", text.c_str());
}

std::function<void(const std::string&)> warn_to(pam_handle_t* pamh) {
  return [pamh](const std::string& text) { log_line(pamh, LOG_WARNING, text); };
}

void log_failure(pam_handle_t* pamh, const Failure& failure) {
  log_line(pamh, syslog_priority(failure.kind), failure.message);
}

}  // namespace secstore::module
