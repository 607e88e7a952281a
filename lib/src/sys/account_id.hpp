// An all-digit user or group as an id (SPEC §3: all-digit values are ids).
// uid_t and gid_t are 32 bits, and the largest value is -1, which every
// set*id call takes as "leave it" and no account can have: an id is at most
// 4294967294. One rule for the configuration's reader, its planner and the
// name-service lookups, so that no value one of them refuses another takes
// (a value past the range once wrapped to gid 0, the root group).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace secstore::detail {

inline constexpr std::uint32_t kLargestAccountId = 0xfffffffe;

// The id `digits` spells, or nullopt when it is not only digits or is past
// kLargestAccountId (however many digits: leading zeros are allowed).
inline std::optional<std::uint32_t> account_id(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  for (const char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > kLargestAccountId) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

}  // namespace secstore::detail
