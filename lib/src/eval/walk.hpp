// Shared pieces of evaluation (SPEC §2.3), used by the evaluator and by
// explain so that the two cannot disagree.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "secstore/store.hpp"
#include "store/data.hpp"

namespace secstore::detail {

// The roles a session is given directly (before closure), with the list
// that gave each: calls `visit(list, reason_kind, subject)` for each list
// that applies. reason_kind: 0 named, 1 anonymous, 2 user, 3 group.
void for_each_session_list(const StoreData& d, const SessionIdentity& who,
                           const std::function<void(const RoleList&, int, const std::string&)>& visit);

// Closure of `seeds` under includes; sorted, unique. Cost grows with the
// size of the closure, not of the store.
std::vector<std::uint32_t> closure(const StoreData& d, const std::vector<std::uint32_t>& seeds);

// The node index at each level of a normalised path ("a", "a/b", ...),
// kNoNode where the store says nothing. Returns false when no level has a
// node.
bool nodes_along(const StoreData& d, std::string_view normal_path, std::vector<std::uint32_t>& levels);

// Points `storage` at the normalised form when `path` is not already
// normal; returns the normal path, or an empty view for an empty path.
std::string_view normal_view(std::string_view path, std::string& storage);

const RoleAssignment* assignment_of(const PathNode& node, std::uint32_t role);

}  // namespace secstore::detail
