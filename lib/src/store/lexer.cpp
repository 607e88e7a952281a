#include "store/lexer.hpp"

namespace secstore::detail {
namespace {

bool is_word_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_word_char(char c) { return is_word_start(c) || (c >= '0' && c <= '9'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string printable(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  static const char* hex = "0123456789abcdef";
  unsigned char u = static_cast<unsigned char>(c);
  return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
}

}  // namespace

bool tokenize_line(std::string_view line, std::vector<Token>& tokens, std::string& unescaped, LexError& error) {
  // Unescaped text is never longer than the line: reserving it up front
  // keeps the views into it valid while more strings are appended.
  unescaped.clear();
  unescaped.reserve(line.size());
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (i < n) {
    const char c = line[i];
    const unsigned column = static_cast<unsigned>(i + 1);
    if (is_space(c)) {
      ++i;
    } else if (c == '#') {
      return true;  // the rest of the line is a comment
    } else if (c == '[') {
      tokens.push_back({TokenKind::ListOpen, column, "[", column + 1});
      ++i;
    } else if (c == ']') {
      tokens.push_back({TokenKind::ListClose, column, "]", column + 1});
      ++i;
    } else if (c == ',') {
      tokens.push_back({TokenKind::Comma, column, ",", column + 1});
      ++i;
    } else if (c == '"' || c == '\'') {
      std::size_t j = i + 1;
      std::size_t escaped_from = std::string::npos;  // where in `unescaped` this string starts
      bool closed = false;
      while (j < n) {
        if (line[j] == '\\') {
          if (j + 1 >= n) break;  // a backslash cannot escape the end of the line
          if (escaped_from == std::string::npos) {
            escaped_from = unescaped.size();
            unescaped.append(line.substr(i + 1, j - i - 1));
          }
          unescaped += line[j + 1];
          j += 2;
        } else if (line[j] == c) {
          closed = true;
          break;
        } else {
          if (escaped_from != std::string::npos) unescaped += line[j];
          ++j;
        }
      }
      if (!closed) {
        error = {column, std::string("expected a closing ") + c + " for the string opened here, found the end of the line"};
        return false;
      }
      const std::string_view text = escaped_from == std::string::npos
                                        ? line.substr(i + 1, j - i - 1)
                                        : std::string_view(unescaped).substr(escaped_from);
      tokens.push_back({TokenKind::String, column, text, static_cast<unsigned>(j + 2)});
      i = j + 1;
    } else if (is_word_start(c)) {
      std::size_t j = i + 1;
      while (j < n && is_word_char(line[j])) ++j;
      tokens.push_back({TokenKind::Word, column, line.substr(i, j - i), static_cast<unsigned>(j + 1)});
      i = j;
    } else {
      error = {column, "expected a keyword, a quoted string, '[', ']' or ',', found " + printable(c)};
      return false;
    }
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
