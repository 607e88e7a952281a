// `secstore explain`: which statement gave each role, and which statement
// decided each role's answer at a path.
#include <algorithm>

#include "eval/walk.hpp"

namespace secstore {
namespace {

std::string reason_for(int kind, const std::string& subject) {
  switch (kind) {
    case 0: return "roles for named sessions";
    case 1: return "roles for anonymous sessions";
    case 2: return "roles for user \"" + subject + "\"";
    default: return "roles for group \"" + subject + "\"";
  }
}

}  // namespace

std::vector<RoleOrigin> Store::explain_roles(const SessionIdentity& who) const {
  const detail::StoreData& d = *data_;
  std::vector<RoleOrigin> out;
  std::vector<bool> have(d.roles.size(), false);
  std::vector<std::uint32_t> queue;
  detail::for_each_session_list(d, who, [&](const detail::RoleList& list, int kind, const std::string& subject) {
    std::string reason = reason_for(kind, subject);
    std::vector<std::uint32_t> seen_here;
    for (auto id : list.roles) {
      if (std::find(seen_here.begin(), seen_here.end(), id) != seen_here.end()) continue;
      seen_here.push_back(id);
      out.push_back(RoleOrigin{d.roles[id].name, reason, d.location(list.where)});
      if (!have[id]) {
        have[id] = true;
        queue.push_back(id);
      }
    }
  });
  // Breadth first, so each included role is explained by its nearest includer.
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const detail::RoleData& includer = d.roles[queue[i]];
    for (auto child : includer.includes) {
      if (have[child]) continue;
      have[child] = true;
      queue.push_back(child);
      out.push_back(RoleOrigin{d.roles[child].name, "included by \"" + includer.name + "\"",
                               d.location(includer.includes_at)});
    }
  }
  return out;
}

std::vector<PathDecision> Store::explain_path(const RoleSet& roles, std::string_view path) const {
  const detail::StoreData& d = *data_;
  std::vector<PathDecision> out;
  std::string storage;
  path = detail::normal_view(path, storage);
  if (path.empty()) return out;
  std::vector<std::uint32_t> levels;
  detail::nodes_along(d, path, levels);
  // The prefix of `path` that ends at `level`.
  auto prefix = [&](std::size_t level) {
    std::size_t end = 0;
    for (std::size_t l = 0; l <= level; ++l) {
      end = path.find('/', end + (l ? 1 : 0));
      if (end == std::string_view::npos) end = path.size();
    }
    return std::string(path.substr(0, end));
  };

  for (auto id : roles.ids) {
    if (id >= d.roles.size()) continue;
    const detail::RoleData& role = d.roles[id];
    PathDecision decision;
    decision.role = role.name;
    if (role.has_default) {
      decision.kind = PathDecision::Kind::Default;
      decision.permissions = role.default_path;
      decision.where = d.location(role.default_at);
    }
    std::string exposed_from;
    Location exposed_where;
    for (std::size_t level = 0; level < levels.size(); ++level) {
      if (levels[level] != detail::kNoNode) {
        const detail::PathNode& node = d.nodes[levels[level]];
        if (const auto* a = detail::assignment_of(node, id)) {
          decision.kind = PathDecision::Kind::Assignment;
          decision.permissions = a->permissions;
          decision.at_path = node.path;
          decision.where = d.location(a->where);
        } else if (node.isolated) {
          decision.kind = PathDecision::Kind::Isolated;
          decision.permissions = PathPermissions{};
          decision.at_path = node.path;
          decision.where = d.location(node.isolated_at);
        }
      }
      if (level + 1 < levels.size() && decision.permissions.has(PathPermission::EXPOSE_BRANCH)) {
        exposed_from = prefix(level);
        exposed_where = decision.where;
      }
    }
    if (!exposed_from.empty() && !decision.permissions.has(PathPermission::EXPOSE_BRANCH)) {
      decision.permissions.add(PathPermission::EXPOSE_BRANCH);
      decision.expose_branch_from = std::move(exposed_from);
      decision.expose_branch_where = std::move(exposed_where);
    }
    out.push_back(std::move(decision));
  }
  return out;
}

}  // namespace secstore
