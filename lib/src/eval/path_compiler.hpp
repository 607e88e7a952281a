// A session's path permissions compiled for PathChecker (SPEC §2.3).
#pragma once

#include <memory>

#include "eval/path_table.hpp"
#include "secstore/store.hpp"
#include "store/data.hpp"

namespace secstore::detail {

// The table that answers as Store::path_permissions(roles, path) would for
// every path. `roles` need not be sorted or unique; ids out of range are
// ignored. Costs in proportion to the roles' assignments and the store's
// isolated paths.
std::shared_ptr<const PathTable> compile_path_table(const StoreData& d, const RoleSet& roles);

}  // namespace secstore::detail
