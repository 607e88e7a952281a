#include "secstore/permissions.hpp"

#include <array>

namespace secstore {
namespace {

constexpr std::array<std::string_view, kGlobalPermissionCount> kGlobalNames{
    "AUTHENTICATE",  "VIEW_SESSION",    "MODIFY_SESSION",   "REGISTER_HANDLER",
    "VIEW_SERVER",   "CONTROL_SERVER",  "VIEW_SECURITY",    "MODIFY_SECURITY",
    "READ_TOPIC_VIEWS", "MODIFY_TOPIC_VIEWS",
};

constexpr std::array<std::string_view, kPathPermissionCount> kPathNames{
    "READ_TOPIC",
    "UPDATE_TOPIC",
    "MODIFY_TOPIC",
    "SEND_TO_MESSAGE_HANDLER",
    "SEND_TO_SESSION",
    "SELECT_TOPIC",
    "QUERY_OBSOLETE_TIME_SERIES_EVENTS",
    "EDIT_TIME_SERIES_EVENTS",
    "EDIT_OWN_TIME_SERIES_EVENTS",
    "ACQUIRE_LOCK",
    "EXPOSE_BRANCH",
};

// ASCII only: permission names are ASCII, and locale-dependent case folding
// must not change what a security file means.
bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

template <class Perm, std::size_t N>
std::optional<Perm> find_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (equal_ignoring_case(names[i], name)) return static_cast<Perm>(i);
  return std::nullopt;
}

template <class Perm, std::size_t N>
std::vector<std::string> names_in(const std::array<std::string_view, N>& names,
                                  PermissionSet<Perm> set) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < N; ++i)
    if (set.has(static_cast<Perm>(i))) out.emplace_back(names[i]);
  return out;
}

}  // namespace

std::span<const std::string_view> global_permission_names() { return kGlobalNames; }
std::span<const std::string_view> path_permission_names() { return kPathNames; }

std::string_view name_of(GlobalPermission p) { return kGlobalNames.at(static_cast<std::size_t>(p)); }
std::string_view name_of(PathPermission p) { return kPathNames.at(static_cast<std::size_t>(p)); }

std::optional<GlobalPermission> global_permission_from_name(std::string_view name) {
  return find_name<GlobalPermission>(kGlobalNames, name);
}

std::optional<PathPermission> path_permission_from_name(std::string_view name) {
  return find_name<PathPermission>(kPathNames, name);
}

std::vector<std::string> names_of(GlobalPermissions s) { return names_in(kGlobalNames, s); }
std::vector<std::string> names_of(PathPermissions s) { return names_in(kPathNames, s); }

}  // namespace secstore
