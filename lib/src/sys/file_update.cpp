// Atomic replacement and the writers' lock (SPEC §5 apply, edit, compile):
// the one implementation every writer uses.
#include "secstore/file_update.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace secstore {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

template <class T>
Outcome<T> io_error(const std::string& path, const std::string& what, int err) {
  return Outcome<T>::failure(make_error(Location{path, 0, 0}, what + ": " + std::strerror(err), Problem::Unreadable));
}

// Unlinks a temporary file unless it has been renamed into place.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  void keep() { path_.clear(); }

 private:
  std::string path_;
};

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
// the lock, when no writer can be between mkstemp and rename.
void remove_stale_temporaries(const std::string& dir, const std::string& base) {
  std::unique_ptr<DIR, DirCloser> d(::opendir(dir.c_str()));
  if (!d) return;
  const std::string prefix = temp_prefix(base);
  while (const dirent* e = ::readdir(d.get())) {
    if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0 && std::strlen(e->d_name) == prefix.size() + 6)
      ::unlinkat(::dirfd(d.get()), e->d_name, 0);
  }
}

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

Outcome<FileLock> FileLock::acquire(const std::string& path) {
  const std::string lock_path = lock_file_path(path);
  // O_NOFOLLOW: root must not be led to create or lock a file elsewhere.
  UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd) return io_error<FileLock>(lock_path, "cannot open the lock file", errno);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    return io_error<FileLock>(lock_path, "cannot lock the lock file", errno);
  }
  return Outcome<FileLock>::success(FileLock(std::move(fd)));
}

Outcome<bool> replace_file_atomically(const std::string& path, std::string_view text, const ReplaceMode& how) {
  const std::string target = resolved(path);
  const auto [dir, base] = split_dir(target);

  uid_t owner = ::geteuid();
  gid_t group = ::getegid();
  mode_t mode = how.mode.value_or(0644);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
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

  remove_stale_temporaries(dir, base);
  std::string name = dir + "/" + temp_prefix(base) + "XXXXXX";
  UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (!fd) return io_error<bool>(target, "cannot create a temporary file beside it", errno);
  TempFile temp(name);

  if (::fchown(fd.get(), owner, group) != 0)
    return io_error<bool>(target, "cannot give the new file the owner and group of the old one", errno);
  if (::fchmod(fd.get(), mode) != 0) return io_error<bool>(target, "cannot set the new file's mode", errno);
  if (!write_all(fd.get(), text)) return io_error<bool>(temp.path(), "cannot write the new file", errno);
  if (::fsync(fd.get()) != 0) return io_error<bool>(temp.path(), "cannot flush the new file to disk", errno);
  if (fd.close_checked() != 0) return io_error<bool>(temp.path(), "cannot close the new file", errno);
  if (::rename(temp.path().c_str(), target.c_str()) != 0)
    return io_error<bool>(target, "cannot rename the new file over the old one", errno);
  temp.keep();

  // The rename is durable only once the directory is on disk too.
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd || ::fsync(dir_fd.get()) != 0)
    return io_error<bool>(dir, "the new file is in place, but flushing its directory failed", errno);
  return Outcome<bool>::success(true);
}

}  // namespace secstore
