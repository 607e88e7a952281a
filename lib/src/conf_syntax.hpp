// The syntax tree of one Ecelerity-style configuration file: options,
// scopes and include directives, before any meaning is given to them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/diagnostic.hpp"

namespace secstore::detail {

struct ConfItem {
  std::string text;
  bool quoted = false;
  Location where;
};

struct ConfValue {
  bool is_list = false;
  std::vector<ConfItem> items;  // exactly one unless is_list
  Location where;               // the value (or the list's '(')
};

struct ConfNode {
  enum class Kind { Option, Scope, Include } kind = Kind::Option;
  std::string name;  // as written (compare with iequals)
  Location where;    // the name's position
  // Option: the value. Include: one item, the file or directory named.
  ConfValue value;
  // Scope: the optional instance name and the body.
  std::optional<ConfItem> instance;
  std::vector<ConfNode> children;
};

// Parses one file's text. Includes are left as Include nodes (see
// conf_include.hpp). Stops at the first syntax error.
Outcome<std::vector<ConfNode>> parse_conf_syntax(std::string_view text, const std::string& file);

}  // namespace secstore::detail
