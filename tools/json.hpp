// Just enough JSON output for `explain --json`: strings escaped so that any
// user, group or path name gives valid JSON (RFC 8259), lists of strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace secstore::cli {

// A JSON string literal. Invalid UTF-8 bytes become U+FFFD so the output is
// always valid JSON; control characters are escaped.
std::string json_string(std::string_view text);
// ["a", "b"] in the order given.
std::string json_string_list(const std::vector<std::string>& items);

}  // namespace secstore::cli
