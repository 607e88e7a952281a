// The two permission vocabularies of a Diffusion security store (SPEC §2.2),
// as small bit sets so that evaluating a session is a handful of ORs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

enum class GlobalPermission : std::uint8_t {
  AUTHENTICATE,
  VIEW_SESSION,
  MODIFY_SESSION,
  REGISTER_HANDLER,
  VIEW_SERVER,
  CONTROL_SERVER,
  VIEW_SECURITY,
  MODIFY_SECURITY,
  READ_TOPIC_VIEWS,
  MODIFY_TOPIC_VIEWS,
};
inline constexpr unsigned kGlobalPermissionCount = 10;

enum class PathPermission : std::uint8_t {
  READ_TOPIC,
  UPDATE_TOPIC,
  MODIFY_TOPIC,
  SEND_TO_MESSAGE_HANDLER,
  SEND_TO_SESSION,
  SELECT_TOPIC,
  QUERY_OBSOLETE_TIME_SERIES_EVENTS,
  EDIT_TIME_SERIES_EVENTS,
  EDIT_OWN_TIME_SERIES_EVENTS,
  ACQUIRE_LOCK,
  EXPOSE_BRANCH,
};
inline constexpr unsigned kPathPermissionCount = 11;

// Upper-case canonical names.
std::string_view name_of(GlobalPermission p);
std::string_view name_of(PathPermission p);

// Every name of each list, in declaration order (for "did you mean").
std::span<const std::string_view> global_permission_names();
std::span<const std::string_view> path_permission_names();

// Case-insensitive lookups; nullopt when the name is not in that list.
std::optional<GlobalPermission> global_permission_from_name(std::string_view name);
std::optional<PathPermission> path_permission_from_name(std::string_view name);

template <class Perm>
struct PermissionSet {
  std::uint32_t bits = 0;

  static constexpr std::uint32_t bit(Perm p) { return 1u << static_cast<unsigned>(p); }
  bool has(Perm p) const { return (bits & bit(p)) != 0; }
  void add(Perm p) { bits |= bit(p); }
  bool empty() const { return bits == 0; }
  PermissionSet& operator|=(PermissionSet o) {
    bits |= o.bits;
    return *this;
  }
  friend bool operator==(PermissionSet a, PermissionSet b) { return a.bits == b.bits; }
};

using GlobalPermissions = PermissionSet<GlobalPermission>;
using PathPermissions = PermissionSet<PathPermission>;

// Canonical names in declaration order (the order Diffusion documents).
std::vector<std::string> names_of(GlobalPermissions s);
std::vector<std::string> names_of(PathPermissions s);

}  // namespace secstore

#pragma GCC visibility pop
