// What a loaded secstore.conf holds: its Security scopes, checked and with
// capability text already read by libcap (SPEC §3). The compiled index
// stores exactly this (index/scopes_codec.cpp), so the text and the index
// plan through the same code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "conf/syntax.hpp"
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

}  // namespace secstore::detail
