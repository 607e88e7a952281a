// Every line the module writes goes through pam_syslog (facility AUTHPRIV,
// prefixed by libpam with "pam_secstore(SERVICE:TYPE):").
#pragma once

#include <security/pam_modules.h>

#include <string>

#include "failure.hpp"

namespace secstore::module {

void log_line(pam_handle_t* pamh, int priority, const std::string& text);
// Logs the failure's one line at its kind's priority.
void log_failure(pam_handle_t* pamh, const Failure& failure);

}  // namespace secstore::module
