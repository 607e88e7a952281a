// Security.store lexer (SPEC §2.1): one line at a time, since a statement
// never spans lines.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace secstore::detail {

// Character classes by table: the lexer looks at every byte of every store
// a session open reads, so each byte costs one load and one test. A word
// is a kWordStart byte and the kWordChar bytes after it; kSpace bytes
// separate tokens; a string quoted with " runs over kInDoubleQuotes bytes
// (all but '"', the backslash and '\n'), one quoted with ' over
// kInSingleQuotes. A line never holds a '\n'; leaving it out of every
// class lets a reader of a whole text stop at a line's end.
enum : std::uint8_t { kWordChar = 1, kWordStart = 2, kSpace = 4, kInDoubleQuotes = 8, kInSingleQuotes = 16 };

inline constexpr std::array<std::uint8_t, 256> kClasses = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = kInDoubleQuotes | kInSingleQuotes;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kWordChar | kWordStart;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kWordChar | kWordStart;
  t['_'] |= kWordChar | kWordStart;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kWordChar;
  for (char c : {' ', '\t', '\r', '\f', '\v'}) t[static_cast<unsigned char>(c)] |= kSpace;
  t['"'] &= static_cast<std::uint8_t>(~kInDoubleQuotes);
  t['\''] &= static_cast<std::uint8_t>(~kInSingleQuotes);
  t['\\'] &= static_cast<std::uint8_t>(~(kInDoubleQuotes | kInSingleQuotes));
  t['\n'] = 0;
  return t;
}();

inline std::uint8_t class_of(char c) { return kClasses[static_cast<unsigned char>(c)]; }

// The first position from `i` (at most `n`) whose byte is not of class
// `bit` (one of the above), four bytes a step while all four are.
inline std::size_t span_of(const char* s, std::size_t i, std::size_t n, std::uint8_t bit) {
  while (i + 4 <= n && (class_of(s[i]) & class_of(s[i + 1]) & class_of(s[i + 2]) & class_of(s[i + 3]) & bit)) i += 4;
  while (i < n && (class_of(s[i]) & bit)) ++i;
  return i;
}

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
