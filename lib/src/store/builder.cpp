#include "store/builder.hpp"

#include <algorithm>
#include <numeric>

namespace secstore::detail {
namespace {

bool before(SourcePos a, SourcePos b) {
  if (a.file != b.file) return a.file < b.file;
  if (a.line != b.line) return a.line < b.line;
  return a.column < b.column;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// StoreData's role -> nodes lists and isolated nodes, from the final nodes
// (ids sorted, assignments remapped): one counting pass, one filling pass.
void index_nodes_by_role(StoreData& d) {
  d.role_nodes_start.assign(d.roles.size() + 1, 0);
  d.isolated_nodes.clear();
  for (std::uint32_t n = 0; n < d.nodes.size(); ++n) {
    for (const auto& a : d.nodes[n].assignments) ++d.role_nodes_start[a.role + 1];
    if (d.nodes[n].isolated) d.isolated_nodes.push_back(n);
  }
  std::partial_sum(d.role_nodes_start.begin(), d.role_nodes_start.end(), d.role_nodes_start.begin());
  d.role_nodes.resize(d.role_nodes_start.back());
  std::vector<std::uint32_t> next(d.role_nodes_start.begin(), d.role_nodes_start.end() - 1);
  for (std::uint32_t n = 0; n < d.nodes.size(); ++n)
    for (const auto& a : d.nodes[n].assignments) d.role_nodes[next[a.role]++] = n;
}

}  // namespace

StoreBuilder::StoreBuilder(std::vector<std::string> files, StoreParts parts) : parts_(parts) {
  data_.files = std::move(files);
}

std::uint32_t StoreBuilder::intern(std::string_view role) {
  auto [id, added] = role_ids_.find_or_add(role, static_cast<std::uint32_t>(data_.roles.size()),
                                           [&](std::uint32_t r) -> std::string_view { return data_.roles[r].name; });
  if (added) {
    data_.roles.emplace_back();
    data_.roles.back().name = role;
  }
  return id;
}

std::vector<std::uint32_t> StoreBuilder::intern_all(const std::vector<std::string_view>& roles) {
  std::vector<std::uint32_t> ids;
  ids.reserve(roles.size());
  for (const auto& r : roles) ids.push_back(intern(r));
  return ids;
}

PathNode& StoreBuilder::node_for(std::string_view path) {
  const std::uint64_t h = PathIndex::hash(path);
  auto [id, added] = node_ids_.find_or_add(h, path, static_cast<std::uint32_t>(data_.nodes.size()),
                                           [&](std::uint32_t n) -> std::string_view { return data_.nodes[n].path; });
  if (added) {
    data_.nodes.emplace_back();
    data_.nodes.back().path = path;
    node_hashes_.push_back(h);
  }
  return data_.nodes[id];
}

std::uint32_t StoreBuilder::find_role(std::string_view role) const {
  return role_ids_.find(role, [&](std::uint32_t r) -> std::string_view { return data_.roles[r].name; });
}

std::uint32_t StoreBuilder::find_node(std::string_view path) const {
  return node_ids_.find(path, [&](std::uint32_t n) -> std::string_view { return data_.nodes[n].path; });
}

// Called only when there is an invoker to check (apply).
bool StoreBuilder::lock_allows(const Statement& s, std::vector<Diagnostic>& diagnostics) {
  if (s.role.empty()) return true;
  const std::uint32_t id = find_role(s.role);
  if (id == kNoId) return true;
  const RoleData& role = data_.roles[id];
  if (!role.locked || role.lock_principal == invoker_->user) return true;
  if (invoker_->overrides_locks) {
    // Said every time, so that the command can log it (SPEC §5).
    diagnostics.push_back(make_warning(data_.location(s.where),
                                       "role " + quoted(s.role) + " is locked by principal " +
                                           quoted(role.lock_principal) + "; changed by " + quoted(invoker_->user) +
                                           ", overriding the lock"));
    return true;
  }
  diagnostics.push_back(make_error(
      data_.location(s.where),
      "role " + quoted(s.role) + " is locked by principal " + quoted(role.lock_principal) +
          ": only " + quoted(role.lock_principal) + " or root may change it, not " +
          quoted(invoker_->user)));
  return false;
}

void StoreBuilder::apply(const Statement& s, std::vector<Diagnostic>& diagnostics) {
  if (invoker_ && !lock_allows(s, diagnostics)) return;
  if (parts_ == StoreParts::WithoutPaths) {
    switch (s.kind) {
      case StatementKind::RolePathPermissions:
      case StatementKind::RemovePathPermissions:
      case StatementKind::Isolate:
      case StatementKind::Deisolate: return;
      default: break;
    }
  }
  switch (s.kind) {
    case StatementKind::RolePermissions: {
      RoleData& r = data_.roles[intern(s.role)];
      r.has_global = true;
      r.global = s.global;
      r.global_at = s.where;
      break;
    }
    case StatementKind::RoleDefaultPermissions: {
      RoleData& r = data_.roles[intern(s.role)];
      r.has_default = true;
      r.default_path = s.path;
      r.default_at = s.where;
      break;
    }
    case StatementKind::RolePathPermissions: {
      const std::uint32_t id = intern(s.role);
      PathNode& node = node_for(s.subject);
      auto it = std::find_if(node.assignments.begin(), node.assignments.end(),
                             [&](const RoleAssignment& a) { return a.role == id; });
      if (it == node.assignments.end())
        node.assignments.push_back({id, s.path, s.where});
      else
        *it = {id, s.path, s.where};
      break;
    }
    case StatementKind::RemovePathPermissions: {
      const std::uint32_t id = intern(s.role);
      bool removed = false;
      if (const std::uint32_t n = find_node(s.subject); n != kNoId) {
        auto& list = data_.nodes[n].assignments;
        auto it = std::find_if(list.begin(), list.end(), [&](const RoleAssignment& a) { return a.role == id; });
        if (it != list.end()) {
          list.erase(it);
          removed = true;
        }
      }
      if (!removed)
        diagnostics.push_back(make_warning(
            data_.location(s.where), "role " + quoted(s.role) + " has no permissions for path " +
                                         quoted(s.subject) + " to remove; this statement changes nothing"));
      break;
    }
    case StatementKind::RoleIncludes: {
      const std::uint32_t id = intern(s.role);
      std::vector<std::uint32_t> includes = intern_all(s.roles);
      RoleData& r = data_.roles[id];  // after interning: the vector may have grown
      r.has_includes = true;
      r.includes = std::move(includes);
      r.includes_at = s.where;
      break;
    }
    case StatementKind::NamedSessionRoles:
      data_.named_sessions = RoleList{intern_all(s.roles), s.where};
      break;
    case StatementKind::AnonymousSessionRoles:
      data_.anonymous_sessions = RoleList{intern_all(s.roles), s.where};
      break;
    case StatementKind::UserRoles:
      data_.user_roles[std::string(s.subject)] = RoleList{intern_all(s.roles), s.where};
      break;
    case StatementKind::GroupRoles:
      data_.group_roles[std::string(s.subject)] = RoleList{intern_all(s.roles), s.where};
      break;
    case StatementKind::Isolate: {
      PathNode& node = node_for(s.subject);
      node.isolated = true;
      node.isolated_at = s.where;
      break;
    }
    case StatementKind::Deisolate: {
      if (const std::uint32_t n = find_node(s.subject); n != kNoId) data_.nodes[n].isolated = false;
      break;
    }
    case StatementKind::RoleLock: {
      RoleData& r = data_.roles[intern(s.role)];
      r.locked = true;
      r.lock_principal = s.subject;
      r.lock_at = s.where;
      break;
    }
  }
}

std::shared_ptr<StoreData> StoreBuilder::finish(std::vector<Diagnostic>& diagnostics) {
  StoreData& d = data_;
  const std::size_t n = d.roles.size();

  // Ids in name order, so that sorted ids are sorted names.
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return d.roles[a].name < d.roles[b].name; });
  std::vector<std::uint32_t> new_id(n);
  for (std::uint32_t i = 0; i < n; ++i) new_id[order[i]] = i;
  auto remap = [&](std::vector<std::uint32_t>& ids) {
    for (auto& id : ids) id = new_id[id];
  };
  std::vector<RoleData> roles(n);
  for (std::uint32_t i = 0; i < n; ++i) roles[i] = std::move(d.roles[order[i]]);
  d.roles = std::move(roles);
  for (auto& r : d.roles) remap(r.includes);
  if (d.named_sessions) remap(d.named_sessions->roles);
  if (d.anonymous_sessions) remap(d.anonymous_sessions->roles);
  for (auto& [_, list] : d.user_roles) remap(list.roles);
  for (auto& [_, list] : d.group_roles) remap(list.roles);

  // Only paths with something on them take part in evaluation.
  std::vector<PathNode> nodes;
  std::vector<std::uint64_t> hashes;
  nodes.reserve(d.nodes.size());
  hashes.reserve(d.nodes.size());
  for (std::size_t k = 0; k < d.nodes.size(); ++k) {
    PathNode& node = d.nodes[k];
    if (node.assignments.empty() && !node.isolated) continue;
    for (auto& a : node.assignments) a.role = new_id[a.role];
    std::sort(node.assignments.begin(), node.assignments.end(),
              [](const RoleAssignment& a, const RoleAssignment& b) { return a.role < b.role; });
    nodes.push_back(std::move(node));
    hashes.push_back(node_hashes_[k]);
  }
  d.nodes = std::move(nodes);
  d.index.build(d.nodes, hashes);
  node_hashes_.clear();
  index_nodes_by_role(d);
  node_ids_.clear();
  role_ids_.clear();

  d.global_of.resize(n);
  d.default_of.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    d.global_of[i] = d.roles[i].global;
    d.default_of[i] = d.roles[i].default_path;
  }

  // Include cycles: depth-first search; a back edge closes a cycle. Each
  // cycle is reported once, at the includes statement written last among
  // its roles (the one that closed it).
  enum : std::uint8_t { White, Grey, Black };
  std::vector<std::uint8_t> colour(n, White);
  std::vector<std::uint32_t> stack_pos(n, 0);
  std::vector<bool> reported(n, false);
  bool cycle_found = false;
  struct Frame {
    std::uint32_t role;
    std::size_t next_child;
  };
  std::vector<Frame> stack;
  std::vector<std::uint32_t> path;
  for (std::uint32_t root = 0; root < n; ++root) {
    if (colour[root] != White) continue;
    stack.push_back({root, 0});
    path.push_back(root);
    colour[root] = Grey;
    stack_pos[root] = 0;
    while (!stack.empty()) {
      Frame& f = stack.back();
      const auto& children = d.roles[f.role].includes;
      if (f.next_child == children.size()) {
        colour[f.role] = Black;
        stack.pop_back();
        path.pop_back();
        continue;
      }
      const std::uint32_t child = children[f.next_child++];
      if (colour[child] == White) {
        colour[child] = Grey;
        stack_pos[child] = static_cast<std::uint32_t>(path.size());
        path.push_back(child);
        stack.push_back({child, 0});
      } else if (colour[child] == Grey) {
        std::vector<std::uint32_t> cycle(path.begin() + stack_pos[child], path.end());
        auto closer = std::max_element(cycle.begin(), cycle.end(), [&](std::uint32_t a, std::uint32_t b) {
          return before(d.roles[a].includes_at, d.roles[b].includes_at);
        });
        std::rotate(cycle.begin(), closer, cycle.end());
        const std::uint32_t start = cycle.front();
        if (reported[start]) continue;
        reported[start] = true;
        std::string chain;
        for (std::uint32_t r : cycle) chain += d.roles[r].name + " -> ";
        chain += d.roles[start].name;
        diagnostics.push_back(make_error(d.location(d.roles[start].includes_at),
                                         "role " + quoted(d.roles[start].name) +
                                             " includes itself: " + chain));
        cycle_found = true;
      }
    }
  }
  if (cycle_found) return nullptr;
  return std::make_shared<StoreData>(std::move(d));
}

}  // namespace secstore::detail
