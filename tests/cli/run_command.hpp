// Runs the built `secstore` binary as an admin would, and captures what it
// said and how it exited; plus scratch directories for test files.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace secstore_test {

struct CommandResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;
  std::string err;
};

struct RunOptions {
  std::string stdin_path = "/dev/null";  // the file standard input reads
  std::optional<uid_t> uid;              // run as this user (and its gid) instead
  std::optional<gid_t> gid;
  // Another copy of the command to run instead of SECSTORE_BUILD_DIR/secstore
  // (e.g. one another user can reach when the build tree is not).
  std::optional<std::string> binary;
};

// SECSTORE_BUILD_DIR/secstore ARGS...
CommandResult run_secstore(const std::vector<std::string>& args, const RunOptions& options = {});

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `text` to path()/name (creating subdirectories) with `mode`;
  // returns the full path.
  std::string write(const std::string& name, std::string_view text, mode_t mode = 0644) const;

 private:
  std::string path_;
};

std::string source_path(const std::string& relative);  // SECSTORE_SOURCE_DIR/relative
std::string read_text(const std::string& path);

}  // namespace secstore_test
