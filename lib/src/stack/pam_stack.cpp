#include "secstore/pam_stack.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

namespace secstore {
namespace {

// Splits a pam.d line into words; a word may be [bracketed, with \] inside].
std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string word;
    if (line[i] == '[') {
      ++i;
      while (i < line.size() && line[i] != ']') {
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == ']') ++i;
        word += line[i++];
      }
      if (i < line.size()) ++i;
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') word += line[i++];
    }
    words.push_back(std::move(word));
  }
  return words;
}

bool loads_secstore(const std::string& module) {
  const std::string name = "pam_secstore.so";
  return module == name || (module.size() > name.size() && module.ends_with("/" + name));
}

// A logical line of a pam.d file: continuations joined, comment dropped.
struct RawLine {
  Location where;
  std::vector<std::string> words;
};

Outcome<std::vector<RawLine>> read_lines(const std::string& file) {
  std::ifstream in(file);
  if (!in)
    return Outcome<std::vector<RawLine>>::failure(
        make_error(Location{file, 0, 0}, "cannot read the file", Problem::Unreadable));
  std::vector<RawLine> out;
  std::string line;
  unsigned number = 0;
  while (std::getline(in, line)) {
    ++number;
    const unsigned first = number;
    // A backslash at the end continues the line.
    while (!line.empty() && line.back() == '\\') {
      line.pop_back();
      std::string more;
      if (!std::getline(in, more)) break;
      ++number;
      line += " " + more;
    }
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    auto words = words_of(line);
    if (!words.empty()) out.push_back(RawLine{Location{file, first, 0}, std::move(words)});
  }
  return Outcome<std::vector<RawLine>>::success(std::move(out));
}

std::string type_of(const std::string& word) { return !word.empty() && word.front() == '-' ? word.substr(1) : word; }

// The line as a PamLine when it loads pam_secstore.so.
std::optional<PamLine> secstore_line(const RawLine& raw) {
  const auto& words = raw.words;
  if (words.size() < 3 || !loads_secstore(words[2])) return std::nullopt;
  return PamLine{raw.where, type_of(words[0]), words[1], words[2],
                 std::vector<std::string>(words.begin() + 3, words.end())};
}

// libpam's PAM_SUBSTACK_MAX_LEVEL.
constexpr int kMaxIncludeDepth = 16;

// Appends the pam_secstore lines of `file` (of type `only`, unless empty) to
// `out`, following its includes.
bool stack_lines(const std::string& file, const std::string& only, int depth, std::vector<PamLine>& out,
                 std::vector<Diagnostic>& errors) {
  auto lines = read_lines(file);
  if (!lines.ok()) {
    errors.insert(errors.end(), lines.diagnostics.begin(), lines.diagnostics.end());
    return false;
  }
  const std::string dir = std::filesystem::path(file).parent_path().string();
  auto beside = [&](const std::string& name) { return name.front() == '/' || dir.empty() ? name : dir + "/" + name; };
  for (const auto& raw : *lines.value) {
    const auto& words = raw.words;
    std::string included, type;
    if (words[0] == "@include" && words.size() >= 2) {
      included = words[1];
      type = only;
    } else if (words.size() >= 3 && (words[1] == "include" || words[1] == "substack")) {
      type = type_of(words[0]);
      if (!only.empty() && type != only) continue;
      included = words[2];
    } else {
      if (auto line = secstore_line(raw); line && (only.empty() || line->type == only)) out.push_back(*line);
      continue;
    }
    if (included.empty()) continue;
    if (depth >= kMaxIncludeDepth) {
      errors.push_back(make_error(raw.where, "includes nested deeper than " + std::to_string(kMaxIncludeDepth) +
                                                 " files (a loop?): libpam would refuse this stack"));
      return false;
    }
    if (!stack_lines(beside(included), type, depth + 1, out, errors)) return false;
  }
  return true;
}

}  // namespace

Outcome<std::vector<PamLine>> secstore_lines(const std::string& file) {
  auto lines = read_lines(file);
  if (!lines.ok()) return Outcome<std::vector<PamLine>>::failure(lines.diagnostics);
  std::vector<PamLine> out;
  for (const auto& raw : *lines.value)
    if (auto line = secstore_line(raw)) out.push_back(std::move(*line));
  return Outcome<std::vector<PamLine>>::success(std::move(out));
}

Outcome<std::vector<PamLine>> service_secstore_lines(const std::string& service_file) {
  std::vector<PamLine> out;
  std::vector<Diagnostic> errors;
  if (!stack_lines(service_file, "", 0, out, errors)) return Outcome<std::vector<PamLine>>::failure(errors);
  return Outcome<std::vector<PamLine>>::success(std::move(out));
}

std::vector<std::string> pam_files(const std::string& file_or_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(file_or_dir, ec)) return {file_or_dir};
  std::vector<std::string> files;
  for (fs::directory_iterator it(file_or_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.' || name.back() == '~' || name.ends_with(".dpkg-old") ||
        name.ends_with(".dpkg-dist") || name.ends_with(".dpkg-new"))
      continue;
    if (it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace secstore
