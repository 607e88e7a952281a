// Modules log through libpam's pam_syslog, which ends in glibc's
// __syslog_chk: the bench binary defines that symbol itself (exported, as
// audit_open is), keeps the last line and passes it on to glibc, so that a
// row the module refuses can say why instead of only "Cannot make/remove an
// entry for the specified session".
#pragma once

#include <string>

namespace secstore::bench {

// The last line logged in this process, "" if none; clear_last_log() forgets it.
std::string last_log();
void clear_last_log();

}  // namespace secstore::bench
