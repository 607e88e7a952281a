// Security.store lexer (SPEC §2.1): one line at a time, since a statement
// never spans lines.
#pragma once

#include <array>
#include <bit>
#include <cstring>
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

// Sixteen bytes at a time, as one vector: GCC lowers this type to SSE2 on
// amd64, NEON on arm64 and plain words elsewhere, so one source serves
// every Debian architecture. A comparison gives 0xff in each byte where it
// holds. (Vectors stay local variables: as arguments, some ABIs pass them
// differently by compiler version, and GCC warns.)
using ByteVector = unsigned char __attribute__((vector_size(16)));

// The place of the first byte, in memory order, where `halves` (a
// ByteVector's bytes) is not zero; 16 when it is zero throughout.
inline unsigned first_nonzero_byte(const std::uint64_t (&halves)[2]) {
  for (unsigned h = 0; h < 2; ++h) {
    if (halves[h] == 0) continue;
    const int bit = std::endian::native == std::endian::little ? __builtin_ctzll(halves[h]) : __builtin_clzll(halves[h]);
    return h * 8 + static_cast<unsigned>(bit) / 8;
  }
  return 16;
}

// The first position from `i` (at most `n`) whose byte is not of class
// `bit`: kWordChar, kInDoubleQuotes or kInSingleQuotes, the classes that
// tokens span. Sixteen bytes a step while sixteen are left (one test of
// them for a short token), then by the table.
inline std::size_t span_of(const char* s, std::size_t i, std::size_t n, std::uint8_t bit) {
  // clang on POWER reads vector comparisons by AltiVec's rules, which it is
  // changing to give a scalar: there the table does it all.
#if !(defined(__clang__) && defined(__ALTIVEC__))
  for (; i + 16 <= n; i += 16) {
    ByteVector v;
    std::memcpy(&v, s + i, sizeof v);
    ByteVector outside;
    if (bit == kWordChar) {
      outside = ~(ByteVector)(((ByteVector)((v | 0x20) - 'a') < 26) | ((ByteVector)(v - '0') < 10) | (v == '_'));
    } else {
      const unsigned char quote = bit == kInDoubleQuotes ? '"' : '\'';
      outside = (ByteVector)((v == quote) | (v == '\\') | (v == '\n'));
    }
    std::uint64_t halves[2];
    std::memcpy(halves, &outside, sizeof halves);
    if (const unsigned k = first_nonzero_byte(halves); k < 16) return i + k;
  }
#endif
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
