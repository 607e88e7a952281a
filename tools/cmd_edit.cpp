// `secstore edit [--store F | --conf F]` works like visudo (SPEC §5): under
// the file's lock, the admin edits a private copy with $VISUAL or $EDITOR;
// the copy is validated exactly as `secstore check` validates the file it
// will become (read in its place: same directory, drop-ins, includes and
// overrides, the same owner and mode); on an error the admin may edit again
// (only with a terminal to ask on); the result is installed atomically with
// the original owner and mode, and an index that exists is recompiled.
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "check_files.hpp"
#include "commands.hpp"
#include "invoker.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "secstore/file.hpp"
#include "secstore/file_update.hpp"
#include "secstore/unique_fd.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    {"store", "F", "edit the store F (the default: " SECSTORE_DEFAULT_STORE ")"},
    {"conf", "F", "edit the configuration F instead (default " SECSTORE_DEFAULT_CONF ")"},
};

// The editor the admin asked for, as visudo and sudoedit choose it; a
// command line (`code --wait`) is run by the shell.
std::string chosen_editor() {
  for (const char* name : {"VISUAL", "EDITOR"})
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  return ::access("/usr/bin/editor", X_OK) == 0 ? "/usr/bin/editor" : "vi";
}

// Runs the editor on `path`; its exit status, or -1 when it did not exit.
// Through sudo the editor runs as the user who ran sudo, as sudoedit runs
// it: an editor can start a shell, and sudoers granted `secstore edit`, not
// a root shell.
int run_editor(const std::string& editor, const std::string& path, const std::optional<SudoCaller>& as) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (as && (::setgroups(as->groups.size(), as->groups.data()) != 0 || ::setgid(as->gid) != 0 ||
               ::setuid(as->uid) != 0 || ::setuid(0) == 0))
      ::_exit(126);
    const std::string script = editor + " \"$@\"";
    ::execl("/bin/sh", "sh", "-c", script.c_str(), "secstore-edit", path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Where the private directory goes: $TMPDIR only if no one but root could
// rename or replace what is in it (the file rule, a sticky /tmp allowed):
// the copy is read back by name, and what is read is installed.
std::string safe_temporary_directory() {
  const char* tmp = std::getenv("TMPDIR");
  if (tmp != nullptr && *tmp == '/' && open_checked_directory(tmp, FileSafety{true}).ok()) return tmp;
  return "/tmp";
}

// A directory only root can write, holding the copy under the file's own
// name (editors choose their syntax by it); removed with what is in it.
// Through sudo the copy belongs to the user who ran sudo, and the directory
// lets them reach it (0711) but add nothing: what is read back is that one
// file, never a link they swapped in, and root removes only what it made.
class PrivateCopy {
 public:
  PrivateCopy(const std::string& original, const std::string& text, const std::optional<SudoCaller>& owner,
              std::string& error) {
    std::string pattern = safe_temporary_directory() + "/secstore-edit.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      error = "cannot make a private directory for the copy: " + std::string(std::strerror(errno));
      return;
    }
    dir_ = pattern;
    path_ = dir_ + "/" + std::filesystem::path(original).filename().string();
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    if (ok && owner) ok = ::fchown(fd, owner->uid, owner->gid) == 0 && ::chmod(dir_.c_str(), 0711) == 0;
    if (fd >= 0) ::close(fd);
    if (!ok) error = "cannot write the copy " + path_ + ": " + std::strerror(errno);
  }
  ~PrivateCopy() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  PrivateCopy(const PrivateCopy&) = delete;
  PrivateCopy& operator=(const PrivateCopy&) = delete;
  const std::string& path() const { return path_; }

  // What the editor left (nullopt: the file is gone or unreadable).
  std::optional<std::string> read() const {
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    struct stat st {};
    // Bounded as every policy file is (through sudo the copy is the
    // caller's, and may be made huge or sparse).
    constexpr off_t kMaxBytes = off_t{16} << 20;
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxBytes) return std::nullopt;
    return read_bounded(fd.get(), static_cast<std::size_t>(kMaxBytes));
  }

 private:
  std::string dir_, path_;
};

enum class Answer { EditAgain, Quit };

// visudo's question, on the terminal (not standard input, which may be a
// pipe); no terminal, or no answer, is Quit.
Answer ask_what_now(const std::string& file) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (tty < 0) return Answer::Quit;
  const std::string question = "What now? (e)dit " + file + " again, or e(x)it without saving: ";
  for (int tries = 0; tries < 3; ++tries) {
    if (::write(tty, question.data(), question.size()) < 0) break;
    std::string line;
    char c = 0;
    ssize_t n = 0;
    while ((n = ::read(tty, &c, 1)) == 1 && c != '\n') line += c;
    if (n <= 0 && line.empty()) break;
    line.erase(0, line.find_first_not_of(" \t"));
    if (!line.empty() && (line[0] == 'e' || line[0] == 'E')) {
      ::close(tty);
      return Answer::EditAgain;
    }
    if (!line.empty() && (line[0] == 'x' || line[0] == 'X' || line[0] == 'q' || line[0] == 'Q')) break;
  }
  ::close(tty);
  return Answer::Quit;
}

}  // namespace

int run_edit(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  if (opts.has("store") && opts.has("conf"))
    return usage_error(io, "edit one file at a time: --store F or --conf F");
  const PolicyFiles files = policy_files_from(opts);
  const bool editing_conf = opts.has("conf");
  const std::string target = editing_conf ? files.conf : files.store;

  auto lock = FileLock::try_acquire(target);
  if (!lock.ok()) {
    print_errors(io.err, lock.diagnostics);
    io.err << "secstore edit: " << target << " is left as it is\n";
    return exit_code_for(lock.diagnostics);
  }
  // The file as pam_secstore reads it now. One it would refuse is fixed by
  // its owner or mode first: editing cannot make it usable.
  auto current = read_config_file(target, FileSafety{true});
  if (!current.ok()) {
    print_errors(io.err, current.diagnostics);
    io.err << "secstore edit: " << target << " is left as it is\n";
    return exit_code_for(current.diagnostics);
  }

  // Validated together with the other file, whose errors from before this
  // edit (if any) do not block it: what blocks is what the edit adds.
  ChangeCheck change(files, editing_conf);

  const std::optional<SudoCaller> sudo = sudo_caller().caller;
  std::string error;
  PrivateCopy copy(target, current.value->text, sudo, error);
  if (!error.empty()) {
    print_error(io, error);
    return kExitUsage;
  }
  const std::string editor = chosen_editor();
  for (;;) {
    const int status = run_editor(editor, copy.path(), sudo);
    if (status != 0) {
      io.err << "secstore edit: the editor (" << editor << ") exited with status " << status << "; " << target
             << " is left as it is\n";
      return kExitNo;
    }
    auto edited = copy.read();
    if (!edited) {
      io.err << "secstore edit: the edited copy " << copy.path() << " cannot be read; " << target
             << " is left as it is\n";
      return kExitUsage;
    }
    if (*edited == current.value->text) {
      io.out << target << ": unchanged\n";
      return kExitOk;
    }
    const std::vector<Diagnostic> added = change.added_by(*edited, io);
    if (added.empty()) {
      auto written = replace_file_atomically(target, *edited);
      if (!written.ok()) {
        print_errors(io.err, written.diagnostics);
        return kExitUsage;
      }
      io.out << target << ": installed\n";
      recompile_index_if_present(files, io);
      return kExitOk;
    }
    io.err << "secstore edit: " << added.size() << (added.size() == 1 ? " error" : " errors")
           << " in the edited " << (editing_conf ? "configuration" : "store") << "\n";
    if (ask_what_now(target) == Answer::Quit) {
      io.err << "secstore edit: " << target << " is left as it is (the edit is discarded)\n";
      return kExitNo;
    }
  }
}

}  // namespace secstore::cli
