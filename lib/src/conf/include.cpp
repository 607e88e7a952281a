#include "conf/include.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "conf/text.hpp"

namespace secstore::detail {
namespace {

// A bound on include depth, so a pathological tree cannot exhaust the stack
// even without a cycle.
constexpr std::size_t kMaxIncludeDepth = 32;

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

// What a file is known by for cycle detection: its device and inode, so two
// spellings of one file (symlinks, "..") are one file. A name that is not on
// disk (Config::parse of text) is known by its name.
std::string identity_of(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}
std::string identity_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return identity_of(st);
  return "name:" + path;
}

class Expander {
 public:
  explicit Expander(const FileSafety& safety) : safety_(safety) {}

  Outcome<ConfTree> from_file(const std::string& path) {
    auto read = read_config_file(path, safety_);
    if (!read.ok()) return fail_with(std::move(read.diagnostics));
    return finish(expand_text(read.value->text, path, identity_of(path)));
  }

  Outcome<ConfTree> from_text(std::string_view text, const std::string& file_name) {
    return finish(expand_text(text, file_name, identity_of(file_name)));
  }

 private:
  Outcome<ConfTree> fail_with(std::vector<Diagnostic> diags) {
    Outcome<ConfTree> out;
    out.diagnostics = std::move(diags);
    return out;
  }

  Outcome<ConfTree> finish(std::vector<ConfNode> nodes) {
    Outcome<ConfTree> out;
    out.diagnostics = std::move(diagnostics_);
    for (const auto& d : out.diagnostics)
      if (d.severity == Severity::Error) return out;
    out.value = ConfTree{std::move(nodes), std::move(files_)};
    return out;
  }

  Location at(ConfPos pos) const { return location_of(files_, pos); }

  bool failed() const {
    return std::any_of(diagnostics_.begin(), diagnostics_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
  }

  // Parses one file's text and expands its includes; the file is on the
  // include stack while its includes are read.
  std::vector<ConfNode> expand_text(std::string_view text, const std::string& file,
                                    const std::string& identity) {
    // An unsafe file that was allowed (FileSafety{false}) is not reported
    // here: callers that care re-check files_read(), as `secstore check` does.
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
    std::vector<ConfNode> out;
    for (auto& node : nodes) {
      if (failed()) break;
      if (node.kind == ConfNode::Kind::Include) {
        include(node, dir, out);
      } else {
        if (node.kind == ConfNode::Kind::Scope)
          node.children = expand_nodes(std::move(node.children), dir);
        out.push_back(std::move(node));
      }
    }
    return out;
  }

  void include(const ConfNode& directive, const std::string& dir, std::vector<ConfNode>& out) {
    const ConfItem& target = directive.value.items.front();
    const std::string path = resolve_against(dir, target.text);
    if (target.text.empty()) {
      diagnostics_.push_back(make_error(at(target.where), "include needs a file or directory name"));
      return;
    }
    if (stack_.size() >= kMaxIncludeDepth) {
      diagnostics_.push_back(make_error(
          at(directive.where), "includes nest deeper than " + std::to_string(kMaxIncludeDepth) +
                               " files; is there a loop through symbolic links?"));
      return;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      int err = errno;
      diagnostics_.push_back(make_error(at(target.where), "cannot include \"" + target.text + "\" (" +
                                                          path + "): " + std::strerror(err)));
      return;
    }
    if (S_ISDIR(st.st_mode))
      include_directory(target, path, out);
    else
      include_file(target, path, identity_of(st), out);
  }

  void include_file(const ConfItem& target, const std::string& path, const std::string& id,
                    std::vector<ConfNode>& out) {
    auto on_stack = std::find(stack_.begin(), stack_.end(), id);
    if (on_stack != stack_.end()) {
      std::string chain;
      for (auto it = on_stack; it != stack_.end(); ++it)
        chain += stack_names_[static_cast<std::size_t>(it - stack_.begin())] + " includes ";
      chain += path;
      diagnostics_.push_back(make_error(at(target.where), "include cycle: " + chain));
      return;
    }
    auto read = read_config_file(path, safety_);
    if (!read.ok()) {
      for (const auto& d : read.diagnostics)
        diagnostics_.push_back(make_error(at(target.where), "cannot include \"" + target.text +
                                                            "\" (" + path + "): " + d.message));
      return;
    }
    auto nodes = expand_text(read.value->text, path, id);
    for (auto& n : nodes) out.push_back(std::move(n));
  }

  // The directory is checked like a file (root-owned, not writable by group
  // or others): whoever can add a file to it can change every session.
  void include_directory(const ConfItem& target, const std::string& path,
                         std::vector<ConfNode>& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      diagnostics_.push_back(make_error(at(target.where), "cannot include the directory \"" +
                                                          target.text + "\" (" + path +
                                                          "): " + std::strerror(err)));
      return;
    }
    DirHandle dir(::fdopendir(fd));
    if (!dir) {
      int err = errno;
      ::close(fd);
      diagnostics_.push_back(make_error(at(target.where), "cannot read the directory \"" +
                                                          target.text + "\": " + std::strerror(err)));
      return;
    }
    struct stat st {};
    if (::fstat(::dirfd(dir.get()), &st) != 0) {
      int err = errno;
      diagnostics_.push_back(make_error(at(target.where), "cannot stat the directory \"" +
                                                          target.text + "\": " + std::strerror(err)));
      return;
    }
    std::string unsafe;
    if (st.st_uid != 0)
      unsafe = "it is owned by uid " + std::to_string(st.st_uid) + ", not by root";
    else if (st.st_mode & (S_IWGRP | S_IWOTH))
      unsafe = "it is writable by its group or by others";
    if (!unsafe.empty()) {
      if (safety_.require_root_owned) {
        diagnostics_.push_back(make_error(at(target.where), "refusing to include the directory \"" +
                                                            path + "\": " + unsafe));
        return;
      }
      diagnostics_.push_back(make_warning(
          at(target.where), "pam_secstore would refuse the directory \"" + path + "\": " + unsafe));
    }

    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      struct dirent* entry = ::readdir(dir.get());
      if (entry == nullptr) break;
      if (entry->d_name[0] == '.') continue;  // ".", "..", and hidden files
      names.emplace_back(entry->d_name);
    }
    if (errno != 0) {
      int err = errno;
      diagnostics_.push_back(make_error(at(target.where), "cannot read the directory \"" +
                                                          target.text + "\": " + std::strerror(err)));
      return;
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (failed()) return;
      ConfItem entry_target{target.text + "/" + name, target.quoted, target.where};
      const std::string entry = resolve_against(path, name);
      struct stat entry_st {};
      // A name that vanished meanwhile is reported by the read that follows.
      std::string id = ::stat(entry.c_str(), &entry_st) == 0 ? identity_of(entry_st) : entry;
      include_file(entry_target, entry, id, out);
    }
  }

  const FileSafety& safety_;
  std::vector<std::string> stack_;        // identities of the files being read
  std::vector<std::string> stack_names_;  // the same files, as named
  std::vector<std::string> files_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

Outcome<ConfTree> load_conf_tree(const std::string& path, const FileSafety& safety) {
  return Expander(safety).from_file(path);
}

Outcome<ConfTree> parse_conf_tree(std::string_view text, const std::string& file_name,
                                  const FileSafety& safety) {
  return Expander(safety).from_text(text, file_name);
}

}  // namespace secstore::detail
