#include "anonymous.hpp"

#include <algorithm>

namespace secstore::module {

bool is_anonymous(const std::string& user, const AnonymousList& list,
                  const std::vector<std::string>& user_groups) {
  if (user.empty()) return true;
  auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  if (contains(list.users, user)) return true;
  return std::any_of(list.groups.begin(), list.groups.end(),
                     [&](const std::string& g) { return contains(user_groups, g); });
}

}  // namespace secstore::module
