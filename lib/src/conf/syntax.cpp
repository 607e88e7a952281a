#include "conf/syntax.hpp"

#include "conf/lexer.hpp"
#include "conf/text.hpp"

namespace secstore::detail {
namespace {

using Kind = ConfTokenKind;

std::string describe(const ConfToken& t) {
  switch (t.kind) {
    case Kind::Word: return "\"" + std::string(t.text) + "\"";
    case Kind::String: return "the string \"" + std::string(t.text) + "\"";
    case Kind::Equals: return "'='";
    case Kind::OpenBrace: return "'{'";
    case Kind::CloseBrace: return "'}'";
    case Kind::OpenParen: return "'('";
    case Kind::CloseParen: return "')'";
    case Kind::End: return "the end of the file";
  }
  return "something unexpected";
}

class Parser {
 public:
  Parser(ConfTokens tokens, const std::string& file, std::uint32_t file_index)
      : lexed_(std::move(tokens)), file_(file), file_index_(file_index) {}

  Outcome<std::vector<ConfNode>> run() {
    std::vector<ConfNode> nodes;
    body(nodes, nullptr);
    if (error_) return Outcome<std::vector<ConfNode>>::failure(std::move(*error_));
    Outcome<std::vector<ConfNode>> out;
    out.value = std::move(nodes);
    return out;
  }

 private:
  const ConfToken& peek() const { return tokens_[pos_]; }
  const ConfToken& take() {
    const ConfToken& t = tokens_[pos_];
    if (t.kind != Kind::End) ++pos_;
    return t;
  }
  ConfPos at(const ConfToken& t) const { return ConfPos{file_index_, t.line, t.column}; }
  void fail(const ConfToken& t, std::string message) {
    if (!error_) error_ = make_error(Location{file_, t.line, t.column}, std::move(message));
  }

  // Items up to the closing '}' of `open` (or the end of the file when
  // `open` is null, i.e. at top level).
  void body(std::vector<ConfNode>& nodes, const ConfToken* open) {
    while (!error_) {
      const ConfToken& t = peek();
      if (t.kind == Kind::End) {
        if (open != nullptr) fail(*open, "this scope is never closed with '}'");
        return;
      }
      if (t.kind == Kind::CloseBrace) {
        if (open == nullptr) {
          fail(t, "unexpected '}': no scope is open here");
          return;
        }
        take();
        return;
      }
      if (t.kind != Kind::Word) {
        fail(t, "expected an option or scope name, found " + describe(t));
        return;
      }
      item(nodes);
    }
  }

  // The node is built where it is kept, not moved there: a node is large,
  // and a file is mostly nodes. After an error the whole parse is dropped,
  // so a node left half built does not matter.
  void item(std::vector<ConfNode>& nodes) {
    const ConfToken& name = take();
    ConfNode& node = nodes.emplace_back();
    node.name = std::string(name.text);
    node.where = at(name);
    const ConfToken& next = peek();

    if (iequals(name.text, "include")) {
      if (next.kind != Kind::String && next.kind != Kind::Word) {
        fail(next, "expected the file or directory to include, in quotes, after include; found " +
                       describe(next));
        return;
      }
      const ConfToken& target = take();
      node.kind = ConfNode::Kind::Include;
      node.value.where = at(target);
      node.value.items.push_back(ConfItem{std::string(target.text), target.kind == Kind::String, at(target)});
      return;
    }

    if (next.kind == Kind::Equals) {
      take();
      node.kind = ConfNode::Kind::Option;
      value(node.value);
      return;
    }

    if (next.kind == Kind::String || next.kind == Kind::Word) {
      const ConfToken& instance = take();
      node.instance = ConfItem{std::string(instance.text), instance.kind == Kind::String, at(instance)};
    }
    const ConfToken& open = peek();
    if (open.kind != Kind::OpenBrace) {
      fail(open, node.instance ? "expected '{' to open the scope \"" + node.name + "\", found " +
                                     describe(open)
                               : "expected '=' or '{' after \"" + node.name + "\", found " +
                                     describe(open));
      return;
    }
    take();
    // Only one level is meaningful (Security at top level); the bound keeps
    // a hostile "a { a { a { ..." from exhausting the stack.
    if (++depth_ > kMaxScopeDepth) {
      fail(open, "scopes nest deeper than " + std::to_string(kMaxScopeDepth) + " levels");
      return;
    }
    node.kind = ConfNode::Kind::Scope;
    body(node.children, &open);
    --depth_;
  }

  void value(ConfValue& v) {
    const ConfToken& t = peek();
    v.where = at(t);
    if (t.kind == Kind::String || t.kind == Kind::Word) {
      take();
      v.items.push_back(ConfItem{std::string(t.text), t.kind == Kind::String, at(t)});
      return;
    }
    if (t.kind != Kind::OpenParen) {
      fail(t, "expected a value after '=', found " + describe(t));
      return;
    }
    const ConfToken& open = take();
    v.is_list = true;
    for (;;) {
      const ConfToken& item = peek();
      if (item.kind == Kind::CloseParen) {
        take();
        return;
      }
      if (item.kind != Kind::String && item.kind != Kind::Word) {
        // Whatever stopped the list, the fix is at its '('.
        fail(open, "this list is never closed with ')': found " + describe(item) + " at line " +
                       std::to_string(item.line) + ", column " + std::to_string(item.column) +
                       " before any ')'");
        return;
      }
      take();
      v.items.push_back(ConfItem{std::string(item.text), item.kind == Kind::String, at(item)});
    }
  }

  ConfTokens lexed_;
  const std::vector<ConfToken>& tokens_ = lexed_.tokens;
  const std::string& file_;
  std::uint32_t file_index_;
  static constexpr unsigned kMaxScopeDepth = 16;
  std::size_t pos_ = 0;
  unsigned depth_ = 0;
  std::optional<Diagnostic> error_;
};

}  // namespace

Outcome<std::vector<ConfNode>> parse_conf_syntax(std::string_view text, const std::string& file,
                                                 std::uint32_t file_index) {
  auto tokens = tokenize_conf(text, file);
  if (!tokens.ok()) {
    Outcome<std::vector<ConfNode>> out;
    out.diagnostics = std::move(tokens.diagnostics);
    return out;
  }
  return Parser(std::move(*tokens.value), file, file_index).run();
}

}  // namespace secstore::detail
