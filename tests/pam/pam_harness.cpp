#include "pam_harness.hpp"
#include "private_mounts.hpp"

#include <fcntl.h>
#include <grp.h>
#include <security/pam_appl.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <vector>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "module/child_process.hpp"

namespace secstore::test {
namespace {

constexpr const char* kService = "secstore-test";

// A terminal program's conversation, minus the terminal: messages are
// kept (one "told" line each), prompts are refused.
int recording_conversation(int n, const struct pam_message** messages, struct pam_response** responses,
                           void* told) {
  for (int i = 0; i < n; ++i) {
    if (messages[i]->msg_style != PAM_ERROR_MSG && messages[i]->msg_style != PAM_TEXT_INFO) return PAM_CONV_ERR;
    std::string text = messages[i]->msg;
    for (auto& c : text)
      if (c == '\n') c = ' ';
    *static_cast<std::ostringstream*>(told) << "told " << text << "\n";
  }
  *responses = static_cast<struct pam_response*>(std::calloc(static_cast<std::size_t>(n), sizeof(struct pam_response)));
  return *responses ? PAM_SUCCESS : PAM_BUF_ERR;
}

ProcessState read_state() {
  ProcessState s;
  cap_t caps = cap_get_proc();
  int bits = cap_max_bits();
  for (int cap = 0; cap < bits && cap < 64; ++cap) {
    std::uint64_t b = std::uint64_t{1} << cap;
    cap_flag_value_t v = CAP_CLEAR;
    if (caps && cap_get_flag(caps, cap, CAP_INHERITABLE, &v) == 0 && v == CAP_SET) s.inheritable |= b;
    if (caps && cap_get_flag(caps, cap, CAP_PERMITTED, &v) == 0 && v == CAP_SET) s.permitted |= b;
    if (caps && cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET) s.effective |= b;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) s.ambient |= b;
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) s.bounding |= b;
  }
  if (caps) cap_free(caps);
  s.keepcaps = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0);
  gid_t groups[256];
  int n = ::getgroups(256, groups);
  for (int i = 0; i < n; ++i) s.groups.push_back(groups[i]);
  s.marker_at_root = ::access("/secstore-marker", F_OK) == 0;
  return s;
}

std::string serialize(const ProcessState& s) {
  std::ostringstream out;
  out << std::hex << s.inheritable << ' ' << s.permitted << ' ' << s.effective << ' ' << s.ambient
      << ' ' << s.bounding << std::dec << ' ' << s.keepcaps << ' ' << s.marker_at_root << ' '
      << s.groups.size();
  for (gid_t g : s.groups) out << ' ' << g;
  return out.str();
}

ProcessState deserialize(std::istringstream& in) {
  ProcessState s;
  size_t n = 0;
  in >> std::hex >> s.inheritable >> s.permitted >> s.effective >> s.ambient >> s.bounding >>
      std::dec >> s.keepcaps >> s.marker_at_root >> n;
  for (size_t i = 0; i < n; ++i) {
    gid_t g;
    in >> g;
    s.groups.push_back(g);
  }
  return s;
}

// The capability sets of a program run through /bin/sh, as the user's
// login shell would run it: the masks /proc/self/status shows, in
// serialize()'s order (no groups, no marker).
std::string shell_capabilities() {
  FILE* p = ::popen("/bin/sh -c 'grep ^Cap /proc/self/status'", "r");
  if (p == nullptr) return "";
  std::string inh, prm, eff, bnd, amb;
  char line[256];
  while (std::fgets(line, sizeof line, p) != nullptr) {
    std::string l(line);
    auto value = l.substr(l.find(':') + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\n") + 1);
    if (l.rfind("CapInh", 0) == 0) inh = value;
    if (l.rfind("CapPrm", 0) == 0) prm = value;
    if (l.rfind("CapEff", 0) == 0) eff = value;
    if (l.rfind("CapBnd", 0) == 0) bnd = value;
    if (l.rfind("CapAmb", 0) == 0) amb = value;
  }
  ::pclose(p);
  return inh + " " + prm + " " + eff + " " + amb + " " + bnd + " -1 0 0";
}

// Makes the scenario's accounts visible to this child alone.
std::string add_private_accounts(const std::vector<std::string>& lines) {
  if (lines.empty()) return "";
  if (!secstore_test::enter_private_mount_namespace()) return "cannot make a private mount namespace";
  char path[] = "/tmp/secstore-passwd-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) return "mkstemp failed";
  std::ifstream in("/etc/passwd");
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& l : lines) text << l << "\n";
  const std::string all = text.str();
  bool ok = ::fchmod(fd, 0644) == 0 && ::write(fd, all.data(), all.size()) == static_cast<ssize_t>(all.size());
  ::close(fd);
  ok = ok && ::mount(path, "/etc/passwd", nullptr, MS_BIND, nullptr) == 0;
  ::unlink(path);  // the mount keeps the file
  return ok ? "" : "cannot bind a private /etc/passwd";
}

std::string raise_inheritable(std::uint64_t mask) {
  if (mask == 0) return "";
  cap_t caps = cap_get_proc();
  bool ok = caps != nullptr;
  for (int cap = 0; ok && cap < 64; ++cap) {
    cap_value_t v = cap;
    if (mask & (std::uint64_t{1} << cap)) ok = cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET) == 0;
  }
  ok = ok && cap_set_proc(caps) == 0;
  if (caps) cap_free(caps);
  return ok ? "" : "cannot raise the inheritable set";
}

// Makes the effective set the permitted set: what any program holding a
// permitted capability can do.
bool raise_effective() {
  cap_t caps = cap_get_proc();
  if (caps == nullptr) return false;
  bool any = false;
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    cap_flag_value_t v = CAP_CLEAR;
    cap_value_t c = cap;
    if (cap_get_flag(caps, c, CAP_PERMITTED, &v) == 0 && v == CAP_SET) {
      cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET);
      any = true;
    }
  }
  bool ok = any && cap_set_proc(caps) == 0;
  cap_free(caps);
  return ok;
}

// Runs in the child: one line per fact, "key value...".
std::string run_scenario(const PamScenario& sc) {
  std::ostringstream out;
  if (std::string e = add_private_accounts(sc.extra_passwd); !e.empty()) return "error " + e + "\n";
  if (std::string e = raise_inheritable(sc.inheritable_before); !e.empty()) return "error " + e + "\n";
  struct pam_conv conv = {recording_conversation, &out};
  pam_handle_t* pamh = nullptr;
  int rc = pam_start_confdir(kService, sc.user ? sc.user->c_str() : nullptr, &conv,
                             sc.confdir.c_str(), &pamh);
  if (rc != PAM_SUCCESS) return "error pam_start_confdir " + std::to_string(rc) + "\n";
  // Each call before its line: the conversation writes to `out` too.
  if (sc.setcred) {
    const int rc_setcred = pam_setcred(pamh, PAM_ESTABLISH_CRED);
    out << "setcred " << rc_setcred << "\n";
  }
  if (sc.account) {
    const int rc_account = pam_acct_mgmt(pamh, 0);
    out << "account " << rc_account << "\n";
  }
  out << "before " << serialize(read_state()) << "\n";
  int last = PAM_SUCCESS;
  if (sc.open) {
    last = pam_open_session(pamh, 0);
    out << "open " << last << "\n";
  }
  if (sc.raise_inheritable_after_open != 0) {
    cap_t caps = cap_get_proc();
    for (int cap = 0; cap < 64; ++cap)
      if (sc.raise_inheritable_after_open & (std::uint64_t{1} << cap)) {
        cap_value_t value = cap;
        cap_set_flag(caps, CAP_INHERITABLE, 1, &value, CAP_SET);
      }
    if (cap_set_proc(caps) != 0) out << "error raising the inheritable set\n";
    cap_free(caps);
  }
  out << "after_open " << serialize(read_state()) << "\n";
  if (sc.setcred_after_open) {
    const int rc_after = pam_setcred(pamh, PAM_ESTABLISH_CRED);
    out << "setcred_after_open " << rc_after << "\n";
    out << "after_setcred " << serialize(read_state()) << "\n";
  }
  if (char** env = pam_getenvlist(pamh)) {
    for (char** e = env; *e; ++e) {
      out << "env " << *e << "\n";
      std::free(*e);
    }
    std::free(env);
  }
  if (sc.end_then_setuid_to) {
    pam_end(pamh, last);
    out << "after_parent_end " << serialize(read_state()) << "\n";
    if (::setgid(*sc.end_then_setuid_to) != 0 || ::setuid(*sc.end_then_setuid_to) != 0) {
      out << "error setuid\n";
      return out.str();
    }
    out << "after_parent_setuid " << serialize(read_state()) << "\n";
    const bool raised = raise_effective();
    const int shadow = ::open("/etc/shadow", O_RDONLY | O_CLOEXEC);
    if (shadow >= 0) ::close(shadow);
    out << "escalation raise=" << (raised ? "ok" : "refused") << " shadow=" << (shadow >= 0 ? "read" : "refused")
        << " setresuid=" << (::setresuid(0, 0, 0) == 0 ? "ok" : "refused") << "\n";
  } else if (sc.open && last == PAM_SUCCESS && sc.setuid_to) {
    // What the login program's child does before exec'ing the shell.
    if (::setgid(*sc.setuid_to) != 0 || ::setuid(*sc.setuid_to) != 0) {
      out << "error setuid\n";
      return out.str();
    }
    std::vector<std::string> env;
    if (char** list = pam_getenvlist(pamh)) {
      for (char** e = list; *e; ++e) {
        env.emplace_back(*e);
        std::free(*e);
      }
      std::free(list);
    }
    pam_end(pamh, PAM_SUCCESS | PAM_DATA_SILENT);
    out << "after_end " << serialize(read_state()) << "\n";
    out << "shell " << shell_capabilities() << "\n";
    if (sc.keep_alive) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        // Nothing of the harness's: not its report pipe, not its terminal.
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
        ::close_range(3, ~0u, 0);
        env.emplace_back("PATH=/usr/bin:/bin");
        std::vector<char*> envp;
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        char sleep[] = "sleep", seconds[] = "120";
        char* argv[] = {sleep, seconds, nullptr};
        ::execve("/bin/sleep", argv, envp.data());
        ::_exit(127);
      }
      if (pid > 0) out << "alive " << pid << "\n";
    }
  } else {
    pam_end(pamh, last);
  }
  return out.str();
}

}  // namespace

void write_service(const std::string& confdir, const std::string& args, const std::string& more_session) {
  std::filesystem::create_directories(confdir);
  const std::string module = std::string(SECSTORE_BUILD_DIR) + "/pam_secstore.so";
  // An `other` that denies: libpam wants one (and logs when it is missing),
  // and it must never fall back to this machine's /etc/pam.d.
  std::ofstream(confdir + "/other", std::ios::trunc)
      << "auth required pam_deny.so\naccount required pam_deny.so\n"
         "password required pam_deny.so\nsession required pam_deny.so\n";
  std::ofstream out(confdir + "/" + kService, std::ios::trunc);
  out << "auth     required " << module << " " << args << "\n"
      << "account  required " << module << " " << args << "\n"
      << "session  required " << module << " " << args << "\n"
      << more_session << (more_session.empty() ? "" : "\n");
}

PamOutcome run_pam(const PamScenario& scenario, const std::string& syslog_path) {
  PamOutcome outcome;
  auto child = run_in_child([&] {
    int fd = ::open(syslog_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    capture_syslog_to(fd);
    return run_scenario(scenario);
  });
  if (child.exit_status != 0) outcome.child_error = "child exited with " + std::to_string(child.exit_status);
  std::istringstream lines(child.report);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string key;
    in >> key;
    if (key == "setcred") in >> outcome.setcred_rc;
    else if (key == "account") in >> outcome.account_rc;
    else if (key == "open") in >> outcome.open_rc;
    else if (key == "setcred_after_open") in >> outcome.setcred_after_open_rc;
    else if (key == "after_setcred") outcome.after_setcred = deserialize(in);
    else if (key == "before") outcome.before = deserialize(in);
    else if (key == "after_open") outcome.after_open = deserialize(in);
    else if (key == "after_end") outcome.after_end = deserialize(in);
    else if (key == "shell") outcome.shell = deserialize(in);
    else if (key == "env") outcome.env.push_back(line.substr(4));
    else if (key == "told") outcome.told.push_back(line.substr(5));
    else if (key == "after_parent_end") outcome.after_parent_end = deserialize(in);
    else if (key == "after_parent_setuid") outcome.after_parent_setuid = deserialize(in);
    else if (key == "escalation") outcome.escalation = line.substr(11);
    else if (key == "error") outcome.child_error += line;
    else if (key == "alive") {
      pid_t pid = 0;
      in >> pid;
      outcome.alive = pid;
    }
  }
  outcome.lines = read_captured_syslog(syslog_path);
  std::filesystem::remove(syslog_path);
  return outcome;
}

std::string describe(const ProcessState& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "inh=%llx prm=%llx eff=%llx amb=%llx bnd=%llx keep=%d",
                static_cast<unsigned long long>(s.inheritable),
                static_cast<unsigned long long>(s.permitted),
                static_cast<unsigned long long>(s.effective),
                static_cast<unsigned long long>(s.ambient),
                static_cast<unsigned long long>(s.bounding), s.keepcaps);
  return buf;
}

void PrintTo(const ProcessState& s, std::ostream* out) { *out << describe(s); }

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(SECSTORE_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::string> env_value(const PamOutcome& o, const std::string& name) {
  for (const auto& e : o.env)
    if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
  return std::nullopt;
}

std::string all_lines(const PamOutcome& o) {
  std::string out;
  for (const auto& l : o.lines) out += "  [" + std::to_string(l.level) + "] " + l.text + "\n";
  return out;
}

}  // namespace secstore::test
