// The library's side of the opaque RoleSet (secstore/session.hpp): who made
// it, and its ids (sorted, unique, in range for their maker).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "secstore/session.hpp"

namespace secstore::detail {

struct RoleSetAccess {
  // `origin` is the maker's shared state (a store's data, an index); the set
  // keeps it alive.
  static RoleSet make(std::shared_ptr<const void> origin, std::vector<std::uint32_t> sorted_ids) {
    RoleSet set;
    set.origin_ = std::move(origin);
    set.ids_ = std::move(sorted_ids);
    return set;
  }
  // The ids, if `origin` made the set; an empty span for a foreign set (which
  // then holds no roles as far as that maker is concerned).
  static std::span<const std::uint32_t> ids_for(const RoleSet& set, const void* origin) {
    if (set.origin_.get() != origin) return {};
    return set.ids_;
  }
  static bool made_by(const RoleSet& set, const void* origin) { return set.origin_.get() == origin; }
};

}  // namespace secstore::detail
