// Reading configuration the way a root-run PAM module must (SPEC §4.5): a
// file is used only if it is a regular file owned by root and writable by
// root alone, and every directory above it is owned by root and writable by
// root alone (a root-owned sticky directory such as /tmp is safe for
// root-owned entries). The path is walked from "/" one component at a time,
// each directory checked on its descriptor before the next name is looked up
// in it, so nothing can be swapped between the check and the read.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "secstore/diagnostic.hpp"
#include "secstore/unique_fd.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

// `secstore edit` validates the edited copy as the file it will become: the
// file at `path` is read as holding `text` instead, once its owner, mode and
// directories (which the new file keeps) have been checked.
struct FileDraft {
  std::string path;
  std::string text;
  // `secstore check` with one file alone is a validate hook: `path` is a
  // candidate that configuration management staged in a temporary file
  // (its own directory, its login user) and installs elsewhere, so where it
  // is now says nothing of the file it becomes. Its owner, mode and
  // directories are then reported as a warning instead of refused; every
  // other file (its drop-ins, includes) is still held to the rule.
  bool staged = false;
};

struct FileSafety {
  // The module always enforces the rule. The command enforces it in `check`
  // (which must answer as the module would) and otherwise reads such files
  // with a warning, so that an admin can work on a draft in their own
  // directory.
  bool enforce = true;
  const FileDraft* draft = nullptr;  // never set by the module
};

// What the compiled index records of a file or directory: any change of its
// bytes, a rename over it, a chmod or a chown changes one of these.
struct FileIdentity {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_sec = 0;
  std::int64_t mtime_nsec = 0;
  std::int64_t ctime_sec = 0;
  std::int64_t ctime_nsec = 0;

  static FileIdentity of(const struct stat& st);
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

// A file or directory that a loaded store or configuration depends on, as it
// was when read: what `secstore compile` records and the module compares
// before it trusts a compiled index (SPEC §3). A directory matters by its
// listing (its mtime changes when an entry is added or removed); an optional
// one that did not exist (Security.store.d/, secstore.d/) is Absent, and its
// appearing makes the index stale too.
struct SourceRecord {
  enum class Kind : std::uint8_t { File = 0, Directory = 1, Absent = 2 };
  Kind kind = Kind::File;
  std::string path;
  FileIdentity identity;  // zero for Absent
  friend bool operator==(const SourceRecord&, const SourceRecord&) = default;
};

// The bounds of one load (SPEC §3): the store, its drop-ins, the
// configuration, its includes and the per-service override together may be
// at most 256 files and 16 MiB. Without a bound, files that include each
// other twice over make every login read millions of files.
class ReadBudget {
 public:
  static constexpr std::size_t kMaxFiles = 256;
  static constexpr std::size_t kMaxBytes = std::size_t{16} << 20;

  // Counts one more file; false (and nothing counted) past the bound.
  bool take_file();
  std::size_t bytes_left() const { return kMaxBytes - bytes_; }
  void spend(std::size_t bytes) { bytes_ += bytes < bytes_left() ? bytes : bytes_left(); }
  std::size_t files() const { return files_; }
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t files_ = 0;
  std::size_t bytes_ = 0;
};

// A file or directory opened after the checks.
struct OpenedFile {
  std::string path;  // as given
  // O_RDONLY (a directory: O_DIRECTORY), close-on-exec. The walk to a
  // directory that names are only looked up in (file.cpp, Want::Parent,
  // kept inside VerifiedDirectories) holds O_PATH instead: read and
  // readdir fail on it.
  UniqueFd fd;
  struct stat st {};
  // With FileSafety{false}: why pam_secstore would refuse it ("" when it is
  // safe). With the rule enforced, an unsafe file is an error instead.
  std::string unsafe_reason;
};

// Errors are located at the file (line 0): Problem::Unreadable when it
// cannot be opened, Problem::Unsafe when the rule refuses it, with one
// wording everywhere: "refusing an unsafe file: its directory /etc/x is
// writable by others (mode 0777)". A relative path is taken from the working
// directory (the module accepts only absolute ones). FIFOs and devices are
// refused without being opened for reading, so they cannot block.
Outcome<OpenedFile> open_checked_file(const std::string& path, const FileSafety& safety);
// The same for a directory (an included directory, secstore.d/,
// Security.store.d/, a chroot): it must itself be owned by root and writable
// by root alone; a sticky directory others can write is not safe to read.
Outcome<OpenedFile> open_checked_directory(const std::string& path, const FileSafety& safety);

struct FileContents {
  std::string path;
  std::string text;
  FileIdentity identity;
  std::string safety_warning;  // OpenedFile::unsafe_reason
};

// open_checked_file, then the whole file. With a budget, a file that would
// take the load past its bounds is an error naming the bound.
Outcome<FileContents> read_config_file(const std::string& path, const FileSafety& safety,
                                       ReadBudget* budget = nullptr);

// The names of a directory's entries to read (SPEC §2.4, §3 include): in
// byte order, dot-files skipped, and (when `suffix` is not empty) only names
// that end in it.
Outcome<std::vector<std::string>> list_directory(const OpenedFile& directory, std::string_view suffix);

// Whether nothing is at `path` (ENOENT, or a component that is not a
// directory): an optional file or directory that is simply not there.
bool path_absent(const std::string& path);

// An optional directory of policy files (Security.store.d/, secstore.d/):
// absent is fine, and recorded so (its appearing makes a compiled index
// stale); present, it is checked by the file rule (whoever can write it can
// add policy) and the names in it that end in `suffix` are listed.
struct PolicyDirectory {
  SourceRecord record;
  std::vector<std::string> names;  // list_directory order
};
// Warnings (an unsafe directory read anyway with FileSafety{false}) ride
// along in the outcome.
Outcome<PolicyDirectory> read_policy_directory(const std::string& path, std::string_view suffix,
                                               const FileSafety& safety);

}  // namespace secstore

#pragma GCC visibility pop
