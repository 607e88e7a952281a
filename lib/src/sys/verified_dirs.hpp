// Checking many files that share a few directories (the sources of a
// compiled index, checked at every session open) by the file rule of SPEC
// §4.5 without walking from "/" once per file: each directory is walked and
// checked once, held open, and each file is then looked up by name in it.
#pragma once

#include <limits.h>
#include <sys/stat.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "secstore/file.hpp"
#include "secstore/unique_fd.hpp"

namespace secstore::detail {

class VerifiedDirectories {
 public:
  // What the entry at `path` is, if it is a regular file (`directory`
  // false) or a directory that the rule allows, reached through
  // directories the rule allows. nullopt whenever this short way cannot
  // vouch for it (a symbolic link, a path that is not plainly absolute,
  // anything missing or unsafe): open_checked_file or
  // open_checked_directory then decides, and says why.
  std::optional<struct stat> stat_entry(std::string_view path, bool directory);
  // True when `path` names nothing in a directory the rule allows; false
  // whenever this short way cannot tell (path_absent then decides).
  bool absent(std::string_view path);
  // The file at `path` opened as open_checked_file opens it, on the same
  // terms as stat_entry.
  std::optional<OpenedFile> open_file(const std::string& path);

 private:
  // The verified directory for `dir`, or -1 when it did not pass.
  int directory_fd(std::string_view dir);
  // The last name of a path, terminated, without an allocation.
  using Name = std::array<char, NAME_MAX + 1>;
  // Splits a plainly absolute path into its directory's descriptor and
  // the last name; false when it is not one.
  bool locate(std::string_view path, int& dir_fd, Name& name);

  std::vector<std::pair<std::string, UniqueFd>> dirs_;
};

}  // namespace secstore::detail
