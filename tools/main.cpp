// `secstore`: the admin's tool for Security.store and secstore.conf (SPEC §5).
// This file only dispatches; each subcommand is in tools/cmd_NAME.cpp.
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "commands.hpp"
#include "terminal_text.hpp"
#include "secstore/suggest.hpp"

namespace {

using secstore::cli::Io;

void print_help(std::ostream& out) {
  out << secstore::cli::usage_text("") << "\ncommands:\n";
  for (const auto& c : secstore::cli::all_commands()) {
    std::string name(c.name);
    name.resize(16, ' ');
    out << "  " << name << c.summary << '\n';
  }
  out << "\nexit status: 0 success or yes, 1 invalid or no, 2 usage or I/O error\n"
         "default files: " SECSTORE_DEFAULT_STORE ", " SECSTORE_DEFAULT_CONF "\n";
}

int run(int argc, char** argv) {
  Io io{std::cout, std::cerr, ""};
  if (argc < 2) return secstore::cli::usage_error(io, "a command is required");
  std::string_view first = argv[1];
  if (first == "--help" || first == "-h") {
    print_help(std::cout);
    return secstore::cli::kExitOk;
  }
  if (first == "--version") {
    std::cout << "secstore " SECSTORE_VERSION "\n";
    return secstore::cli::kExitOk;
  }
  const auto* command = secstore::cli::find_command(first);
  if (command == nullptr) {
    std::vector<std::string_view> names;
    for (const auto& c : secstore::cli::all_commands()) names.push_back(c.name);
    return secstore::cli::usage_error(io, "unknown command \"" + std::string(first) + "\"" +
                                              secstore::did_you_mean(first, names));
  }
  secstore::cli::Args args(argv + 2, argv + argc);
  return command->run(args, Io{std::cout, std::cerr, command->name});
}

}  // namespace

int main(int argc, char** argv) {
  // A bug must not look like an answer: an escaped exception is reported and
  // exits 2, never 0 ("yes") or 1 ("no").
  // Everything the command writes, to either stream, is made safe for a
  // terminal on the way out (terminal_text.hpp).
  secstore::cli::TerminalTextGuard safe_out(std::cout);
  secstore::cli::TerminalTextGuard safe_err(std::cerr);
  try {
    int rc = run(argc, argv);
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "secstore: error: cannot write to standard output\n";
      return secstore::cli::kExitUsage;
    }
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "secstore: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "secstore: internal error\n";
  }
  return secstore::cli::kExitUsage;
}
