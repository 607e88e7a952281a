// Changing a file that logins depend on (the store, the configuration, the
// compiled index): one writer at a time, and a reader sees the old file or
// the new one, never a mix. A crash or SIGKILL at any point leaves one of
// the two and no lock behind.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "secstore/diagnostic.hpp"
#include "secstore/unique_fd.hpp"

#pragma GCC visibility push(default)

namespace secstore {

// PATH.lock beside the file a path names (a symlink's target: the lock is
// the same whichever name a writer used).
std::string lock_file_path(const std::string& path);

// An exclusive flock(2) on PATH.lock, held while this object lives. flock
// locks belong to the open file, so they die with the process: a killed
// writer never leaves a lock that blocks the next one.
class FileLock {
 public:
  // Blocks until the lock is ours. Errors: the lock file cannot be opened.
  static Outcome<FileLock> acquire(const std::string& path);
  // Does not wait: while another writer holds the lock, fails at once
  // saying the file is busy (as visudo does), a Problem::Unreadable. For a
  // writer that may hold it long, such as an editor.
  static Outcome<FileLock> try_acquire(const std::string& path);

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// How the new file's owner and mode are chosen: by default the old file's
// (a new file: the caller's, 0644); with `mode`, that mode and the caller's
// owner.
struct ReplaceMode {
  std::optional<mode_t> mode;
};

// Replaces the file at `path` with `text`: a temporary file in the same
// directory with the chosen owner and mode, written, fsynced, renamed over
// the original, and the directory fsynced. A symlink is followed: its target
// is replaced. The caller holds the FileLock if writers can race.
Outcome<bool> replace_file_atomically(const std::string& path, std::string_view text, const ReplaceMode& how = {});

}  // namespace secstore

#pragma GCC visibility pop
