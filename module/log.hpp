// Every line the module writes goes through pam_syslog (facility AUTHPRIV,
// prefixed by libpam with "pam_secstore(SERVICE:TYPE):").
#pragma once

#include <security/pam_modules.h>

#include <functional>
#include <string>

#include "failure.hpp"

namespace secstore::module {

void log_line(pam_handle_t* pamh, int priority, const std::string& text);
// Logs the failure's one line at its kind's priority.
void log_failure(pam_handle_t* pamh, const Failure& failure);
// A sink that logs each text as one LOG_WARNING line.
std::function<void(const std::string&)> warn_to(pam_handle_t* pamh);

}  // namespace secstore::module
