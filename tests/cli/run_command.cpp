#include "run_command.hpp"
#include "private_mounts.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace secstore_test {
namespace {

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close_fd(fds_[0]); }
  void close_write() { close_fd(fds_[1]); }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  std::array<int, 2> fds_{-1, -1};
};

// Reads both pipes until both are closed, so a chatty child never blocks.
void drain(Pipe& out_pipe, Pipe& err_pipe, std::string& out, std::string& err) {
  struct pollfd fds[2] = {{out_pipe.read_end(), POLLIN, 0}, {err_pipe.read_end(), POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open_count = 2;
  char buf[4096];
  while (open_count > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("poll failed");
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
}

// In the child, before exec: a private /dev holding the usual devices and,
// as "log", the socket `log_socket` (made in the parent, which reads it).
bool give_private_dev_log(int log_socket, const std::string& scratch) {
  if (!secstore_test::enter_private_mount_namespace()) return false;
  if (::mount("tmpfs", scratch.c_str(), "tmpfs", MS_NOSUID, "mode=0755") != 0) return false;
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
    const std::string from = std::string("/dev/") + node, to = scratch + "/" + node;
    int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    ::close(fd);
    if (::mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) != 0) return false;
  }
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  const std::string path = scratch + "/log";
  if (path.size() >= sizeof addr.sun_path) return false;
  path.copy(addr.sun_path, path.size());
  if (::bind(log_socket, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return false;
  return ::mount(scratch.c_str(), "/dev", nullptr, MS_BIND, nullptr) == 0;
}

// In the child, before exec: `dir` bound over /etc/security in a mount
// namespace of its own.
bool give_private_etc_security(const std::string& dir) {
  if (!secstore_test::enter_private_mount_namespace()) return false;
  return ::mount(dir.c_str(), "/etc/security", nullptr, MS_BIND, nullptr) == 0;
}

// "<PRI>Mmm dd hh:mm:ss ident[pid]: message" as glibc's syslog sends it.
LoggedLine parse_datagram(const std::string& d) {
  LoggedLine line;
  auto close = d.find('>');
  if (d.empty() || d[0] != '<' || close == std::string::npos) return LoggedLine{0, 0, d};
  const int priority = std::atoi(d.substr(1, close - 1).c_str());
  line.facility = priority & LOG_FACMASK;
  line.level = priority & LOG_PRIMASK;
  line.text = d.substr(std::min(d.size(), close + 1 + 16));  // "Mmm dd hh:mm:ss "
  return line;
}

}  // namespace

CommandResult run_secstore(const std::vector<std::string>& args, const RunOptions& options) {
  std::string binary = options.binary ? *options.binary : std::string(SECSTORE_BUILD_DIR) + "/secstore";
  std::vector<char*> argv;
  argv.push_back(binary.data());
  std::vector<std::string> copies(args);
  for (auto& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);

  Pipe out_pipe, err_pipe;
  int log_socket = -1;
  std::string scratch;
  if (options.capture_syslog) {
    log_socket = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    char pattern[] = "/tmp/secstore-dev-XXXXXX";
    if (log_socket < 0 || ::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot make a log socket");
    scratch = pattern;
  }
  int terminal = -1;
  std::string terminal_name;
  if (options.terminal) {
    terminal = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (terminal < 0 || ::grantpt(terminal) != 0 || ::unlockpt(terminal) != 0 || ::ptsname(terminal) == nullptr)
      throw std::runtime_error("cannot make a pseudo-terminal");
    terminal_name = ::ptsname(terminal);
  }
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (terminal >= 0) {
      // A session of its own, with the terminal as its controlling one.
      int tty = -1;
      if (::setsid() < 0 || (tty = ::open(terminal_name.c_str(), O_RDWR)) < 0 || ::ioctl(tty, TIOCSCTTY, 0) != 0)
        ::_exit(124);
      ::close(tty);
    }
    int input = ::open(options.stdin_path.c_str(), O_RDONLY);
    if (input < 0 || ::dup2(input, 0) < 0 || ::dup2(out_pipe.write_end(), 1) < 0 ||
        ::dup2(err_pipe.write_end(), 2) < 0)
      ::_exit(127);
    for (const auto& [name, value] : options.env) ::setenv(name.c_str(), value.c_str(), 1);
    if (options.etc_security && !give_private_etc_security(*options.etc_security)) ::_exit(125);
    if (options.capture_syslog && !give_private_dev_log(log_socket, scratch)) ::_exit(125);
    if (options.gid && (::setgroups(0, nullptr) != 0 || ::setgid(*options.gid) != 0)) ::_exit(126);
    if (options.uid && ::setuid(*options.uid) != 0) ::_exit(126);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  out_pipe.close_write();
  err_pipe.close_write();
  if (terminal >= 0 && !options.terminal->empty() &&
      ::write(terminal, options.terminal->data(), options.terminal->size()) < 0)
    throw std::runtime_error("cannot type on the pseudo-terminal");
  CommandResult result;
  drain(out_pipe, err_pipe, result.out, result.err);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (terminal >= 0) {
    // Whatever is left to read; EIO once the last user of the other side is gone.
    char buf[4096];
    for (ssize_t n; (n = ::read(terminal, buf, sizeof buf)) > 0;) result.terminal.append(buf, static_cast<std::size_t>(n));
    ::close(terminal);
  }
  if (log_socket >= 0) {
    char buf[8192];
    for (ssize_t n; (n = ::recv(log_socket, buf, sizeof buf, MSG_DONTWAIT)) > 0;)
      result.syslog.push_back(parse_datagram(std::string(buf, static_cast<std::size_t>(n))));
    ::close(log_socket);
    ::rmdir(scratch.c_str());
  }
  return result;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/secstore-cli-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, std::string_view text, mode_t mode) const {
  std::filesystem::path full = std::filesystem::path(path_) / name;
  std::filesystem::create_directories(full.parent_path());
  {
    std::ofstream file(full, std::ios::binary | std::ios::trunc);
    file << text;
    if (!file) throw std::runtime_error("cannot write " + full.string());
  }
  // chmod after writing: the umask must not decide what the test checks.
  if (::chmod(full.c_str(), mode) != 0) throw std::runtime_error("chmod failed");
  return full.string();
}

std::string source_path(const std::string& relative) {
  return std::string(SECSTORE_SOURCE_DIR) + "/" + relative;
}

std::string read_text(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace secstore_test
