#include "secstore/pam_stack.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

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

}  // namespace

Outcome<std::vector<PamLine>> secstore_lines(const std::string& file) {
  std::ifstream in(file);
  if (!in)
    return Outcome<std::vector<PamLine>>::failure(
        make_error(Location{file, 0, 0}, "cannot read the file", Problem::Unreadable));
  std::vector<PamLine> out;
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
    if (words.size() < 3) continue;
    std::string type = words[0];
    if (!type.empty() && type.front() == '-') type.erase(0, 1);
    if (!loads_secstore(words[2])) continue;
    out.push_back(PamLine{Location{file, first, 0}, type, words[1], words[2],
                          std::vector<std::string>(words.begin() + 3, words.end())});
  }
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
