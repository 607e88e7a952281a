// The parsed, indexed form of a Security.store (SPEC §2.3). Built once by
// StoreBuilder, then immutable and shared by every copy of a Store.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"
#include "secstore/permissions.hpp"
#include "store/statement.hpp"

namespace secstore::detail {

inline constexpr std::uint32_t kNoNode = UINT32_MAX;

// One role's permissions at one path, and the statement that set them.
struct RoleAssignment {
  std::uint32_t role;
  PathPermissions permissions;
  SourcePos where;
};

// Everything the store says about one normalised path.
struct PathNode {
  std::string path;
  bool isolated = false;
  SourcePos isolated_at;
  std::vector<RoleAssignment> assignments;  // sorted by role id once built
};

struct RoleList {
  std::vector<std::uint32_t> roles;  // as written
  SourcePos where;
};

struct RoleData {
  std::string name;
  bool has_global = false;
  GlobalPermissions global;
  SourcePos global_at;
  bool has_default = false;
  PathPermissions default_path;
  SourcePos default_at;
  bool has_includes = false;
  std::vector<std::uint32_t> includes;
  SourcePos includes_at;
  bool locked = false;
  std::string lock_principal;
  SourcePos lock_at;
};

// Open addressing from a normalised path to its node. Lookups take a
// precomputed hash and a string_view, so evaluating a path hashes each of
// its prefixes once and allocates nothing.
class PathIndex {
 public:
  static constexpr std::uint64_t kHashStart = 14695981039346656037ull;  // FNV-1a
  static std::uint64_t hash_byte(std::uint64_t h, char c) {
    return (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  static std::uint64_t hash(std::string_view s) {
    std::uint64_t h = kHashStart;
    for (char c : s) h = hash_byte(h, c);
    return h;
  }

  void build(const std::vector<PathNode>& nodes);
  // The node index for `path` (whose hash is `h`), or kNoNode.
  std::uint32_t find(std::uint64_t h, std::string_view path, const std::vector<PathNode>& nodes) const;

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t node = kNoNode;
  };
  // Fibonacci hashing: the slot comes from the product's high bits, which
  // depend on every bit of the hash (FNV's low bits cluster for paths that
  // differ only near their end).
  std::size_t slot_of(std::uint64_t h) const {
    return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
};

struct StoreData {
  std::vector<std::string> files;  // SourcePos::file indexes this
  std::vector<SourceRecord> sources;  // what Store::load read
  std::vector<RoleData> roles;     // sorted by name (byte order); id = index
  std::vector<GlobalPermissions> global_of;  // by role id, for evaluation
  std::vector<PathPermissions> default_of;   // by role id, for evaluation
  std::vector<PathNode> nodes;               // only paths with something on them
  PathIndex index;
  // The inverse of the nodes' assignment lists, so that a session's part of
  // the store (PathChecker) is found without scanning every node: the nodes
  // role r has an assignment at are
  // role_nodes[role_nodes_start[r] .. role_nodes_start[r + 1]), ascending.
  std::vector<std::uint32_t> role_nodes_start;  // roles.size() + 1 entries (none for a store without roles)
  std::vector<std::uint32_t> role_nodes;
  std::vector<std::uint32_t> isolated_nodes;  // ascending; every session must look at these
  std::optional<RoleList> named_sessions;
  std::optional<RoleList> anonymous_sessions;
  std::unordered_map<std::string, RoleList> user_roles;
  std::unordered_map<std::string, RoleList> group_roles;

  Location location(SourcePos p) const {
    return Location{p.file < files.size() ? files[p.file] : std::string(), p.line, p.column};
  }
  std::optional<std::uint32_t> find_role(std::string_view name) const;
  // Node ids where `role` has an assignment; empty for an id out of range.
  std::span<const std::uint32_t> nodes_of_role(std::uint32_t role) const {
    if (std::size_t{role} + 1 >= role_nodes_start.size()) return {};
    return {role_nodes.data() + role_nodes_start[role], role_nodes.data() + role_nodes_start[role + 1]};
  }
};

}  // namespace secstore::detail
