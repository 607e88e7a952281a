// The pam_secstore.so lines of pam.d files, as libpam reads them (pam.d(5)):
// `type control module-path args...`, comments from '#', a backslash at the
// end of a line continues it, a control may be a bracketed [value=action]
// list, an argument may be bracketed to hold spaces, and a leading '-' on
// the type makes a missing module silent.
#pragma once

#include <string>
#include <vector>

#include "secstore/diagnostic.hpp"

#pragma GCC visibility push(default)

namespace secstore {

struct PamLine {
  Location where;  // file and line (the first line of a continued one)
  std::string type;  // auth, account, session, password (without the '-')
  std::string control;
  std::string module;  // as written
  std::vector<std::string> args;
};

// The lines of one file that load pam_secstore.so (any path ending in it).
// Errors: the file cannot be read.
Outcome<std::vector<PamLine>> secstore_lines(const std::string& file);

// The pam_secstore.so lines of one service's stack as libpam assembles it:
// the service's file, with each `@include FILE` line replaced by every line
// of FILE, and each line whose control is `include` or `substack` by FILE's
// lines of that line's type (a relative FILE is beside the service's file,
// as in /etc/pam.d). Errors: a file of the stack cannot be read; includes
// nested deeper than libpam follows them (a loop).
Outcome<std::vector<PamLine>> service_secstore_lines(const std::string& service_file);

// The files of a pam.d directory (dot-files and backup files skipped), or
// the file itself.
std::vector<std::string> pam_files(const std::string& file_or_dir);

}  // namespace secstore

#pragma GCC visibility pop
