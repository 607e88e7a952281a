// Locked, validated, atomic replacement of a store file (SPEC §5 apply).
#include "secstore/store_file.hpp"
#include "sys/unique_fd.hpp"

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

using detail::UniqueFd;

std::string errno_text(int err) { return std::strerror(err); }

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

template <class T>
Outcome<T> io_error(const std::string& path, const std::string& what, int err) {
  return Outcome<T>::failure(make_error(Location{path, 0, 0}, what + ": " + errno_text(err)));
}

// The file a store path names: a symlink's target, so that the lock and the
// replacement are the same whichever name a writer used.
std::string resolved(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> real(::realpath(path.c_str(), nullptr));
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
  struct CloseDir {
    void operator()(DIR* d) const { ::closedir(d); }
  };
  std::unique_ptr<DIR, CloseDir> d(::opendir(dir.c_str()));
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

std::string store_lock_path(const std::string& store_path) { return resolved(store_path) + ".lock"; }

Outcome<StoreLock> StoreLock::acquire(const std::string& store_path) {
  const std::string lock_path = store_lock_path(store_path);
  // O_NOFOLLOW: root must not be led to create or lock a file elsewhere.
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0) return io_error<StoreLock>(lock_path, "cannot open the store's lock file", errno);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    ::close(fd);
    return io_error<StoreLock>(lock_path, "cannot lock the store's lock file", err);
  }
  Outcome<StoreLock> out;
  out.value.emplace(StoreLock(fd));
  return out;
}

StoreLock::StoreLock(StoreLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

StoreLock& StoreLock::operator=(StoreLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

Outcome<bool> replace_file_atomically(const std::string& path, std::string_view text) {
  const std::string target = resolved(path);
  const auto [dir, base] = split_dir(target);

  uid_t owner = ::geteuid();
  gid_t group = ::getegid();
  mode_t mode = 0644;
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode))
      return Outcome<bool>::failure(make_error(Location{target, 0, 0}, "expected a regular file to replace, found something else"));
    owner = st.st_uid;
    group = st.st_gid;
    mode = st.st_mode & 07777;
  } else if (errno != ENOENT) {
    return io_error<bool>(target, "cannot stat the file", errno);
  }

  remove_stale_temporaries(dir, base);
  std::string name = dir + "/" + temp_prefix(base) + "XXXXXX";
  UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (fd.get() < 0) return io_error<bool>(target, "cannot create a temporary file beside it", errno);
  TempFile temp(name);

  if (::fchown(fd.get(), owner, group) != 0)
    return io_error<bool>(target, "cannot give the new file the owner and group of the old one", errno);
  if (::fchmod(fd.get(), mode) != 0) return io_error<bool>(target, "cannot give the new file the mode of the old one", errno);
  if (!write_all(fd.get(), text)) return io_error<bool>(temp.path(), "cannot write the new file", errno);
  if (::fsync(fd.get()) != 0) return io_error<bool>(temp.path(), "cannot flush the new file to disk", errno);
  if (fd.close_checked() != 0) return io_error<bool>(temp.path(), "cannot close the new file", errno);
  if (::rename(temp.path().c_str(), target.c_str()) != 0)
    return io_error<bool>(target, "cannot rename the new file over the old one", errno);
  temp.keep();

  // The rename is durable only once the directory is on disk too.
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0)
    return io_error<bool>(dir, "the new file is in place, but flushing its directory failed", errno);
  Outcome<bool> out;
  out.value = true;
  return out;
}

Outcome<bool> commit_store_file(const std::string& path, std::string_view new_text) {
  auto lock = StoreLock::acquire(path);
  if (!lock.ok()) {
    Outcome<bool> out;
    out.diagnostics = std::move(lock.diagnostics);
    return out;
  }
  return replace_file_atomically(path, new_text);
}

Outcome<AppliedScript> apply_script_to_store_file(const std::string& store_path, std::string_view script,
                                                  const std::string& script_name, const std::string& invoker,
                                                  bool invoker_is_root, const FileSafety& safety) {
  Outcome<AppliedScript> out;
  auto lock = StoreLock::acquire(store_path);
  if (!lock.ok()) {
    out.diagnostics = std::move(lock.diagnostics);
    return out;
  }

  // Read under the lock: what another apply committed a moment ago is what
  // this script applies to.
  std::string current;
  struct stat st {};
  if (::stat(store_path.c_str(), &st) == 0 || errno != ENOENT) {
    auto file = read_config_file(store_path, safety);
    if (!file.ok()) {
      out.diagnostics = std::move(file.diagnostics);
      return out;
    }
    if (!file.value->safety_warning.empty())
      out.diagnostics.push_back(make_warning(Location{store_path, 0, 0}, "pam_secstore would refuse this file: " +
                                                                            file.value->safety_warning));
    current = std::move(file.value->text);
  }

  auto result = Store::parse_with_script(current, store_path, script, script_name, invoker, invoker_is_root);
  out.diagnostics.insert(out.diagnostics.end(), std::make_move_iterator(result.diagnostics.begin()),
                         std::make_move_iterator(result.diagnostics.end()));
  if (!result.ok()) return out;

  std::string new_text = result.value->dump();
  bool changed = new_text != current;
  if (changed) {
    // A hand-written store that means the same keeps its comments and layout.
    auto old = Store::parse(current, store_path);
    if (old.ok() && old.value->dump() == new_text) changed = false;
  }
  if (changed) {
    auto written = replace_file_atomically(store_path, new_text);
    if (!written.ok()) {
      out.diagnostics.insert(out.diagnostics.end(), written.diagnostics.begin(), written.diagnostics.end());
      return out;
    }
  }
  out.value = AppliedScript{std::move(*result.value), changed};
  return out;
}

}  // namespace secstore
