// Reading the two files for a subcommand. The command is an admin's tool, so
// it reads files pam_secstore would refuse (FileSafety{false}) and only
// `check` reports why; the exit code separates a file that cannot be read
// (2, an I/O error) from one that is malformed (1, invalid).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "secstore/conf.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/store.hpp"

namespace secstore::cli {

inline constexpr FileSafety kCommandSafety{.require_root_owned = false};

template <class T>
struct Loaded {
  std::optional<T> value;
  int failure_exit = 0;                 // kExitUsage or kExitNo when !value
  std::vector<Diagnostic> diagnostics;  // errors and warnings, file order
  std::string safety_warning;           // the main file's, "" when it is safe
};

Loaded<Store> load_store(const std::string& path);
// `service`: the per-service override to apply (SPEC §3), if any.
Loaded<Config> load_conf(const std::string& path, const std::optional<std::string>& service);

// "FILE: warning: pam_secstore would refuse this file: REASON".
Diagnostic unsafe_file_warning(const std::string& path, const std::string& reason);

void print_diagnostics(std::ostream& out, const std::vector<Diagnostic>& diagnostics);
// Prints only the errors (the other subcommands leave warnings to `check`).
void print_errors(std::ostream& out, const std::vector<Diagnostic>& diagnostics);

}  // namespace secstore::cli
