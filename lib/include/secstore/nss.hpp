// The name service, asked once per session by the caller (the library's
// evaluation never asks it): who an account is, and the ids of the names a
// policy mentions. Buffers grow, so a long group list or a large directory
// entry never truncates. A name the service does not know is not the same
// as a service that cannot answer (SPEC §4.5): both fail closed, with
// different words.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "secstore/session.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

enum class LookupStatus { Found, Unknown, Unavailable };

// How much of an account's group membership to ask for. Supplementary
// groups come from getgrouplist (NSS initgroups), names from getgrgid: with
// Debian's nss_systemd or a directory they are most of what a login costs,
// so a caller that knows no group can change its answer asks for less.
enum class GroupDetail {
  PrimaryOnly,  // the primary group, by id and name
  Ids,          // every group, by id (names left empty)
  IdsAndNames,  // every group, by id and name
};

struct SubjectLookup {
  LookupStatus status = LookupStatus::Unknown;
  // Found: a named session for the account (uid and groups filled in).
  SessionSubject subject;
  // Unknown: "unknown user \"bob\": the name service does not know it".
  // Unavailable: "cannot look up user \"bob\": the name service is
  // unavailable (...)".
  std::string message;
};

SubjectLookup lookup_subject(const std::string& user, GroupDetail groups);

// The ids of a policy's names (Policy::names_needed). A name the service
// does not know is left out (the plan decides what that means); a service
// that cannot answer is an error (Problem::Unreadable) naming the name.
Outcome<ResolvedNames> lookup_names(const NamesNeeded& names);

struct GroupLookup {
  LookupStatus status = LookupStatus::Unknown;
  gid_t gid = 0;
  std::string message;  // as SubjectLookup's
};
// A group by name, or by number when `name_or_gid` is all digits (a number
// is a valid gid even when no group of that number exists).
GroupLookup lookup_group(const std::string& name_or_gid);

// An account's name by uid (for the command's invoker).
std::optional<std::string> user_name(uid_t uid);

}  // namespace secstore

#pragma GCC visibility pop
