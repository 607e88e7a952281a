#include "store/parser.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#include "secstore/store.hpp"
#include "secstore/suggest.hpp"
#include "store/data.hpp"
#include "store/permission_names.hpp"

namespace secstore::detail {
namespace {

std::uint64_t load8(const char* p) {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

// Keywords are lower-case letters, each with bit 0x20 set: for any byte b,
// `(b | 0x20) == k` holds only when b is the letter k in either case, so
// this is an exact ASCII case-insensitive match, eight bytes a step.
bool word_is(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  const char* a = word.data();
  const char* k = keyword.data();
  std::size_t n = keyword.size();
  for (; n >= 8; n -= 8, a += 8, k += 8)
    if ((load8(a) | 0x2020202020202020ull) != load8(k)) return false;
  for (; n > 0; --n, ++a, ++k)
    if ((*a | 0x20) != *k) return false;
  return true;
}

bool keyword_is(const Token& t, std::string_view keyword) {
  return t.kind == TokenKind::Word && word_is(t.text, keyword);
}

// `byte` placed at byte k (0-7, in memory order) of an eight-byte word, as
// load8 reads one: the one placement rule of the compare tables below.
constexpr std::uint64_t byte_in_word(std::uint64_t byte, unsigned k) {
  return byte << (std::endian::native == std::endian::little ? 8 * k : 8 * (7 - k));
}

// A keyword of the shortcut below, as eight-byte words in memory order for
// LineReader::keyword: `first` is its first eight bytes with zeros past
// its end, `mask` 0xff in the bytes it covers, `last` its last eight.
struct Keyword {
  std::string_view text;
  std::uint64_t first, mask, last;

  static constexpr std::uint64_t word_of(std::string_view bytes, std::size_t from, std::size_t count, bool ones) {
    std::uint64_t w = 0;
    for (std::size_t k = 0; k < count && k < 8; ++k) {
      w |= byte_in_word(ones ? 0xff : static_cast<unsigned char>(bytes[from + k]), static_cast<unsigned>(k));
    }
    return w;
  }
  consteval explicit Keyword(std::string_view lower_case)
      : text(lower_case),
        first(word_of(lower_case, 0, lower_case.size(), false)),
        mask(word_of(lower_case, 0, lower_case.size(), true)),
        last(lower_case.size() >= 8 ? word_of(lower_case, lower_case.size() - 8, 8, false) : 0) {}
};

constexpr Keyword kSet{"set"}, kPath{"path"}, kTopic{"topic"}, kPermissions{"permissions"};

// The path permission names as LineReader::path_permission matches them in
// a text, without finding the word's end first or looking it up apart:
// each name as eight-byte words in memory order (`want`, in lower case),
// compared with the text's words after OR-ing in `fold`, which is 0x20 in
// a letter's byte and 0 in an underscore's. (b | 0x20) equals a lower-case
// letter only when b is that letter in either case, and an underscore is
// compared exactly, so a compare holds only for the name, case aside. A
// name's last word ends with the name and may overlap the one before.
struct PathPermissionPatterns {
  static constexpr unsigned kMaxWords = 5;
  struct Name {
    unsigned length = 0, words = 0;
    std::array<unsigned, kMaxWords> at{};
    std::array<std::uint64_t, kMaxWords> fold{}, want{};
  };
  std::array<Name, kPathPermissionCount> names{};
  // Bit k of by_letter[c - 'a']: the name k starts with the letter c.
  std::array<std::uint16_t, 26> by_letter{};

  consteval PathPermissionPatterns() {
    static_assert(kPathPermissionCount <= 16);
    for (unsigned i = 0; i < kPathPermissionCount; ++i) {
      const std::string_view text = detail::kPathNames[i];
      Name& n = names[i];
      n.length = static_cast<unsigned>(text.size());
      if (n.length < 8 || n.length > 8 * (kMaxWords - 1) + 7)
        throw "a path permission name is shorter than a word or longer than kMaxWords words";
      if (text[0] < 'A' || text[0] > 'Z') throw "a path permission name does not start with a capital letter";
      for (unsigned at = 0;; at += 8) {
        const unsigned from = at + 8 <= n.length ? at : n.length - 8;
        n.at[n.words] = from;
        for (unsigned k = 0; k < 8; ++k) {
          const char c = text[from + k];
          if (c == '_') {
            n.want[n.words] |= byte_in_word('_', k);
          } else if (c >= 'A' && c <= 'Z') {
            n.want[n.words] |= byte_in_word(static_cast<unsigned char>(c | 0x20), k);
            n.fold[n.words] |= byte_in_word(0x20, k);
          } else {
            throw "a path permission name holds more than capital letters and underscores";
          }
        }
        ++n.words;
        if (from + 8 >= n.length) break;
      }
      by_letter[text[0] - 'A'] |= static_cast<std::uint16_t>(1u << i);
    }
  }
};

constexpr PathPermissionPatterns kPathPermissionPatterns;

// A text's bytes from its start to its first line's end, read by the
// lexer's rules (lexer.hpp), for the shortcut below: it takes only what the
// lexer would take as a whole token, and no class holds '\n', so no token
// runs past the line. (A keyword is compared eight bytes at once, which
// may look past the line's end, always within the text; those bytes are
// masked out.)
class LineReader {
 public:
  explicit LineReader(std::string_view line) : s_(line.data()), n_(line.size()) {}

  std::size_t at() const { return i_; }
  bool at_end() const { return i_ >= n_; }
  char peek() const { return s_[i_]; }
  void skip() { ++i_; }
  void blanks() {
    while (i_ < n_ && (class_of(s_[i_]) & kSpace)) ++i_;
  }
  // Whether the word here is `keyword`, read past it if so.
  bool keyword(const Keyword& keyword) {
    const std::size_t n = keyword.text.size();
    if (n_ - i_ < n) return false;
    if (n_ - i_ >= 8) {
      // Eight bytes a compare: the first eight (masked to the keyword's
      // length), and for a longer keyword its last eight.
      if (((load8(s_ + i_) | 0x2020202020202020ull) & keyword.mask) != keyword.first) return false;
      if (n > 8 && (load8(s_ + i_ + n - 8) | 0x2020202020202020ull) != keyword.last) return false;
    } else if (!word_is(std::string_view(s_ + i_, n), keyword.text)) {
      return false;
    }
    if (i_ + n < n_ && (class_of(s_[i_ + n]) & kWordChar)) return false;
    i_ += n;
    return true;
  }
  // The path permission whose name, in any case, is the whole word here,
  // read past it if so: what path_permission_from_name finds for the word
  // here, without finding the word's end first. A name matches only bytes
  // of its own, so the one that matches up to a byte that ends a word is
  // that word.
  std::optional<PathPermission> path_permission() {
    if (i_ >= n_) return std::nullopt;
    const unsigned letter = static_cast<unsigned char>(s_[i_] | 0x20) - unsigned{'a'};
    if (letter >= 26) return std::nullopt;
    const std::size_t left = n_ - i_;
    for (unsigned bits = kPathPermissionPatterns.by_letter[letter]; bits != 0; bits &= bits - 1) {
      const auto k = static_cast<unsigned>(__builtin_ctz(bits));
      const auto& name = kPathPermissionPatterns.names[k];
      if (left < name.length || (left > name.length && (class_of(s_[i_ + name.length]) & kWordChar))) continue;
      bool same = true;
      for (unsigned w = 0; w < name.words && same; ++w)
        same = (load8(s_ + i_ + name.at[w]) | name.fold[w]) == name.want[w];
      if (!same) continue;
      i_ += name.length;
      return static_cast<PathPermission>(k);
    }
    return std::nullopt;
  }
  // A quoted string here that holds no backslash (one that does is left
  // to the lexer, which resolves escapes).
  bool plain_string(std::string_view& out) {
    if (i_ >= n_ || (s_[i_] != '"' && s_[i_] != '\'')) return false;
    const char quote = s_[i_];
    const std::size_t j = span_of(s_, i_ + 1, n_, quote == '"' ? kInDoubleQuotes : kInSingleQuotes);
    if (j >= n_ || s_[j] != quote) return false;
    out = std::string_view(s_ + i_ + 1, j - i_ - 1);
    i_ = j + 1;
    return true;
  }

 private:
  const char* s_;
  std::size_t n_;
  std::size_t i_ = 0;
};

template <class Perm>
std::string list_of_names(unsigned count) {
  std::string out;
  for (unsigned i = 0; i < count; ++i) {
    if (i) out += ", ";
    out += name_of(static_cast<Perm>(i));
  }
  return out;
}

// Walks one line's tokens; every expect_* reports "expected X, found Y" at
// the column of Y (or just past the line's last token at its end).
class Cursor {
 public:
  Cursor(const std::vector<Token>& tokens, std::vector<ParseError>& errors)
      : tokens_(tokens), errors_(errors) {}

  bool at_end() const { return pos_ >= tokens_.size(); }
  const Token* peek() const { return at_end() ? nullptr : &tokens_[pos_]; }
  const Token& next() { return tokens_[pos_++]; }

  unsigned column_here() const {
    if (!at_end()) return tokens_[pos_].column;
    if (tokens_.empty()) return 1;
    const Token& last = tokens_.back();
    // Just past the last token; for strings the written length is unknown,
    // so point at the token itself rather than guess.
    return last.kind == TokenKind::String ? last.column : last.column + static_cast<unsigned>(last.text.size());
  }

  std::string found() const { return at_end() ? "the end of the line" : describe(tokens_[pos_]); }

  bool fail(const std::string& expected) {
    errors_.push_back({column_here(), "expected " + expected + ", found " + found()});
    return false;
  }

  // As fail(), with a "did you mean" when the word found is close to one
  // of the keywords expected.
  bool fail_keywords(const std::string& expected, std::initializer_list<std::string_view> keywords) {
    std::string hint;
    if (!at_end() && tokens_[pos_].kind == TokenKind::Word)
      hint = did_you_mean(tokens_[pos_].text, std::span<const std::string_view>(keywords.begin(), keywords.size()));
    errors_.push_back({column_here(), "expected " + expected + ", found " + found() + hint});
    return false;
  }

  bool expect_keyword(std::string_view keyword) {
    if (!at_end() && keyword_is(tokens_[pos_], keyword)) {
      ++pos_;
      return true;
    }
    return fail("'" + std::string(keyword) + "'");
  }

  // `path` and `topic` are synonyms everywhere (SPEC §2.1).
  bool expect_path_keyword() {
    if (!at_end() && (keyword_is(tokens_[pos_], "path") || keyword_is(tokens_[pos_], "topic"))) {
      ++pos_;
      return true;
    }
    return fail("'path' (or 'topic')");
  }

  // What is expected is named by a view: the message is built only when
  // there is an error to report, never on the way through a good line.
  bool expect_name(std::string_view what, std::string_view& out) {
    if (at_end() || tokens_[pos_].kind != TokenKind::String) return fail(std::string(what) + " in quotes");
    if (tokens_[pos_].text.empty()) {
      errors_.push_back({tokens_[pos_].column, "expected " + std::string(what) + ", found an empty string"});
      return false;
    }
    out = next().text;
    return true;
  }

  // A statement names at most one path, so its normal form, when it must be
  // built, has one place to live.
  bool expect_path(std::string_view& out, std::string& storage) {
    if (at_end() || tokens_[pos_].kind != TokenKind::String) return fail("a path in quotes");
    const Token& t = next();
    out = normal_view(t.text, storage);
    if (out.empty()) {
      errors_.push_back({t.column, "expected a non-empty path, found " + describe(t)});
      return false;
    }
    return true;
  }

  // [ item, item item ] — commas and/or whitespace between items.
  // `item` consumes one token and returns false after reporting a bad one;
  // the list keeps going so that every bad item on the line is reported.
  template <class ItemFn>
  bool expect_list(std::string_view item_what, ItemFn item) {
    if (at_end() || tokens_[pos_].kind != TokenKind::ListOpen)
      return fail("'[' to open a list of " + std::string(item_what));
    const unsigned open_column = next().column;
    bool ok = true;
    bool after_item = false;
    for (;;) {
      if (at_end()) {
        errors_.push_back({column_here(), "expected ']' to close the list opened at column " +
                                              std::to_string(open_column) + ", found the end of the line"});
        return false;
      }
      const Token& t = tokens_[pos_];
      if (t.kind == TokenKind::ListClose) {
        ++pos_;
        return ok;
      }
      if (t.kind == TokenKind::Comma && after_item) {
        ++pos_;
        after_item = false;
        continue;
      }
      if (t.kind == TokenKind::Comma || t.kind == TokenKind::ListOpen)
        return fail(std::string(item_what.substr(0, item_what.size() - 1)) + " or ']'");
      if (!item(next())) ok = false;
      after_item = true;
    }
  }

  std::vector<ParseError>& errors() { return errors_; }

 private:
  const std::vector<Token>& tokens_;
  std::vector<ParseError>& errors_;
  std::size_t pos_ = 0;
};

bool parse_global_list(Cursor& c, GlobalPermissions& out) {
  return c.expect_list("global permissions", [&](const Token& t) {
    if (t.kind == TokenKind::Word) {
      if (auto p = global_permission_from_name(t.text)) {
        out.add(*p);
        return true;
      }
    }
    std::string found = t.kind != TokenKind::Word               ? describe(t)
                        : path_permission_from_name(t.text)     ? "the path permission " + std::string(t.text)
                                                                : "the unknown permission " + std::string(t.text) +
                                                                      did_you_mean(t.text, global_permission_names());
    c.errors().push_back({t.column, "expected a global permission (one of " +
                                        list_of_names<GlobalPermission>(kGlobalPermissionCount) +
                                        "), found " + found});
    return false;
  });
}

bool parse_path_list(Cursor& c, PathPermissions& out) {
  return c.expect_list("path permissions", [&](const Token& t) {
    if (t.kind == TokenKind::Word) {
      if (auto p = path_permission_from_name(t.text)) {
        out.add(*p);
        return true;
      }
    }
    std::string found = t.kind != TokenKind::Word               ? describe(t)
                        : global_permission_from_name(t.text)   ? "the global permission " + std::string(t.text)
                                                                : "the unknown permission " + std::string(t.text) +
                                                                      did_you_mean(t.text, path_permission_names());
    c.errors().push_back({t.column, "expected a path permission (one of " +
                                        list_of_names<PathPermission>(kPathPermissionCount) +
                                        "), found " + found});
    return false;
  });
}

bool parse_role_list(Cursor& c, std::vector<std::string_view>& out) {
  return c.expect_list("role names", [&](const Token& t) {
    if (t.kind == TokenKind::String && !t.text.empty()) {
      out.push_back(t.text);
      return true;
    }
    c.errors().push_back({t.column, "expected a role name in quotes, found " +
                                        (t.kind == TokenKind::String ? std::string("an empty string")
                                                                     : describe(t))});
    return false;
  });
}

// After `set "R"`.
bool parse_role_setting(Cursor& c, Statement& s) {
  if (c.at_end()) return c.fail("'permissions', 'default', 'path' or 'includes' after the role name");
  const Token& t = *c.peek();
  if (keyword_is(t, "permissions")) {
    c.next();
    s.kind = StatementKind::RolePermissions;
    return parse_global_list(c, s.global);
  }
  if (keyword_is(t, "default")) {
    c.next();
    s.kind = StatementKind::RoleDefaultPermissions;
    return c.expect_path_keyword() && c.expect_keyword("permissions") && parse_path_list(c, s.path);
  }
  if (keyword_is(t, "path") || keyword_is(t, "topic")) {
    c.next();
    s.kind = StatementKind::RolePathPermissions;
    return c.expect_path(s.subject, s.normalised) && c.expect_keyword("permissions") && parse_path_list(c, s.path);
  }
  if (keyword_is(t, "includes")) {
    c.next();
    s.kind = StatementKind::RoleIncludes;
    return parse_role_list(c, s.roles);
  }
  return c.fail_keywords("'permissions', 'default', 'path' or 'includes' after the role name",
                         {"permissions", "default", "path", "topic", "includes"});
}

// After `set roles for`.
bool parse_session_roles(Cursor& c, Statement& s) {
  if (c.at_end()) return c.fail("'named', 'anonymous', 'user' or 'group'");
  const Token& t = *c.peek();
  if (keyword_is(t, "named") || keyword_is(t, "anonymous")) {
    s.kind = keyword_is(t, "named") ? StatementKind::NamedSessionRoles : StatementKind::AnonymousSessionRoles;
    c.next();
    return c.expect_keyword("sessions") && parse_role_list(c, s.roles);
  }
  if (keyword_is(t, "user")) {
    c.next();
    s.kind = StatementKind::UserRoles;
    return c.expect_name("a user name", s.subject) && parse_role_list(c, s.roles);
  }
  if (keyword_is(t, "group")) {
    c.next();
    s.kind = StatementKind::GroupRoles;
    return c.expect_name("a group name", s.subject) && parse_role_list(c, s.roles);
  }
  return c.fail_keywords("'named', 'anonymous', 'user' or 'group'", {"named", "anonymous", "user", "group"});
}

bool parse_set(Cursor& c, Statement& s) {
  if (!c.at_end() && c.peek()->kind == TokenKind::String) {
    if (!c.expect_name("a role name", s.role)) return false;
    return parse_role_setting(c, s);
  }
  if (!c.at_end() && keyword_is(*c.peek(), "roles")) {
    c.next();
    return c.expect_keyword("for") && parse_session_roles(c, s);
  }
  if (!c.at_end() && keyword_is(*c.peek(), "role")) {
    c.next();
    s.kind = StatementKind::RoleLock;
    return c.expect_name("a role name", s.role) && c.expect_keyword("locked") && c.expect_keyword("by") &&
           c.expect_keyword("principal") && c.expect_name("a principal name", s.subject);
  }
  return c.fail_keywords("a role name in quotes, 'roles' or 'role' after 'set'", {"roles", "role"});
}

}  // namespace

bool parse_path_statement(std::string_view line, Statement& s) {
  std::size_t length = 0;
  return parse_path_statement_in(line, s, length) && length == line.size();
}

// Fills `s` only when it takes the line.
bool parse_path_statement_in(std::string_view text, Statement& s, std::size_t& line_length) {
  LineReader r(text);
  r.blanks();
  const std::size_t first = r.at();
  if (!r.keyword(kSet)) return false;
  r.blanks();
  std::string_view role;
  if (!r.plain_string(role) || role.empty()) return false;
  r.blanks();
  if (!r.keyword(kPath) && !r.keyword(kTopic)) return false;
  r.blanks();
  std::string_view written;
  if (!r.plain_string(written)) return false;
  const std::string_view path = normal_view(written, s.normalised);
  if (path.empty()) return false;
  r.blanks();
  if (!r.keyword(kPermissions)) return false;
  r.blanks();
  if (r.at_end() || r.peek() != '[') return false;
  r.skip();
  // As expect_list: items apart by commas and/or blanks, one comma after
  // an item at most, a comma before the ']' allowed.
  PathPermissions permissions;
  bool after_item = false;
  for (;;) {
    r.blanks();
    if (r.at_end()) return false;
    if (r.peek() == ']') {
      r.skip();
      break;
    }
    if (r.peek() == ',') {
      if (!after_item) return false;
      r.skip();
      after_item = false;
      continue;
    }
    const auto permission = r.path_permission();
    if (!permission) return false;
    permissions.add(*permission);
    after_item = true;
  }
  r.blanks();
  if (r.at_end() || r.peek() == '\n') {
    line_length = r.at();
  } else if (r.peek() == '#') {
    line_length = std::min(text.find('\n', r.at()), text.size());
  } else {
    return false;
  }
  s.kind = StatementKind::RolePathPermissions;
  s.where.column = static_cast<std::uint32_t>(first + 1);
  s.role = role;
  s.subject = path;
  s.path = permissions;
  return true;
}

bool parse_statement(const std::vector<Token>& tokens, Statement& s, std::vector<ParseError>& errors) {
  Cursor c(tokens, errors);
  const std::size_t errors_before = errors.size();
  s.where.column = tokens.empty() ? 1 : tokens.front().column;
  bool ok = false;
  if (c.at_end()) {
    ok = c.fail("a statement");
  } else if (keyword_is(*c.peek(), "set")) {
    c.next();
    ok = parse_set(c, s);
  } else if (keyword_is(*c.peek(), "remove")) {
    c.next();
    s.kind = StatementKind::RemovePathPermissions;
    ok = c.expect_name("a role name", s.role) && c.expect_keyword("permissions") && c.expect_keyword("for") &&
         c.expect_path_keyword() && c.expect_path(s.subject, s.normalised);
  } else if (keyword_is(*c.peek(), "isolate") || keyword_is(*c.peek(), "deisolate")) {
    s.kind = keyword_is(*c.peek(), "isolate") ? StatementKind::Isolate : StatementKind::Deisolate;
    c.next();
    ok = c.expect_path_keyword() && c.expect_path(s.subject, s.normalised);
  } else {
    ok = c.fail_keywords("a statement ('set', 'remove', 'isolate' or 'deisolate')",
                         {"set", "remove", "isolate", "deisolate"});
  }
  if (ok && !c.at_end()) ok = c.fail("the end of the statement");
  if (!ok && errors.size() == errors_before) errors.push_back({s.where.column, "invalid statement"});
  return ok;
}

}  // namespace secstore::detail
