// Runs the built `secstore` binary as an admin would, and captures what it
// said and how it exited; plus scratch directories for test files.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace secstore_test {

// One line the command sent to syslog(3).
struct LoggedLine {
  int facility = 0;  // e.g. LOG_AUTHPRIV
  int level = 0;     // e.g. LOG_NOTICE
  std::string text;  // "ident[pid]: message" without the timestamp
};

struct CommandResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;
  std::string err;
  std::vector<LoggedLine> syslog;  // with RunOptions::capture_syslog
  std::string terminal;            // what it wrote to its terminal (RunOptions::terminal)
};

struct RunOptions {
  std::string stdin_path = "/dev/null";  // the file standard input reads
  std::optional<uid_t> uid;              // run as this user (and its gid) instead
  std::optional<gid_t> gid;
  // Another copy of the command to run instead of SECSTORE_BUILD_DIR/secstore
  // (e.g. one another user can reach when the build tree is not).
  std::optional<std::string> binary;
  // Set in the command's environment (as sudo sets SUDO_UID, say).
  std::vector<std::pair<std::string, std::string>> env;
  // Run it in a private mount namespace whose /dev/log is a socket this
  // test reads (root only; this machine's log is never written).
  bool capture_syslog = false;
  // Run it in a private mount namespace where this directory is
  // /etc/security (root only; this machine's is never written): for what
  // the command does with its default files.
  std::optional<std::string> etc_security;
  // Run it in a new session whose controlling terminal is a pseudo-terminal
  // on which this is typed (as an admin answering a question on /dev/tty).
  std::optional<std::string> terminal;
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
