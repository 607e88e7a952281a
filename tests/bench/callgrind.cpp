#include "callgrind.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
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
  r.ok = true;
  return r;
}

}  // namespace secstore::bench
