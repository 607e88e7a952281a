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

LocationView get_location(ByteReader& r) {
  LocationView l;
  l.file = r.get_view(r.get<std::uint32_t>());
  l.line = r.get<std::uint32_t>();
  l.column = r.get<std::uint32_t>();
  return l;
}

void put_setting(ByteWriter& w, const ConfSetting& s) {
  w.put_string(s.text);
  put_location(w, s.where);
}

// A setting takes at least 16 bytes: its text's and its file's lengths, a
// line and a column.
constexpr std::size_t kSmallestSetting = 16;

SettingView get_setting(ByteReader& r) {
  SettingView s;
  s.text = r.get_view(r.get<std::uint32_t>());
  s.where = get_location(r);
  return s;
}

void put_settings(ByteWriter& w, const std::vector<ConfSetting>& list) {
  w.put(static_cast<std::uint32_t>(list.size()));
  for (const auto& s : list) put_setting(w, s);
}

// Appends to `settings`, which never grows past the capacity reserved for
// the entry (so the spans already handed out stay valid).
std::span<const SettingView> get_settings(ByteReader& r, std::vector<SettingView>& settings) {
  const auto count = r.get<std::uint32_t>();
  const std::size_t first = settings.size();
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    if (settings.size() == settings.capacity() || r.left() < kSmallestSetting) {
      r.mark_damaged();
      break;
    }
    settings.push_back(get_setting(r));
  }
  return std::span<const SettingView>(settings.data() + first, settings.size() - first);
}

ConfSetting to_setting(const SettingView& v) { return ConfSetting{std::string(v.text), location_of(v.where)}; }

std::vector<ConfSetting> to_settings(std::span<const SettingView> list) {
  std::vector<ConfSetting> out;
  out.reserve(list.size());
  for (const auto& v : list) out.push_back(to_setting(v));
  return out;
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

bool decode_scopes(std::string_view bytes, std::uint32_t count, CompiledScopes& out) {
  ByteReader r(bytes);
  // A scope takes more than eight bytes: a count the bytes cannot hold is
  // damage, and no reason to reserve for it.
  out.scopes.reserve(std::min<std::size_t>(count, bytes.size() / 8));
  out.settings.reserve(bytes.size() / kSmallestSetting);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    ScopeView scope;
    const auto flags = r.get<std::uint8_t>();
    scope.instance = r.get_view(r.get<std::uint32_t>());
    scope.where = get_location(r);
    if (flags & kHasUser) scope.user = get_setting(r);
    if (flags & kHasGroup) scope.group = get_setting(r);
    if (flags & kHasRole) {
      scope.role_where = get_location(r);
      scope.roles = get_settings(r, out.settings);
    }
    if (flags & kHasCapabilities) {
      scope.capabilities_text = get_setting(r);
      scope.capabilities.ambient = r.get<std::uint64_t>();
      scope.capabilities.inheritable = r.get<std::uint64_t>();
      scope.capabilities.bounding_drop = r.get<std::uint64_t>();
    }
    if (flags & kHasChroot) scope.chroot = get_setting(r);
    scope.supplemental_groups = get_settings(r, out.settings);
    out.scopes.push_back(scope);
  }
  return r.ok() && r.at_end();
}

std::vector<SecurityScope> to_scopes(const CompiledScopes& compiled) {
  std::vector<SecurityScope> out;
  out.reserve(compiled.scopes.size());
  for (const ScopeView& v : compiled.scopes) {
    SecurityScope scope;
    scope.instance = std::string(v.instance);
    scope.where = location_of(v.where);
    if (v.user) scope.user = to_setting(*v.user);
    if (v.group) scope.group = to_setting(*v.group);
    if (v.role_where) scope.role_where = location_of(*v.role_where);
    scope.roles = to_settings(v.roles);
    if (v.capabilities_text) scope.capabilities_text = to_setting(*v.capabilities_text);
    scope.capabilities = v.capabilities;
    if (v.chroot) scope.chroot = to_setting(*v.chroot);
    scope.supplemental_groups = to_settings(v.supplemental_groups);
    out.push_back(std::move(scope));
  }
  return out;
}

}  // namespace secstore::detail
