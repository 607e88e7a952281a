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

// The statement most of a store is made of, `set "R" path "P" permissions
// [...]`, read in one pass over the line's bytes, without tokens. True only
// when the line is exactly that statement as tokenize_line and
// parse_statement would read it, with the same Statement (`out.where`'s
// line and file as for parse_statement); false for anything else, valid or
// not (a string with a backslash, another statement, any error), which is
// then theirs to read and to report.
bool parse_path_statement(std::string_view line, Statement& out);

// The same on the first line of `text` (up to its first '\n' or its end),
// which need not be found first: when true, `line_length` is that line's
// length.
bool parse_path_statement_in(std::string_view text, Statement& out, std::size_t& line_length);

}  // namespace secstore::detail
