// SPEC §4.5, the one place that decides whether a file or directory may be
// trusted: the path is resolved component by component from "/" (OpenSSH's
// secure_filename, but on descriptors), every directory on the way checked
// before a name is looked up in it, symbolic links followed by hand so that
// the directories of their targets are checked too.
#include "secstore/file.hpp"

#include "secstore/store.hpp"
#include "sys/verified_dirs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace secstore {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

constexpr int kMaxSymlinks = 40;  // as the kernel's own limit

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

bool writable_by_others(mode_t mode) { return (mode & (S_IWGRP | S_IWOTH)) != 0; }

// "writable by others (mode 0666)" / "writable by its group (mode 0664)".
std::string writable_text(mode_t mode) {
  return std::string(mode & S_IWOTH ? "writable by others" : "writable by its group") + " (mode " +
         mode_text(mode) + ")";
}

std::string owner_text(uid_t uid) { return "owned by uid " + std::to_string(uid) + ", not by root"; }

// One verified directory on the way down.
struct Step {
  UniqueFd fd;  // O_PATH
  // Its name in the step before ("" for "/"): its path, for a message, is
  // the names of the chain up to it (Walker::path_of), built only then.
  std::string name;
  // Others may create entries here, but only its owner (root) and an
  // entry's owner may rename or remove one (S_ISVTX): only root's entries
  // are safe in it.
  bool sticky_open = false;
};

// Parent: a directory on the way to files that are checked by name in it
// later (VerifiedDirectories), so it is held to the rule for the
// directories above a file, not to the one for a directory read itself.
// Its descriptor is the walk's O_PATH one (never opened for reading).
enum class Want { File, Directory, Parent };

class Walker {
 public:
  Walker(const std::string& path, Want want, bool enforce) : given_(path), want_(want), enforce_(enforce) {}

  Outcome<OpenedFile> run() {
    // The given path itself, not a copy, unless it is relative.
    std::string_view path = given_;
    std::string absolute;
    if (path.empty()) return unreadable("expected a file name, found an empty one");
    if (path.front() != '/') {
      std::unique_ptr<char, decltype(&std::free)> cwd(::getcwd(nullptr, 0), &std::free);
      if (!cwd) return unreadable(std::string("cannot find the working directory: ") + std::strerror(errno));
      absolute = std::string(cwd.get()) + "/" + given_;
      path = absolute;
    }
    // A walk is a few directories deep: these hold it without growing.
    chain_.reserve(16);
    todo_.reserve(16);
    if (!enter_root()) return std::move(failure_);
    push_components(path);
    int links = 0;
    while (!todo_.empty()) {
      std::string name = std::move(todo_.back());
      todo_.pop_back();
      if (name == ".") continue;
      if (name == "..") {
        if (chain_.size() > 1) chain_.pop_back();
        continue;
      }
      const bool last = todo_.empty();
      const Step& dir = chain_.back();
      UniqueFd entry(::openat(dir.fd.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (!entry) return unreadable(open_error(errno));
      struct stat st {};
      if (::fstat(entry.get(), &st) != 0) return unreadable(std::string("cannot stat it: ") + std::strerror(errno));
      auto here = [&] { return join(path_of(chain_.size() - 1), name); };
      if (S_ISLNK(st.st_mode)) {
        if (dir.sticky_open && st.st_uid != 0 &&
            !note("the symbolic link " + here() + " is in " + path_of(chain_.size() - 1) +
                  ", which others can write, and is " + owner_text(st.st_uid)))
          return std::move(failure_);
        if (++links > kMaxSymlinks) return unreadable("too many levels of symbolic links");
        std::string target;
        if (!read_link(entry.get(), st, target)) return unreadable(std::string("cannot read the symbolic link ") + here() + ": " + std::strerror(errno));
        if (!target.empty() && target.front() == '/') chain_.resize(1);
        push_components(target);
        continue;
      }
      if (!last) {
        if (!S_ISDIR(st.st_mode)) return unreadable(open_error(ENOTDIR));
        if (!check_directory(st, here, /*target=*/false)) return std::move(failure_);
        chain_.push_back(Step{std::move(entry), std::move(name), writable_by_others(st.st_mode)});
        continue;
      }
      // A parent is only ever a directory to look up names in (fstatat,
      // openat): the O_PATH descriptor just checked serves as it is, with
      // no second open of the same directory.
      if (want_ == Want::Parent && S_ISDIR(st.st_mode)) return finish_parent(std::move(entry), st);
      return finish(dir, name, st);
    }
    // The path named "/" itself, or ended in "..".
    if (want_ == Want::File) return unreadable("expected a regular file, found a directory");
    return finish_directory_from_chain();
  }

 private:
  Outcome<OpenedFile> unreadable(std::string message) {
    return Outcome<OpenedFile>::failure(make_error(Location{given_, 0, 0}, std::move(message), Problem::Unreadable));
  }

  // Records why the path is unsafe: an error when the rule is enforced
  // (returns false: stop), else the first reason, to be reported as a
  // warning by the caller (returns true: go on).
  bool note(const std::string& reason) {
    if (enforce_) {
      failure_ = Outcome<OpenedFile>::failure(make_error(
          Location{given_, 0, 0},
          std::string(want_ == Want::File ? "refusing an unsafe file: " : "refusing an unsafe directory: ") + reason,
          Problem::Unsafe));
      return false;
    }
    if (unsafe_.empty()) unsafe_ = reason;
    return true;
  }

  std::string open_error(int err) const {
    return std::string(want_ == Want::File ? "cannot open the file: " : "cannot open the directory: ") +
           std::strerror(err);
  }

  static std::string join(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
  }

  // The path of chain_[depth], as the walk reached it.
  std::string path_of(std::size_t depth) const {
    std::string path = "/";
    for (std::size_t k = 1; k <= depth; ++k) path = join(path, chain_[k].name);
    return path;
  }

  // The path's components in front of what is left to walk ("." and ".."
  // kept: the walk resolves them against the verified chain), as
  // normalize_path splits it: empty ones (from "//" and a leading or
  // trailing '/') dropped. todo_ is walked from its back, so the last
  // component goes in first.
  void push_components(std::string_view path) {
    for (std::size_t end = path.size(); end > 0;) {
      const std::size_t slash = path.rfind('/', end - 1);
      const std::size_t start = slash == std::string_view::npos ? 0 : slash + 1;
      if (start < end) todo_.emplace_back(path.substr(start, end - start));
      if (slash == std::string_view::npos) break;
      end = slash;
    }
  }

  static bool read_link(int fd, const struct stat& st, std::string& target) {
    std::size_t size = st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1 : 256;
    for (;;) {
      target.resize(size);
      ssize_t n = ::readlinkat(fd, "", target.data(), target.size());
      if (n < 0) return false;
      if (static_cast<std::size_t>(n) < target.size()) {
        target.resize(static_cast<std::size_t>(n));
        return true;
      }
      size *= 2;
    }
  }

  bool enter_root() {
    UniqueFd fd(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) {
      failure_ = unreadable(std::string("cannot open the root directory: ") + std::strerror(errno));
      return false;
    }
    if (!check_directory(st, [] { return std::string("/"); }, /*target=*/false)) return false;
    chain_.push_back(Step{std::move(fd), "", writable_by_others(st.st_mode)});
    return true;
  }

  // A directory on the way (target false) may be a root-owned sticky one;
  // the directory asked for (target true) must be writable by root alone.
  // `path`: what gives the directory's path, for the message.
  template <class Path>
  bool check_directory(const struct stat& st, const Path& path, bool target) {
    // The message (and the path in it) is built only for a directory that
    // fails: this runs for every directory of every file an open reads.
    auto what = [&] { return target ? std::string("it is ") : "its directory " + path() + " is "; };
    if (st.st_uid != 0) return note(what() + owner_text(st.st_uid));
    if (writable_by_others(st.st_mode) && (target || !(st.st_mode & S_ISVTX)))
      return note(what() + writable_text(st.st_mode));
    return true;
  }

  Outcome<OpenedFile> finish(const Step& dir, const std::string& name, const struct stat& st) {
    if (want_ != Want::File) {
      if (!S_ISDIR(st.st_mode)) return unreadable("expected a directory, found " + kind_of(st.st_mode));
    } else if (!S_ISREG(st.st_mode)) {
      return unreadable("expected a regular file, found " + kind_of(st.st_mode));
    }
    const int flags = want_ != Want::File ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK | O_NOCTTY;
    UniqueFd fd(::openat(dir.fd.get(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return unreadable(open_error(errno));
    OpenedFile out;
    if (::fstat(fd.get(), &out.st) != 0) return unreadable(std::string("cannot stat it: ") + std::strerror(errno));
    // Replaced between the two opens (a writer's atomic rename: only whoever
    // may write the checked directory can do that): the checks are on what
    // was opened, which must still be of the kind asked for.
    if ((out.st.st_mode & S_IFMT) != (st.st_mode & S_IFMT))
      return unreadable("it changed while it was being opened; try again");
    if (!check_target(out.st)) return std::move(failure_);
    out.path = given_;
    out.fd = std::move(fd);
    out.unsafe_reason = std::move(unsafe_);
    return Outcome<OpenedFile>::success(std::move(out));
  }

  Outcome<OpenedFile> finish_parent(UniqueFd fd, const struct stat& st) {
    if (!check_target(st)) return std::move(failure_);
    OpenedFile out;
    out.st = st;
    out.path = given_;
    out.fd = std::move(fd);
    out.unsafe_reason = std::move(unsafe_);
    return Outcome<OpenedFile>::success(std::move(out));
  }

  Outcome<OpenedFile> finish_directory_from_chain() {
    const Step& dir = chain_.back();
    UniqueFd fd(::openat(dir.fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return unreadable(open_error(errno));
    OpenedFile out;
    if (::fstat(fd.get(), &out.st) != 0) return unreadable(std::string("cannot stat it: ") + std::strerror(errno));
    if (!check_target(out.st)) return std::move(failure_);
    out.path = given_;
    out.fd = std::move(fd);
    out.unsafe_reason = std::move(unsafe_);
    return Outcome<OpenedFile>::success(std::move(out));
  }

  bool check_target(const struct stat& st) {
    if (want_ != Want::File)
      return check_directory(st, [this] { return given_; }, /*target=*/want_ == Want::Directory);
    if (st.st_uid != 0) return note("it is " + owner_text(st.st_uid));
    if (writable_by_others(st.st_mode)) return note("it is " + writable_text(st.st_mode));
    return true;
  }

  static std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISREG(mode)) return "a regular file";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    return "a special file";
  }

  const std::string& given_;
  const Want want_;
  const bool enforce_;
  std::vector<Step> chain_;
  // What is left to walk, the next component at the back.
  std::vector<std::string> todo_;
  std::string unsafe_;
  Outcome<OpenedFile> failure_;
};

}  // namespace

FileIdentity FileIdentity::of(const struct stat& st) {
  return FileIdentity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                      static_cast<std::uint64_t>(st.st_size), st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                      st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
}

bool ReadBudget::take_file() {
  if (files_ >= kMaxFiles) return false;
  ++files_;
  return true;
}

Outcome<OpenedFile> open_checked_file(const std::string& path, const FileSafety& safety) {
  return Walker(path, Want::File, safety.enforce).run();
}

Outcome<OpenedFile> open_checked_directory(const std::string& path, const FileSafety& safety) {
  return Walker(path, Want::Directory, safety.enforce).run();
}

namespace detail {

int VerifiedDirectories::directory_fd(std::string_view dir) {
  for (const auto& [path, fd] : dirs_)
    if (path == dir) return fd.get();
  // A directory that fails is remembered too (as -1): the full walk of each
  // file in it says why.
  std::string path(dir);
  auto walked = Walker(path, Want::Parent, /*enforce=*/true).run();
  UniqueFd fd = walked.ok() ? std::move(walked.value->fd) : UniqueFd();
  const int raw = fd.get();
  dirs_.emplace_back(std::move(path), std::move(fd));
  return raw;
}

bool VerifiedDirectories::locate(std::string_view path, int& dir_fd, Name& name) {
  if (path.empty() || path.front() != '/') return false;
  const std::size_t slash = path.rfind('/');
  const std::string_view last = path.substr(slash + 1);
  // A name longer than any the kernel takes is the full walk's to refuse.
  if (last.empty() || last == "." || last == ".." || last.size() >= name.size()) return false;
  // The name may be a view into a larger buffer: the calls below want it
  // terminated.
  last.copy(name.data(), last.size());
  name[last.size()] = '\0';
  dir_fd = directory_fd(slash == 0 ? std::string_view("/") : path.substr(0, slash));
  return dir_fd >= 0;
}

std::optional<struct stat> VerifiedDirectories::stat_entry(std::string_view path, bool directory) {
  int dir_fd = -1;
  Name name;
  if (!locate(path, dir_fd, name)) return std::nullopt;
  struct stat st {};
  // No following: a symbolic link is the full walk's to resolve and check.
  if (::fstatat(dir_fd, name.data(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) return std::nullopt;
  // The target's rule (Walker::check_target): root's alone; a sticky
  // directory is not safe to read.
  if (st.st_uid != 0 || writable_by_others(st.st_mode)) return std::nullopt;
  return st;
}

bool VerifiedDirectories::absent(std::string_view path) {
  int dir_fd = -1;
  Name name;
  if (!locate(path, dir_fd, name)) return false;
  struct stat st {};
  // As path_absent's lstat, but in the directory already resolved; any
  // other answer than "no such entry" is path_absent's to give.
  return ::fstatat(dir_fd, name.data(), &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
}

std::optional<OpenedFile> VerifiedDirectories::open_file(const std::string& path) {
  int dir_fd = -1;
  Name name;
  if (!locate(path, dir_fd, name)) return std::nullopt;
  // As Walker::finish: the kind is known before anything is opened for
  // reading (a FIFO or a device must not be), and checked again on what was
  // opened.
  struct stat first {};
  if (::fstatat(dir_fd, name.data(), &first, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(first.st_mode))
    return std::nullopt;
  UniqueFd fd(::openat(dir_fd, name.data(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return std::nullopt;
  OpenedFile out;
  if (::fstat(fd.get(), &out.st) != 0 || !S_ISREG(out.st.st_mode) || out.st.st_uid != 0 ||
      writable_by_others(out.st.st_mode))
    return std::nullopt;
  out.path = path;
  out.fd = std::move(fd);
  return out;
}

}  // namespace detail

Outcome<FileContents> read_config_file(const std::string& path, const FileSafety& safety, ReadBudget* budget) {
  const Location at{path, 0, 0};
  if (budget != nullptr && !budget->take_file())
    return Outcome<FileContents>::failure(make_error(
        at, "not read: one load may read at most " + std::to_string(ReadBudget::kMaxFiles) +
                " files (the store, its drop-ins, the configuration and everything it includes)"));
  const bool staged = safety.draft != nullptr && safety.draft->staged && safety.draft->path == path;
  auto opened = open_checked_file(path, staged ? FileSafety{false, safety.draft} : safety);
  if (!opened.ok()) return Outcome<FileContents>::failure(std::move(opened.diagnostics));
  FileContents contents;
  contents.path = path;
  contents.identity = FileIdentity::of(opened.value->st);
  contents.safety_warning = std::move(opened.value->unsafe_reason);
  const std::size_t limit = budget != nullptr ? budget->bytes_left() : ReadBudget::kMaxBytes;
  if (safety.draft != nullptr && safety.draft->path == path) {
    if (safety.draft->text.size() > limit)
      return Outcome<FileContents>::failure(make_error(at, "not read: the edited file is larger than " +
                                                               std::to_string(ReadBudget::kMaxBytes >> 20) + " MiB"));
    contents.text = safety.draft->text;
    if (budget != nullptr) budget->spend(contents.text.size());
    return Outcome<FileContents>::success(std::move(contents));
  }
  // Straight into the text. A file whose size fits the budget gets a buffer
  // of that size and a byte more, so that a file that does not change
  // meanwhile costs one read that fills it and one that finds its end, and
  // no copy; one that grows goes on a chunk at a time. A size of 0 or past
  // the budget is not believed (/proc files say 0; /proc/self/pagemap reads
  // only in whole 8-byte entries): that file is read as a stream of chunks,
  // a page first (an empty store is common), until its end or the budget's.
  constexpr std::size_t kFirstChunk = 4096;
  constexpr std::size_t kChunk = 65536;
  std::string& text = contents.text;
  const auto size = opened.value->st.st_size > 0 ? static_cast<std::size_t>(opened.value->st.st_size) : 0;
  text.resize(size > 0 && size <= limit ? size + 1 : kFirstChunk);
  std::size_t used = 0;
  for (;;) {
    if (used == text.size()) text.resize(used + kChunk);
    ssize_t n = ::read(opened.value->fd.get(), text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Outcome<FileContents>::failure(
          make_error(at, std::string("cannot read the file: ") + std::strerror(errno), Problem::Unreadable));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (used > limit)
      return Outcome<FileContents>::failure(make_error(
          at, "not read: one load may read at most " + std::to_string(ReadBudget::kMaxBytes >> 20) +
                  " MiB in all (the store, its drop-ins, the configuration and everything it includes)"));
  }
  text.resize(used);
  if (budget != nullptr) budget->spend(text.size());
  return Outcome<FileContents>::success(std::move(contents));
}

Outcome<std::vector<std::string>> list_directory(const OpenedFile& directory, std::string_view suffix) {
  const Location at{directory.path, 0, 0};
  // fdopendir takes the descriptor over: give it a copy.
  int fd = ::openat(directory.fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = fd >= 0 ? ::fdopendir(fd) : nullptr;
  if (dir == nullptr) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    return Outcome<std::vector<std::string>>::failure(
        make_error(at, std::string("cannot read the directory: ") + std::strerror(err), Problem::Unreadable));
  }
  std::unique_ptr<DIR, DirCloser> owned(dir);
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) break;
    const std::string_view name(entry->d_name);
    if (name.empty() || name.front() == '.') continue;  // ".", "..", hidden files
    if (!suffix.empty() && (name.size() <= suffix.size() || !name.ends_with(suffix))) continue;
    names.emplace_back(name);
  }
  if (errno != 0)
    return Outcome<std::vector<std::string>>::failure(
        make_error(at, std::string("cannot read the directory: ") + std::strerror(errno), Problem::Unreadable));
  std::sort(names.begin(), names.end());
  return Outcome<std::vector<std::string>>::success(std::move(names));
}

bool path_absent(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

Outcome<PolicyDirectory> read_policy_directory(const std::string& path, std::string_view suffix,
                                               const FileSafety& safety) {
  PolicyDirectory out;
  out.record = SourceRecord{SourceRecord::Kind::Absent, path, {}};
  if (path_absent(path)) return Outcome<PolicyDirectory>::success(std::move(out));
  auto dir = open_checked_directory(path, safety);
  if (!dir.ok()) return Outcome<PolicyDirectory>::failure(std::move(dir.diagnostics));
  std::vector<Diagnostic> warnings;
  if (!dir.value->unsafe_reason.empty())
    warnings.push_back(make_warning(Location{path, 0, 0}, "pam_secstore would refuse this directory: " + dir.value->unsafe_reason));
  out.record = SourceRecord{SourceRecord::Kind::Directory, path, FileIdentity::of(dir.value->st)};
  auto names = list_directory(*dir.value, suffix);
  if (!names.ok()) return Outcome<PolicyDirectory>::failure(std::move(names.diagnostics));
  out.names = std::move(*names.value);
  return Outcome<PolicyDirectory>::success(std::move(out), std::move(warnings));
}

}  // namespace secstore
