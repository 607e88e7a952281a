// Counts the getgrouplist calls of a PAM transaction: the test binary defines
// getgrouplist itself (libpam's dlopen of the module binds to it first), notes
// each call in a file, and hands the call to libc's.
#pragma once

#include <string>

namespace secstore::test {

// From now on (and in children forked from now on), each getgrouplist call
// appends a line to `path`.
void note_getgrouplist_calls_in(const std::string& path);
// How many calls `path` records.
int getgrouplist_calls_in(const std::string& path);

}  // namespace secstore::test
