// `secstore check`: would pam_secstore accept these files? It reads them as
// the module does (the file rule enforced, one budget per load, the same
// loaders), and adds what the module would trip over at a session for any
// user: a group the configuration names that does not exist, a chroot
// directory that is missing or unsafe. Exit 0 exactly when the module would
// open a session with them; 1 naming each cause when it would refuse them;
// 2 when a file cannot be read. Diagnostics go to stderr as file:line:col,
// one summary line per file to stdout.
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "check_files.hpp"
#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "secstore/file.hpp"
#include "secstore/module_args.hpp"
#include "secstore/pam_stack.hpp"
#include "secstore/nss.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    {"store", "F", "check the store F and its drop-ins (alone, unless --conf is given too)"},
    {"conf", "F", "check the configuration F, its includes and overrides (alone, unless --store is given too)"},
    {"pam", "FILE|DIR", "check the pam_secstore.so lines of a pam.d file or directory, and the files they name"},
};

// SPEC §5 --pam: each pam_secstore.so line's type and arguments, as the
// module would take them, and the files those arguments name.
void check_pam(const std::string& target, Reporter& reporter, std::set<std::pair<std::string, std::string>>& named) {
  for (const auto& file : pam_files(target)) {
    auto lines = secstore_lines(file);
    std::vector<Diagnostic> found = lines.diagnostics;
    for (const auto& line : lines.value.value_or(std::vector<PamLine>{})) {
      if (line.type == "password")
        found.push_back(make_error(line.where, "pam_secstore has no password hook: libpam would say \"Module is unknown\""));
      std::vector<const char*> argv;
      for (const auto& a : line.args) argv.push_back(a.c_str());
      auto parsed = parse_module_args(static_cast<int>(argv.size()), argv.data());
      if (!parsed.args) {
        found.push_back(make_error(line.where, parsed.error));
        continue;
      }
      if (line.module.front() == '/') {
        struct stat st {};
        if (::stat(line.module.c_str(), &st) != 0)
          found.push_back(make_error(line.where, "the module " + line.module + " does not exist", Problem::Unreadable));
      }
      named.emplace(parsed.args->store_path, parsed.args->conf_path);
    }
    reporter.report(file, found);
  }
}

}  // namespace

int run_check(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  Reporter reporter(io);
  const bool store_given = opts.has("store"), conf_given = opts.has("conf");
  PolicyFiles files = policy_files_from(opts);
  if (auto pam = opts.value("pam")) {
    std::set<std::pair<std::string, std::string>> named;
    check_pam(*pam, reporter, named);
    if (!store_given && !conf_given) {
      // The files the stack names, each pair once.
      for (const auto& [store, conf] : named) check_files(PolicyFiles{store, conf, {}}, CheckScope{}, reporter);
      return reporter.exit_code();
    }
  }
  // No file option: the installed store and configuration. One alone: just
  // that one (a validate hook for configuration management).
  const bool both = store_given == conf_given;
  CheckScope scope{both || store_given, both || conf_given};
  // The one file is a candidate (Ansible's `validate`, Puppet's
  // `validate_cmd`, Salt's `check_cmd`): its content is judged, and where
  // the tool staged it only warned about (FileDraft::staged). One that
  // cannot be read is left to check_files to report.
  std::optional<FileDraft> candidate;
  if (!both) {
    const std::string& path = store_given ? files.store : files.conf;
    if (auto read = read_config_file(path, FileSafety{false}); read.ok())
      candidate = FileDraft{path, std::move(read.value->text), true};
  }
  if (candidate) scope.draft = &*candidate;
  check_files(files, scope, reporter);
  return reporter.exit_code();
}

}  // namespace secstore::cli
