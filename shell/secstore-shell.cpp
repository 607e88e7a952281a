// secstore-shell: a login shell wrapper that hands a session's granted
// capabilities to the real shell where the login program cannot.
//
// pam_secstore raises the granted capabilities in the session's inheritable
// set at session open; the inheritable set survives setuid and execve. Login
// programs that cooperate (util-linux su/runuser/login, systemd PAMName=)
// then let the module raise the ambient set after setuid. OpenSSH's sshd does
// not (openssh-portable#520), so its shells start with the grant only in
// CapInh, which an ordinary program cannot use. This wrapper is installed
// with file-inheritable capabilities (setcap cap_...=i), so exec gives it
// permitted = the session's inheritable set and nothing more; it raises each
// of those in the ambient set and execs the real shell, which then holds them
// as the module promised. A session granted nothing gets nothing: the
// wrapper cannot add a capability the session was not given.
//
// The real shell is SECSTORE_SHELL when that names an absolute path listed
// in /etc/shells (so a user cannot make it exec an arbitrary program with the
// raised set any more than their own shell could), else /bin/bash. A login
// shell ("-secstore-shell" in argv[0]) execs the real one as a login shell.

#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr const char* kDefaultShell = "/bin/bash";

struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapState = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

bool listed_in_etc_shells(const std::string& path) {
  std::ifstream shells("/etc/shells");
  std::string line;
  while (std::getline(shells, line)) {
    if (line == path) return true;
  }
  return false;
}

std::string real_shell() {
  const char* wanted = std::getenv("SECSTORE_SHELL");
  if (wanted != nullptr && wanted[0] == '/' && listed_in_etc_shells(wanted)) return wanted;
  return kDefaultShell;
}

// Raises in the ambient set every capability that is both permitted and
// inheritable here: exactly what the session was granted. Returns how many
// could not be raised (each one reported), so the shell still starts with
// fewer capabilities rather than not at all: fewer is the safe direction.
int raise_granted_ambient() {
  CapState caps(cap_get_proc());
  if (!caps) {
    std::fprintf(stderr, "secstore-shell: cannot read this process's capabilities: %s\n",
                 std::strerror(errno));
    return 1;
  }
  int failures = 0;
  for (cap_value_t cap = 0; cap < static_cast<cap_value_t>(cap_max_bits()); ++cap) {
    cap_flag_value_t permitted = CAP_CLEAR;
    cap_flag_value_t inheritable = CAP_CLEAR;
    if (cap_get_flag(caps.get(), cap, CAP_PERMITTED, &permitted) != 0 ||
        cap_get_flag(caps.get(), cap, CAP_INHERITABLE, &inheritable) != 0) {
      continue;
    }
    if (permitted != CAP_SET || inheritable != CAP_SET) continue;
    if (cap_set_ambient(cap, CAP_SET) != 0) {
      char* name = cap_to_name(cap);
      std::fprintf(stderr, "secstore-shell: cannot raise %s in the ambient set: %s\n",
                   name != nullptr ? name : "a capability", std::strerror(errno));
      cap_free(name);
      ++failures;
    }
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  raise_granted_ambient();

  const std::string shell = real_shell();
  const bool login_shell = argc > 0 && argv[0] != nullptr && argv[0][0] == '-';
  const std::string base = shell.substr(shell.find_last_of('/') + 1);
  const std::string shell_argv0 = login_shell ? "-" + base : base;

  std::vector<char*> args;
  args.push_back(const_cast<char*>(shell_argv0.c_str()));
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);

  execv(shell.c_str(), args.data());
  std::fprintf(stderr, "secstore-shell: cannot run %s: %s\n", shell.c_str(), std::strerror(errno));
  return 127;
}
