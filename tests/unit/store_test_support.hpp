// Helpers shared by the Security.store unit tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "secstore/store.hpp"

namespace secstore::testing {

inline std::string read_test_file(const std::string& relative) {
  std::ifstream in(std::string(SECSTORE_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses text that the test expects to be valid; fails the test otherwise.
inline Store must_parse(const std::string& text, const std::string& name = "test.store") {
  auto out = Store::parse(text, name);
  std::string all;
  for (const auto& d : out.diagnostics) all += d.str() + "\n";
  EXPECT_TRUE(out.ok()) << all;
  return out.ok() ? *out.value : Store();
}

// All diagnostics of a parse, one str() a line.
inline std::string diagnostics_of(const Outcome<Store>& out) {
  std::string all;
  for (const auto& d : out.diagnostics) all += d.str() + "\n";
  return all;
}

// Permission names sorted alphabetically, so expectations read like sets.
inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

inline std::vector<std::string> path_names(const Store& s, const std::vector<std::string>& roles,
                                           const std::string& path) {
  return sorted(names_of(s.path_permissions(s.closure_of(roles), path)));
}

inline std::vector<std::string> global_names(const Store& s, const std::vector<std::string>& roles) {
  return sorted(names_of(s.global_permissions(s.closure_of(roles))));
}

using Names = std::vector<std::string>;

// A session as the store sees it: anonymous or not, the user, its group
// names.
inline SessionSubject as_session(bool anonymous, const std::string& user, std::vector<std::string> groups) {
  if (anonymous) return SessionSubject::anonymous_session(user);
  return SessionSubject::named(user, std::move(groups));
}

}  // namespace secstore::testing
