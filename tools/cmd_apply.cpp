// `secstore apply [--store F] SCRIPT|-`: runs Security.store statements
// against the store as one transaction (apply_script_to_store_file: lock,
// re-read, validate the whole, atomic replace). On any error the store is
// left as it was.
#include <fcntl.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

#include "check_files.hpp"
#include "commands.hpp"
#include "invoker.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "secstore/encoding.hpp"
#include "secstore/file.hpp"
#include "secstore/policy.hpp"
#include "secstore/store_file.hpp"
#include "secstore/unique_fd.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    kStoreOption, kConfOption,
    {"dry-run", "", "print the change as a unified diff and write nothing"},
    {"force", "", "as root through sudo: change roles locked by another principal (each change is logged)"},
};

constexpr std::string_view kOverride = "overriding the lock";

void log_lock_overrides(const std::string& store_path, const Invoker& invoker,
                        const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity != Severity::Warning || d.message.find(kOverride) == std::string::npos) continue;
    ::openlog("secstore", LOG_PID, LOG_AUTHPRIV);
    // The script's name is the caller's to choose: quoted, so that it
    // cannot pass for the rest of the line.
    const std::string at = log_quoted(d.where.file) + ":" + std::to_string(d.where.line) + ":" +
                           std::to_string(d.where.column);
    ::syslog(LOG_NOTICE, "apply to %s by %s: %s: %s", log_escape(store_path).c_str(), invoker.description.c_str(),
             at.c_str(), log_safe(d.message).c_str());
    ::closelog();
  }
}

struct Script {
  std::optional<std::string> text;
  std::string name;
  std::vector<Diagnostic> errors;
};

constexpr off_t kMaxScriptBytes = off_t{16} << 20;

Script read_script(const std::string& argument, const std::optional<SudoCaller>& sudo) {
  if (argument == "-") {
    // As bounded as a script file: `yes | sudo secstore apply -` would
    // otherwise grow a root process until the machine runs out of memory.
    auto text = read_bounded(STDIN_FILENO, static_cast<std::size_t>(kMaxScriptBytes));
    if (!text)
      return {std::nullopt, "<stdin>",
              {make_error(Location{"<stdin>", 0, 0},
                          "cannot read standard input, or it holds more than a script may (16 MiB)",
                          Problem::Unreadable)}};
    return {std::move(*text), "<stdin>", {}};
  }
  if (sudo) {
    // Judged on the file the name leads to, looked at without opening it
    // (O_PATH: opening a device or a FIFO as root can have effects), and
    // then read through that same descriptor. Every refusal reads alike, so
    // that it says nothing of paths the caller cannot see.
    const std::vector<Diagnostic> refused{make_error(
        Location{argument, 0, 0},
        "through sudo, the script must be a regular file " + log_quoted(sudo->name) +
            " owns, of at most 16 MiB (or standard input, -)",
        Problem::Unreadable)};
    UniqueFd where(::open(argument.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!where || ::fstat(where.get(), &st) != 0 || !sudo_refuses_unowned(*sudo, argument, st).empty() ||
        st.st_size > kMaxScriptBytes)
      return {std::nullopt, argument, refused};
    const std::string reopen = "/proc/self/fd/" + std::to_string(where.get());
    UniqueFd fd(::open(reopen.c_str(), O_RDONLY | O_NOCTTY | O_CLOEXEC));
    if (!fd) return {std::nullopt, argument, refused};
    auto text = read_bounded(fd.get(), static_cast<std::size_t>(kMaxScriptBytes));
    if (!text) return {std::nullopt, argument, refused};
    return {std::move(*text), argument, {}};
  }
  auto file = read_config_file(argument, FileSafety{false});
  if (!file.value) return {std::nullopt, argument, file.diagnostics};
  return {std::move(file.value->text), argument, {}};
}

}  // namespace

int run_apply(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io, "a script file (or - for standard input) is required");
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  const auto& positionals = opts.positionals();

  const std::optional<SudoCaller> sudo = sudo_caller().caller;
  Script script = read_script(positionals.front(), sudo);
  if (!script.text) {
    print_errors(io.err, script.errors);
    return kExitUsage;
  }
  const bool force = opts.has("force");
  if (force && ::getuid() != 0) {
    io.err << "secstore apply: --force is for root through sudo; locks bind every other user\n";
    return kExitUsage;
  }
  const PolicyFiles files = policy_files_from(opts);
  const std::string& store_path = files.store;
  const Invoker invoker = invoker_of_this_process(force, sudo);
  const bool dry_run = opts.has("dry-run");
  // pam_secstore reads the store with secstore.conf, whose role selectors
  // let the store decide which scopes apply: the new store is checked with
  // it as `check` would, under the lock, and a change that makes check
  // refuse what it accepts now (two chroots for root's sessions, the pair
  // past the read budget) is refused, as `edit` refuses it.
  bool refused_with_conf = false;
  const StoreTextCheck with_conf = [&](const std::string& text) {
    ChangeCheck change(files, false);
    std::ostringstream quiet;
    const Io quiet_io{quiet, quiet, io.command};
    auto added = change.added_by(text, quiet_io);
    refused_with_conf = !added.empty();
    return added;
  };
  auto applied = apply_script_to_store_file(store_path, *script.text, script.name, invoker.user,
                                            invoker.overrides_locks, FileSafety{false},
                                            dry_run ? ApplyMode::DryRun : ApplyMode::Write, with_conf);
  print_diagnostics(io.err, applied.diagnostics);
  if (!applied.value) {
    if (refused_with_conf)
      io.err << "secstore apply: with this change, secstore check would refuse " << store_path << " and "
             << files.conf << " (so would pam_secstore); " << store_path << " is left as it is\n";
    const bool lock_refused = std::any_of(applied.diagnostics.begin(), applied.diagnostics.end(), [](const Diagnostic& d) {
      return d.severity == Severity::Error && d.message.find("is locked by principal") != std::string::npos;
    });
    if (lock_refused && invoker.through_sudo)
      io.err << "secstore apply: through sudo, locks are checked against " << log_quoted(invoker.user)
             << ", who ran sudo; --force overrides them, and each override is logged\n";
    return exit_code_for(applied.diagnostics);
  }
  if (dry_run) {
    io.out << (applied.value->changed ? applied.value->diff : store_path + ": unchanged, the script changes nothing\n");
    return kExitOk;
  }
  if (applied.value->changed) log_lock_overrides(store_path, invoker, applied.diagnostics);
  io.out << store_path << (applied.value->changed ? ": updated\n" : ": unchanged, the script changes nothing\n");
  if (applied.value->changed) recompile_index_if_present(files, io);
  return kExitOk;
}

}  // namespace secstore::cli
