// The name service, asked once per session by the caller (the library's
// evaluation never asks it): who an account is, and the ids of the names a
// policy mentions. Buffers grow, so a long group list or a large directory
// entry never truncates. A name the service does not know is not the same
// as a service that cannot answer (SPEC §4.5): both fail closed, with
// different words.
#pragma once

#include <sys/types.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

// An all-digit user or group as an id (SPEC §3: all-digit values are ids).
// uid_t and gid_t are 32 bits, and the largest value is -1, which every
// set*id call takes as "leave it" and no account can have: an id is at most
// 4294967294. One rule for the configuration's reader, its planner, the
// name-service lookups and the command's reading of SUDO_UID, so that no
// value one of them refuses another takes (a value past the range once
// wrapped to gid 0, the root group).
inline constexpr std::uint32_t kLargestAccountId = 0xfffffffe;

// The id `digits` spells, or nullopt when it is not only digits (no sign,
// no blanks) or is past kLargestAccountId (however many digits: leading
// zeros are allowed).
inline std::optional<std::uint32_t> account_id(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  for (const char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > kLargestAccountId) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

// An account's name by uid (for the command's invoker).
std::optional<std::string> user_name(uid_t uid);

}  // namespace secstore

#pragma GCC visibility pop
