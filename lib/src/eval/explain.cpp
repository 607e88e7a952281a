// `secstore explain`: which statement gave each role, and what the path walk
// (eval/walk.cpp) recorded as deciding each role's answer at a path.
#include <algorithm>

#include "eval/role_set.hpp"
#include "eval/session_lists.hpp"
#include "eval/walk.hpp"
#include "secstore/store.hpp"

namespace secstore {
namespace {

std::string reason_for(detail::ListKind kind, const std::string& subject) {
  switch (kind) {
    case detail::ListKind::Named: return "roles for named sessions";
    case detail::ListKind::Anonymous: return "roles for anonymous sessions";
    case detail::ListKind::User: return "roles for user \"" + subject + "\"";
    case detail::ListKind::Group: break;
  }
  return "roles for group \"" + subject + "\"";
}

// The first `levels + 1` segments of a normalised path.
std::string prefix(std::string_view path, int level) {
  std::size_t end = 0;
  for (int l = 0; l <= level; ++l) {
    end = path.find('/', end + (l ? 1 : 0));
    if (end == std::string_view::npos) return std::string(path);
  }
  return std::string(path.substr(0, end));
}

}  // namespace

std::vector<RoleOrigin> Store::explain_roles(const SessionSubject& who) const {
  const detail::StoreData& d = *data_;
  std::vector<RoleOrigin> out;
  std::vector<bool> have(d.roles.size(), false);
  std::vector<std::uint32_t> queue;
  detail::for_each_session_list(d, who, [&](const detail::RoleList& list, detail::ListKind kind,
                                            const std::string& subject) {
    const std::string reason = reason_for(kind, subject);
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
  const auto ids = detail::RoleSetAccess::ids_for(roles, data_.get());
  std::vector<PathPermissions> defaults;
  for (auto id : ids) defaults.push_back(d.default_of[id]);
  detail::LevelBuffer buffer;
  detail::store_levels(d, path, buffer);
  const auto levels = buffer.view();
  std::vector<detail::RoleVerdict> verdicts(ids.size());
  detail::walk_path(detail::depth_of(path), levels, ids, defaults, verdicts);

  // What the walk's verdicts say, one role at a time, in words.
  auto record = [&](int level_index, std::uint32_t role, PathDecision& decision) {
    const detail::PathNode& node = *levels[static_cast<std::size_t>(level_index)].node;
    if (auto a = std::find_if(node.assignments.begin(), node.assignments.end(),
                                     [&](const detail::RoleAssignment& x) { return x.role == role; });
        a != node.assignments.end()) {
      decision.kind = PathDecision::Kind::Assignment;
      decision.permissions = a->permissions;
      decision.where = d.location(a->where);
    } else {
      decision.kind = PathDecision::Kind::Isolated;
      decision.where = d.location(node.isolated_at);
    }
    decision.at_path = node.path;
  };
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const detail::RoleData& role = d.roles[ids[k]];
    const detail::RoleVerdict& v = verdicts[k];
    PathDecision decision;
    decision.role = role.name;
    if (v.decided_at >= 0) {
      record(v.decided_at, ids[k], decision);
    } else if (role.has_default) {
      decision.kind = PathDecision::Kind::Default;
      decision.permissions = role.default_path;
      decision.where = d.location(role.default_at);
    }
    if (v.expose_level >= 0 && !decision.permissions.has(PathPermission::EXPOSE_BRANCH)) {
      decision.permissions.add(PathPermission::EXPOSE_BRANCH);
      decision.expose_branch_from = prefix(path, v.expose_level);
      if (v.expose_from >= 0) {
        PathDecision above;
        record(v.expose_from, ids[k], above);
        decision.expose_branch_where = above.where;
      } else {
        decision.expose_branch_where = d.location(role.default_at);
      }
    }
    out.push_back(std::move(decision));
  }
  return out;
}

std::vector<RoleGrant> Store::role_grants() const {
  const detail::StoreData& d = *data_;
  std::vector<RoleGrant> out;
  auto add = [&](RoleGrant::To to, const std::string& name, const detail::RoleList& list) {
    RoleGrant grant{to, name, {}, d.location(list.where)};
    for (auto id : list.roles)
      if (std::find(grant.roles.begin(), grant.roles.end(), d.roles[id].name) == grant.roles.end())
        grant.roles.push_back(d.roles[id].name);
    out.push_back(std::move(grant));
  };
  auto add_sorted = [&](RoleGrant::To to, const std::unordered_map<std::string, detail::RoleList>& lists) {
    std::vector<const std::string*> names;
    for (const auto& [name, list] : lists) names.push_back(&name);
    std::sort(names.begin(), names.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
    for (const auto* name : names) add(to, *name, lists.at(*name));
  };
  if (d.named_sessions) add(RoleGrant::To::NamedSessions, {}, *d.named_sessions);
  if (d.anonymous_sessions) add(RoleGrant::To::AnonymousSessions, {}, *d.anonymous_sessions);
  add_sorted(RoleGrant::To::User, d.user_roles);
  add_sorted(RoleGrant::To::Group, d.group_roles);
  return out;
}

std::vector<std::string> Store::includes_of(std::string_view role) const {
  const detail::StoreData& d = *data_;
  std::vector<std::string> out;
  if (auto id = d.find_role(role))
    for (auto child : d.roles[*id].includes) out.push_back(d.roles[child].name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace secstore
