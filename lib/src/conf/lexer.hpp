// Tokens of the Ecelerity configuration syntax used by secstore.conf (SPEC §3).
#pragma once

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

struct ConfToken {
  ConfTokenKind kind = ConfTokenKind::End;
  std::string text;
  unsigned line = 0;
  unsigned column = 0;
};

// Splits a whole file into tokens; comments and whitespace are dropped. The
// last token is always End. A lexical error (a stray character, a string or
// comment that is not closed) is returned as the only diagnostic, located
// where the offending construct starts.
Outcome<std::vector<ConfToken>> tokenize_conf(std::string_view text, const std::string& file);

}  // namespace secstore::detail
