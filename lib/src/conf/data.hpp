// What a loaded secstore.conf holds: its Security scopes, checked and with
// capability text already read by libcap (SPEC §3). The compiled index
// stores exactly this (index/scopes_codec.cpp), so the text and the index
// plan through the same code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conf/syntax.hpp"
#include "index/bytes.hpp"
#include "secstore/conf.hpp"
#include "secstore/diagnostic.hpp"

namespace secstore::detail {

// One value as written, with where it was written.
struct ConfSetting {
  std::string text;
  Location where;
};

struct SecurityScope {
  std::string instance;  // empty for `Security { }`
  Location where;        // the scope's name

  // Selectors (SPEC §3); an absent selector matches every session.
  std::optional<ConfSetting> user;
  std::optional<ConfSetting> group;
  std::optional<Location> role_where;
  std::vector<ConfSetting> roles;

  std::optional<ConfSetting> capabilities_text;
  CapabilitySets capabilities;  // meaningful when capabilities_text is set
  std::optional<ConfSetting> chroot;
  std::vector<ConfSetting> supplemental_groups;

  bool has_selector() const { return user || group || role_where; }
};

// The same scopes as the compiled index holds them: views into one entry's
// bytes (index/scopes_codec.cpp), so that a session open plans without
// copying a string. Planned by the same code as SecurityScope (below).
//
// A location is where in the entry's bytes it is, read only when one is
// asked for (location_of): a session open plans from a few dozen of them
// and asks for the few its matched scopes name, so spelling each out at
// decode cost more than the planning that did not use it.
struct LocationView {
  const std::string_view* file = nullptr;  // in the entry's file table
  const char* line_column = nullptr;       // two u32 in the entry's bytes
};

struct SettingView {
  std::string_view text;
  LocationView where;
};

struct ScopeView {
  // Provided, not defaulted, so that emplace_back sets each member rather
  // than zeroing the whole view first (a rep stos, an instruction per
  // eight bytes).
  ScopeView() {}

  std::string_view instance;
  LocationView where;
  std::optional<SettingView> user;
  std::optional<SettingView> group;
  std::optional<LocationView> role_where;
  std::span<const SettingView> roles;
  // Each of `roles` as the store compiled with it numbers it (kNoRole: not
  // in that store), u32 each in the entry's bytes (role_id_at), and that
  // index: a session whose roles the same index gave is matched by number,
  // any other by name.
  std::string_view role_ids;
  const void* role_origin = nullptr;
  std::optional<SettingView> capabilities_text;
  CapabilitySets capabilities;
  std::optional<SettingView> chroot;
  std::span<const SettingView> supplemental_groups;
};

// One Scopes entry decoded: `bytes` is the entry every view points into,
// `files` its file table, `settings` every scope's roles and supplemental
// groups. None is ever reallocated once decoded, so it is neither copied
// nor moved. The entry and its views start in storage inside (a
// configuration of about ten scopes fits), so that a session open decodes
// them without an allocation (each cost it more than decoding a scope); a
// larger one spills to the heap.
struct CompiledScopes {
  // Provided, not defaulted, so that make_unique does not zero the storage.
  CompiledScopes() {}
  CompiledScopes(const CompiledScopes&) = delete;
  CompiledScopes& operator=(const CompiledScopes&) = delete;

 private:
  // Declared first: constructed before and destroyed after what points
  // into them.
  alignas(std::max_align_t) std::array<char, 2048> entry_storage_;
  alignas(std::max_align_t) std::array<std::byte, 8192> view_storage_;
  std::pmr::monotonic_buffer_resource arena_{view_storage_.data(), view_storage_.size(),
                                             std::pmr::new_delete_resource()};

 public:
  ByteBuffer bytes{entry_storage_};
  std::pmr::memory_resource* const views = arena_or_heap(arena_);
  std::pmr::vector<std::string_view> files{views};
  std::pmr::vector<SettingView> settings{views};
  std::pmr::vector<ScopeView> scopes{views};
};

Location location_of(const LocationView& where);

inline std::uint32_t role_id_at(const ScopeView& scope, std::size_t k) {
  std::uint32_t id;
  std::memcpy(&id, scope.role_ids.data() + k * sizeof id, sizeof id);
  return id;
}

// Config::plan, names_needed, unknown_groups and selects_by_group, for
// either form of the scopes (conf/planner.cpp): one set of rules.
Outcome<SessionPlan> plan_session(std::span<const SecurityScope> scopes, const SessionSubject& who,
                                  const SessionAccess& access, const ResolvedNames& names,
                                  unsigned capability_count);
Outcome<SessionPlan> plan_session(std::span<const ScopeView> scopes, const SessionSubject& who,
                                  const SessionAccess& access, const ResolvedNames& names,
                                  unsigned capability_count);
NamesNeeded names_needed(std::span<const SecurityScope> scopes);
NamesNeeded names_needed(std::span<const ScopeView> scopes);
std::vector<Diagnostic> unknown_groups(std::span<const SecurityScope> scopes, const ResolvedNames& names);
std::vector<Diagnostic> unknown_groups(std::span<const ScopeView> scopes, const ResolvedNames& names);
bool selects_by_group(std::span<const SecurityScope> scopes);
bool selects_by_group(std::span<const ScopeView> scopes);

struct ConfData {
  std::string file;                   // the main file as given
  std::vector<SecurityScope> scopes;  // in file order (includes expanded in place)
  std::vector<SourceRecord> sources;  // what was read (the main file first)
};

struct ConfigAccess {
  static const ConfData& data(const Config& c) { return *c.data_; }
  static Config make(std::shared_ptr<const ConfData> data) { return Config(std::move(data)); }
};

// Gives the syntax tree its meaning: only Security scopes (and includes,
// already expanded) are allowed. Reports every error it finds, not just the
// first. `files` are the files the nodes' positions index.
Outcome<std::vector<SecurityScope>> read_security_scopes(const std::vector<ConfNode>& nodes,
                                                         const std::vector<std::string>& files);

// "Security \"web\" (file:3:1)" or "Security (file:3:1)", for messages.
std::string describe_scope(const SecurityScope& scope);
std::string describe_scope(const ScopeView& scope);

}  // namespace secstore::detail
