// `secstore apply [--store F] SCRIPT|-`: runs Security.store statements
// against the store as one transaction (apply_script_to_store_file: lock,
// re-read, validate the whole, atomic replace). On any error the store is
// left as it was.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <vector>

#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "secstore/file.hpp"
#include "secstore/policy.hpp"
#include "secstore/store_file.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {kStoreOption, kConfOption};

// The Unix user a locked role's principal is compared with: the REAL uid,
// so a setuid wrapper cannot make one user act as another.
std::string invoking_user() {
  uid_t uid = ::getuid();
  std::vector<char> buffer(4096);
  for (;;) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc = ::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc == 0 && found != nullptr) return found->pw_name;
    return std::to_string(uid);
  }
}

struct Script {
  std::optional<std::string> text;
  std::string name;
  std::vector<Diagnostic> errors;
};

Script read_script(const std::string& argument) {
  if (argument == "-") {
    std::string text(std::istreambuf_iterator<char>(std::cin), {});
    if (std::cin.bad())
      return {std::nullopt, "<stdin>",
              {make_error(Location{"<stdin>", 0, 0}, "cannot read standard input")}};
    return {std::move(text), "<stdin>", {}};
  }
  auto file = read_config_file(argument, FileSafety{false});
  if (!file.value) return {std::nullopt, argument, file.diagnostics};
  return {std::move(file.value->text), argument, {}};
}


// An index compiled before the change no longer matches the store (the
// module would warn and read the text at every open): compile it again if
// there is one. It is compiled from the file as it is now, so a concurrent
// apply can make it stale again but never wrong.
void refresh_index(const PolicyFiles& files, const Io& io) {
  struct stat st {};
  if (::stat(policy_index_path(files.store).c_str(), &st) != 0) return;
  auto compiled = compile_policy(files, FileSafety{true});
  if (compiled.ok()) {
    io.out << *compiled.value << ": recompiled\n";
    return;
  }
  print_errors(io.err, compiled.diagnostics);
  io.err << policy_index_path(files.store)
         << ": warning: not recompiled; pam_secstore reads the text until `secstore compile` succeeds\n";
}

}  // namespace

int run_apply(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io, "a script file (or - for standard input) is required");
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  const auto& positionals = opts.positionals();

  Script script = read_script(positionals.front());
  if (!script.text) {
    print_errors(io.err, script.errors);
    return kExitUsage;
  }
  const PolicyFiles files = policy_files_from(opts);
  const std::string& store_path = files.store;
  auto applied = apply_script_to_store_file(store_path, *script.text, script.name, invoking_user(),
                                            ::getuid() == 0, FileSafety{false});
  print_diagnostics(io.err, applied.diagnostics);
  if (!applied.value) return exit_code_for(applied.diagnostics);
  io.out << store_path << (applied.value->changed ? ": updated\n" : ": unchanged, the script changes nothing\n");
  if (applied.value->changed) refresh_index(files, io);
  return kExitOk;
}

}  // namespace secstore::cli
