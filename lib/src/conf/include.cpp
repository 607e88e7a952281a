#include "conf/include.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "conf/text.hpp"

namespace secstore::detail {
namespace {

// A bound on include depth, so a pathological tree cannot exhaust the stack
// even without a cycle.
constexpr std::size_t kMaxIncludeDepth = 32;

// What a file is known by for cycle detection: its device and inode, so two
// spellings of one file (symlinks, "..") are one file. A name that is not on
// disk (Config::parse of text) is known by its name.
std::string identity_of(const FileIdentity& id) { return std::to_string(id.dev) + ":" + std::to_string(id.ino); }
std::string identity_of_name(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return identity_of(FileIdentity::of(st));
  return "name:" + path;
}

class Expander {
 public:
  Expander(const FileSafety& safety, ReadBudget& budget) : safety_(safety), budget_(budget) {}

  Outcome<ConfTree> from_file(const std::string& path) {
    auto read = read_config_file(path, safety_, &budget_);
    if (!read.ok()) return Outcome<ConfTree>::failure(std::move(read.diagnostics));
    note_unsafe(Location{path, 0, 0}, "file", read.value->safety_warning);
    sources_.push_back(SourceRecord{SourceRecord::Kind::File, path, read.value->identity});
    return finish(expand_text(read.value->text, path, identity_of(read.value->identity)));
  }

  Outcome<ConfTree> from_text(std::string_view text, const std::string& file_name) {
    return finish(expand_text(text, file_name, identity_of_name(file_name)));
  }

 private:
  Outcome<ConfTree> finish(std::vector<ConfNode> nodes) {
    if (has_error(diagnostics_)) return Outcome<ConfTree>::failure(std::move(diagnostics_));
    return Outcome<ConfTree>::success(ConfTree{std::move(nodes), std::move(files_), std::move(sources_)},
                                      std::move(diagnostics_));
  }

  Location at(ConfPos pos) const { return location_of(files_, pos); }

  // A file or directory read although pam_secstore would refuse it (the
  // rule not enforced): a warning at `where`.
  void note_unsafe(const Location& where, const char* what, const std::string& reason) {
    if (!reason.empty())
      diagnostics_.push_back(make_warning(where, std::string("pam_secstore would refuse this ") + what + ": " + reason));
  }

  // An error about an include, located at the directive: "cannot include
  // "x" (/etc/x): WHY", keeping the underlying problem's kind.
  void include_error(const ConfItem& target, const std::string& path, const Diagnostic& why) {
    diagnostics_.push_back(make_error(at(target.where),
                                      "cannot include \"" + target.text + "\" (" + path + "): " + why.message,
                                      why.problem));
  }

  // Parses one file's text and expands its includes; the file is on the
  // include stack while its includes are read.
  std::vector<ConfNode> expand_text(std::string_view text, const std::string& file, const std::string& identity) {
    const auto file_index = static_cast<std::uint32_t>(files_.size());
    files_.push_back(file);
    auto parsed = parse_conf_syntax(text, file, file_index);
    if (!parsed.ok()) {
      for (auto& d : parsed.diagnostics) diagnostics_.push_back(std::move(d));
      return {};
    }
    stack_.push_back(identity);
    stack_names_.push_back(file);
    std::vector<ConfNode> out = expand_nodes(std::move(*parsed.value), directory_of(file));
    stack_.pop_back();
    stack_names_.pop_back();
    return out;
  }

  std::vector<ConfNode> expand_nodes(std::vector<ConfNode> nodes, const std::string& dir) {
    // Most lists include nothing: their nodes stay where the parser put them.
    if (std::none_of(nodes.begin(), nodes.end(), [](const ConfNode& n) { return n.kind == ConfNode::Kind::Include; })) {
      for (auto& node : nodes)
        if (node.kind == ConfNode::Kind::Scope) node.children = expand_nodes(std::move(node.children), dir);
      return nodes;
    }
    std::vector<ConfNode> out;
    for (auto& node : nodes) {
      if (has_error(diagnostics_)) break;
      if (node.kind == ConfNode::Kind::Include) {
        include(node, dir, out);
      } else {
        if (node.kind == ConfNode::Kind::Scope) node.children = expand_nodes(std::move(node.children), dir);
        out.push_back(std::move(node));
      }
    }
    return out;
  }

  void include(const ConfNode& directive, const std::string& dir, std::vector<ConfNode>& out) {
    const ConfItem& target = directive.value.items.front();
    if (target.text.empty()) {
      diagnostics_.push_back(make_error(at(target.where), "include needs a file or directory name"));
      return;
    }
    const std::string path = resolve_against(dir, target.text);
    if (stack_.size() >= kMaxIncludeDepth) {
      diagnostics_.push_back(make_error(at(directive.where),
                                        "includes nest deeper than " + std::to_string(kMaxIncludeDepth) +
                                            " files; is there a loop through symbolic links?"));
      return;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      include_error(target, path, make_error({}, std::string("cannot open it: ") + std::strerror(errno),
                                             Problem::Unreadable));
      return;
    }
    if (S_ISDIR(st.st_mode))
      include_directory(target, path, out);
    else
      include_file(target, path, out);
  }

  void include_file(const ConfItem& target, const std::string& path, std::vector<ConfNode>& out) {
    auto read = read_config_file(path, safety_, &budget_);
    if (!read.ok()) {
      for (const auto& d : read.diagnostics) include_error(target, path, d);
      return;
    }
    const std::string id = identity_of(read.value->identity);
    if (auto on_stack = std::find(stack_.begin(), stack_.end(), id); on_stack != stack_.end()) {
      std::string chain;
      for (auto it = on_stack; it != stack_.end(); ++it)
        chain += stack_names_[static_cast<std::size_t>(it - stack_.begin())] + " includes ";
      chain += path;
      diagnostics_.push_back(make_error(at(target.where), "include cycle: " + chain));
      return;
    }
    note_unsafe(at(target.where), "file", read.value->safety_warning.empty()
                                              ? std::string()
                                              : path + ": " + read.value->safety_warning);
    sources_.push_back(SourceRecord{SourceRecord::Kind::File, path, read.value->identity});
    auto nodes = expand_text(read.value->text, path, id);
    for (auto& n : nodes) out.push_back(std::move(n));
  }

  // Whoever can add a file to an included directory can change every
  // session: it is checked like the files (sys/file.cpp).
  void include_directory(const ConfItem& target, const std::string& path, std::vector<ConfNode>& out) {
    auto dir = open_checked_directory(path, safety_);
    if (!dir.ok()) {
      for (const auto& d : dir.diagnostics) include_error(target, path, d);
      return;
    }
    note_unsafe(at(target.where), "directory",
                dir.value->unsafe_reason.empty() ? std::string() : path + ": " + dir.value->unsafe_reason);
    sources_.push_back(SourceRecord{SourceRecord::Kind::Directory, path, FileIdentity::of(dir.value->st)});
    auto names = list_directory(*dir.value, "");
    if (!names.ok()) {
      for (const auto& d : names.diagnostics) include_error(target, path, d);
      return;
    }
    for (const auto& name : *names.value) {
      if (has_error(diagnostics_)) return;
      ConfItem entry{target.text + "/" + name, target.quoted, target.where};
      include_file(entry, resolve_against(path, name), out);
    }
  }

  const FileSafety& safety_;
  ReadBudget& budget_;
  std::vector<std::string> stack_;        // identities of the files being read
  std::vector<std::string> stack_names_;  // the same files, as named
  std::vector<std::string> files_;
  std::vector<SourceRecord> sources_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

Outcome<ConfTree> load_conf_tree(const std::string& path, const FileSafety& safety, ReadBudget& budget) {
  return Expander(safety, budget).from_file(path);
}

Outcome<ConfTree> parse_conf_tree(std::string_view text, const std::string& file_name, const FileSafety& safety,
                                  ReadBudget& budget) {
  return Expander(safety, budget).from_text(text, file_name);
}

}  // namespace secstore::detail
