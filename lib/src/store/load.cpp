// Store construction: text -> statements -> builder -> indexed StoreData.
#include <memory>

#include "secstore/store.hpp"
#include "store/builder.hpp"
#include "store/lexer.hpp"
#include "store/parser.hpp"

namespace secstore {
namespace {

// Feeds every statement of `text` to the builder; a line with an error is
// skipped after reporting it, so one run reports every bad line.
void apply_text(std::string_view text, std::uint8_t file_index, const std::string& file_name,
                detail::StoreBuilder& builder, std::vector<Diagnostic>& diagnostics) {
  std::vector<detail::Token> tokens;
  std::string unescaped;
  std::vector<detail::ParseError> errors;
  detail::Statement statement;
  std::uint32_t line_number = 0;
  // Editors on other systems may start the file with a UTF-8 byte order mark.
  std::size_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;

    tokens.clear();
    detail::LexError lex_error;
    if (!detail::tokenize_line(line, tokens, unescaped, lex_error)) {
      diagnostics.push_back(make_error(Location{file_name, line_number, lex_error.column}, lex_error.message));
      continue;
    }
    if (tokens.empty()) continue;
    errors.clear();
    // Reset field by field: the strings keep their buffers for the next line.
    statement.role.clear();
    statement.subject.clear();
    statement.roles.clear();
    statement.global = {};
    statement.path = {};
    statement.where = {};
    statement.where.line = line_number;
    statement.where.file = file_index;
    if (!detail::parse_statement(tokens, statement, errors)) {
      for (auto& e : errors)
        diagnostics.push_back(make_error(Location{file_name, line_number, e.column}, std::move(e.message)));
      continue;
    }
    builder.apply(statement, diagnostics);
  }
}

bool has_error(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error) return true;
  return false;
}

}  // namespace

Store::Store() {
  auto data = std::make_shared<detail::StoreData>();
  data->files.emplace_back();
  data->index.build(data->nodes);
  data_ = std::move(data);
}

Store::Store(std::shared_ptr<const detail::StoreData> data) : data_(std::move(data)) {}

const std::string& Store::file_name() const { return data_->files.front(); }

Outcome<Store> Store::parse(std::string_view text, const std::string& file_name) {
  Outcome<Store> out;
  detail::StoreBuilder builder({file_name});
  apply_text(text, 0, file_name, builder, out.diagnostics);
  auto data = builder.finish(out.diagnostics);
  if (data && !has_error(out.diagnostics)) out.value = Store(std::move(data));
  return out;
}

Outcome<Store> Store::parse_with_script(std::string_view store_text, const std::string& store_name,
                                        std::string_view script, const std::string& script_name,
                                        const std::string& invoker, bool invoker_is_root) {
  Outcome<Store> out;
  detail::StoreBuilder builder({store_name, script_name});
  apply_text(store_text, 0, store_name, builder, out.diagnostics);
  builder.guard_locks_for(detail::Invoker{invoker, invoker_is_root});
  apply_text(script, 1, script_name, builder, out.diagnostics);
  auto data = builder.finish(out.diagnostics);
  if (data && !has_error(out.diagnostics)) out.value = Store(std::move(data));
  return out;
}

Outcome<Store> Store::load(const std::string& path, const FileSafety& safety) {
  auto file = read_config_file(path, safety);
  if (!file.ok()) {
    Outcome<Store> out;
    out.diagnostics = std::move(file.diagnostics);
    return out;
  }
  auto out = parse(file.value->text, path);
  if (!file.value->safety_warning.empty())
    out.diagnostics.insert(out.diagnostics.begin(),
                           make_warning(Location{path, 0, 0}, "pam_secstore would refuse this file: " +
                                                                  file.value->safety_warning));
  return out;
}

}  // namespace secstore
