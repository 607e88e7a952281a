// The session's root directory (secstore.conf `chroot`): checked before
// anything changes, entered so that it can still be left again if a later
// step of the session fails.
//
// The chroot happens in the login program's process at session open, as
// pam_chroot's does: session modules listed after pam_secstore run inside the
// new root, and the user's shell must exist there. With `chroot`, list
// pam_secstore last in the session stack.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "failure.hpp"

namespace secstore::module {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

class SessionRoot {
 public:
  // Opens `dir` and checks, on the descriptor, that it is a directory owned
  // by root and not writable by group or others (as for files, SPEC §4.5),
  // and that this process may chroot.
  static std::variant<SessionRoot, Failure> open_checked(const std::string& dir);

  // chroot into it and chdir to the new "/".
  std::optional<Failure> enter();
  // Back to the root and working directory this process had before enter();
  // possible because the process is still privileged when it is called.
  void leave();

  const std::string& path() const { return path_; }

 private:
  SessionRoot(std::string path, UniqueFd target, UniqueFd old_root, UniqueFd old_cwd);
  std::string path_;
  UniqueFd target_;
  UniqueFd old_root_;
  UniqueFd old_cwd_;
};

}  // namespace secstore::module
