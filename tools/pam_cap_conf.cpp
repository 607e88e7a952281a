#include "pam_cap_conf.hpp"

#include <algorithm>
#include <utility>

#include "secstore/conf.hpp"

namespace secstore::cli {
namespace {

// pam_cap splits lines with strtok(" \t\n").
bool is_delimiter(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct Word {
  std::string_view text;
  unsigned column;
};

std::vector<Word> words_of(std::string_view line) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_delimiter(line[i])) ++i;
    std::size_t start = i;
    while (i < line.size() && !is_delimiter(line[i])) ++i;
    if (i > start) words.push_back({line.substr(start, i - start), static_cast<unsigned>(start + 1)});
  }
  return words;
}

}  // namespace

Outcome<PamCapFile> parse_pam_cap_conf(std::string_view text, const std::string& file_name) {
  Outcome<PamCapFile> out;
  PamCapFile file;
  unsigned line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    auto words = words_of(line);
    if (words.empty() || words.front().text.front() == '#') continue;
    PamCapRule rule;
    rule.where = Location{file_name, line_number, words.front().column};
    std::string_view caps = words.front().text;
    if (caps == "all") {
      rule.kind = PamCapRule::Kind::All;
    } else if (caps == "none") {
      rule.kind = PamCapRule::Kind::None;
    } else if (caps.find_first_of("=+-") != std::string_view::npos) {
      out.diagnostics.push_back(make_error(
          rule.where, "expected IAB capability text (e.g. \"cap_net_raw,^cap_net_admin\"), "
                      "\"all\" or \"none\", found \"" + std::string(caps) +
                          "\": pam_cap does not read the cap_from_text form"));
      continue;
    } else {
      std::string error;
      if (!parse_capability_text(caps, error)) {
        out.diagnostics.push_back(make_error(rule.where, error));
        continue;
      }
      rule.iab = std::string(caps);
    }
    bool warned_hash = false;
    for (std::size_t i = 1; i < words.size(); ++i) {
      // pam_cap only knows comments that start a line: here '#' is a name.
      if (words[i].text.front() == '#' && !std::exchange(warned_hash, true))
        out.diagnostics.push_back(make_warning(
            Location{file_name, line_number, words[i].column},
            "pam_cap does not read \"#\" here as a comment: this word and the ones after it "
            "are user names to pam_cap, and are imported as such"));
      rule.who.push_back({std::string(words[i].text), words[i].column});
    }
    if (rule.who.empty()) {
      out.diagnostics.push_back(
          make_warning(rule.where, "this line names no user, @group or *, so it matches nobody"));
      continue;
    }
    file.rules.push_back(std::move(rule));
  }
  if (!out.first_error()) out.value = std::move(file);
  return out;
}

std::optional<std::size_t> pam_cap_first_match(const PamCapFile& file, const std::string& user,
                                               const std::vector<std::string>& groups) {
  for (std::size_t i = 0; i < file.rules.size(); ++i) {
    for (const auto& who : file.rules[i].who) {
      if (who.text == "*" || who.text == user) return i;
      if (who.text.size() > 1 && who.text[0] == '@' &&
          std::find(groups.begin(), groups.end(), who.text.substr(1)) != groups.end())
        return i;
    }
  }
  return std::nullopt;
}

}  // namespace secstore::cli
