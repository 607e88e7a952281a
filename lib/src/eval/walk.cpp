#include "eval/walk.hpp"

#include <algorithm>

#include "secstore/store.hpp"

namespace secstore::detail {
namespace {

constexpr std::uint32_t kExpose = PathPermissions::bit(PathPermission::EXPOSE_BRANCH);

// Paths are shallow and sessions hold few roles: the states live on the
// stack unless a session holds more than this many.
constexpr std::size_t kInlineRoles = 64;

}  // namespace

PathPermissions walk_path(std::uint32_t depth, std::span<const WalkLevel> levels,
                          std::span<const std::uint32_t> roles, std::span<const PathPermissions> defaults,
                          std::span<RoleVerdict> verdicts) {
  const std::size_t n = roles.size();
  std::uint32_t inline_states[kInlineRoles];
  std::vector<std::uint32_t> heap_states;
  std::uint32_t* state = inline_states;
  if (n > kInlineRoles) {
    heap_states.resize(n);
    state = heap_states.data();
  }
  const bool record = !verdicts.empty();
  for (std::size_t k = 0; k < n; ++k) {
    state[k] = defaults[k].bits;
    if (record) verdicts[k] = RoleVerdict{defaults[k].empty() ? RoleVerdict::Kind::NoDefault : RoleVerdict::Kind::Default};
  }
  // A role's state changes only at the given levels, so the states in force
  // above the last level are the defaults (if some level above the last
  // comes before the first given one) and the states after each given level
  // above the last. `from[k]` is what set role k's state (-1: its default).
  std::uint32_t exposed = 0;
  std::vector<int> from;
  if (record) from.assign(n, -1);
  auto note_exposed = [&](std::uint32_t deepest_level) {
    for (std::size_t k = 0; k < n; ++k) {
      exposed |= state[k] & kExpose;
      if (record && (state[k] & kExpose)) {
        verdicts[k].expose_level = static_cast<int>(deepest_level);
        verdicts[k].expose_from = from[k];
      }
    }
  };
  // The level just before `i`'s (or before the last level): the deepest
  // level at which the state set before it still holds.
  auto epoch_end = [&](std::size_t i) {
    return i < levels.size() ? std::min(levels[i].level, depth - 1) - 1 : depth - 2;
  };
  if (depth > 1 && (levels.empty() || levels.front().level > 0)) note_exposed(epoch_end(0));
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const WalkLevel& level = levels[i];
    const auto& list = level.assignments;
    // Both the roles and a level's assignments are sorted by role id: one
    // merge pass (with a binary search over long stretches) finds them all.
    std::size_t at = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint32_t id = roles[k];
      if (list.size() - at > 8)
        at = static_cast<std::size_t>(
            std::lower_bound(list.begin() + static_cast<std::ptrdiff_t>(at), list.end(), id,
                             [](const RoleAssignment& a, std::uint32_t r) { return a.role < r; }) -
            list.begin());
      else
        while (at < list.size() && list[at].role < id) ++at;
      if (at < list.size() && list[at].role == id) {
        state[k] = list[at].permissions.bits;
        if (record) {
          verdicts[k].kind = RoleVerdict::Kind::Assignment;
          verdicts[k].decided_at = static_cast<int>(i);
          from[k] = static_cast<int>(i);
        }
      } else if (level.isolated) {
        state[k] = 0;
        if (record) {
          verdicts[k].kind = RoleVerdict::Kind::Isolated;
          verdicts[k].decided_at = static_cast<int>(i);
          from[k] = static_cast<int>(i);
        }
      }
    }
    if (level.level + 1 < depth) note_exposed(epoch_end(i + 1));
  }
  PathPermissions result;
  for (std::size_t k = 0; k < n; ++k) result.bits |= state[k];
  result.bits |= exposed;
  return result;
}

std::uint32_t depth_of(std::string_view normal_path) {
  if (normal_path.empty()) return 0;
  return static_cast<std::uint32_t>(std::count(normal_path.begin(), normal_path.end(), '/')) + 1;
}

void store_levels(const StoreData& d, std::string_view path, LevelBuffer& out) {
  std::uint64_t h = PathIndex::kHashStart;
  std::uint32_t level = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::uint32_t node = d.index.find(h, path.substr(0, i), d.nodes);
      if (node != kNoNode) {
        const PathNode& p = d.nodes[node];
        out.push_back(WalkLevel{level, p.isolated, p.assignments, &p});
      }
      ++level;
    }
    if (i < path.size()) h = PathIndex::hash_byte(h, path[i]);
  }
}

}  // namespace secstore::detail
