// The canonical form of a store (`secstore dump`, and what `secstore apply`
// writes): one statement a line, a fixed order, upper-case permission
// names, double-quoted strings. Parsing it gives an equal store.
#include <algorithm>
#include <utility>

#include "secstore/store.hpp"
#include "store/data.hpp"

namespace secstore {
namespace {

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

template <class Set>
void append_permissions(std::string& out, Set set) {
  out += '[';
  bool first = true;
  for (const auto& name : names_of(set)) {
    if (!first) out += ", ";
    first = false;
    out += name;
  }
  out += ']';
}

// Role lists are sets: sorted (ids are in name order) and without repeats.
void append_roles(std::string& out, const detail::StoreData& d, std::vector<std::uint32_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  out += '[';
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ", ";
    append_quoted(out, d.roles[ids[i]].name);
  }
  out += ']';
}

template <class Map>
std::vector<const typename Map::value_type*> sorted_entries(const Map& map) {
  std::vector<const typename Map::value_type*> entries;
  entries.reserve(map.size());
  for (const auto& e : map) entries.push_back(&e);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return entries;
}

}  // namespace

std::string Store::dump() const {
  const detail::StoreData& d = *data_;
  const std::size_t n = d.roles.size();

  // Per role, its assignments in path order; and which roles some other
  // statement names, so that a role known only by name survives a round trip.
  std::vector<std::vector<std::pair<const std::string*, PathPermissions>>> assignments(n);
  std::vector<bool> named_elsewhere(n, false);
  for (const auto& node : d.nodes)
    for (const auto& a : node.assignments) assignments[a.role].emplace_back(&node.path, a.permissions);
  for (auto& list : assignments)
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  auto mark = [&](const std::vector<std::uint32_t>& ids) {
    for (auto id : ids) named_elsewhere[id] = true;
  };
  for (const auto& r : d.roles) mark(r.includes);
  if (d.named_sessions) mark(d.named_sessions->roles);
  if (d.anonymous_sessions) mark(d.anonymous_sessions->roles);
  for (const auto& [_, list] : d.user_roles) mark(list.roles);
  for (const auto& [_, list] : d.group_roles) mark(list.roles);

  std::string out;
  out.reserve(64 * (n + d.nodes.size()));
  for (std::uint32_t id = 0; id < n; ++id) {
    const detail::RoleData& r = d.roles[id];
    if (r.has_global) {
      out += "set ";
      append_quoted(out, r.name);
      out += " permissions ";
      append_permissions(out, r.global);
      out += '\n';
    }
    if (r.has_default) {
      out += "set ";
      append_quoted(out, r.name);
      out += " default path permissions ";
      append_permissions(out, r.default_path);
      out += '\n';
    }
    for (const auto& [path, perms] : assignments[id]) {
      out += "set ";
      append_quoted(out, r.name);
      out += " path ";
      append_quoted(out, *path);
      out += " permissions ";
      append_permissions(out, perms);
      out += '\n';
    }
    const bool mentioned = r.has_global || r.has_default || !assignments[id].empty() ||
                           !r.includes.empty() || r.locked || named_elsewhere[id];
    if (!r.includes.empty() || !mentioned) {
      out += "set ";
      append_quoted(out, r.name);
      out += " includes ";
      append_roles(out, d, r.includes);
      out += '\n';
    }
  }

  std::vector<const std::string*> isolated;
  for (const auto& node : d.nodes)
    if (node.isolated) isolated.push_back(&node.path);
  std::sort(isolated.begin(), isolated.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const auto* path : isolated) {
    out += "isolate path ";
    append_quoted(out, *path);
    out += '\n';
  }

  if (d.named_sessions) {
    out += "set roles for named sessions ";
    append_roles(out, d, d.named_sessions->roles);
    out += '\n';
  }
  if (d.anonymous_sessions) {
    out += "set roles for anonymous sessions ";
    append_roles(out, d, d.anonymous_sessions->roles);
    out += '\n';
  }
  for (const auto* e : sorted_entries(d.user_roles)) {
    out += "set roles for user ";
    append_quoted(out, e->first);
    out += ' ';
    append_roles(out, d, e->second.roles);
    out += '\n';
  }
  for (const auto* e : sorted_entries(d.group_roles)) {
    out += "set roles for group ";
    append_quoted(out, e->first);
    out += ' ';
    append_roles(out, d, e->second.roles);
    out += '\n';
  }
  for (const auto& r : d.roles) {
    if (!r.locked) continue;
    out += "set role ";
    append_quoted(out, r.name);
    out += " locked by principal ";
    append_quoted(out, r.lock_principal);
    out += '\n';
  }
  return out;
}

}  // namespace secstore
