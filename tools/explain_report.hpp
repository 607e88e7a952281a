// The two renderings of `secstore explain`: the JSON object of SPEC §5 and
// the text that says why (which statement gave each role, what decided each
// path, which scopes made the capability plan).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "secstore/session.hpp"
#include "secstore/store.hpp"

namespace secstore::cli {

struct ExplainInput {
  const Store& store;
  const ResolvedSession& session;
  const std::vector<std::string>& paths;  // normalised, in the order given
  bool groups_given = false;              // --groups replaced NSS
  std::optional<std::string> service;
};

std::string explain_json(const ExplainInput& input);
std::string explain_text(const ExplainInput& input);

// "FILE:LINE" (just FILE when the line is unknown).
std::string where_text(const Location& where);

}  // namespace secstore::cli
