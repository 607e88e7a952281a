#include "session_root.hpp"

#include <fcntl.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "capability_apply.hpp"

namespace secstore::module {
namespace {

Failure config_failure(const std::string& dir, const std::string& why) {
  return Failure{FailureKind::Config, "chroot directory \"" + dir + "\" " + why};
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

bool may_chroot() {
  CapState caps(cap_get_proc());
  cap_flag_value_t value = CAP_CLEAR;
  return caps && cap_get_flag(caps.get(), CAP_SYS_CHROOT, CAP_EFFECTIVE, &value) == 0 &&
         value == CAP_SET;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

SessionRoot::SessionRoot(std::string path, UniqueFd target, UniqueFd old_root, UniqueFd old_cwd)
    : path_(std::move(path)),
      target_(std::move(target)),
      old_root_(std::move(old_root)),
      old_cwd_(std::move(old_cwd)) {}

std::variant<SessionRoot, Failure> SessionRoot::open_checked(const std::string& dir) {
  if (dir.empty() || dir.front() != '/') return config_failure(dir, "is not an absolute path");
  UniqueFd target(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (target.get() < 0) {
    int err = errno;
    if (err == ENOTDIR) return config_failure(dir, "is not a directory");
    return config_failure(dir, std::string("cannot be opened: ") + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(target.get(), &st) != 0)
    return config_failure(dir, std::string("cannot be examined: ") + std::strerror(errno));
  if (st.st_uid != 0)
    return config_failure(dir, "is owned by uid " + std::to_string(st.st_uid) + ", not by root");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return config_failure(dir, "is writable by group or others (mode " + mode_text(st.st_mode) + ")");
  if (!may_chroot())
    return Failure{FailureKind::Capability,
                   "cannot enter chroot directory \"" + dir + "\": this process lacks cap_sys_chroot"};
  UniqueFd old_root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  UniqueFd old_cwd(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (old_root.get() < 0 || old_cwd.get() < 0)
    return Failure{FailureKind::System,
                   std::string("cannot hold the current root directory: ") + std::strerror(errno)};
  return SessionRoot(dir, std::move(target), std::move(old_root), std::move(old_cwd));
}

std::optional<Failure> SessionRoot::enter() {
  if (::fchdir(target_.get()) != 0 || ::chroot(".") != 0 || ::chdir("/") != 0) {
    int err = errno;
    leave();
    return Failure{FailureKind::System,
                   "cannot chroot to \"" + path_ + "\": " + std::strerror(err)};
  }
  return std::nullopt;
}

void SessionRoot::leave() {
  if (::fchdir(old_root_.get()) == 0 && ::chroot(".") == 0) {
    if (::fchdir(old_cwd_.get()) != 0) {
      // The old working directory went away; "/" is still inside the old root.
      if (::chdir("/") != 0) return;
    }
  }
}

}  // namespace secstore::module
