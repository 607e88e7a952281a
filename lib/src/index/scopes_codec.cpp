#include "index/scopes_codec.hpp"

#include <algorithm>
#include <cstring>

#include "index/bytes.hpp"

namespace secstore::detail {
namespace {

enum : std::uint8_t { kHasUser = 1, kHasGroup = 2, kHasRole = 4, kHasCapabilities = 8, kHasChroot = 16 };

// The entry opens with its file table: every location names the file it is
// in by its place in the table, as the scopes of one entry come from a
// file or two and spelling the path out at each location made it most of
// the entry (and of what a session open checksums and decodes).
class FileTable {
 public:
  std::uint32_t number_of(const std::string& file) {
    const auto it = std::find(files_.begin(), files_.end(), file);
    if (it != files_.end()) return static_cast<std::uint32_t>(it - files_.begin());
    files_.push_back(file);
    return static_cast<std::uint32_t>(files_.size() - 1);
  }
  const std::vector<std::string>& files() const { return files_; }

 private:
  std::vector<std::string> files_;
};

void collect_files(const std::vector<SecurityScope>& scopes, FileTable& table) {
  auto each_setting = [&](const ConfSetting& s) { table.number_of(s.where.file); };
  for (const auto& scope : scopes) {
    table.number_of(scope.where.file);
    if (scope.user) each_setting(*scope.user);
    if (scope.group) each_setting(*scope.group);
    if (scope.role_where) table.number_of(scope.role_where->file);
    for (const auto& s : scope.roles) each_setting(s);
    if (scope.capabilities_text) each_setting(*scope.capabilities_text);
    if (scope.chroot) each_setting(*scope.chroot);
    for (const auto& s : scope.supplemental_groups) each_setting(s);
  }
}

void put_location(ByteWriter& w, FileTable& table, const Location& l) {
  w.put(table.number_of(l.file));
  w.put(static_cast<std::uint32_t>(l.line));
  w.put(static_cast<std::uint32_t>(l.column));
}

// A file number past the table's end is damage, like any other read the
// bytes cannot back. The readers below are inlined into decode_scopes
// (always_inline: GCC would call them), so that the reader's place stays in
// a register and is not stored and loaded again at each field: that was a
// quarter of what a session open spent decoding its scopes.
[[gnu::always_inline]] inline LocationView get_location(ByteReader& r, std::span<const std::string_view> files) {
  const char* p = r.take(3 * sizeof(std::uint32_t));  // file number, line, column
  if (p == nullptr) return {};
  std::uint32_t file;
  std::memcpy(&file, p, sizeof file);
  if (file >= files.size()) {
    r.mark_damaged();
    return {};
  }
  return LocationView{&files[file], p + sizeof file};
}

void put_setting(ByteWriter& w, FileTable& table, const ConfSetting& s) {
  w.put_string(s.text);
  put_location(w, table, s.where);
}

// A setting takes at least 16 bytes: its text's length, its file's number,
// a line and a column.
constexpr std::size_t kSmallestSetting = 16;

[[gnu::always_inline]] inline SettingView get_setting(ByteReader& r, std::span<const std::string_view> files) {
  SettingView s;
  s.text = r.get_view(r.get<std::uint32_t>());
  s.where = get_location(r, files);
  return s;
}

void put_settings(ByteWriter& w, FileTable& table, const std::vector<ConfSetting>& list) {
  w.put(static_cast<std::uint32_t>(list.size()));
  for (const auto& s : list) put_setting(w, table, s);
}

// Appends to `settings`, which never grows past the capacity reserved for
// the entry (so the spans already handed out stay valid).
[[gnu::always_inline]] inline std::span<const SettingView> get_settings(ByteReader& r,
                                                                        std::span<const std::string_view> files,
                                                                        std::pmr::vector<SettingView>& settings) {
  const auto count = r.get<std::uint32_t>();
  const std::size_t first = settings.size();
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    if (settings.size() == settings.capacity() || r.left() < kSmallestSetting) {
      r.mark_damaged();
      break;
    }
    settings.push_back(get_setting(r, files));
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

void encode_scopes(const std::vector<SecurityScope>& scopes, const std::function<std::uint32_t(std::string_view)>& role_id,
                   std::string& out) {
  ByteWriter w(out);
  FileTable table;
  collect_files(scopes, table);
  w.put(static_cast<std::uint32_t>(table.files().size()));
  for (const auto& file : table.files()) w.put_string(file);
  for (const auto& scope : scopes) {
    std::uint8_t flags = 0;
    if (scope.user) flags |= kHasUser;
    if (scope.group) flags |= kHasGroup;
    if (scope.role_where) flags |= kHasRole;
    if (scope.capabilities_text) flags |= kHasCapabilities;
    if (scope.chroot) flags |= kHasChroot;
    w.put(flags);
    w.put_string(scope.instance);
    put_location(w, table, scope.where);
    if (scope.user) put_setting(w, table, *scope.user);
    if (scope.group) put_setting(w, table, *scope.group);
    if (scope.role_where) {
      put_location(w, table, *scope.role_where);
      put_settings(w, table, scope.roles);
      for (const auto& role : scope.roles) w.put(role_id(role.text));
    }
    if (scope.capabilities_text) {
      put_setting(w, table, *scope.capabilities_text);
      w.put(scope.capabilities.ambient);
      w.put(scope.capabilities.inheritable);
      w.put(scope.capabilities.bounding_drop);
    }
    if (scope.chroot) put_setting(w, table, *scope.chroot);
    put_settings(w, table, scope.supplemental_groups);
  }
}

bool decode_scopes(std::string_view bytes, std::uint32_t count, const void* origin, CompiledScopes& out) {
  ByteReader r(bytes);
  // A file takes at least its length's four bytes: a count the bytes
  // cannot hold is damage, and no reason to reserve for it.
  const auto file_count = r.get<std::uint32_t>();
  if (file_count > r.left() / sizeof(std::uint32_t)) return false;
  // Reserved whole: the locations point into it.
  std::pmr::vector<std::string_view>& files = out.files;
  files.reserve(file_count);
  for (std::uint32_t i = 0; i < file_count && r.ok(); ++i) files.push_back(r.get_view(r.get<std::uint32_t>()));
  // Passed as this local span, not the vector, which the views written
  // below might alias: GCC would load its bounds again at each location.
  const std::span<const std::string_view> table(files);
  // A scope takes more than eight bytes: likewise.
  out.scopes.reserve(std::min<std::size_t>(count, r.left() / 8));
  out.settings.reserve(r.left() / kSmallestSetting);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    // Filled where it stays: a ScopeView is a few hundred bytes to copy.
    ScopeView& scope = out.scopes.emplace_back();
    const auto flags = r.get<std::uint8_t>();
    scope.instance = r.get_view(r.get<std::uint32_t>());
    scope.where = get_location(r, table);
    if (flags & kHasUser) scope.user = get_setting(r, table);
    if (flags & kHasGroup) scope.group = get_setting(r, table);
    if (flags & kHasRole) {
      scope.role_where = get_location(r, table);
      scope.roles = get_settings(r, table, out.settings);
      scope.role_ids = r.get_view(scope.roles.size() * sizeof(std::uint32_t));
      scope.role_origin = origin;
    }
    if (flags & kHasCapabilities) {
      scope.capabilities_text = get_setting(r, table);
      scope.capabilities.ambient = r.get<std::uint64_t>();
      scope.capabilities.inheritable = r.get<std::uint64_t>();
      scope.capabilities.bounding_drop = r.get<std::uint64_t>();
    }
    if (flags & kHasChroot) scope.chroot = get_setting(r, table);
    scope.supplemental_groups = get_settings(r, table, out.settings);
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
