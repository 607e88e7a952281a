// A session's path permissions compiled for PathChecker (SPEC §2.3).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "eval/path_table.hpp"
#include "store/data.hpp"

namespace secstore::detail {

// The table that answers as Store::path_permissions does for the session
// roles `roles` (sorted ids of this store) at every path. Costs in
// proportion to the roles' assignments and the store's isolated paths.
std::shared_ptr<const PathTable> compile_path_table(const StoreData& d, std::span<const std::uint32_t> roles);

}  // namespace secstore::detail
