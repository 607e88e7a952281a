#include "conf/lexer.hpp"

namespace secstore::detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Characters a bare value may not hold (SPEC §3); '/' and '#' are handled
// apart because they can start comments.
bool ends_bare_word(char c) {
  switch (c) {
    case '#': case '/': case '"': case '\'': case '=':
    case '{': case '}': case '[': case ']': case '(': case ')':
      return true;
    default:
      return is_space(c);
  }
}

class Lexer {
 public:
  Lexer(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  Outcome<ConfTokens> run() {
    Outcome<ConfTokens> out;
    out.value.emplace();
    std::vector<ConfToken>& tokens = out.value->tokens;
    unescaped_ = &out.value->unescaped;
    tokens.reserve(text_.size() / 8 + 1);
    for (;;) {
      skip_blank();
      if (error_) return Outcome<ConfTokens>::failure(std::move(*error_));
      if (at_end()) break;
      tokens.push_back(next_token());
      if (error_) return Outcome<ConfTokens>::failure(std::move(*error_));
    }
    tokens.push_back(ConfToken{ConfTokenKind::End, {}, line_, column_});
    return out;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }
  void fail(unsigned line, unsigned column, std::string message) {
    error_ = make_error(Location{file_, line, column}, std::move(message));
  }

  // Whitespace, `# ...` to the end of the line, and `/* ... */` (which does
  // not nest: the first `*/` closes it).
  void skip_blank() {
    while (!at_end()) {
      char c = peek();
      if (is_space(c)) {
        advance();
      } else if (c == '#') {
        const std::size_t newline = text_.find('\n', pos_);
        const std::size_t end = newline == std::string_view::npos ? text_.size() : newline;
        column_ += static_cast<unsigned>(end - pos_);
        pos_ = end;
      } else if (c == '/' && peek(1) == '*') {
        unsigned line = line_, column = column_;
        advance();
        advance();
        for (;;) {
          if (at_end()) {
            fail(line, column, "this /* comment is never closed with */");
            return;
          }
          if (peek() == '*' && peek(1) == '/') {
            advance();
            advance();
            break;
          }
          advance();
        }
      } else {
        return;
      }
    }
  }

  ConfToken next_token() {
    ConfToken token;
    token.line = line_;
    token.column = column_;
    char c = peek();
    switch (c) {
      case '=': token.kind = ConfTokenKind::Equals; break;
      case '{': token.kind = ConfTokenKind::OpenBrace; break;
      case '}': token.kind = ConfTokenKind::CloseBrace; break;
      case '(': token.kind = ConfTokenKind::OpenParen; break;
      case ')': token.kind = ConfTokenKind::CloseParen; break;
      case '"': return quoted(token);
      case '/':
        fail(line_, column_,
             "unexpected '/': a value holding '/' must be quoted, for example \"/srv/jail\"");
        return token;
      case '\'':
        fail(line_, column_, "unexpected ': values are quoted with \" in secstore.conf");
        return token;
      case '[':
      case ']':
        fail(line_, column_,
             std::string("unexpected '") + c + "': lists are written with parentheses, ( a b c )");
        return token;
      default: return bare(token);
    }
    token.text = text_.substr(pos_, 1);
    advance();
    return token;
  }

  ConfToken quoted(ConfToken token) {
    token.kind = ConfTokenKind::String;
    advance();  // the opening quote
    // Most strings are plain: taken whole when nothing before the closing
    // quote needs a second look (an escape, a control character).
    std::size_t end = pos_;
    while (end < text_.size()) {
      unsigned char c = static_cast<unsigned char>(text_[end]);
      if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) break;
      ++end;
    }
    if (end < text_.size() && text_[end] == '"') {
      token.text = text_.substr(pos_, end - pos_);
      column_ += static_cast<unsigned>(end - pos_) + 1;
      pos_ = end + 1;
      return token;
    }
    std::string& value = unescaped_->emplace_back();
    for (;;) {
      if (at_end() || peek() == '\n') {
        fail(token.line, token.column,
             "this string is not closed: a \" is missing before the end of the line");
        return token;
      }
      char c = peek();
      if (c == '"') {
        advance();
        token.text = value;
        return token;
      }
      if (c == '\\') {
        advance();  // a backslash makes the next character literal
        if (at_end() || peek() == '\n') continue;  // reported as not closed
        c = peek();
      }
      // A NUL would cut the value short where it reaches a C API (a chroot
      // path, a user name); no control character belongs in a value.
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
        fail(line_, column_, "unexpected control character in a string");
        return token;
      }
      value += c;
      advance();
    }
  }

  ConfToken bare(ConfToken token) {
    token.kind = ConfTokenKind::Word;
    // A bare word holds no newline, so it is taken whole and the column
    // moves by its length.
    std::size_t end = pos_;
    while (end < text_.size() && !ends_bare_word(text_[end])) {
      unsigned char c = static_cast<unsigned char>(text_[end]);
      if (c < 0x20 || c == 0x7f) {
        token.text = text_.substr(pos_, end - pos_);
        column_ += static_cast<unsigned>(end - pos_);
        pos_ = end;
        fail(line_, column_, "unexpected control character in a value");
        return token;
      }
      ++end;
    }
    token.text = text_.substr(pos_, end - pos_);
    column_ += static_cast<unsigned>(end - pos_);
    pos_ = end;
    // A bare word runs into a character it may not hold (other than one that
    // starts a comment or is punctuation of the syntax): say so here rather
    // than as a puzzling error at the next token.
    if (!at_end()) {
      char c = peek();
      if (c == '/' && peek(1) != '*')
        fail(line_, column_,
             "unexpected '/' in the value \"" + std::string(token.text) +
                 "...\": a value holding '/' must be quoted, for example \"/srv/jail\"");
      else if (c == '"' || c == '\'')
        fail(line_, column_,
             std::string("unexpected ") + c + " in the middle of the value \"" + std::string(token.text) +
                 "\": quote the whole value");
    }
    return token;
  }

  std::string_view text_;
  const std::string& file_;
  std::deque<std::string>* unescaped_ = nullptr;
  std::size_t pos_ = 0;
  unsigned line_ = 1;
  unsigned column_ = 1;
  std::optional<Diagnostic> error_;
};

}  // namespace

Outcome<ConfTokens> tokenize_conf(std::string_view text, const std::string& file) {
  return Lexer(text, file).run();
}

}  // namespace secstore::detail
