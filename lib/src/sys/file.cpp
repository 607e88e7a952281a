#include "secstore/file.hpp"
#include "sys/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace secstore {
namespace {

using detail::UniqueFd;

std::string mode_string(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Why the file is unsafe, or "" when it is safe (SPEC §4.5).
std::string unsafe_reason(const struct stat& st) {
  if (st.st_uid != 0) return "it is owned by uid " + std::to_string(st.st_uid) + ", not by root";
  if (st.st_mode & S_IWOTH) return "it is writable by others (mode " + mode_string(st.st_mode) + ")";
  if (st.st_mode & S_IWGRP)
    return "it is writable by its group (mode " + mode_string(st.st_mode) + ")";
  return "";
}

}  // namespace

Outcome<FileContents> read_config_file(const std::string& path, const FileSafety& safety) {
  Location at{path, 0, 0};
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    int err = errno;
    return Outcome<FileContents>::failure(
        make_error(at, std::string("cannot open the file: ") + std::strerror(err)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    int err = errno;
    return Outcome<FileContents>::failure(
        make_error(at, std::string("cannot stat the file: ") + std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode))
    return Outcome<FileContents>::failure(
        make_error(at, S_ISDIR(st.st_mode) ? "expected a regular file, found a directory"
                                           : "expected a regular file, found a special file"));
  FileContents contents;
  contents.path = path;
  std::string reason = unsafe_reason(st);
  if (!reason.empty()) {
    if (safety.require_root_owned)
      return Outcome<FileContents>::failure(
          make_error(at, "refusing an unsafe file: " + reason));
    contents.safety_warning = reason;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      return Outcome<FileContents>::failure(
          make_error(at, std::string("cannot read the file: ") + std::strerror(err)));
    }
    if (n == 0) break;
    contents.text.append(buf, static_cast<size_t>(n));
  }
  Outcome<FileContents> out;
  out.value = std::move(contents);
  return out;
}

}  // namespace secstore
