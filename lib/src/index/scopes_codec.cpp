#include "index/scopes_codec.hpp"

#include <algorithm>

#include "index/bytes.hpp"

namespace secstore::detail {
namespace {

enum : std::uint8_t { kHasUser = 1, kHasGroup = 2, kHasRole = 4, kHasCapabilities = 8, kHasChroot = 16 };

void put_location(ByteWriter& w, const Location& l) {
  w.put_string(l.file);
  w.put(static_cast<std::uint32_t>(l.line));
  w.put(static_cast<std::uint32_t>(l.column));
}

// Reads a location, or with `keep` false only steps over it: planning a
// session that nothing goes wrong with reads only the scopes' own.
Location get_location(ByteReader& r, bool keep = true) {
  Location l;
  if (keep) {
    l.file = r.get_string();
  } else {
    r.get_view(r.get<std::uint32_t>());
  }
  l.line = r.get<std::uint32_t>();
  l.column = r.get<std::uint32_t>();
  return l;
}

void put_setting(ByteWriter& w, const ConfSetting& s) {
  w.put_string(s.text);
  put_location(w, s.where);
}

ConfSetting get_setting(ByteReader& r, bool where) {
  ConfSetting s;
  s.text = r.get_string();
  s.where = get_location(r, where);
  return s;
}

void put_settings(ByteWriter& w, const std::vector<ConfSetting>& list) {
  w.put(static_cast<std::uint32_t>(list.size()));
  for (const auto& s : list) put_setting(w, s);
}

bool get_settings(ByteReader& r, std::vector<ConfSetting>& list, bool where) {
  const auto count = r.get<std::uint32_t>();
  // Each setting takes more than eight bytes (as decode_scopes' count).
  list.reserve(std::min<std::size_t>(count, r.left() / 8));
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) list.push_back(get_setting(r, where));
  return r.ok();
}

}  // namespace

void encode_scopes(const std::vector<SecurityScope>& scopes, std::string& out) {
  ByteWriter w(out);
  for (const auto& scope : scopes) {
    std::uint8_t flags = 0;
    if (scope.user) flags |= kHasUser;
    if (scope.group) flags |= kHasGroup;
    if (scope.role_where) flags |= kHasRole;
    if (scope.capabilities_text) flags |= kHasCapabilities;
    if (scope.chroot) flags |= kHasChroot;
    w.put(flags);
    w.put_string(scope.instance);
    put_location(w, scope.where);
    if (scope.user) put_setting(w, *scope.user);
    if (scope.group) put_setting(w, *scope.group);
    if (scope.role_where) {
      put_location(w, *scope.role_where);
      put_settings(w, scope.roles);
    }
    if (scope.capabilities_text) {
      put_setting(w, *scope.capabilities_text);
      w.put(scope.capabilities.ambient);
      w.put(scope.capabilities.inheritable);
      w.put(scope.capabilities.bounding_drop);
    }
    if (scope.chroot) put_setting(w, *scope.chroot);
    put_settings(w, scope.supplemental_groups);
  }
}

bool decode_scopes(std::string_view bytes, std::uint32_t count, std::vector<SecurityScope>& out, ScopeDetail detail) {
  const bool where = detail == ScopeDetail::Full;
  ByteReader r(bytes);
  // A scope takes more than eight bytes: a count the bytes cannot hold is
  // damage, and no reason to reserve for it.
  out.reserve(std::min<std::size_t>(count, bytes.size() / 8));
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    SecurityScope scope;
    const auto flags = r.get<std::uint8_t>();
    scope.instance = r.get_string();
    scope.where = get_location(r);
    if (flags & kHasUser) scope.user = get_setting(r, where);
    if (flags & kHasGroup) scope.group = get_setting(r, where);
    if (flags & kHasRole) {
      scope.role_where = get_location(r, where);
      get_settings(r, scope.roles, where);
    }
    if (flags & kHasCapabilities) {
      scope.capabilities_text = get_setting(r, where);
      scope.capabilities.ambient = r.get<std::uint64_t>();
      scope.capabilities.inheritable = r.get<std::uint64_t>();
      scope.capabilities.bounding_drop = r.get<std::uint64_t>();
    }
    if (flags & kHasChroot) scope.chroot = get_setting(r, where);
    get_settings(r, scope.supplemental_groups, where);
    out.push_back(std::move(scope));
  }
  return r.ok() && r.at_end();
}

}  // namespace secstore::detail
