// `secstore apply [--store F] SCRIPT|-`: runs Security.store statements
// against the store as one transaction (apply_script_to_store_file: lock,
// re-read, validate the whole, atomic replace). On any error the store is
// left as it was.
#include <pwd.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <vector>

#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "secstore/encoding.hpp"
#include "secstore/file.hpp"
#include "secstore/policy.hpp"
#include "secstore/store_file.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    kStoreOption, kConfOption,
    {"dry-run", "", "print the change as a unified diff and write nothing"},
    {"force", "", "as root through sudo: change roles locked by another principal (each change is logged)"},
};

std::string user_name_of(uid_t uid) {
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

// Whom a locked role's principal is compared with (SPEC §5, secstore(1)).
// The REAL uid, so a setuid wrapper cannot make one user act as another.
// Root through sudo acts for the user who ran sudo (SUDO_UID: only root can
// set it for a root process, and a false one only restricts root), and
// overrides a lock only with --force; root's own login overrides them. Every
// override is logged.
struct Invoker {
  std::string user;         // the name locks are checked against
  bool overrides_locks = false;
  std::string description;  // for the log line: `root` or `root (sudo from "alice", uid 1000)`
  bool through_sudo = false;
};

std::optional<uid_t> sudo_uid() {
  const char* value = std::getenv("SUDO_UID");
  if (value == nullptr || *value == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long uid = std::strtoul(value, &end, 10);
  if (errno != 0 || *end != '\0' || uid == 0 || uid > 0xfffffffeUL) return std::nullopt;
  return static_cast<uid_t>(uid);
}

Invoker invoker_of_this_process(bool force) {
  const uid_t uid = ::getuid();
  if (uid != 0) return Invoker{user_name_of(uid), false, user_name_of(uid), false};
  if (auto for_user = sudo_uid()) {
    const std::string name = user_name_of(*for_user);
    return Invoker{name, force, "root (sudo from " + log_quoted(name) + ", uid " + std::to_string(*for_user) + ")",
                   true};
  }
  return Invoker{"root", true, "root", false};
}

constexpr std::string_view kOverride = "overriding the lock";

void log_lock_overrides(const std::string& store_path, const Invoker& invoker,
                        const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity != Severity::Warning || d.message.find(kOverride) == std::string::npos) continue;
    ::openlog("secstore", LOG_PID, LOG_AUTHPRIV);
    ::syslog(LOG_NOTICE, "apply to %s by %s: %s", log_escape(store_path).c_str(), invoker.description.c_str(),
             log_safe(d.str()).c_str());
    ::closelog();
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
  const bool force = opts.has("force");
  if (force && ::getuid() != 0) {
    io.err << "secstore apply: --force is for root through sudo; locks bind every other user\n";
    return kExitUsage;
  }
  const PolicyFiles files = policy_files_from(opts);
  const std::string& store_path = files.store;
  const Invoker invoker = invoker_of_this_process(force);
  const bool dry_run = opts.has("dry-run");
  auto applied = apply_script_to_store_file(store_path, *script.text, script.name, invoker.user,
                                            invoker.overrides_locks, FileSafety{false},
                                            dry_run ? ApplyMode::DryRun : ApplyMode::Write);
  print_diagnostics(io.err, applied.diagnostics);
  if (!applied.value) {
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
