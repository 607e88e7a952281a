// Atomic replacement and the writers' lock (SPEC §5 apply, edit, compile):
// the one implementation every writer uses.
#include "secstore/file_update.hpp"
#include "secstore/file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

namespace secstore {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

template <class T>
Outcome<T> io_error(const std::string& path, const std::string& what, int err) {
  return Outcome<T>::failure(make_error(Location{path, 0, 0}, what + ": " + std::strerror(err), Problem::Unreadable));
}

// The file a path names: a symlink's target.
std::string resolved(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
    if (real) return real.get();
  }
  return path;
}

std::pair<std::string, std::string> split_dir(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  if (slash == 0) return {"/", path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

std::string temp_prefix(const std::string& base) { return "." + base + ".tmp-"; }

// Temporary files of writers killed before their rename. Only called under
// the lock, when no writer can be between creating one and its rename.
void remove_stale_temporaries(int dir_fd, const std::string& base) {
  int listing = ::dup(dir_fd);
  if (listing < 0) return;
  std::unique_ptr<DIR, DirCloser> d(::fdopendir(listing));
  if (!d) {
    ::close(listing);
    return;
  }
  ::rewinddir(d.get());
  const std::string prefix = temp_prefix(base);
  while (const dirent* e = ::readdir(d.get())) {
    if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0 && std::strlen(e->d_name) == prefix.size() + 6)
      ::unlinkat(dir_fd, e->d_name, 0);
  }
}

// The directory a writer creates files in. As root, only one that passes
// the module's file rule, itself and every directory above it: otherwise
// whoever can write there could swap the file for a symlink between the
// check and the rename, and have root write over a file of their choosing.
// Everything after is done relative to this descriptor.
Outcome<UniqueFd> directory_to_write_in(const std::string& dir, const std::string& target) {
  auto opened = open_checked_directory(dir, FileSafety{::geteuid() == 0});
  if (!opened.ok()) {
    const Diagnostic* first = opened.first_error();
    std::string why = first ? first->message : std::string("it cannot be checked");
    const std::string_view unsafe = "refusing an unsafe directory: ";
    if (why.rfind(unsafe, 0) == 0) why.erase(0, unsafe.size());
    const std::string what = ::geteuid() == 0 ? "refusing to write it as root, because of " : "cannot write in ";
    return Outcome<UniqueFd>::failure(make_error(Location{target, 0, 0}, what + dir + ": " + why,
                                                 first ? first->problem : Problem::Unsafe));
  }
  return Outcome<UniqueFd>::success(std::move(opened.value->fd));
}

// As root, a name is followed to the file it leads to only through links
// that no one but root could have made or can change: the directory holding
// each link on the way, and the file's own, passes the module's file rule.
// The file itself may be anyone's (its owner cannot rename it in such a
// directory); what root must not be led to is another file.
Outcome<bool> root_may_follow(const std::string& path) {
  if (::geteuid() != 0) return Outcome<bool>::success(true);
  std::string current = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(current.c_str(), &st) != 0) return Outcome<bool>::success(true);  // the rest is new
    const std::string dir = split_dir(current).first;
    if (auto checked = directory_to_write_in(dir, path); !checked.ok())
      return Outcome<bool>::failure(std::move(checked.diagnostics));
    if (!S_ISLNK(st.st_mode)) return Outcome<bool>::success(true);
    std::string target(static_cast<std::size_t>(PATH_MAX), '\0');
    const ssize_t n = ::readlink(current.c_str(), target.data(), target.size());
    if (n < 0 || static_cast<std::size_t>(n) >= target.size()) return io_error<bool>(path, "cannot read the link", errno);
    target.resize(static_cast<std::size_t>(n));
    current = target.front() == '/' ? target : dir + "/" + target;
  }
  return Outcome<bool>::failure(make_error(Location{path, 0, 0}, "refusing to write it as root: too many links"));
}

// A new, exclusive temporary name beside `base` (what mkostemp does, but in
// a directory given by descriptor).
UniqueFd create_temporary(int dir_fd, const std::string& base, std::string& name) {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device entropy;
  for (int attempt = 0; attempt < 100; ++attempt) {
    name = temp_prefix(base);
    for (int i = 0; i < 6; ++i) name += kLetters[entropy() % (sizeof kLetters - 1)];
    UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return UniqueFd();
}

// Unlinks a temporary file unless it has been renamed into place.
class TempName {
 public:
  TempName(int dir_fd, std::string name) : dir_fd_(dir_fd), name_(std::move(name)) {}
  TempName(const TempName&) = delete;
  TempName& operator=(const TempName&) = delete;
  ~TempName() {
    if (!name_.empty()) ::unlinkat(dir_fd_, name_.c_str(), 0);
  }
  const std::string& name() const { return name_; }
  void keep() { name_.clear(); }

 private:
  int dir_fd_;
  std::string name_;
};

bool write_all(int fd, std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::string lock_file_path(const std::string& path) { return resolved(path) + ".lock"; }

namespace {

// The descriptor of PATH.lock, flock(2)ed; without `wait`, a lock another
// writer holds is "busy".
Outcome<UniqueFd> locked_lock_file(const std::string& path, bool wait) {
  if (auto followed = root_may_follow(path); !followed.ok()) return Outcome<UniqueFd>::failure(std::move(followed.diagnostics));
  if (auto named_in = directory_to_write_in(split_dir(path).first, path); !named_in.ok())
    return Outcome<UniqueFd>::failure(std::move(named_in.diagnostics));
  const std::string lock_path = lock_file_path(path);
  const auto [dir, base] = split_dir(lock_path);
  auto dir_fd = directory_to_write_in(dir, path);
  if (!dir_fd.ok()) return Outcome<UniqueFd>::failure(std::move(dir_fd.diagnostics));
  // O_NOFOLLOW: root must not be led to create or lock a file elsewhere.
  UniqueFd fd(::openat(dir_fd.value->get(), base.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd) return io_error<UniqueFd>(lock_path, "cannot open the lock file", errno);
  while (::flock(fd.get(), wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK)
      return Outcome<UniqueFd>::failure(make_error(
          Location{path, 0, 0}, "busy: another secstore edit or apply is changing it (it holds " + lock_path +
                                    "); try again later", Problem::Unreadable));
    return io_error<UniqueFd>(lock_path, "cannot lock the lock file", errno);
  }
  return Outcome<UniqueFd>::success(std::move(fd));
}

}  // namespace

Outcome<FileLock> FileLock::acquire(const std::string& path) {
  auto fd = locked_lock_file(path, true);
  if (!fd.ok()) return Outcome<FileLock>::failure(std::move(fd.diagnostics));
  return Outcome<FileLock>::success(FileLock(std::move(*fd.value)));
}

Outcome<FileLock> FileLock::try_acquire(const std::string& path) {
  auto fd = locked_lock_file(path, false);
  if (!fd.ok()) return Outcome<FileLock>::failure(std::move(fd.diagnostics));
  return Outcome<FileLock>::success(FileLock(std::move(*fd.value)));
}

Outcome<bool> replace_file_atomically(const std::string& path, std::string_view text, const ReplaceMode& how) {
  // A symlink is followed only where no one else could have made it.
  if (auto followed = root_may_follow(path); !followed.ok()) return Outcome<bool>::failure(std::move(followed.diagnostics));
  if (auto named_in = directory_to_write_in(split_dir(path).first, path); !named_in.ok())
    return Outcome<bool>::failure(std::move(named_in.diagnostics));
  const std::string target = resolved(path);
  const auto [dir, base] = split_dir(target);

  auto opened_dir = directory_to_write_in(dir, target);
  if (!opened_dir.ok()) return Outcome<bool>::failure(std::move(opened_dir.diagnostics));
  const int dir_fd = opened_dir.value->get();

  uid_t owner = ::geteuid();
  gid_t group = ::getegid();
  mode_t mode = how.mode.value_or(0644);
  struct stat st {};
  if (::fstatat(dir_fd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISREG(st.st_mode))
      return Outcome<bool>::failure(
          make_error(Location{target, 0, 0}, "expected a regular file to replace, found something else"));
    if (!how.mode) {
      owner = st.st_uid;
      group = st.st_gid;
      mode = st.st_mode & 07777;
    }
  } else if (errno != ENOENT) {
    return io_error<bool>(target, "cannot stat the file", errno);
  }

  remove_stale_temporaries(dir_fd, base);
  std::string name;
  UniqueFd fd = create_temporary(dir_fd, base, name);
  if (!fd) return io_error<bool>(target, "cannot create a temporary file beside it", errno);
  TempName temp(dir_fd, name);
  const std::string temp_path = dir + "/" + name;

  if (::fchown(fd.get(), owner, group) != 0)
    return io_error<bool>(target, "cannot give the new file the owner and group of the old one", errno);
  if (::fchmod(fd.get(), mode) != 0) return io_error<bool>(target, "cannot set the new file's mode", errno);
  if (!write_all(fd.get(), text)) return io_error<bool>(temp_path, "cannot write the new file", errno);
  if (::fsync(fd.get()) != 0) return io_error<bool>(temp_path, "cannot flush the new file to disk", errno);
  if (fd.close_checked() != 0) return io_error<bool>(temp_path, "cannot close the new file", errno);
  if (::renameat(dir_fd, name.c_str(), dir_fd, base.c_str()) != 0)
    return io_error<bool>(target, "cannot rename the new file over the old one", errno);
  temp.keep();

  // The rename is durable only once the directory is on disk too.
  if (::fsync(dir_fd) != 0)
    return io_error<bool>(dir, "the new file is in place, but flushing its directory failed", errno);
  return Outcome<bool>::success(true);
}

}  // namespace secstore
