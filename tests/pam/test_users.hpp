// The users and groups the real-libpam tests log in as. They are created in
// this machine's /etc/passwd and /etc/group (never in /etc/pam.d) before the
// first test and removed after the last.
#pragma once

#include <sys/types.h>

#include <string>

namespace secstore::test {

inline constexpr const char* kAlice = "secstore-t-alice";  // member of secstore-t-ops
inline constexpr const char* kBob = "secstore-t-bob";      // member of secstore-t-guests
inline constexpr const char* kOpsGroup = "secstore-t-ops";
inline constexpr const char* kExtraGroup = "secstore-t-extra";
inline constexpr const char* kGuestsGroup = "secstore-t-guests";

// True when the environment could create them (root, useradd available).
bool test_users_ready();
uid_t uid_of(const std::string& user);
gid_t gid_of_group(const std::string& group);

}  // namespace secstore::test
