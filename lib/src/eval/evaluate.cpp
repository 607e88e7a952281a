// Evaluation: session roles, their closure, global and path permissions.
#include "eval/walk.hpp"

#include <algorithm>

namespace secstore {
namespace detail {

void for_each_session_list(const StoreData& d, const SessionIdentity& who,
                           const std::function<void(const RoleList&, int, const std::string&)>& visit) {
  static const std::string none;
  if (who.anonymous) {
    if (d.anonymous_sessions) visit(*d.anonymous_sessions, 1, none);
    return;
  }
  if (d.named_sessions) visit(*d.named_sessions, 0, none);
  if (auto it = d.user_roles.find(who.user); it != d.user_roles.end()) visit(it->second, 2, who.user);
  for (const auto& group : who.groups)
    if (auto it = d.group_roles.find(group); it != d.group_roles.end()) visit(it->second, 3, group);
}

std::vector<std::uint32_t> closure(const StoreData& d, const std::vector<std::uint32_t>& seeds) {
  // Small closures are the rule: a linear scan of what we have is cheaper
  // than any set, and switches to a bitmap only for big ones.
  constexpr std::size_t kLinearLimit = 32;
  std::vector<std::uint32_t> out;
  std::vector<bool> seen;
  std::vector<std::uint32_t> todo;
  auto mark = [&](std::uint32_t id) {
    if (id >= d.roles.size()) return;
    if (seen.empty()) {
      if (std::find(out.begin(), out.end(), id) != out.end()) return;
      if (out.size() == kLinearLimit) {
        seen.assign(d.roles.size(), false);
        for (auto r : out) seen[r] = true;
      }
    } else if (seen[id]) {
      return;
    }
    if (!seen.empty()) seen[id] = true;
    out.push_back(id);
    todo.push_back(id);
  };
  for (auto id : seeds) mark(id);
  while (!todo.empty()) {
    const std::uint32_t id = todo.back();
    todo.pop_back();
    for (auto child : d.roles[id].includes) mark(child);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string_view normal_view(std::string_view path, std::string& storage) {
  const bool normal = !path.empty() && path.front() != '/' && path.back() != '/' &&
                      path.find("//") == std::string_view::npos;
  if (normal) return path;
  auto n = normalize_path(path);
  if (!n) return {};
  storage = std::move(*n);
  return storage;
}

bool nodes_along(const StoreData& d, std::string_view path, std::vector<std::uint32_t>& levels) {
  levels.clear();
  bool any = false;
  std::uint64_t h = PathIndex::kHashStart;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::uint32_t node = d.index.find(h, path.substr(0, i), d.nodes);
      any |= node != kNoNode;
      levels.push_back(node);
    }
    if (i < path.size()) h = PathIndex::hash_byte(h, path[i]);
  }
  return any;
}

const RoleAssignment* assignment_of(const PathNode& node, std::uint32_t role) {
  const auto& list = node.assignments;
  if (list.size() <= 8) {
    for (const auto& a : list)
      if (a.role == role) return &a;
    return nullptr;
  }
  auto it = std::lower_bound(list.begin(), list.end(), role,
                             [](const RoleAssignment& a, std::uint32_t r) { return a.role < r; });
  return it != list.end() && it->role == role ? &*it : nullptr;
}

}  // namespace detail

RoleSet Store::resolve(const SessionIdentity& who) const {
  std::vector<std::uint32_t> seeds;
  detail::for_each_session_list(*data_, who, [&](const detail::RoleList& list, int, const std::string&) {
    seeds.insert(seeds.end(), list.roles.begin(), list.roles.end());
  });
  return RoleSet{detail::closure(*data_, seeds)};
}

std::vector<std::string> Store::role_names(const RoleSet& roles) const {
  std::vector<std::string> names;
  names.reserve(roles.ids.size());
  for (auto id : roles.ids)
    if (id < data_->roles.size()) names.push_back(data_->roles[id].name);
  std::sort(names.begin(), names.end());  // ids are in name order; this guards foreign sets
  return names;
}

std::optional<std::uint32_t> Store::role_id(std::string_view name) const { return data_->find_role(name); }

RoleSet Store::closure_of(const std::vector<std::string>& role_names) const {
  std::vector<std::uint32_t> seeds;
  for (const auto& name : role_names)
    if (auto id = data_->find_role(name)) seeds.push_back(*id);
  return RoleSet{detail::closure(*data_, seeds)};
}

GlobalPermissions Store::global_permissions(const RoleSet& roles) const {
  GlobalPermissions out;
  for (auto id : roles.ids)
    if (id < data_->global_of.size()) out |= data_->global_of[id];
  return out;
}

namespace {

// The nodes on the way down to a path: level (0 = first segment) and node.
struct NodeAt {
  std::uint32_t level;
  std::uint32_t node;
};

// One pass over an already-normal path: hashes each prefix once and looks
// it up. Returns false (without finding anything) if the path is not in
// normal form, so that the caller normalises it first.
template <class Sink>
bool walk_normal_path(const detail::StoreData& d, std::string_view path, std::uint32_t& depth, Sink sink) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  std::uint64_t h = detail::PathIndex::kHashStart;
  std::uint32_t level = 0;
  for (std::size_t i = 0;; ++i) {
    if (i == path.size() || path[i] == '/') {
      if (i > 0 && path[i - 1] == '/') return false;  // "//"
      const std::uint32_t node = d.index.find(h, path.substr(0, i), d.nodes);
      if (node != detail::kNoNode) sink(NodeAt{level, node});
      ++level;
      if (i == path.size()) break;
    }
    h = detail::PathIndex::hash_byte(h, path[i]);
  }
  depth = level;
  return true;
}

}  // namespace

PathPermissions Store::path_permissions(const RoleSet& roles, std::string_view path) const {
  const detail::StoreData& d = *data_;
  // Paths are shallow and few levels carry anything; the inline buffer
  // keeps every real check free of allocation.
  constexpr std::size_t kInline = 32;
  NodeAt inline_found[kInline];
  std::vector<NodeAt> heap_found;
  std::size_t found = 0;
  auto sink = [&](NodeAt at) {
    if (found < kInline) {
      inline_found[found++] = at;
      return;
    }
    if (heap_found.empty()) heap_found.assign(inline_found, inline_found + kInline);
    heap_found.push_back(at);
    ++found;
  };
  std::uint32_t depth = 0;
  if (!walk_normal_path(d, path, depth, sink)) {
    auto normal = normalize_path(path);
    if (!normal) return {};
    found = 0;
    heap_found.clear();
    walk_normal_path(d, *normal, depth, sink);
  }
  const NodeAt* nodes = heap_found.empty() ? inline_found : heap_found.data();

  PathPermissions result;
  constexpr auto kExpose = PathPermissions::bit(PathPermission::EXPOSE_BRANCH);
  // Per role, top-down: the deepest assignment or isolation at or above a
  // level decides that level (the same as the spec's bottom-up walk). The
  // state only changes at levels with a node; EXPOSE_BRANCH in the state in
  // force at any level above the last is held at the path too.
  const bool default_above = depth > 1 && (found == 0 || nodes[0].level > 0);
  const auto& ids = roles.ids;
  if (!std::is_sorted(ids.begin(), ids.end())) {
    // Not a RoleSet this store made; answer it role by role.
    for (auto id : ids) {
      if (id >= d.default_of.size()) continue;
      PathPermissions state = d.default_of[id];
      std::uint32_t exposed = default_above ? state.bits & kExpose : 0;
      for (std::size_t i = 0; i < found; ++i) {
        const detail::PathNode& node = d.nodes[nodes[i].node];
        if (const auto* a = detail::assignment_of(node, id))
          state = a->permissions;
        else if (node.isolated)
          state = PathPermissions{};
        if (nodes[i].level + 1 < depth) exposed |= state.bits & kExpose;
      }
      result |= state;
      result.bits |= exposed;
    }
    return result;
  }

  // Node by node, every role at once: both the session's roles and a node's
  // assignments are sorted by role id, so one merge pass per node finds them.
  constexpr std::size_t kInlineRoles = 64;
  std::uint32_t inline_states[kInlineRoles];
  std::vector<std::uint32_t> heap_states;
  std::uint32_t* state = inline_states;
  if (ids.size() > kInlineRoles) {
    heap_states.resize(ids.size());
    state = heap_states.data();
  }
  std::uint32_t exposed = 0;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    state[k] = ids[k] < d.default_of.size() ? d.default_of[ids[k]].bits : 0;
    if (default_above) exposed |= state[k] & kExpose;
  }
  for (std::size_t i = 0; i < found; ++i) {
    const detail::PathNode& node = d.nodes[nodes[i].node];
    const auto& list = node.assignments;
    std::size_t at = 0;
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const std::uint32_t id = ids[k];
      if (list.size() - at > 8)
        at = static_cast<std::size_t>(
            std::lower_bound(list.begin() + static_cast<std::ptrdiff_t>(at), list.end(), id,
                             [](const detail::RoleAssignment& a, std::uint32_t r) { return a.role < r; }) -
            list.begin());
      else
        while (at < list.size() && list[at].role < id) ++at;
      if (at < list.size() && list[at].role == id)
        state[k] = list[at].permissions.bits;
      else if (node.isolated)
        state[k] = 0;
    }
    if (nodes[i].level + 1 < depth)
      for (std::size_t k = 0; k < ids.size(); ++k) exposed |= state[k] & kExpose;
  }
  for (std::size_t k = 0; k < ids.size(); ++k) result.bits |= state[k];
  result.bits |= exposed;
  return result;
}

bool Store::has_group_roles() const { return !data_->group_roles.empty(); }

std::optional<std::string> Store::lock_of(std::string_view role) const {
  auto id = data_->find_role(role);
  if (!id || !data_->roles[*id].locked) return std::nullopt;
  return data_->roles[*id].lock_principal;
}

}  // namespace secstore
