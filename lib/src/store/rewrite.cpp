#include "store/rewrite.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "store/lexer.hpp"
#include "store/parser.hpp"

namespace secstore::detail {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// What a statement sets: two statements with the same key set the same
// thing, and the later one wins (SPEC §2.2).
struct Key {
  StatementKind kind;
  std::string role, subject;
  friend bool operator==(const Key&, const Key&) = default;
};

// The key a statement sets, or the key of what it undoes.
Key key_of(const Statement& s) {
  switch (s.kind) {
    case StatementKind::RemovePathPermissions:
      return Key{StatementKind::RolePathPermissions, std::string(s.role), std::string(s.subject)};
    case StatementKind::Deisolate: return Key{StatementKind::Isolate, "", std::string(s.subject)};
    case StatementKind::Isolate: return Key{StatementKind::Isolate, "", std::string(s.subject)};
    default: return Key{s.kind, std::string(s.role), std::string(s.subject)};
  }
}

bool undoes(const Statement& s) {
  return s.kind == StatementKind::RemovePathPermissions || s.kind == StatementKind::Deisolate;
}

// A statement found on a line: what it sets (or undoes) and where it stands
// ([begin, end) in bytes, so what is before it and its trailing comment can
// stay). The key is a copy: the statement's texts die with the line's tokens.
struct Found {
  Key key;
  bool undoes = false;
  std::size_t begin = 0, end = 0;
};

std::optional<Found> statement_on(std::string_view line) {
  std::vector<Token> tokens;
  std::string unescaped;
  LexError lex_error;
  if (!tokenize_line(line, tokens, unescaped, lex_error) || tokens.empty()) return std::nullopt;
  Statement statement;
  std::vector<ParseError> errors;
  if (!parse_statement(tokens, statement, errors)) return std::nullopt;
  return Found{key_of(statement), undoes(statement), tokens.front().column - 1, tokens.back().end_column - 1};
}

struct Line {
  std::string text;
  std::optional<Key> key;
  std::size_t begin = 0, end = 0;
  std::optional<std::size_t> old;  // its line number - 1 in the file; none: appended
  bool deleted = false;
  bool changed = false;     // differs from `original` (a later statement may put it back)
  std::string_view original;  // as the file has it; empty for an appended line
};

std::vector<std::string_view> split_lines(std::string_view text, bool& final_newline) {
  std::vector<std::string_view> lines;
  final_newline = text.empty() || text.back() == '\n';
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// One line of the diff: ' ', '-' or '+', and its numbers in the old and the
// new file (for a line only one side has, the other number counts the lines
// before it on that side).
struct DiffLine {
  char mark;
  std::string_view text;
  std::size_t old_no, new_no;
  bool no_newline = false;  // the last line of its file, without a newline
};

std::string unified_diff(const std::vector<DiffLine>& lines, const std::string& old_label,
                         const std::string& new_label) {
  constexpr std::size_t kContext = 3;
  std::vector<std::size_t> changes;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].mark != ' ') changes.push_back(i);
  if (changes.empty()) return "";
  std::string out = "--- " + old_label + "\n+++ " + new_label + "\n";
  for (std::size_t c = 0; c < changes.size();) {
    // A hunk: from kContext before this change to kContext after the last
    // change that is within 2*kContext of the one before it.
    std::size_t first = changes[c] >= kContext ? changes[c] - kContext : 0;
    std::size_t last_change = changes[c];
    while (c + 1 < changes.size() && changes[c + 1] - last_change <= 2 * kContext) last_change = changes[++c];
    ++c;
    std::size_t last = std::min(lines.size() - 1, last_change + kContext);
    std::size_t old_count = 0, new_count = 0;
    for (std::size_t i = first; i <= last; ++i) {
      if (lines[i].mark != '+') ++old_count;
      if (lines[i].mark != '-') ++new_count;
    }
    // A range of zero lines is numbered by the line before it: an added
    // line's old_no (a removed line's new_no) counts the lines before it.
    auto start_of = [&](bool old_side) {
      for (std::size_t i = first; i <= last; ++i) {
        if (old_side && lines[i].mark != '+') return lines[i].old_no;
        if (!old_side && lines[i].mark != '-') return lines[i].new_no;
      }
      return old_side ? lines[first].old_no : lines[first].new_no;
    };
    out += "@@ -" + std::to_string(start_of(true)) + "," + std::to_string(old_count) + " +" +
           std::to_string(start_of(false)) + "," + std::to_string(new_count) + " @@\n";
    for (std::size_t i = first; i <= last; ++i) {
      out += lines[i].mark;
      out += lines[i].text;
      out += '\n';
      if (lines[i].no_newline) out += "\\ No newline at end of file\n";
    }
  }
  return out;
}

}  // namespace

StoreRewrite rewrite_store_text(std::string_view current, std::string_view script, RewriteMode mode,
                                const std::string& old_label, const std::string& new_label) {
  const std::string_view bom = current.starts_with(kBom) ? kBom : std::string_view{};
  bool final_newline = true;
  std::vector<Line> lines;
  {
    auto old_lines = split_lines(current.substr(bom.size()), final_newline);
    for (std::size_t i = 0; i < old_lines.size(); ++i) {
      Line line{std::string(old_lines[i]), std::nullopt, 0, 0, i, false, false, old_lines[i]};
      if (auto found = statement_on(old_lines[i])) {
        line.key = std::move(found->key);
        line.begin = found->begin;
        line.end = found->end;
      }
      lines.push_back(std::move(line));
    }
  }
  const std::size_t old_count = lines.size();

  bool script_final_newline = true;
  auto script_lines = split_lines(script.starts_with(kBom) ? script.substr(kBom.size()) : script, script_final_newline);
  for (std::string_view script_line : script_lines) {
    if (mode == RewriteMode::AppendOnly) {
      lines.push_back(Line{std::string(script_line), std::nullopt, 0, 0, std::nullopt, false, false, {}});
      continue;
    }
    auto found = statement_on(script_line);
    if (!found) continue;  // a comment or a blank line of the script
    const std::string_view written = script_line.substr(found->begin, found->end - found->begin);
    const Key& key = found->key;
    if (found->undoes) {
      for (auto& line : lines)
        if (!line.deleted && line.key == key) line.deleted = true;
      continue;
    }
    auto it = std::find_if(lines.rbegin(), lines.rend(), [&](const Line& l) { return !l.deleted && l.key == key; });
    if (it == lines.rend()) {
      lines.push_back(Line{std::string(written), key, 0, written.size(), std::nullopt, false, false, {}});
      continue;
    }
    std::string replaced = it->text.substr(0, it->begin);
    replaced += written;
    replaced += it->text.substr(it->end);
    if (replaced != it->text) {
      it->text = std::move(replaced);
      it->end = it->begin + written.size();
      it->changed = it->old.has_value() && it->text != it->original;
    }
  }

  // The new text: the lines kept, in order; it ends with a newline when the
  // file did or when lines were appended.
  std::size_t kept = 0;
  bool appended = false;
  for (const auto& l : lines) {
    if (l.deleted) continue;
    ++kept;
    appended = appended || !l.old;
  }
  const bool new_final_newline = appended || final_newline;
  StoreRewrite out;
  out.text = std::string(bom);
  std::size_t written = 0;
  for (const auto& l : lines) {
    if (l.deleted) continue;
    out.text += l.text;
    if (++written < kept || new_final_newline) out.text += '\n';
  }

  // The diff: the old lines and the new ones side by side.
  bool ignored = true;
  const auto old_lines = split_lines(current.substr(bom.size()), ignored);
  std::vector<DiffLine> diff;
  std::size_t new_no = 0;
  written = 0;
  for (const auto& l : lines) {
    const bool new_no_eol = !l.deleted && ++written == kept && !new_final_newline;
    if (!l.old) {
      if (!l.deleted) diff.push_back({'+', l.text, old_count, ++new_no, new_no_eol});
      continue;
    }
    const std::size_t old_no = *l.old + 1;
    const bool old_no_eol = old_no == old_count && !final_newline;
    const std::string_view old_text = old_lines[*l.old];
    if (l.deleted) {
      diff.push_back({'-', old_text, old_no, new_no, old_no_eol});
    } else if (l.changed || old_no_eol != new_no_eol) {
      diff.push_back({'-', old_text, old_no, new_no, old_no_eol});
      diff.push_back({'+', l.text, old_no, ++new_no, new_no_eol});
    } else {
      diff.push_back({' ', l.text, old_no, ++new_no, new_no_eol});
    }
  }
  out.diff = unified_diff(diff, old_label, new_label);
  return out;
}

}  // namespace secstore::detail
