// The two renderings of `secstore explain`: the text that says why (which
// statement gave each role, what decided each path, which scopes made the
// plan) and the JSON object of SPEC §5, which carries the same reasons.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "secstore/policy.hpp"
#include "secstore/session.hpp"
#include "secstore/store.hpp"

namespace secstore::cli {

class JsonObject;

// The version of the JSON object's layout, bumped when a member changes
// meaning or goes away (adding one does not).
inline constexpr int kExplainSchema = 1;

struct ExplainInput {
  const Session& session;
  Policy::Form form;                      // what the module would read
  const Store& text;                      // the store's text, for the why
  const RoleSet& text_roles;              // the session's roles in `text`
  const std::vector<std::string>& paths;  // normalised, in the order given
  const std::vector<PathPermissions>& held;  // the policy's answer at each path
  bool groups_given = false;              // --groups replaced the name service
  std::optional<std::string> service;
  const std::vector<Diagnostic>& warnings;
};

// The store's text, which alone can say why, and the session's roles in it.
struct TextWhy {
  Store text;
  RoleSet roles;
};
// Errors: the text cannot be read, or a compiled index answers otherwise
// than the text it was compiled from (for the session's roles, or at one of
// `paths`, where the policy answered `held`).
Outcome<TextWhy> text_for_why(const Policy& policy, const Session& session, const std::vector<std::string>& paths,
                              const std::vector<PathPermissions>& held);

std::string explain_json(const ExplainInput& input);
// The members of explain_json's object after "schema" and before
// "warnings": one session as `explain --json` shows it, for `audit --json`
// to show each session the same way.
void add_explain_members(JsonObject& out, const ExplainInput& input);
std::string explain_text(const ExplainInput& input);
// {"schema": 1, "error": ..., "errors": [...]} for a failure under --json.
std::string explain_json_error(const std::vector<Diagnostic>& diagnostics, const std::string& fallback);

// "FILE:LINE" (just FILE when the line is unknown).
std::string where_text(const Location& where);

}  // namespace secstore::cli
