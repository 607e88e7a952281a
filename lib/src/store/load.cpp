// Store construction: text -> statements -> builder -> indexed StoreData.
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <memory>

#include "secstore/store.hpp"
#include "store/access.hpp"
#include "store/builder.hpp"
#include "store/lexer.hpp"
#include "store/parser.hpp"

namespace secstore {
namespace {

// Feeds every statement of `text` to the builder; a line with an error is
// skipped after reporting it, so one run reports every bad line.
void apply_text(std::string_view text, std::uint16_t file_index, const std::string& file_name,
                detail::StoreBuilder& builder, std::vector<Diagnostic>& diagnostics) {
  std::vector<detail::Token> tokens;
  std::string unescaped;
  std::vector<detail::ParseError> errors;
  detail::Statement statement;
  std::uint32_t line_number = 0;
  // Editors on other systems may start the file with a UTF-8 byte order mark.
  std::size_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (start < text.size()) {
    ++line_number;
    const detail::SourcePos at{line_number, 0, file_index};
    statement.reset(at);
    // The shortcut finds the line's end itself, on its way.
    std::size_t length = 0;
    if (detail::parse_path_statement_in(text.substr(start), statement, length)) {
      start += length + 1;
      builder.apply(statement, diagnostics);
      continue;
    }
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    tokens.clear();
    detail::LexError lex_error;
    if (!detail::tokenize_line(line, tokens, unescaped, lex_error)) {
      diagnostics.push_back(make_error(Location{file_name, line_number, lex_error.column}, lex_error.message));
      continue;
    }
    if (tokens.empty()) continue;
    errors.clear();
    // `statement` is still as reset: the shortcut fills it only when it
    // takes the line.
    if (!detail::parse_statement(tokens, statement, errors)) {
      for (auto& e : errors)
        diagnostics.push_back(make_error(Location{file_name, line_number, e.column}, std::move(e.message)));
      continue;
    }
    builder.apply(statement, diagnostics);
  }
}

}  // namespace

namespace detail {

Outcome<Store> build_store(const std::vector<StoreText>& texts, std::size_t guarded_from, const Invoker& invoker,
                           std::vector<SourceRecord> sources, std::vector<Diagnostic> diagnostics, StoreParts parts) {
  std::vector<std::string> names;
  for (const auto& t : texts) names.push_back(t.name);
  StoreBuilder builder(std::move(names), parts);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i == guarded_from) builder.guard_locks_for(invoker);
    apply_text(texts[i].text, static_cast<std::uint16_t>(i), texts[i].name, builder, diagnostics);
  }
  auto data = builder.finish(diagnostics);
  if (!data || has_error(diagnostics)) return Outcome<Store>::failure(std::move(diagnostics));
  data->sources = std::move(sources);
  return Outcome<Store>::success(StoreAccess::make(std::move(data)), std::move(diagnostics));
}

}  // namespace detail

Store::Store() {
  auto data = std::make_shared<detail::StoreData>();
  data->files.emplace_back();
  data->index.build(data->nodes);
  data_ = std::move(data);
}

Store::Store(std::shared_ptr<const detail::StoreData> data) : data_(std::move(data)) {}

const std::string& Store::file_name() const { return data_->files.front(); }

const std::vector<SourceRecord>& Store::sources() const { return data_->sources; }

std::string store_dropin_directory(const std::string& store_path) { return store_path + ".d"; }

namespace {

using detail::build_store;

Diagnostic unsafe_warning(const std::string& path, const std::string& reason) {
  return make_warning(Location{path, 0, 0}, "pam_secstore would refuse this file: " + reason);
}


}  // namespace

Outcome<Store> Store::parse(std::string_view text, const std::string& file_name) {
  return build_store({{file_name, text}}, SIZE_MAX, {}, {}, {});
}

Outcome<Store> Store::parse_with_script(std::string_view store_text, const std::string& store_name,
                                        std::string_view script, const std::string& script_name,
                                        const std::string& invoker, bool root_overrides_locks) {
  return build_store({{store_name, store_text}, {script_name, script}}, 1,
               detail::Invoker{invoker, root_overrides_locks}, {}, {});
}

Outcome<Store> Store::load(const std::string& path, const FileSafety& safety, ReadBudget* budget) {
  return detail::load_store(path, safety, budget, detail::StoreParts::All);
}

Outcome<Store> detail::load_store(const std::string& path, const FileSafety& safety, ReadBudget* budget,
                                  StoreParts parts) {
  ReadBudget own;
  if (budget == nullptr) budget = &own;
  std::vector<Diagnostic> diagnostics;
  std::vector<FileContents> files;
  std::vector<SourceRecord> sources;
  auto read = [&](const std::string& file) {
    auto contents = read_config_file(file, safety, budget);
    if (!contents.ok()) {
      for (auto& d : contents.diagnostics) diagnostics.push_back(std::move(d));
      return false;
    }
    if (!contents.value->safety_warning.empty())
      diagnostics.push_back(unsafe_warning(file, contents.value->safety_warning));
    sources.push_back(SourceRecord{SourceRecord::Kind::File, file, contents.value->identity});
    files.push_back(std::move(*contents.value));
    return true;
  };
  if (!read(path)) return Outcome<Store>::failure(std::move(diagnostics));

  const std::string dropins = store_dropin_directory(path);
  auto dir = read_policy_directory(dropins, ".store", safety);
  for (auto& d : dir.diagnostics) diagnostics.push_back(std::move(d));
  if (!dir.ok()) return Outcome<Store>::failure(std::move(diagnostics));
  sources.push_back(dir.value->record);
  for (const auto& name : dir.value->names)
    if (!read(dropins + "/" + name)) return Outcome<Store>::failure(std::move(diagnostics));
  std::vector<detail::StoreText> texts;
  for (const auto& f : files) texts.push_back({f.path, f.text});
  return build_store(texts, SIZE_MAX, {}, std::move(sources), std::move(diagnostics), parts);
}

}  // namespace secstore
