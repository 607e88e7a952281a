// secstore-shell: a login shell for programs that do not let pam_secstore
// raise the ambient set in the user's shell (OpenSSH's sshd: it never calls
// pam_end(PAM_DATA_SILENT) in its child, openssh-portable#520).
//
// pam_secstore raised the granted capabilities in the session's inheritable
// set at open, and the inheritable set survives setuid and exec. Installed
// with file-inheritable capabilities (setcap all=i), this program starts
// with permitted = that inheritable set, and nothing more. It then asks the
// library what the policy grants this user as AMBIENT — as pam_secstore
// decides it, from the files and the sshd stack's own arguments (its
// includes followed, its require= honoured), never from the environment —
// raises exactly those that it also holds, and runs the user's real shell.
// An inheritable-only grant stays inheritable-only: the real shell starts
// with its ambient set and nothing else. It cannot know that sshd started
// it; secstore-shell(8), LIMITS, says what that leaves.
//
// The real shell is SECSTORE_SHELL when set: it must be an absolute path
// listed in /etc/shells and not this program, or this program refuses to
// start (an unusable choice is an error, never a silent fallback). Unset,
// it is /bin/bash. A login shell ("-secstore-shell" in argv[0]) runs the
// real one as a login shell. See secstore-shell(8).

#include <sys/auxv.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "secstore/capabilities.hpp"
#include "secstore/module_decision.hpp"
#include "secstore/nss.hpp"
#include "secstore/pam_stack.hpp"

namespace {

constexpr const char* kDefaultShell = "/bin/bash";
// The service whose stack gives ssh sessions their grant.
constexpr const char* kService = "sshd";
constexpr const char* kStack = "/etc/pam.d/sshd";

struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapState = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

void say(const std::string& text) { std::fprintf(stderr, "secstore-shell: %s\n", text.c_str()); }

bool listed_in_etc_shells(const std::string& path) {
  std::ifstream shells("/etc/shells");
  std::string line;
  while (std::getline(shells, line))
    if (line == path) return true;
  return false;
}

std::optional<std::string> real_shell() {
  const char* wanted = std::getenv("SECSTORE_SHELL");
  if (wanted == nullptr) return std::string(kDefaultShell);
  if (wanted[0] != '/' || !listed_in_etc_shells(wanted)) {
    say(std::string("SECSTORE_SHELL=") + wanted + " is not an absolute path listed in /etc/shells; refusing to start");
    return std::nullopt;
  }
  if (::access(wanted, X_OK) != 0) {
    say(std::string("SECSTORE_SHELL=") + wanted + " cannot be run: " + std::strerror(errno));
    return std::nullopt;
  }
  // Itself (postinst lists it in /etc/shells), by any name: it would run
  // itself for ever, and the login would never start. Without /proc (a
  // chroot), the name it was run by; main() also takes SECSTORE_SHELL out
  // of the real shell's environment, so no chain of shells can loop.
  struct stat shell {}, self {};
  const auto* run_as = reinterpret_cast<const char*>(::getauxval(AT_EXECFN));
  const bool self_known =
      ::stat("/proc/self/exe", &self) == 0 || (run_as != nullptr && ::stat(run_as, &self) == 0);
  if (::stat(wanted, &shell) == 0 && self_known && shell.st_dev == self.st_dev && shell.st_ino == self.st_ino) {
    say(std::string("SECSTORE_SHELL=") + wanted +
        " is secstore-shell itself, which would run itself for ever; refusing to start");
    return std::nullopt;
  }
  return std::string(wanted);
}

std::string where(const secstore::PamLine& line) {
  return line.where.file + ":" + std::to_string(line.where.line);
}

// What the policy grants this user as ambient over ssh, as pam_secstore
// decides it: the sshd stack as libpam assembles it (its @include and
// include lines followed, so the session line that pam-auth-update put in
// common-session is found), each pam_secstore line of it decided with its
// own arguments. A line that would refuse the user (a file it cannot use, a
// require= or require_path= the user's roles lack) means sshd would not
// have opened this session with a grant: nothing is raised, and the line
// that refuses is named. This holds whatever the line's control says: fewer
// is the safe direction.
secstore::CapabilityMask granted_ambient() {
  auto lines = secstore::service_secstore_lines(kStack);
  if (!lines.ok()) {
    for (const auto& d : lines.diagnostics) say(d.str());
    say("cannot read the sshd stack; raising nothing");
    return 0;
  }
  auto user = secstore::user_name(::getuid());
  if (!user) {
    say("this uid has no name in the name service; raising nothing");
    return 0;
  }
  std::optional<secstore::CapabilityMask> grant;
  for (const auto& line : *lines.value) {
    if (line.type == "password") continue;  // the module has no password hook: it gates no login
    std::vector<const char*> argv;
    for (const auto& a : line.args) argv.push_back(a.c_str());
    auto parsed = secstore::parse_module_args(static_cast<int>(argv.size()), argv.data());
    if (!parsed.args) {
      say(where(line) + ": " + parsed.error + "; raising nothing");
      return 0;
    }
    auto decision = secstore::decide_module_session(*parsed.args, *user, kService);
    if (!decision.session) {
      say(where(line) + ": " + decision.refusal_message + "; raising nothing");
      return 0;
    }
    auto lacks = secstore::missing_requirements(*parsed.args, *decision.session, decision.required_held);
    if (!lacks.empty()) {
      std::string list;
      for (const auto& l : lacks) list += (list.empty() ? "" : ", ") + l;
      say(where(line) + ": pam_secstore refuses this user over ssh: lacks " + list + "; raising nothing");
      return 0;
    }
    if (line.type == "session" && !grant) grant = decision.session->plan.caps.ambient;
  }
  if (!grant) {
    say(std::string(kStack) + " has no pam_secstore.so session line, in it or in the files it includes; raising nothing");
    return 0;
  }
  return *grant;
}

// Raises in the ambient set the grant that this process also holds
// (permitted and inheritable). Fewer is the safe direction: a capability
// that cannot be raised is reported and the shell still starts.
void raise_ambient(secstore::CapabilityMask grant) {
  CapState caps(cap_get_proc());
  if (!caps) {
    say(std::string("cannot read this process's capabilities: ") + std::strerror(errno));
    return;
  }
  const unsigned count = secstore::kernel_capability_count();
  for (unsigned c = 0; c < count; ++c) {
    if (!(grant & (secstore::CapabilityMask{1} << c))) continue;
    cap_flag_value_t permitted = CAP_CLEAR, inheritable = CAP_CLEAR;
    const auto cap = static_cast<cap_value_t>(c);
    if (cap_get_flag(caps.get(), cap, CAP_PERMITTED, &permitted) != 0 ||
        cap_get_flag(caps.get(), cap, CAP_INHERITABLE, &inheritable) != 0 || permitted != CAP_SET ||
        inheritable != CAP_SET)
      continue;
    if (cap_set_ambient(cap, CAP_SET) != 0)
      say("cannot raise " + secstore::capability_list(secstore::CapabilityMask{1} << c) +
          " in the ambient set: " + std::strerror(errno));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto shell = real_shell();
  if (!shell) return 126;
  try {
    raise_ambient(granted_ambient());
  } catch (const std::exception& e) {
    say(std::string("internal error: ") + e.what() + "; raising nothing");
  }

  const bool login_shell = argc > 0 && argv[0] != nullptr && argv[0][0] == '-';
  const std::string base = shell->substr(shell->find_last_of('/') + 1);
  const std::string shell_argv0 = login_shell ? "-" + base : base;
  std::vector<char*> args;
  args.push_back(const_cast<char*>(shell_argv0.c_str()));
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  ::unsetenv("SECSTORE_SHELL");
  execv(shell->c_str(), args.data());
  say("cannot run " + *shell + ": " + std::strerror(errno));
  return 127;
}
