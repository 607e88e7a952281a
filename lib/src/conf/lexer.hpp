// Tokens of the Ecelerity configuration syntax used by secstore.conf (SPEC §3).
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/diagnostic.hpp"

namespace secstore::detail {

enum class ConfTokenKind {
  Word,        // a bare value or name
  String,      // a "quoted" value, quotes removed, escapes applied
  Equals,      // =
  OpenBrace,   // {
  CloseBrace,  // }
  OpenParen,   // (
  CloseParen,  // )
  End,         // end of the text
};

// `text` views the lexed text, or for a string with escapes the value with
// them applied, held by the ConfTokens it came in: a token costs no copy.
struct ConfToken {
  ConfTokenKind kind = ConfTokenKind::End;
  std::string_view text;
  unsigned line = 0;
  unsigned column = 0;
};

struct ConfTokens {
  std::vector<ConfToken> tokens;
  // Strings whose escapes were applied; a deque, so that adding one never
  // moves those that tokens already view.
  std::deque<std::string> unescaped;
};

// Splits a whole file into tokens; comments and whitespace are dropped. The
// last token is always End. A lexical error (a stray character, a string or
// comment that is not closed) is returned as the only diagnostic, located
// where the offending construct starts. The tokens view `text`, which must
// outlive them.
Outcome<ConfTokens> tokenize_conf(std::string_view text, const std::string& file);

}  // namespace secstore::detail
