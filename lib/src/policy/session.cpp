// The session types' few behaviours (secstore/session.hpp).
#include "secstore/session.hpp"

namespace secstore {

SessionSubject SessionSubject::anonymous_session(std::string user, std::optional<uid_t> uid) {
  SessionSubject s;
  s.anonymous = true;
  s.user = std::move(user);
  s.uid = uid;
  return s;
}

SessionSubject SessionSubject::named(std::string user, std::vector<std::string> group_names, std::optional<uid_t> uid) {
  SessionSubject s;
  s.user = std::move(user);
  s.uid = uid;
  for (auto& g : group_names) s.groups.push_back(SessionGroup{std::move(g), std::nullopt});
  return s;
}

RoleSet::RoleSet() = default;

std::size_t RoleSet::size() const { return ids_.size(); }

bool RoleSet::empty() const { return ids_.empty(); }

}  // namespace secstore
