// A shell command's combined output and exit status, for the tests that
// look at the built objects with the tools a packager or user would run
// (nm, a compiler).
#pragma once

#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <string>

namespace secstore_test {

struct ShellOutput {
  std::string text;
  int status = -1;
};

inline ShellOutput run_shell(const std::string& command) {
  ShellOutput out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.text.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace secstore_test
