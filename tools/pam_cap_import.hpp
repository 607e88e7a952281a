// Turning pam_cap rules (first match wins) into secstore.conf Security
// scopes (every matching scope applies, SPEC §3).
//
// A rule becomes one scope per WHO (no selector for *, `group =` for
// @group, `user =` for a name) when no earlier rule can match the same
// users, so the union of scopes equals the first match for every user,
// present or future. Otherwise the rule is written out per user for the
// users this host knows now: those for whom pam_cap would pick that rule.
// `all` and `none` rules give no capabilities in either model; they only
// stop later rules, and the same users then get no scope.
#pragma once

#include <string>
#include <vector>

#include "pam_cap_conf.hpp"
#include "secstore/diagnostic.hpp"

namespace secstore::cli {

struct HostUser {
  std::string name;
  unsigned uid = 0;
  std::vector<std::string> groups;  // primary and supplementary names
};

struct PamCapImport {
  std::string conf_text;                // the Security scopes, with comments
  std::vector<Diagnostic> diagnostics;  // warnings (root, per-user expansion)
};

// `source` names the imported file in comments and scope names.
PamCapImport import_pam_cap(const PamCapFile& file, const std::string& source,
                            const std::vector<HostUser>& host_users);

// Every user NSS can enumerate (getpwent_r), with their groups.
std::vector<HostUser> enumerate_host_users();

}  // namespace secstore::cli
