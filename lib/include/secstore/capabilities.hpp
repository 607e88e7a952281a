// Linux capabilities as secstore speaks of them (SPEC §3): capability text
// read by libcap itself, sets as bit masks, names as libcap prints them. The
// module, the command and secstore-shell print and count capabilities only
// through here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

// Bit N is capability number N (libcap's numbering; a kernel has
// kernel_capability_count() of them, at most 64).
using CapabilityMask = std::uint64_t;

// What a Security scope's `capabilities` text gives a session.
struct CapabilitySets {
  CapabilityMask ambient = 0;        // raised in ambient (always also in inheritable)
  CapabilityMask inheritable = 0;    // raised in inheritable
  CapabilityMask bounding_drop = 0;  // dropped from the bounding set

  bool empty() const { return ambient == 0 && inheritable == 0 && bounding_drop == 0; }
  CapabilitySets& operator|=(const CapabilitySets& o);
  friend bool operator==(const CapabilitySets&, const CapabilitySets&) = default;
};

// Parses SPEC §3 capability text with libcap (cap_from_text when the text has
// '=', '+' or '-', cap_iab_from_text otherwise). The sets hold what libcap
// read, whatever the running kernel knows: the module refuses to grant a
// capability its kernel lacks. On error, nullopt and `error` names the bad
// part, with a "did you mean" for a misspelt name.
std::optional<CapabilitySets> parse_capability_text(std::string_view text, std::string& error);

// How many capabilities the running kernel has (cap_max_bits, at most 64).
unsigned kernel_capability_count();
// The mask of the first `count` capabilities.
CapabilityMask capability_mask_of_count(unsigned count);

// libcap's lower-case names ("cap_net_bind_service") of the bits in mask,
// lowest first; a number libcap has no name for is "cap_N".
std::vector<std::string> capability_names(CapabilityMask mask);
// The same, comma-separated ("cap_chown,cap_kill"), for messages and logs.
std::string capability_list(CapabilityMask mask);
// capability_list appended to `out` (a session's log line builds in place).
void append_capability_list(std::string& out, CapabilityMask mask);
// A capability by libcap name (any case); nullopt when libcap has none.
std::optional<unsigned> capability_from_name(std::string_view name);

}  // namespace secstore

#pragma GCC visibility pop
