#include "syscall_count.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace secstore::bench {

namespace {

bool run_quietly(std::vector<std::string> args, const std::string& log_file, std::string& error) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
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
    error = "strace run failed; see " + log_file;
    return false;
  }
  return true;
}

// strace -c's table: "% time seconds usecs/call calls [errors] syscall".
std::map<std::string, std::uint64_t> read_table(const std::string& file) {
  std::map<std::string, std::uint64_t> calls;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string t; fields >> t;) f.push_back(t);
    if (f.size() < 5 || f[0].find_first_not_of("0123456789.") != std::string::npos) continue;
    if (f.back() == "total") continue;
    calls[f.back()] = std::stoull(f[3]);
  }
  return calls;
}

std::map<std::string, std::uint64_t> one_run(const std::string& strace, const std::string& out_file,
                                             std::vector<std::string> program_and_args, std::uint64_t calls,
                                             std::string& error) {
  std::vector<std::string> args = {strace, "-f", "-c", "-o", out_file, "--"};
  program_and_args.push_back("--instrumented-calls=" + std::to_string(calls));
  args.insert(args.end(), program_and_args.begin(), program_and_args.end());
  if (!run_quietly(args, out_file + ".log", error)) return {};
  return read_table(out_file);
}

}  // namespace

SyscallCount count_syscalls(const std::string& strace, const std::string& out_prefix,
                            const std::vector<std::string>& program_and_args, std::uint64_t few,
                            std::uint64_t many) {
  SyscallCount r;
  const auto a = one_run(strace, out_prefix + ".few", program_and_args, few, r.error);
  if (!r.error.empty()) return r;
  const auto b = one_run(strace, out_prefix + ".many", program_and_args, many, r.error);
  if (!r.error.empty()) return r;
  if (b.empty()) {
    r.error = "no syscall table in " + out_prefix + ".many";
    return r;
  }
  const double n = static_cast<double>(many - few);
  for (const auto& [name, count] : b) {
    const auto it = a.find(name);
    const double before = it == a.end() ? 0.0 : static_cast<double>(it->second);
    const double per_call = (static_cast<double>(count) - before) / n;
    if (per_call < 0.005) continue;
    r.per_call += per_call;
    r.top.emplace_back(name, per_call);
  }
  std::sort(r.top.begin(), r.top.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  if (r.top.size() > 6) r.top.resize(6);
  r.ok = true;
  return r;
}

}  // namespace secstore::bench
