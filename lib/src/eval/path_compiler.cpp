// Compiles a session's path permissions into a PathTable by asking the one
// path walk (eval/walk.cpp) at each node that can change the answer.
//
// Only nodes where one of the session's roles has an assignment, or that are
// isolated, can change a role's state. At such a node N the walk's answer is
// also the answer at every path below N down to the next such node: the
// states there are N's, and the EXPOSE_BRANCH they pass down is already in
// the union at N. A path with none of them above it gets the union of the
// roles' defaults. So the table holds, for each such node whose answer
// differs from the one above it, the walk's answer there.
#include "eval/path_compiler.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "eval/role_set.hpp"
#include "eval/walk.hpp"

namespace secstore::detail {

std::shared_ptr<const PathTable> compile_path_table(const StoreData& d, std::span<const std::uint32_t> roles) {
  std::vector<PathPermissions> defaults;
  PathPermissions elsewhere;
  for (auto id : roles) {
    defaults.push_back(d.default_of[id]);
    elsewhere |= d.default_of[id];
  }

  std::vector<std::uint32_t> nodes(d.isolated_nodes.begin(), d.isolated_nodes.end());
  for (auto id : roles) {
    const auto own = d.nodes_of_role(id);
    nodes.insert(nodes.end(), own.begin(), own.end());
  }
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  // Ancestors first: a path is longer than each of its ancestors. The
  // lengths are sorted beside the ids (a large store's nodes are scattered
  // over its heap).
  std::vector<std::pair<std::size_t, std::uint32_t>> by_length;
  by_length.reserve(nodes.size());
  for (auto n : nodes) by_length.emplace_back(d.nodes[n].path.size(), n);
  std::sort(by_length.begin(), by_length.end());

  std::unordered_map<std::string_view, PathPermissions> answer_at;  // every node visited so far
  std::vector<PathTable::Entry> kept;
  for (const auto& entry : by_length) {
    const std::string_view path = d.nodes[entry.second].path;
    LevelBuffer levels;
    store_levels(d, path, levels);
    const PathPermissions answer = walk_path(depth_of(path), levels.view(), roles, defaults);
    // The answer just above: the nearest visited ancestor's, else the
    // defaults'. Unchanged, the node changes no lookup.
    PathPermissions above = elsewhere;
    for (auto slash = path.rfind('/'); slash != std::string_view::npos;
         slash = slash == 0 ? std::string_view::npos : path.rfind('/', slash - 1)) {
      if (auto it = answer_at.find(path.substr(0, slash)); it != answer_at.end()) {
        above = it->second;
        break;
      }
    }
    answer_at.emplace(path, answer);
    if (!(answer == above)) kept.push_back({path, answer});
  }
  return std::make_shared<const PathTable>(kept, elsewhere);
}

}  // namespace secstore::detail
