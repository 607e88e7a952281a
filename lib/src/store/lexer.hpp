// Security.store lexer (SPEC §2.1): one line at a time, since a statement
// never spans lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace secstore::detail {

enum class TokenKind { Word, String, ListOpen, ListClose, Comma };

struct Token {
  TokenKind kind;
  unsigned column;         // 1-based byte column of the token's first character
  std::string_view text;   // Word: as written; String: with escapes resolved
  unsigned end_column = 0;  // 1-based byte column just past the token, as written
};

struct LexError {
  unsigned column = 0;
  std::string message;
};

// Splits one line (without its newline) into tokens, dropping whitespace and
// a `#` comment outside strings. Token texts point into `line`, or into
// `unescaped` for strings with backslashes (both must outlive the tokens).
// On a lexical error returns false and fills `error`; `tokens` then holds
// what came before it.
bool tokenize_line(std::string_view line, std::vector<Token>& tokens, std::string& unescaped, LexError& error);

// How a token reads in "expected X, found Y" messages.
std::string describe(const Token& token);

}  // namespace secstore::detail
