#include "cli.hpp"

#include <unistd.h>

#include <cerrno>

#include "commands.hpp"

namespace secstore::cli {

std::string usage_text(std::string_view command) {
  std::string text;
  bool first = true;
  for (const auto& c : all_commands()) {
    if (!command.empty() && c.name != command) continue;
    text += first ? "usage: secstore " : "       secstore ";
    text += c.synopsis;
    text += '\n';
    first = false;
  }
  if (command.empty()) {
    text += "       secstore --help | --version\n";
  } else {
    text += "       secstore ";
    text += command;
    text += " --help\n";
  }
  return text;
}

int usage_error(const Io& io, std::string_view reason) {
  io.err << "secstore";
  if (!io.command.empty()) io.err << ' ' << io.command;
  io.err << ": " << reason << '\n' << usage_text(io.command);
  return kExitUsage;
}

void print_error(const Io& io, std::string_view message) {
  io.err << "secstore: error: " << message << '\n';
}

std::optional<std::string> read_bounded(int fd, std::size_t max_bytes) {
  std::string text;
  char buffer[65536];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > max_bytes) return std::nullopt;
  }
  return text;
}

}  // namespace secstore::cli
