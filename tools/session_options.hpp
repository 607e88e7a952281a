// Who `explain` and `can` ask about: (--user U [--groups g1,g2] | --anonymous).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/session.hpp"

namespace secstore::cli {

inline constexpr OptionSpec kUserOption{"user", "U", "a named session of user U"};
inline constexpr OptionSpec kGroupsOption{
    "groups", "G1,G2", "U's whole group membership, instead of asking the name service ('' for none)"};
inline constexpr OptionSpec kAnonymousOption{"anonymous", "", "an anonymous session"};

struct SubjectFromOptions {
  std::optional<SessionSubject> subject;
  bool groups_given = false;
  std::string usage_error;              // the options do not describe a session
  std::vector<Diagnostic> errors;       // an unknown user, a name service that cannot answer
  int exit_code = 0;                    // with errors: 1 unknown, 2 unavailable
};

// As the module would see the session: without --groups the user must
// exist and its groups come from the name service; with --groups the list
// is the whole membership and the user need not exist here (its uid is
// used when it does).
SubjectFromOptions subject_from(const ParsedOptions& options);

}  // namespace secstore::cli
