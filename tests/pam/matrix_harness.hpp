// Running the real pam_secstore.so through real libpam, in a child process,
// and recording what a user and an admin would see: the PAM return codes,
// the syslog lines, the PAM environment, and the process's capability sets,
// groups, ids and root directory before and after.
//
// Each run happens in a forked child so that a module that wrongly changes
// the process (a chroot, a dropped bounding capability) cannot spoil the
// next test; the child sends its findings back as text.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <security/pam_appl.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "pam/syslog_capture.hpp"

namespace secstore::testing {

inline std::string module_path() { return std::string(SECSTORE_BUILD_DIR) + "/pam_secstore.so"; }

// A private directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/secstore-pamtest-XXXXXX";
    if (::mkdtemp(templ) == nullptr) std::abort();
    path_ = templ;
    // Parents of configuration files must be traversable by anyone: the
    // module may read them as root with DAC override dropped.
    ::chmod(path_.c_str(), 0755);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes a file with exactly this mode and owner (umask does not apply).
inline void write_file(const std::string& path, const std::string& text, mode_t mode = 0644,
                       uid_t uid = 0, gid_t gid = 0) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::abort();
  if (::fchown(fd, uid, gid) != 0 || ::fchmod(fd, mode) != 0) std::abort();
  ::close(fd);
}

// A PAM configuration directory for pam_start_confdir: one service file per
// service, and an `other` that denies, so that libpam never falls back to
// this machine's /etc/pam.d.
class PamConfDir {
 public:
  PamConfDir() { write_file(dir_ / "other", "auth required pam_deny.so\naccount required pam_deny.so\n"
                                           "password required pam_deny.so\nsession required pam_deny.so\n"); }
  // `lines` are full pam.d lines; "@MODULE@" is replaced by the module's path.
  void add_service(const std::string& service, const std::string& lines) {
    std::string text = lines;
    for (std::size_t at; (at = text.find("@MODULE@")) != std::string::npos;)
      text.replace(at, 8, module_path());
    write_file(dir_ / service, text);
  }
  const std::string& path() const { return dir_.path(); }

 private:
  TempDir dir_;
};

// What a process is allowed and where it lives; the module must leave all of
// it as it was whenever it fails.
struct ProcessState {
  std::string caps;          // cap_to_text of effective/permitted/inheritable
  std::uint64_t ambient = 0;
  std::uint64_t bounding = 0;
  int keepcaps = 0;
  int securebits = 0;
  uid_t ruid = 0, euid = 0;
  gid_t rgid = 0, egid = 0;
  std::vector<gid_t> groups;
  std::string root;          // readlink /proc/self/root
  dev_t root_dev = 0;
  ino_t root_ino = 0;
  std::string cwd;
  unsigned open_fds = 0;

  friend bool operator==(const ProcessState&, const ProcessState&) = default;
};

inline unsigned count_open_fds() {
  unsigned n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (struct dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    --n;  // the descriptor opendir itself holds
  }
  return n;
}

inline ProcessState capture_process_state() {
  ProcessState s;
  if (cap_t c = cap_get_proc()) {
    if (char* text = cap_to_text(c, nullptr)) {
      s.caps = text;
      cap_free(text);
    }
    cap_free(c);
  }
  for (unsigned cap = 0; cap < static_cast<unsigned>(cap_max_bits()) && cap < 64; ++cap) {
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) s.ambient |= 1ULL << cap;
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) s.bounding |= 1ULL << cap;
  }
  s.keepcaps = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0);
  s.securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  s.ruid = ::getuid();
  s.euid = ::geteuid();
  s.rgid = ::getgid();
  s.egid = ::getegid();
  int n = ::getgroups(0, nullptr);
  s.groups.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  if (n > 0 && ::getgroups(n, s.groups.data()) != n) s.groups.clear();
  char buf[4096];
  ssize_t len = ::readlink("/proc/self/root", buf, sizeof buf - 1);
  if (len >= 0) s.root.assign(buf, static_cast<std::size_t>(len));
  struct stat st {};
  if (::stat("/", &st) == 0) {
    s.root_dev = st.st_dev;
    s.root_ino = st.st_ino;
  }
  if (::getcwd(buf, sizeof buf) != nullptr) s.cwd = buf;
  s.open_fds = count_open_fds();
  return s;
}

inline std::string hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// What changed between two states, as "what: before -> after" lines.
inline std::string state_difference(const ProcessState& a, const ProcessState& b) {
  std::ostringstream out;
  auto groups = [](const std::vector<gid_t>& g) {
    std::string s;
    for (gid_t x : g) s += (s.empty() ? "" : ",") + std::to_string(x);
    return s;
  };
  if (a.caps != b.caps) out << "capabilities: " << a.caps << " -> " << b.caps << "; ";
  if (a.ambient != b.ambient) out << "ambient: " << hex(a.ambient) << " -> " << hex(b.ambient) << "; ";
  if (a.bounding != b.bounding)
    out << "bounding: " << hex(a.bounding) << " -> " << hex(b.bounding) << "; ";
  if (a.keepcaps != b.keepcaps) out << "keepcaps: " << a.keepcaps << " -> " << b.keepcaps << "; ";
  if (a.securebits != b.securebits)
    out << "securebits: " << a.securebits << " -> " << b.securebits << "; ";
  if (a.ruid != b.ruid || a.euid != b.euid || a.rgid != b.rgid || a.egid != b.egid)
    out << "ids changed; ";
  if (a.groups != b.groups) out << "groups: " << groups(a.groups) << " -> " << groups(b.groups) << "; ";
  if (a.root != b.root || a.root_dev != b.root_dev || a.root_ino != b.root_ino)
    out << "root: " << a.root << " -> " << b.root << "; ";
  if (a.cwd != b.cwd) out << "cwd: " << a.cwd << " -> " << b.cwd << "; ";
  if (a.open_fds != b.open_fds)
    out << "open descriptors: " << a.open_fds << " -> " << b.open_fds << "; ";
  return out.str();
}

// A conversation that shows messages (a refused user is told why, SPEC
// §4.7) and answers no prompt: the module must never prompt.
inline int silent_conversation(int n, const struct pam_message** messages, struct pam_response** responses, void*) {
  for (int i = 0; i < n; ++i)
    if (messages[i]->msg_style != PAM_ERROR_MSG && messages[i]->msg_style != PAM_TEXT_INFO) return PAM_CONV_ERR;
  *responses = static_cast<struct pam_response*>(std::calloc(static_cast<std::size_t>(n), sizeof(struct pam_response)));
  return *responses ? PAM_SUCCESS : PAM_BUF_ERR;
}

enum class Hook { OpenSession, Account, Setcred };

inline const char* hook_name(Hook h) {
  switch (h) {
    case Hook::OpenSession: return "open_session";
    case Hook::Account: return "acct_mgmt";
    case Hook::Setcred: return "setcred";
  }
  return "?";
}

// One PAM transaction as a login program makes it: start, the hook, the
// matching close (for a session that opened), end.
struct PamRun {
  int start_rc = PAM_SYSTEM_ERR;
  int rc = PAM_SYSTEM_ERR;  // of the hook under test
  std::vector<LogLine> log;
  std::vector<std::string> env;  // pam_getenvlist after the hook
  std::string state_change;      // state_difference(before start, after end)
};

inline PamRun run_pam(const std::string& confdir, const std::string& service, const char* user,
                      Hook hook) {
  PamRun run;
  clear_captured_syslog();
  ProcessState before = capture_process_state();
  struct pam_conv conv {silent_conversation, nullptr};
  pam_handle_t* pamh = nullptr;
  run.start_rc = pam_start_confdir(service.c_str(), user, &conv, confdir.c_str(), &pamh);
  if (run.start_rc == PAM_SUCCESS) {
    switch (hook) {
      case Hook::OpenSession: run.rc = pam_open_session(pamh, 0); break;
      case Hook::Account: run.rc = pam_acct_mgmt(pamh, 0); break;
      case Hook::Setcred: run.rc = pam_setcred(pamh, PAM_ESTABLISH_CRED); break;
    }
    if (char** list = pam_getenvlist(pamh)) {
      for (char** e = list; *e; ++e) {
        run.env.emplace_back(*e);
        std::free(*e);
      }
      std::free(list);
    }
    if (hook == Hook::OpenSession && run.rc == PAM_SUCCESS) pam_close_session(pamh, 0);
    pam_end(pamh, run.rc);
  }
  run.log = captured_syslog();
  run.state_change = state_difference(before, capture_process_state());
  return run;
}

// ------------------------------------------------------------ child processes

// Text sent from a child: one field a line, newlines inside escaped.
inline std::string escape_line(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

inline std::string unescape_line(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[i + 1] == 'n' ? '\n' : s[i + 1];
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

inline std::string serialize(const PamRun& r) {
  std::ostringstream out;
  out << "start " << r.start_rc << "\nrc " << r.rc << "\nchange " << escape_line(r.state_change)
      << "\n";
  for (const auto& l : r.log) out << "log " << l.priority << " " << escape_line(l.text) << "\n";
  for (const auto& e : r.env) out << "env " << escape_line(e) << "\n";
  return out.str();
}

inline std::optional<PamRun> deserialize(const std::string& text) {
  PamRun r;
  std::istringstream in(text);
  std::string line;
  bool seen_rc = false;
  while (std::getline(in, line)) {
    std::string key = line.substr(0, line.find(' '));
    std::string rest = line.size() > key.size() ? line.substr(key.size() + 1) : "";
    if (key == "start") r.start_rc = std::stoi(rest);
    else if (key == "rc") { r.rc = std::stoi(rest); seen_rc = true; }
    else if (key == "change") r.state_change = unescape_line(rest);
    else if (key == "env") r.env.push_back(unescape_line(rest));
    else if (key == "log") {
      std::size_t sp = rest.find(' ');
      r.log.push_back(LogLine{std::stoi(rest.substr(0, sp)),
                              sp == std::string::npos ? "" : unescape_line(rest.substr(sp + 1))});
    }
  }
  if (!seen_rc) return std::nullopt;
  return r;
}

struct ChildResult {
  int status = -1;     // as from waitpid
  std::string output;  // what the child wrote to its pipe
};

// Runs `body` in a forked child; what it returns is sent back through a pipe.
// The child leaves with _exit (no atexit handlers, no gtest teardown); a
// child that wants a leak check at its end asks for one itself.
inline ChildResult run_in_child(const std::function<std::string()>& body) {
  ChildResult result;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return result;
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return result;
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string out = body();
    std::size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
    std::fflush(nullptr);
    ::_exit(0);
  }
  ::close(fds[1]);
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  while (::waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

inline std::string priority_name(int priority) {
  switch (priority) {
    case LOG_EMERG: return "LOG_EMERG";
    case LOG_ALERT: return "LOG_ALERT";
    case LOG_CRIT: return "LOG_CRIT";
    case LOG_ERR: return "LOG_ERR";
    case LOG_WARNING: return "LOG_WARNING";
    case LOG_NOTICE: return "LOG_NOTICE";
    case LOG_INFO: return "LOG_INFO";
    case LOG_DEBUG: return "LOG_DEBUG";
  }
  return "LOG_" + std::to_string(priority);
}

inline std::string pam_code_name(int rc) {
  switch (rc) {
    case PAM_SUCCESS: return "PAM_SUCCESS";
    case PAM_SESSION_ERR: return "PAM_SESSION_ERR";
    case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
    case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
    case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
    case PAM_CRED_ERR: return "PAM_CRED_ERR";
    case PAM_SYSTEM_ERR: return "PAM_SYSTEM_ERR";
    case PAM_IGNORE: return "PAM_IGNORE";
    case PAM_ABORT: return "PAM_ABORT";
    case PAM_BUF_ERR: return "PAM_BUF_ERR";
    case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
    case PAM_OPEN_ERR: return "PAM_OPEN_ERR";
    case PAM_SYMBOL_ERR: return "PAM_SYMBOL_ERR";
  }
  return "PAM code " + std::to_string(rc);
}

}  // namespace secstore::testing
