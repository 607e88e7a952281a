// `secstore compile`: writes STORE.idx, the compiled index pam_secstore reads
// instead of parsing the store at every session open (issue 7; see
// secstore/store_index.hpp for what it holds and when it is not used).
#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "secstore/store_index.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {{"store", true}, {"help", false}};

// A located error (line > 0) is the store's text; anything else is I/O.
bool any_text_error(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error && d.where.line > 0) return true;
  return false;
}

}  // namespace

int run_compile(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  const std::string path = opts.value("store").value_or(SECSTORE_DEFAULT_STORE);
  auto written = compile_store_index(path, kCommandSafety);
  if (!written.ok()) {
    print_errors(io.err, written.diagnostics);
    return any_text_error(written.diagnostics) ? kExitNo : kExitUsage;
  }
  io.out << "wrote " << *written.value << "\n";
  return kExitOk;
}

}  // namespace secstore::cli
