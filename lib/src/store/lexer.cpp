#include "store/lexer.hpp"

#include <array>
#include <cstdint>

namespace secstore::detail {
namespace {

std::string printable(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  static const char* hex = "0123456789abcdef";
  unsigned char u = static_cast<unsigned char>(c);
  return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
}

}  // namespace

bool tokenize_line(std::string_view line, std::vector<Token>& tokens, std::string& unescaped, LexError& error) {
  // Unescaped text is never longer than the line: reserving it up front
  // keeps the views into it valid while more strings are appended. Both it
  // and the token list keep their buffers from line to line.
  unescaped.clear();
  unescaped.reserve(line.size());
  std::size_t i = 0;
  const std::size_t n = line.size();
  const char* const s = line.data();
  while (i < n) {
    const char c = s[i];
    const unsigned column = static_cast<unsigned>(i + 1);
    const std::uint8_t cls = class_of(c);
    if (cls & kSpace) {
      ++i;
      continue;
    }
    // Every branch that makes a token fills this and falls through to the
    // one push_back below: a single call site, which the compiler inlines.
    Token token{TokenKind::Word, column, {}, 0};
    if (cls & kWordStart) {
      const std::size_t j = span_of(s, i + 1, n, kWordChar);
      token.text = line.substr(i, j - i);
      i = j;
    } else if (c == '"' || c == '\'') {
      // Most strings hold no backslash: taken whole as a view of the line.
      std::size_t j = span_of(s, i + 1, n, c == '"' ? kInDoubleQuotes : kInSingleQuotes);
      std::string_view text = line.substr(i + 1, j - i - 1);
      if (j < n && s[j] == '\\') {
        const std::size_t escaped_from = unescaped.size();  // where in `unescaped` this string starts
        unescaped.append(text);
        while (j < n && s[j] != c) {
          if (s[j] == '\\') {
            if (j + 1 >= n) break;  // a backslash cannot escape the end of the line
            unescaped += s[j + 1];
            j += 2;
          } else {
            unescaped += s[j];
            ++j;
          }
        }
        text = std::string_view(unescaped).substr(escaped_from);
      }
      if (j >= n || s[j] != c) {
        error = {column, std::string("expected a closing ") + c + " for the string opened here, found the end of the line"};
        return false;
      }
      token.kind = TokenKind::String;
      token.text = text;
      i = j + 1;
    } else if (c == '[' || c == ']' || c == ',') {
      token.kind = c == '[' ? TokenKind::ListOpen : c == ']' ? TokenKind::ListClose : TokenKind::Comma;
      token.text = line.substr(i, 1);
      ++i;
    } else if (c == '#') {
      return true;  // the rest of the line is a comment
    } else {
      error = {column, "expected a keyword, a quoted string, '[', ']' or ',', found " + printable(c)};
      return false;
    }
    token.end_column = static_cast<unsigned>(i + 1);
    tokens.push_back(token);
  }
  return true;
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::Word: return "'" + std::string(token.text) + "'";
    case TokenKind::String: return "the string \"" + std::string(token.text) + "\"";
    case TokenKind::ListOpen: return "'['";
    case TokenKind::ListClose: return "']'";
    case TokenKind::Comma: return "','";
  }
  return "a token";
}

}  // namespace secstore::detail
