#include "check_files.hpp"
#include "loading.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "secstore/nss.hpp"

namespace secstore::cli {
namespace {

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
  const auto unknown = conf.unknown_groups(*names.value);
  take(found, unknown);
  // Each refused chroot, by directory, for root's plan below.
  std::map<std::string, std::pair<Location, std::string>> refused_chroots;
  for (const auto& [dir, where] : conf.chroot_directories()) {
    auto opened = open_checked_directory(dir, FileSafety{true});
    if (opened.ok()) continue;
    const std::string why = opened.first_error()->str();
    found.push_back(make_error(where, "chroot directory " + why, Problem::Unsafe));
    refused_chroots.insert_or_assign(dir, std::pair{where, why});
  }
  if (!root.subject) return found;
  // The account a lockout hurts most: whatever would refuse root's own
  // sessions (two chroots, say) is an error here too.
  if (unknown.empty()) {
    auto plan = conf.plan(*root.subject, root.access, *names.value, kernel_capability_count());
    take(found, plan.diagnostics);
    // A chroot the module refuses is reported above at its scope, whoever
    // gets it; that root gets it is an error of its own, which a store
    // change giving root that scope's role adds (`apply`, `edit`).
    if (plan.ok() && plan.value->chroot)
      if (const auto it = refused_chroots.find(*plan.value->chroot); it != refused_chroots.end())
        found.push_back(make_error(it->second.first, "root's sessions would be refused: they get the chroot directory " +
                                                         it->second.second, Problem::Unsafe));
  }
  take(found, conf.root_confinement(*root.subject, root.access, *names.value, root.roles_known, root.roles_from_groups));
  return found;
}

}  // namespace

void Reporter::report(const std::string& file, const std::vector<Diagnostic>& found) {
  unsigned errors = 0, warnings = 0;
  bool unreadable = false;
  for (const auto& d : found) {
    if (d.severity == Severity::Error) {
      ++errors;
      unreadable = unreadable || d.problem == Problem::Unreadable;
      worst_ = std::max(worst_, d.problem == Problem::Unreadable ? int{kExitUsage} : int{kExitNo});
      errors_.push_back(d);
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

void check_files(const PolicyFiles& files, const CheckScope& scope, Reporter& reporter) {
  const FileSafety enforce{true, scope.draft};
  const bool store_checked = scope.store, conf_checked = scope.conf;
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
  if (!store_checked || !scope.stale_index) return;
  if (auto stale = stale_index_reason(files); stale && !stale->empty())
    reporter.report(policy_index_path(files.store),
                    {make_warning(Location{policy_index_path(files.store), 0, 0},
                                  "pam_secstore does not use it: " + *stale + "; run `secstore compile`")});
}

ChangeCheck::ChangeCheck(const PolicyFiles& files, bool changing_conf)
    : files_(files), target_(changing_conf ? files.conf : files.store) {
  struct stat st {};
  const bool other_exists = ::stat((changing_conf ? files.store : files.conf).c_str(), &st) == 0;
  scope_ = CheckScope{!changing_conf || other_exists, changing_conf || other_exists, nullptr, false};
  std::ostringstream quiet;
  const Io quiet_io{quiet, quiet, ""};
  Reporter reporter(quiet_io);
  check_files(files_, scope_, reporter);
  for (const auto& e : reporter.errors()) before_.push_back(e.str());
}

std::vector<Diagnostic> ChangeCheck::added_by(const std::string& text, const Io& io) {
  const FileDraft draft{target_, text};
  CheckScope scope = scope_;
  scope.draft = &draft;
  Reporter reporter(io);
  check_files(files_, scope, reporter);
  std::vector<Diagnostic> added;
  for (const auto& e : reporter.errors())
    if (std::find(before_.begin(), before_.end(), e.str()) == before_.end()) added.push_back(e);
  return added;
}

}  // namespace secstore::cli
