// The lookup structure behind PathChecker: a few paths, each with the answer
// that holds at it and below it (until a deeper path in the table), and the
// answer for paths with none of them above. Small and contiguous so that a
// session's checks stay in cache: an open-addressing table of 8-byte slots
// and one pool holding each path's answer and bytes together. The table also
// marks every prefix of a path in it, so that a lookup stops at the first
// level below which nothing is held instead of probing every level.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "secstore/permissions.hpp"

namespace secstore::detail {

class PathTable {
 public:
  struct Entry {
    std::string_view path;  // normalised
    PathPermissions answer;
  };

  // `entries` must have distinct paths; `elsewhere` is the answer for a
  // path with no entry at or above it.
  PathTable(const std::vector<Entry>& entries, PathPermissions elsewhere);

  // The answer of the deepest entry at or above `path` (normalised first;
  // an empty path has no permissions).
  PathPermissions answer(std::string_view path) const;
  std::size_t size() const { return entries_; }

 private:
  struct Slot {
    std::uint32_t tag;     // the hash's low bits
    std::uint32_t record;  // offset into pool_, or kEmpty, or kPrefix
  };
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  static constexpr std::uint32_t kPrefix = UINT32_MAX - 1;  // a prefix of held paths, not held itself
  // In a record's answer word: paths below this one are held too.
  static constexpr std::uint32_t kHeldBelow = 1u << 31;

  struct Found {
    const unsigned char* record;  // the held path's record, or nullptr
    bool maybe_below;             // whether deeper levels may hold anything
  };

  void insert(std::uint64_t hash, std::uint32_t record);
  PathPermissions answer_normal(std::string_view path, bool& normal) const;
  Found find(std::uint64_t hash, const char* path, std::size_t length) const;

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 0;
  // Records: answer bits and kHeldBelow (u32), path length (u32), path bytes,
  // padded to 4.
  std::vector<unsigned char> pool_;
  std::size_t entries_ = 0;
  PathPermissions elsewhere_;
};

}  // namespace secstore::detail
