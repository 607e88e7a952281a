// The parsed, indexed form of a Security.store (SPEC §2.3). Built once by
// StoreBuilder, then immutable and shared by every copy of a Store.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"
#include "secstore/permissions.hpp"
#include "store/statement.hpp"

namespace secstore::detail {

inline constexpr std::uint32_t kNoNode = UINT32_MAX;

// The normal form of `path` (SPEC §2.3): `path` itself when it already is
// normal, else normalised into `storage`; empty for an empty path. Most
// paths are written normal, so most callers copy nothing.
std::string_view normal_view(std::string_view path, std::string& storage);

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

// FNV-1a over a name's bytes, one byte at a time, so that the path walk can
// hash each prefix of a path on its way down.
struct NameHash {
  static constexpr std::uint64_t kStart = 14695981039346656037ull;
  static std::uint64_t byte(std::uint64_t h, char c) { return (h ^ static_cast<unsigned char>(c)) * 1099511628211ull; }
  static std::uint64_t of(std::string_view s) {
    std::uint64_t h = kStart;
    for (char c : s) h = byte(h, c);
    return h;
  }
};

inline constexpr std::uint32_t kNoId = UINT32_MAX;
static_assert(kNoId == kNoNode, "PathIndex answers with NameIds' none");

// Open addressing from a name to the id its owner gave it. The names stay
// with their owners (a role's name, a node's path) and are reached through
// `name_of(id)`: a store names thousands of paths, and a node per name in a
// std::unordered_map, with its own copy of the name, was most of a load.
class NameIds {
 public:
  // The id of `name`, adding `fresh` for it when it has none yet; second is
  // true when it was added.
  template <class NameOf>
  std::pair<std::uint32_t, bool> find_or_add(std::string_view name, std::uint32_t fresh, NameOf name_of) {
    return find_or_add(NameHash::of(name), name, fresh, name_of);
  }
  // As above, for a name whose hash `h` the caller has.
  template <class NameOf>
  std::pair<std::uint32_t, bool> find_or_add(std::uint64_t h, std::string_view name, std::uint32_t fresh,
                                             NameOf name_of) {
    if ((count_ + 1) * 2 > slots_.size()) grow((count_ + 1) * 2);
    for (std::size_t i = slot_of(h);; i = (i + 1) & (slots_.size() - 1)) {
      Slot& s = slots_[i];
      if (s.id == kNoId) {
        s = Slot{h, fresh};
        ++count_;
        return {fresh, true};
      }
      if (s.hash == h && name_of(s.id) == name) return {s.id, false};
    }
  }
  // The id of `name`, whose hash is `h`, or kNoId.
  template <class NameOf>
  std::uint32_t find(std::uint64_t h, std::string_view name, NameOf name_of) const {
    if (slots_.empty()) return kNoId;
    for (std::size_t i = slot_of(h);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (s.id == kNoId) return kNoId;
      if (s.hash == h && name_of(s.id) == name) return s.id;
    }
  }
  template <class NameOf>
  std::uint32_t find(std::string_view name, NameOf name_of) const {
    return find(NameHash::of(name), name, name_of);
  }
  // Room for `names` names without growing.
  void reserve(std::size_t names) {
    if (names * 2 > slots_.size()) grow(names * 2);
  }
  void clear() {
    slots_.clear();
    count_ = 0;
    shift_ = 64;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t id = kNoId;
  };
  // Fibonacci hashing: the slot comes from the product's high bits, which
  // depend on every bit of the hash (FNV's low bits cluster for paths that
  // differ only near their end).
  std::size_t slot_of(std::uint64_t h) const {
    return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  // A power of two of at least `slots` (and 8), each id placed again by its
  // kept hash; the load factor stays at most 0.5.
  void grow(std::size_t slots) {
    std::size_t capacity = 8;
    while (capacity < slots) capacity *= 2;
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    shift_ = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    for (const Slot& s : old) {
      if (s.id == kNoId) continue;
      std::size_t i = slot_of(s.hash);
      while (slots_[i].id != kNoId) i = (i + 1) & (capacity - 1);
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::size_t count_ = 0;
  unsigned shift_ = 64;
};

// From a normalised path to its node. Lookups take a precomputed hash and a
// string_view, so evaluating a path hashes each of its prefixes once and
// allocates nothing.
class PathIndex {
 public:
  static constexpr std::uint64_t kHashStart = NameHash::kStart;
  static std::uint64_t hash_byte(std::uint64_t h, char c) { return NameHash::byte(h, c); }
  static std::uint64_t hash(std::string_view s) { return NameHash::of(s); }

  void build(const std::vector<PathNode>& nodes);
  // The same, with each node's hash(path) already known (the builder has
  // them from interning the paths): one entry per node of `hashes`.
  void build(const std::vector<PathNode>& nodes, std::span<const std::uint64_t> hashes);
  // The node index for `path` (whose hash is `h`), or kNoNode.
  std::uint32_t find(std::uint64_t h, std::string_view path, const std::vector<PathNode>& nodes) const {
    return ids_.find(h, path, [&](std::uint32_t n) -> std::string_view { return nodes[n].path; });
  }

 private:
  NameIds ids_;
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
