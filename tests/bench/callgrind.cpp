#include "callgrind.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace secstore::bench {

namespace {

// callgrind writes "totals: N" (and, in older versions, "summary: N"); the
// first event is Ir, the only one collected by default.
bool read_total_ir(const std::string& file, std::uint64_t& ir) {
  std::ifstream in(file);
  std::string line;
  bool found = false;
  while (std::getline(in, line)) {
    for (const char* key : {"totals:", "summary:"}) {
      if (line.rfind(key, 0) == 0) {
        std::istringstream fields(line.substr(std::strlen(key)));
        if (fields >> ir) found = true;
      }
    }
  }
  return found;
}

bool is_name_service_entry(const std::string& fn) {
  // The entry points the module (lookup_subject, lookup_names) calls; glibc
  // spells some with a symbol version ("getpwnam_r@@GLIBC_2.2.5").
  static constexpr const char* kEntries[] = {"getpwnam_r", "getpwuid_r", "getgrnam_r", "getgrgid_r",
                                             "getgrouplist", "getpwnam", "getgrnam", "initgroups"};
  const std::string base = fn.substr(0, fn.find('@'));
  for (const char* e : kEntries)
    if (base == e) return true;
  return false;
}

// The hooks of the module a row measures: pam_secstore's session hooks, or
// pam_cap's setcred. pam_permit.so, below it in every stack, has hooks of
// the same names.
bool is_module_hook(const std::string& fn, const std::string& object) {
  if (object.find("pam_secstore") != std::string::npos)
    return fn == "pam_sm_open_session" || fn == "pam_sm_close_session";
  return fn == "pam_sm_setcred" && object.find("/pam_cap.so") != std::string::npos;
}

bool is_libpam(const std::string& object) { return object.find("/libpam.so") != std::string::npos; }
bool is_module_object(const std::string& object) {
  return object.find("pam_secstore") != std::string::npos || object.find("libsecstore") != std::string::npos ||
         object.find("/pam_cap.so") != std::string::npos;
}

// Callgrind's name compression: "(12) name" defines id 12 in a table, "(12)"
// refers to it, a bare name has no id.
class NameTable {
 public:
  std::string operator()(const std::string& spec) {
    if (spec.empty() || spec[0] != '(') return spec;
    const auto close = spec.find(')');
    if (close == std::string::npos) return spec;
    const std::string id = spec.substr(0, close + 1);
    if (close + 2 <= spec.size()) names_[id] = spec.substr(close + 2);
    return names_[id];
  }

 private:
  std::map<std::string, std::string> names_;
};

// Inclusive costs from the call records of a callgrind profile: a `calls=`
// line is followed by the cost line of that call, its callee's whole cost.
// The module's own share is what its hooks cost less what the name-service
// entry points cost (called from anywhere outside the name service itself,
// so nested lookups are not subtracted twice) and less its calls into libpam.
struct HookShares {
  std::uint64_t own = 0;
  std::uint64_t name_service = 0;
};

std::optional<HookShares> hook_shares(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  NameTable functions, objects;  // fn/cfn share one table, ob/cob another
  std::string ob, cob, fn, cfn;
  bool call_cost_next = false;
  std::uint64_t hooks = 0, name_service = 0, libpam = 0;
  bool saw_hook = false;
  while (std::getline(in, line)) {
    if (call_cost_next) {
      call_cost_next = false;
      std::istringstream fields(line);
      std::string position;
      std::uint64_t ir = 0;
      if (fields >> position >> ir) {
        if (is_module_hook(cfn, cob.empty() ? ob : cob)) {
          hooks += ir;
          saw_hook = true;
        } else if (is_name_service_entry(cfn) && !is_name_service_entry(fn)) {
          name_service += ir;
        } else if (is_libpam(cob) && is_module_object(ob)) {
          libpam += ir;  // pam_syslog, pam_get_item, pam_putenv...: libpam's, not the module's
        }
      }
      cob.clear();  // a call without cob= is to the caller's own object
      continue;
    }
    if (line.rfind("ob=", 0) == 0) ob = objects(line.substr(3));
    else if (line.rfind("cob=", 0) == 0) cob = objects(line.substr(4));
    else if (line.rfind("fn=", 0) == 0) fn = functions(line.substr(3));
    else if (line.rfind("cfn=", 0) == 0) cfn = functions(line.substr(4));
    else if (line.rfind("calls=", 0) == 0) call_cost_next = true;
  }
  if (!saw_hook || name_service + libpam > hooks) return std::nullopt;
  return HookShares{hooks - name_service - libpam, name_service};
}

}  // namespace

InstructionCount count_instructions(const std::string& valgrind, const std::string& out_file,
                                    const std::vector<std::string>& program_and_args, std::uint64_t calls) {
  InstructionCount r;
  r.calls = calls;
  std::vector<std::string> args = {valgrind, "--tool=callgrind", "--collect-atstart=no",
                                   "--callgrind-out-file=" + out_file};
  args.insert(args.end(), program_and_args.begin(), program_and_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  unlink(out_file.c_str());
  const std::string log_file = out_file + ".log";
  const pid_t pid = fork();
  if (pid < 0) {
    r.error = std::string("fork: ") + std::strerror(errno);
    return r;
  }
  if (pid == 0) {
    // valgrind's own chatter goes to a log beside the output, not the table.
    const int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    r.error = "valgrind run failed (status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
              "); see " + log_file;
    return r;
  }
  std::uint64_t ir = 0;
  if (!read_total_ir(out_file, ir)) {
    r.error = "no instruction total in " + out_file;
    return r;
  }
  r.instructions_per_call = static_cast<double>(ir) / static_cast<double>(calls);
  if (const auto shares = hook_shares(out_file)) {
    r.module_own_per_call = static_cast<double>(shares->own) / static_cast<double>(calls);
    r.name_service_per_call = static_cast<double>(shares->name_service) / static_cast<double>(calls);
  }
  r.ok = true;
  return r;
}

}  // namespace secstore::bench
