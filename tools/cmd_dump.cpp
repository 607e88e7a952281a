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
  auto parsed = parse_options(args, kOptions);
  if (!parsed.options) return usage_error(io, parsed.error);
  const auto& opts = *parsed.options;
  if (opts.has("help")) {
    io.out << usage_text(io.command);
    return kExitOk;
  }
  if (!opts.positionals().empty())
    return usage_error(io, "unexpected argument \"" + opts.positionals().front() + "\"");
  auto store = load_store(opts.value("store").value_or(SECSTORE_DEFAULT_STORE));
  if (!store.value) {
    print_errors(io.err, store.diagnostics);
    return store.failure_exit;
  }
  io.out << store.value->dump();
  return kExitOk;
}

}  // namespace secstore::cli
