// `secstore compile`: writes STORE.idx, the compiled policy pam_secstore
// reads instead of the text while every file it was compiled from is
// unchanged (SPEC §3; secstore/policy.hpp).
#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {kStoreOption, kConfOption};

}  // namespace

int run_compile(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  // Compiled as the module will check it: an index of files the module
  // would refuse is never used, so refusing them here says so at once.
  auto written = compile_policy(policy_files_from(*parsed.options), FileSafety{true});
  print_diagnostics(io.err, written.diagnostics);
  if (!written.ok()) return exit_code_for(written.diagnostics);
  io.out << "wrote " << *written.value << "\n";
  return kExitOk;
}

}  // namespace secstore::cli
