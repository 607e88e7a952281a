// The renderings of `secstore audit`: a table sorted like `systemd-analyze
// security` (most exposed first) followed by what explain says of each
// account that gets anything, or one JSON object with the same entries.
#pragma once

#include <string>
#include <vector>

#include "audit.hpp"

namespace secstore::cli {

// The version of audit --json's layout, bumped when a member changes
// meaning or goes away (adding one does not).
inline constexpr int kAuditSchema = 1;

struct AuditReport {
  std::string accounts_from;  // kLocalAccounts or "--users"
  std::size_t account_count = 0;
  const std::vector<AuditService>& services;
  const std::vector<AuditEntry>& entries;  // sorted
  const std::vector<Diagnostic>& warnings;
};

std::string audit_text(const AuditReport& report);
std::string audit_json(const AuditReport& report);
// {"schema": 1, "error": ..., "diagnostics": [...]} for a failure under --json.
std::string audit_json_error(const std::vector<Diagnostic>& diagnostics);

// What --all-local cannot see, in one sentence (the text, the JSON, the docs).
inline constexpr const char* kDirectoryNote =
    "accounts served by a directory (LDAP, sssd, winbind) are not enumerated: name them with --users";

// Rows as columns, each padded to its widest cell (the first row is the header).
std::string aligned_table(const std::vector<std::vector<std::string>>& rows);
// "a,b,c" with `separator` between the items.
std::string join_items(const std::vector<std::string>& items, std::string_view separator);

// The model itself, for --ratings: one capability a line, with its level and why.
std::string ratings_text();

}  // namespace secstore::cli
