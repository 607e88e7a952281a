// Reading configuration files the way a root-run PAM module must: the
// safety checks (SPEC §4.5) are made on the opened descriptor, so a file
// cannot be swapped between the check and the read.
#pragma once

#include <string>

#include "secstore/diagnostic.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

struct FileSafety {
  // SPEC §4.5: regular file, owned by root, not writable by group or others.
  // The module always sets this; the command only warns (see secstore(1)).
  bool require_root_owned = true;
};

struct FileContents {
  std::string path;
  std::string text;
  // Set when the file would be unsafe under FileSafety{true} but the caller
  // did not require it: "not owned by root", "writable by others", ...
  std::string safety_warning;
};

// Opens with O_CLOEXEC (a symlink is followed; its target is what fstat
// checks), refuses non-regular files, reads it whole.
// Errors are diagnostics located at the file (line 0).
Outcome<FileContents> read_config_file(const std::string& path, const FileSafety& safety);

}  // namespace secstore

#pragma GCC visibility pop
