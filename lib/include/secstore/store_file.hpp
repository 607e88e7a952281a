// Changing a Security.store on disk safely (SPEC §5 `secstore apply`):
// one writer at a time, every change validated as a whole, and a reader
// (the PAM module) sees the old file or the new one, never a mix. A crash
// or SIGKILL at any point leaves one of the two and no lock behind.
#pragma once

#include <string>
#include <string_view>

#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"
#include "secstore/store.hpp"

namespace secstore {

// The lock file beside a store: PATH.lock.
std::string store_lock_path(const std::string& store_path);

// An exclusive flock(2) on PATH.lock, held while this object lives. flock
// locks belong to the open file, so they die with the process: a killed
// writer never leaves a lock that blocks the next one.
class StoreLock {
 public:
  // Blocks until the lock is ours. Errors: the lock file cannot be opened.
  static Outcome<StoreLock> acquire(const std::string& store_path);

  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&& other) noexcept;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Replaces the file at `path` with `text`: a temporary file in the same
// directory, with the original's owner and mode (a new file: 0644), written,
// fsynced, renamed over the original, and the directory fsynced. The caller
// holds the StoreLock. A symlink is followed: its target is replaced.
Outcome<bool> replace_file_atomically(const std::string& path, std::string_view text);

// Takes the lock and replaces the store with `new_text` (already validated
// by the caller).
Outcome<bool> commit_store_file(const std::string& path, std::string_view new_text);

struct AppliedScript {
  Store store;       // the store now on disk
  bool changed = false;  // false: the script changed nothing, the file was not rewritten
};

// All of `secstore apply`: under the lock, re-reads the store (so concurrent
// applies lose no edit), runs the script after it as one transaction
// (Store::parse_with_script, role locks checked for `invoker`), and if the
// result is valid and differs, writes its canonical form (Store::dump) with
// replace_file_atomically. On any error nothing is written. Comments and
// layout of the store are not kept: the written file is the canonical dump.
// A store file that does not exist yet is treated as empty and created.
Outcome<AppliedScript> apply_script_to_store_file(const std::string& store_path, std::string_view script,
                                                  const std::string& script_name, const std::string& invoker,
                                                  bool invoker_is_root, const FileSafety& safety);

}  // namespace secstore
