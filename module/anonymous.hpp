// SPEC §4.3: which sessions are anonymous.
#pragma once

#include <string>
#include <vector>

#include "args.hpp"

namespace secstore::module {

// True when `user` is empty, is listed by name, or belongs to a listed
// @group. `user_groups` is the user's whole membership (primary and
// supplementary names); empty when NSS does not know the user.
bool is_anonymous(const std::string& user, const AnonymousList& list,
                  const std::vector<std::string>& user_groups);

}  // namespace secstore::module
