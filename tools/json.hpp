// Just enough JSON output for `explain --json`: strings escaped so that any
// user, group or path name gives valid JSON (RFC 8259), lists of strings.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "secstore/diagnostic.hpp"

namespace secstore::cli {

// A JSON string literal. Invalid UTF-8 bytes become U+FFFD so the output is
// always valid JSON; control characters are escaped.
std::string json_string(std::string_view text);
// ["a", "b"] in the order given.
std::string json_string_list(const std::vector<std::string>& items);
// [v, v] of values already rendered.
std::string json_array(const std::vector<std::string>& rendered);
std::string json_number(long long value);

// {"key": value, ...} of values already rendered, keys in the order added.
class JsonObject {
 public:
  JsonObject& add(std::string_view key, std::string rendered);
  std::string str() const;

 private:
  std::vector<std::pair<std::string, std::string>> members_;
};

// {"file": F, "line": N, "column": N} (line and column null when unknown).
std::string json_location(const Location& where);
// {"schema": N, "error": the first error (or `fallback`), "diagnostics": [...]}:
// what a command prints under --json when it fails.
std::string json_error(int schema, const std::vector<Diagnostic>& diagnostics, const std::string& fallback);
// [{"severity": "error", "file": ..., "line": ..., "column": ..., "message": ...}, ...]
std::string json_diagnostics(const std::vector<Diagnostic>& diagnostics);

}  // namespace secstore::cli
