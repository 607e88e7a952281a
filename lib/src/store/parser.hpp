// Security.store statements from tokens (SPEC §2.2).
#pragma once

#include <string>
#include <vector>

#include "store/lexer.hpp"
#include "store/statement.hpp"

namespace secstore::detail {

struct ParseError {
  unsigned column = 0;
  std::string message;
};

// Parses one non-empty line's tokens. `out.where` must already hold the
// line and file; its column is set here. Returns false with at least one
// error when the line is not a valid statement.
bool parse_statement(const std::vector<Token>& tokens, Statement& out,
                     std::vector<ParseError>& errors);

}  // namespace secstore::detail
