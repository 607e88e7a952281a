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
#include <set>
#include <string>
#include <vector>

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

// Prints each diagnostic once (overrides are loaded on top of the main
// file, whose findings are already out) and one summary line per file.
class Reporter {
 public:
  explicit Reporter(const Io& io) : io_(io) {}

  void report(const std::string& file, const std::vector<Diagnostic>& found) {
    unsigned errors = 0, warnings = 0;
    bool unreadable = false;
    for (const auto& d : found) {
      if (d.severity == Severity::Error) {
        ++errors;
        unreadable = unreadable || d.problem == Problem::Unreadable;
        worst_ = std::max(worst_, d.problem == Problem::Unreadable ? int{kExitUsage} : int{kExitNo});
      } else {
        ++warnings;
      }
      if (printed_.insert(d.str()).second) io_.err << d.str() << '\n';
    }
    if (unreadable) {
      io_.out << file << ": cannot be read\n";
      return;
    }
    io_.out << file << ": " << (errors ? "invalid" : "ok");
    if (errors != 0) io_.out << ", " << errors << (errors == 1 ? " error" : " errors");
    if (warnings != 0) io_.out << ", " << warnings << (warnings == 1 ? " warning" : " warnings");
    io_.out << '\n';
  }
  int exit_code() const { return worst_; }

 private:
  const Io& io_;
  std::set<std::string> printed_;
  int worst_ = kExitOk;
};

void take(std::vector<Diagnostic>& into, const std::vector<Diagnostic>& from) {
  into.insert(into.end(), from.begin(), from.end());
}

// Root's session as the module would resolve it, for the root warnings.
struct RootView {
  std::optional<SessionSubject> subject;
  SessionAccess access;
  bool roles_known = false;
  std::vector<std::string> roles_from_groups;
};

RootView root_view(const std::optional<Store>& store) {
  RootView view;
  auto found = lookup_subject("root", GroupDetail::IdsAndNames);
  if (found.status != LookupStatus::Found) return view;
  view.subject = found.subject;
  if (!store) return view;
  view.roles_known = true;
  view.access = store->resolve(*view.subject);
  SessionSubject without_groups = *view.subject;
  without_groups.groups.clear();
  const auto own = store->resolve(without_groups).role_names;
  for (const auto& r : view.access.role_names)
    if (!std::binary_search(own.begin(), own.end(), r)) view.roles_from_groups.push_back(r);
  return view;
}

// What the module trips over in a loaded configuration at every session:
// groups it names that do not exist, chroot directories it refuses; and
// the warnings worth reading.
std::vector<Diagnostic> conf_findings(const Config& conf, const RootView& root) {
  std::vector<Diagnostic> found = conf.lint();
  const NamesNeeded needed = conf.names_needed();
  auto names = lookup_names(needed);
  if (!names.ok()) {
    take(found, names.diagnostics);
    return found;
  }
  take(found, conf.unknown_groups(*names.value));
  for (const auto& [dir, where] : conf.chroot_directories()) {
    auto opened = open_checked_directory(dir, FileSafety{true});
    if (!opened.ok())
      found.push_back(make_error(where, "chroot directory " + opened.first_error()->str(), Problem::Unsafe));
  }
  if (root.subject) take(found, conf.root_confinement(*root.subject, root.access, *names.value, root.roles_known, root.roles_from_groups));
  return found;
}

void check_files(const PolicyFiles& files, bool store_checked, bool conf_checked, Reporter& reporter) {
  const FileSafety enforce{true};
  ReadBudget budget;
  std::optional<Store> store;
  if (store_checked) {
    auto loaded = Store::load(files.store, enforce, &budget);
    if (loaded.ok()) store = *loaded.value;
    reporter.report(files.store, loaded.diagnostics);
  }
  if (!conf_checked) return;
  const RootView root = root_view(store);
  const ReadBudget after_store = budget;
  auto main = Config::load(files.conf, enforce, &budget);
  std::vector<Diagnostic> found = main.diagnostics;
  if (main.ok()) take(found, conf_findings(*main.value, root));
  reporter.report(files.conf, found);
  if (!main.ok()) return;
  std::vector<Diagnostic> directory_problems;
  const auto services = override_services(files.conf, directory_problems);
  if (!directory_problems.empty()) reporter.report(service_override_directory(files.conf), directory_problems);
  for (const auto& service : services) {
    ReadBudget service_budget = after_store;
    auto loaded = Config::load_for_service(files.conf, service, enforce, &service_budget);
    std::vector<Diagnostic> service_found = loaded.diagnostics;
    if (loaded.ok()) take(service_found, conf_findings(*loaded.value, root));
    reporter.report(service_override_directory(files.conf) + "/" + service + ".conf", service_found);
  }
  if (!store_checked) return;
  if (auto stale = stale_index_reason(files); stale && !stale->empty())
    reporter.report(policy_index_path(files.store),
                    {make_warning(Location{policy_index_path(files.store), 0, 0},
                                  "pam_secstore does not use it: " + *stale + "; run `secstore compile`")});
}

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
      for (const auto& [store, conf] : named) check_files(PolicyFiles{store, conf, {}}, true, true, reporter);
      return reporter.exit_code();
    }
  }
  // No file option: the installed store and configuration. One alone: just
  // that one (a validate hook for configuration management).
  const bool both = store_given == conf_given;
  check_files(files, both || store_given, both || conf_given, reporter);
  return reporter.exit_code();
}

}  // namespace secstore::cli
