// `secstore dump`: the store (with its drop-ins) in canonical form
// (Store::dump), for review and diffs.
#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {kStoreOption};

}  // namespace

int run_dump(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  auto store = Store::load(policy_files_from(*parsed.options).store, FileSafety{false});
  if (!store.ok()) {
    print_errors(io.err, store.diagnostics);
    return exit_code_for(store.diagnostics);
  }
  io.out << store.value->dump();
  return kExitOk;
}

}  // namespace secstore::cli
