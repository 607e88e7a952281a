// pam_cap's capability.conf (capability.conf(5), libcap 2.66): one rule a
// line, `IAB WHO...`, WHO a user name, @group or *, IAB the inheritable IAB
// text or the words `all` / `none`; `#` at the start of the first word makes
// a comment. pam_cap applies the FIRST line that matches a user.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/diagnostic.hpp"

namespace secstore::cli {

struct PamCapWho {
  std::string text;  // "alice", "@netops" or "*"
  unsigned column = 0;
};

struct PamCapRule {
  enum class Kind { Iab, All, None } kind = Kind::Iab;
  std::string iab;  // the first word as written (Kind::Iab)
  Location where;   // the first word
  std::vector<PamCapWho> who;
};

struct PamCapFile {
  std::vector<PamCapRule> rules;  // in file order; lines without WHO dropped
};

// Errors: IAB text libcap does not accept (pam_cap would skip the user with
// a log line). Warnings: a rule naming nobody.
Outcome<PamCapFile> parse_pam_cap_conf(std::string_view text, const std::string& file_name);

// The index of the rule pam_cap applies to this user, or nullopt: the first
// rule with `*`, the user's name, or @G for a group G of the user.
// (pam_cap 2.66 also compares a name without '@' against group names minus
// its first letter, by accident; that is not reproduced.)
std::optional<std::size_t> pam_cap_first_match(const PamCapFile& file, const std::string& user,
                                               const std::vector<std::string>& groups);

}  // namespace secstore::cli
