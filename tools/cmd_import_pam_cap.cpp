// `secstore import-pam-cap FILE`: prints pam_cap's capability.conf as
// secstore.conf Security scopes that give each user what pam_cap would
// (see pam_cap_import.hpp for how first-match-wins is kept). Nothing is
// printed to stdout if the file has errors.
#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "pam_cap_conf.hpp"
#include "pam_cap_import.hpp"
#include "secstore/file.hpp"

namespace secstore::cli {
namespace {

constexpr std::span<const OptionSpec> kOptions;

}  // namespace

int run_import_pam_cap(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io, "the capability.conf file to import is required");
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  const std::string& path = opts.positionals().front();
  auto file = read_config_file(path, FileSafety{false});
  if (!file.value) {
    print_errors(io.err, file.diagnostics);
    return kExitUsage;
  }
  auto rules = parse_pam_cap_conf(file.value->text, path);
  print_diagnostics(io.err, rules.diagnostics);
  if (!rules.value) return kExitNo;
  // This host's users: for rules written out per user, and to spot scopes
  // that reach root through a group.
  auto imported = import_pam_cap(*rules.value, path, enumerate_host_users());
  print_diagnostics(io.err, imported.diagnostics);
  for (const auto& d : imported.diagnostics)
    if (d.severity == Severity::Error) return kExitNo;
  io.out << imported.conf_text;
  return kExitOk;
}

}  // namespace secstore::cli
