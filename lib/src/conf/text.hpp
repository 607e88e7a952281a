// Small text helpers shared by the secstore.conf reader and planner.
#pragma once

#include <string>
#include <string_view>

namespace secstore::detail {

// Option and scope names are case-insensitive (SPEC §3); ASCII only, because
// every name secstore.conf knows is ASCII.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

inline bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// The directory part of a path as dirname(3) would give it ("." for a bare
// name, "/" for a file in the root).
inline std::string directory_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// `name` resolved against `dir` unless it is absolute.
inline std::string resolve_against(const std::string& dir, const std::string& name) {
  if (!name.empty() && name.front() == '/') return name;
  if (dir == "/") return "/" + name;
  return dir + "/" + name;
}

}  // namespace secstore::detail
