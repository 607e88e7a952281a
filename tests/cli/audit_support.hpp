// The promise of `secstore audit`: for every account and service it lists,
// its JSON entry says what `secstore explain --json` says of that session,
// member for member (or, where explain fails, the same error as the
// entry's refusal). Used by the CLI tests (shipped examples, this host's
// accounts) and the real-libpam tests (test users).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "run_command.hpp"

namespace secstore_test {

// What lies between `open` and the next `close` in `text` (from `from`).
inline std::optional<std::string> between(const std::string& text, const std::string& open, const std::string& close,
                                          std::size_t from = 0) {
  const auto start = text.find(open, from);
  if (start == std::string::npos) return std::nullopt;
  const auto end = text.find(close, start + open.size());
  if (end == std::string::npos) return std::nullopt;
  return text.substr(start + open.size(), end - start - open.size());
}

// `files` are explain's and audit's --store/--conf arguments.
inline void expect_audit_entry_is_explain(const std::string& audit_json, const std::vector<std::string>& files,
                                          const std::string& user, const std::optional<std::string>& service) {
  std::vector<std::string> args = {"explain", "--user", user, "--json"};
  args.insert(args.begin() + 1, files.begin(), files.end());
  if (service) args.insert(args.end(), {"--service", *service});
  const auto explained = run_secstore(args);
  const std::string what = user + " in " + service.value_or("(default)");
  if (explained.exit_code == 0) {
    // Every member after "schema" and before "warnings".
    auto members = between(explained.out, "{\"schema\": 1, ", ", \"warnings\": ");
    ASSERT_TRUE(members) << explained.out;
    EXPECT_NE(audit_json.find("{" + *members + ", \"applies_plan\": "), std::string::npos)
        << what << ": explain says\n" << *members << "\nwhich the audit does not:\n" << audit_json;
  } else {
    auto error = between(explained.out, "\"error\": \"", "\", \"diagnostics\"");
    ASSERT_TRUE(error) << what << ": " << explained.out << explained.err;
    EXPECT_NE(audit_json.find("\"refused\": true, \"refusal\": \"" + *error + "\""), std::string::npos)
        << what << ": explain fails with " << *error << " and the audit does not say so:\n" << audit_json;
  }
}

// How many entries an audit --json lists.
inline std::size_t audit_entry_count(const std::string& audit_json) {
  std::size_t n = 0;
  for (auto at = audit_json.find("\"applies_plan\": "); at != std::string::npos;
       at = audit_json.find("\"applies_plan\": ", at + 1))
    ++n;
  return n;
}

}  // namespace secstore_test
