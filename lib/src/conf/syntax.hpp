// The syntax tree of one Ecelerity-style configuration file: options,
// scopes and include directives, before any meaning is given to them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/diagnostic.hpp"

namespace secstore::detail {

// Where something was written: the file as an index into the list of files
// read (ConfTree::files), and 1-based line and column. A tree has a position
// for every name, value and item, and file names are long: a Location, with
// its own copy of the name, is made only for what is kept or reported.
struct ConfPos {
  std::uint32_t file = 0;
  unsigned line = 0;
  unsigned column = 0;
};

inline Location location_of(const std::vector<std::string>& files, ConfPos pos) {
  return Location{pos.file < files.size() ? files[pos.file] : std::string(), pos.line, pos.column};
}

struct ConfItem {
  std::string text;
  bool quoted = false;
  ConfPos where;
};

struct ConfValue {
  bool is_list = false;
  std::vector<ConfItem> items;  // exactly one unless is_list
  ConfPos where;                // the value (or the list's '(')
};

struct ConfNode {
  enum class Kind { Option, Scope, Include } kind = Kind::Option;
  std::string name;  // as written (compare with iequals)
  ConfPos where;     // the name's position
  // Option: the value. Include: one item, the file or directory named.
  ConfValue value;
  // Scope: the optional instance name and the body.
  std::optional<ConfItem> instance;
  std::vector<ConfNode> children;
};

// Parses one file's text; positions name the file as `file_index`. Includes
// are left as Include nodes (see conf_include.hpp). Stops at the first syntax
// error, which names `file`.
Outcome<std::vector<ConfNode>> parse_conf_syntax(std::string_view text, const std::string& file,
                                                 std::uint32_t file_index);

}  // namespace secstore::detail
