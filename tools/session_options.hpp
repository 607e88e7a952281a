// The session options shared by `explain` and `can`:
// (--user U [--groups g1,g2] | --anonymous).
#pragma once

#include <optional>
#include <string>

#include "options.hpp"
#include "secstore/session.hpp"

namespace secstore::cli {

inline constexpr OptionSpec kUserOption{"user", true};
inline constexpr OptionSpec kGroupsOption{"groups", true};
inline constexpr OptionSpec kAnonymousOption{"anonymous", false};

struct SessionRequestParse {
  std::optional<SessionRequest> request;
  std::string error;  // a usage error when request is empty
};

SessionRequestParse session_request_from(const ParsedOptions& options);

}  // namespace secstore::cli
