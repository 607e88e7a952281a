// Evaluation of a parsed store: session roles, their closure, global and
// path permissions (the path walk itself is eval/walk.cpp).
#include <algorithm>

#include "eval/role_set.hpp"
#include "eval/session_lists.hpp"
#include "eval/walk.hpp"
#include "secstore/store.hpp"

namespace secstore {
namespace detail {

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

}  // namespace detail

namespace {

using detail::RoleSetAccess;

}  // namespace

SessionAccess Store::resolve(const SessionSubject& who) const {
  std::vector<std::uint32_t> seeds;
  detail::for_each_session_list(*data_, who, [&](const detail::RoleList& list, detail::ListKind, const std::string&) {
    seeds.insert(seeds.end(), list.roles.begin(), list.roles.end());
  });
  SessionAccess access;
  access.roles = RoleSetAccess::make(data_, detail::closure(*data_, seeds));
  access.role_names = role_names(access.roles);
  access.global = global_permissions(access.roles);
  return access;
}

RoleSet Store::closure_of(const std::vector<std::string>& role_names) const {
  std::vector<std::uint32_t> seeds;
  for (const auto& name : role_names)
    if (auto id = data_->find_role(name)) seeds.push_back(*id);
  return RoleSetAccess::make(data_, detail::closure(*data_, seeds));
}

std::vector<std::string> Store::role_names(const RoleSet& roles) const {
  std::vector<std::string> names;
  for (auto id : RoleSetAccess::ids_for(roles, data_.get())) names.push_back(data_->roles[id].name);
  return names;  // ids are in name order
}

GlobalPermissions Store::global_permissions(const RoleSet& roles) const {
  GlobalPermissions out;
  for (auto id : RoleSetAccess::ids_for(roles, data_.get())) out |= data_->global_of[id];
  return out;
}

PathPermissions Store::path_permissions(const RoleSet& roles, std::string_view path) const {
  const detail::StoreData& d = *data_;
  std::string storage;
  const std::string_view normal = detail::normal_view(path, storage);
  if (normal.empty()) return {};
  const auto ids = RoleSetAccess::ids_for(roles, data_.get());
  constexpr std::size_t kInline = 64;
  PathPermissions inline_defaults[kInline];
  std::vector<PathPermissions> heap_defaults;
  PathPermissions* defaults = inline_defaults;
  if (ids.size() > kInline) {
    heap_defaults.resize(ids.size());
    defaults = heap_defaults.data();
  }
  for (std::size_t k = 0; k < ids.size(); ++k) defaults[k] = d.default_of[ids[k]];
  detail::LevelBuffer levels;
  detail::store_levels(d, normal, levels);
  return detail::walk_path(detail::depth_of(normal), levels.view(), ids, {defaults, ids.size()});
}

bool Store::has_role(std::string_view name) const { return data_->find_role(name).has_value(); }

std::vector<std::string> Store::all_roles() const {
  std::vector<std::string> names;
  for (const auto& r : data_->roles) names.push_back(r.name);
  return names;
}

bool Store::has_group_roles() const { return !data_->group_roles.empty(); }

std::optional<std::string> Store::lock_of(std::string_view role) const {
  auto id = data_->find_role(role);
  if (!id || !data_->roles[*id].locked) return std::nullopt;
  return data_->roles[*id].lock_principal;
}

}  // namespace secstore
