// The policy a subcommand works on, opened through the same Policy as the
// module. The command is an admin's tool: `check` enforces the module's
// file rule (it must answer as the module would); the others read files
// the module would refuse, with a warning, so that a draft in one's own
// directory can be explained. Exit codes follow SPEC §5: a file that cannot
// be read is 2, one that is read and rejected is 1.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "options.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/policy.hpp"

namespace secstore::cli {

inline constexpr OptionSpec kStoreOption{"store", "F", "the Security.store to read (default " SECSTORE_DEFAULT_STORE ")"};
inline constexpr OptionSpec kConfOption{"conf", "F", "the secstore.conf to read (default " SECSTORE_DEFAULT_CONF ")"};
inline constexpr OptionSpec kServiceOption{"service", "S",
                                           "answer for PAM service S (with its secstore.d/S.conf override)"};

// --store, --conf and --service, or the defaults.
PolicyFiles policy_files_from(const ParsedOptions& options);

struct OpenedPolicy {
  std::optional<Policy> policy;
  int failure_exit = kExitOk;           // when !policy
  std::vector<Diagnostic> diagnostics;  // errors and warnings, file order
};
OpenedPolicy open_policy(const PolicyFiles& files, const FileSafety& safety);

// SERVICE names of DIR/secstore.d/SERVICE.conf beside the configuration, as
// the module would look them up. A directory the module would refuse
// (whoever can write it can plant an override for any service) is an error
// in `problems`.
std::vector<std::string> override_services(const std::string& conf_path, std::vector<Diagnostic>& problems);

// 2 when an error is about a file that cannot be read, else 1.
int exit_code_for(const std::vector<Diagnostic>& diagnostics);

// After `apply` or `edit` changed the store or the configuration: compile
// the index again if there is one (else the module warns and reads the text
// at every open), with the configuration it was compiled with. From the
// files as they are now, so a concurrent change can make it stale again,
// never wrong.
void recompile_index_if_present(const PolicyFiles& files, const Io& io);

void print_diagnostics(std::ostream& out, const std::vector<Diagnostic>& diagnostics);
void print_errors(std::ostream& out, const std::vector<Diagnostic>& diagnostics);

}  // namespace secstore::cli
