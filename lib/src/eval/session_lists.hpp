// SPEC §2.3 "session roles": which role lists of the store apply to a
// session, written once for evaluation and explain.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "secstore/session.hpp"
#include "store/data.hpp"

namespace secstore::detail {

enum class ListKind { Named, Anonymous, User, Group };

// Calls visit(list, kind, subject) for each list that gives the session
// roles: the anonymous-session roles for an anonymous session; for a named
// one, the named-session roles, the user's, and each of its groups'.
template <class Visit>
void for_each_session_list(const StoreData& d, const SessionSubject& who, Visit visit) {
  static const std::string none;
  if (who.anonymous) {
    if (d.anonymous_sessions) visit(*d.anonymous_sessions, ListKind::Anonymous, none);
    return;
  }
  if (d.named_sessions) visit(*d.named_sessions, ListKind::Named, none);
  if (auto it = d.user_roles.find(who.user); it != d.user_roles.end()) visit(it->second, ListKind::User, who.user);
  for (const auto& group : who.groups)
    if (auto it = d.group_roles.find(group.name); it != d.group_roles.end())
      visit(it->second, ListKind::Group, group.name);
}

// Closure of `seeds` under includes; sorted, unique. Costs in proportion to
// the closure, not to the store.
std::vector<std::uint32_t> closure(const StoreData& d, const std::vector<std::uint32_t>& seeds);

}  // namespace secstore::detail
