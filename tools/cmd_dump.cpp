// `secstore dump`: the store in canonical form (Store::dump), for review,
// diffs and as the form `secstore apply` writes.
#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {{"store", true}, {"help", false}};

}  // namespace

int run_dump(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  auto store = load_store(opts.value("store").value_or(SECSTORE_DEFAULT_STORE));
  if (!store.value) {
    print_errors(io.err, store.diagnostics);
    return store.failure_exit;
  }
  io.out << store.value->dump();
  return kExitOk;
}

}  // namespace secstore::cli
