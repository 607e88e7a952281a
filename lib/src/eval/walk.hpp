// SPEC §2.3 path permissions, written once. The text store, explain, the
// PathChecker compiler and the compiled index all hand their levels to
// walk_path and take its answer; explain also takes what it recorded.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "secstore/permissions.hpp"
#include "store/data.hpp"

namespace secstore::detail {

// What the store says at one level of a path (the path's first N
// segments), for the levels where it says anything.
struct WalkLevel {
  std::uint32_t level = 0;  // 0 = the first segment
  bool isolated = false;
  std::span<const RoleAssignment> assignments;  // sorted by role id
  const PathNode* node = nullptr;               // the store's node, when the level came from one
};

// How one role's answer came about, for explain.
struct RoleVerdict {
  enum class Kind { Assignment, Isolated, Default, NoDefault } kind = Kind::NoDefault;
  int decided_at = -1;  // index into the levels given, for Assignment and Isolated
  // The deepest level above the path at which the role's state held
  // EXPOSE_BRANCH, and the levels-index of what set that state (-1: the
  // default); expose_level is -1 when it never did.
  int expose_level = -1;
  int expose_from = -1;
};

// The session's permissions at a path of `depth` levels (SPEC §2.3): for each
// role, walking down from the top, an assignment at a level is the role's
// state there, an isolated level without one empties it, anything else keeps
// the state from above, which starts as the role's default; the role's
// answer is its state at the last level. EXPOSE_BRANCH in a role's state at
// any level above the last is held at the path too. The answer is the union
// over the roles.
//
// `roles` are sorted role ids and `defaults[k]` is the default path
// permissions of roles[k]; `levels` are ascending by level, below `depth`.
// With `verdicts` (sized like roles), each role's verdict is recorded.
PathPermissions walk_path(std::uint32_t depth, std::span<const WalkLevel> levels,
                          std::span<const std::uint32_t> roles, std::span<const PathPermissions> defaults,
                          std::span<RoleVerdict> verdicts = {});

// The number of levels of a normalised path ("a/b/c": 3).
std::uint32_t depth_of(std::string_view normal_path);

// The levels of one path: few, so they live on the stack unless a path has
// more levels with something on them than this holds.
class LevelBuffer {
 public:
  void push_back(const WalkLevel& level) {
    if (size_ < kInline) {
      inline_[size_++] = level;
      return;
    }
    if (heap_.empty()) heap_.assign(inline_, inline_ + kInline);
    heap_.push_back(level);
    ++size_;
  }
  std::span<const WalkLevel> view() const {
    return heap_.empty() ? std::span<const WalkLevel>(inline_, size_) : std::span<const WalkLevel>(heap_);
  }

 private:
  static constexpr std::size_t kInline = 16;
  WalkLevel inline_[kInline];
  std::size_t size_ = 0;
  std::vector<WalkLevel> heap_;
};

// The store's nodes along a normalised path (one hash lookup per level).
void store_levels(const StoreData& d, std::string_view normal_path, LevelBuffer& out);

}  // namespace secstore::detail
