// Name service lookups (getpwnam_r, getgrouplist, getgrnam_r) with buffers
// that grow, so a long group list or a large NSS entry never truncates.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

struct UserInfo {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<std::string> group_names;  // primary first, then supplementary
  std::vector<gid_t> gids;               // the same order
};

// nullopt when NSS does not know the user.
std::optional<UserInfo> lookup_user(const std::string& name);
// Which of a user's groups to look up. The supplementary ones come from
// getgrouplist (NSS initgroups), which with Debian's nss_systemd is most of
// what a login costs; PrimaryOnly is for callers that know no group can
// change their answer.
enum class UserGroups { All, PrimaryOnly };
// As lookup_user(name); with PrimaryOnly, group_names and gids hold only the
// primary group.
std::optional<UserInfo> lookup_user(const std::string& name, UserGroups groups);
// A group by name, or by number when `name_or_gid` is all digits (a number
// is a valid gid even when no group of that number exists, so it is returned
// as is). nullopt when a name is not known to NSS.
std::optional<gid_t> lookup_group(const std::string& name_or_gid);
std::optional<std::string> group_name(gid_t gid);

}  // namespace secstore

#pragma GCC visibility pop
