// Applies statements in order to an empty store (SPEC §2.3), then indexes
// the result and checks it as a whole (include cycles).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "store/data.hpp"
#include "store/statement.hpp"

namespace secstore::detail {

// Who runs `secstore apply`: a statement that changes a role locked by
// principal P is refused unless this is root or P (SPEC §2.3).
struct Invoker {
  std::string user;
  bool overrides_locks = false;  // root, not acting for a sudo user (or --force)
};

// What a store is built for. A session open that asks nothing of paths
// (no require_path=) needs the roles and what they are given, not the path
// tree: WithoutPaths checks every path statement as always and keeps
// nothing of it. A role that only path statements name is then missing
// from the store, and no session can tell: a session's roles come from the
// role lists and the includes, which name every role they reach. Such a
// store holds no path permissions, and says nothing of a removal that
// removes nothing (that needs the tree).
enum class StoreParts { All, WithoutPaths };

class StoreBuilder {
 public:
  explicit StoreBuilder(std::vector<std::string> files, StoreParts parts = StoreParts::All);

  // From now on, statements are checked against role locks for `invoker`.
  void guard_locks_for(Invoker invoker) { invoker_ = std::move(invoker); }

  // Applies one statement; refusals are errors and removals of nothing are
  // warnings, appended to `diagnostics`.
  void apply(const Statement& s, std::vector<Diagnostic>& diagnostics);

  // Sorts roles by name, indexes paths and checks for include cycles.
  // Returns nullptr when that adds an error.
  std::shared_ptr<StoreData> finish(std::vector<Diagnostic>& diagnostics);

 private:
  std::uint32_t intern(std::string_view role);
  std::vector<std::uint32_t> intern_all(const std::vector<std::string_view>& roles);
  PathNode& node_for(std::string_view path);
  std::uint32_t find_role(std::string_view role) const;
  std::uint32_t find_node(std::string_view path) const;
  bool lock_allows(const Statement& s, std::vector<Diagnostic>& diagnostics);

  StoreData data_;  // roles in first-mention order until finish()
  NameIds role_ids_;
  NameIds node_ids_;
  std::vector<std::uint64_t> node_hashes_;  // hash(path) of each of data_.nodes, for the path index
  std::optional<Invoker> invoker_;
  StoreParts parts_;
};

}  // namespace secstore::detail
